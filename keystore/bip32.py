"""BIP-32 hierarchical deterministic keys on libsecp256k1 (coincurve).

Public child derivation is the hot path of address discovery: the parent's serialized key is
kept, HMAC-SHA512 runs through ``hmac.digest`` (one C call) and the point addition is one
``secp256k1_ec_pubkey_tweak_add``. ``ExtendedPrivateKey`` never shows its key in a repr and
cannot be pickled.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NoReturn

from coincurve import PrivateKey, PublicKey

from keystore.errors import InvalidExtendedKey, InvalidPath
from primitives.base58 import Base58Error, b58check_decode, b58check_encode
from primitives.hashes import hash160

__all__ = [
    "HARDENED",
    "ExtendedPrivateKey",
    "ExtendedPublicKey",
    "format_path",
    "parse_path",
]

HARDENED = 0x80000000
_CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_XPRV = 0x0488ADE4
_PATH_STEP = re.compile(r"^(\d+)(['hH]?)$")


def parse_path(text: str) -> tuple[int, ...]:
    """Parse a derivation path such as ``m/84'/0'/0'/0/5`` (``h`` or ``'`` marks hardened).

    Raises:
        InvalidPath: malformed text, or an index outside 0..2^31-1.
    """
    stripped = text.strip()
    parts = stripped.split("/")
    if parts and parts[0] in ("m", "M"):
        parts = parts[1:]
    if parts == [""]:
        parts = []
    result = []
    for position, part in enumerate(parts, start=1):
        match = _PATH_STEP.match(part)
        if not match:
            # The step is not echoed: people paste the wrong thing into path fields, and an
            # error message must never carry a recovery phrase into a log.
            raise InvalidPath(
                f"Step {position} of the derivation path is not a number with an optional ' or h."
            )
        index = int(match.group(1))
        if index >= HARDENED:
            raise InvalidPath(
                f"Step {position} of the derivation path is out of range: indexes run from 0 to "
                "2147483647."
            )
        result.append(index + HARDENED if match.group(2) else index)
    return tuple(result)


def format_path(path: Iterable[int]) -> str:
    """Format a path as ``m/84'/0'/0'/0/5``."""
    steps = [f"{i - HARDENED}'" if i >= HARDENED else str(i) for i in path]
    return "/".join(["m", *steps])


def _ser32(i: int) -> bytes:
    return i.to_bytes(4, "big")


