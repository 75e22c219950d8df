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

import functools
import hmac
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

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
    "SecretNonce",
    "SessionContext",
    "apply_tweak",
    "derive_child",
    "deterministic_sign",
    "individual_pk",
    "key_agg",
    "key_agg_coeff",
    "key_agg_context",
    "key_sort",
    "nonce_agg",
    "nonce_gen",
    "nonce_gen_with_rand_unsafe",
    "partial_sig_agg",
    "partial_sig_verify",
    "partial_sig_verify_internal",
    "sign",
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
    if scalar == 1:
        return point  # points are never changed in place, so sharing one is safe
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
    return _key_agg_context(tuple(pubkeys), tuple(tweaks), tuple(is_xonly))


# A signing session aggregates the same keys in every step (sign, verify each partial
# signature, aggregate); the results are public values, so a small cache serves them.
@functools.lru_cache(maxsize=64)
def _key_agg_context(
    pubkeys: tuple[bytes, ...], tweaks: tuple[bytes, ...], is_xonly: tuple[bool, ...]
) -> KeyAggContext:
    ctx = KeyAggContext(_cbytes(_key_agg_point(pubkeys)))
    for tweak, xonly in zip(tweaks, is_xonly, strict=True):
        ctx = apply_tweak(ctx, tweak, xonly)
    return ctx


# --- nonces -------------------------------------------------------------------------------------


class SecretNonce:
    """A signer's secret nonce ``k_1 || k_2 || pk`` (97 bytes), usable for one signature.

    :func:`sign` overwrites the two scalars with zeros as it reads them, so a second use of the
    same object fails (BIP-327: "the secret nonce must not be used again"). Copies made with
    :meth:`reveal_for_storage` are outside that protection: the keystore's nonce store keeps one
    and must mark it used before anything is signed with it. ``repr``/``str`` never show it,
    and it cannot be pickled.
    """

    __slots__ = ("_value",)

    def __init__(self, value: bytes) -> None:
        """Wrap the 97-byte ``k_1 || k_2 || pk`` form of BIP-327 ``NonceGen``.

        Raises:
            MusigError: the length is not 97 bytes.
        """
        if len(value) != 97:
            raise MusigError("A MuSig2 secret nonce has 97 bytes.")
        self._value = bytearray(value)

    @property
    def pubkey(self) -> bytes:
        """Return the 33-byte public key the nonce was generated for."""
        return bytes(self._value[64:97])

    @property
    def consumed(self) -> bool:
        """Return whether :func:`sign` has already used (and wiped) this nonce."""
        return not any(self._value[:64])

    def reveal_for_storage(self) -> bytes:
        """Return the 97 secret bytes, for the keystore's encrypted nonce store only."""
        return bytes(self._value)

    def _take(self) -> tuple[int, int]:
        k_1, k_2 = _int(bytes(self._value[0:32])), _int(bytes(self._value[32:64]))
        self._value[:64] = bytes(64)
        return k_1, k_2

    def __repr__(self) -> str:
        return "<SecretNonce redacted>"

    def __str__(self) -> str:
        return "<secret nonce redacted>"

    def __format__(self, spec: str) -> str:
        return str(self)

    def __reduce__(self) -> NoReturn:
        raise TypeError("SecretNonce cannot be pickled")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretNonce) and hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return id(self)


def _nonce_hash(
    rand: bytes, pk: bytes, aggpk: bytes, i: int, msg_prefixed: bytes, extra_in: bytes
) -> int:
    buf = (
        rand
        + len(pk).to_bytes(1, "big")
        + pk
        + len(aggpk).to_bytes(1, "big")
        + aggpk
        + msg_prefixed
        + len(extra_in).to_bytes(4, "big")
        + extra_in
        + i.to_bytes(1, "big")
    )
    return _int(tagged_hash("MuSig/nonce", buf))


