"""MuSig2 multi-signatures for BIP-340 keys (BIP-327), and the aggregate as an xpub (BIP-328).

MuSig2 lets ``u`` signers make one 64-byte BIP-340 Schnorr signature for an aggregate key
``Q = a_1*P_1 + ... + a_u*P_u``. Signing takes two rounds: each signer publishes a public
nonce (two points), the nonces are summed into an aggregate nonce, and then each signer sends a
32-byte partial signature; the partial signatures add up to the final signature.

The names and the order of operations follow BIP-327's algorithms (``KeyAgg``,
``ApplyTweak``, ``NonceGen``, ``NonceAgg``, ``Sign``, ``PartialSigVerify``,
``PartialSigAgg``, ``DeterministicSign``), and every official vector passes. The point
arithmetic runs in libsecp256k1 through coincurve's cffi bindings (``ec_pubkey_combine``,
``tweak_mul``, ``negate``): coincurve's bundled library has no ``musig`` module. libsecp256k1
cannot represent the point at infinity, so this module uses ``None`` for it, as the reference
does.

Two kinds of failure are kept apart, as BIP-327 asks:

* :class:`InvalidContribution` names the signer (by index in the list given, or ``None`` for
  the nonce aggregator) whose public key, public nonce or partial signature is invalid, so a
  coordinator can hold that party accountable;
* :class:`MusigError` (a ``ValueError``) is any other bad argument. Its messages are the ones
  BIP-327's reference implementation raises where the vectors check them.

Secrets (signing keys, secret nonces) are passed in by the keystore and never kept here, except
inside a :class:`SecretNonce`, which hides its bytes from ``repr``/``str`` and can be used for
signing only once. Reusing a secret nonce for two different messages reveals the signing key:
persisting and consuming nonces safely is the job of ``keystore.signers.musig_session``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from coincurve._libsecp256k1 import ffi, lib
from coincurve.context import GLOBAL_CONTEXT

from primitives.base58 import b58check_encode
from primitives.hashes import tagged_hash
from primitives.secp256k1 import CURVE_ORDER

__all__ = [
    "MUSIG_CHAIN_CODE",
    "InvalidContribution",
    "KeyAggContext",
    "MusigError",
    "apply_tweak",
    "individual_pk",
    "key_agg",
    "key_agg_coeff",
    "key_agg_context",
    "key_sort",
    "synthetic_xpub",
    "synthetic_xpub_string",
]

MUSIG_CHAIN_CODE = bytes.fromhex("868087ca02a6f974c4598924c36b57762d32cb45717167e300622c7167e38965")
"""BIP-328's fixed chain code of a synthetic xpub: SHA256 of ``MuSig2MuSig2MuSig2``."""

_XPUB_VERSION = 0x0488B21E
_N = CURVE_ORDER
_CTX = GLOBAL_CONTEXT.ctx
_COMPRESSED = 0x102  # SECP256K1_EC_COMPRESSED
_ZERO33 = bytes(33)


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


# --- points on libsecp256k1 -------------------------------------------------------------------
# A point is a cffi ``secp256k1_pubkey *``; ``None`` is the point at infinity.

_Point = Any  # cffi's pointers are untyped; this alias never leaves the module


def _cpoint(data: bytes) -> _Point:
    """Parse a 33-byte compressed point (BIP-327 ``cpoint``); raise ValueError otherwise."""
    point = ffi.new("secp256k1_pubkey *")
    if len(data) != 33 or data[0] not in (2, 3):
        raise ValueError("not a compressed point")
    if not lib.secp256k1_ec_pubkey_parse(_CTX, point, data, 33):
        raise ValueError("not a compressed point")
    return point


def _cpoint_ext(data: bytes) -> _Point | None:
    """Parse a compressed point or 33 zero bytes for infinity (BIP-327 ``cpoint_ext``)."""
    return None if data == _ZERO33 else _cpoint(data)


def _cbytes(point: _Point) -> bytes:
    out = ffi.new("unsigned char[33]")
    length = ffi.new("size_t *", 33)
    lib.secp256k1_ec_pubkey_serialize(_CTX, out, length, point, _COMPRESSED)
    return bytes(ffi.buffer(out, 33))