@dataclass(frozen=True, slots=True)
class ExtendedPublicKey:
    """A BIP-32 extended public key: compressed point plus chain code and its place in the tree."""

    depth: int
    parent_fingerprint: bytes
    child_number: int
    chain_code: bytes
    public_key: bytes

    @property
    def fingerprint(self) -> bytes:
        """Return the key's fingerprint: the first 4 bytes of HASH160 of its public key."""
        return hash160(self.public_key)[:4]

    def child(self, index: int) -> ExtendedPublicKey:
        """Derive a non-hardened child (BIP-32, public parent to public child).

        Raises:
            InvalidPath: a hardened index, which needs the private key.
        """
        if not 0 <= index < HARDENED:
            raise InvalidPath("A public key can only derive non-hardened children (0..2^31-1).")
        digest = hmac.digest(self.chain_code, self.public_key + _ser32(index), "sha512")
        tweak = digest[:32]
        if int.from_bytes(tweak, "big") >= _CURVE_ORDER:  # pragma: no cover - probability 2^-127
            return self.child(index + 1)
        point = PublicKey(self.public_key).add(tweak)
        return ExtendedPublicKey(
            self.depth + 1, self.fingerprint, index, digest[32:], point.format(compressed=True)
        )

    def derive_path(self, path: Iterable[int]) -> ExtendedPublicKey:
        """Derive along a path of non-hardened steps."""
        key = self
        for index in path:
            key = key.child(index)
        return key

    def child_pubkeys(self, start: int, count: int) -> list[bytes]:
        """Return the 33-byte public keys of children ``start`` .. ``start + count - 1``."""
        return [p.format(compressed=True) for p in self._child_points(start, count)]

    def child_pubkeys_uncompressed(self, start: int, count: int) -> list[bytes]:
        """Return the 65-byte uncompressed public keys of the children (for EVM addresses)."""
        return [p.format(compressed=False) for p in self._child_points(start, count)]

    def _child_points(self, start: int, count: int) -> list[PublicKey]:
        if start < 0 or count < 0 or start + count > HARDENED:
            raise InvalidPath("Child indexes run from 0 to 2^31-1.")
        chain_code = self.chain_code
        parent_bytes = self.public_key
        parent = PublicKey(parent_bytes)
        digest = hmac.digest
        out = []
        for index in range(start, start + count):
            tweak = digest(chain_code, parent_bytes + index.to_bytes(4, "big"), "sha512")[:32]
            out.append(parent.add(tweak))
        return out

    def serialize(self, version: int) -> str:
        """Return the Base58Check serialisation with a 4-byte ``version`` (xpub, zpub, ...)."""
        return b58check_encode(
            _ser32(version)
            + bytes([self.depth])
            + self.parent_fingerprint
            + _ser32(self.child_number)
            + self.chain_code
            + self.public_key
        )

    @classmethod
    def parse(
        cls, text: str, versions: Iterable[int] | None = None
    ) -> tuple[ExtendedPublicKey, int]:
        """Parse a serialised extended public key; return it and its version.

        Args:
            text: the Base58Check text.
            versions: the accepted version prefixes; ``None`` accepts any.

        Raises:
            InvalidExtendedKey: bad checksum, length, version, point, or depth/fingerprint.
        """
        version, depth, parent, child, chain_code, key = _parse(text)
        if versions is not None and version not in set(versions):
            raise InvalidExtendedKey(
                "This extended key is for another network or account type (its prefix does "
                "not match)."
            )
        if key[0] not in (2, 3):
            raise InvalidExtendedKey("This is not an extended public key (it holds no public key).")
        try:
            PublicKey(key)
        except ValueError:
            raise InvalidExtendedKey(
                "The extended public key's point is not on the curve."
            ) from None
        return cls(depth, parent, child, chain_code, key), version


def _parse(text: str) -> tuple[int, int, bytes, int, bytes, bytes]:
    try:
        raw = b58check_decode(text.strip())
    except Base58Error as err:
        raise InvalidExtendedKey(f"This is not a valid extended key: {err}.") from None
    if len(raw) != 78:
        raise InvalidExtendedKey(f"An extended key has 78 bytes; this one has {len(raw)}.")
    version = int.from_bytes(raw[:4], "big")
    depth = raw[4]
    parent = raw[5:9]
    child = int.from_bytes(raw[9:13], "big")
    if depth == 0 and (parent != b"\x00\x00\x00\x00" or child != 0):
        raise InvalidExtendedKey(
            "The extended key says it is a master key but names a parent or child number."
        )
    return version, depth, parent, child, raw[13:45], raw[45:78]


