"""EIP-712 typed structured data: parsing, ``encodeType``, ``hashStruct`` and the digest.

A document is the JSON that ``eth_signTypedData_v4`` takes: ``types`` (each struct a list of
``{"name", "type"}`` members), ``primaryType``, ``domain`` and ``message``. The digest is
``keccak256(0x19 0x01 || domainSeparator || hashStruct(primaryType, message))`` where
``domainSeparator = hashStruct("EIP712Domain", domain)``; a document whose primary type is
``EIP712Domain`` itself signs ``keccak256(0x19 0x01 || domainSeparator)``.

``encodeType`` is the struct's own signature followed by every struct it refers to (through
members or arrays, to any depth) in alphabetical order. ``encodeData`` encodes each member in
32 bytes: atomic values (``bool``, ``address``, ``uintN``, ``intN``, ``bytesN``) as in the
ABI, ``string`` and ``bytes`` as the Keccak-256 of their content, a struct as its
``hashStruct``, and an array (``T[]`` or ``T[n]``) as the Keccak-256 of its elements'
encodings concatenated.

Values follow what wallets accept: integers as JSON numbers or decimal / ``0x`` hex strings,
bytes as ``0x`` hex, booleans as JSON booleans. Anything else is refused with
``Eip712Error`` naming the member: a missing type, a missing or extra-long value, a number out
of range. The member types are parsed once per document, so hashing many messages of one
shape costs only the encoding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from primitives.hashes import keccak256

__all__ = [
    "DOMAIN_FIELDS",
    "Eip712Error",
    "TypedData",
    "encode_type",
    "hash_struct",
    "parse_typed_data",
    "typed_data_digest",
]

DOMAIN_FIELDS = (
    ("name", "string"),
    ("version", "string"),
    ("chainId", "uint256"),
    ("verifyingContract", "address"),
    ("salt", "bytes32"),
)
"""The ``EIP712Domain`` members in the order the EIP lists them (used when ``types`` omits it)."""

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")
_ARRAY = re.compile(r"(.*)\[(\d*)\]\Z")
_ATOMIC = re.compile(r"(bool|address|string|bytes|(u?int)(\d*)|bytes(\d+))\Z")
_EMPTY_ARRAY = keccak256(b"")


class Eip712Error(ValueError):
    """A typed-data document that is malformed, or a value that does not fit its type."""


@dataclass(frozen=True, slots=True)
class TypedData:
    """A parsed EIP-712 document.

    Attributes:
        types: each struct's members as ``(name, type)`` pairs, ``EIP712Domain`` included.
        primary_type: the struct ``message`` is.
        domain: the domain values.
        message: the message values.
    """

    types: Mapping[str, tuple[tuple[str, str], ...]]
    primary_type: str
    domain: Mapping[str, object]
    message: Mapping[str, object]

    @property
    def chain_id(self) -> int | None:
        """Return the domain's ``chainId``, if it has one."""
        if "chainId" not in self.domain:
            return None
        return _uint(self.domain["chainId"], 256, "domain.chainId")

    @property
    def verifying_contract(self) -> str | None:
        """Return the domain's ``verifyingContract`` as given, if it has one."""
        value = self.domain.get("verifyingContract")
        return value if isinstance(value, str) else None


def _base_type(type_: str) -> str:
    while (match := _ARRAY.match(type_)) is not None:
        type_ = match.group(1)
    return type_


def _check_atomic(type_: str) -> bool:
    match = _ATOMIC.match(type_)
    if match is None:
        return False
    if match.group(2) is not None:
        bits = match.group(3)
        return bits == "" or (bits.isdigit() and 8 <= int(bits) <= 256 and int(bits) % 8 == 0)
    if match.group(4) is not None:
        return 1 <= int(match.group(4)) <= 32
    return True


