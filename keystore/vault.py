"""Password-based keys and AEAD sealing for the wallet file.

A wallet password is stretched once with a memory-hard KDF (Argon2id by default, scrypt as an
alternative) into 64 bytes: the first half keys the SQLCipher database, the second half seals
the seed again with AES-256-GCM inside it. Both halves are independent of each other, so the
database key alone does not open the sealed seed.

The KDF parameters travel in the first 16 bytes of the database file, which SQLCipher keeps in
plaintext as its per-file salt: 4 bytes name the KDF and its costs, 12 random bytes make the
salt unique per wallet (and per password change).
"""

from __future__ import annotations

import enum
import hashlib
import os
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keystore.errors import DecryptionFailed, KeystoreError
from keystore.secrets import SecretBytes

__all__ = [
    "HEADER_SIZE",
    "Kdf",
    "KdfParams",
    "UnknownFileFormat",
    "WalletKeys",
    "derive_wallet_keys",
    "new_salt",
    "open_sealed",
    "parse_salt",
    "seal",
]

HEADER_SIZE = 16
_MAGIC = 0xC0
_RANDOM_SIZE = 12
_NONCE_SIZE = 12
# The most a wallet may ask for: (log2 of memory in KiB, passes) for Argon2id, (log2 N, r) for
# scrypt: 1 GiB x 10 passes, or N 2^20 with r 16 (2 GiB).
_ARGON2ID_CEILING = (20, 10)
_SCRYPT_CEILING = (20, 16)


class UnknownFileFormat(KeystoreError):
    """The first bytes of a file do not describe a Coffer wallet's key derivation."""


class Kdf(enum.Enum):
    """The memory-hard password KDFs a wallet file can use."""

    ARGON2ID = 1
    SCRYPT = 2


@dataclass(frozen=True, slots=True)
class KdfParams:
    """Costs of the password KDF, stored in the wallet file.

    Attributes:
        kdf: Argon2id or scrypt.
        log2_memory: Argon2id: log2 of the memory in KiB (16 = 64 MiB); scrypt: log2 of N.
        passes: Argon2id: time cost (passes over memory); scrypt: block size r.
        parallelism: Argon2id lanes, or scrypt p.
    """

    kdf: Kdf = Kdf.ARGON2ID
    log2_memory: int = 16
    passes: int = 3
    parallelism: int = 4

    def __post_init__(self) -> None:
        """Refuse parameters outside the range Coffer writes (and so reads).

        The floor is what the project promises (64 MiB x 3, or N 2^17 x 8); the ceiling keeps
        one open within seconds and memory a desktop has (1 GiB x 10, or N 2^20 x 16). A file
        header is parsed into these too, so a damaged or hostile header asking for 16 GiB or
        255 passes is refused before the KDF runs.
        """
        if self.kdf is Kdf.ARGON2ID and (self.log2_memory < 16 or self.passes < 3):
            raise KeystoreError("Argon2id needs at least 64 MiB and 3 passes.")
        if self.kdf is Kdf.SCRYPT and (self.log2_memory < 17 or self.passes < 8):
            raise KeystoreError("scrypt needs N of at least 2^17 and r of at least 8.")
        ceiling = _ARGON2ID_CEILING if self.kdf is Kdf.ARGON2ID else _SCRYPT_CEILING
        if (
            not 1 <= self.parallelism <= 15
            or self.log2_memory > ceiling[0]
            or self.passes > ceiling[1]
        ):
            raise KeystoreError("KDF parameters are out of range.")

    def describe(self) -> str:
        """Return the parameters as text for display (``argon2id m=64MiB t=3 p=4``)."""
        if self.kdf is Kdf.ARGON2ID:
            return (
                f"argon2id m={(1 << self.log2_memory) // 1024}MiB t={self.passes} "
                f"p={self.parallelism}"
            )
        return f"scrypt N=2^{self.log2_memory} r={self.passes} p={self.parallelism}"


@dataclass(frozen=True, slots=True, repr=False)
class WalletKeys:
    """The two keys stretched from a password: the database key and the sealing key."""

    database: SecretBytes
    sealing: SecretBytes

    def __repr__(self) -> str:
        return "<WalletKeys redacted>"


def new_salt(params: KdfParams) -> bytes:
    """Return a fresh 16-byte file salt carrying ``params`` and 12 random bytes."""
    head = bytes(
        [_MAGIC, (params.kdf.value << 4) | params.parallelism, params.log2_memory, params.passes]
    )
    return head + os.urandom(_RANDOM_SIZE)


def parse_salt(header: bytes) -> KdfParams:
    """Read the KDF parameters from a wallet file's first 16 bytes.

    Raises:
        UnknownFileFormat: the bytes do not describe a Coffer wallet.
    """
    if len(header) < HEADER_SIZE or header[0] != _MAGIC:
        raise UnknownFileFormat("This file is not a Coffer wallet.")
    try:
        kdf = Kdf(header[1] >> 4)
        return KdfParams(kdf, header[2], header[3], header[1] & 0x0F)
    except (ValueError, KeystoreError) as err:
        raise UnknownFileFormat("This file is not a Coffer wallet, or it is damaged.") from err


def derive_wallet_keys(password: str, salt: bytes, params: KdfParams) -> WalletKeys:
    """Stretch a password into the database key and the sealing key.

    Args:
        password: the wallet password (NFKC is not applied: the bytes typed are the bytes used).
        salt: the 16-byte file salt.
        params: the KDF and its costs.

    Returns:
        The two 32-byte keys, wrapped.
    """
    secret = password.encode("utf-8")
    if params.kdf is Kdf.ARGON2ID:
        raw = hash_secret_raw(
            secret,
            salt,
            time_cost=params.passes,
            memory_cost=1 << params.log2_memory,
            parallelism=params.parallelism,
            hash_len=64,
            type=Type.ID,
        )
    else:
        n = 1 << params.log2_memory
        raw = hashlib.scrypt(
            secret,
            salt=salt,
            n=n,
            r=params.passes,
            p=params.parallelism,
            maxmem=256 * n * params.passes,
            dklen=64,
        )
    return WalletKeys(SecretBytes(raw[:32]), SecretBytes(raw[32:]))


def seal(key: SecretBytes, plaintext: bytes, associated: bytes) -> bytes:
    """Encrypt and authenticate ``plaintext`` with AES-256-GCM; return nonce + ciphertext."""
    nonce = os.urandom(_NONCE_SIZE)
    return nonce + AESGCM(key.reveal()).encrypt(nonce, plaintext, associated)


def open_sealed(key: SecretBytes, sealed: bytes, associated: bytes) -> SecretBytes:
    """Decrypt what ``seal`` produced.

    Raises:
        DecryptionFailed: a wrong key, other associated data, or tampered bytes.
    """
    if len(sealed) < _NONCE_SIZE + 16:
        raise DecryptionFailed("The sealed data is too short.")
    try:
        plain = AESGCM(key.reveal()).decrypt(sealed[:_NONCE_SIZE], sealed[_NONCE_SIZE:], associated)
    except InvalidTag as err:
        raise DecryptionFailed("The sealed data could not be opened.") from err
    return SecretBytes(plain)
