"""Hash functions of the Bitcoin and Ethereum families, on the fastest backend available.

Address derivation hashes every key, so the per-call overhead matters as much as the hash:
RIPEMD-160 copies a prepared ``hashlib`` object instead of looking the algorithm up by name
each time (half the cost), and Keccak-256 uses the C extension of ``safe-pysha3`` (about 1 us
a call) when it is installed, else pycryptodome (about 6 us, most of it call overhead).
"""

from __future__ import annotations

import hashlib

__all__ = ["hash160", "keccak256", "ripemd160", "sha256", "sha256d", "tagged_hash"]

_sha256 = hashlib.sha256


def sha256(data: bytes) -> bytes:
    """Return SHA-256 of ``data``."""
    return _sha256(data).digest()


def sha256d(data: bytes) -> bytes:
    """Return SHA-256 applied twice (Bitcoin's txid and checksum hash)."""
    return _sha256(_sha256(data).digest()).digest()


try:
    _ripemd160_copy = hashlib.new("ripemd160").copy

    def ripemd160(data: bytes) -> bytes:
        """Return RIPEMD-160 of ``data``."""
        h = _ripemd160_copy()
        h.update(data)
        return h.digest()

    def hash160(data: bytes) -> bytes:
        """Return RIPEMD-160 of SHA-256 (Bitcoin's key and script hash)."""
        h = _ripemd160_copy()
        h.update(_sha256(data).digest())
        return h.digest()

except ValueError:  # OpenSSL 3 builds without the legacy provider
    from Crypto.Hash import RIPEMD160 as _RIPEMD160

    def ripemd160(data: bytes) -> bytes:
        """Return RIPEMD-160 of ``data``."""
        digest: bytes = _RIPEMD160.new(data).digest()
        return digest

    def hash160(data: bytes) -> bytes:
        """Return RIPEMD-160 of SHA-256 (Bitcoin's key and script hash)."""
        digest: bytes = _RIPEMD160.new(_sha256(data).digest()).digest()
        return digest


try:
    from sha3 import keccak_256 as _keccak_256  # safe-pysha3: Keccak's original padding, in C

    def keccak256(data: bytes) -> bytes:
        """Return Keccak-256 (Ethereum's hash; not the standardised SHA3-256)."""
        digest: bytes = _keccak_256(data).digest()
        return digest

except ImportError:
    from Crypto.Hash import keccak as _keccak

    def keccak256(data: bytes) -> bytes:
        """Return Keccak-256 (Ethereum's hash; not the standardised SHA3-256)."""
        digest: bytes = _keccak.new(data=data, digest_bits=256).digest()
        return digest


def tagged_hash(tag: str, data: bytes) -> bytes:
    """Return the BIP-340 tagged hash ``SHA256(SHA256(tag) || SHA256(tag) || data)``."""
    tag_digest = _sha256(tag.encode()).digest()
    return _sha256(tag_digest + tag_digest + data).digest()