def _pubnonce(k_1: int, k_2: int) -> bytes:
    r_1, r_2 = _gmul(k_1), _gmul(k_2)
    if r_1 is None or r_2 is None:  # pragma: no cover - callers pass scalars in 1..n-1
        raise MusigError("first secnonce value is out of range.")
    return _cbytes(r_1) + _cbytes(r_2)


def nonce_gen_with_rand_unsafe(
    rand: bytes,
    pk: bytes,
    *,
    secret: bytes | None = None,
    aggpk: bytes | None = None,
    msg: bytes | None = None,
    extra_in: bytes | None = None,
) -> tuple[SecretNonce, bytes]:
    """Run BIP-327 ``NonceGen`` with caller-chosen randomness ``rand'`` (for test vectors).

    Unsafe: the same ``rand`` with the same other inputs gives the same nonce, and two
    signatures with one nonce reveal the signing key. Use :func:`nonce_gen`.

    Returns:
        The secret nonce and the 66-byte public nonce.

    Raises:
        MusigError: ``rand``, ``secret`` or ``aggpk`` has the wrong length, or ``pk`` is not
            a compressed point.
    """
    if len(rand) != 32:
        raise MusigError("The random input rand' must have 32 bytes.")
    if secret is not None and len(secret) != 32:
        raise MusigError("The optional byte array sk must have length 32.")
    if aggpk is not None and len(aggpk) != 32:
        raise MusigError("The optional byte array aggpk must have length 32.")
    if len(pk) != 33:
        raise MusigError("The public key must be a 33-byte compressed point.")
    if secret is not None:
        # BIP-327: mixing the secret key in keeps the nonce secret even if rand' is weak.
        aux = tagged_hash("MuSig/aux", rand)
        rand = bytes(a ^ b for a, b in zip(secret, aux, strict=True))
    msg_prefixed = b"\x00" if msg is None else b"\x01" + len(msg).to_bytes(8, "big") + msg
    extra = extra_in or b""
    k_1 = _nonce_hash(rand, pk, aggpk or b"", 0, msg_prefixed, extra) % _N
    k_2 = _nonce_hash(rand, pk, aggpk or b"", 1, msg_prefixed, extra) % _N
    if k_1 == 0 or k_2 == 0:  # pragma: no cover - probability 2^-255
        raise MusigError("NonceGen produced a zero nonce; draw again.")
    return SecretNonce(_b32(k_1) + _b32(k_2) + pk), _pubnonce(k_1, k_2)


def nonce_gen(
    pk: bytes,
    *,
    secret: bytes | None = None,
    aggpk: bytes | None = None,
    msg: bytes | None = None,
    extra_in: bytes | None = None,
) -> tuple[SecretNonce, bytes]:
    """Generate a fresh nonce pair for one signing session (BIP-327 ``NonceGen``).

    Every optional input is defence in depth against a broken random generator: pass the
    signing key, the (tweaked) x-only aggregate key, the message and a unique ``extra_in``
    (a session id, a counter) whenever they are known.

    Args:
        pk: the signer's 33-byte public key.
        secret: the signer's 32-byte secret key, or ``None``.
        aggpk: the 32-byte x-only aggregate key the signature will verify under, or ``None``.
        msg: the message to be signed, or ``None``.
        extra_in: any further bytes, or ``None``.

    Returns:
        The secret nonce (keep it secret, use it once) and the 66-byte public nonce to send.

    Raises:
        MusigError: an input has the wrong length.
    """
    return nonce_gen_with_rand_unsafe(
        os.urandom(32), pk, secret=secret, aggpk=aggpk, msg=msg, extra_in=extra_in
    )


def _nonce_agg_points(pubnonces: Sequence[bytes]) -> tuple[_Point | None, _Point | None]:
    sums: list[_Point | None] = []
    for j in (0, 1):
        terms: list[_Point | None] = []
        for i, pubnonce in enumerate(pubnonces):
            try:
                terms.append(_cpoint(pubnonce[j * 33 : (j + 1) * 33]))
            except ValueError:
                raise InvalidContribution(i, "pubnonce") from None
        sums.append(_add(*terms))
    return sums[0], sums[1]


