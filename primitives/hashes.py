"""Hash functions of the Bitcoin and Ethereum families, on the fastest backend available."""

from __future__ import annotations

import hashlib

from Crypto.Hash import keccak as _keccak

__all__ = ["hash160", "keccak256", "ripemd160", "sha256", "sha256d", "tagged_hash"]


def sha256(data: bytes) -> bytes:
    """Return SHA-256 of ``data``."""
    return hashlib.sha256(data).digest()


def sha256d(data: bytes) -> bytes:
    """Return SHA-256 applied twice (Bitcoin's txid and checksum hash)."""
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


try:
    hashlib.new("ripemd160", b"")

    def ripemd160(data: bytes) -> bytes:
        """Return RIPEMD-160 of ``data``."""
        return hashlib.new("ripemd160", data).digest()

except ValueError:  # OpenSSL 3 builds without the legacy provider
    from Crypto.Hash import RIPEMD160 as _RIPEMD160

    def ripemd160(data: bytes) -> bytes:
        """Return RIPEMD-160 of ``data``."""
        return _RIPEMD160.new(data).digest()


def hash160(data: bytes) -> bytes:
    """Return RIPEMD-160 of SHA-256 (Bitcoin's key and script hash)."""
    return ripemd160(hashlib.sha256(data).digest())


def keccak256(data: bytes) -> bytes:
    """Return Keccak-256 (Ethereum's hash; not the standardised SHA3-256)."""
    return _keccak.new(data=data, digest_bits=256).digest()


def tagged_hash(tag: str, data: bytes) -> bytes:
    """Return the BIP-340 tagged hash ``SHA256(SHA256(tag) || SHA256(tag) || data)``."""
    tag_digest = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(tag_digest + tag_digest + data).digest()
