"""Miniscript's contexts, fragments, errors and type system (BIP-379, "Type system").

Every expression has one basic type (B, V, K or W) and a set of type properties (z o n d u e
f s m x k). The rules below are BIP-379's tables, written as Bitcoin Core's ``ComputeType``
computes them: the private properties g, h, i, j record which kinds of timelock (relative
time, relative height, absolute time, absolute height) an expression contains, so that k
("no spending path mixes heights and times") can be derived for ``and_*``, ``andor`` and
``thresh``.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

__all__ = [
    "Context",
    "Fragment",
    "InsaneMiniscript",
    "MiniscriptError",
    "MiniscriptSyntaxError",
    "MiniscriptTypeError",
    "NotSatisfiable",
    "Type",
    "compute_type",
]

SEQUENCE_LOCKTIME_TYPE_FLAG = 1 << 22  # BIP-68: relative lock in units of 512 seconds
LOCKTIME_THRESHOLD = 500_000_000  # nLockTime below this is a height, at or above a time


class Context(enum.Enum):
    """Where a miniscript is spent: a P2WSH witness script or a BIP-342 tapscript leaf."""

    P2WSH = "p2wsh"
    TAPSCRIPT = "tapscript"


class MiniscriptError(ValueError):
    """A miniscript is malformed, ill-typed, unsafe, or cannot be satisfied."""


class MiniscriptSyntaxError(MiniscriptError):
    """The text is not a miniscript expression (unknown fragment, bad argument, bad key)."""


class MiniscriptTypeError(MiniscriptError):
    """An expression breaks BIP-379's typing rules; the message names the fragment."""


class InsaneMiniscript(MiniscriptError):
    """A well-typed miniscript is not safe to use (BIP-379, "Security properties").

    Attributes:
        fragment: the text of the smallest offending sub-expression.
        reason: one of ``"malleable"``, ``"no-signature"``, ``"timelock-mix"``,
            ``"duplicate-key"``, ``"resource-limit"``, ``"not-top-level"``.
    """

    def __init__(self, message: str, fragment: str, reason: str) -> None:
        """Record the offending fragment and why it is refused."""
        super().__init__(message)
        self.fragment = fragment
        self.reason = reason


class NotSatisfiable(MiniscriptError):
    """No non-malleable witness can be built from the signatures, preimages and locks given."""


class Fragment(enum.Enum):
    """The fragments of BIP-379's table, wrappers included (values are their text names)."""

    JUST_0 = "0"
    JUST_1 = "1"
    PK_K = "pk_k"
    PK_H = "pk_h"
    OLDER = "older"
    AFTER = "after"
    SHA256 = "sha256"
    HASH256 = "hash256"
    RIPEMD160 = "ripemd160"
    HASH160 = "hash160"
    ANDOR = "andor"
    AND_V = "and_v"
    AND_B = "and_b"
    OR_B = "or_b"
    OR_C = "or_c"
    OR_D = "or_d"
    OR_I = "or_i"
    THRESH = "thresh"
    MULTI = "multi"
    MULTI_A = "multi_a"
    WRAP_A = "a"
    WRAP_S = "s"
    WRAP_C = "c"
    WRAP_D = "d"
    WRAP_V = "v"
    WRAP_J = "j"
    WRAP_N = "n"


_LETTERS = "BVKWzondufesmxghijk"
_BIT = {c: 1 << i for i, c in enumerate(_LETTERS)}