def nonce_agg(pubnonces: Sequence[bytes]) -> bytes:
    """Sum the participants' 66-byte public nonces into the aggregate nonce (``NonceAgg``).

    Either half of the result may be the point at infinity, written as 33 zero bytes.

    Raises:
        InvalidContribution: a public nonce is not two compressed points (``signer`` is its
            index).
    """
    r_1, r_2 = _nonce_agg_points(pubnonces)
    return _cbytes_ext(r_1) + _cbytes_ext(r_2)


# --- signing ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SessionContext:
    """What every signer of one session agrees on (BIP-327 ``Session Context``).

    Attributes:
        aggnonce: the 66-byte aggregate nonce.
        pubkeys: the participants' 33-byte keys, in aggregation order.
        tweaks: 32-byte tweaks applied to the aggregate, in order.
        is_xonly: for each tweak, whether it is an x-only (taproot) tweak.
        msg: the message (a BIP-341 sighash for a transaction).
    """

    aggnonce: bytes
    pubkeys: tuple[bytes, ...]
    tweaks: tuple[bytes, ...]
    is_xonly: tuple[bool, ...]
    msg: bytes


@dataclass(frozen=True, slots=True)
class _Values:
    q: _Point
    gacc: int
    tacc: int
    b: int
    r: _Point
    e: int


def _session_values(session: SessionContext) -> _Values:
    return _session_values_cached(
        session.aggnonce,
        tuple(session.pubkeys),
        tuple(session.tweaks),
        tuple(session.is_xonly),
        session.msg,
    )


@functools.lru_cache(maxsize=64)
def _session_values_cached(
    aggnonce: bytes,
    pubkeys: tuple[bytes, ...],
    tweaks: tuple[bytes, ...],
    is_xonly: tuple[bool, ...],
    msg: bytes,
) -> _Values:
    session = SessionContext(aggnonce, pubkeys, tweaks, is_xonly, msg)
    ctx = key_agg_context(session.pubkeys, session.tweaks, session.is_xonly)
    q_x = ctx.xonly
    b = _int(tagged_hash("MuSig/noncecoef", session.aggnonce + q_x + session.msg)) % _N
    try:
        if len(session.aggnonce) != 66:
            raise ValueError("the aggregate nonce has 66 bytes")
        r_1 = _cpoint_ext(session.aggnonce[0:33])
        r_2 = _cpoint_ext(session.aggnonce[33:66])
    except ValueError:
        raise InvalidContribution(None, "aggnonce") from None
    r_sum = _add(r_1, _mul(r_2, b) if r_2 is not None else None)
    # BIP-327: an aggregate nonce at infinity (only a dishonest aggregator gets there) is
    # replaced by G, so an honest signer still produces a signature that can be checked.
    r = r_sum if r_sum is not None else _gmul(1)
    e = _int(tagged_hash("BIP0340/challenge", _xbytes(r) + q_x + session.msg)) % _N
    return _Values(_cpoint(ctx.point), ctx.gacc, ctx.tacc, b, r, e)


def _session_coeff(session: SessionContext, pk: bytes) -> int:
    if pk not in session.pubkeys:
        raise MusigError("The signer's pubkey must be included in the list of pubkeys.")
    return key_agg_coeff(session.pubkeys, pk)