def _cbytes_ext(point: _Point | None) -> bytes:
    return _ZERO33 if point is None else _cbytes(point)


def _mul(point: _Point, scalar: int) -> _Point | None:
    scalar %= _N
    if scalar == 0:
        return None
    out = ffi.new("secp256k1_pubkey *", point[0])
    if not lib.secp256k1_ec_pubkey_tweak_mul(_CTX, out, scalar.to_bytes(32, "big")):
        raise AssertionError("tweak_mul failed on an in-range scalar")  # pragma: no cover
    return out


def _gmul(scalar: int) -> _Point | None:
    scalar %= _N
    if scalar == 0:
        return None
    out = ffi.new("secp256k1_pubkey *")
    lib.secp256k1_ec_pubkey_create(_CTX, out, scalar.to_bytes(32, "big"))
    return out


def _add(*points: _Point | None) -> _Point | None:
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


def _negate(point: _Point) -> _Point:
    out = ffi.new("secp256k1_pubkey *", point[0])
    lib.secp256k1_ec_pubkey_negate(_CTX, out)
    return out


def _has_even_y(point: _Point) -> bool:
    return _cbytes(point)[0] == 2


def _xbytes(point: _Point) -> bytes:
    return _cbytes(point)[1:]


def _int(data: bytes) -> int:
    return int.from_bytes(data, "big")


def _b32(value: int) -> bytes:
    return value.to_bytes(32, "big")


# --- key aggregation ----------------------------------------------------------------------------


def individual_pk(secret: bytes) -> bytes:
    """Return the 33-byte public key of a 32-byte secret key (BIP-327 ``IndividualPubkey``).

    Raises:
        MusigError: the secret is not in 1..n-1.
    """
    point = _gmul(_int(secret)) if len(secret) == 32 and 0 < _int(secret) < _N else None
    if point is None:
        raise MusigError("The secret key must be an integer in the range 1..n-1.")
    return _cbytes(point)


def key_sort(pubkeys: Sequence[bytes]) -> list[bytes]:
    """Return the public keys in lexicographic order of their bytes (BIP-327 ``KeySort``)."""
    return sorted(bytes(pk) for pk in pubkeys)


@dataclass(frozen=True, slots=True)
class KeyAggContext:
    """The state of key aggregation and tweaking (BIP-327 ``KeyAgg Context``).

    Attributes:
        point: the 33-byte compressed aggregate key ``Q`` after the tweaks applied so far.
        gacc: the accumulated sign factor ``g`` (1 or n-1 products) of the tweaks.
        tacc: the accumulated tweak ``t``.
    """

    point: bytes
    gacc: int = 1
    tacc: int = 0

    @property
    def xonly(self) -> bytes:
        """Return the 32-byte x-only key (``GetXonlyPubkey``): what a taproot output commits to."""
        return self.point[1:]


def _hash_keys(pubkeys: Sequence[bytes]) -> bytes:
    return tagged_hash("KeyAgg list", b"".join(pubkeys))


def _second_key(pubkeys: Sequence[bytes]) -> bytes:
    for pk in pubkeys[1:]:
        if pk != pubkeys[0]:
            return pk
    return _ZERO33


def _coeff(list_hash: bytes, pk: bytes, second: bytes) -> int:
    if pk == second:
        return 1
    return _int(tagged_hash("KeyAgg coefficient", list_hash + pk)) % _N


def key_agg_coeff(pubkeys: Sequence[bytes], pk: bytes) -> int:
    """Return the coefficient ``a_i`` of ``pk`` in the aggregate of ``pubkeys`` (KeyAggCoeff)."""
    return _coeff(_hash_keys(pubkeys), pk, _second_key(pubkeys))


def _key_agg_point(pubkeys: Sequence[bytes]) -> _Point:
    if not pubkeys:
        raise MusigError("MuSig2 aggregates at least one public key.")
    list_hash = _hash_keys(pubkeys)
    second = _second_key(pubkeys)
    terms: list[_Point | None] = []
    for i, pk in enumerate(pubkeys):
        try:
            point = _cpoint(pk)
        except ValueError:
            raise InvalidContribution(i, "pubkey") from None
        terms.append(_mul(point, _coeff(list_hash, pk, second)))
    q = _add(*terms)
    if q is None:  # pragma: no cover - needs a discrete-log relation between the keys
        raise MusigError("The aggregate key is the point at infinity.")
    return q


