"""BIP-32 public derivation and the extended-key serialisation, with no private material.

The one copy of CKDpub and of the 78-byte extended-key layout: ``keystore.bip32`` builds its
key classes on these functions, and output descriptors (``primitives.descriptors``) derive
watch-only scripts with them without importing the keystore.

For a run of children of one parent, HMAC-SHA512 is keyed once (the inner and outer SHA-512
states of RFC 2104 are hashed once and copied per child, which costs half of ``hmac.digest``
with its per-call key setup), the parent point is parsed once, and each child is one
``secp256k1_ec_pubkey_tweak_add``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import TYPE_CHECKING

from coincurve import PublicKey

from primitives.base58 import Base58ChecksumError, Base58Error, b58check_decode
from primitives.secp256k1 import CURVE_ORDER

if TYPE_CHECKING:
    from hashlib import _Hash as Hash

__all__ = [
    "HARDENED",
    "ExtendedKeyError",
    "child_pubkeys",
    "ckd_pub",
    "ckd_pub_tweak",
    "decode_extended_key",
]

HARDENED = 0x80000000
_IPAD = bytes.maketrans(bytes(range(256)), bytes(b ^ 0x36 for b in range(256)))
_OPAD = bytes.maketrans(bytes(range(256)), bytes(b ^ 0x5C for b in range(256)))


class ExtendedKeyError(ValueError):
    """An extended key or a public derivation step is invalid; the text never holds the key."""


def _hmac_sha512_pads(key: bytes) -> tuple[Callable[[], Hash], Callable[[], Hash]]:
    """Return copy functions of HMAC-SHA512's inner and outer states under ``key`` (RFC 2104).

    ``HMAC(key, m) = H(outer || H(inner || m))``: the two key blocks are hashed once, and each
    message copies the states. A chain code (32 bytes) is shorter than SHA-512's 128-byte
    block and is only zero-padded; a longer key would be hashed first.
    """
    if len(key) > 128:
        key = hashlib.sha512(key).digest()
    block = key.ljust(128, b"\x00")
    return (
        hashlib.sha512(block.translate(_IPAD)).copy,
        hashlib.sha512(block.translate(_OPAD)).copy,
    )


def ckd_pub_tweak(public_key: bytes, chain_code: bytes, index: int) -> tuple[bytes, bytes, bytes]:
    """Derive one non-hardened child and return it with the tweak that made it.

    ``child = parent + I_L * G``: signers of an aggregate key (BIP-328 MuSig2 children) apply
    each step's ``I_L`` as a tweak, so it is returned with the child.

    Args:
        public_key: the parent's 33-byte compressed public key.
        chain_code: the parent's chain code.
        index: the child number, 0..2^31-1.

    Returns:
        The child's compressed public key, its chain code, and ``I_L`` (32 bytes).

    Raises:
        ExtendedKeyError: a hardened or negative index, or a child that does not exist.
    """
    if not 0 <= index < HARDENED:
        raise ExtendedKeyError("A public key can only derive non-hardened children (0..2^31-1).")
    digest = hmac.digest(chain_code, public_key + index.to_bytes(4, "big"), "sha512")
    if int.from_bytes(digest[:32], "big") >= CURVE_ORDER:  # pragma: no cover - 2^-127
        raise ExtendedKeyError(f"Child {index} of this key does not exist (BIP-32).")
    try:
        point = PublicKey(public_key).add(digest[:32])
    except ValueError:  # pragma: no cover - the point at infinity, probability 2^-127
        raise ExtendedKeyError(f"Child {index} of this key does not exist (BIP-32).") from None
    return point.format(compressed=True), digest[32:], digest[:32]


def ckd_pub(public_key: bytes, chain_code: bytes, index: int) -> tuple[bytes, bytes]:
    """Derive one non-hardened child (BIP-32, public parent to public child).

    Args:
        public_key: the parent's 33-byte compressed public key.
        chain_code: the parent's chain code.
        index: the child number, 0..2^31-1.

    Returns:
        The child's compressed public key and chain code.

    Raises:
        ExtendedKeyError: a hardened or negative index, or a child that does not exist.
    """
    key, child_code, _ = ckd_pub_tweak(public_key, chain_code, index)
    return key, child_code


def child_pubkeys(
    public_key: bytes, chain_code: bytes, start: int, count: int, compressed: bool = True
) -> list[bytes]:
    """Return the serialised public keys of children ``start`` .. ``start + count - 1``.

    Each point is serialised as soon as it is made: no list of 5,000 point objects.

    Raises:
        ExtendedKeyError: an index outside 0..2^31-1, or a child that does not exist.
    """
    if start < 0 or count < 0 or start + count > HARDENED:
        raise ExtendedKeyError("Child indexes run from 0 to 2^31-1.")
    inner, outer = _hmac_sha512_pads(chain_code)
    add = PublicKey(public_key).add
    out: list[bytes] = []
    for index in range(start, start + count):
        h = inner()
        h.update(public_key + index.to_bytes(4, "big"))
        o = outer()
        o.update(h.digest())
        tweak = o.digest()[:32]  # I_L of BIP-32 CKDpub; I_R is the child's chain code
        try:
            out.append(add(tweak).format(compressed))
        except ValueError:  # pragma: no cover - tweak >= n or the point at infinity, 2^-127
            # BIP-32: "the resulting key is invalid, and one should proceed with the next
            # value for i"; a batch keeps one entry per index, so the caller learns of it.
            raise ExtendedKeyError(f"Child {index} of this key does not exist (BIP-32).") from None
    return out


def decode_extended_key(text: str) -> tuple[int, int, bytes, int, bytes, bytes]:
    """Decode a Base58Check extended key into its BIP-32 "Serialization format" fields.

    Returns:
        ``(version, depth, parent_fingerprint, child_number, chain_code, key_data)``, where
        ``key_data`` is the 33-byte public key or ``00`` followed by the private key.

    Raises:
        ExtendedKeyError: bad checksum or length, or a master key naming a parent or child
            number (BIP-32 test vector 5). The text is never echoed: it may be a private key.
    """
    try:
        raw = b58check_decode(text.strip())
    except Base58ChecksumError:
        raise ExtendedKeyError(
            "This extended key has a typo: its checksum does not match."
        ) from None
    except Base58Error:
        raise ExtendedKeyError(
            "This is not an extended key: it has characters outside Base58, or is too short."
        ) from None
    if len(raw) != 78:
        raise ExtendedKeyError(f"An extended key has 78 bytes; this one has {len(raw)}.")
    version = int.from_bytes(raw[:4], "big")
    depth = raw[4]
    parent = raw[5:9]
    child = int.from_bytes(raw[9:13], "big")
    if depth == 0 and (parent != b"\x00\x00\x00\x00" or child != 0):
        raise ExtendedKeyError(
            "The extended key says it is a master key but names a parent or child number."
        )
    return version, depth, parent, child, raw[13:45], raw[45:78]