def sign(secnonce: SecretNonce, secret: bytes, session: SessionContext) -> bytes:
    """Make this signer's 32-byte partial signature, consuming ``secnonce`` (BIP-327 ``Sign``).

    The secret nonce is wiped before anything else can fail, so a nonce that reached this
    point is never usable again, whatever happens next. The result is checked with
    :func:`partial_sig_verify_internal` before it is returned.

    Raises:
        InvalidContribution: the aggregate nonce is invalid (``signer`` is ``None``), or a
            public key in the session is invalid.
        MusigError: the nonce was already used, the secret key is out of range or does not
            match the nonce, or the signer's key is not in the session.
    """
    values = _session_values(session)
    k_1_, k_2_ = secnonce._take()  # wipes the nonce: one use only
    if not 0 < k_1_ < _N:
        raise MusigError("first secnonce value is out of range.")
    if not 0 < k_2_ < _N:
        raise MusigError("second secnonce value is out of range.")
    r_even = _has_even_y(values.r)
    k_1 = k_1_ if r_even else _N - k_1_
    k_2 = k_2_ if r_even else _N - k_2_
    d_ = _int(secret) if len(secret) == 32 else 0
    if not 0 < d_ < _N:
        raise MusigError("secret key value is out of range.")
    pk = individual_pk(secret)
    if not hmac.compare_digest(pk, secnonce.pubkey):
        raise MusigError("Public key does not match nonce_gen argument")
    a = _session_coeff(session, pk)
    g = 1 if _has_even_y(values.q) else _N - 1
    d = g * values.gacc * d_ % _N
    psig = _b32((k_1 + values.b * k_2 + values.e * a * d) % _N)
    if not _verify(psig, _pubnonce(k_1_, k_2_), pk, session, values):  # pragma: no cover
        raise MusigError("The partial signature just made does not verify (a fault).")
    return psig


def _verify(
    psig: bytes, pubnonce: bytes, pk: bytes, session: SessionContext, values: _Values
) -> bool:
    s = _int(psig)
    if len(psig) != 32 or s >= _N:
        return False
    if len(pubnonce) != 66:
        raise MusigError("A public nonce has 66 bytes.")
    try:
        r_s1 = _cpoint(pubnonce[0:33])
        r_s2 = _cpoint(pubnonce[33:66])
        p = _cpoint(pk)
    except ValueError:
        raise MusigError("The public nonce or key is not a compressed point.") from None
    re_s = _add(r_s1, _mul(r_s2, values.b))
    if re_s is not None and not _has_even_y(values.r):
        re_s = _negate(re_s)
    a = _session_coeff(session, pk)
    g = 1 if _has_even_y(values.q) else _N - 1
    rhs = _add(re_s, _mul(p, values.e * a * g * values.gacc))
    lhs = _gmul(s)
    if lhs is None or rhs is None:
        return lhs is None and rhs is None
    return _cbytes(lhs) == _cbytes(rhs)


def partial_sig_verify_internal(
    psig: bytes, pubnonce: bytes, pk: bytes, session: SessionContext
) -> bool:
    """Return whether ``psig`` is ``pk``'s valid partial signature (``PartialSigVerifyInternal``).

    Raises:
        InvalidContribution: the aggregate nonce or a key of the session is invalid.
        MusigError: ``pubnonce`` or ``pk`` is malformed, or ``pk`` is not in the session.
    """
    return _verify(psig, pubnonce, pk, session, _session_values(session))


def partial_sig_verify(
    psig: bytes,
    pubnonces: Sequence[bytes],
    pubkeys: Sequence[bytes],
    tweaks: Sequence[bytes],
    is_xonly: Sequence[bool],
    msg: bytes,
    i: int,
) -> bool:
    """Return whether ``psig`` is participant ``i``'s partial signature (``PartialSigVerify``).

    Raises:
        InvalidContribution: a public nonce or key is invalid (``signer`` is its index).
        MusigError: the lists differ in length.
    """
    if len(pubnonces) != len(pubkeys):
        raise MusigError("The `pubnonces` and `pubkeys` arrays must have the same length.")
    if len(tweaks) != len(is_xonly):
        raise MusigError("The `tweaks` and `is_xonly` arrays must have the same length.")
    session = SessionContext(
        nonce_agg(pubnonces), tuple(pubkeys), tuple(tweaks), tuple(is_xonly), msg
    )
    return partial_sig_verify_internal(psig, pubnonces[i], pubkeys[i], session)


