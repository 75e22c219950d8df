"""The addresses of several EVM accounts at once: ``EvmAccount.account_addresses`` and the CLI.

An EVM account has one address; ``coffer address ethereum --index 3 --count 3`` means the
accounts 3, 4 and 5 of the standard layout (``m/44'/60'/0'/0/i``), each with its path
(issue 13, item 8: it used to print account 0 alone and exit 0).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_account import Account as PeerAccount

from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.accounts import EvmAccount
from wallet.cli import cli
from wallet.errors import WalletError

PeerAccount.enable_unaudited_hdwallet_features()


def _peer_address(index: int) -> str:
    """Return eth-account's address of standard-layout account ``index`` (a peer library)."""
    path = f"m/44'/60'/0'/0/{index}"
    return str(PeerAccount.from_mnemonic(ABANDON, account_path=path).address)


@pytest.fixture
def wallet_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COFFER_PASSWORD", PASSWORD)
    monkeypatch.delenv("COFFER_WALLET", raising=False)
    path = tmp_path / "w.coffer"
    with Wallet.create(path, PASSWORD, ABANDON) as wallet:
        wallet.account("ethereum")
    return path


def run(path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--wallet", str(path), *args])
    return result.exit_code, result.stdout, result.stderr


def _account_ids(path: Path) -> list[int]:
    with Wallet.open(path, PASSWORD) as wallet:
        return [a.id for a in wallet.accounts()]


def test_account_addresses_derive_from_the_shared_key(wallet_file: Path) -> None:
    with Wallet.open(wallet_file, PASSWORD) as wallet:
        account = wallet.account("ethereum")
        assert isinstance(account, EvmAccount)
        infos = account.account_addresses(3, 3)
        assert [(i.index, i.chain, i.path) for i in infos] == [
            (n, 0, f"m/44'/60'/0'/0/{n}") for n in (3, 4, 5)
        ]
        assert [i.address for i in infos] == [_peer_address(n) for n in (3, 4, 5)]
        assert [a.id for a in wallet.accounts()] == [account.id]  # nothing added
        for bad in ((0, 0), (2, -1), (2, 2**31 - 1)):
            with pytest.raises(WalletError, match="account number"):
                account.account_addresses(*bad)


def test_account_addresses_refused_without_a_shared_key(wallet_file: Path) -> None:
    with Wallet.open(wallet_file, PASSWORD) as wallet:
        ledger = wallet.account("ethereum", 0, "ledger-live")
        assert isinstance(ledger, EvmAccount)
        with pytest.raises(WalletError, match="Ledger Live"):
            ledger.account_addresses(2)
        watched = wallet.accounts_book.import_evm_address("ethereum", _peer_address(7))
        assert isinstance(watched, EvmAccount)
        with pytest.raises(WalletError, match="watches one address"):
            watched.account_addresses(2)


def test_cli_address_lists_accounts_from_index(wallet_file: Path) -> None:
    before = _account_ids(wallet_file)
    code, out, err = run(
        wallet_file, "--json", "address", "ethereum", "--index", "3", "--count", "3"
    )
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["index"], r["path"], r["address"]) for r in rows] == [
        (n, f"m/44'/60'/0'/0/{n}", _peer_address(n)) for n in (3, 4, 5)
    ]
    code, out, _ = run(wallet_file, "--json", "address", "ethereum", "--index", "4")
    assert json.loads(out)["address"] == _peer_address(4)
    code, out, _ = run(
        wallet_file, "--json", "address", "ethereum", "--account", "2", "--count", "2"
    )
    assert [r["index"] for r in json.loads(out)] == [2, 3]
    code, out, _ = run(wallet_file, "address", "ethereum", "--index", "1", "--count", "2")
    assert out.splitlines() == [f"{_peer_address(n)}  m/44'/60'/0'/0/{n}" for n in (1, 2)]
    assert _account_ids(wallet_file) == before


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--change",), "no change addresses"),
        (("--index", "3", "--account", "2"), "both mean the account number"),
        (("--index", str(2**31 - 1), "--count", "2"), "account number runs"),
        (("--kind", "ledger-live", "--count", "2"), "Ledger Live"),
    ],
    ids=["change", "index-and-account", "past-the-last-account", "ledger-live"],
)
def test_cli_address_bad_input(wallet_file: Path, args: tuple[str, ...], words: str) -> None:
    before = _account_ids(wallet_file)
    code, out, err = run(wallet_file, "address", "ethereum", *args)
    assert code != 0
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert words in err
    assert "Traceback" not in err
    assert _account_ids(wallet_file) == before
