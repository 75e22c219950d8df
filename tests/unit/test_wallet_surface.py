"""The shape of the public API: groups on ``Wallet``, exported types, typed account kinds.

Also the structure issue 12 asks for: the UTXO family's modules get a context, never the
account or the wallet, and import at the top only.
"""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

import wallet
from chains.registry import ScriptKind
from tests.conftest import ABANDON
from wallet import (
    AccountBook,
    EvmLayout,
    MessageBook,
    UtxoAccount,
    Wallet,
    WalletSettings,
    WatchedAddress,
)
from wallet.errors import UnknownNetwork
from wallet.money.onramp import OnRamp
from wallet.money.spending import Budgets
from wallet.utxo.context import UtxoContext
from wallet.utxo.scripts import SingleKeyScripts

ROOT = Path(__file__).parents[2]


def test_every_exported_name_exists() -> None:
    for name in wallet.__all__:
        assert getattr(wallet, name) is not None, name
    for name in ("Balance", "HistoryEntry", "CoinInfo", "SyncReport", "AddressInfo"):
        assert name in wallet.__all__
    for name in ("UtxoDraft", "EvmDraft", "TxSummary", "validate_mnemonic", "new_mnemonic"):
        assert name in wallet.__all__
    assert wallet.validate_mnemonic(ABANDON) == "english"
    for name in ("EvmReview", "AssetChange", "ApprovalChange", "Intent", "MempoolCheck"):
        assert name in wallet.__all__  # the review's types (issue 15 item 6)
    for method in ("prepare_call", "review"):
        assert callable(getattr(wallet.EvmAccount, method))
    assert callable(wallet.UtxoAccount.check_mempool)


def test_an_unknown_network_is_refused_not_empty(abandon_wallet: Wallet) -> None:
    with pytest.raises(UnknownNetwork):
        abandon_wallet.accounts("no-such-chain")
    with pytest.raises(UnknownNetwork):
        abandon_wallet.sync("no-such-chain")
    assert abandon_wallet.accounts("bitcoin") == []


def test_groups_reach_the_same_things(abandon_wallet: Wallet) -> None:
    w = abandon_wallet
    assert isinstance(w.accounts_book, AccountBook)
    assert isinstance(w.settings, WalletSettings)
    assert isinstance(w.messages, MessageBook)
    btc = w.account("bitcoin")
    assert w.accounts_book.get("bitcoin") is btc
    assert w.accounts_book.all("bitcoin") == [btc] == w.accounts("bitcoin")
    assert w.accounts_book.by_id(btc.id) is btc
    assert w.settings.max_fee_share == Decimal("0.10")
    w.settings.set_max_fee_share(Decimal("0.05"))
    assert w.settings.max_fee_share == Decimal("0.05")
    w.settings.set_max_fee_share(None)
    assert w.settings.max_fee_share == Decimal("0.10")
    assert not w.settings.explorer_key_set("ethereum")
    w.settings.set_explorer_key("ethereum", "ABC123")
    assert w.settings.explorer_key_set("ethereum")
    w.settings.set_explorer_key("ethereum", None)
    assert not w.settings.explorer_key_set("ethereum")


def test_account_kinds_are_typed_and_read_as_text(abandon_wallet: Wallet) -> None:
    w = abandon_wallet
    taproot = w.account("bitcoin", kind="p2tr")
    assert taproot.record.kind is ScriptKind.P2TR
    assert taproot.kind == "p2tr"
    ledger = w.account("ethereum", 1, kind="ledger-live")
    assert ledger.record.kind is EvmLayout.LEDGER_LIVE
    assert ledger.kind == "ledger-live"
    watched = w.accounts_book.import_evm_address("ethereum", "0x" + "11" * 20)
    assert watched.record.kind is WatchedAddress.ADDRESS
    assert watched.kind == "address"
    reopened = w.accounts_book.by_id(taproot.id)
    assert reopened.record.kind is ScriptKind.P2TR


