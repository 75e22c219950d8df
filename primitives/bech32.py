"""Bech32 and Bech32m (BIP-173, BIP-350) and segwit addresses, table-driven for speed."""

from __future__ import annotations

import enum
from functools import cache

__all__ = [
    "Bech32ChecksumError",
    "Bech32Error",
    "Encoding",
    "bech32_decode",
    "bech32_encode",
    "convertbits",
    "decode_segwit",
    "encode_segwit",
]

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_CHARSET_INDEX = {c: i for i, c in enumerate(CHARSET)}
_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
# _TABLE[top] is the XOR of the generators selected by the five bits shifted out.
_TABLE = tuple(
    _GEN[0] * (t & 1)
    ^ _GEN[1] * (t >> 1 & 1)
    ^ _GEN[2] * (t >> 2 & 1)
    ^ _GEN[3] * (t >> 3 & 1)
    ^ _GEN[4] * (t >> 4 & 1)
    for t in range(32)
)
_BECH32_CONST = 1
_BECH32M_CONST = 0x2BC830A3


def _steps(chk: int, count: int) -> int:
    for _ in range(count):
        chk = _TABLE[chk >> 25] ^ ((chk & 0x1FFFFFF) << 5)
    return chk


# The checksum is linear over GF(2), so four steps of it on a 30-bit state are the XOR of
# two 1024-entry tables (top and middle 10 bits), the low 10 bits shifted by 20, and the four
# 5-bit symbols themselves: ``encode_segwit`` consumes 20 bits of program per loop turn.
_STEP4_HIGH = tuple(_steps(x << 20, 4) for x in range(1024))
_STEP4_MID = tuple(_steps(x << 10, 4) for x in range(1024))
_STEP2_HIGH = tuple(_steps(x << 20, 2) for x in range(1024))
_PAIRS = tuple(CHARSET[i >> 5] + CHARSET[i & 31] for i in range(1024))


class Bech32Error(ValueError):
    """Text that is not valid bech32/bech32m, or not a valid segwit address."""


class Bech32ChecksumError(Bech32Error):
    """Well-formed bech32 text whose checksum is neither bech32 nor bech32m (a typo)."""


class Encoding(enum.Enum):
    """The checksum variant: bech32 (BIP-173) or bech32m (BIP-350)."""

    BECH32 = _BECH32_CONST
    BECH32M = _BECH32M_CONST


def _polymod(values: list[int] | bytes, chk: int = 1) -> int:
    table = _TABLE
    for value in values:
        chk = table[chk >> 25] ^ ((chk & 0x1FFFFFF) << 5) ^ value
    return chk


@cache
def _hrp_state(hrp: str) -> int:
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    return _polymod(expanded)


