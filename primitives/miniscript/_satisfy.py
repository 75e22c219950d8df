"""Build the cheapest non-malleable witness for a miniscript (BIP-379, "Satisfaction").

For every node the satisfier computes its best satisfaction and its best dissatisfaction
from its children's, as Bitcoin Core's ``ProduceInput`` does: each candidate stack records
whether it holds a signature, whether a third party could change it (malleable), and whether
it is a non-canonical choice. Between two candidates the rules are Core's: a candidate without
a signature wins over one with (anyone could otherwise swap in the one without, so neither
would be safe), two without signatures make the result malleable, and otherwise the smaller
non-malleable one wins. The result is accepted only if it is not malleable and holds a
signature, so what the wallet broadcasts cannot be changed in flight into another valid spend.

Timelocks are decided by the caller: ``older_ok(n)`` / ``after_ok(n)`` say whether the input's
nSequence and the transaction's nLockTime satisfy ``older(n)`` / ``after(n)``;
``sequence_satisfies`` and ``locktime_satisfies`` implement BIP-68/112 and BIP-65 for that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Generic

from primitives.hashes import hash160, ripemd160, sha256, sha256d
from primitives.miniscript._miniscript import Miniscript
from primitives.miniscript._node import K, Node
from primitives.miniscript._types import (
    LOCKTIME_THRESHOLD,
    SEQUENCE_LOCKTIME_TYPE_FLAG,
    Fragment,
    NotSatisfiable,
)

__all__ = ["locktime_satisfies", "satisfy", "sequence_satisfies"]

F = Fragment
_SEQUENCE_DISABLE_FLAG = 1 << 31
_SEQUENCE_MASK = 0x0000FFFF
_HASHERS: dict[Fragment, Callable[[bytes], bytes]] = {
    F.SHA256: sha256,
    F.HASH256: sha256d,
    F.RIPEMD160: ripemd160,
    F.HASH160: hash160,
}


@dataclass(frozen=True, slots=True)
class _Stack:
    """A candidate witness (bottom first), with what Core's ``InputStack`` tracks."""

    available: bool
    stack: tuple[bytes, ...] = ()
    size: int = 0
    has_sig: bool = False
    malleable: bool = False
    non_canon: bool = False

    def __add__(self, other: _Stack) -> _Stack:
        """Concatenate: ``other`` goes on top (it is consumed first)."""
        if not (self.available and other.available):
            return INVALID
        return _Stack(
            True,
            self.stack + other.stack,
            self.size + other.size,
            self.has_sig or other.has_sig,
            self.malleable or other.malleable,
            self.non_canon or other.non_canon,
        )

    def __or__(self, other: _Stack) -> _Stack:
        """Choose between two candidates (Core's ``InputStack::operator|``)."""
        a, b = self, other
        if not a.available:
            return b
        if not b.available:
            return a
        if not a.has_sig and b.has_sig:
            return a
        if not b.has_sig and a.has_sig:
            return b
        if not a.has_sig and not b.has_sig:
            a, b = replace(a, malleable=True), replace(b, malleable=True)
        else:
            if b.malleable and not a.malleable:
                return a
            if a.malleable and not b.malleable:
                return b
        return a if a.size <= b.size else b

    def flagged(self, malleable: bool = True, non_canon: bool = True) -> _Stack:
        if not self.available:
            return self
        return replace(
            self, malleable=self.malleable or malleable, non_canon=self.non_canon or non_canon
        )


INVALID = _Stack(False)
EMPTY = _Stack(True)


def _push(data: bytes, has_sig: bool = False, malleable: bool = False) -> _Stack:
    return _Stack(True, (data,), len(data) + 1, has_sig, malleable)


ZERO = _push(b"")
ONE = _push(b"\x01")
ZERO32 = _push(bytes(32), malleable=True)


def sequence_satisfies(n: int, sequence: int, tx_version: int = 2) -> bool:
    """Whether an input with ``sequence`` satisfies ``older(n)`` (BIP-68, BIP-112).

    The lock and the input must agree in kind (blocks, or 512-second units with bit 22 set),
    the input's relative lock must be enabled (bit 31 clear, version 2 or later), and its
    value, masked to 16 bits, must reach ``n``'s.
    """
    if tx_version < 2 or sequence & _SEQUENCE_DISABLE_FLAG:
        return False
    if (n & SEQUENCE_LOCKTIME_TYPE_FLAG) != (sequence & SEQUENCE_LOCKTIME_TYPE_FLAG):
        return False
    return (sequence & _SEQUENCE_MASK) >= (n & _SEQUENCE_MASK)


def locktime_satisfies(n: int, locktime: int, sequence: int) -> bool:
    """Whether a transaction with ``locktime`` satisfies ``after(n)`` for an input (BIP-65).

    Both must be heights or both times (500,000,000 divides them), the locktime must reach
    ``n``, and the input's nSequence must not be final (0xffffffff disables nLockTime).
    """
    if sequence == 0xFFFFFFFF:
        return False
    if (n < LOCKTIME_THRESHOLD) != (locktime < LOCKTIME_THRESHOLD):
        return False
    return locktime >= n


