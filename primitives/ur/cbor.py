"""The subset of CBOR (RFC 8949) that BC-UR registry types use, encoded deterministically.

Encoding follows RFC 8949 section 4.2.1 (core deterministic encoding): integers and lengths
in their shortest form, definite lengths only, map keys sorted by the bytes of their
encoding. Decoding reads the same items (unsigned and negative integers, byte and text
strings, arrays, maps, tags, ``false``/``true``/``null``) with definite lengths; it accepts
integers and keys in any form a peer wrote, and refuses floats, indefinite lengths, trailing
bytes and nesting deeper than ``MAX_DEPTH``. ``cbor2`` is not used: its default output is
not canonical (map keys keep insertion order), and registry types must be byte-exact.
"""

from __future__ import annotations

from dataclasses import dataclass

from primitives.ur.errors import CborError

__all__ = ["MAX_DEPTH", "CborValue", "Tag", "decode", "encode"]

MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class Tag:
    """A tagged item (major type 6): ``tag`` applied to ``value``."""

    tag: int
    value: CborValue


CborValue = (
    int | bytes | str | bool | None | Tag | list["CborValue"] | dict["CborValue", "CborValue"]
)


def _head(major: int, value: int) -> bytes:
    if value < 0 or value >= 1 << 64:
        raise CborError(f"{value} does not fit a CBOR head.")
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise AssertionError("unreachable")  # pragma: no cover


def encode(value: CborValue) -> bytes:
    """Return the deterministic CBOR encoding of ``value``.

    Raises:
        CborError: ``value`` holds something this subset cannot encode (a float, an
            integer out of range, a foreign type).
    """
    if value is None:
        return b"\xf6"
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(encode(item) for item in value)
    if isinstance(value, dict):
        pairs = sorted((encode(k), encode(v)) for k, v in value.items())
        return _head(5, len(pairs)) + b"".join(k + v for k, v in pairs)
    if isinstance(value, Tag):
        return _head(6, value.tag) + encode(value.value)
    raise CborError(f"CBOR cannot encode a {type(value).__name__} here.")


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, size: int) -> bytes:
        if size > len(self.data) - self.pos:
            raise CborError("The CBOR data ends in the middle of an item.")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def head(self) -> tuple[int, int]:
        first = self.take(1)[0]
        major, info = first >> 5, first & 0x1F
        if info < 24:
            return major, info
        if info in (24, 25, 26, 27):
            size = 1 << (info - 24)
            return major, int.from_bytes(self.take(size), "big")
        if info == 31:
            raise CborError("Indefinite-length CBOR items are not accepted.")
        raise CborError(f"The CBOR byte {first:#04x} is reserved or not accepted.")

    def item(self, depth: int) -> CborValue:
        if depth > MAX_DEPTH:
            raise CborError("The CBOR data is nested too deeply.")
        start = self.pos
        major, arg = self.head()
        if major == 0:
            return arg
        if major == 1:
            return -1 - arg
        if major == 2:
            return self.take(arg)
        if major == 3:
            try:
                return self.take(arg).decode("utf-8")
            except UnicodeDecodeError as err:
                raise CborError("A CBOR text string is not valid UTF-8.") from err
        if major == 4:
            self._check_count(arg)
            return [self.item(depth + 1) for _ in range(arg)]
        if major == 5:
            self._check_count(2 * arg)
            out: dict[CborValue, CborValue] = {}
            for _ in range(arg):
                key = self.item(depth + 1)
                if not isinstance(key, int | str | bytes) or isinstance(key, bool):
                    raise CborError("A CBOR map key is not an integer, a text or bytes.")
                if key in out:
                    raise CborError("A CBOR map repeats a key.")
                out[key] = self.item(depth + 1)
            return out
        if major == 6:
            return Tag(arg, self.item(depth + 1))
        simple: dict[int, CborValue] = {0xF4: False, 0xF5: True, 0xF6: None}
        if self.data[start] in simple:
            return simple[self.data[start]]
        raise CborError("The CBOR data holds a float or a simple value this codec does not read.")

    def _check_count(self, count: int) -> None:
        # Each item takes at least one byte: a count beyond what is left is a lie, refused
        # before a list of that size is built.
        if count > len(self.data) - self.pos:
            raise CborError("A CBOR array or map claims more items than the data holds.")


def decode(data: bytes) -> CborValue:
    """Return the single CBOR item that ``data`` holds.

    Raises:
        CborError: the data is malformed, truncated, has bytes after the item, or uses a
            feature this subset refuses (floats, indefinite lengths).
    """
    reader = _Reader(data)
    value = reader.item(0)
    if reader.pos != len(data):
        raise CborError("There are bytes after the CBOR item.")
    return value
