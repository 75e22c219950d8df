"""The shared core of MuSig2: errors, and points on libsecp256k1 through coincurve's cffi.

A point is a cffi ``secp256k1_pubkey *``; ``None`` is the point at infinity, which
libsecp256k1 cannot represent (``ec_pubkey_combine`` fails on it) but BIP-327 needs (an
aggregate nonce half may be infinity). Points are never changed in place once made.
"""

from __future__ import annotations

from typing import Any

from coincurve._libsecp256k1 import ffi, lib
from coincurve.context import GLOBAL_CONTEXT

from primitives.secp256k1 import CURVE_ORDER

__all__ = ["InvalidContribution", "MusigError"]

N = CURVE_ORDER
ZERO33 = bytes(33)
_CTX = GLOBAL_CONTEXT.ctx
_COMPRESSED = 0x102  # SECP256K1_EC_COMPRESSED


class MusigError(ValueError):
    """An argument to a MuSig2 algorithm is malformed or out of range (BIP-327 ``ValueError``)."""


class InvalidContribution(MusigError):
    """A participant sent an invalid public key, public nonce or partial signature.

    Attributes:
        signer: the index of the offending participant in the list that was passed in, or
            ``None`` when the fault is the aggregator's (an invalid aggregate nonce).
        contrib: what was invalid: ``"pubkey"``, ``"pubnonce"``, ``"aggnonce"``,
            ``"aggothernonce"`` or ``"psig"``.
    """

    def __init__(self, signer: int | None, contrib: str) -> None:
        """Record who sent what."""
        who = "the nonce aggregator" if signer is None else f"participant {signer}"
        super().__init__(f"MuSig2: {who} sent an invalid {contrib}.")
        self.signer = signer
        self.contrib = contrib


Point = Any  # cffi's pointers are untyped; this alias never leaves the module


def cpoint(data: bytes) -> Point:
    """Parse a 33-byte compressed point (BIP-327 ``cpoint``); raise ValueError otherwise."""
    point = ffi.new("secp256k1_pubkey *")
    if len(data) != 33 or data[0] not in (2, 3):
        raise ValueError("not a compressed point")
    if not lib.secp256k1_ec_pubkey_parse(_CTX, point, data, 33):
        raise ValueError("not a compressed point")
    return point


def cpoint_ext(data: bytes) -> Point | None:
    """Parse a compressed point or 33 zero bytes for infinity (BIP-327 ``cpoint_ext``)."""
    return None if data == ZERO33 else cpoint(data)


def cbytes(point: Point) -> bytes:
    out = ffi.new("unsigned char[33]")
    length = ffi.new("size_t *", 33)
    lib.secp256k1_ec_pubkey_serialize(_CTX, out, length, point, _COMPRESSED)
    return bytes(ffi.buffer(out, 33))


def cbytes_ext(point: Point | None) -> bytes:
    return ZERO33 if point is None else cbytes(point)


def mul(point: Point, scalar: int) -> Point | None:
    scalar %= N
    if scalar == 0:
        return None
    if scalar == 1:
        return point  # points are never changed in place, so sharing one is safe
    out = ffi.new("secp256k1_pubkey *", point[0])
    if not lib.secp256k1_ec_pubkey_tweak_mul(_CTX, out, scalar.to_bytes(32, "big")):
        raise AssertionError("tweak_mul failed on an in-range scalar")  # pragma: no cover
    return out


def gmul(scalar: int) -> Point | None:
    scalar %= N
    if scalar == 0:
        return None
    out = ffi.new("secp256k1_pubkey *")
    lib.secp256k1_ec_pubkey_create(_CTX, out, scalar.to_bytes(32, "big"))
    return out


def add(*points: Point | None) -> Point | None:
    """Sum points; ``None`` (infinity) is the neutral element and a possible result."""
    present = [p for p in points if p is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0]
    out = ffi.new("secp256k1_pubkey *")
    if not lib.secp256k1_ec_pubkey_combine(_CTX, out, present, len(present)):
        return None  # the sum is the point at infinity
    return out


def negate(point: Point) -> Point:
    out = ffi.new("secp256k1_pubkey *", point[0])
    lib.secp256k1_ec_pubkey_negate(_CTX, out)
    return out


def has_even_y(point: Point) -> bool:
    return cbytes(point)[0] == 2


def xbytes(point: Point) -> bytes:
    return cbytes(point)[1:]


def int_(data: bytes) -> int:
    return int.from_bytes(data, "big")


def b32(value: int) -> bytes:
    return value.to_bytes(32, "big")
