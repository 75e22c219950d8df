"""The conformance suite of ``chains.utxo.backend.UtxoBackend``, written once for every backend.

Subclass ``UtxoBackendConformance`` in a ``test_*.py`` file and provide three fixtures:

``backend``
    A connected backend for ``chain.network``; the suite closes nothing (the fixture does).
``chain``
    A control object for the chain behind the backend, satisfying ``ChainControl`` below.
``connect``
    ``connect(network) -> UtxoBackend``: a new backend to the same server, but configured
    for ``network``. Called with ``other_network`` (another genesis), it must raise
    ``WrongServerNetwork``.

and, where the default does not fit, ``other_network`` (a registered network whose genesis
differs from the chain's; ``bitcoin-regtest`` by default, so a Bitcoin devnet overrides it,
e.g. with ``litecoin-regtest``).

A backend that lacks a feature overrides the test of that feature with one asserting
``chains.errors.Unsupported`` (see ``test_test_accept`` and ``test_watch``, which Electrum
and Core RPC each replace).

The ``ChainControl`` protocol (keep it small: the devnet implements it too) is below. Every
method waits until the backend's server has seen its effect (an indexer such as ElectrumX
polls the node), so tests never sleep.
"""

from __future__ import annotations

import os
import queue
from collections.abc import Callable
from typing import Protocol, TypeVar

import pytest

from chains.errors import Unsupported, WrongServerNetwork
from chains.registry import UtxoNetwork, get_network
from chains.utxo.backend import (
    BackendEvent,
    BlockRef,
    HistoryItem,
    NewTip,
    ScriptsChanged,
    SyncRequest,
    SyncUpdate,
    TransactionRejected,
    Txid,
    UtxoBackend,
    electrum_status,
)
from primitives.tx import OutPoint, Transaction, TxIn

E = TypeVar("E", ScriptsChanged, NewTip)


class ChainControl(Protocol):
    """What the suite needs from the chain behind a backend."""

    @property
    def network(self) -> UtxoNetwork:
        """The chain's network."""
        ...

    def tip(self) -> BlockRef:
        """Return the chain's tip as the node sees it."""
        ...

    def mine(self, n: int = 1, script: bytes | None = None) -> list[str]:
        """Mine ``n`` blocks (coinbase to ``script`` or the chain's own); return their hashes."""
        ...

    def fund(self, script: bytes, amount_sats: int) -> Txid:
        """Pay ``amount_sats`` to ``script`` from the chain's funds; unconfirmed; return txid."""
        ...

    def signed_payment(self, script: bytes, amount_sats: int) -> bytes:
        """Return a valid signed transaction paying ``script``, not broadcast (no RBF)."""
        ...

    def double_spend(self, raw_tx: bytes, script: bytes) -> bytes:
        """Return a valid signed transaction spending ``raw_tx``'s inputs, paying ``script``."""
        ...

    def wait_for_tx(self, txid: str) -> None:
        """Wait until the backend's server sees ``txid`` as the node does now."""
        ...

    def reorg(self, depth: int) -> list[str]:
        """Replace the last ``depth`` blocks by ``depth + 1`` empty ones; return new hashes.

        Transactions of the replaced blocks go back to the mempool, unconfirmed.
        """
        ...

    def block_time(self, height: int) -> int:
        """Return the timestamp (``nTime``) of the header at ``height`` of the best chain."""
        ...


def random_script() -> bytes:
    """Return a fresh P2WPKH output script nobody has used (a random 20-byte program)."""
    return bytes([0, 20]) + os.urandom(20)


