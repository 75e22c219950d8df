"""Recursive Length Prefix (RLP), Ethereum's serialisation of byte strings and lists.

Encoding follows the Ethereum Yellow Paper, appendix B ("Recursive Length Prefix"): a byte
string is itself when it is one byte below 0x80, else a length prefix and the bytes; a list
is a length prefix and the concatenated encodings of its items. Integers are encoded as their
big-endian bytes without leading zeros (zero is the empty string).

Decoding is strict, so that one transaction has exactly one encoding: a single byte below
0x80 must not carry a prefix, lengths have no leading zeros, the long form is used only from
56 bytes on, and nothing may follow the item. Every violation is an ``RlpError``.

The encoder is on the hot path of EVM signing, so the common cases (short strings, small
integers) take the fewest Python steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

__all__ = [
    "RlpError",
    "RlpItem",
    "decode",
    "decode_int",
    "encode",
    "encode_bytes",
    "encode_int",
    "encode_list",
    "list_prefix",
]

RlpItem: TypeAlias = "bytes | bytearray | int | Sequence[RlpItem]"
"""What ``encode`` accepts: bytes, a non-negative int, or a list or tuple of items."""

_SHORT_BYTES = tuple(bytes([0x80 + n]) for n in range(56))
_SMALL_INTS = tuple(bytes([n]) if n else b"\x80" for n in range(128))


class RlpError(ValueError):
    """Bytes that are not canonical RLP, or a value RLP cannot carry."""


def _length_prefix(length: int, offset: int) -> bytes:
    if length < 56:
        return bytes([offset + length])
    size = (length.bit_length() + 7) // 8
    return bytes([offset + 55 + size]) + length.to_bytes(size, "big")


def encode_bytes(data: bytes | bytearray) -> bytes:
    """Return the RLP encoding of one byte string."""
    n = len(data)
    if n == 1 and data[0] < 0x80:
        return bytes(data)
    if n < 56:
        return _SHORT_BYTES[n] + data
    return _length_prefix(n, 0x80) + data


def encode_int(value: int) -> bytes:
    """Return the RLP encoding of a non-negative integer (big-endian, no leading zeros).

    Raises:
        RlpError: a negative number, or a bool.
    """
    if value < 128:
        if value < 0 or value is True or value is False:
            raise RlpError("RLP integers are non-negative numbers")
        return _SMALL_INTS[value]
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    n = len(raw)
    return (_SHORT_BYTES[n] if n < 56 else _length_prefix(n, 0x80)) + raw


def list_prefix(payload_length: int) -> bytes:
    """Return the prefix of a list whose items' encodings take ``payload_length`` bytes."""
    return _length_prefix(payload_length, 0xC0)


def encode_list(encoded_items: Sequence[bytes]) -> bytes:
    """Return the RLP list of items that are already encoded."""
    payload = b"".join(encoded_items)
    return _length_prefix(len(payload), 0xC0) + payload


def encode(item: RlpItem) -> bytes:
    """Return the RLP encoding of bytes, a non-negative int, or a (nested) list of those.

    Raises:
        RlpError: a negative number or a value of another type.
    """
    if isinstance(item, bytes | bytearray):
        return encode_bytes(item)
    if isinstance(item, int):
        if isinstance(item, bool):
            raise RlpError("RLP carries no booleans; encode 0 or 1")
        return encode_int(item)
    if isinstance(item, list | tuple):
        return encode_list([encode(x) for x in item])
    raise RlpError(f"RLP cannot encode a {type(item).__name__}")


def decode_int(data: bytes) -> int:
    """Return the integer a decoded byte string holds (big-endian, canonical).

    Raises:
        RlpError: the bytes have a leading zero (a non-canonical integer).
    """
    if data[:1] == b"\x00":
        raise RlpError("an RLP integer has a leading zero byte")
    return int.from_bytes(data, "big")


def decode(data: bytes) -> bytes | list[object]:
    """Decode one canonical RLP item that spans all of ``data``.

    Returns:
        ``bytes`` for a string, a ``list`` (of ``bytes`` and lists) for a list.

    Raises:
        RlpError: truncated or trailing data, or a non-canonical encoding.
    """
    item, end = _decode_at(bytes(data), 0, 0)
    if end != len(data):
        raise RlpError(f"{len(data) - end} bytes follow the RLP item")
    return item


_MAX_DEPTH = 64


def _header(data: bytes, pos: int) -> tuple[bool, int, int]:
    """Return (is_list, payload start, payload length) of the item at ``pos``."""
    if pos >= len(data):
        raise RlpError("the RLP data ends before an item")
    first = data[pos]
    if first < 0x80:
        return False, pos, 1
    if first < 0xB8:
        length = first - 0x80
        if length == 1 and pos + 1 < len(data) and data[pos + 1] < 0x80:
            raise RlpError("a single byte below 0x80 must be encoded as itself")
        return False, pos + 1, length
    if first < 0xC0:
        return False, *_long_length(data, pos, first - 0xB7)
    if first < 0xF8:
        return True, pos + 1, first - 0xC0
    return True, *_long_length(data, pos, first - 0xF7)


def _long_length(data: bytes, pos: int, size: int) -> tuple[int, int]:
    start = pos + 1
    if start + size > len(data):
        raise RlpError("the RLP data ends inside a length")
    if data[start] == 0:
        raise RlpError("an RLP length has a leading zero byte")
    length = int.from_bytes(data[start : start + size], "big")
    if length < 56:
        raise RlpError("an RLP length below 56 must use the short form")
    return start + size, length


def _decode_at(data: bytes, pos: int, depth: int) -> tuple[bytes | list[object], int]:
    if depth > _MAX_DEPTH:
        raise RlpError("the RLP lists nest too deeply")
    is_list, start, length = _header(data, pos)
    end = start + length
    if end > len(data):
        raise RlpError("the RLP data ends inside an item")
    if not is_list:
        return data[start:end], end
    items: list[object] = []
    cursor = start
    while cursor < end:
        item, cursor = _decode_at(data, cursor, depth + 1)
        if cursor > end:
            raise RlpError("an RLP list item runs past the end of its list")
        items.append(item)
    return items, end
