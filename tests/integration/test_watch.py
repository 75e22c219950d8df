"""Live updates of UTXO accounts (``Wallet.watch``) on real servers, through the public API.

Three kinds of backend: ElectrumX over litecoind (pushes script and header notifications),
the embedded Bitcoin devnet (pushes from in-process), and Litecoin Core's RPC (cannot push:
the watcher polls its tip). The node pays the accounts' addresses and mines; ``wait`` must
wake with the account or the new tip. "Nothing happens" is a short ``wait`` that must come
back empty; every positive case waits up to ``LONG`` seconds (a timeout, not a threshold).

Every test uses a fresh seed, so payments of other tests never touch its scripts.
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from chains.addresses import parse_address
from chains.utxo.corerpc import CoreRpcBackend
from chains.utxo.devnet import BitcoinDevnet
from chains.utxo.electrum import ElectrumBackend
from tests.conftest import PASSWORD
from tests.nodes.utxo import ElectrumXServer, LitecoinNode, litecoin_regtest
from wallet import Wallet
from wallet.accounts import UtxoAccount
from wallet.errors import UnknownNetwork, WalletError
from wallet.watch import DEFAULT_POLL_SECONDS, Watcher, WatchEvent

pytestmark = pytest.mark.nodes

NET = "litecoin-regtest"
BTC = "bitcoin-regtest"
LONG = 30.0  # the longest a positive case may wait for its event
QUIET = 1.5  # how long "nothing happens" is watched


# -- helpers ----------------------------------------------------------------------------------


@dataclass
class Seen:
    """Events of several ``wait`` calls, merged."""

    accounts: set[int] = field(default_factory=set)
    tips: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    events: int = 0

    def add(self, event: WatchEvent) -> None:
        self.accounts |= event.accounts
        self.tips.update(event.tips)
        self.warnings += event.warnings
        self.events += 1


def collect(watcher: Watcher, done: Callable[[Seen], bool], timeout: float = LONG) -> Seen:
    """Call ``wait`` until ``done`` holds for what came so far; fail after ``timeout``."""
    seen = Seen()
    end = time.monotonic() + timeout
    while not done(seen):
        left = end - time.monotonic()
        assert left > 0, f"the watcher did not report it within {timeout} s: {seen}"
        seen.add(watcher.wait(left))
    return seen


def utxo(wallet: Wallet, network: str = NET, index: int = 0) -> UtxoAccount:
    account = wallet.account(network, index)
    assert isinstance(account, UtxoAccount)
    return account


def electrum(server: ElectrumXServer, **kwargs: Any) -> ElectrumBackend:
    kwargs.setdefault("timeout", 15)
    return ElectrumBackend(litecoin_regtest(), [server.tcp], **kwargs)


def assert_quiet(watcher: Watcher) -> None:
    """Nothing changes: a short ``wait`` comes back empty."""
    event = watcher.wait(timeout=QUIET)
    assert not event, event
    assert event == WatchEvent()


def in_thread(target: Callable[[], WatchEvent]) -> tuple[threading.Thread, list[WatchEvent]]:
    box: list[WatchEvent] = []
    thread = threading.Thread(target=lambda: box.append(target()), daemon=True)
    thread.start()
    return thread, box


@pytest.fixture
def ltc_wallet(tmp_path: Path, electrumx: ElectrumXServer) -> Iterator[Wallet]:
    """A fresh wallet whose litecoin-regtest accounts use the session's ElectrumX."""
    backend = electrum(electrumx)
    wallet = Wallet.create(tmp_path / "watch.coffer", PASSWORD)
    wallet.backends.use(NET, backend)
    try:
        yield wallet
    finally:
        wallet.close()
        backend.close()


@pytest.fixture
def btc_wallet(tmp_path: Path) -> Iterator[tuple[Wallet, BitcoinDevnet]]:
    """A fresh wallet on bitcoin-regtest's default server: the embedded devnet, funded."""
    with Wallet.create(tmp_path / "devnet.coffer", PASSWORD) as wallet:
        account = utxo(wallet, BTC)
        devnet = wallet.backends.utxo(account.utxo_network)
        assert isinstance(devnet, BitcoinDevnet)  # the registry's default, as the wallet uses it
        devnet.mine(101)  # a faucet coin matures
        yield wallet, devnet


