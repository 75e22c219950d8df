"""A public network's history through an Etherscan-compatible explorer, end to end in the wallet.

The node is a real anvil started with chain id 1 (so the wallet's "ethereum" accepts it);
the explorer is a remote third-party API, so a loopback server replays its documented format
(see tests/unit/test_explorer_api.py). Without an API key the history holds the wallet's own
transactions; with one, the explorer's records are stored, incrementally; a failing explorer
leaves the rest of the sync stored and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_account import Account

from chains.evm.contracts import compile_contract
from chains.evm.jsonrpc import JsonRpcBackend
from chains.registry import EvmNetwork, get_network
from tests.conftest import PASSWORD
from tests.nodes.evm import AnvilDevnet, AnvilNode, anvil_binary, anvil_factory
from tests.unit.test_explorer_api import NO_TX, explorer, ok, tx
from wallet import EvmAccount, Wallet
from wallet.evm.settings import set_explorer_key, set_explorer_url
from wallet.types import TxStatus

__all__ = ["anvil_binary", "anvil_factory", "explorer"]  # fixtures used here

ETHEREUM = get_network("ethereum")
assert isinstance(ETHEREUM, EvmNetwork)
USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"  # in the bundled list: 6 decimals
KEY = "EXPLORERKEY0000SECRET"


def test_explorer_history_in_the_wallet(
    anvil_factory: Callable[..., AnvilNode], explorer: Any, tmp_path: Path
) -> None:
    url, seen, handler = explorer
    node = anvil_factory(1)
    backend = JsonRpcBackend(ETHEREUM, [node.http_url])
    devnet = AnvilDevnet(backend)
    wallet = Wallet.create(tmp_path / "w.coffer", PASSWORD)
    wallet.backends.set_servers("ethereum", [node.http_url])
    account = wallet.account("ethereum")
    assert isinstance(account, EvmAccount)
    me = account.address
    devnet.fund(me, 10**18)

    # No key: balances and own transactions only, and the report says why.
    report = account.sync()
    assert report.warnings
    assert "No explorer API key" in report.warnings[0]
    assert report.round_trips is not None
    assert report.round_trips <= 4  # balances (Multicall3 absent: 2), then nonces and tip
    assert account.balance().confirmed == 10**18
    assert seen == []
    sent = account.broadcast(wallet.sign(account.prepare_send(Account.create().address, "0.1")))
    devnet.wait_for_receipt(sent)
    account.sync()
    [entry] = account.history()
    assert (entry.txid, entry.status) == (sent, TxStatus.CONFIRMED)
    assert entry.fee is not None
    assert entry.amount == -(10**17) - entry.fee

    # With a key (and the replaying explorer's URL), its records are stored.
    other = Account.create().address
    answers = {
        "txlist": ok([tx(10, 1, other, me, 5 * 10**17)]),
        "tokentx": ok(
            [
                tx(
                    11,
                    2,
                    other,
                    me,
                    2_500_000,
                    contractAddress=USDC.lower(),
                    tokenSymbol="USDC",
                    tokenDecimal="6",
                    logIndex="3",
                )
            ]
        ),
        "tokennfttx": NO_TX,
        "token1155tx": NO_TX,
    }
    handler[0] = lambda q: (200, answers[q["action"]])
    set_explorer_key(wallet.database, ETHEREUM, KEY)
    set_explorer_url(wallet.database, ETHEREUM, url)
    report = account.sync()
    assert report.warnings == ()
    assert report.new_transactions == 2
    assert {q["apikey"] for q in seen} == {KEY}
    assert {q["startblock"] for q in seen} == {"0"}
    got = {(e.symbol, e.amount, e.decimals) for e in account.history() if e.txid != sent}
    assert got == {("ETH", 5 * 10**17, 18), ("USDC", 2_500_000, 6)}

    # Incremental: the next sync starts at the last block seen, and stores nothing twice.
    seen.clear()
    report = account.sync()
    assert report.new_transactions == 0
    assert {q["startblock"] for q in seen} == {"11"}
    assert len(account.history()) == 3

    # A failing explorer: the rest of the sync is stored, the warning says so, no key shows.
    handler[0] = lambda q: (
        200,
        {"status": "0", "message": "NOTOK", "result": "Max rate limit reached"},
    )
    devnet.fund(me, 5)
    report = account.sync()
    assert report.warnings
    assert "rate limit" in report.warnings[0]
    assert all(KEY not in w for w in report.warnings)
    assert account.balance().confirmed == backend.get_balance(me)
    assert len(account.history()) == 3
    wallet.close()
    backend.close()


def test_explorer_collectibles_count_each_transfer_once(
    anvil_factory: Callable[..., AnvilNode], explorer: Any, tmp_path: Path
) -> None:
    url, seen, handler = explorer
    node = anvil_factory(1)
    wallet = Wallet.create(tmp_path / "w.coffer", PASSWORD)
    wallet.backends.set_servers("ethereum", [node.http_url])
    account = wallet.account("ethereum")
    assert isinstance(account, EvmAccount)
    me, other = account.address, Account.create().address
    tickets = Account.create().address  # an ERC-1155 contract, as the explorer reports it
    row = tx(20, 7, other, me, 0, contractAddress=tickets.lower(), tokenID="5")
    row.update(tokenValue="3", logIndex="0")
    answers = {"txlist": NO_TX, "tokentx": NO_TX, "tokennfttx": NO_TX, "token1155tx": ok([row])}
    handler[0] = lambda q: (200, answers[q["action"]])
    set_explorer_key(wallet.database, ETHEREUM, KEY)
    set_explorer_url(wallet.database, ETHEREUM, url)
    account.sync()
    assert [(c.contract, c.token_id, c.amount) for c in account.nfts()] == [(tickets, 5, 3)]
    # The next sync reads the last block again (on purpose): the 3 tickets stay 3.
    seen.clear()
    account.sync()
    assert {q["startblock"] for q in seen} == {"20"}
    assert [(c.contract, c.token_id, c.amount) for c in account.nfts()] == [(tickets, 5, 3)]
    wallet.close()


def test_a_reverted_own_transaction_without_explorer_shows_its_fee(
    anvil_factory: Callable[..., AnvilNode], tmp_path: Path
) -> None:
    node = anvil_factory(1)
    backend = JsonRpcBackend(ETHEREUM, [node.http_url])
    devnet = AnvilDevnet(backend)
    wallet = Wallet.create(tmp_path / "w.coffer", PASSWORD)
    wallet.backends.set_servers("ethereum", [node.http_url])
    account = wallet.account("ethereum")
    assert isinstance(account, EvmAccount)
    devnet.fund(account.address, 10**18)
    token = devnet.deploy_contract(
        compile_contract("ERC20").initcode(("string", "string", "uint8"), ("No pay", "NP", 0))
    )
    account.sync()
    # Coins sent to a contract that takes none: it reverts, and only the fee is spent.
    sent = account.broadcast(wallet.sign(account.prepare_send(token, "0.5", gas_limit=100_000)))
    receipt = devnet.wait_for_receipt(sent)
    assert not receipt.success
    account.sync()  # no explorer key: the history is the wallet's own transactions
    [entry] = account.history()
    assert (entry.txid, entry.status, entry.symbol, entry.token) == (
        sent,
        TxStatus.FAILED,
        "ETH",
        None,
    )
    assert (entry.amount, entry.fee) == (-receipt.fee, receipt.fee)
    assert account.balance().confirmed == 10**18 - receipt.fee
    wallet.close()
    backend.close()
