"""Values of the wallet-wide history: a row, its key, a filter, a sort column, a change set."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from wallet.amounts import to_decimal
from wallet.types import TxStatus

_EVM_COIN_DECIMALS = 18  # every EVM chain's native coin

__all__ = ["HistoryChanges", "HistoryFilter", "HistoryKey", "HistoryRow", "SortColumn"]


class SortColumn(enum.Enum):
    """The columns the history can be sorted by (in SQL, whatever its size)."""

    TIME = "time"
    AMOUNT = "amount"
    STATUS = "status"
    NETWORK = "network"
    ASSET = "asset"
    LABEL = "label"
    TXID = "txid"


@dataclass(frozen=True, slots=True, order=True)
class HistoryKey:
    """What names one row: the account, the transaction and the asset it moved."""

    account_id: int
    txid: str
    asset: str


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One row of the wallet's history, as any front shows it.

    Attributes:
        key: the account, transaction and asset of the row.
        network: the registry name of the network.
        status: pending, confirmed, replaced, dropped or failed.
        height: the block height when confirmed.
        confirmations: blocks on top, counting its own (0 unless confirmed).
        timestamp: the block time, or first-seen time while pending (Unix seconds).
        symbol: the asset's symbol.
        decimals: the asset's decimal places.
        amount: the account's net change in base units (negative for sends).
        fee: the fee the account paid, in base units of the network's coin.
        counterparties: addresses on the other side, where known.
        token: the token contract, ``None`` for the native coin.
        token_id: the collectible's id, ``None`` otherwise.
        replaceable: whether it can still be bumped or cancelled.
        label: the user's label of the transaction (BIP-329, the label store's).
    """

    key: HistoryKey
    network: str
    status: TxStatus
    height: int | None
    confirmations: int
    timestamp: int | None
    symbol: str
    decimals: int
    amount: int
    fee: int | None
    counterparties: tuple[str, ...]
    token: str | None
    token_id: int | None
    replaceable: bool
    label: str

    @property
    def txid(self) -> str:
        """Return the transaction id."""
        return self.key.txid

    @property
    def amount_decimal(self) -> Decimal:
        """Return the net amount as exact coins."""
        return to_decimal(self.amount, self.decimals)

    @property
    def fee_decimal(self) -> Decimal | None:
        """Return the fee in the network's coin (a token row's fee is in the EVM coin)."""
        if self.fee is None:
            return None
        return to_decimal(self.fee, self.decimals if self.token is None else _EVM_COIN_DECIMALS)


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """Which rows to show; ``None`` means no restriction on that field.

    Attributes:
        account_ids: only these accounts.
        networks: only these networks (registry names).
        statuses: only these statuses.
        direction: ``"sent"`` (negative amounts), ``"received"`` (positive), or ``None``.
        since: from this time on (Unix seconds, inclusive).
        until: before this time (Unix seconds, exclusive).
        text: a search in the txid, label, counterparties and symbol (case-insensitive).
    """

    account_ids: tuple[int, ...] | None = None
    networks: tuple[str, ...] | None = None
    statuses: tuple[TxStatus, ...] | None = None
    direction: Literal["sent", "received"] | None = None
    since: int | None = None
    until: int | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class HistoryChanges:
    """What a refresh changed: the keys of added, changed and removed rows."""

    added: tuple[HistoryKey, ...] = ()
    changed: tuple[HistoryKey, ...] = ()
    removed: tuple[HistoryKey, ...] = ()

    def __bool__(self) -> bool:
        """Return whether anything changed."""
        return bool(self.added or self.changed or self.removed)

    def merged(self, other: HistoryChanges) -> HistoryChanges:
        """Return both change sets as one."""
        return HistoryChanges(
            self.added + other.added, self.changed + other.changed, self.removed + other.removed
        )