def _parse_types(raw: object) -> dict[str, tuple[tuple[str, str], ...]]:
    if not isinstance(raw, dict) or not raw:
        raise Eip712Error("it has no 'types' object.")
    types: dict[str, tuple[tuple[str, str], ...]] = {}
    for name, members in raw.items():
        if not isinstance(name, str) or not _IDENT.match(name):
            raise Eip712Error(f"The type name {name!r} is not an identifier.")
        if not isinstance(members, list):
            raise Eip712Error(f"The type {name} is not a list of members.")
        seen: set[str] = set()
        parsed: list[tuple[str, str]] = []
        for member in members:
            if not isinstance(member, dict) or not isinstance(member.get("name"), str):
                raise Eip712Error(f"A member of {name} has no name.")
            if not isinstance(member.get("type"), str):
                raise Eip712Error(f"The member {name}.{member['name']} has no type.")
            if member["name"] in seen:
                raise Eip712Error(f"The type {name} has two members named {member['name']}.")
            seen.add(member["name"])
            parsed.append((member["name"], member["type"].strip()))
        types[name] = tuple(parsed)
    for name, members in types.items():
        for member, type_ in members:
            base = _base_type(type_)
            if base not in types and not _check_atomic(base):
                raise Eip712Error(f"The member {name}.{member} has an unknown type {type_!r}.")
    return types


def parse_typed_data(document: bytes | str | Mapping[str, object]) -> TypedData:
    """Parse an EIP-712 document (JSON text or an already-decoded object).

    Raises:
        Eip712Error: not JSON, a missing part, a malformed or unknown type, or a primary type
            that is not defined.
    """
    if isinstance(document, (bytes, str)):
        try:
            decoded = json.loads(document)
        except (ValueError, UnicodeDecodeError) as err:
            raise Eip712Error(f"it is not JSON ({err}).") from None
    else:
        decoded = document
    if not isinstance(decoded, Mapping):
        raise Eip712Error("it is not a JSON object.")
    types = _parse_types(decoded.get("types"))
    domain = decoded.get("domain", {})
    if not isinstance(domain, Mapping):
        raise Eip712Error("its 'domain' is not an object.")
    if "EIP712Domain" not in types:
        types["EIP712Domain"] = tuple((n, t) for n, t in DOMAIN_FIELDS if n in domain)
    primary = decoded.get("primaryType")
    if not isinstance(primary, str) or primary not in types:
        raise Eip712Error(f"The primary type {primary!r} is not defined in 'types'.")
    message = decoded.get("message", {})
    if not isinstance(message, Mapping):
        raise Eip712Error("its 'message' is not an object.")
    return TypedData(types, primary, domain, message)


def encode_type(primary: str, types: Mapping[str, Sequence[tuple[str, str]]]) -> str:
    """Return ``encodeType``: the struct then its dependencies in alphabetical order."""
    deps: set[str] = set()
    stack = [primary]
    while stack:
        for _name, type_ in types[stack.pop()]:
            base = _base_type(type_)
            if base in types and base not in deps and base != primary:
                deps.add(base)
                stack.append(base)
    return "".join(
        f"{name}({','.join(f'{t} {n}' for n, t in types[name])})"
        for name in (primary, *sorted(deps))
    )


def _uint(value: object, bits: int, where: str) -> int:
    number = _integer(value, where)
    if not 0 <= number < 1 << bits:
        raise Eip712Error(f"{where} is out of range for uint{bits}.")
    return number


def _integer(value: object, where: str) -> int:
    if isinstance(value, bool):
        raise Eip712Error(f"{where} is a boolean, not a number.")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if text[:2] in ("0x", "0X"):
                return int(text, 16)
            if text[:3] in ("-0x", "-0X"):
                return -int(text[1:], 16)
            return int(text, 10)
        except ValueError:
            pass
    raise Eip712Error(f"{where} is not a whole number.")


def _hex_bytes(value: object, where: str) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str) and value[:2] in ("0x", "0X"):
        try:
            return bytes.fromhex(value[2:] if len(value) % 2 == 0 else "0" + value[2:])
        except ValueError:
            pass
    raise Eip712Error(f"{where} is not 0x-prefixed hex.")