def btc_script(account: UtxoAccount, address: str) -> bytes:
    return parse_address(account.utxo_network, address).script_pubkey


# -- ElectrumX ------------------------------------------------------------------------------------


def test_electrum_payment_then_block_wake_the_watcher(
    ltc_wallet: Wallet, litecoind: LitecoinNode, electrumx: ElectrumXServer
) -> None:
    paid, other = utxo(ltc_wallet, index=0), utxo(ltc_wallet, index=1)
    paid.sync()
    other.sync()
    with ltc_wallet.watch(NET) as watcher:
        assert ltc_wallet.watcher is watcher
        assert watcher.networks == {NET}
        assert watcher.polling == frozenset()
        assert watcher.poll_interval == DEFAULT_POLL_SECONDS
        assert_quiet(watcher)  # synced just now: nothing to report

        txid = litecoind.fund(paid.receive_address(), 120_000)
        event = watcher.wait(timeout=LONG)
        assert event
        assert event.accounts == {paid.id}  # the other account was not paid
        assert event.tips == {}
        electrumx.wait_for_tx(txid)
        report = paid.sync()
        assert report.new_transactions == 1
        assert paid.balance().unconfirmed == 120_000

        litecoind.mine(1)
        height = litecoind.height()
        # The header and the payment's confirmation come in one or two notifications.
        seen = collect(watcher, lambda s: NET in s.tips and paid.id in s.accounts)
        assert seen.tips == {NET: height}
        assert seen.accounts == {paid.id}
        assert seen.warnings == []
        assert_quiet(watcher)  # drained: nothing more comes
        assert paid.sync().tip_height == height
        assert paid.balance().confirmed == 120_000
    assert watcher.closed
    assert ltc_wallet.watcher is None


def test_electrum_what_changed_before_the_watch_is_reported_at_once(
    ltc_wallet: Wallet, litecoind: LitecoinNode, electrumx: ElectrumXServer
) -> None:
    account, untouched = utxo(ltc_wallet, index=0), utxo(ltc_wallet, index=1)
    account.sync()
    untouched.sync()
    # After the last sync and before the watch: a payment, and a block on top of it.
    txid = litecoind.fund(account.receive_address(), 50_000)
    litecoind.mine(1)
    electrumx.wait_for_tx(txid)
    with ltc_wallet.watch(NET) as watcher:
        first = watcher.wait(timeout=LONG)
        assert first.accounts == {account.id}
        assert first.tips == {NET: litecoind.height()}
        assert first.warnings == ()
        assert_quiet(watcher)  # reported once, not again
        account.sync()
        untouched.sync()
        assert_quiet(watcher)  # syncing changes nothing on the servers
    assert account.balance().confirmed == 50_000


def test_electrum_scripts_a_sync_discovers_are_watched(
    tmp_path: Path, ltc_wallet: Wallet, litecoind: LitecoinNode, electrumx: ElectrumXServer
) -> None:
    account = utxo(ltc_wallet)
    account.sync()
    gap = account.gap_limit
    # The same seed in another file: addresses past the watched wallet's window, underived.
    mnemonic = ltc_wallet.reveal_mnemonic(PASSWORD)
    with Wallet.restore(tmp_path / "ref.coffer", PASSWORD, mnemonic) as ref:
        ahead = [a.address for a in utxo(ref).addresses(2 * gap)]
    late = ahead[gap + 5]
    assert account.find_address(ahead[gap - 1]) is not None
    assert account.find_address(late) is None  # not derived yet, so not watched

    with ltc_wallet.watch(NET) as watcher:
        # A payment to the last address of the window: discovery will reach past ``late``.
        txid = litecoind.fund(ahead[gap - 1], 30_000)
        assert watcher.wait(timeout=LONG).accounts == {account.id}
        electrumx.wait_for_tx(txid)

        # A worker blocks in ``wait`` while this thread syncs (discovering ``late``) and
        # then the node pays ``late``: the sync subscribed it, so the blocked ``wait`` wakes.
        started = threading.Event()

        def worker() -> WatchEvent:
            started.set()
            return watcher.wait(timeout=LONG)

        thread, box = in_thread(worker)
        started.wait(LONG)
        report = account.sync()
        assert report.new_transactions == 1
        assert account.find_address(late) is not None  # discovered, and watched from now on
        litecoind.fund(late, 31_000)
        thread.join(LONG + 5)
        assert not thread.is_alive()
        assert box[0].accounts == {account.id}
        assert_quiet(watcher)


