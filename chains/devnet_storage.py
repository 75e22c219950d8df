"""The embedded devnets' files on disk: chain and mempool, sealed, owner-only, crash-safe.

Both embedded devnets keep their chains this way: the Bitcoin regtest devnet
(``chains.utxo.devnet``) and the EVM chain (``chains.evm.embedded``, which records its blocks
and has no mempool of its own). The text below describes the Bitcoin devnet. A devnet holds
the user's addresses (every script it was asked to sync or fund), so what it keeps on disk
is sealed with a key its owner gives (the wallet derives one from its own database;
``chains`` only sees bytes) and readable by the owner alone:

- the folder is 0700 and every file 0600, whatever the umask (created with explicit modes,
  existing ones chmod-ed on open);
- ``coffer-chain.dat`` lists every block the devnet connected, in order, each sealed with
  AES-256-GCM; it is appended to and fsync-ed after every block, so a crash (even
  ``kill -9``) loses at most the block being written. libbitcoinkernel itself runs in a
  scratch folder of the system's temporary directory, with its indexes in memory, and the
  devnet replays the chain into it on open; Bitcoin Core's own block files there are only
  XOR-ed with a key stored beside them, which is why they are not what is kept;
- ``coffer-mempool.dat`` holds the mempool's transactions, sealed the same way, written to a
  temporary file, fsync-ed and renamed over the old one.

Each file is a run of records ``compact_size(len(sealed)) || sealed``, ``sealed`` being a
12-byte nonce and the AES-GCM ciphertext with its tag; the associated data names the file's
kind and the record's position, so records cannot be moved between files or reordered. A
record cut short at the end (a write torn by a crash) ends the file; a whole record that
does not open means another key or damage, and is an error for the chain
(``DevnetStorageError``) but only ends the mempool (as Core drops a damaged ``mempool.dat``).

One process and one devnet use a folder at a time: ``coffer-devnet.lock`` is held with
``flock`` while the devnet is open.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import os
import secrets
import shutil
from collections.abc import Iterable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from chains.errors import BackendUnavailable, DevnetStorageError
from primitives.tx import TxDecodeError, read_compact_size, write_compact_size

__all__ = ["CHAIN_FILE", "LOCK_FILE", "MEMPOOL_FILE", "DevnetStore", "erase_devnet"]

CHAIN_FILE = "coffer-chain.dat"
MEMPOOL_FILE = "coffer-mempool.dat"
LOCK_FILE = "coffer-devnet.lock"
_NONCE = 12
_MIN_KEY = 16
_DIR_MODE = 0o700
_FILE_MODE = 0o600
_SERVER = "embedded"


def _aad(kind: bytes, index: int) -> bytes:
    return b"coffer-devnet/" + kind + b"/" + index.to_bytes(8, "big")


class DevnetStore:
    """The sealed chain and mempool files of one devnet folder, locked for one devnet.

    Args:
        directory: the folder (created 0700 when missing; made 0700 when it exists).
        key: the owner's storage key (at least 16 bytes); the files' AES key is derived
            from it (HMAC-SHA256 with a label), so the same bytes can serve other uses.

    Raises:
        ValueError: a key shorter than 16 bytes.
        BackendUnavailable: another devnet (in this or another process) has the folder.
    """

    def __init__(self, directory: Path, key: bytes) -> None:
        if not isinstance(key, bytes) or len(key) < _MIN_KEY:
            raise ValueError("the devnet's storage key is at least 16 bytes")
        self.directory = directory
        directory.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
        os.chmod(directory, _DIR_MODE)
        self._aead = AESGCM(hmac.new(key, b"coffer devnet storage", hashlib.sha256).digest())
        self._lock_fd = _open_private(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            os.close(self._lock_fd)
            raise BackendUnavailable(
                f"The devnet could not open its data directory {directory} "
                "(is another process using it?).",
                _SERVER,
            ) from err
        for name in (CHAIN_FILE, MEMPOOL_FILE):
            with contextlib.suppress(FileNotFoundError):
                os.chmod(directory / name, _FILE_MODE)
        self._chain_fd: int | None = None
        self._chain_records = 0

    # -- the chain -------------------------------------------------------------------------

    def read_blocks(self) -> list[bytes]:
        """Return the raw blocks of the chain file, in the order they were connected.

        A record torn by a crash is cut off (the file ends with the last whole block).

        Raises:
            DevnetStorageError: a whole record does not open (another key, or damage).
        """
        path = self.directory / CHAIN_FILE
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = b""
        blocks, end, bad = self._records(data, b"chain")
        if bad:
            raise DevnetStorageError(
                f"The devnet's chain in {self.directory} cannot be opened with this key "
                "(another wallet's chain, or a damaged file).",
                str(path),
            )
        fd = _open_private(path, os.O_WRONLY | os.O_CREAT)
        if end < len(data):
            os.ftruncate(fd, end)  # a torn last record: drop it
            os.fsync(fd)
        os.lseek(fd, 0, os.SEEK_END)
        self._chain_fd = fd
        self._chain_records = len(blocks)
        return blocks

    def append_blocks(self, raw_blocks: Iterable[bytes]) -> None:
        """Append blocks to the chain file and fsync it (``read_blocks`` opens it first).

        Raises:
            OSError: the disk refused the write.
        """
        fd = self._chain_fd
        if fd is None:
            raise RuntimeError("read_blocks opens the chain file before any append")
        data = b""
        for raw in raw_blocks:
            data += self._record(raw, b"chain", self._chain_records)
            self._chain_records += 1
        if data:
            _write_all(fd, data)
            os.fsync(fd)

    # -- the mempool -----------------------------------------------------------------------

    def read_mempool(self) -> list[bytes]:
        """Return the raw transactions of the mempool file; what follows damage is dropped."""
        try:
            data = (self.directory / MEMPOOL_FILE).read_bytes()
        except FileNotFoundError:
            return []
        txs, _end, _bad = self._records(data, b"mempool")
        return txs

    def write_mempool(self, raw_txs: Iterable[bytes]) -> None:
        """Replace the mempool file atomically (temporary file, fsync, rename, fsync folder).

        Raises:
            OSError: the disk refused the write.
        """
        data = b"".join(self._record(raw, b"mempool", i) for i, raw in enumerate(raw_txs))
        path = self.directory / MEMPOOL_FILE
        tmp = path.with_name(f".{MEMPOOL_FILE}.{secrets.token_hex(4)}.tmp")
        fd = _open_private(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        tmp.replace(path)
        _fsync_dir(self.directory)

    def close(self) -> None:
        """Close the chain file and release the folder's lock."""
        if self._chain_fd is not None:
            os.close(self._chain_fd)
            self._chain_fd = None
        if self._lock_fd >= 0:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = -1

    # -- records ---------------------------------------------------------------------------

    def _record(self, plain: bytes, kind: bytes, index: int) -> bytes:
        nonce = secrets.token_bytes(_NONCE)
        sealed = nonce + self._aead.encrypt(nonce, plain, _aad(kind, index))
        return write_compact_size(len(sealed)) + sealed

    def _records(self, data: bytes, kind: bytes) -> tuple[list[bytes], int, bool]:
        """Open the records of ``data``: (contents, end of the last good one, a bad one?)."""
        out: list[bytes] = []
        pos = 0
        while pos < len(data):
            try:
                size, start = read_compact_size(data, pos)
            except TxDecodeError:
                return out, pos, False  # the length itself was torn
            if size <= _NONCE or start + size > len(data):
                return out, pos, False  # cut short
            sealed = data[start : start + size]
            try:
                out.append(
                    self._aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], _aad(kind, len(out)))
                )
            except InvalidTag:
                return out, pos, True
            pos = start + size
        return out, pos, False


def erase_devnet(directory: Path) -> bool:
    """Remove a devnet's folder and everything in it (its chain is gone for good).

    Only a devnet's folder is removed: one holding the lock file or the chain file.

    Returns:
        Whether there was a devnet there to remove.

    Raises:
        BackendUnavailable: a devnet is open on the folder (in this or another process).
        DevnetStorageError: the folder holds something other than a devnet's files.
    """
    if not directory.exists():
        return False
    if not (directory / LOCK_FILE).exists() and not (directory / CHAIN_FILE).exists():
        raise DevnetStorageError(
            f"{directory} does not hold a devnet's files; nothing was removed.", str(directory)
        )
    fd = _open_private(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            raise BackendUnavailable(
                f"The devnet in {directory} is open (is another process using it?); "
                "nothing was removed.",
                _SERVER,
            ) from err
        shutil.rmtree(directory)  # under the lock: no devnet opens it meanwhile
    finally:
        os.close(fd)
    return True


def _open_private(path: Path, flags: int) -> int:
    """Open a file owner-only (0600 on creation and after, whatever the umask)."""
    fd = os.open(path, flags, _FILE_MODE)
    os.fchmod(fd, _FILE_MODE)
    return fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
