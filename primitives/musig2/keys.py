"""MuSig2 key aggregation and tweaking (BIP-327), and the aggregate as an xpub (BIP-328)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from primitives.base58 import b58check_encode
from primitives.bip32 import ExtendedKeyError, ckd_pub_tweak
from primitives.hashes import tagged_hash
from primitives.musig2._core import (
    ZERO33,
    InvalidContribution,
    MusigError,
    N,
    Point,
    add,
    cbytes,
    cpoint,
    gmul,
    has_even_y,
    int_,
    mul,
)

__all__ = [
    "MUSIG_CHAIN_CODE",
    "KeyAggContext",
    "apply_tweak",
    "derive_child",
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


# --- key aggregation ----------------------------------------------------------------------------


def individual_pk(secret: bytes) -> bytes:
    """Return the 33-byte public key of a 32-byte secret key (BIP-327 ``IndividualPubkey``).

    Raises:
        MusigError: the secret is not in 1..n-1.
    """
    point = gmul(int_(secret)) if len(secret) == 32 and 0 < int_(secret) < N else None
    if point is None:
        raise MusigError("The secret key must be an integer in the range 1..n-1.")
    return cbytes(point)


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
    return ZERO33


def _coeff(list_hash: bytes, pk: bytes, second: bytes) -> int:
    if pk == second:
        return 1
    return int_(tagged_hash("KeyAgg coefficient", list_hash + pk)) % N


def key_agg_coeff(pubkeys: Sequence[bytes], pk: bytes) -> int:
    """Return the coefficient ``a_i`` of ``pk`` in the aggregate of ``pubkeys`` (KeyAggCoeff)."""
    return _coeff(_hash_keys(pubkeys), pk, _second_key(pubkeys))


def _key_agg_point(pubkeys: Sequence[bytes]) -> Point:
    if not pubkeys:
        raise MusigError("MuSig2 aggregates at least one public key.")
    list_hash = _hash_keys(pubkeys)
    second = _second_key(pubkeys)
    terms: list[Point | None] = []
    for i, pk in enumerate(pubkeys):
        try:
            point = cpoint(pk)
        except ValueError:
            raise InvalidContribution(i, "pubkey") from None
        terms.append(mul(point, _coeff(list_hash, pk, second)))
    q = add(*terms)
    if q is None:  # pragma: no cover - needs a discrete-log relation between the keys
        raise MusigError("The aggregate key is the point at infinity.")
    return q


def key_agg(pubkeys: Sequence[bytes]) -> bytes:
    """Return the 33-byte compressed aggregate of 33-byte compressed keys (BIP-327 ``KeyAgg``).

    The keys are aggregated in the order given: sort them first with :func:`key_sort` when
    the order must not matter (BIP-390 ``musig()`` sorts its keys first). The result is the plain
    aggregate ``Q`` before any tweak: BIP-328 derives children from it and BIP-373 names it
    in PSBTs.

    Raises:
        InvalidContribution: a key is not a compressed point (``signer`` is its index).
        MusigError: the list is empty.
    """
    return cbytes(_key_agg_point(pubkeys))


def apply_tweak(ctx: KeyAggContext, tweak: bytes, is_xonly: bool) -> KeyAggContext:
    """Add ``tweak*G`` to the aggregate, plainly or as an x-only tweak (BIP-327 ``ApplyTweak``).

    A plain tweak serves BIP-32 unhardened derivation (BIP-328); an x-only tweak is the BIP-341
    taproot tweak of a key-path spend (``primitives.secp256k1.taproot_tweak``).

    Raises:
        MusigError: the tweak is not 32 bytes, not below n, or makes the key infinity.
    """
    if len(tweak) != 32:
        raise MusigError("The tweak must be a 32-byte array.")
    q = cpoint(ctx.point)
    g = N - 1 if is_xonly and not has_even_y(q) else 1
    t = int_(tweak)
    if t >= N:
        raise MusigError("The tweak must be less than n.")
    tweaked = add(mul(q, g), gmul(t))
    if tweaked is None:
        raise MusigError("The result of tweaking cannot be infinity.")
    return KeyAggContext(cbytes(tweaked), g * ctx.gacc % N, (t + g * ctx.tacc) % N)


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
    return _key_agg_context(tuple(pubkeys), tuple(tweaks), tuple(is_xonly))


# A signing session aggregates the same keys in every step (sign, verify each partial
# signature, aggregate); the results are public values, so a small cache serves them.
@functools.lru_cache(maxsize=64)
def _key_agg_context(
    pubkeys: tuple[bytes, ...], tweaks: tuple[bytes, ...], is_xonly: tuple[bool, ...]
) -> KeyAggContext:
    ctx = KeyAggContext(cbytes(_key_agg_point(pubkeys)))
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
        cpoint(aggregate)
    except ValueError:
        raise MusigError("The aggregate must be a 33-byte compressed public key.") from None
    return MUSIG_CHAIN_CODE, bytes(aggregate)


def derive_child(aggregate: bytes, path: Sequence[int]) -> tuple[bytes, tuple[bytes, ...]]:
    """Derive a child of the aggregate's synthetic xpub; return it and the tweaks to sign for it.

    BIP-328: the child is BIP-32 CKDpub from ``(MUSIG_CHAIN_CODE, aggregate)`` along ``path``,
    and a signing session for the child applies each step's ``I_L`` as a plain (not x-only)
    tweak, in order (BIP-327 ``ApplyTweak``), before any taproot tweak. Each step is
    ``primitives.bip32.ckd_pub_tweak``, which also returns the step's ``I_L``.

    Args:
        aggregate: the 33-byte plain aggregate from :func:`key_agg`.
        path: unhardened child numbers (below 2^31).

    Returns:
        The 33-byte child key and the 32-byte plain tweaks, one per step.

    Raises:
        MusigError: a hardened step, or ``aggregate`` is not a compressed point.
    """
    chain_code, key = synthetic_xpub(aggregate)
    tweaks = []
    for index in path:
        if not 0 <= index < 0x80000000:
            raise MusigError("A MuSig2 aggregate key has unhardened children only (BIP-328).")
        try:
            key, chain_code, tweak = ckd_pub_tweak(key, chain_code, index)
        except ExtendedKeyError as err:  # pragma: no cover - probability 2^-127
            raise MusigError(str(err)) from None
        tweaks.append(tweak)
    return key, tuple(tweaks)


def synthetic_xpub_string(aggregate: bytes, version: int = _XPUB_VERSION) -> str:
    """Return BIP-328's synthetic xpub in Base58Check (``xpub...`` with the mainnet version).

    Raises:
        MusigError: ``aggregate`` is not a compressed point.
    """
    chain_code, key = synthetic_xpub(aggregate)
    payload = version.to_bytes(4, "big") + bytes(9) + chain_code + key
    return b58check_encode(payload)
