"""Value types every chain family shares at the API: balances, history, drafts, fee levels.

Both families (UTXO and EVM) return these from ``Account.balance()``, ``Account.history()``,
``prepare_send`` and ``Wallet.sign``, so that the CLI and the GUI show crypto of every chain
the same way. Amounts are integer base units (satoshis, wei, token base units) with the
asset's ``decimals``; the ``*_decimal`` properties give exact ``Decimal`` coins for display.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeAlias

from chains.registry import Network, ScriptKind
from keystore.bip32 import ExtendedPublicKey
from keystore.types import TxSummary
from wallet.amounts import format_amount, to_decimal
from wallet.errors import WalletError

__all__ = [
    "AccountKind",
    "AccountRecord",
    "AddressInfo",
    "Balance",
    "CoinInfo",
    "Draft",
    "EvmLayout",
    "FeeLevel",
    "HistoryEntry",
    "SignedTransaction",
    "SyncOutcome",
    "SyncReport",
    "TxStatus",
    "WatchedAddress",
    "account_kind",
]


@dataclass(frozen=True, slots=True)
class AddressInfo:
    """One address of an account.

    Attributes:
        address: the address text.
        path: its full derivation path (``m/84'/0'/0'/0/3``), or ``None`` when unknown.
        chain: 0 for receive, 1 for change.
        index: the index on its chain.
        used: whether a synced transaction touched it.
    """

    address: str
    path: str | None
    chain: int
    index: int
    used: bool = False


class EvmLayout(enum.Enum):
    """How EVM account ``i`` is derived."""

    STANDARD = "standard"
    """``m/44'/60'/0'/0/i``: MetaMask, Rabby, Trezor and most wallets."""
    LEDGER_LIVE = "ledger-live"
    """``m/44'/60'/i'/0/0``: Ledger Live."""


class WatchedAddress(enum.Enum):
    """The kind of an EVM account that watches one address and has no key."""

    ADDRESS = "address"


class PolicyKind(enum.Enum):
    """The kind of a UTXO account whose scripts come from an output descriptor of any policy."""

    POLICY = "policy"


AccountKind: TypeAlias = ScriptKind | EvmLayout | WatchedAddress | PolicyKind
"""What an account is: a UTXO script kind, an EVM layout, a watched EVM address, or a policy."""

_KINDS: dict[str, AccountKind] = {
    k.value: k for kinds in (ScriptKind, EvmLayout, WatchedAddress, PolicyKind) for k in kinds
}


def account_kind(text: str) -> AccountKind:
    """Return the account kind written ``text`` (``p2wpkh``, ``standard``, ``address``...).

    Raises:
        ValueError: no kind is written so.
    """
    try:
        return _KINDS[text]
    except KeyError:
        raise ValueError(f"{text!r} is not a kind of account.") from None


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """An account as stored in the wallet file: only public data.

    ``descriptor`` is a policy account's output descriptor (``kind`` is ``PolicyKind.POLICY``,
    ``xpub`` and ``path`` are ``None``: its keys are in the descriptor).
    """

    id: int
    network: Network
    index: int
    kind: AccountKind
    path: tuple[int, ...] | None
    xpub: ExtendedPublicKey | None
    fingerprint: bytes | None
    evm_child: int | None
    watch_address: str | None
    watch_only: bool
    label: str
    gap_limit: int
    descriptor: str | None = None


class FeeLevel(enum.Enum):
    """Fee presets: how soon a transaction should confirm."""

    SLOW = "slow"
    NORMAL = "normal"
    FAST = "fast"

    @classmethod
    def parse(cls, value: FeeLevel | str) -> FeeLevel:
        """Return the level named ``value`` (``"slow"``, ``"normal"``, ``"fast"``).

        Raises:
            ValueError: an unknown name.
        """
        if isinstance(value, FeeLevel):
            return value
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise ValueError(f"Fee levels are slow, normal or fast; not {value!r}.") from None


@dataclass(frozen=True, slots=True)
class Balance:
    """What an account holds of one asset.

    Attributes:
        network: the registry name of the network.
        symbol: the asset's ticker (``BTC``, ``ETH``, ``USDC``...).
        decimals: the asset's decimal places.
        confirmed: base units in confirmed transactions.
        unconfirmed: the net change of pending transactions (negative while sending).
        token: the token contract for tokens, ``None`` for the native coin.
        frozen: base units in coins the user froze (UTXO coin control), included above.
        immature: base units in block rewards not yet spendable (fewer than 100
            confirmations), included above and not frozen.
        available: what the wallet spends on its own now, where the family knows better than
            the total less frozen and immature coins (UTXO: confirmed coins and own
            unconfirmed change, not others' unconfirmed payments); ``None`` otherwise.
        synced: whether the account's network was ever synced; when not, the amounts are
            unknown (shown as "not synced"), not zero.
    """

    network: str
    symbol: str
    decimals: int
    confirmed: int
    unconfirmed: int = 0
    token: str | None = None
    frozen: int = 0
    immature: int = 0
    available: int | None = None
    synced: bool = True

    @property
    def total(self) -> int:
        """Return confirmed plus pending, in base units."""
        return self.confirmed + self.unconfirmed

    @property
    def spendable(self) -> int:
        """Return what can be spent now without naming coins (see ``available``)."""
        if self.available is not None:
            return self.available
        return max(self.total - self.frozen - self.immature, 0)

    @property
    def confirmed_decimal(self) -> Decimal:
        """Return the confirmed amount as exact coins."""
        return to_decimal(self.confirmed, self.decimals)

    @property
    def unconfirmed_decimal(self) -> Decimal:
        """Return the pending net change as exact coins (negative while sending)."""
        return to_decimal(self.unconfirmed, self.decimals)

    @property
    def total_decimal(self) -> Decimal:
        """Return the total as exact coins."""
        return to_decimal(self.total, self.decimals)

    def __str__(self) -> str:
        if not self.synced:
            return f"not synced ({self.symbol})"
        text = format_amount(self.total, self.decimals, self.symbol)
        notes = []
        if self.unconfirmed:
            pending = format_amount(abs(self.unconfirmed), self.decimals, self.symbol)
            notes.append(f"{'+' if self.unconfirmed > 0 else '-'}{pending} pending")
        if self.immature:
            notes.append(f"{format_amount(self.immature, self.decimals, self.symbol)} immature")
        if self.frozen:
            notes.append(f"{format_amount(self.frozen, self.decimals, self.symbol)} frozen")
        return text + (f" ({', '.join(notes)})" if notes else "")


class TxStatus(enum.Enum):
    """Where a transaction of the history stands."""

    PENDING = "pending"
    """Broadcast or seen in a mempool, not in a block."""
    CONFIRMED = "confirmed"
    """In a block of the best chain."""
    REPLACED = "replaced"
    """Superseded by a replacement (RBF, EVM speed-up or cancel) that confirmed or is pending."""
    DROPPED = "dropped"
    """No longer known to the network (evicted, or its block was orphaned and it vanished)."""
    FAILED = "failed"
    """Mined but reverted (EVM), or refused by the network."""


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One transaction as the account's history shows it.

    Attributes:
        network: the registry name of the network.
        txid: the transaction id or hash (display form).
        status: pending, confirmed, replaced, dropped or failed.
        height: the block height, ``None`` unless confirmed.
        confirmations: blocks on top, counting its own (0 while pending).
        timestamp: the block time (or first-seen time while pending), Unix seconds, if known.
        symbol: the asset moved.
        decimals: its decimal places.
        amount: the net change of the account's balance of that asset in base units:
            positive received, negative sent (the fee included when the account paid it).
        fee: the fee in base units of the network's coin, when the account paid it and it
            is known.
        counterparties: addresses on the other side (recipients of a send, senders of a
            receipt), where known.
        token: the token contract for token transfers, ``None`` for the native coin.
        label: the user's label of the transaction.
        replaceable: whether it can still be bumped (pending and signalling, or EVM pending).
        token_id: the ERC-721/1155 item for a collectible's transfer, ``None`` otherwise.
    """

    network: str
    txid: str
    status: TxStatus
    height: int | None
    confirmations: int
    timestamp: int | None
    symbol: str
    decimals: int
    amount: int
    fee: int | None = None
    counterparties: tuple[str, ...] = ()
    token: str | None = None
    label: str = ""
    replaceable: bool = False
    token_id: int | None = None

    @property
    def amount_decimal(self) -> Decimal:
        """Return the net amount as exact coins (negative for sends)."""
        return to_decimal(self.amount, self.decimals)


@dataclass(frozen=True, slots=True)
class Draft:
    """An unsigned transaction with the human summary it was built to match.

    Each family subclasses this with its transaction format (a PSBT for UTXO networks, an
    ``EvmTxRequest`` for EVM networks); ``Wallet.sign`` hands the draft to a signer, which
    recomputes the summary itself and refuses a mismatch.

    Attributes:
        network: the registry name of the network.
        account_id: the account that prepared it.
        summary: recipients, change, fee, network: what the user is asked to approve.
    """

    network: str
    account_id: int
    summary: TxSummary


@dataclass(frozen=True, slots=True)
class CoinInfo:
    """An unspent output of a UTXO account, as coin control shows it.

    Attributes:
        outpoint: ``TXID:N``.
        value: base units.
        address: the address it pays.
        chain: 0 receive, 1 change.
        index: the address index.
        confirmations: 0 while unconfirmed.
        frozen: the user froze it: coin selection never spends it unless it is named.
        spent_pending: a pending transaction of the wallet spends it already.
        label: the user's label of the output.
        immature: a block reward with fewer than 100 confirmations (not spendable yet).
    """

    outpoint: str
    value: int
    address: str
    chain: int
    index: int
    confirmations: int
    frozen: bool = False
    spent_pending: bool = False
    label: str = ""
    immature: bool = False


@dataclass(frozen=True, slots=True)
class SignedTransaction:
    """A signed, final transaction ready to broadcast.

    Attributes:
        network: the registry name of the network.
        account_id: the account that prepared it.
        raw: the serialised transaction.
        txid: its id or hash (display form).
        draft: the draft it was signed from (the broadcast records its details).
    """

    network: str
    account_id: int
    raw: bytes
    txid: str
    draft: Draft


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What one sync of an account found.

    Attributes:
        network: the registry name of the network.
        account_id: the account synced.
        tip_height: the server's chain tip after the sync.
        new_transactions: transactions seen for the first time.
        updated_transactions: known transactions whose state changed (confirmed, reorged...).
        round_trips: requests that went over the wire (a batch counts once), if counted.
        warnings: what the sync could not do, in words (an explorer that failed...); the
            rest of the sync was stored.
    """

    network: str
    account_id: int
    tip_height: int
    new_transactions: int = 0
    updated_transactions: int = 0
    round_trips: int | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    """How the sync of one account ended, when a whole wallet is synced (``sync_each``).

    Attributes:
        network: the registry name of the network.
        account_id: the account's id in the wallet file.
        account_index: the account number the person knows (BIP-44 account).
        report: what the sync found, or ``None`` when it failed.
        error: why it failed (``BackendUnavailable``, ``NetworkMismatch``...), else ``None``.
    """

    network: str
    account_id: int
    account_index: int
    report: SyncReport | None = None
    error: WalletError | None = None

    @property
    def ok(self) -> bool:
        """Return whether the account was synced."""
        return self.error is None
