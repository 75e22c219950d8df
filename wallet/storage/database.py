"""SQLCipher database file: creation, opening, integrity checks, migrations, password change.

The file's first 16 bytes are SQLCipher's plaintext salt; Coffer chooses them so that they also
carry the KDF parameters (see ``keystore.vault``). Everything after is encrypted and
authenticated page by page (AES-256 + HMAC-SHA512), so the raw bytes hold no mnemonic, key or
address. WAL mode with ``synchronous=FULL``: a crash at any moment leaves a file that opens,
with every committed change kept.

The module is a little over 500 lines on purpose: opening (with a password or with keys an
unlock agent kept), the lock held while open, and the password change are one life cycle of
one connection; the path checks and on-disk formats live beside it (``fileguard``, ``ondisk``).
"""

from __future__ import annotations

import contextlib
import hmac
import os
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

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
from wallet.errors import (
    WalletCorrupt,
    WalletError,
    WalletExists,
    WalletInUse,
    WalletReadOnly,
    WrongPassword,
)
from wallet.storage.fileguard import (
    LOCK_WAIT_SECONDS,
    LockedFile,
    path_error,
    permission_warnings,
    prepare_new_path,
    refuse_foreign_logs,
    refuse_unwritable,
    rekey_temp_name,
    remove_rekey_leftovers,
    resolve_wallet_path,
)
from wallet.storage.migrations import LATEST_VERSION, MIGRATIONS
from wallet.storage.ondisk import first_page_matches, lost_wal_commits

__all__ = ["SqlValue", "WalletDatabase"]

SqlValue = str | int | bytes | None
_PAGE_SIZE = 4096
_LOST_WAL = (
    "Changes saved just before the wallet was last closed were lost: its change log (-wal) "
    "was damaged."
)


def _key_pragma(key: SecretBytes, salt: bytes) -> str:
    # Raw key plus explicit salt: SQLCipher skips its own PBKDF2 (we already ran Argon2id)
    # and writes ``salt`` as the file's first 16 bytes.
    return f"\"x'{key.reveal().hex()}{salt.hex()}'\""


def _connect(
    path: Path, key: SecretBytes, salt: bytes, read_only: bool = False
) -> sqlcipher3.Connection:
    # Read-only: where the folder cannot be written, SQLite could not make the WAL index it
    # reads through; ``immutable`` reads the main file alone, which is whole because every
    # commit folds the log into it (``_fold_log``).
    target = f"file:{quote(str(path))}?mode=ro&immutable=1" if read_only else str(path)
    conn = sqlcipher3.connect(
        target,
        isolation_level=None,
        check_same_thread=False,
        timeout=LOCK_WAIT_SECONDS,
        uri=read_only,
    )
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = {_key_pragma(key, salt)}")
    return conn


def _sqlite_says_damaged(err: sqlcipher3.DatabaseError) -> bool:
    text = str(err).lower()
    return type(err) is sqlcipher3.DatabaseError or "malformed" in text or "corrupt" in text


def _sqlite_says_busy(err: sqlcipher3.DatabaseError) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text