class ExtendedPrivateKey:
    """A BIP-32 extended private key. Its key material never shows in text and never pickles."""

    __slots__ = (
        "_chain_code",
        "_child_number",
        "_depth",
        "_parent_fingerprint",
        "_private",
        "_public",
    )

    def __init__(
        self,
        private_key: bytes,
        chain_code: bytes,
        depth: int = 0,
        parent_fingerprint: bytes = b"\x00\x00\x00\x00",
        child_number: int = 0,
    ) -> None:
        """Wrap raw key material (use ``from_seed`` or ``parse``).

        Raises:
            InvalidExtendedKey: the key is zero or not below the curve order.
        """
        if not 0 < int.from_bytes(private_key, "big") < _CURVE_ORDER or len(private_key) != 32:
            raise InvalidExtendedKey("The private key is outside the valid range.")
        self._private = PrivateKey(private_key)
        self._public = self._private.public_key.format(compressed=True)
        self._chain_code = chain_code
        self._depth = depth
        self._parent_fingerprint = parent_fingerprint
        self._child_number = child_number

    def __repr__(self) -> str:
        return f"<ExtendedPrivateKey depth={self._depth} redacted>"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("ExtendedPrivateKey cannot be pickled")

    @classmethod
    def from_seed(cls, seed: bytes) -> ExtendedPrivateKey:
        """Derive the master key from a seed (BIP-32, master key generation).

        Raises:
            InvalidExtendedKey: the seed is not 16 to 64 bytes, or yields an invalid key.
        """
        if not 16 <= len(seed) <= 64:
            raise InvalidExtendedKey("A BIP-32 seed has 16 to 64 bytes.")
        digest = hmac.digest(b"Bitcoin seed", seed, "sha512")
        return cls(digest[:32], digest[32:])

    @property
    def private_key(self) -> bytes:
        """Return the 32-byte private key; keep it inside the keystore."""
        return self._private.secret

    @property
    def public_key(self) -> bytes:
        """Return the compressed public key."""
        return self._public

    @property
    def depth(self) -> int:
        """Return the depth in the tree (0 for the master key)."""
        return self._depth

    @property
    def fingerprint(self) -> bytes:
        """Return the key's fingerprint (first 4 bytes of HASH160 of its public key)."""
        return hash160(self._public)[:4]

    def child(self, index: int) -> ExtendedPrivateKey:
        """Derive a child (BIP-32, private parent to private child); hardened from 2^31.

        Raises:
            InvalidPath: an index beyond 2^32-1.
        """
        if not 0 <= index <= 0xFFFFFFFF:
            raise InvalidPath("Child indexes run from 0 to 2^32-1.")
        if index >= HARDENED:
            data = b"\x00" + self._private.secret + _ser32(index)
        else:
            data = self._public + _ser32(index)
        digest = hmac.digest(self._chain_code, data, "sha512")
        tweak = int.from_bytes(digest[:32], "big")
        key = (tweak + self._private.to_int()) % _CURVE_ORDER
        if tweak >= _CURVE_ORDER or key == 0:  # pragma: no cover - probability 2^-127
            return self.child(index + 1)
        return ExtendedPrivateKey(
            key.to_bytes(32, "big"), digest[32:], self._depth + 1, self.fingerprint, index
        )

    def derive_path(self, path: Iterable[int]) -> ExtendedPrivateKey:
        """Derive along a path of (hardened or not) steps."""
        key = self
        for index in path:
            key = key.child(index)
        return key

    def public(self) -> ExtendedPublicKey:
        """Return the matching extended public key (BIP-32 "neuter")."""
        return ExtendedPublicKey(
            self._depth,
            self._parent_fingerprint,
            self._child_number,
            self._chain_code,
            self._public,
        )

    def serialize(self, version: int = _XPRV) -> str:
        """Return the Base58Check serialisation (``xprv``...). Dangerous: it is the key."""
        return b58check_encode(
            _ser32(version)
            + bytes([self._depth])
            + self._parent_fingerprint
            + _ser32(self._child_number)
            + self._chain_code
            + b"\x00"
            + self._private.secret
        )

    @classmethod
    def parse(cls, text: str, versions: Iterable[int] | None = None) -> ExtendedPrivateKey:
        """Parse a serialised extended private key.

        Raises:
            InvalidExtendedKey: bad checksum, length, version, key range or prefix byte.
        """
        version, depth, parent, child, chain_code, key = _parse(text)
        if versions is not None and version not in set(versions):
            raise InvalidExtendedKey("This extended key is for another network or account type.")
        if key[0] != 0:
            raise InvalidExtendedKey("This is not an extended private key (bad key prefix).")
        return cls(key[1:], chain_code, depth, parent, child)
