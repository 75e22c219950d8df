"""Cancelling long work (issue 17): a sync stops between accounts and between pages.

Real parts only: the embedded Bitcoin regtest devnet (libbitcoinkernel, in-process) holds the
coins. The token is the test's own ``CancelToken`` that cancels itself at a chosen check, so
the stop lands at a known place; everything the sync does is the product's code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ABANDON, PASSWORD
from wallet import CancelToken, UtxoAccount, Wallet
from wallet.errors import Cancelled, WalletError

NET = "bitcoin-regtest"


class CancelAt(CancelToken):
    """A token that cancels itself when it is checked the ``n``-th time (1-based)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n
        self.checks = 0

    def check(self, what: str = "The work") -> None:
        self.checks += 1
        if self.checks >= self.n:
            self.cancel()
        super().check(what)


def _utxo(wallet: Wallet, index: int) -> UtxoAccount:
    account = wallet.account(NET, index)
    assert isinstance(account, UtxoAccount)
    return account


@pytest.fixture
def funded(tmp_path: Path) -> Path:
    """Accounts 0 and 1, each paid at receive index 2; account 0 also at index 30."""
    path = tmp_path / "w.coffer"
    with Wallet.restore(path, PASSWORD, ABANDON) as wallet:
        wallet.backends.set_servers(NET, ["embedded"])
        devnet = wallet.devnet(NET)
        first, second = _utxo(wallet, 0), _utxo(wallet, 1)
        devnet.fund(first.addresses(1, 2)[0].address, "0.1")
        devnet.fund(first.addresses(1, 30)[0].address, "0.2")  # past the first page (gap 20)
        devnet.fund(second.addresses(1, 2)[0].address, "0.3")
        devnet.mine(1)
    return path


def test_a_cancelled_sync_keeps_the_accounts_synced_before(funded: Path) -> None:
    with Wallet.open(funded, PASSWORD) as wallet:
        token = CancelToken()
        first, second = _utxo(wallet, 0), _utxo(wallet, 1)
        original = first.sync

        def sync_then_cancel(cancel: CancelToken | None = None) -> object:
            report = original(cancel)
            token.cancel()  # the person clicks Cancel while account 0 is syncing
            return report

        first.sync = sync_then_cancel  # type: ignore[method-assign]
        with pytest.raises(Cancelled, match="cancelled; what was finished before is kept"):
            wallet.sync_each(cancel=token)
        assert first.balance().synced
        assert first.balance().total == 30_000_000
        assert second.history() == []  # never started
        assert second.balance().total == 0
    # The file is consistent: it opens, and a sync without a token finishes the work.
    with Wallet.open(funded, PASSWORD) as wallet:
        outcomes = wallet.sync_each()
        assert [o.ok for o in outcomes] == [True, True]
        assert _utxo(wallet, 1).balance().total == 30_000_000


def test_an_account_sync_cancelled_before_its_first_page_stores_nothing(funded: Path) -> None:
    # The embedded devnet answers a whole discovery in one request (``more_scripts``), so
    # an account's sync here is one page: the check before it is the one that stops it.
    with Wallet.open(funded, PASSWORD) as wallet:
        account = _utxo(wallet, 0)
        token = CancelAt(1)
        with pytest.raises(Cancelled):
            account.sync(token)
        assert token.checks == 1
        assert account.history() == []
        account.sync()
        assert account.balance().total == 30_000_000
        assert len(account.history()) == 2


def test_a_token_cancelled_before_the_sync_changes_nothing(funded: Path) -> None:
    token = CancelToken()
    token.cancel()
    assert token.cancelled
    with Wallet.open(funded, PASSWORD) as wallet:
        with pytest.raises(Cancelled) as caught:
            wallet.sync(cancel=token)
        assert isinstance(caught.value, WalletError)
        assert not any(a.balance().synced for a in wallet.accounts(NET))
        evm = wallet.account("evm-embedded")
        with pytest.raises(Cancelled):
            evm.sync(token)
        assert not evm.balance().synced


def test_a_token_not_cancelled_changes_nothing(funded: Path) -> None:
    token = CancelToken()
    with Wallet.open(funded, PASSWORD) as wallet:
        outcomes = wallet.sync_each(cancel=token)
    assert [o.ok for o in outcomes] == [True, True]
    assert "running" in repr(token)