class WalletDatabase:
    """An open, unlocked wallet database.

    Use ``create`` or ``open``; then ``query``/``execute`` and ``transaction()``. While it is
    open, the file carries Coffer's open lock (see ``wallet.storage.fileguard``).
    """

    def __init__(
        self,
        path: Path,
        conn: sqlcipher3.Connection,
        keys: WalletKeys,
        locked: LockedFile,
        salt: bytes,
    ) -> None:
        """Wrap an open connection; use ``create`` or ``open`` instead."""
        self.path = path
        self._conn = conn
        self._keys = keys
        self._locked = locked
        self._salt = salt
        self._depth = 0
        self._warnings: tuple[str, ...] = ()
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

    @property
    def keys(self) -> WalletKeys:
        """Return both keys the file is open with, for handing to an unlock agent."""
        return self._keys

    @property
    def warnings(self) -> tuple[str, ...]:
        """Return sentences about risks found on opening (permissions, a damaged change log)."""
        return self._warnings

    @classmethod
    def create(
        cls, path: str | os.PathLike[str], password: str, params: KdfParams
    ) -> WalletDatabase:
        """Create a new wallet file (mode 0600) and its schema.

        Raises:
            WalletExists: a file is already there.
            InvalidWalletPath: the path cannot hold a wallet file.
        """
        target = Path(path)
        if not password:
            raise WalletError("A wallet needs a password.")
        prepare_new_path(target)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise WalletExists(f"A wallet already exists at {target}.") from None
        except OSError as err:
            raise path_error(target, err) from err
        os.close(fd)
        salt = new_salt(params)
        keys = derive_wallet_keys(password, salt, params)
        try:
            locked = LockedFile.open(Path(os.path.realpath(target)))
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        try:
            conn = _connect(target, keys.database, salt)
            conn.execute(f"PRAGMA cipher_page_size = {_PAGE_SIZE}")
            db = cls(target, conn, keys, locked, salt)
            db._configure()
            db._migrate()
            db.set_meta("kdf", params.describe())
            locked.share()
        except BaseException:
            with contextlib.suppress(OSError):
                target.unlink()
            locked.close()
            raise
        return db

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], password: str, *, read_only: bool = False
    ) -> WalletDatabase:
        """Open and check a wallet file; a wrong password leaves every byte as it was.

        With ``read_only`` nothing is ever written (no migration, no log folding): for a
        wallet in a folder that cannot be written; a write then raises ``WalletReadOnly``.

        Raises:
            WalletNotFound: no file at ``path``.
            WrongPassword: the password does not decrypt the file.
            WalletCorrupt: the file is truncated, damaged or not a Coffer wallet.
            WalletInUse: another program is changing the wallet's password right now.
            InvalidWalletPath: the path is a pipe, a device, a link loop or otherwise unusable.
            UnsafeWalletFile: the wallet's ``-wal`` or ``-shm`` belongs to another user.
            WalletReadOnly: not ``read_only``, and the folder or file cannot be written; or
                ``read_only`` and the file's schema is older (it needs writing first).
        """
        return cls._open_with(
            path,
            lambda salt, params: derive_wallet_keys(password, salt, params),
            read_only=read_only,
        )

    @classmethod
    def open_with_keys(cls, path: str | os.PathLike[str], keys: WalletKeys) -> WalletDatabase:
        """Open a wallet file with keys an unlock agent kept, skipping the KDF.

        The file is checked as ``open`` checks it; keys of another file, or of the file before
        its password changed, fail its first page's HMAC and write nothing.

        Raises:
            WrongPassword: the keys do not decrypt the file.
            WalletNotFound, WalletCorrupt, WalletInUse, InvalidWalletPath, UnsafeWalletFile,
                WalletReadOnly: as for ``open``.
        """
        return cls._open_with(path, lambda _salt, _params: keys)

    @classmethod
    def _open_with(
        cls,
        path: str | os.PathLike[str],
        keys_for: Callable[[bytes, KdfParams], WalletKeys],
        *,
        read_only: bool = False,
    ) -> WalletDatabase:
        target = Path(path)
        real = resolve_wallet_path(target)
        if not read_only:
            refuse_unwritable(target, real)
        locked = LockedFile.open(real, read_only=read_only)
        try:
            if read_only:
                return cls._open_read_only(target, locked, keys_for)
            return cls._open_locked(target, locked, keys_for)
        except BaseException:
            locked.close()
            raise

    @classmethod
    def _unlock_first_page(
        cls,
        target: Path,
        locked: LockedFile,
        keys_for: Callable[[bytes, KdfParams], WalletKeys],
    ) -> tuple[bytes, WalletKeys]:
        first_page = locked.read(0, _PAGE_SIZE)
        try:
            params = parse_salt(first_page[:HEADER_SIZE])
        except UnknownFileFormat as err:
            raise WalletCorrupt(f"{target} is not a Coffer wallet file, or it is damaged.") from err
        size = locked.size()
        if size < _PAGE_SIZE or size % _PAGE_SIZE:
            raise WalletCorrupt(f"The wallet file {target} is truncated ({size} bytes).")
        salt = first_page[:HEADER_SIZE]
        keys = keys_for(salt, params)
        if not first_page_matches(first_page, keys.database, _PAGE_SIZE):
            # A wrong key and a damaged first page both fail the page's HMAC; a damaged first
            # page is far rarer than a typo. Nothing was opened, so nothing was written.
            raise WrongPassword()
        return salt, keys

    @classmethod
    def _open_read_only(
        cls,
        target: Path,
        locked: LockedFile,
        keys_for: Callable[[bytes, KdfParams], WalletKeys],
    ) -> WalletDatabase:
        salt, keys = cls._unlock_first_page(target, locked, keys_for)
        conn = _connect(locked.real, keys.database, salt, read_only=True)
        db = cls(target, conn, keys, locked, salt)
        try:
            with db._sqlite_errors():
                db._check_integrity()
                conn.execute("PRAGMA query_only = ON")
                if db.schema_version != LATEST_VERSION:
                    raise WalletReadOnly(
                        f"The wallet file {target} needs an upgrade, which needs write access."
                    )
        except BaseException:
            conn.close()
            raise
        db._warnings = (
            f"The wallet is open read-only: the folder {locked.real.parent} cannot be written.",
        )
        return db

    @classmethod
    def _open_locked(
        cls,
        target: Path,
        locked: LockedFile,
        keys_for: Callable[[bytes, KdfParams], WalletKeys],
    ) -> WalletDatabase:
        real = locked.real
        salt, keys = cls._unlock_first_page(target, locked, keys_for)
        refuse_foreign_logs(real)
        last_commit: int | None = 0
        if locked.exclusive:  # nobody else has it open: what lies beside it is a crash's
            remove_rekey_leftovers(real)
            last_commit = lost_wal_commits(real, _PAGE_SIZE)
        conn = _connect(real, keys.database, salt)
        db = cls(target, conn, keys, locked, salt)
        try:
            with db._sqlite_errors():
                db._check_integrity()
                db._configure()
                if locked.exclusive:
                    # PASSIVE reports how many frames SQLite took from the log (TRUNCATE
                    # reports 0 once it emptied it; -1 means no log at all).
                    kept = max(0, int(conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]))
                    db._fold_log()
                    if last_commit is None or last_commit > kept:
                        db._warnings += (_LOST_WAL,)
                db._migrate()
        except BaseException:
            conn.close()
            raise
        db._warnings += permission_warnings(target, real)
        locked.share()
        return db

    @contextlib.contextmanager
    def _sqlite_errors(self) -> Iterator[None]:
        """Turn SQLite's own words about a busy or damaged file into one of ours."""
        try:
            yield
        except sqlcipher3.DatabaseError as err:
            if _sqlite_says_busy(err):
                raise WalletInUse("The wallet file is in use by another program.") from err
            if "readonly" in str(err).lower():
                raise WalletReadOnly(
                    "The wallet is open read-only (its folder cannot be written): "
                    "this command needs write access."
                ) from err
            if _sqlite_says_damaged(err):
                raise WalletCorrupt(f"The wallet file {self.path} is damaged.") from err
            raise

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

    def _fold_log(self) -> None:
        # Fold the log into the main file after every commit and empty it, so that it is
        # short-lived: a committed change never lives only in a -wal that a crash, a damaged
        # byte or another user deleting it could make SQLite drop silently. The commit is
        # already durable: when another program is reading right now, the fold does not wait
        # for it (no busy timeout) and the next commit folds both.
        self._conn.execute("PRAGMA busy_timeout = 0")
        try:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlcipher3.OperationalError as err:
            if not _sqlite_says_busy(err):
                raise
        finally:
            self._conn.execute(f"PRAGMA busy_timeout = {int(LOCK_WAIT_SECONDS * 1000)}")

    @property
    def schema_version(self) -> int:
        """Return the schema version of the open file."""
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Run the block in one transaction: all of it is saved, or none of it.

        Nested calls join the outer transaction. Other threads wait until it ends.

        Raises:
            WalletInUse: another program held the file for more than five seconds.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            with self._sqlite_errors():
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                with self._sqlite_errors():
                    self._conn.execute("COMMIT")
                    self._fold_log()
            finally:
                self._depth = 0

    def execute(self, sql: str, params: Sequence[SqlValue] = ()) -> int:
        """Run one statement that changes data; return the last row id.

        Raises:
            WalletInUse: another program held the file for more than five seconds.
        """
        with self._lock, self._sqlite_errors():
            before = self._conn.total_changes
            cursor = self._conn.execute(sql, tuple(params))
            if not self._depth and self._conn.total_changes != before:
                self._fold_log()
            return int(cursor.lastrowid or 0)

    def query(self, sql: str, params: Sequence[SqlValue] = ()) -> list[tuple[Any, ...]]:
        """Run one query and return its rows.

        Raises:
            WalletInUse: another program held the file for more than five seconds.
        """
        with self._lock, self._sqlite_errors():
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

    def check_password(self, password: str) -> None:
        """Check a password against the open file, touching no file.

        Raises:
            WrongPassword: ``password`` is not the wallet's password.
        """
        keys = derive_wallet_keys(password, self._salt, parse_salt(self._salt))
        if not hmac.compare_digest(keys.database.reveal(), self._keys.database.reveal()):
            raise WrongPassword()

    def change_password(
        self,
        new_password: str,
        params: KdfParams,
        reseal: Callable[[SecretBytes], Mapping[str, bytes]] | None = None,
    ) -> WalletKeys:
        """Re-encrypt the whole file under a new password, atomically.

        The wallet must be open in this program alone (another program's connection would
        fold its log, written under the old key, into the new file). The data is exported to
        a new file keyed from the new password (and a new salt); the secrets that ``reseal``
        seals again under the new sealing key replace the old ones there; the log is folded
        in and removed, the new file is synced, then renamed over the old one (the real file
        when the path is a symbolic link). A crash before the rename leaves the old file and
        password; after it, the new ones; the next open removes a killed change's copy.

        Returns:
            The new keys.

        Raises:
            WalletInUse: the wallet is open in another program.
        """
        if not new_password:
            raise WalletError("A wallet needs a password.")
        salt = new_salt(params)
        keys = derive_wallet_keys(new_password, salt, params)
        real = self._locked.real
        with self._lock:  # no other thread may write while the file is exported
            self._locked.make_exclusive()
            try:
                self._export_rekeyed(real, keys, salt, params, reseal)
            except BaseException:
                self._locked.share()
                raise
            old = self._locked
            self._locked = LockedFile.open(real)
            old.close()
            self._conn = _connect(real, keys.database, salt)
            self._keys = keys
            self._salt = salt
            self._configure()
            self._locked.share()
        return keys

    def _export_rekeyed(
        self,
        real: Path,
        keys: WalletKeys,
        salt: bytes,
        params: KdfParams,
        reseal: Callable[[SecretBytes], Mapping[str, bytes]] | None,
    ) -> None:
        temp = rekey_temp_name(real, secrets.token_hex(4))
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        try:
            with self._sqlite_errors():
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
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
            # Closing the only connection folds the log in and deletes -wal and -shm; a log
            # left beside the new file would be replayed into it under the old key.
            self._conn.close()
            for suffix in ("-wal", "-shm"):
                real.with_name(real.name + suffix).unlink(missing_ok=True)
            os.replace(temp, real)
        except BaseException:
            for leftover in (temp, temp.with_name(temp.name + "-journal")):
                leftover.unlink(missing_ok=True)
            if self._conn_closed():
                self._conn = _connect(real, self._keys.database, self._salt)
                self._configure()
            raise
        _fsync_dir(real.parent)

    def _conn_closed(self) -> bool:
        try:
            self._conn.execute("SELECT 1")
        except sqlcipher3.ProgrammingError:
            return True
        return False

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the main file."""
        with self._lock, self._sqlite_errors():
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Close the file (the write-ahead log is folded back in by SQLite), then the lock."""
        with self._lock:
            self._conn.close()
            self._locked.close()


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