def key_agg(pubkeys: Sequence[bytes]) -> bytes:
    """Return the 33-byte compressed aggregate of 33-byte compressed keys (BIP-327 ``KeyAgg``).

    The keys are aggregated in the order given: sort them first with :func:`key_sort` when
    the order must not matter (BIP-390 ``musig()`` does not sort). The result is the plain
    aggregate ``Q`` before any tweak: BIP-328 derives children from it and BIP-373 names it
    in PSBTs.

    Raises:
        InvalidContribution: a key is not a compressed point (``signer`` is its index).
        MusigError: the list is empty.
    """
    return _cbytes(_key_agg_point(pubkeys))


def apply_tweak(ctx: KeyAggContext, tweak: bytes, is_xonly: bool) -> KeyAggContext:
    """Add ``tweak*G`` to the aggregate, plainly or as an x-only tweak (BIP-327 ``ApplyTweak``).

    A plain tweak serves BIP-32 unhardened derivation (BIP-328); an x-only tweak is the BIP-341
    taproot tweak of a key-path spend (``primitives.secp256k1.taproot_tweak``).

    Raises:
        MusigError: the tweak is not 32 bytes, not below n, or makes the key infinity.
    """
    if len(tweak) != 32:
        raise MusigError("The tweak must be a 32-byte array.")
    q = _cpoint(ctx.point)
    g = _N - 1 if is_xonly and not _has_even_y(q) else 1
    t = _int(tweak)
    if t >= _N:
        raise MusigError("The tweak must be less than n.")
    tweaked = _add(_mul(q, g), _gmul(t))
    if tweaked is None:
        raise MusigError("The result of tweaking cannot be infinity.")
    return KeyAggContext(_cbytes(tweaked), g * ctx.gacc % _N, (t + g * ctx.tacc) % _N)


def key_agg_context(
    pubkeys: Sequence[bytes],
    tweaks: Sequence[bytes] = (),
    is_xonly: Sequence[bool] = (),
) -> KeyAggContext:
    """Aggregate ``pubkeys`` and apply ``tweaks`` in order (BIP-327 ``KeyAgg`` then ``ApplyTweak``).

    Raises:
        InvalidContribution: a key is not a compressed point.
        MusigError: ``tweaks`` and ``is_xonly`` differ in length, or a tweak is invalid.
    """
    if len(tweaks) != len(is_xonly):
        raise MusigError("The `tweaks` and `is_xonly` arrays must have the same length.")
    ctx = KeyAggContext(_cbytes(_key_agg_point(pubkeys)))
    for tweak, xonly in zip(tweaks, is_xonly, strict=True):
        ctx = apply_tweak(ctx, tweak, xonly)
    return ctx


# --- BIP-328 -------------------------------------------------------------------------------------


def synthetic_xpub(aggregate: bytes) -> tuple[bytes, bytes]:
    """Return the aggregate key as BIP-328's synthetic xpub, raw: ``(chain_code, public_key)``.

    The xpub has depth 0, parent fingerprint 0 and child number 0, so these two values are all
    of it; BIP-32 unhardened derivation from them (``keystore.bip32.ExtendedPublicKey`` or any
    CKDpub) gives the children of ``musig(...)/path`` keys. Hardened steps are impossible.

    Args:
        aggregate: the 33-byte plain aggregate from :func:`key_agg` (untweaked).

    Raises:
        MusigError: ``aggregate`` is not a compressed point.
    """
    try:
        _cpoint(aggregate)
    except ValueError:
        raise MusigError("The aggregate must be a 33-byte compressed public key.") from None
    return MUSIG_CHAIN_CODE, bytes(aggregate)


def synthetic_xpub_string(aggregate: bytes, version: int = _XPUB_VERSION) -> str:
    """Return BIP-328's synthetic xpub in Base58Check (``xpub...`` with the mainnet version).

    Raises:
        MusigError: ``aggregate`` is not a compressed point.
    """
    chain_code, key = synthetic_xpub(aggregate)
    payload = version.to_bytes(4, "big") + bytes(9) + chain_code + key
    return b58check_encode(payload)
