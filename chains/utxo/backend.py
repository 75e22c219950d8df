"""The UTXO backend protocol: what every Bitcoin-family server kind offers the wallet.

A backend is transport for one server kind (Electrum protocol, Bitcoin Core RPC, the embedded
regtest devnet). It knows nothing about accounts: the wallet sends the scripts it wants
watched in a ``SyncRequest`` and applies the ``SyncUpdate`` that comes back. Every backend
checks the network of its server on connect (genesis hash) and turns timeouts, socket errors
and garbage into ``chains.errors.BackendUnavailable`` / ``BackendProtocolError``.

Statuses follow the Electrum protocol's definition (protocol-basics, "Status"): the SHA-256,
as hex, of the concatenation of ``"txid:height:"`` over the script's history, confirmed
transactions by height and position in the block, then mempool ones with height ``0`` (all
inputs confirmed) before ``-1`` (an unconfirmed input), each group by txid; ``None`` for a
script without history. ``electrum_status`` computes it, so every backend reports the same
digest for the same chain state.

Changes since the first version of this module (all additive, defaults keep old callers
working):

* ``TransactionRejected``: the typed refusal of ``broadcast`` (the node's reason code).
* ``AcceptResult`` and ``UtxoBackend.test_accept`` (Core's ``testmempoolaccept``; backends
  without it raise ``chains.errors.Unsupported``).
* Live updates: ``ScriptsChanged`` / ``NewTip`` events (``BackendEvent``),
  ``UtxoBackend.watch`` and ``UtxoBackend.events`` (a thread-safe queue); backends that
  cannot push raise ``Unsupported`` from ``watch``.
* ``UtxoBackend.round_trips``: requests sent over the wire so far (a batch counts once).
* ``electrum_status`` and ``scripthash`` helpers.
* ``SyncRequest.known_tip`` now has a defined meaning: when it is no longer on the server's
  chain (a reorg), the backend ignores ``known_statuses`` and returns every script.
* ``SyncRequest.more_scripts`` (``MoreScripts``): gap-limit discovery inside one sync. After
  each round of statuses the backend asks the wallet for the further scripts discovery needs;
  histories, transactions and proofs then come once, for all of them, in the same update.
* ``SyncRequest.known_proofs``: confirmed transactions the wallet has already proven, with
  their blocks; a backend that proves inclusion (Electrum) does not prove them again while
  the block at that height is still the one the wallet knows.
* ``SyncUpdate.block_hashes`` holds the heights whose blocks the backend looked at (a
  backend that skips known proofs may leave out heights it did not look at).
* ``SyncUpdate.fees`` may leave out transactions whose parents are in ``known_txids``: the
  wallet has those parents and works such fees out itself.
* ``SyncUpdate.block_times``: the header timestamp of the blocks in ``block_hashes``, and
  ``SyncRequest.untimed_blocks``: blocks the wallet holds without one (a wallet file written
  before block times were kept), whose times come back while the block is still there.
* ``UtxoBackend.watch`` takes ``known_statuses``: scripts whose status on the server is not
  the known one are reported at once, so nothing that changed before the watch is missed.
"""

from __future__ import annotations

import hashlib
import queue
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NewType, Protocol, runtime_checkable

from chains.errors import ChainError
from chains.registry import UtxoNetwork

__all__ = [
    "AcceptResult",
    "BackendEvent",
    "BlockRef",
    "FeeRate",
    "HistoryItem",
    "MoreScripts",
    "NewTip",
    "ScriptKey",
    "ScriptsChanged",
    "SyncRequest",
    "SyncUpdate",
    "TransactionRejected",
    "Txid",
    "UtxoBackend",
    "electrum_status",
    "scripthash",
]

Txid = NewType("Txid", str)
"""A transaction id as 64 lowercase hex digits in display (reversed) byte order."""

ScriptKey = tuple[int, ...]
"""Where a watched script comes from, opaque to backends (they only hand it back).

The wallet uses ``(account id, chain, index)``, chain 0 receive and 1 change, so that one
request can cover every account of a network.
"""


@dataclass(frozen=True, slots=True)
class BlockRef:
    """A block by height and hash (display byte order, lowercase hex)."""

    height: int
    hash: str