class UtxoBackendConformance:
    """Behaviour every ``UtxoBackend`` must show against a real chain."""

    @pytest.fixture
    def other_network(self) -> UtxoNetwork:
        net = get_network("bitcoin-regtest")
        assert isinstance(net, UtxoNetwork)
        return net

    # -- identity -----------------------------------------------------------------------

    def test_satisfies_the_protocol(self, backend: UtxoBackend, chain: ChainControl) -> None:
        assert isinstance(backend, UtxoBackend)
        assert backend.network == chain.network
        assert backend.server_name

    def test_tip_is_the_chains(self, backend: UtxoBackend, chain: ChainControl) -> None:
        assert backend.tip() == chain.tip()

    def test_server_of_another_network_is_refused(
        self,
        connect: Callable[[UtxoNetwork], UtxoBackend],
        chain: ChainControl,
        other_network: UtxoNetwork,
    ) -> None:
        with pytest.raises(WrongServerNetwork) as info:
            connect(other_network)
        assert info.value.expected == other_network.genesis_hash
        assert info.value.actual == chain.network.genesis_hash
        assert info.value.server

    # -- sync -----------------------------------------------------------------------------

    def test_unused_scripts_have_no_status_and_no_history(
        self, backend: UtxoBackend, chain: ChainControl
    ) -> None:
        scripts = {(9, 0, i): random_script() for i in range(3)}
        update = backend.sync(SyncRequest(chain.network, scripts))
        assert update.statuses == dict.fromkeys(scripts)
        assert update.histories == {k: () for k in scripts}
        assert update.transactions == {}
        assert update.tip == chain.tip()

    def test_sync_confirmed_and_unconfirmed(
        self, backend: UtxoBackend, chain: ChainControl
    ) -> None:
        a, b, unused = random_script(), random_script(), random_script()
        funded_a = chain.fund(a, 120_000)
        (block,) = chain.mine(1)
        height = chain.tip().height
        funded_b = chain.fund(b, 30_000)
        scripts = {(1, 0, 0): a, (1, 0, 1): b, (1, 0, 2): unused}
        update = backend.sync(SyncRequest(chain.network, scripts))

        assert update.histories[(1, 0, 0)] == (HistoryItem(funded_a, height),)
        assert update.histories[(1, 0, 1)] == (HistoryItem(funded_b, None),)
        assert update.histories[(1, 0, 2)] == ()
        assert update.statuses[(1, 0, 0)] == electrum_status([(funded_a, height)])
        assert update.statuses[(1, 0, 1)] == electrum_status([(funded_b, 0)])
        assert update.statuses[(1, 0, 2)] is None
        assert update.block_hashes == {height: block}
        assert update.block_times == {height: chain.block_time(height)}
        assert set(update.transactions) == {funded_a, funded_b}
        for txid, raw in update.transactions.items():
            tx = Transaction.parse(raw)
            assert tx.txid == txid
        paid = {
            funded_a: (a, 120_000),
            funded_b: (b, 30_000),
        }
        for txid, (script, amount) in paid.items():
            tx = Transaction.parse(update.transactions[txid])
            assert any(o.script_pubkey == script and o.value == amount for o in tx.outputs)
        self._assert_fees(backend, update)

    @staticmethod
    def _assert_fees(backend: UtxoBackend, update: SyncUpdate) -> None:
        """Each fee equals inputs minus outputs, recomputed from parents fetched here."""
        assert set(update.fees) == set(update.transactions)
        for txid, fee in update.fees.items():
            tx = Transaction.parse(update.transactions[txid])
            parents = backend.get_transactions(tuple({i.prevout.txid_hex for i in tx.inputs}))
            spent = sum(
                Transaction.parse(parents[Txid(i.prevout.txid_hex)]).outputs[i.prevout.vout].value
                for i in tx.inputs
            )
            assert fee == spent - sum(o.value for o in tx.outputs)
            assert fee > 0

    def test_second_sync_with_known_state_returns_nothing_and_is_cheap(
        self, backend: UtxoBackend, chain: ChainControl
    ) -> None:
        scripts = {(2, 0, i): random_script() for i in range(4)}
        chain.fund(scripts[(2, 0, 0)], 50_000)
        chain.mine(1)
        chain.fund(scripts[(2, 0, 1)], 40_000)
        first = backend.sync(SyncRequest(chain.network, scripts))
        before = backend.round_trips
        second = backend.sync(
            SyncRequest(
                chain.network,
                scripts,
                known_tip=first.tip,
                known_statuses=first.statuses,
                known_txids=frozenset(first.transactions),
            )
        )
        assert second.statuses == {}
        assert second.histories == {}
        assert second.transactions == {}
        assert second.fees == {}
        assert second.tip == first.tip
        assert backend.round_trips - before <= 2

    def test_incremental_sync_returns_only_what_changed(
        self, backend: UtxoBackend, chain: ChainControl
    ) -> None:
        scripts = {(3, 0, i): random_script() for i in range(3)}
        old = chain.fund(scripts[(3, 0, 0)], 70_000)
        first = backend.sync(SyncRequest(chain.network, scripts))
        (block,) = chain.mine(1)
        new = chain.fund(scripts[(3, 0, 1)], 20_000)
        second = backend.sync(
            SyncRequest(
                chain.network,
                scripts,
                known_tip=first.tip,
                known_statuses=first.statuses,
                known_txids=frozenset(first.transactions),
            )
        )
        height = chain.tip().height
        # The first script's transaction confirmed (its status changed), the second is new.
        assert set(second.statuses) == {(3, 0, 0), (3, 0, 1)}
        assert second.histories[(3, 0, 0)] == (HistoryItem(old, height),)
        assert second.histories[(3, 0, 1)] == (HistoryItem(new, None),)
        assert set(second.transactions) == {new}  # the known one is not downloaded again
        assert second.block_hashes == {height: block}
        assert second.block_times == {height: chain.block_time(height)}

    def test_untimed_blocks_get_their_times_while_they_are_on_the_chain(
        self, backend: UtxoBackend, chain: ChainControl
    ) -> None:
        # A wallet file older than block times holds blocks without one: a sync that finds
        # nothing else new still brings their times, and leaves out a block that is gone.
        script = random_script()
        chain.fund(script, 45_000)
        (block,) = chain.mine(1)
        height = chain.tip().height
        scripts = {(7, 0, 0): script}
        first = backend.sync(SyncRequest(chain.network, scripts))
        gone = "00" * 31 + "01"
        second = backend.sync(
            SyncRequest(
                chain.network,
                scripts,
                known_tip=first.tip,
                known_statuses=first.statuses,
                known_txids=frozenset(first.transactions),
                untimed_blocks={height: block, height - 1: gone},
            )
        )
        assert second.histories == {}
        assert second.block_hashes == {height: block}
        assert second.block_times == {height: chain.block_time(height)}

    def test_get_transactions_by_txid(self, backend: UtxoBackend, chain: ChainControl) -> None:
        txids = (chain.fund(random_script(), 10_000), chain.fund(random_script(), 11_000))
        found = backend.get_transactions(txids)
        assert set(found) == set(txids)
        for txid in txids:
            assert Transaction.parse(found[txid]).txid == txid
        assert backend.get_transactions(()) == {}

    # -- broadcast ------------------------------------------------------------------------

    def test_broadcast_is_accepted_and_seen(
        self, backend: UtxoBackend, chain: ChainControl
    ) -> None:
        script = random_script()
        raw = chain.signed_payment(script, 25_000)
        txid = backend.broadcast(raw)
        assert txid == Transaction.parse(raw).txid
        chain.wait_for_tx(txid)
        update = backend.sync(SyncRequest(chain.network, {(4, 0, 0): script}))
        assert update.histories[(4, 0, 0)] == (HistoryItem(txid, None),)
        assert update.transactions[txid] == raw

    def test_broadcast_of_a_double_spend_is_refused_with_its_reason(
        self, backend: UtxoBackend, chain: ChainControl
    ) -> None:
        first = chain.signed_payment(random_script(), 25_000)
        backend.broadcast(first)
        conflict = chain.double_spend(first, random_script())
        with pytest.raises(TransactionRejected) as info:
            backend.broadcast(conflict)
        assert info.value.reason == "txn-mempool-conflict"
        assert info.value.txid == Transaction.parse(conflict).txid
        assert info.value.server

    def test_broadcast_spending_missing_inputs_is_refused(
        self, backend: UtxoBackend, chain: ChainControl
    ) -> None:
        tx = Transaction.parse(chain.signed_payment(random_script(), 25_000))
        nowhere = TxIn(OutPoint(os.urandom(32), 0), tx.inputs[0].script_sig, witness=(b"\x01",))
        orphan = tx.replace(inputs=[nowhere])
        with pytest.raises(TransactionRejected) as info:
            backend.broadcast(orphan.serialize())
        assert info.value.reason == "bad-txns-inputs-missingorspent"

    def test_broadcast_of_garbage_is_refused(self, backend: UtxoBackend) -> None:
        with pytest.raises(TransactionRejected) as info:
            backend.broadcast(b"\x02\x00\x00\x00garbage")
        assert info.value.reason == "TX decode failed"

    def test_rebroadcast_of_a_known_transaction_returns_its_txid(
        self, backend: UtxoBackend, chain: ChainControl
    ) -> None:
        raw = chain.signed_payment(random_script(), 21_000)
        txid = backend.broadcast(raw)
        assert backend.broadcast(raw) == txid

    # -- fees, mempool test, live updates -----------------------------------------------------

    def test_fee_rate_is_none_or_at_least_the_relay_minimum(
        self, backend: UtxoBackend, chain: ChainControl
    ) -> None:
        # A fresh regtest node has no estimates (None, and the wallet falls back); once it has
        # seen transactions confirm it starts estimating. Either way never below relay fee.
        for target in (1, 2, 6, 25):
            rate = backend.fee_rate(target)
            assert rate is None or rate.sat_per_kvb >= chain.network.min_relay_sat_vb * 1000

    def test_test_accept(self, backend: UtxoBackend, chain: ChainControl) -> None:
        raw = chain.signed_payment(random_script(), 33_000)
        result = backend.test_accept(raw)
        assert result.txid == Transaction.parse(raw).txid
        assert result.allowed
        assert result.reason is None
        backend.broadcast(raw)
        again = backend.test_accept(chain.double_spend(raw, random_script()))
        assert not again.allowed
        assert again.reason == "txn-mempool-conflict"

    def test_watch(self, backend: UtxoBackend, chain: ChainControl) -> None:
        script = random_script()
        backend.watch({(5, 0, 0): script})
        chain.fund(script, 15_000)
        assert _next_event(backend.events, ScriptsChanged).keys == frozenset({(5, 0, 0)})
        chain.mine(1)
        assert _next_event(backend.events, NewTip).tip == chain.tip()

    # -- reorgs ---------------------------------------------------------------------------

    def test_reorg_is_reflected_in_heights_and_block_hashes(
        self, backend: UtxoBackend, chain: ChainControl
    ) -> None:
        script = random_script()
        txid = chain.fund(script, 60_000)
        (block,) = chain.mine(1)
        height = chain.tip().height
        scripts = {(6, 0, 0): script}
        before = backend.sync(SyncRequest(chain.network, scripts))
        assert before.histories[(6, 0, 0)] == (HistoryItem(txid, height),)
        assert before.block_hashes == {height: block}

        new_blocks = chain.reorg(1)
        assert new_blocks[0] != block
        after = backend.sync(
            SyncRequest(
                chain.network,
                scripts,
                known_tip=before.tip,
                known_statuses=before.statuses,
                known_txids=frozenset(before.transactions),
            )
        )
        assert after.tip == chain.tip()
        assert after.tip.height == height + 1
        # The empty replacement blocks left the transaction unconfirmed again.
        assert after.histories[(6, 0, 0)] == (HistoryItem(txid, None),)
        assert after.statuses[(6, 0, 0)] == electrum_status([(txid, 0)])
        assert after.block_hashes == {}
        assert after.block_times == {}

        (again,) = chain.mine(1)
        final = backend.sync(
            SyncRequest(
                chain.network,
                scripts,
                known_tip=after.tip,
                known_statuses=after.statuses,
                known_txids=frozenset({txid}),
            )
        )
        new_height = chain.tip().height
        assert final.histories[(6, 0, 0)] == (HistoryItem(txid, new_height),)
        assert final.block_hashes == {new_height: again}
        assert final.block_times == {new_height: chain.block_time(new_height)}


def _next_event(events: queue.Queue[BackendEvent], kind: type[E], timeout: float = 30.0) -> E:
    """Return the next event of ``kind`` (others are skipped), or fail after ``timeout``."""
    while True:
        try:
            event = events.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"no {kind.__name__} event arrived")
        if isinstance(event, kind):
            return event


def assert_unsupported(call: Callable[[], object]) -> None:
    """Assert that ``call`` raises ``Unsupported``."""
    with pytest.raises(Unsupported):
        call()
