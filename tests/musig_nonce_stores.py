"""Two NonceStore implementations for tests: in memory, and one file per nonce with fsync.

The wallet implements ``keystore.signers.musig_session.NonceStore`` on its encrypted
database; these exist so the session logic, and its behaviour across a killed process, can be
tested without it.
"""

from __future__ import annotations

import os
from pathlib import Path

from keystore.secrets import SecretBytes
from keystore.signers.musig_session import NonceAlreadyUsed, NonceMissing


class MemoryNonceStore:
    """Nonces in a dict: issued ones with their secret, used ones as a bare id."""

    def __init__(self) -> None:
        self.issued: dict[bytes, tuple[SecretBytes, bytes]] = {}
        self.used: set[bytes] = set()

    def issue(self, nonce_id: bytes, secnonce: SecretBytes, pubnonce: bytes) -> None:
        if nonce_id in self.issued or nonce_id in self.used:
            raise NonceAlreadyUsed("this nonce id is already known")
        self.issued[nonce_id] = (secnonce, pubnonce)

    def issued_pubnonce(self, nonce_id: bytes) -> bytes | None:
        if nonce_id in self.used:
            raise NonceAlreadyUsed("this nonce has signed")
        entry = self.issued.get(nonce_id)
        return None if entry is None else entry[1]

    def consume(self, nonce_id: bytes) -> SecretBytes:
        if nonce_id in self.used:
            raise NonceAlreadyUsed("this nonce has signed")
        entry = self.issued.pop(nonce_id, None)
        if entry is None:
            raise NonceMissing("no such nonce")
        self.used.add(nonce_id)
        return entry[0]


class FileNonceStore:
    """One file per nonce: ``<id>.issued`` (secret and public nonce), renamed ``<id>.used``.

    ``issue`` writes a temporary file, fsyncs it and links it into place (``link`` fails if
    the name exists); ``consume`` renames issued to used (atomic: only one caller wins),
    fsyncs the directory, reads the secret and then empties the file.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    def _path(self, nonce_id: bytes, state: str) -> Path:
        return self.directory / f"{nonce_id.hex()}.{state}"

    def _sync_dir(self) -> None:
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def issue(self, nonce_id: bytes, secnonce: SecretBytes, pubnonce: bytes) -> None:
        if self._path(nonce_id, "used").exists():
            raise NonceAlreadyUsed("this nonce id is already known")
        tmp = self._path(nonce_id, f"tmp{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, secnonce.reveal() + pubnonce)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, self._path(nonce_id, "issued"))
        except FileExistsError:
            raise NonceAlreadyUsed("this nonce id is already known") from None
        finally:
            tmp.unlink()
        self._sync_dir()

    def issued_pubnonce(self, nonce_id: bytes) -> bytes | None:
        if self._path(nonce_id, "used").exists():
            raise NonceAlreadyUsed("this nonce has signed")
        try:
            return self._path(nonce_id, "issued").read_bytes()[97:]
        except FileNotFoundError:
            return None

    def consume(self, nonce_id: bytes) -> SecretBytes:
        used = self._path(nonce_id, "used")
        try:
            os.rename(self._path(nonce_id, "issued"), used)
        except FileNotFoundError:
            if used.exists():
                raise NonceAlreadyUsed("this nonce has signed") from None
            raise NonceMissing("no such nonce") from None
        self._sync_dir()
        data = used.read_bytes()
        fd = os.open(used, os.O_WRONLY | os.O_TRUNC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return SecretBytes(data[:97])