def satisfy(
    ms: Miniscript[K],
    key_bytes: Callable[[K], bytes],
    signatures: Mapping[bytes, bytes],
    preimages: Mapping[bytes, bytes],
    older_ok: Callable[[int], bool],
    after_ok: Callable[[int], bool],
) -> list[bytes]:
    """Return the cheapest non-malleable witness stack for ``ms`` (bottom element first).

    The witness script (P2WSH) or the script and control block (tapscript) are not included:
    append them to make the input's witness.

    Args:
        ms: the miniscript being spent.
        key_bytes: the serialised key, as given to ``Miniscript.script``.
        signatures: signature (with its sighash byte) by serialised key.
        preimages: 32-byte preimage by the hash the script checks (the digest as written in
            ``sha256(...)`` and friends); a preimage that does not hash to it is ignored.
        older_ok: whether ``older(n)`` holds for the input (see ``sequence_satisfies``).
        after_ok: whether ``after(n)`` holds for the transaction (see ``locktime_satisfies``).

    Raises:
        NotSatisfiable: no satisfaction exists with what was given, or every one that does
            could be changed by a third party or needs no signature.
    """
    ctx: _Context[K] = _Context(key_bytes, signatures, preimages, older_ok, after_ok)
    _, sat = ctx.produce(ms.node)
    if not sat.available:
        raise NotSatisfiable(
            "The miniscript cannot be satisfied with the signatures, preimages and timelocks given."
        )
    if sat.malleable or not sat.has_sig:
        raise NotSatisfiable(
            "The only witness available could be changed by a third party (it is malleable"
            " or needs no signature), so it is not built."
        )
    return list(sat.stack)


@dataclass(frozen=True, slots=True)
class _Context(Generic[K]):
    key_bytes: Callable[[K], bytes]
    signatures: Mapping[bytes, bytes]
    preimages: Mapping[bytes, bytes]
    older_ok: Callable[[int], bool]
    after_ok: Callable[[int], bool]

    def sign(self, key: K) -> _Stack:
        sig = self.signatures.get(self.key_bytes(key))
        return INVALID if sig is None else _push(sig, has_sig=True)

    def preimage(self, fragment: Fragment, digest: bytes) -> _Stack:
        pre = self.preimages.get(digest)
        if pre is None or len(pre) != 32 or _HASHERS[fragment](pre) != digest:
            return INVALID
        return _push(pre)

    def produce(self, node: Node[K]) -> tuple[_Stack, _Stack]:
        """Return (dissatisfaction, satisfaction) of ``node``."""
        f = node.fragment
        if f is F.JUST_0:
            return EMPTY, INVALID
        if f is F.JUST_1:
            return INVALID, EMPTY
        if f is F.PK_K:
            return ZERO, self.sign(node.keys[0])
        if f is F.PK_H:
            key = _push(self.key_bytes(node.keys[0]))
            return ZERO + key, self.sign(node.keys[0]) + key
        if f is F.OLDER:
            return INVALID, EMPTY if self.older_ok(node.k) else INVALID
        if f is F.AFTER:
            return INVALID, EMPTY if self.after_ok(node.k) else INVALID
        if f in _HASHERS:
            return ZERO32, self.preimage(f, node.data)
        if f is F.MULTI:
            sats = [ZERO]
            for k in node.keys:
                sig = self.sign(k)
                nxt = [sats[0]]
                nxt += [sats[j] | (sats[j - 1] + sig) for j in range(1, len(sats))]
                nxt.append(sats[-1] + sig)
                sats = nxt
            nsat = ZERO
            for _ in range(node.k):
                nsat = nsat + ZERO
            return nsat, sats[node.k]
        if f is F.MULTI_A:
            sats = [EMPTY]
            for k in reversed(node.keys):  # the first key's signature is on top
                sig = self.sign(k)
                nxt = [sats[0] + ZERO]
                nxt += [(sats[j] + ZERO) | (sats[j - 1] + sig) for j in range(1, len(sats))]
                nxt.append(sats[-1] + sig)
                sats = nxt
            return sats[0], sats[node.k]
        if f is F.THRESH:
            results = [self.produce(sub) for sub in node.subs]
            sats = [EMPTY]
            for nsat_i, sat_i in reversed(results):
                nxt = [sats[0] + nsat_i]
                nxt += [(sats[j] + nsat_i) | (sats[j - 1] + sat_i) for j in range(1, len(sats))]
                nxt.append(sats[-1] + sat_i)
                sats = nxt
            nsat = INVALID
            for i, candidate in enumerate(sats):
                if i not in (0, node.k):
                    candidate = candidate.flagged()
                if i != node.k:
                    nsat = nsat | candidate
            return nsat, sats[node.k]
        xn, xs = self.produce(node.subs[0])
        if f in (F.WRAP_A, F.WRAP_S, F.WRAP_C, F.WRAP_N):
            return xn, xs
        if f is F.WRAP_D:
            return ZERO, xs + ONE
        if f is F.WRAP_J:
            # A dissatisfiable argument without signature may have another dissatisfaction
            # with a non-zero top element; assume it does (Core's conservative choice).
            maybe_other = xn.available and not xn.has_sig
            return (ZERO.flagged(True, False) if maybe_other else ZERO), xs
        if f is F.WRAP_V:
            return INVALID, xs
        yn, ys = self.produce(node.subs[1])
        if f is F.AND_V:
            return (yn + xs).flagged(False, True), ys + xs
        if f is F.AND_B:
            nsat = (yn + xn) | (ys + xn).flagged() | (yn + xs).flagged()
            return nsat, ys + xs
        if f is F.OR_B:
            return yn + xn, (yn + xs) | (ys + xn) | (ys + xs).flagged()
        if f is F.OR_C:
            return INVALID, xs | (ys + xn)
        if f is F.OR_D:
            return yn + xn, xs | (ys + xn)
        if f is F.OR_I:
            return (xn + ONE) | (yn + ZERO), (xs + ONE) | (ys + ZERO)
        zn, zs = self.produce(node.subs[2])  # andor
        return (yn + xs).flagged(False, True) | (zn + xn), (ys + xs) | (zs + xn)