class Type:
    """A set of BIP-379 type letters (basic type plus properties), as a bit mask."""

    __slots__ = ("bits",)

    def __init__(self, bits: int = 0) -> None:
        """Wrap a bit mask; use ``Type.of("Bdu")`` to build one from letters."""
        self.bits = bits

    @classmethod
    def of(cls, letters: str) -> Type:
        """Return the type with exactly these letters."""
        bits = 0
        for c in letters:
            bits |= _BIT[c]
        return cls(bits)

    def has(self, letters: str) -> bool:
        """Whether every one of ``letters`` is in this type."""
        mask = Type.of(letters).bits
        return self.bits & mask == mask

    def only(self, letters: str) -> Type:
        """Return the letters of this type that are among ``letters``."""
        return Type(self.bits & Type.of(letters).bits)

    def when(self, condition: bool) -> Type:
        """Return this type if ``condition`` holds, else the empty type."""
        return self if condition else Type()

    def __or__(self, other: Type) -> Type:
        return Type(self.bits | other.bits)

    def __and__(self, other: Type) -> Type:
        return Type(self.bits & other.bits)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Type) and other.bits == self.bits

    def __hash__(self) -> int:
        return self.bits

    def __repr__(self) -> str:
        return f"Type({str(self)!r})"

    def __str__(self) -> str:
        """Return the public letters in BIP-379's order (basic type first)."""
        return "".join(c for c in "BVKWzondufesmxk" if self.bits & _BIT[c])

    @property
    def basic(self) -> str:
        """Return the basic type letter, or ``""`` for an ill-typed expression."""
        for c in "BVKW":
            if self.bits & _BIT[c]:
                return c
        return ""


_EMPTY = Type()


def _T(letters: str) -> Type:
    return Type.of(letters)


def _no_mix(x: Type, y: Type) -> bool:
    """Whether x and y, used together, do not combine a height lock with a time lock."""
    return not (
        (x.has("g") and y.has("h"))
        or (x.has("h") and y.has("g"))
        or (x.has("i") and y.has("j"))
        or (x.has("j") and y.has("i"))
    )


