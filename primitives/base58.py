"""Base58 and Base58Check (Bitcoin's legacy address and extended-key encoding)."""

from __future__ import annotations

from primitives.hashes import sha256d

__all__ = [
    "Base58ChecksumError",
    "Base58Error",
    "b58check_decode",
    "b58check_encode",
    "b58decode",
    "b58encode",
]

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}


class Base58Error(ValueError):
    """Text that is not valid Base58 or Base58Check."""


class Base58ChecksumError(Base58Error):
    """Valid Base58 whose Base58Check checksum does not match (most often a typo)."""


def b58encode(data: bytes) -> str:
    """Encode bytes as Base58, keeping leading zero bytes as ``1``."""
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, rem = divmod(number, 58)
        digits.append(_ALPHABET[rem])
    pad = len(data) - len(data.lstrip(b"\x00"))
    return "1" * pad + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    """Decode Base58 text.

    Raises:
        Base58Error: a character outside the alphabet.
    """
    number = 0
    for ch in text:
        value = _INDEX.get(ch)
        if value is None:
            raise Base58Error(f"{ch!r} is not a Base58 character")
        number = number * 58 + value
    pad = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * pad + body


def b58check_encode(payload: bytes) -> str:
    """Encode with a 4-byte double-SHA-256 checksum."""
    return b58encode(payload + sha256d(payload)[:4])


def b58check_decode(text: str) -> bytes:
    """Decode Base58Check and verify its checksum.

    Raises:
        Base58ChecksumError: the checksum does not match.
        Base58Error: bad characters, or too short to hold a checksum.
    """
    raw = b58decode(text)
    if len(raw) < 4:  # an empty payload is valid, as in Bitcoin Core's DecodeBase58Check
        raise Base58Error("too short for Base58Check")
    payload, checksum = raw[:-4], raw[-4:]
    if sha256d(payload)[:4] != checksum:
        raise Base58ChecksumError("the Base58Check checksum does not match")
    return payload
