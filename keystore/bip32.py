"""BIP-32 hierarchical deterministic keys on libsecp256k1 (coincurve).

Public child derivation is the hot path of address discovery. For a run of children of one
parent, HMAC-SHA512 is keyed once (the inner and outer SHA-512 states of RFC 2104 are hashed
once and copied per child, which costs half of ``hmac.digest`` with its per-call key setup),
the parent point is parsed once, and each child is one ``secp256k1_ec_pubkey_tweak_add``.
``ExtendedPrivateKey`` never shows its key in a repr and cannot be pickled.

Serialised keys are checked as BIP-32 "Serialization format" and its test vector 5 require:
the version must be a known public (or private) one, the key byte must match it, a master
key has no parent or child number, and the point or scalar must be valid.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NoReturn

from coincurve import PrivateKey, PublicKey

from keystore.errors import InvalidExtendedKey, InvalidPath
from primitives.base58 import b58check_encode
from primitives.bip32 import HARDENED, ExtendedKeyError, child_pubkeys, ckd_pub, decode_extended_key
from primitives.hashes import hash160
from primitives.secp256k1 import CURVE_ORDER

__all__ = [
    "HARDENED",
    "KNOWN_VERSIONS",
    "ExtendedPrivateKey",
    "ExtendedPublicKey",
    "format_path",
    "parse_path",
]

_XPRV = 0x0488ADE4
_PATH_STEP = re.compile(r"^(\d+)(['hH]?)$")

KNOWN_VERSIONS: Mapping[int, int] = MappingProxyType(
    {
        # BIP-32 "Serialization format": xpub/xprv, tpub/tprv.
        0x0488B21E: 0x0488ADE4,
        0x043587CF: 0x04358394,
        # SLIP-132 "Registered HD version bytes": Bitcoin and its testnet.
        0x049D7CB2: 0x049D7878,  # ypub / yprv
        0x04B24746: 0x04B2430C,  # zpub / zprv
        0x0295B43F: 0x0295B005,  # Ypub / Yprv
        0x02AA7ED3: 0x02AA7A99,  # Zpub / Zprv
        0x044A5262: 0x044A4E28,  # upub / uprv
        0x045F1CF6: 0x045F18BC,  # vpub / vprv
        0x024289EF: 0x024285B5,  # Upub / Uprv
        0x02575483: 0x02575048,  # Vpub / Vprv
        # SLIP-132: Litecoin and its testnet.
        0x019DA462: 0x019D9CFE,  # Ltub / Ltpv
        0x01B26EF6: 0x01B26792,  # Mtub / Mtpv
        0x0436F6E1: 0x0436EF7D,  # ttub / ttpv
        # Dogecoin Core chainparams (EXT_PUBLIC_KEY / EXT_SECRET_KEY): dgub, and testnet tgub.
        0x02FACAFD: 0x02FAC398,
        0x0432A9A8: 0x0432A243,
    }
)
"""Extended-key versions Coffer knows: public version to the matching private version.