def partial_sig_agg(psigs: Sequence[bytes], session: SessionContext) -> bytes:
    """Sum the partial signatures into the 64-byte BIP-340 signature (``PartialSigAgg``).

    This does not check the partial signatures: verify each with :func:`partial_sig_verify`
    first to know who cheated, or verify the result with BIP-340 to know that nobody did.

    Raises:
        InvalidContribution: a partial signature is not below n (``signer`` is its index).
    """
    values = _session_values(session)
    s = 0
    for i, psig in enumerate(psigs):
        s_i = _int(psig)
        if len(psig) != 32 or s_i >= _N:
            raise InvalidContribution(i, "psig")
        s = (s + s_i) % _N
    g = 1 if _has_even_y(values.q) else _N - 1
    s = (s + values.e * g * values.tacc) % _N
    return _xbytes(values.r) + _b32(s)


def deterministic_sign(
    secret: bytes,
    aggothernonce: bytes,
    pubkeys: Sequence[bytes],
    tweaks: Sequence[bytes],
    is_xonly: Sequence[bool],
    msg: bytes,
    rand: bytes | None = None,
) -> tuple[bytes, bytes]:
    """Sign as the last signer with a nonce derived from everything (``DeterministicSign``).

    Stateless: the nonce hashes the secret key with the other signers' aggregate nonce, the
    aggregate key and the message, so one signer can take part without storing a nonce. It is
    safe only for the signer that sends its nonce after seeing all others.

    Returns:
        The 66-byte public nonce and the 32-byte partial signature.

    Raises:
        InvalidContribution: ``aggothernonce`` or a public key is invalid.
        MusigError: another argument is invalid.
    """
    if len(secret) != 32:
        raise MusigError("secret key value is out of range.")
    sk_ = secret
    if rand is not None:
        aux = tagged_hash("MuSig/aux", rand)
        sk_ = bytes(a ^ b for a, b in zip(secret, aux, strict=True))
    aggpk = key_agg_context(pubkeys, tweaks, is_xonly).xonly
    k = []
    for i in (0, 1):
        buf = sk_ + aggothernonce + aggpk + len(msg).to_bytes(8, "big") + msg + bytes([i])
        k.append(_int(tagged_hash("MuSig/deterministic/nonce", buf)) % _N)
    if 0 in k:  # pragma: no cover - probability 2^-255
        raise MusigError("DeterministicSign produced a zero nonce.")
    pubnonce = _pubnonce(k[0], k[1])
    secnonce = SecretNonce(_b32(k[0]) + _b32(k[1]) + individual_pk(secret))
    try:
        aggnonce = nonce_agg([pubnonce, aggothernonce])
    except InvalidContribution:
        raise InvalidContribution(None, "aggothernonce") from None
    session = SessionContext(aggnonce, tuple(pubkeys), tuple(tweaks), tuple(is_xonly), msg)
    return pubnonce, sign(secnonce, secret, session)


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


def derive_child(aggregate: bytes, path: Sequence[int]) -> tuple[bytes, tuple[bytes, ...]]:
    """Derive a child of the aggregate's synthetic xpub; return it and the tweaks to sign for it.

    BIP-328: the child is BIP-32 CKDpub from ``(MUSIG_CHAIN_CODE, aggregate)`` along ``path``,
    and a signing session for the child applies each step's ``I_L`` as a plain (not x-only)
    tweak, in order (BIP-327 ``ApplyTweak``), before any taproot tweak. This is CKDpub again
    rather than ``keystore.bip32`` because ``primitives`` may not import the keystore, and
    because signers need the ``I_L`` values, which an xpub object does not keep; a test holds
    both to the same children.

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
        digest = hmac.digest(chain_code, key + index.to_bytes(4, "big"), "sha512")
        tweak, chain_code = digest[:32], digest[32:]
        child = _add(_cpoint(key), _gmul(_int(tweak)))
        if _int(tweak) >= _N or child is None:  # pragma: no cover - probability 2^-127
            raise MusigError(f"Child {index} of this aggregate key does not exist (BIP-32).")
        key = _cbytes(child)
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
