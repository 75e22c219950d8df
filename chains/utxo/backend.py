"""The UTXO backend protocol: what every Bitcoin-family server kind offers the wallet.

A backend is transport for one server kind (Electrum protocol, Bitcoin Core RPC, the embedded
regtest devnet). It knows nothing about accounts: the wallet sends the scripts it wants
watched in a ``SyncRequest`` and applies the ``SyncUpdate`` that comes back. Every backend
checks the network of its server on connect (genesis hash) and turns timeouts, socket errors
and garbage into ``chains.errors.BackendUnavailable`` / ``BackendProtocolError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NewType, Protocol, runtime_checkable

from chains.registry import UtxoNetwork

__all__ = [
    "BlockRef",
    "FeeRate",
    "HistoryItem",
    "ScriptKey",
    "SyncRequest",
    "SyncUpdate",
    "Txid",
    "UtxoBackend",
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


@dataclass(frozen=True, slots=True)
class SyncRequest:
    """What the wallet asks a backend to look at.

    Attributes:
        network: the network the wallet expects; a backend of another network refuses.
        scripts: the output scripts to watch, by where they come from.
        known_tip: the tip the wallet synced to last time, if any.
        known_statuses: per script, the status digest from the last update (Electrum status
            hash or equivalent), so that unchanged scripts are not fetched again.
        known_txids: transactions the wallet already stores; they are not downloaded again.
    """

    network: UtxoNetwork
    scripts: Mapping[ScriptKey, bytes]
    known_tip: BlockRef | None = None
    known_statuses: Mapping[ScriptKey, str | None] = field(default_factory=dict)
    known_txids: frozenset[Txid] = frozenset()


@dataclass(frozen=True, slots=True)
class SyncUpdate:
    """What a backend found; the wallet applies it itself.

    Attributes:
        tip: the server's chain tip.
        statuses: per script whose status changed, its new status digest (``None``: unused).
        histories: per script whose status changed, its full history.
        transactions: raw transactions not in ``known_txids``, each checked against its txid
            and, when confirmed, against the block's merkle root.
        block_hashes: for each height that holds a wallet transaction, the block hash (lets
            the wallet detect reorgs).
        fees: the fee in satoshis of each transaction whose inputs the backend resolved.
    """

    tip: BlockRef
    statuses: Mapping[ScriptKey, str | None]
    histories: Mapping[ScriptKey, tuple[HistoryItem, ...]]
    transactions: Mapping[Txid, bytes]
    block_hashes: Mapping[int, str] = field(default_factory=dict)
    fees: Mapping[Txid, int] = field(default_factory=dict)


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
        """Send a signed transaction to the network; return its txid."""
        ...

    def fee_rate(self, target_blocks: int) -> FeeRate | None:
        """Return the fee rate to confirm within ``target_blocks``; ``None`` if unknown."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...
