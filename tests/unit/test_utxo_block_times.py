"""Confirmed history entries carry their block's time (schema v4), on the embedded devnet.

The devnet is a real chain in-process (libbitcoinkernel), so nothing here is mocked: the
times compared are the ``nTime`` fields of the blocks the kernel connected.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chains.addresses import parse_address
from chains.utxo.backend import BlockRef, SyncUpdate
from chains.utxo.devnet import BitcoinDevnet
from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.accounts import UtxoAccount
from wallet.types import TxStatus
from wallet.utxo.store import UtxoStore

NET = "bitcoin-regtest"


@pytest.fixture
def devnet() -> Iterator[BitcoinDevnet]:
    with BitcoinDevnet() as chain:
        chain.mine(101)
        yield chain


def header_time(devnet: BitcoinDevnet, height: int) -> int:
    return int.from_bytes(devnet.raw_block(height)[68:72], "little")


def _account(wallet: Wallet, devnet: BitcoinDevnet) -> UtxoAccount:
    wallet.backends.use(NET, devnet)
    account = wallet.account(NET)
    assert isinstance(account, UtxoAccount)
    return account


def _pay(devnet: BitcoinDevnet, account: UtxoAccount, index: int, amount: int) -> str:
    address = account.addresses(index + 1)[index].address
    return devnet.fund(parse_address(account.utxo_network, address).script_pubkey, amount)


def test_confirmed_entries_show_the_block_time_pending_ones_the_first_seen_time(
    tmp_path: Path, devnet: BitcoinDevnet
) -> None:
    with Wallet.create(tmp_path / "w.coffer", PASSWORD, ABANDON) as wallet:
        account = _account(wallet, devnet)
        confirmed = _pay(devnet, account, 0, 500_000)
        devnet.mine(1)
        height = devnet.tip().height
        pending = _pay(devnet, account, 1, 300_000)
        account.sync()
        history = {h.txid: h for h in account.history()}
        assert history[confirmed].status is TxStatus.CONFIRMED
        assert history[confirmed].timestamp == header_time(devnet, height)
        assert history[pending].status is TxStatus.PENDING
        first_seen = history[pending].timestamp
        assert first_seen is not None

        # Once mined, the pending one takes its block's time instead.
        devnet.mine(1)
        account.sync()
        history = {h.txid: h for h in account.history()}
        assert history[pending].timestamp == header_time(devnet, height + 1)
        assert history[confirmed].timestamp == header_time(devnet, height)


def test_rows_without_a_time_get_one_from_the_next_sync(
    tmp_path: Path, devnet: BitcoinDevnet
) -> None:
    # Migration v4 adds the column empty: a wallet synced before it has blocks without a time.
    # The next sync asks for exactly those, even when nothing else changed.
    path = tmp_path / "w.coffer"
    with Wallet.create(path, PASSWORD, ABANDON) as wallet:
        account = _account(wallet, devnet)
        txid = _pay(devnet, account, 0, 400_000)
        devnet.mine(1)
        height = devnet.tip().height
        account.sync()
        wallet.database.execute("UPDATE utxo_blocks SET time = NULL")
    with Wallet.open(path, PASSWORD) as wallet:
        account = _account(wallet, devnet)
        store = UtxoStore(wallet.database, account.utxo_network)
        assert store.untimed_blocks(account.id) == {height: devnet.block_hash(height)}
        assert [h.timestamp for h in account.history()] == [None]
        report = account.sync()
        assert report.new_transactions == report.updated_transactions == 0
        assert [(h.txid, h.timestamp) for h in account.history()] == [
            (txid, header_time(devnet, height))
        ]
        assert store.untimed_blocks(account.id) == {}


def test_a_reorg_replaces_the_time_with_the_new_blocks(
    tmp_path: Path, devnet: BitcoinDevnet
) -> None:
    with Wallet.create(tmp_path / "w.coffer", PASSWORD, ABANDON) as wallet:
        account = _account(wallet, devnet)
        txid = _pay(devnet, account, 0, 600_000)
        devnet.mine(1)
        account.sync()
        devnet.reorg(1)  # the transaction goes back to the mempool
        account.sync()
        (entry,) = account.history()
        assert entry.status is TxStatus.PENDING
        devnet.mine(1)
        account.sync()
        (entry,) = account.history()
        assert entry.txid == txid
        assert entry.timestamp == header_time(devnet, devnet.tip().height)


def test_the_store_keeps_a_blocks_time_and_takes_another_blocks(tmp_path: Path) -> None:
    # At one height: the same block without a time keeps the stored one; another block
    # (a reorg) takes its own time, or none.
    with Wallet.create(tmp_path / "w.coffer", PASSWORD, ABANDON) as wallet:
        account = wallet.account(NET)
        store = UtxoStore(wallet.database, account.network)  # type: ignore[arg-type]
        tip = BlockRef(5, "aa" * 32)

        def apply(block: str, times: dict[int, int]) -> int | None:
            store.apply(account.id, SyncUpdate(tip, {}, {}, {}, {5: block}, {}, times))
            rows = wallet.database.query(
                "SELECT time FROM utxo_blocks WHERE network = ? AND height = 5", (NET,)
            )
            return None if rows[0][0] is None else int(rows[0][0])

        assert apply("01" * 32, {5: 1_700_000_000}) == 1_700_000_000
        assert apply("01" * 32, {}) == 1_700_000_000
        assert apply("02" * 32, {5: 1_700_000_600}) == 1_700_000_600
        assert apply("03" * 32, {}) is None