@dataclass(frozen=True, slots=True, order=True)
class FeeRate:
    """A fee rate in satoshis per 1,000 virtual bytes, exact as an integer."""

    sat_per_kvb: int

    @classmethod
    def from_sat_vb(cls, sat_vb: Decimal | int) -> FeeRate:
        """Build a fee rate from satoshis per vbyte (``Decimal`` or ``int``, never float)."""
        if isinstance(sat_vb, float):
            raise TypeError("fee rates are Decimal or int, never float")
        return cls(int(Decimal(sat_vb) * 1000))

    @property
    def sat_vb(self) -> Decimal:
        """Return the rate in satoshis per vbyte."""
        return Decimal(self.sat_per_kvb) / 1000

    def fee_for(self, vsize: int) -> int:
        """Return the fee in satoshis for ``vsize`` vbytes, rounded up."""
        return -(-self.sat_per_kvb * vsize // 1000)


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """One transaction touching a script: ``height`` is ``None`` while unconfirmed."""

    txid: Txid
    height: int | None


class TransactionRejected(ChainError):
    """The node refused a transaction (policy or consensus); ``reason`` is its code.

    Attributes:
        reason: the node's reject reason code, for example ``txn-mempool-conflict``,
            ``insufficient fee``, ``dust``, ``bad-txns-inputs-missingorspent``,
            ``min relay fee not met``.
        detail: the node's whole message (it may add numbers to the code).
        txid: the refused transaction's id, when it could be parsed.
        server: the server that relayed the refusal.
    """

    def __init__(self, reason: str, detail: str, txid: str | None, server: str) -> None:
        """Record the node's reason code and message."""
        super().__init__(f"The node {server} refused the transaction: {detail}")
        self.reason = reason
        self.detail = detail
        self.txid = txid
        self.server = server


@dataclass(frozen=True, slots=True)
class AcceptResult:
    """What the node's mempool would say to a transaction (``testmempoolaccept``).

    Attributes:
        txid: the transaction's id.
        allowed: whether the mempool would accept it now.
        reason: the reject reason code when refused (same codes as ``TransactionRejected``).
        vsize: its virtual size, when the node reports it.
        fee: its fee in base units, when the node reports it (accepted transactions).
    """

    txid: Txid
    allowed: bool
    reason: str | None = None
    vsize: int | None = None
    fee: int | None = None


@dataclass(frozen=True, slots=True)
class ScriptsChanged:
    """Live update: the status of these watched scripts changed; sync them."""

    keys: frozenset[ScriptKey]


@dataclass(frozen=True, slots=True)
class NewTip:
    """Live update: the server has a new chain tip."""

    tip: BlockRef


BackendEvent = ScriptsChanged | NewTip
"""What a backend puts in its ``events`` queue."""


def scripthash(script: bytes) -> str:
    """Return the Electrum script hash of an output script: SHA-256, reversed, as hex.

    Electrum protocol, protocol-basics, "Script Hashes".
    """
    return hashlib.sha256(script).digest()[::-1].hex()


def electrum_status(history: Iterable[tuple[str, int]]) -> str | None:
    """Return the Electrum status of a history given as ``(txid, height)`` in status order.

    ``height`` is the block height, ``0`` for a mempool transaction whose inputs are all
    confirmed and ``-1`` for one with an unconfirmed input. Electrum protocol,
    protocol-basics, "Status" (items already ordered as it says).
    """
    text = "".join(f"{txid}:{height:d}:" for txid, height in history)
    return hashlib.sha256(text.encode()).hexdigest() if text else None


MoreScripts = Callable[[Mapping[ScriptKey, str | None]], Mapping[ScriptKey, bytes]]
"""Gap-limit discovery inside a sync: given the statuses of the scripts of one round (their
Electrum status, ``None`` for a script without history), return the further scripts to watch,
or nothing to end discovery. The scripts returned must be new to the request."""


@dataclass(frozen=True, slots=True)
class SyncRequest:
    """What the wallet asks a backend to look at.

    Attributes:
        network: the network the wallet expects; a backend of another network refuses.
        scripts: the output scripts to watch, by where they come from.
        known_tip: the tip the wallet synced to last time, if any. When it is no longer on
            the server's chain (a reorg), ``known_statuses`` is ignored and every script is
            returned, with its transactions' blocks proven again.
        known_statuses: per script, the status digest from the last update (Electrum status
            hash or equivalent), so that unchanged scripts are not fetched again.
        known_txids: transactions the wallet already stores; they are not downloaded again.
        more_scripts: when given, the backend calls it after each round of statuses, first
            with the statuses of ``scripts``, then with those of the scripts it returned last,
            until it returns nothing; the update covers ``scripts`` and every script it
            returned. This lets a wallet follow the gap limit in one sync: only statuses are
            asked for per round, and histories, transactions and proofs once for all.
        known_proofs: confirmed transactions the wallet has proven before, with the block
            (height and hash) it holds for that height. A backend that proves inclusion
            skips the merkle proof of such a transaction while the server reports it at that
            height and the server's block there has that hash.
        untimed_blocks: blocks (height to hash) the wallet holds without their timestamp.
            For each whose hash is still the server's block at that height, the update
            carries the time in ``block_times`` (and the hash in ``block_hashes``); one that
            is gone is left out (the reorg shows through ``known_tip``).
    """

    network: UtxoNetwork
    scripts: Mapping[ScriptKey, bytes]
    known_tip: BlockRef | None = None
    known_statuses: Mapping[ScriptKey, str | None] = field(default_factory=dict)
    known_txids: frozenset[Txid] = frozenset()
    more_scripts: MoreScripts | None = None
    known_proofs: Mapping[Txid, BlockRef] = field(default_factory=dict)
    untimed_blocks: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SyncUpdate:
    """What a backend found; the wallet applies it itself.

    With ``SyncRequest.more_scripts``, "the requested scripts" are ``scripts`` and every
    script discovery added.

    Attributes:
        tip: the server's chain tip.
        statuses: per script whose status changed, its new status digest (``None``: unused).
            A script the request gave no known status for counts as changed.
        histories: per script whose status changed, its full history.
        transactions: raw transactions not in ``known_txids``, each checked against its txid
            and, when confirmed, against the block's merkle root.
        block_hashes: for heights that hold a transaction of the returned histories, the
            block hash (lets the wallet detect reorgs); heights of transactions whose known
            proof was reused may be left out.
        fees: the fee in satoshis of each transaction in ``transactions`` whose inputs the
            backend resolved; transactions whose parents are in ``known_txids`` may be left
            out (the wallet has the parents).
        block_times: for heights in ``block_hashes``, the block header's timestamp (Unix
            seconds, the header's ``nTime``: bytes 68 to 72 of the 80-byte header).
    """

    tip: BlockRef
    statuses: Mapping[ScriptKey, str | None]
    histories: Mapping[ScriptKey, tuple[HistoryItem, ...]]
    transactions: Mapping[Txid, bytes]
    block_hashes: Mapping[int, str] = field(default_factory=dict)
    fees: Mapping[Txid, int] = field(default_factory=dict)
    block_times: Mapping[int, int] = field(default_factory=dict)


@runtime_checkable
class UtxoBackend(Protocol):
    """Transport to one Bitcoin-family server kind."""

    @property
    def network(self) -> UtxoNetwork:
        """Return the network this backend serves (checked against the server)."""
        ...

    @property
    def server_name(self) -> str:
        """Return a human name of the server, for error messages."""
        ...

    def tip(self) -> BlockRef:
        """Return the server's chain tip."""
        ...

    def sync(self, request: SyncRequest) -> SyncUpdate:
        """Return what changed for the requested scripts since the request's known state."""
        ...

    def get_transactions(self, txids: tuple[Txid, ...]) -> Mapping[Txid, bytes]:
        """Return raw transactions by txid, each checked against its id."""
        ...

    def broadcast(self, raw_tx: bytes) -> Txid:
        """Send a signed transaction to the network; return its txid.

        Raises ``TransactionRejected`` (with the node's reason code) when it is refused.
        """
        ...

    def fee_rate(self, target_blocks: int) -> FeeRate | None:
        """Return the fee rate to confirm within ``target_blocks``; ``None`` if unknown."""
        ...

    def test_accept(self, raw_tx: bytes) -> AcceptResult:
        """Ask whether the mempool would accept a transaction, without sending it.

        Raises ``chains.errors.Unsupported`` where the server kind cannot tell.
        """
        ...

    def watch(
        self,
        scripts: Mapping[ScriptKey, bytes],
        known_statuses: Mapping[ScriptKey, str | None] | None = None,
    ) -> None:
        """Watch scripts for live updates: events go to ``events``.

        With ``known_statuses`` (the status the caller last stored per script; a script left
        out, or ``None``, counts as unused), the scripts whose status on the server is
        another one are reported at once in one ``ScriptsChanged``: what changed before the
        watch began is not missed.

        Raises ``chains.errors.Unsupported`` where the server kind cannot push updates.
        """
        ...

    @property
    def events(self) -> queue.Queue[BackendEvent]:
        """Return the thread-safe queue of live updates (``ScriptsChanged``, ``NewTip``)."""
        ...

    @property
    def round_trips(self) -> int:
        """Return how many round trips went over the wire so far (a batch counts once)."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...