def compute_type(fragment: Fragment, k: int, subs: Sequence[Type], context: Context) -> Type:
    """Return the type of a fragment from its children's types (BIP-379's type tables).

    Returns the empty type when the children do not fit the fragment (the caller turns that
    into a ``MiniscriptTypeError`` naming what was required).
    """
    x = subs[0] if subs else _EMPTY
    y = subs[1] if len(subs) > 1 else _EMPTY
    z = subs[2] if len(subs) > 2 else _EMPTY
    tap = context is Context.TAPSCRIPT
    f = Fragment
    if fragment is f.PK_K:
        return _T("Konudemsxk")
    if fragment is f.PK_H:
        return _T("Knudemsxk")
    if fragment is f.OLDER:
        time = bool(k & SEQUENCE_LOCKTIME_TYPE_FLAG)
        return _T("g").when(time) | _T("h").when(not time) | _T("Bzfmxk")
    if fragment is f.AFTER:
        time = k >= LOCKTIME_THRESHOLD
        return _T("i").when(time) | _T("j").when(not time) | _T("Bzfmxk")
    if fragment in (f.SHA256, f.RIPEMD160, f.HASH256, f.HASH160):
        return _T("Bonudmk")
    if fragment is f.JUST_1:
        return _T("Bzufmxk")
    if fragment is f.JUST_0:
        return _T("Bzudemsxk")
    if fragment is f.WRAP_A:
        return _T("W").when(x.has("B")) | x.only("ghijk") | x.only("udfems") | _T("x")
    if fragment is f.WRAP_S:
        return _T("W").when(x.has("Bo")) | x.only("ghijk") | x.only("udfemsx")
    if fragment is f.WRAP_C:
        return _T("B").when(x.has("K")) | x.only("ghijk") | x.only("ondfem") | _T("us")
    if fragment is f.WRAP_D:
        # 'd:' is 'u' in tapscript only: MINIMALIF is consensus there, policy in P2WSH.
        return (
            _T("B").when(x.has("Vz"))
            | _T("o").when(x.has("z"))
            | _T("e").when(x.has("f"))
            | x.only("ghijk")
            | x.only("ms")
            | _T("u").when(tap)
            | _T("ndx")
        )
    if fragment is f.WRAP_V:
        return _T("V").when(x.has("B")) | x.only("ghijk") | x.only("zonms") | _T("fx")
    if fragment is f.WRAP_J:
        return (
            _T("B").when(x.has("Bn"))
            | _T("e").when(x.has("f"))
            | x.only("ghijk")
            | x.only("oums")
            | _T("ndx")
        )
    if fragment is f.WRAP_N:
        return x.only("ghijk") | x.only("Bzondfems") | _T("ux")
    if fragment is f.AND_V:
        return (
            y.only("KVB").when(x.has("V"))
            | x.only("n")
            | y.only("n").when(x.has("z"))
            | (x | y).only("o").when((x | y).has("z"))
            | (x & y).only("dmz")
            | (x | y).only("s")
            | _T("f").when(y.has("f") or x.has("s"))
            | y.only("ux")
            | (x | y).only("ghij")
            | _T("k").when((x & y).has("k") and _no_mix(x, y))
        )
    if fragment is f.AND_B:
        return (
            x.only("B").when(y.has("W"))
            | (x | y).only("o").when((x | y).has("z"))
            | x.only("n")
            | y.only("n").when(x.has("z"))
            | (x & y).only("e").when((x & y).has("s"))
            | (x & y).only("dzm")
            | _T("f").when((x & y).has("f") or x.has("sf") or y.has("sf"))
            | (x | y).only("s")
            | _T("ux")
            | (x | y).only("ghij")
            | _T("k").when((x & y).has("k") and _no_mix(x, y))
        )
    if fragment is f.OR_B:
        return (
            _T("B").when(x.has("Bd") and y.has("Wd"))
            | (x | y).only("o").when((x | y).has("z"))
            | (x & y).only("m").when((x | y).has("s") and (x & y).has("e"))
            | (x & y).only("zse")
            | _T("dux")
            | (x | y).only("ghij")
            | (x & y).only("k")
        )
    if fragment is f.OR_D:
        return (
            y.only("B").when(x.has("Bdu"))
            | x.only("o").when(y.has("z"))
            | (x & y).only("m").when(x.has("e") and (x | y).has("s"))
            | (x & y).only("zs")
            | y.only("ufde")
            | _T("x")
            | (x | y).only("ghij")
            | (x & y).only("k")
        )
    if fragment is f.OR_C:
        return (
            y.only("V").when(x.has("Bdu"))
            | x.only("o").when(y.has("z"))
            | (x & y).only("m").when(x.has("e") and (x | y).has("s"))
            | (x & y).only("zs")
            | _T("fx")
            | (x | y).only("ghij")
            | (x & y).only("k")
        )
    if fragment is f.OR_I:
        return (
            (x & y).only("VBKufs")
            | _T("o").when((x & y).has("z"))
            | (x | y).only("e").when((x | y).has("f"))
            | (x & y).only("m").when((x | y).has("s"))
            | (x | y).only("d")
            | _T("x")
            | (x | y).only("ghij")
            | (x & y).only("k")
        )
    if fragment is f.ANDOR:
        return (
            (y & z).only("BKV").when(x.has("Bdu"))
            | (x & y & z).only("z")
            | (x | (y & z)).only("o").when((x | (y & z)).has("z"))
            | (y & z).only("u")
            | z.only("f").when(x.has("s") or y.has("f"))
            | z.only("d")
            | z.only("e").when(x.has("s") or y.has("f"))
            | (x & y & z).only("m").when(x.has("e") and (x | y | z).has("s"))
            | (z & (x | y)).only("s")
            | _T("x")
            | (x | y | z).only("ghij")
            | _T("k").when((x & y & z).has("k") and _no_mix(x, y))
        )
    if fragment is f.MULTI:
        return _T("Bnudemsk")
    if fragment is f.MULTI_A:
        return _T("Budemsk")
    return _thresh_type(k, subs)


def _thresh_type(k: int, subs: Sequence[Type]) -> Type:
    all_e = all_m = True
    args = num_s = 0
    acc = _T("k")
    for i, t in enumerate(subs):
        if not t.has("Wdu" if i else "Bdu"):
            return _EMPTY
        all_e = all_e and t.has("e")
        all_m = all_m and t.has("m")
        num_s += t.has("s")
        args += 0 if t.has("z") else 1 if t.has("o") else 2
        keep_k = (acc & t).has("k") and (k <= 1 or _no_mix(acc, t))
        acc = (acc | t).only("ghij") | _T("k").when(keep_k)
    n = len(subs)
    return (
        _T("Bdu")
        | _T("z").when(args == 0)
        | _T("o").when(args == 1)
        | _T("e").when(all_e and num_s == n)
        | _T("m").when(all_e and all_m and num_s >= n - k)
        | _T("s").when(num_s >= n - k + 1)
        | acc
    )
