"""MuSig2 nonces and signing (BIP-327 NonceGen, NonceAgg, Sign, PartialSigVerify, ...)."""

from __future__ import annotations

import functools
import hmac
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NoReturn

from primitives.hashes import tagged_hash
from primitives.musig2._core import (
    InvalidContribution,
    MusigError,
    N,
    Point,
    add,
    b32,
    cbytes,
    cbytes_ext,
    cpoint,
    cpoint_ext,
    gmul,
    has_even_y,
    int_,
    mul,
    negate,
    xbytes,
)
from primitives.musig2.keys import individual_pk, key_agg_coeff, key_agg_context

__all__ = [
    "SecretNonce",
    "SessionContext",
    "deterministic_sign",
    "nonce_agg",
    "nonce_gen",
    "nonce_gen_with_rand_unsafe",
    "partial_sig_agg",
    "partial_sig_verify",
    "partial_sig_verify_internal",
    "sign",
]


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
        k_1, k_2 = int_(bytes(self._value[0:32])), int_(bytes(self._value[32:64]))
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
    return int_(tagged_hash("MuSig/nonce", buf))


def _pubnonce(k_1: int, k_2: int) -> bytes:
    r_1, r_2 = gmul(k_1), gmul(k_2)
    if r_1 is None or r_2 is None:  # pragma: no cover - callers pass scalars in 1..n-1
        raise MusigError("first secnonce value is out of range.")
    return cbytes(r_1) + cbytes(r_2)


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
    k_1 = _nonce_hash(rand, pk, aggpk or b"", 0, msg_prefixed, extra) % N
    k_2 = _nonce_hash(rand, pk, aggpk or b"", 1, msg_prefixed, extra) % N
    if k_1 == 0 or k_2 == 0:  # pragma: no cover - probability 2^-255
        raise MusigError("NonceGen produced a zero nonce; draw again.")
    return SecretNonce(b32(k_1) + b32(k_2) + pk), _pubnonce(k_1, k_2)


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


def _nonce_agg_points(pubnonces: Sequence[bytes]) -> tuple[Point | None, Point | None]:
    sums: list[Point | None] = []
    for j in (0, 1):
        terms: list[Point | None] = []
        for i, pubnonce in enumerate(pubnonces):
            try:
                terms.append(cpoint(pubnonce[j * 33 : (j + 1) * 33]))
            except ValueError:
                raise InvalidContribution(i, "pubnonce") from None
        sums.append(add(*terms))
    return sums[0], sums[1]


def nonce_agg(pubnonces: Sequence[bytes]) -> bytes:
    """Sum the participants' 66-byte public nonces into the aggregate nonce (``NonceAgg``).

    Either half of the result may be the point at infinity, written as 33 zero bytes.

    Raises:
        InvalidContribution: a public nonce is not two compressed points (``signer`` is its
            index).
    """
    r_1, r_2 = _nonce_agg_points(pubnonces)
    return cbytes_ext(r_1) + cbytes_ext(r_2)


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
    q: Point
    gacc: int
    tacc: int
    b: int
    r: Point
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
    b = int_(tagged_hash("MuSig/noncecoef", session.aggnonce + q_x + session.msg)) % N
    try:
        if len(session.aggnonce) != 66:
            raise ValueError("the aggregate nonce has 66 bytes")
        r_1 = cpoint_ext(session.aggnonce[0:33])
        r_2 = cpoint_ext(session.aggnonce[33:66])
    except ValueError:
        raise InvalidContribution(None, "aggnonce") from None
    r_sum = add(r_1, mul(r_2, b) if r_2 is not None else None)
    # BIP-327: an aggregate nonce at infinity (only a dishonest aggregator gets there) is
    # replaced by G, so an honest signer still produces a signature that can be checked.
    r = r_sum if r_sum is not None else gmul(1)
    e = int_(tagged_hash("BIP0340/challenge", xbytes(r) + q_x + session.msg)) % N
    return _Values(cpoint(ctx.point), ctx.gacc, ctx.tacc, b, r, e)


def _session_coeff(session: SessionContext, pk: bytes) -> int:
    if pk not in session.pubkeys:
        raise MusigError("The signer's pubkey must be included in the list of pubkeys.")
    return key_agg_coeff(session.pubkeys, pk)