def test_a_utxo_account_hands_its_modules_one_context(abandon_wallet: Wallet) -> None:
    account = abandon_wallet.account("litecoin")
    assert isinstance(account, UtxoAccount)
    ctx = account.context
    assert isinstance(ctx, UtxoContext)
    assert ctx is account.context  # built once
    assert (ctx.account_id, ctx.network, ctx.kind) == (
        account.id,
        account.utxo_network,
        ScriptKind.P2WPKH,
    )
    assert isinstance(ctx.scripts, SingleKeyScripts)
    assert ctx.scripts.xpub == account.account_xpub
    assert ctx.fee_policy().max_share == Decimal("0.10")


def _imports(tree: ast.Module) -> tuple[set[str], list[int]]:
    modules: set[str] = set()
    nested: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
            )
            modules.update(names)
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef):
            nested += [
                n.lineno for n in ast.walk(func) if isinstance(n, ast.Import | ast.ImportFrom)
            ]
    return modules, nested


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "wallet" / "utxo").glob("*.py"))
    + sorted((ROOT / "wallet" / "evm").glob("*.py")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_family_modules_never_reach_back_to_the_account(path: Path) -> None:
    modules, nested = _imports(ast.parse(path.read_text("utf-8")))
    assert not {m for m in modules if m.startswith(("wallet.accounts", "wallet.wallet"))}
    assert nested == [], f"imports inside functions at lines {nested}"


@pytest.mark.parametrize(
    "name",
    [
        "wallet/wallet.py",
        "wallet/account_book.py",
        "wallet/accounts/base.py",
        "wallet/accounts/utxo.py",
        "wallet/accounts/evm.py",
        "wallet/demo.py",
        "wallet/demo_evm.py",
        "wallet/messages/book.py",
        "wallet/messages/sign.py",
        "wallet/messages/verify.py",
        "wallet/messages/keys.py",
        "wallet/messages/local_account.py",
    ],
)
def test_entry_points_import_at_the_top(name: str) -> None:
    _modules, nested = _imports(ast.parse((ROOT / name).read_text("utf-8")))
    assert nested == [], f"imports inside functions at lines {nested}"


def test_payment_requests_on_both_families(abandon_wallet: Wallet) -> None:
    for name in ("PaymentRequest", "PaymentLink", "Payment", "RequestStatus", "FxQuote"):
        assert name in wallet.__all__
    assert {"parse_payment_link", "read_link_image"} <= set(wallet.__all__)
    for network in ("bitcoin", "ethereum"):
        account = abandon_wallet.account(network)
        for member in ("request", "requests", "payment_request", "prepare_payment"):
            assert callable(getattr(account, member)), (network, member)


def test_money_members_of_taxbudget(abandon_wallet: Wallet) -> None:
    w = abandon_wallet
    assert isinstance(w.budgets, Budgets)
    assert w.budgets is w.budgets
    assert isinstance(w.onramp, OnRamp)
    assert callable(w.tax_report)
    assert callable(w.tax_events)


def test_the_fiat_group_is_one_member(abandon_wallet: Wallet) -> None:
    assert isinstance(abandon_wallet.fiat, wallet.FiatBook)
    assert abandon_wallet.fiat is abandon_wallet.fiat
    assert abandon_wallet.fiat.accounts() == []


def test_the_money_members_are_public(abandon_wallet: Wallet) -> None:
    w = abandon_wallet
    assert isinstance(w.prices, wallet.PriceService)
    assert callable(w.portfolio)
    assert callable(w.net_worth)
    assert callable(w.add_holdings_source)
    assert [s.name for s in w.holdings_sources] == ["crypto", "fiat", "points"]
    assert w.settings.base_currency.isalpha()
    for name in ("Portfolio", "PortfolioRow", "Holding", "HoldingsSource", "Quote", "Money"):
        assert name in wallet.__all__


def test_codex32_backup_members(abandon_wallet: Wallet) -> None:
    names = ("Codex32Backup", "codex32_backup", "codex32_seed", "codex32_share_threshold")
    for name in (*names, "codex32_worksheet"):
        assert name in wallet.__all__
    assert callable(Wallet.restore_from_seed)
    assert callable(abandon_wallet.reveal_codex32_backup)