def test_a_swapped_backend_is_followed(
    ltc_wallet: Wallet, litecoind: LitecoinNode, electrumx_factory: Any
) -> None:
    account = utxo(ltc_wallet)
    account.sync()
    other_server: ElectrumXServer = electrumx_factory()
    other_server.wait_synced()
    other = electrum(other_server)
    try:
        with ltc_wallet.watch(NET) as watcher:
            assert_quiet(watcher)
            ltc_wallet.backends.use(NET, other)  # the old backend is its owner's to close
            first = litecoind.fund(account.receive_address(), 52_000)
            other_server.wait_for_tx(first)
            # The next wait follows the new backend: the payment made meanwhile is reported.
            seen = collect(watcher, lambda s: account.id in s.accounts)
            assert seen.warnings == []
            account.sync()
            assert_quiet(watcher)
            second = litecoind.fund(account.receive_address(), 53_000)
            other_server.wait_for_tx(second)
            assert collect(watcher, lambda s: account.id in s.accounts).accounts == {account.id}
            account.sync()
            assert account.balance().unconfirmed == 105_000
    finally:
        other.close()


def test_electrum_server_that_goes_away_and_comes_back(
    tmp_path: Path, litecoind: LitecoinNode, electrumx_factory: Any
) -> None:
    server: ElectrumXServer = electrumx_factory()
    backend = electrum(server, timeout=5, backoff=0.05)
    try:
        with Wallet.create(tmp_path / "away.coffer", PASSWORD) as wallet:
            wallet.backends.use(NET, backend)
            account = utxo(wallet)
            account.sync()
            with wallet.watch(NET) as watcher:
                # Away and back with nothing new to subscribe: the backend reconnects on
                # its own, and the payment made meanwhile is reported.
                server.stop()
                first = litecoind.fund(account.receive_address(), 40_000)
                assert watcher.wait(timeout=QUIET).accounts == frozenset()  # no crash
                server.start()
                server.wait_for_tx(first)
                seen = collect(watcher, lambda s: account.id in s.accounts)
                assert seen.tips == {}
                assert_quiet(watcher)

                # Away while new scripts come (addresses handed out): subscribing them
                # fails, in words naming the server; it is tried again by the next ``wait``,
                # so a payment to one of them made meanwhile is reported once it is back.
                server.stop()
                fresh = account.addresses(account.gap_limit + 5)[-2].address
                second = litecoind.fund(fresh, 41_000)
                event = watcher.wait(timeout=LONG)
                assert event.accounts == frozenset()
                assert event.warnings
                assert all(server.tcp.name in w for w in event.warnings), event.warnings
                server.start()
                server.wait_for_tx(second)
                seen = collect(watcher, lambda s: account.id in s.accounts)
                assert seen.tips == {}
                # Reported once: the reconnect's resubscription has no status to compare
                # the new scripts with, and leaves that to the watcher's retry.
                assert_quiet(watcher)

                litecoind.mine(1)
                seen = collect(watcher, lambda s: account.id in s.accounts and NET in s.tips)
                assert seen.tips == {NET: litecoind.height()}
                server.wait_synced()
                account.sync()
                assert account.balance().confirmed == 81_000
    finally:
        backend.close()


# -- the embedded devnet ------------------------------------------------------------------------


