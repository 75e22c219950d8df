"""Own broadcasts that the server lost are sent again by the next sync, or abandoned.

Real chains only: the embedded devnet (libbitcoinkernel) keeps its chain and mempool in a
folder, so "the server lost the transaction" is a devnet reopened without its mempool file,
and "a server that cannot take it back" is a copy of the devnet's folder from 120 blocks
earlier, where the transaction's lock time (anti fee sniping: the tip it was built at) is
not reached yet, so the kernel's policy refuses it as ``non-final``.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from chains.addresses import parse_address
from chains.registry import UtxoNetwork, get_network
from chains.utxo.devnet import BitcoinDevnet
from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.accounts import UtxoAccount
from wallet.cli import cli
from wallet.errors import InvalidTxHash, NotReplaceable, TransactionNotFound
from wallet.types import TxStatus

NET = "bitcoin-regtest"
EXTERNAL = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
MEMPOOL_FILE = "coffer-mempool.dat"
DEVNET_KEY = b"the devnet storage key of the tests"
# Anti fee sniping sets the lock time to the tip, or now and then up to 99 blocks before it
# (as Bitcoin Core does): the earlier chain is more blocks behind than that.
LATER = 120


def regtest() -> UtxoNetwork:
    network = get_network(NET)
    assert isinstance(network, UtxoNetwork)
    return network


def _account(wallet: Wallet, devnet: BitcoinDevnet) -> UtxoAccount:
    wallet.backends.use(NET, devnet)
    account = wallet.account(NET)
    assert isinstance(account, UtxoAccount)
    return account


def _fund(devnet: BitcoinDevnet, account: UtxoAccount, amount: int) -> None:
    script = parse_address(regtest(), account.receive_address()).script_pubkey
    devnet.fund(script, amount)
    devnet.mine(1)


def _send(wallet: Wallet, account: UtxoAccount, amount: str) -> str:
    draft = account.prepare_send(EXTERNAL, Decimal(amount), fee_rate=Decimal(2))
    return account.broadcast(wallet.sign(draft))


def _lost(chain: Path) -> BitcoinDevnet:
    """Reopen the devnet without its mempool: every unconfirmed transaction is gone."""
    (chain / MEMPOOL_FILE).unlink()
    return BitcoinDevnet(regtest(), chain, storage_key=DEVNET_KEY)


def test_a_transaction_the_server_lost_is_sent_again_by_the_next_sync(tmp_path: Path) -> None:
    chain = tmp_path / "chain"
    with Wallet.create(tmp_path / "w.coffer", PASSWORD, ABANDON) as wallet:
        with BitcoinDevnet(regtest(), chain, storage_key=DEVNET_KEY) as devnet:
            devnet.mine(101)
            account = _account(wallet, devnet)
            _fund(devnet, account, 2_000_000)
            account.sync()
            txid = _send(wallet, account, "0.005")
            assert devnet.mempool() == (txid,)
        with _lost(chain) as devnet:
            assert devnet.mempool() == ()
            account = _account(wallet, devnet)
            report = account.sync()
            assert report.warnings == ()
            assert devnet.mempool() == (txid,)  # sent again
            (entry,) = [h for h in account.history() if h.txid == txid]
            assert entry.status is TxStatus.PENDING
            devnet.mine(1)
            account.sync()
            (entry,) = [h for h in account.history() if h.txid == txid]
            assert entry.status is TxStatus.CONFIRMED
            before = devnet.round_trips
            again = account.sync()  # nothing unseen: no broadcast
            assert again.warnings == ()
            assert devnet.round_trips - before == again.round_trips


def test_a_refused_one_is_a_warning_and_can_be_abandoned(tmp_path: Path) -> None:
    chain, earlier = tmp_path / "chain", tmp_path / "earlier"
    with Wallet.create(tmp_path / "w.coffer", PASSWORD, ABANDON) as wallet:
        with BitcoinDevnet(regtest(), chain, storage_key=DEVNET_KEY) as devnet:
            devnet.mine(101)
            account = _account(wallet, devnet)
            _fund(devnet, account, 2_000_000)
        shutil.copytree(chain, earlier)  # the chain LATER blocks before the send
        with BitcoinDevnet(regtest(), chain, storage_key=DEVNET_KEY) as devnet:
            devnet.mine(LATER)
            account = _account(wallet, devnet)
            account.sync()
            txid = _send(wallet, account, "0.005")
        (earlier / MEMPOOL_FILE).unlink(missing_ok=True)
        with BitcoinDevnet(regtest(), earlier, storage_key=DEVNET_KEY) as devnet:
            account = _account(wallet, devnet)
            report = account.sync()
            (warning,) = report.warnings
            assert txid in warning
            assert "non-final" in warning
            assert "abandon" in warning
            assert devnet.mempool() == ()
            # Until abandoned, its coin stays spent: the wallet does not double-spend it.
            (entry,) = [h for h in account.history() if h.txid == txid]
            assert entry.status is TxStatus.PENDING
            assert account.balance().unconfirmed < 0
            assert account.balance().available < 2_000_000

            account.abandon(txid.upper())
            assert txid not in {h.txid for h in account.history()}
            assert account.balance().unconfirmed == 0
            assert account.balance().available == 2_000_000
            assert account.sync().warnings == ()  # nothing is sent again

            # The freed coin pays a new transaction, which the chain takes.
            new = _send(wallet, account, "0.005")
            devnet.mine(1)
            account.sync()
            statuses = {h.txid: h.status for h in account.history()}
            assert statuses[new] is TxStatus.CONFIRMED
            assert txid not in statuses

            # A confirmed transaction, or one the account does not have, is not abandoned.
            with pytest.raises(NotReplaceable, match="confirmed"):
                account.abandon(new)
            with pytest.raises(TransactionNotFound):
                account.abandon("ab" * 32)
            with pytest.raises(InvalidTxHash):
                account.abandon("not a txid")


def test_one_a_server_reports_is_not_abandoned(tmp_path: Path) -> None:
    with (
        Wallet.create(tmp_path / "w.coffer", PASSWORD, ABANDON) as wallet,
        BitcoinDevnet(regtest(), tmp_path / "chain", storage_key=DEVNET_KEY) as devnet,
    ):
        devnet.mine(101)
        account = _account(wallet, devnet)
        _fund(devnet, account, 2_000_000)
        account.sync()
        txid = _send(wallet, account, "0.005")
        account.sync()
        with pytest.raises(NotReplaceable, match="may still confirm"):
            account.abandon(txid)
        assert devnet.mempool() == (txid,)
        (entry,) = [h for h in account.history() if h.txid == txid]
        assert entry.status is TxStatus.PENDING


def test_one_just_sent_is_not_abandoned_before_a_sync(tmp_path: Path) -> None:
    # Issue 13 item 7: no sync has seen it yet, but the server has it in its mempool.
    with (
        Wallet.create(tmp_path / "w.coffer", PASSWORD, ABANDON) as wallet,
        BitcoinDevnet(regtest(), tmp_path / "chain", storage_key=DEVNET_KEY) as devnet,
    ):
        devnet.mine(101)
        account = _account(wallet, devnet)
        _fund(devnet, account, 2_000_000)
        account.sync()
        txid = _send(wallet, account, "0.005")
        with pytest.raises(NotReplaceable, match="still has"):
            account.abandon(txid)
        (entry,) = [h for h in account.history() if h.txid == txid]
        assert entry.status is TxStatus.PENDING
        assert account.balance().available < 2_000_000  # its coin is not free
        devnet.mine(1)
        account.sync()
        statuses = {h.txid: h.status for h in account.history()}
        assert statuses[txid] is TxStatus.CONFIRMED


def test_the_cli_warns_on_sync_and_abandons_by_txid(tmp_path: Path) -> None:
    # The CLI's wallet serves bitcoin-regtest from the devnet in its own folder
    # (``w.coffer.d/bitcoin-regtest``): the chain is swapped for the earlier one there.
    path = tmp_path / "w.coffer"
    chain, earlier = tmp_path / "w.coffer.d" / NET, tmp_path / "earlier"
    with Wallet.create(path, PASSWORD, ABANDON) as wallet:
        key = wallet.backends.devnet_key(NET)  # the devnet's files are sealed with the wallet's key
        with BitcoinDevnet(regtest(), chain, storage_key=key) as devnet:
            devnet.mine(101)
            _fund(devnet, _account(wallet, devnet), 1_000_000)
        shutil.copytree(chain, earlier)
        with BitcoinDevnet(regtest(), chain, storage_key=key) as devnet:
            devnet.mine(LATER)
            account = _account(wallet, devnet)
            account.sync()
            txid = _send(wallet, account, "0.002")
    shutil.rmtree(chain)
    shutil.move(earlier, chain)
    (chain / MEMPOOL_FILE).unlink(missing_ok=True)

    def coffer(*args: str) -> Result:
        return CliRunner().invoke(
            cli, ["--wallet", str(path), *args], env={"COFFER_PASSWORD": PASSWORD}
        )

    synced = coffer("--json", "sync", NET)
    assert synced.exit_code == 0, synced.output
    (row,) = json.loads(synced.stdout)
    (warning,) = row["warnings"]
    assert txid in warning
    assert "non-final" in warning
    assert f"warning: {NET} account {row['account']}: " in synced.stderr

    done = coffer("--json", "abandon", txid)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == {"network": NET, "txid": txid, "abandoned": True}
    again = coffer("abandon", txid)
    assert again.exit_code != 0
    assert again.stderr.count("\n") == 1  # one line: it is not in the account any more
    assert f"No UTXO account of this wallet has a transaction {txid}" in again.stderr
    bad = coffer("abandon", "zz")
    assert bad.exit_code != 0
    assert "not a transaction id" in bad.stderr
    synced = coffer("--json", "sync", NET)
    assert json.loads(synced.stdout)[0]["warnings"] == []
    assert synced.stderr == ""


def test_abandoning_a_replacement_brings_back_what_it_replaced(tmp_path: Path) -> None:
    chain, earlier = tmp_path / "chain", tmp_path / "earlier"
    with Wallet.create(tmp_path / "w.coffer", PASSWORD, ABANDON) as wallet:
        with BitcoinDevnet(regtest(), chain, storage_key=DEVNET_KEY) as devnet:
            devnet.mine(101)
            _fund(devnet, _account(wallet, devnet), 2_000_000)
        shutil.copytree(chain, earlier)
        with BitcoinDevnet(regtest(), chain, storage_key=DEVNET_KEY) as devnet:
            devnet.mine(LATER)
            account = _account(wallet, devnet)
            account.sync()
            original = _send(wallet, account, "0.005")
            account.sync()
            draft = account.bump_fee(original, fee_rate=Decimal(10))
            replacement = account.broadcast(wallet.sign(draft))
            assert devnet.mempool() == (replacement,)
        (earlier / MEMPOOL_FILE).unlink(missing_ok=True)
        with BitcoinDevnet(regtest(), earlier, storage_key=DEVNET_KEY) as devnet:
            account = _account(wallet, devnet)
            (warning,) = account.sync().warnings  # only the replacement is sent again
            assert replacement in warning
            statuses = {h.txid: h.status for h in account.history()}
            assert statuses[original] is TxStatus.REPLACED
            assert statuses[replacement] is TxStatus.PENDING
            account.abandon(replacement)
            statuses = {h.txid: h.status for h in account.history()}
            assert replacement not in statuses
            assert statuses[original] is TxStatus.PENDING  # pending again, so sent again
            (warning,) = account.sync().warnings
            assert original in warning
            assert "non-final" in warning
