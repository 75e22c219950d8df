"""SQLCipher's on-disk format, read without SQLite: page 1's HMAC and the log's frame headers.

Both are read before SQLite opens the file, so that a wrong password and the examination of a
crashed writer's log change no byte of the wallet, its ``-wal`` or its ``-shm``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import struct
from pathlib import Path

from keystore.secrets import SecretBytes
from keystore.vault import HEADER_SIZE

__all__ = ["first_page_matches", "lost_wal_commits"]

# SQLCipher 4 page layout: each page ends with a 16-byte IV and a 64-byte HMAC-SHA512 over the
# encrypted bytes, the IV and the page number; page 1 starts with the 16-byte plaintext salt.
# The HMAC key is PBKDF2-HMAC-SHA512 (2 iterations) of the key, salted with the salt ^ 0x3a.
_HMAC_SIZE = 64
_HMAC_SALT_MASK = 0x3A
_HMAC_KDF_ITERATIONS = 2
_WAL_HEADER = 32
_WAL_FRAME_HEADER = 24
_WAL_MAGIC = (0x377F0682, 0x377F0683)


def first_page_matches(page: bytes, key: SecretBytes, page_size: int) -> bool:
    """Return whether ``key`` authenticates the file's first page, without SQLite.

    Checking here, before SQLite opens the file, is what lets a wrong password leave every
    byte of the file, its ``-wal`` and ``-shm`` as they were: SQLite would recover a crashed
    writer's log (and rewrite ``-shm``) before it ever read a page with the key.
    """
    if len(page) < page_size:
        return False
    salt = page[:HEADER_SIZE]
    hmac_key = hashlib.pbkdf2_hmac(
        "sha512",
        key.reveal(),
        bytes(b ^ _HMAC_SALT_MASK for b in salt),
        _HMAC_KDF_ITERATIONS,
        32,
    )
    body = page[HEADER_SIZE : page_size - _HMAC_SIZE] + (1).to_bytes(4, "little")
    expected = hmac.new(hmac_key, body, hashlib.sha512).digest()
    return hmac.compare_digest(expected, page[page_size - _HMAC_SIZE : page_size])


def _wal_checksum(data: bytes, big_endian: bool) -> tuple[int, int]:
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    s0 = s1 = 0
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def lost_wal_commits(real: Path, page_size: int) -> int | None:
    """Read a crashed writer's ``-wal`` and return the last frame that ends a transaction.

    SQLite replays a log only up to its first damaged frame and drops the rest silently;
    comparing this number with the frames SQLite kept tells whether saved changes were lost.
    Only the plaintext headers are read (SQLCipher encrypts the pages, not the log's headers);
    the file is never written.

    Returns:
        The 1-based number of the last commit frame of the log's current generation, ``0``
        for a log with none, or ``None`` when the log's own header is damaged while frames
        follow it (everything in it will be dropped).
    """
    wal = real.with_name(real.name + "-wal")
    try:
        with wal.open("rb") as handle:
            header = handle.read(_WAL_HEADER)
            frame_size = _WAL_FRAME_HEADER + page_size
            last_commit = 0
            if len(header) < _WAL_HEADER:
                return 0
            magic, _version, _page, _seq, salt1, salt2 = struct.unpack(">6I", header[:24])
            checksum = struct.unpack(">2I", header[24:32])
            frames = (os.fstat(handle.fileno()).st_size - _WAL_HEADER) // frame_size
            if magic not in _WAL_MAGIC or _wal_checksum(header[:24], magic & 1 == 1) != checksum:
                return None if frames else 0
            for number in range(1, frames + 1):
                handle.seek(_WAL_HEADER + (number - 1) * frame_size)
                _pgno, commit_size, f_salt1, f_salt2 = struct.unpack(">4I", handle.read(16))
                if (f_salt1, f_salt2) != (salt1, salt2):
                    continue  # an older generation's frame (or a damaged one): never replayed
                if commit_size:
                    last_commit = number
            return last_commit
    except FileNotFoundError:
        return 0