def sign(secnonce: SecretNonce, secret: bytes, session: SessionContext) -> bytes:
    """Make this signer's 32-byte partial signature, consuming ``secnonce`` (BIP-327 ``Sign``).

    As in the reference, the public session values are computed first (an invalid aggregate
    nonce or key list leaves the nonce untouched); then the secret nonce is wiped before any
    check that involves it or the key, so from there on it is never usable again, whatever
    happens next. The result is checked with :func:`partial_sig_verify_internal` before it
    is returned.

    Raises:
        InvalidContribution: the aggregate nonce is invalid (``signer`` is ``None``), or a
            public key in the session is invalid.
        MusigError: the nonce was already used, the secret key is out of range or does not
            match the nonce, or the signer's key is not in the session.
    """
    values = _session_values(session)
    k_1_, k_2_ = secnonce._take()  # wipes the nonce: one use only
    if not 0 < k_1_ < N:
        raise MusigError("first secnonce value is out of range.")
    if not 0 < k_2_ < N:
        raise MusigError("second secnonce value is out of range.")
    r_even = has_even_y(values.r)
    k_1 = k_1_ if r_even else N - k_1_
    k_2 = k_2_ if r_even else N - k_2_
    d_ = int_(secret) if len(secret) == 32 else 0
    if not 0 < d_ < N:
        raise MusigError("secret key value is out of range.")
    pk = individual_pk(secret)
    if not hmac.compare_digest(pk, secnonce.pubkey):
        raise MusigError("Public key does not match nonce_gen argument")
    a = _session_coeff(session, pk)
    g = 1 if has_even_y(values.q) else N - 1
    d = g * values.gacc * d_ % N
    psig = b32((k_1 + values.b * k_2 + values.e * a * d) % N)
    if not _verify(psig, _pubnonce(k_1_, k_2_), pk, session, values):  # pragma: no cover
        raise MusigError("The partial signature just made does not verify (a fault).")
    return psig


def _verify(
    psig: bytes, pubnonce: bytes, pk: bytes, session: SessionContext, values: _Values
) -> bool:
    s = int_(psig)
    if len(psig) != 32 or s >= N:
        return False
    if len(pubnonce) != 66:
        raise MusigError("A public nonce has 66 bytes.")
    try:
        r_s1 = cpoint(pubnonce[0:33])
        r_s2 = cpoint(pubnonce[33:66])
        p = cpoint(pk)
    except ValueError:
        raise MusigError("The public nonce or key is not a compressed point.") from None
    re_s = add(r_s1, mul(r_s2, values.b))
    if re_s is not None and not has_even_y(values.r):
        re_s = negate(re_s)
    a = _session_coeff(session, pk)
    g = 1 if has_even_y(values.q) else N - 1
    rhs = add(re_s, mul(p, values.e * a * g * values.gacc))
    lhs = gmul(s)
    if lhs is None or rhs is None:
        return lhs is None and rhs is None
    return cbytes(lhs) == cbytes(rhs)


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
        s_i = int_(psig)
        if len(psig) != 32 or s_i >= N:
            raise InvalidContribution(i, "psig")
        s = (s + s_i) % N
    g = 1 if has_even_y(values.q) else N - 1
    s = (s + values.e * g * values.tacc) % N
    return xbytes(values.r) + b32(s)


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
        k.append(int_(tagged_hash("MuSig/deterministic/nonce", buf)) % N)
    if 0 in k:  # pragma: no cover - probability 2^-255
        raise MusigError("DeterministicSign produced a zero nonce.")
    pubnonce = _pubnonce(k[0], k[1])
    secnonce = SecretNonce(b32(k[0]) + b32(k[1]) + individual_pk(secret))
    try:
        aggnonce = nonce_agg([pubnonce, aggothernonce])
    except InvalidContribution:
        raise InvalidContribution(None, "aggothernonce") from None
    session = SessionContext(aggnonce, tuple(pubkeys), tuple(tweaks), tuple(is_xonly), msg)
    return pubnonce, sign(secnonce, secret, session)
