"""What every account has: its network, where its keys come from, its addresses and labels."""

from __future__ import annotations

import threading
from typing import Protocol

from chains.registry import Network
from keystore.bip32 import format_path
from keystore.signers.base import PromptHandler, Signer
from wallet.backends import BackendPool
from wallet.cancel import CancelToken
from wallet.labels import LabelStore
from wallet.storage import WalletDatabase
from wallet.types import (
    AccountRecord,
    AddressInfo,
    Balance,
    Draft,
    EvmLayout,
    HistoryEntry,
    SignedTransaction,
    SyncReport,
)
from wallet.watch import Watcher

__all__ = ["Account", "AccountRecord", "AddressInfo", "EvmLayout", "WalletParts"]


class WalletParts(Protocol):
    """What an account uses of the open wallet it belongs to; ``Wallet`` is one.

    An account is handed this, not the ``Wallet`` class, so that the accounts never import
    the wallet that imports them: the parts go down, nothing reaches back up.
    """

    @property
    def database(self) -> WalletDatabase:
        """The open wallet file."""
        ...

    @property
    def labels(self) -> LabelStore:
        """The wallet's labels."""
        ...

    @property
    def backends(self) -> BackendPool:
        """The wallet's servers and live connections."""
        ...

    @property
    def watcher(self) -> Watcher | None:
        """The wallet's open watcher, if any."""
        ...


class Account:
    """An account of a wallet; ``wallet.account(...)`` returns the right subclass."""

    def __init__(self, wallet: WalletParts, record: AccountRecord) -> None:
        """Bind a stored account to its open wallet."""
        self._wallet = wallet
        self._record = record
        # Two threads syncing the same account (a GUI's watcher and its Sync button) take
        # turns: each sync reads what is stored, asks the servers, then writes.
        self._sync_lock = threading.Lock()

    def __repr__(self) -> str:
        kind = " watch-only" if self.watch_only else ""
        return f"<{type(self).__name__} {self.network.name} #{self.index} {self.kind}{kind}>"

    @property
    def wallet(self) -> WalletParts:
        """Return the open wallet the account belongs to."""
        return self._wallet

    @property
    def id(self) -> int:
        """Return the account's row id in the wallet file."""
        return self._record.id

    @property
    def network(self) -> Network:
        """Return the account's network."""
        return self._record.network

    @property
    def index(self) -> int:
        """Return the account index (BIP-44 account, or EVM account number)."""
        return self._record.index

    @property
    def kind(self) -> str:
        """Return the script kind (``p2wpkh``...) or EVM layout (``standard``...) as text.

        ``record.kind`` is the typed value (``AccountKind``).
        """
        return str(self._record.kind.value)

    @property
    def label(self) -> str:
        """Return the account's label."""
        return self._record.label

    @property
    def watch_only(self) -> bool:
        """Return whether this wallet holds no private key for the account."""
        return self._record.watch_only

    @property
    def fingerprint(self) -> str | None:
        """Return the master key fingerprint as hex, if known."""
        fp = self._record.fingerprint
        return fp.hex() if fp is not None else None

    @property
    def path(self) -> str | None:
        """Return the derivation path of the account key (``m/84'/0'/0'``), if known."""
        return format_path(self._record.path) if self._record.path is not None else None

    @property
    def record(self) -> AccountRecord:
        """Return the stored public data of the account."""
        return self._record

    def receive_address(self) -> str:
        """Return the address to give out for receiving."""
        raise NotImplementedError

    def addresses(self, count: int = 20, start: int = 0, change: bool = False) -> list[AddressInfo]:
        """Return ``count`` addresses from ``start`` on the receive (or change) chain."""
        raise NotImplementedError

    # -- chain activity: each family implements these -------------------------------------

    def sync(self, cancel: CancelToken | None = None) -> SyncReport:
        """Fetch balances and history from the network's backend and store them.

        Args:
            cancel: checked between the steps of the sync (each stored whole); when it is
                cancelled the sync stops there and what was stored stays.

        Raises:
            Cancelled: ``cancel`` was cancelled.
            BackendUnavailable: the servers cannot be reached or answer garbage.
            NetworkMismatch: a server serves another network.
        """
        raise NotImplementedError

    def balance(self) -> Balance:
        """Return the balance of the network's coin, as of the last sync."""
        raise NotImplementedError

    def history(self) -> list[HistoryEntry]:
        """Return the account's transactions as of the last sync, newest first."""
        raise NotImplementedError

    def sign(
        self, draft: Draft, signer: Signer, prompt: PromptHandler | None = None
    ) -> SignedTransaction:
        """Have ``signer`` sign a draft this account prepared (``Wallet.sign`` calls this).

        Raises:
            SigningRefused: the signer found the draft does not match what it can verify.
            SigningCancelled: the person declined.
        """
        raise NotImplementedError

    def broadcast(self, signed: SignedTransaction) -> str:
        """Send a signed transaction to the network, record it as pending; return its id.

        Raises:
            BackendUnavailable: the servers cannot be reached.
            WalletError: the network refused the transaction (the error says why).
        """
        raise NotImplementedError