``parse`` without explicit ``versions`` accepts exactly these (public ones for
``ExtendedPublicKey``, private ones for ``ExtendedPrivateKey``); BIP-32 test vector 5 requires
an unknown version to be refused. The network registry's versions are a subset (a test checks).
"""
_PUBLIC_VERSIONS = frozenset(KNOWN_VERSIONS)
_PRIVATE_VERSIONS = frozenset(KNOWN_VERSIONS.values())


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
        try:
            key, chain_code = ckd_pub(self.public_key, self.chain_code, index)
        except ExtendedKeyError as err:  # pragma: no cover - probability 2^-127
            raise InvalidPath(str(err)) from None
        return ExtendedPublicKey(self.depth + 1, self.fingerprint, index, chain_code, key)

    def derive_path(self, path: Iterable[int]) -> ExtendedPublicKey:
        """Derive along a path of non-hardened steps."""
        key = self
        for index in path:
            key = key.child(index)
        return key

    def child_pubkeys(self, start: int, count: int) -> list[bytes]:
        """Return the 33-byte public keys of children ``start`` .. ``start + count - 1``.

        Raises:
            InvalidPath: an index outside 0..2^31-1.
        """
        return self._child_keys(start, count, compressed=True)

    def child_pubkeys_uncompressed(self, start: int, count: int) -> list[bytes]:
        """Return the 65-byte uncompressed public keys of the children (for EVM addresses).

        Raises:
            InvalidPath: an index outside 0..2^31-1.
        """
        return self._child_keys(start, count, compressed=False)

    def _child_keys(self, start: int, count: int, compressed: bool) -> list[bytes]:
        """Return the serialised child keys ``start`` .. ``start + count - 1`` (BIP-32 CKDpub).

        Each point is serialised as soon as it is made: no list of 5,000 point objects.

        Raises:
            InvalidPath: an index outside 0..2^31-1.
        """
        try:
            return child_pubkeys(self.public_key, self.chain_code, start, count, compressed)
        except ExtendedKeyError as err:
            raise InvalidPath(str(err)) from None

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
            versions: the accepted version prefixes; ``None`` accepts every public version in
                ``KNOWN_VERSIONS``.

        Raises:
            InvalidExtendedKey: bad checksum, length or version, a private key, a point not on
                the curve, or a master key naming a parent (BIP-32 test vector 5).
        """
        version, depth, parent, child, chain_code, key = _parse(text)
        if version in _PRIVATE_VERSIONS:
            raise InvalidExtendedKey(
                "This is an extended private key; an extended public key was expected."
            )
        accepted = _PUBLIC_VERSIONS if versions is None else frozenset(versions)
        if version not in accepted:
            raise InvalidExtendedKey(
                "This extended key is for another network or account type (its prefix does "
                "not match)."
                if version in _PUBLIC_VERSIONS
                else "This extended key has an unknown version prefix."
            )
        if key[0] == 0:
            raise InvalidExtendedKey(
                "This extended key's version says public, but it holds a private key."
            )
        if key[0] not in (2, 3):
            raise InvalidExtendedKey(
                "The extended public key does not hold a compressed public key (its key "
                "prefix is wrong)."
            )
        try:
            PublicKey(key)
        except ValueError:
            raise InvalidExtendedKey(
                "The extended public key's point is not on the curve."
            ) from None
        return cls(depth, parent, child, chain_code, key), version


def _parse(text: str) -> tuple[int, int, bytes, int, bytes, bytes]:
    # The layout is decoded in primitives.bip32 (one copy); its errors never echo the text.
    try:
        return decode_extended_key(text)
    except ExtendedKeyError as err:
        raise InvalidExtendedKey(str(err)) from None


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
        if not 0 < int.from_bytes(private_key, "big") < CURVE_ORDER or len(private_key) != 32:
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
        key = (tweak + self._private.to_int()) % CURVE_ORDER
        if tweak >= CURVE_ORDER or key == 0:  # pragma: no cover - probability 2^-127
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

        Args:
            text: the Base58Check text.
            versions: the accepted version prefixes; ``None`` accepts every private version in
                ``KNOWN_VERSIONS``.

        Raises:
            InvalidExtendedKey: bad checksum, length or version, a public key, a key byte
                other than 0, a scalar outside 1..n-1, or a master key naming a parent
                (BIP-32 test vector 5).
        """
        version, depth, parent, child, chain_code, key = _parse(text)
        if version in _PUBLIC_VERSIONS:
            raise InvalidExtendedKey(
                "This is an extended public key; an extended private key was expected."
            )
        accepted = _PRIVATE_VERSIONS if versions is None else frozenset(versions)
        if version not in accepted:
            raise InvalidExtendedKey(
                "This extended key is for another network or account type."
                if version in _PRIVATE_VERSIONS
                else "This extended key has an unknown version prefix."
            )
        if key[0] in (2, 3):
            raise InvalidExtendedKey(
                "This extended key's version says private, but it holds a public key."
            )
        if key[0] != 0:
            raise InvalidExtendedKey("This is not an extended private key (bad key prefix).")
        return cls(key[1:], chain_code, depth, parent, child)