class _Encoder:
    """Encode values of one document's types, with each type hash computed once."""

    __slots__ = ("_hashes", "_types")

    def __init__(self, types: Mapping[str, Sequence[tuple[str, str]]]) -> None:
        self._types = types
        self._hashes: dict[str, bytes] = {}

    def type_hash(self, name: str) -> bytes:
        cached = self._hashes.get(name)
        if cached is None:
            cached = keccak256(encode_type(name, self._types).encode())
            self._hashes[name] = cached
        return cached

    def struct(self, name: str, value: object, where: str) -> bytes:
        if not isinstance(value, Mapping):
            raise Eip712Error(f"{where} is not an object of type {name}.")
        parts = [self.type_hash(name)]
        for member, type_ in self._types[name]:
            if member not in value:
                raise Eip712Error(f"{where}.{member} is missing.")
            parts.append(self.value(type_, value[member], f"{where}.{member}"))
        return keccak256(b"".join(parts))

    def value(self, type_: str, value: object, where: str) -> bytes:
        if type_ in self._types:
            return self.struct(type_, value, where)
        array = _ARRAY.match(type_)
        if array is not None:
            if not isinstance(value, (list, tuple)):
                raise Eip712Error(f"{where} is not an array.")
            size = array.group(2)
            if size and int(size) != len(value):
                raise Eip712Error(f"{where} has {len(value)} elements, not {size}.")
            if not value:
                return _EMPTY_ARRAY
            inner = array.group(1)
            return keccak256(
                b"".join(self.value(inner, item, f"{where}[{i}]") for i, item in enumerate(value))
            )
        return _atomic(type_, value, where)


def _atomic(type_: str, value: object, where: str) -> bytes:
    if type_ == "string":
        if not isinstance(value, str):
            raise Eip712Error(f"{where} is not a string.")
        return keccak256(value.encode())
    if type_ == "bytes":
        return keccak256(_hex_bytes(value, where))
    if type_ == "address":
        raw = _hex_bytes(value, where) if isinstance(value, str) else b""
        if not isinstance(value, str) or len(value) != 42 or len(raw) != 20:
            raise Eip712Error(f"{where} is not an address (0x and 40 hex digits).")
        return bytes(12) + raw
    if type_ == "bool":
        if not isinstance(value, bool):
            raise Eip712Error(f"{where} is not true or false.")
        return bytes(31) + (b"\x01" if value else b"\x00")
    if type_.startswith("bytes"):
        size = int(type_[5:])
        raw = _hex_bytes(value, where)
        if len(raw) > size:
            raise Eip712Error(f"{where} is longer than {size} bytes.")
        return raw + bytes(32 - len(raw))
    signed = type_.startswith("int")
    bits = int(type_[3 if signed else 4 :] or 256)
    number = _integer(value, where)
    low, high = (-(1 << (bits - 1)), 1 << (bits - 1)) if signed else (0, 1 << bits)
    if not low <= number < high:
        raise Eip712Error(f"{where} is out of range for {type_}.")
    return number.to_bytes(32, "big", signed=True) if signed else number.to_bytes(32, "big")


def hash_struct(name: str, types: Mapping[str, Sequence[tuple[str, str]]], value: object) -> bytes:
    """Return ``hashStruct(value)`` for the struct type ``name``.

    Raises:
        Eip712Error: a member is missing or a value does not fit its type.
    """
    return _Encoder(types).struct(name, value, name)


def typed_data_digest(data: TypedData) -> bytes:
    """Return the 32-byte digest an EIP-712 signature signs.

    Raises:
        Eip712Error: a member is missing or a value does not fit its type.
    """
    encoder = _Encoder(data.types)
    separator = encoder.struct("EIP712Domain", data.domain, "domain")
    if data.primary_type == "EIP712Domain":
        return keccak256(b"\x19\x01" + separator)
    return keccak256(
        b"\x19\x01" + separator + encoder.struct(data.primary_type, data.message, "message")
    )