def test_devnet_payment_then_block_wake_the_watcher(
    btc_wallet: tuple[Wallet, BitcoinDevnet],
) -> None:
    wallet, devnet = btc_wallet
    account, other = utxo(wallet, BTC, 0), utxo(wallet, BTC, 1)
    account.sync()
    other.sync()
    with wallet.watch(BTC) as watcher:
        assert watcher.networks == {BTC}
        assert watcher.polling == frozenset()
        assert_quiet(watcher)
        devnet.fund(btc_script(account, account.receive_address()), 70_000)
        event = watcher.wait(timeout=LONG)
        assert event.accounts == {account.id}
        assert event.tips == {}
        account.sync()
        devnet.mine(1)
        seen = collect(watcher, lambda s: BTC in s.tips and account.id in s.accounts)
        assert seen.tips == {BTC: devnet.tip().height}
        assert seen.accounts == {account.id}
        assert_quiet(watcher)
        account.sync()
        assert account.balance().confirmed == 70_000


def test_devnet_what_changed_before_the_watch_is_reported_at_once(
    btc_wallet: tuple[Wallet, BitcoinDevnet],
) -> None:
    wallet, devnet = btc_wallet
    account = utxo(wallet, BTC)
    account.sync()
    devnet.fund(btc_script(account, account.receive_address()), 80_000)
    devnet.mine(1)
    with wallet.watch(BTC) as watcher:
        first = watcher.wait(timeout=LONG)
        assert first.accounts == {account.id}
        assert first.tips == {BTC: devnet.tip().height}
        assert_quiet(watcher)


def test_watching_every_network_follows_each_backend(
    tmp_path: Path, electrumx: ElectrumXServer, litecoind: LitecoinNode
) -> None:
    backend = electrum(electrumx)
    try:
        with Wallet.create(tmp_path / "all.coffer", PASSWORD) as wallet:
            wallet.backends.use(NET, backend)
            ltc, btc = utxo(wallet, NET), utxo(wallet, BTC)
            wallet.account("ethereum")  # not a UTXO account: not watched, no error
            devnet = wallet.backends.utxo(btc.utxo_network)
            assert isinstance(devnet, BitcoinDevnet)
            devnet.mine(101)
            ltc.sync()
            btc.sync()
            with wallet.watch() as watcher:
                assert watcher.networks == {NET, BTC}
                assert_quiet(watcher)
                devnet.fund(btc_script(btc, btc.receive_address()), 60_000)
                assert watcher.wait(timeout=LONG).accounts == {btc.id}
                litecoind.fund(ltc.receive_address(), 61_000)
                assert watcher.wait(timeout=LONG).accounts == {ltc.id}
    finally:
        backend.close()


# -- Core RPC: polled ------------------------------------------------------------------------


def test_core_rpc_tip_is_polled(tmp_path: Path, litecoind: LitecoinNode) -> None:
    backend = CoreRpcBackend(
        litecoin_regtest(), litecoind.url, user="u", password="p", wallet=f"w-{uuid.uuid4().hex}"
    )
    try:
        with Wallet.create(tmp_path / "core.coffer", PASSWORD) as wallet:
            wallet.backends.use(NET, backend)
            account = utxo(wallet)
            account.sync()
            with wallet.watch(NET, poll_interval=0.2) as watcher:
                assert watcher.polling == {NET}
                assert watcher.networks == {NET}
                assert watcher.poll_interval == 0.2
                assert_quiet(watcher)
                # A payment alone is not seen: Core RPC only has its tip polled.
                litecoind.fund(account.receive_address(), 25_000)
                assert_quiet(watcher)
                litecoind.mine(1)
                event = watcher.wait(timeout=LONG)
                assert event.tips == {NET: litecoind.height()}
                assert event.accounts == frozenset()
                assert_quiet(watcher)  # the same tip is not reported twice
            # A block mined while nobody watched: the next watch reports it at once.
            litecoind.mine(1)
            with wallet.watch(NET, poll_interval=60) as watcher:
                assert watcher.wait(timeout=LONG).tips == {NET: litecoind.height()}
            assert account.sync().new_transactions == 1
    finally:
        backend.close()


