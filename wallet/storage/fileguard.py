"""What keeps the wallet file whole around SQLite: path checks, the open lock, leftovers.

SQLite guards its pages; it does not guard the file's name, its neighbours or its owners. This
module does, for ``WalletDatabase``:

- the path is checked before anything opens it: a pipe, a device, a symlink loop, a name too
  long or a folder that is a file each give one sentence instead of a hang or a traceback;
- a lock held for the life of an open wallet (an open-file-description lock on one byte far
  past SQLite's own lock bytes): shared while the wallet is open, exclusive while it is opened
  alone and while its password changes, so a password change never replaces a file another
  process still writes to;
- leftovers of a killed password change are removed, and permissions that let other users
  read or replace the wallet's files give warnings (or a refusal, for a log owned by another).
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import stat
import struct
import tempfile
import time
from pathlib import Path

from wallet.errors import (
    InvalidWalletPath,
    UnsafeWalletFile,
    WalletCorrupt,
    WalletError,
    WalletExists,
    WalletInUse,
    WalletNotFound,
    WalletReadOnly,
)

__all__ = [
    "LOCK_WAIT_SECONDS",
    "LockedFile",
    "check_new_path",
    "path_error",
    "permission_warnings",
    "prepare_new_path",
    "refuse_foreign_logs",
    "refuse_unwritable",
    "rekey_temp_name",
    "remove_rekey_leftovers",
    "resolve_wallet_path",
]

LOCK_WAIT_SECONDS = 5.0
# SQLite locks bytes 0x40000000..0x400001FF of the file; this byte is far from them, so the
# two kinds of lock never meet. Locks on bytes past the end of a file are allowed and cost
# nothing on disk.
_LOCK_OFFSET = 0x50000000
_SYSTEM_ROOTS = ("/proc", "/sys", "/dev")


def path_error(path: Path, err: OSError) -> WalletError:
    """Return the one-sentence error for an ``OSError`` met while reaching ``path``."""
    if err.errno == errno.ENOENT:
        return WalletNotFound(f"There is no wallet at {path}.")
    if err.errno == errno.ELOOP:
        return InvalidWalletPath(f"{path} is a loop of symbolic links, not a wallet file.")
    if err.errno == errno.ENAMETOOLONG:
        return InvalidWalletPath("The wallet path or file name is too long for this system.")
    if err.errno == errno.ENOTDIR:
        return InvalidWalletPath(f"{path} cannot be a wallet: part of it is a file, not a folder.")
    if err.errno == errno.EROFS:
        return InvalidWalletPath(
            f"The folder {path.parent} is on a read-only file system: Coffer cannot write there."
        )
    if err.errno in (errno.EACCES, errno.EPERM):
        return InvalidWalletPath(f"Coffer is not allowed to use {path}.")
    return InvalidWalletPath(f"{path} cannot be used as a wallet file ({err.strerror}).")


def _refuse_system_folder(path: Path, real: str) -> None:
    if any(real == root or real.startswith(root + "/") for root in _SYSTEM_ROOTS):
        raise InvalidWalletPath(f"{path} is in a system folder, not a place for a wallet.")


def resolve_wallet_path(path: Path) -> Path:
    """Return the real path of an existing wallet file, links followed, without opening it.

    Raises:
        WalletNotFound: nothing is at ``path``.
        WalletCorrupt: ``path`` is a folder.
        InvalidWalletPath: a pipe, device or socket, a symlink loop, a name too long, a path
            through a file, or a system folder.
    """
    _refuse_system_folder(path, os.path.realpath(path))
    try:
        info = os.stat(path)  # follows links; never opens, so a pipe cannot block here
        real = os.path.realpath(path, strict=True)
    except OSError as err:
        raise path_error(path, err) from err
    if stat.S_ISDIR(info.st_mode):
        raise WalletCorrupt(f"{path} is a folder, not a wallet file.")
    if not stat.S_ISREG(info.st_mode):
        raise InvalidWalletPath(f"{path} is a pipe, device or socket, not a wallet file.")
    return Path(real)


def prepare_new_path(path: Path) -> None:
    """Create the folder of a new wallet file (mode 0700) and check the name.

    Raises:
        InvalidWalletPath: the folder cannot be made there, or the name is refused.
    """
    _refuse_system_folder(path, os.path.realpath(path.parent))
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        name_max = os.pathconf(path.parent, "PC_NAME_MAX")
    except FileExistsError as err:  # a file stands where a folder of the path should be
        raise path_error(path, OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR))) from err
    except OSError as err:
        raise path_error(path, err) from err
    if len(os.fsencode(path.name)) > name_max:
        raise InvalidWalletPath("The wallet path or file name is too long for this system.")


def _folder_error(folder: Path, err: OSError) -> WalletError:
    if err.errno == errno.EROFS:
        return InvalidWalletPath(
            f"The folder {folder} is on a read-only file system: a wallet cannot be made there."
        )
    if err.errno in (errno.EACCES, errno.EPERM):
        return InvalidWalletPath(f"You have no write access to the folder {folder}.")
    return path_error(folder / "wallet", err)


def check_new_path(path: Path) -> None:
    """Check that a new wallet file can be made at ``path``, leaving nothing behind.

    The nearest folder of the path that exists is tried by making and removing a file in
    it, so a read-only file system or a folder without write access is found before a
    recovery phrase is shown for a wallet that could never be saved.

    Raises:
        WalletExists: something is already at ``path``.
        InvalidWalletPath: the folder cannot be written, a part of the path is a file, the
            name is too long, or the path is in a system folder.
    """
    try:
        os.lstat(path)
    except FileNotFoundError:
        pass
    except OSError as err:
        raise path_error(path, err) from err
    else:
        raise WalletExists(f"A wallet already exists at {path}.")
    _refuse_system_folder(path, os.path.realpath(path.parent))
    folder = path.parent
    while not os.path.lexists(folder) and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise path_error(path, OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR)))
    try:
        fd, probe = tempfile.mkstemp(prefix=".coffer-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
        name_max = os.pathconf(folder, "PC_NAME_MAX")
    except OSError as err:
        raise _folder_error(folder, err) from err
    if any(len(os.fsencode(part)) > name_max for part in path.parts):
        raise InvalidWalletPath("The wallet path or file name is too long for this system.")


def _flock_struct(kind: int) -> bytes:
    # struct flock on Linux: short l_type, short l_whence, off_t l_start, off_t l_len,
    # pid_t l_pid (0 for open-file-description locks), padded to 8 bytes.
    return struct.pack("hhxxxxqqixxxx", kind, os.SEEK_SET, _LOCK_OFFSET, 1, 0)


class LockedFile:
    """A descriptor of the wallet file (opened read-write, never written) holding the lock.

    The descriptor also serves every read Coffer does itself (header, first page), because
    closing any other descriptor of the file would drop SQLite's own POSIX locks of this
    process. Close it only after the SQLite connection.
    """

    def __init__(self, real: Path, fd: int, exclusive: bool) -> None:
        """Wrap a locked descriptor; use ``open`` instead."""
        self.real = real
        self._fd = fd
        self.exclusive = exclusive

    @classmethod
    def open(
        cls, real: Path, timeout: float = LOCK_WAIT_SECONDS, *, read_only: bool = False
    ) -> LockedFile:
        """Open ``real`` and lock it: exclusive if nobody else has it open, else shared.

        A password change elsewhere holds the lock for a moment, so a shared lock is waited
        for up to ``timeout`` seconds. When the file was replaced while waiting (a password
        change renames a new file over it), the new file is opened instead.

        With ``read_only`` the file is opened for reading and only the shared lock is taken.

        Raises:
            WalletInUse: another program held the wallet exclusively for ``timeout`` seconds.
            InvalidWalletPath, WalletNotFound: the path stopped being a usable file.
        """
        deadline = time.monotonic() + timeout
        mode = os.O_RDONLY if read_only else os.O_RDWR
        while True:
            try:
                fd = os.open(real, mode | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOFOLLOW)
            except OSError as err:
                raise path_error(real, err) from err
            locked = cls(real, fd, exclusive=not read_only)
            # A read-only descriptor can hold only the shared lock (a reader among readers).
            exclusive = not read_only and locked._set(fcntl.F_WRLCK)
            if not (exclusive or locked._wait_shared(deadline)):
                os.close(fd)
                raise WalletInUse("The wallet is being changed by another program; try again.")
            if locked._is_current():
                return locked
            locked.close()  # replaced while we waited: lock the file now at the path

    def _wait_shared(self, deadline: float) -> bool:
        self.exclusive = False
        while not self._set(fcntl.F_RDLCK):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def _set(self, kind: int) -> bool:
        try:
            fcntl.fcntl(self._fd, fcntl.F_OFD_SETLK, _flock_struct(kind))
        except OSError as err:
            if err.errno in (errno.EAGAIN, errno.EACCES):
                return False
            raise InvalidWalletPath(
                f"The folder of {self.real} does not support file locks, which a wallet needs."
            ) from err
        return True

    def _is_current(self) -> bool:
        try:
            at_path = os.stat(self.real)
        except OSError:
            return False
        mine = os.fstat(self._fd)
        return (at_path.st_dev, at_path.st_ino) == (mine.st_dev, mine.st_ino)

    def read(self, offset: int, size: int) -> bytes:
        """Return ``size`` bytes at ``offset`` (fewer at the end of the file)."""
        return os.pread(self._fd, size, offset)

    def size(self) -> int:
        """Return the file's size in bytes."""
        return os.fstat(self._fd).st_size

    def make_exclusive(self) -> None:
        """Turn the shared lock into the exclusive one, or refuse at once.

        Raises:
            WalletInUse: another program has the wallet open.
        """
        if not self._set(fcntl.F_WRLCK):
            raise WalletInUse("The wallet is open in another program; close it first.")
        self.exclusive = True

    def share(self) -> None:
        """Turn the exclusive lock into a shared one (atomically: nobody slips in between)."""
        self._set(fcntl.F_RDLCK)
        self.exclusive = False

    def close(self) -> None:
        """Close the descriptor, which releases the lock."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def rekey_temp_name(real: Path, tag: str) -> Path:
    """Return the name of the re-keyed copy a password change writes beside ``real``."""
    return real.with_name(f".{real.name}.{tag}.rekey")


def remove_rekey_leftovers(real: Path) -> None:
    """Remove the re-keyed copies (and their journals) of password changes that were killed.

    Call this only while holding the exclusive lock: a running password change holds it too.
    """
    pattern = re.compile(re.escape(f".{real.name}.") + r"[0-9a-f]{8}\.rekey(-journal)?")
    for leftover in real.parent.iterdir():
        if pattern.fullmatch(leftover.name):
            leftover.unlink(missing_ok=True)


def refuse_foreign_logs(real: Path) -> None:
    """Refuse a ``-wal`` or ``-shm`` beside the wallet that is not a file of this user.

    Raises:
        UnsafeWalletFile: one is a link, not a regular file, or owned by another user.
    """
    for suffix in ("-wal", "-shm"):
        side = real.with_name(real.name + suffix)
        try:
            info = os.lstat(side)
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            raise UnsafeWalletFile(
                f"{side} is not a file of yours, so Coffer will not open the wallet with it."
            )


def refuse_unwritable(path: Path, real: Path) -> None:
    """Refuse, before anything opens it for writing, a wallet whose folder or file is read-only.

    Raises:
        WalletReadOnly: the folder (where SQLite keeps the change log) or the file cannot be
            written by this user, or is on a read-only file system.
    """
    for target, what in ((real.parent, f"the folder {real.parent}"), (real, f"the file {path}")):
        if not os.access(target, os.W_OK):
            raise WalletReadOnly(
                f"You have no write access to {what}: the wallet can only be read there."
            )


def permission_warnings(path: Path, real: Path) -> tuple[str, ...]:
    """Return one sentence per permission that lets other users read or replace the wallet."""
    warnings: list[str] = []
    if stat.S_IMODE(os.stat(real).st_mode) & 0o077:
        warnings.append(f"The wallet file {path} can be read by other users of this computer.")
    if stat.S_IMODE(os.stat(real.parent).st_mode) & 0o022:
        warnings.append(
            f"The wallet's folder {real.parent} can be changed by other users of this computer."
        )
    return tuple(warnings)
