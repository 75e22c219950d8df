"""The wallet's description, its sealed seed and its accounts: one owner for their rows.

``AccountStore`` is the only code that reads or writes the ``accounts`` and ``secrets``
tables and the wallet's description in ``meta`` (``wallet_id``, ``kind``, ``created_at``,
``fingerprint``). Account rows come back parsed (``AccountRecord``): the network from the
registry, the path as indexes, the xpub as a key, the kind as an ``AccountKind``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chains.registry import Network, UtxoNetwork, get_network
from keystore.bip32 import ExtendedPublicKey, format_path, parse_path
from wallet.storage.database import WalletDatabase
from wallet.types import AccountKind, AccountRecord, account_kind

__all__ = ["AccountStore", "NewAccount", "WalletDescription"]

_COLUMNS = (
    "id, network, idx, kind, path, xpub, fingerprint, evm_child, watch_address, "
    "watch_only, label, gap_limit, descriptor"
)
_SELECT = f"SELECT {_COLUMNS} FROM accounts"  # noqa: S608 - constant columns
_STANDARD_XPUB = 0x0488B21E  # BIP-32 mainnet xpub: EVM account keys are stored with it


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class WalletDescription:
    """What the wallet file says about itself (no secret).

    Attributes:
        wallet_id: the wallet's random id (it binds the sealed seed to this file).
        kind: ``"hd"`` or ``"watch-only"``.
        fingerprint: the master key fingerprint (hex) of an HD wallet.
    """

    wallet_id: str
    kind: str
    fingerprint: str | None = None


@dataclass(frozen=True, slots=True)
class NewAccount:
    """An account to add: only public data.

    Attributes:
        network: its network.
        index: the account number; ``None`` for the first one of its network and kind not
            taken yet (imports and custom paths).
        kind: its script kind, EVM layout or watched address.
        path: the account key's derivation path, when known.
        xpub: the account key, when it has one.
        fingerprint: the master key fingerprint, when known.
        evm_child: the index of an EVM account's address under its key.
        watch_address: the address a watched EVM account follows.
        watch_only: whether the wallet holds no private key for it.
        label: its label.
        descriptor: a policy account's output descriptor (with checksum, both chains).
    """

    network: Network
    index: int | None
    kind: AccountKind
    path: tuple[int, ...] | None
    xpub: ExtendedPublicKey | None
    fingerprint: bytes | None
    evm_child: int | None = None
    watch_address: str | None = None
    watch_only: bool = False
    label: str = ""
    descriptor: str | None = None


class AccountStore:
    """Read and write the wallet's description, sealed seed and account rows."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._db = database

    # -- the wallet itself -----------------------------------------------------------------

    def initialise(self, description: WalletDescription, sealed_seed: bytes | None) -> None:
        """Write a new wallet's description and sealed seed, in one transaction."""
        with self._db.transaction():
            self._db.set_meta("wallet_id", description.wallet_id)
            self._db.set_meta("kind", description.kind)
            self._db.set_meta("created_at", _now())
            if description.fingerprint is not None:
                self._db.set_meta("fingerprint", description.fingerprint)
            if sealed_seed is not None:
                self._db.execute(
                    "INSERT INTO secrets(name, sealed) VALUES ('seed', ?)", (sealed_seed,)
                )

    def description(self) -> WalletDescription | None:
        """Return the wallet's description, or ``None`` when the file lacks one (damaged)."""
        wallet_id = self._db.get_meta("wallet_id")
        kind = self._db.get_meta("kind")
        if wallet_id is None or kind is None:
            return None
        return WalletDescription(wallet_id, kind, self._db.get_meta("fingerprint"))

    def sealed_seed(self) -> bytes | None:
        """Return the sealed seed, or ``None`` when the file holds none."""
        rows = self._db.query("SELECT sealed FROM secrets WHERE name = 'seed'")
        return bytes(rows[0][0]) if rows else None

    def add_secret(self, name: str, sealed: bytes) -> None:
        """Store another sealed secret (an imported key) under ``name``, which must be new."""
        self._db.execute("INSERT INTO secrets(name, sealed) VALUES (?, ?)", (name, sealed))

    def sealed_secret(self, name: str) -> bytes | None:
        """Return the sealed secret stored under ``name``, if any."""
        rows = self._db.query("SELECT sealed FROM secrets WHERE name = ?", (name,))
        return bytes(rows[0][0]) if rows else None

    def secret_names(self) -> list[str]:
        """Return the names of every sealed secret (``seed`` and the imported keys)."""
        return [str(row[0]) for row in self._db.query("SELECT name FROM secrets ORDER BY name")]

    # -- accounts --------------------------------------------------------------------------

    def get(self, account_id: int) -> AccountRecord | None:
        """Return the account stored under ``account_id``, if any."""
        rows = self._db.query(_SELECT + " WHERE id = ?", (account_id,))
        return _record(rows[0]) if rows else None

    def all(self, network: Network | None = None) -> list[AccountRecord]:
        """Return the accounts (of one network, or all) in creation order."""
        if network is None:
            rows = self._db.query(_SELECT + " ORDER BY id")
        else:
            rows = self._db.query(_SELECT + " WHERE network = ? ORDER BY id", (network.name,))
        return [_record(row) for row in rows]

    def find(self, network: Network, index: int, kind: AccountKind) -> AccountRecord | None:
        """Return the account of a network with this number and kind, if stored."""
        rows = self._db.query(
            _SELECT + " WHERE network = ? AND idx = ? AND kind = ?",
            (network.name, index, kind.value),
        )
        return _record(rows[0]) if rows else None

    def find_by_path(
        self, network: Network, kind: AccountKind, path: tuple[int, ...]
    ) -> AccountRecord | None:
        """Return the account of a network with this kind and custom path, if stored."""
        rows = self._db.query(
            _SELECT + " WHERE network = ? AND kind = ? AND path = ?",
            (network.name, kind.value, format_path(path)),
        )
        return _record(rows[0]) if rows else None

    def next_index(self, network: Network, kind: AccountKind) -> int:
        """Return the first account number of a network and kind not taken yet."""
        rows = self._db.query(
            "SELECT COALESCE(MAX(idx) + 1, 0) FROM accounts WHERE network = ? AND kind = ?",
            (network.name, kind.value),
        )
        return int(rows[0][0])

    def add(self, new: NewAccount) -> AccountRecord:
        """Store a new account and return it as stored.

        The check and the write are one ``BEGIN IMMEDIATE`` transaction, so two processes
        adding the same account at once both get the one stored: an account with a number
        (``new.index``) that another process stored meanwhile is returned as it is; without
        a number, the first free one is taken inside the transaction.
        """
        with self._db.transaction():
            if new.index is None:
                index = self.next_index(new.network, new.kind)
            else:
                index = new.index
                stored = self.find(new.network, index, new.kind)
                if stored is not None:
                    return stored
            rid = self._insert(new, index)
            record = self.get(rid)
        assert record is not None  # noqa: S101 - just inserted in this transaction
        return record

    def add_custom(self, new: NewAccount) -> AccountRecord:
        """Store an account of a custom path (``new.path``), or return the one stored with it.

        Its number is the first free one of its network and kind, taken inside the same
        ``BEGIN IMMEDIATE`` transaction as the check.
        """
        assert new.path is not None  # noqa: S101 - a custom account has its path
        with self._db.transaction():
            stored = self.find_by_path(new.network, new.kind, new.path)
            if stored is not None:
                return stored
            rid = self._insert(new, self.next_index(new.network, new.kind))
            record = self.get(rid)
        assert record is not None  # noqa: S101 - just inserted in this transaction
        return record

    def _insert(self, new: NewAccount, index: int) -> int:
        net = new.network
        version = net.standard_xkey.public if isinstance(net, UtxoNetwork) else _STANDARD_XPUB
        return self._db.execute(
            "INSERT INTO accounts(network, idx, kind, path, xpub, fingerprint, evm_child, "
            "watch_address, watch_only, label, descriptor, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                net.name,
                index,
                new.kind.value,
                format_path(new.path) if new.path is not None else None,
                new.xpub.serialize(version) if new.xpub is not None else None,
                new.fingerprint.hex() if new.fingerprint is not None else None,
                new.evm_child,
                new.watch_address,
                int(new.watch_only),
                new.label,
                new.descriptor,
                _now(),
            ),
        )


def _record(row: tuple[object, ...]) -> AccountRecord:
    (rid, network_name, idx, kind, path, xpub, fp, child, watch, watch_only, label, gap, desc) = row
    return AccountRecord(
        id=int(str(rid)),
        network=get_network(str(network_name)),
        index=int(str(idx)),
        kind=account_kind(str(kind)),
        path=parse_path(str(path)) if path else None,
        xpub=ExtendedPublicKey.parse(str(xpub))[0] if xpub else None,
        fingerprint=bytes.fromhex(str(fp)) if fp else None,
        evm_child=int(str(child)) if child is not None else None,
        watch_address=str(watch) if watch else None,
        watch_only=bool(watch_only),
        label=str(label),
        gap_limit=int(str(gap)),
        descriptor=str(desc) if desc else None,
    )