# -- lifecycle, threads, refusals ---------------------------------------------------------------


def test_close_wakes_a_blocked_wait(btc_wallet: tuple[Wallet, BitcoinDevnet]) -> None:
    wallet, _devnet = btc_wallet
    utxo(wallet, BTC).sync()
    watcher = wallet.watch(BTC)
    started = threading.Event()

    def worker() -> WatchEvent:
        started.set()
        return watcher.wait()  # no timeout: only ``close`` ends it

    thread, box = in_thread(worker)
    started.wait(LONG)
    watcher.close()
    thread.join(LONG)
    assert not thread.is_alive()
    assert box == [WatchEvent()]
    assert watcher.closed
    assert "closed" in repr(watcher)
    watcher.close()  # idempotent
    # A closed watcher's ``wait`` returns at once, even without a timeout.
    thread, box = in_thread(watcher.wait)
    thread.join(LONG)
    assert not thread.is_alive()
    assert box == [WatchEvent()]


def test_one_watcher_at_a_time(btc_wallet: tuple[Wallet, BitcoinDevnet]) -> None:
    wallet, devnet = btc_wallet
    account = utxo(wallet, BTC)
    account.sync()
    first = wallet.watch(BTC)
    with pytest.raises(WalletError, match="watched already"):
        wallet.watch(BTC)
    with pytest.raises(WalletError, match="watched already"):
        wallet.watch()
    assert wallet.watcher is first
    assert not first.closed  # the refused second watch left the first alone
    first.close()
    assert wallet.watcher is None
    second = wallet.watch(BTC)
    assert wallet.watcher is second
    devnet.fund(btc_script(account, account.receive_address()), 10_000)
    assert second.wait(timeout=LONG).accounts == {account.id}
    assert first.wait(timeout=0) == WatchEvent()  # the closed one sees nothing
    wallet.close()  # closing the wallet closes its watcher
    assert second.closed
    assert second.wait() == WatchEvent()


@pytest.mark.parametrize(
    "interval", [0, -1, 0.0, math.nan, math.inf], ids=["0", "-1", "0.0", "nan", "inf"]
)
def test_a_poll_interval_must_be_a_positive_number(
    btc_wallet: tuple[Wallet, BitcoinDevnet], interval: float
) -> None:
    wallet, _devnet = btc_wallet
    with pytest.raises(WalletError, match="poll interval"):
        wallet.watch(BTC, poll_interval=interval)
    assert wallet.watcher is None
    with wallet.watch(BTC, poll_interval=0.5) as watcher:
        assert watcher.poll_interval == 0.5
        with pytest.raises(WalletError, match="timeout"):
            watcher.wait(timeout=math.nan)


def test_threads_watching_at_once_get_one_watcher(
    btc_wallet: tuple[Wallet, BitcoinDevnet],
) -> None:
    wallet, _devnet = btc_wallet
    utxo(wallet, BTC).sync()
    barrier = threading.Barrier(4)
    got: list[Watcher | WalletError] = []

    def start() -> None:
        barrier.wait()
        try:
            got.append(wallet.watch(BTC))
        except WalletError as err:
            got.append(err)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(LONG)
    watchers = [g for g in got if isinstance(g, Watcher)]
    assert len(got) == 4
    assert len(watchers) == 1
    assert wallet.watcher is watchers[0]
    watchers[0].close()


def test_only_utxo_networks_are_watched(btc_wallet: tuple[Wallet, BitcoinDevnet]) -> None:
    wallet, _devnet = btc_wallet
    with pytest.raises(WalletError, match="UTXO") as refused:
        wallet.watch("ethereum")
    assert "Ethereum" in str(refused.value)
    assert wallet.watcher is None
    with pytest.raises(UnknownNetwork):
        wallet.watch("no-such-network")
    assert wallet.watcher is None
    with wallet.watch(BTC) as watcher:  # the refusals left nothing open
        assert wallet.watcher is watcher
