"""Output and account types of the UR registry: crypto-output and crypto-account.

BCR-2020-010 (``crypto-output`` 308 and the script expression tags 400-410) and BCR-2020-015
(``crypto-account`` 311), with the keys of ``primitives.ur.keys`` (re-exported here). Maps
are written with deterministic CBOR, as the documents' examples.

A ``crypto-output`` UR carries its script expressions as nested tags around the key, without
the 308 tag; inside a ``crypto-account`` each output is tagged 308.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from primitives.ur import cbor
from primitives.ur.cbor import CborValue, Tag
from primitives.ur.errors import RegistryError
from primitives.ur.keys import (
    TAG_COIN_INFO,
    TAG_ECKEY,
    TAG_HDKEY,
    TAG_KEYPATH,
    CoinInfo,
    ECKey,
    FieldMap,
    HDKey,
    Keypath,
    PathStep,
    decode_item,
    field_map,
    opt_int,
)
from primitives.ur.ur import UR

__all__ = [
    "SCRIPT_TAGS",
    "TAG_ACCOUNT",
    "TAG_COIN_INFO",
    "TAG_ECKEY",
    "TAG_HDKEY",
    "TAG_KEYPATH",
    "TAG_OUTPUT",
    "Account",
    "CoinInfo",
    "ECKey",
    "HDKey",
    "Keypath",
    "MultiKey",
    "Output",
    "PathStep",
    "account_from_ur",
    "hdkey_from_ur",
    "output_from_ur",
]

TAG_OUTPUT = 308
TAG_ACCOUNT = 311

SCRIPT_TAGS: Mapping[str, int] = MappingProxyType(
    {
        "sh": 400,
        "wsh": 401,
        "pk": 402,
        "pkh": 403,
        "wpkh": 404,
        "combo": 405,
        "multi": 406,
        "sortedmulti": 407,
        "raw": 408,
        "tr": 409,
        "cosigner": 410,
    }
)
_SCRIPT_NAMES = {tag: name for name, tag in SCRIPT_TAGS.items()}
_MULTI = ("multi", "sortedmulti")


def _key_item(key: HDKey | ECKey) -> Tag:
    return Tag(TAG_HDKEY if isinstance(key, HDKey) else TAG_ECKEY, key.to_item())


def _key_from(item: CborValue) -> HDKey | ECKey:
    if isinstance(item, Tag) and item.tag == TAG_HDKEY:
        return HDKey.from_item(item)
    if isinstance(item, Tag) and item.tag == TAG_ECKEY:
        return ECKey.from_item(item)
    raise RegistryError("An output's key is neither a crypto-hdkey nor a crypto-eckey.")


@dataclass(frozen=True, slots=True)
class MultiKey:
    """The keys of ``multi``/``sortedmulti``: a threshold and the keys."""

    threshold: int
    keys: tuple[HDKey | ECKey, ...]

    def to_item(self) -> FieldMap:
        """Return the (untagged) CBOR map ``{1: threshold, 2: [keys]}``."""
        return {1: self.threshold, 2: [_key_item(k) for k in self.keys]}


@dataclass(frozen=True, slots=True)
class Output:
    """A ``crypto-output``: script expressions, outermost first, around a key or keys."""

    scripts: tuple[str, ...]
    key: HDKey | ECKey | MultiKey

    def to_item(self) -> Tag:
        """Return the item a ``ur:crypto-output`` carries (script tags around the key)."""
        if isinstance(self.key, MultiKey):
            if not self.scripts or self.scripts[-1] not in _MULTI:
                raise RegistryError("Several keys need a multi or sortedmulti expression.")
            item = Tag(SCRIPT_TAGS[self.scripts[-1]], self.key.to_item())
            outer = self.scripts[:-1]
        else:
            item, outer = _key_item(self.key), self.scripts
        for name in reversed(outer):
            if name not in SCRIPT_TAGS:
                raise RegistryError(f"{name!r} is not a crypto-output script expression.")
            item = Tag(SCRIPT_TAGS[name], item)
        return item

    def cbor(self) -> bytes:
        """Return the CBOR a ``ur:crypto-output`` carries."""
        return cbor.encode(self.to_item())

    def ur(self) -> UR:
        """Return the output as a ``crypto-output`` UR."""
        return UR("crypto-output", self.cbor())

    @classmethod
    def from_item(cls, item: CborValue) -> Output:
        """Read a ``crypto-output`` (with or without its 308 tag).

        Raises:
            RegistryError: an unknown script tag, a missing key, a malformed multisig.
        """
        if isinstance(item, Tag) and item.tag == TAG_OUTPUT:
            item = item.value
        scripts: list[str] = []
        while isinstance(item, Tag) and item.tag in _SCRIPT_NAMES:
            name = _SCRIPT_NAMES[item.tag]
            scripts.append(name)
            if name in _MULTI:
                m = field_map(item.value, name)
                threshold = opt_int(m, 1, "multisig threshold", 16)
                keys = m.get(2)
                if not threshold or not isinstance(keys, list) or not 1 <= threshold <= len(keys):
                    raise RegistryError("A multisig crypto-output has a bad threshold or keys.")
                return cls(tuple(scripts), MultiKey(threshold, tuple(_key_from(k) for k in keys)))
            item = item.value
            if len(scripts) > 8:
                raise RegistryError("A crypto-output nests too many script expressions.")
        if not scripts:
            raise RegistryError("A crypto-output has no script expression.")
        return cls(tuple(scripts), _key_from(item))

    def descriptor(self) -> str:
        """Return the output descriptor text, without its checksum (BIP-380)."""
        if isinstance(self.key, MultiKey):
            keys = ",".join(k.descriptor_key() for k in self.key.keys)
            inner = f"{self.key.threshold},{keys}"
        else:
            inner = self.key.descriptor_key()
        for name in reversed(self.scripts):
            inner = f"{name}({inner})"
        return inner


@dataclass(frozen=True, slots=True)
class Account:
    """A ``crypto-account``: a master fingerprint and one output per script type."""

    master_fingerprint: int
    outputs: tuple[Output, ...]

    def cbor(self) -> bytes:
        """Return the CBOR a ``ur:crypto-account`` carries."""
        outputs: list[CborValue] = [Tag(TAG_OUTPUT, out.to_item()) for out in self.outputs]
        return cbor.encode({1: self.master_fingerprint, 2: outputs})

    def ur(self) -> UR:
        """Return the account as a ``crypto-account`` UR."""
        return UR("crypto-account", self.cbor())

    @classmethod
    def from_cbor(cls, data: bytes) -> Account:
        """Read a ``crypto-account`` from its CBOR.

        Raises:
            RegistryError: the CBOR is malformed or a field is missing.
        """
        m = field_map(decode_item(data, "crypto-account"), "crypto-account", TAG_ACCOUNT)
        fingerprint = opt_int(m, 1, "master fingerprint")
        outputs = m.get(2)
        if fingerprint is None or not isinstance(outputs, list):
            raise RegistryError("A crypto-account needs a master fingerprint and outputs.")
        return cls(fingerprint, tuple(Output.from_item(o) for o in outputs))


def _check_type(ur: UR, expected: str) -> None:
    if ur.type != expected:
        raise RegistryError(f"This UR is a {ur.type}, not a {expected}.")


def hdkey_from_ur(ur: UR) -> HDKey:
    """Return the key a ``crypto-hdkey`` UR carries.

    Raises:
        RegistryError: the UR is of another type or malformed.
    """
    _check_type(ur, "crypto-hdkey")
    return HDKey.from_item(decode_item(ur.cbor, "crypto-hdkey"))


def output_from_ur(ur: UR) -> Output:
    """Return the output a ``crypto-output`` UR carries.

    Raises:
        RegistryError: the UR is of another type or malformed.
    """
    _check_type(ur, "crypto-output")
    return Output.from_item(decode_item(ur.cbor, "crypto-output"))


def account_from_ur(ur: UR) -> Account:
    """Return the account a ``crypto-account`` UR carries.

    Raises:
        RegistryError: the UR is of another type or malformed.
    """
    _check_type(ur, "crypto-account")
    return Account.from_cbor(ur.cbor)