def bech32_encode(hrp: str, data: list[int] | bytes, encoding: Encoding) -> str:
    """Encode 5-bit ``data`` under ``hrp`` with the checksum of ``encoding``."""
    chk = _polymod(data, _hrp_state(hrp))
    chk = _polymod(b"\x00\x00\x00\x00\x00\x00", chk) ^ encoding.value
    checksum = [(chk >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join([CHARSET[d] for d in data]) + "".join(CHARSET[d] for d in checksum)


def bech32_decode(text: str) -> tuple[str, list[int], Encoding]:
    """Decode a bech32 or bech32m string into its hrp, 5-bit data and encoding.

    Raises:
        Bech32ChecksumError: the checksum matches neither bech32 nor bech32m.
        Bech32Error: mixed case, bad characters, or a bad length or separator.
    """
    if any(ord(c) < 33 or ord(c) > 126 for c in text):
        raise Bech32Error("contains characters outside printable ASCII")
    if text.lower() != text and text.upper() != text:
        raise Bech32Error("mixes upper and lower case")
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text) or len(text) > 90:
        raise Bech32Error("has no valid separator, or a bad length")
    hrp = text[:pos]
    try:
        data = [_CHARSET_INDEX[c] for c in text[pos + 1 :]]
    except KeyError as err:
        raise Bech32Error(f"contains {err.args[0]!r}, which bech32 does not use") from None
    const = _polymod(data, _hrp_state(hrp))
    if const == _BECH32_CONST:
        encoding = Encoding.BECH32
    elif const == _BECH32M_CONST:
        encoding = Encoding.BECH32M
    else:
        raise Bech32ChecksumError("checksum does not match")
    return hrp, data[:-6], encoding


def convertbits(data: bytes | list[int], frombits: int, tobits: int, pad: bool = True) -> list[int]:
    """Regroup bits (8 to 5 for encoding, 5 to 8 for decoding).

    Raises:
        Bech32Error: a value out of range or non-zero padding.
    """
    acc = 0
    bits = 0
    out = []
    maxv = (1 << tobits) - 1
    for value in data:
        if value < 0 or value >> frombits:
            raise Bech32Error("value out of range")
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        raise Bech32Error("has invalid padding")
    return out


def encode_segwit(hrp: str, version: int, program: bytes) -> str:
    """Return the segwit address of a witness version and program (v0 bech32, v1+ bech32m).

    The 8-to-5 regrouping and the checksum run 20 bits at a time (see ``_STEP4_HIGH``); the
    result is the same string as ``bech32_encode(hrp, [version, *convertbits(program, 8, 5)],
    encoding)`` (BIP-173 "Segwit address format", BIP-350 "Addresses for segregated witness
    outputs"), which the tests check on random programs.
    """
    bits = len(program) * 8
    symbols = (bits + 4) // 5
    shift = symbols * 5
    number = int.from_bytes(program, "big") << (shift - bits)
    table = _TABLE
    chk = _hrp_state(hrp)
    chk = table[chk >> 25] ^ ((chk & 0x1FFFFFF) << 5) ^ version
    parts = [hrp, "1", CHARSET[version]]
    for _ in range(symbols & 3):  # the symbols before a whole number of 20-bit chunks
        shift -= 5
        value = (number >> shift) & 31
        chk = table[chk >> 25] ^ ((chk & 0x1FFFFFF) << 5) ^ value
        parts.append(CHARSET[value])
    high, mid, pairs = _STEP4_HIGH, _STEP4_MID, _PAIRS
    while shift:
        shift -= 20
        chunk = (number >> shift) & 0xFFFFF
        chk = high[chk >> 20] ^ mid[(chk >> 10) & 0x3FF] ^ ((chk & 0x3FF) << 20) ^ chunk
        parts += (pairs[chunk >> 10], pairs[chunk & 0x3FF])
    # Six zero symbols close the checksum: four steps, then two.
    chk = high[chk >> 20] ^ mid[(chk >> 10) & 0x3FF] ^ ((chk & 0x3FF) << 20)
    chk = _STEP2_HIGH[chk >> 20] ^ ((chk & 0xFFFFF) << 10)
    chk ^= _BECH32_CONST if version == 0 else _BECH32M_CONST
    parts += (pairs[chk >> 20], pairs[(chk >> 10) & 0x3FF], pairs[chk & 0x3FF])
    return "".join(parts)


def decode_segwit(text: str) -> tuple[str, int, bytes]:
    """Decode a segwit address into (hrp, witness version, program), per BIP-173/350.

    Raises:
        Bech32Error: any rule of BIP-173 or BIP-350 broken.
    """
    hrp, data, encoding = bech32_decode(text)
    if not data:
        raise Bech32Error("has no witness version")
    version = data[0]
    if version > 16:
        raise Bech32Error(f"has witness version {version}, above 16")
    program = bytes(convertbits(data[1:], 5, 8, pad=False))
    if not 2 <= len(program) <= 40:
        size = len(program)
        raise Bech32Error(f"has a witness program of {size} byte{'s' if size != 1 else ''}")
    if version == 0 and len(program) not in (20, 32):
        raise Bech32Error("is version 0 with a program that is neither 20 nor 32 bytes")
    if (version == 0) != (encoding is Encoding.BECH32):
        expected = "bech32" if version == 0 else "bech32m"
        raise Bech32Error(f"is witness version {version} and must use {expected}")
    return hrp, version, program
