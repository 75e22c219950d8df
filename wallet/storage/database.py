"""SQLCipher database file: creation, opening, integrity checks, migrations, password change.

The file's first 16 bytes are SQLCipher's plaintext salt; Coffer chooses them so that they also
carry the KDF parameters (see ``keystore.vault``). Everything after is encrypted and
authenticated page by page (AES-256 + HMAC-SHA512), so the raw bytes hold no mnemonic, key or
address. WAL mode with ``synchronous=FULL``: a crash at any moment leaves a file that opens,
with every committed change kept.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlcipher3

from keystore.secrets import SecretBytes
from keystore.vault import (
    HEADER_SIZE,
    KdfParams,
    UnknownFileFormat,
    WalletKeys,
    derive_wallet_keys,
    new_salt,
    parse_salt,
)
from wallet.errors import WalletCorrupt, WalletError, WalletExists, WalletNotFound, WrongPassword
from wallet.storage.migrations import LATEST_VERSION, MIGRATIONS

__all__ = ["SqlValue", "WalletDatabase"]

SqlValue = str | int | bytes | None
_PAGE_SIZE = 4096


def _key_pragma(key: SecretBytes, salt: bytes) -> str:
    # Raw key plus explicit salt: SQLCipher skips its own PBKDF2 (we already ran Argon2id)
    # and writes ``salt`` as the file's first 16 bytes.
    return f"\"x'{key.reveal().hex()}{salt.hex()}'\""


def _connect(path: Path, key: SecretBytes, salt: bytes) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = {_key_pragma(key, salt)}")
    return conn


class WalletDatabase:
    """An open, unlocked wallet database.

    Use ``create`` or ``open``; then ``query``/``execute`` and ``transaction()``.
    """

    def __init__(self, path: Path, conn: sqlcipher3.Connection, keys: WalletKeys) -> None:
        """Wrap an open connection; use ``create`` or ``open`` instead."""
        self.path = path
        self._conn = conn
        self._keys = keys
        self._depth = 0
        # One connection serves every thread (GUI workers sync while the GUI thread reads):
        # a transaction holds this lock from BEGIN to COMMIT, so another thread's statements
        # wait for it instead of landing inside it, and reads never see half of one.
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"<WalletDatabase {self.path.name}>"

    @property
    def sealing_key(self) -> SecretBytes:
        """Return the key that seals secrets inside the database (second half of the KDF)."""
        return self._keys.sealing

    @classmethod
    def create(
        cls, path: str | os.PathLike[str], password: str, params: KdfParams
    ) -> WalletDatabase:
        """Create a new wallet file (mode 0600) and its schema.

        Raises:
            WalletExists: a file is already there.
        """
        target = Path(path)
        if not password:
            raise WalletError("A wallet needs a password.")
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise WalletExists(f"A wallet already exists at {target}.") from None
        os.close(fd)
        salt = new_salt(params)
        keys = derive_wallet_keys(password, salt, params)
        try:
            conn = _connect(target, keys.database, salt)
            conn.execute(f"PRAGMA cipher_page_size = {_PAGE_SIZE}")
            db = cls(target, conn, keys)
            db._configure()
            db._migrate()
            db.set_meta("kdf", params.describe())
        except BaseException:
            with contextlib.suppress(OSError):
                target.unlink()
            raise
        return db

    @classmethod
    def open(cls, path: str | os.PathLike[str], password: str) -> WalletDatabase:
        """Open and check a wallet file.

        Raises:
            WalletNotFound: no file at ``path``.
            WrongPassword: the password does not decrypt the file.
            WalletCorrupt: the file is truncated, damaged or not a Coffer wallet.
        """
        target = Path(path)
        try:
            with target.open("rb") as handle:
                header = handle.read(HEADER_SIZE)
            size = target.stat().st_size
        except FileNotFoundError:
            raise WalletNotFound(f"There is no wallet at {target}.") from None
        except IsADirectoryError:
            raise WalletCorrupt(f"{target} is a folder, not a wallet file.") from None
        try:
            params = parse_salt(header)
        except UnknownFileFormat as err:
            raise WalletCorrupt(f"{target} is not a Coffer wallet file, or it is damaged.") from err
        if size < _PAGE_SIZE or size % _PAGE_SIZE:
            raise WalletCorrupt(f"The wallet file {target} is truncated ({size} bytes).")
        keys = derive_wallet_keys(password, header, params)
        conn = _connect(target, keys.database, header)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as err:
            conn.close()
            if "not a database" in str(err):
                # SQLCipher cannot tell a wrong key from a damaged first page: both fail the
                # first page's HMAC. A damaged first page is far rarer than a typo.
                raise WrongPassword() from None
            raise WalletCorrupt(f"The wallet file {target} is damaged: {err}.") from None
        db = cls(target, conn, keys)
        try:
            db._check_integrity()
            db._configure()
            db._migrate()
        except sqlcipher3.DatabaseError as err:
            conn.close()
            raise WalletCorrupt(f"The wallet file {target} is damaged: {err}.") from None
        except BaseException:
            conn.close()
            raise
        return db

    def _check_integrity(self) -> None:
        problems = [row[0] for row in self._conn.execute("PRAGMA cipher_integrity_check")]
        if problems:
            raise WalletCorrupt(
                f"The wallet file {self.path} is damaged ({len(problems)} pages fail their "
                "authentication check)."
            )
        result = self._conn.execute("PRAGMA quick_check").fetchone()
        if result is None or result[0] != "ok":
            raise WalletCorrupt(f"The wallet file {self.path} is damaged.")

    def _configure(self) -> None:
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.execute("PRAGMA foreign_keys = ON")

    def _migrate(self) -> None:
        version = int(self._conn.execute("PRAGMA user_version").fetchone()[0])
        if version > LATEST_VERSION:
            raise WalletError(
                f"This wallet was written by a newer Coffer (schema {version}); update Coffer."
            )
        for number in range(version, LATEST_VERSION):
            with self.transaction():
                for statement in _statements(MIGRATIONS[number]):
                    self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {number + 1}")

    @property
    def schema_version(self) -> int:
        """Return the schema version of the open file."""
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one transaction: all of it is saved, or none of it.

        Nested calls join the outer transaction. Other threads wait until it ends.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def execute(self, sql: str, params: Sequence[SqlValue] = ()) -> int:
        """Run one statement that changes data; return the last row id."""
        with self._lock:
            cursor = self._conn.execute(sql, tuple(params))
            return int(cursor.lastrowid or 0)

    def query(self, sql: str, params: Sequence[SqlValue] = ()) -> list[tuple[Any, ...]]:
        """Run one query and return its rows."""
        with self._lock:
            return list(self._conn.execute(sql, tuple(params)).fetchall())

    def get_meta(self, key: str) -> str | None:
        """Return a value of the meta table."""
        rows = self.query("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the meta table."""
        self.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def change_password(
        self,
        new_password: str,
        params: KdfParams,
        reseal: Callable[[SecretBytes], Mapping[str, bytes]] | None = None,
    ) -> WalletKeys:
        """Re-encrypt the whole file under a new password, atomically.

        The data is exported to a new file keyed from the new password (and a new salt); the
        secrets that ``reseal`` seals again under the new sealing key replace the old ones
        there; the new file is synced, then renamed over the old one. A crash before the
        rename leaves the old file and password; after it, the new ones.

        Returns:
            The new keys.
        """
        if not new_password:
            raise WalletError("A wallet needs a password.")
        salt = new_salt(params)
        keys = derive_wallet_keys(new_password, salt, params)
        temp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(4)}.rekey")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        with self._lock:  # no other thread may write while the file is exported
            try:
                self._conn.execute(
                    f"ATTACH DATABASE ? AS rekeyed KEY {_key_pragma(keys.database, salt)}",
                    (str(temp),),
                )
                self._conn.execute(f"PRAGMA rekeyed.cipher_page_size = {_PAGE_SIZE}")
                self._conn.execute("SELECT sqlcipher_export('rekeyed')")
                self._conn.execute(f"PRAGMA rekeyed.user_version = {self.schema_version}")
                self._conn.execute("BEGIN IMMEDIATE")
                self._conn.execute(
                    "UPDATE rekeyed.meta SET value = ? WHERE key = 'kdf'", (params.describe(),)
                )
                resealed = reseal(keys.sealing) if reseal is not None else {}
                for name, sealed in resealed.items():
                    self._conn.execute(
                        "UPDATE rekeyed.secrets SET sealed = ? WHERE name = ?", (sealed, name)
                    )
                self._conn.execute("COMMIT")
                self._conn.execute("DETACH DATABASE rekeyed")
                with temp.open("rb+") as handle:
                    os.fsync(handle.fileno())
                self._conn.close()
                os.replace(temp, self.path)
                _fsync_dir(self.path.parent)
            except BaseException:
                with contextlib.suppress(OSError):
                    temp.unlink()
                raise
            self._conn = _connect(self.path, keys.database, salt)
            self._keys = keys
            self._configure()
        return keys

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the main file."""
        with self._lock:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Close the file (the write-ahead log is folded back in by SQLite)."""
        with self._lock:
            self._conn.close()


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
