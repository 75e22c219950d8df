"""The miniscript expression tree and the resource figures computed along with its type.

A ``Node`` is immutable. On construction it computes, from its children, its BIP-379 type,
its script length, and the bounds Bitcoin Core keeps for each node (``CalcOps``,
``CalcStackSize``, ``CalcWitnessSize`` in ``script/miniscript.h``): the opcodes a
non-malleable satisfaction executes, the stack elements it needs and reaches during
execution, and the largest witness it takes. ``None`` stands for "no such satisfaction".
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from primitives.miniscript._types import (
    Context,
    Fragment,
    MiniscriptTypeError,
    Type,
    compute_type,
)
from primitives.script import push_int

__all__ = ["K", "Node"]

K = TypeVar("K", bound=Hashable)

F = Fragment
HASH_FRAGMENTS = (F.SHA256, F.HASH256, F.RIPEMD160, F.HASH160)
WRAPPERS = (F.WRAP_A, F.WRAP_S, F.WRAP_C, F.WRAP_D, F.WRAP_V, F.WRAP_J, F.WRAP_N)

# What each combinator asks of its arguments, for error messages (BIP-379's type table).
_NEEDS = {
    F.AND_V: "X of type V and Y of type B, V or K",
    F.AND_B: "X of type B and Y of type W",
    F.OR_B: "X of type Bd and Y of type Wd",
    F.OR_C: "X of type Bdu and Y of type V",
    F.OR_D: "X of type Bdu and Y of type B",
    F.OR_I: "X and Y both of type B, both V or both K",
    F.ANDOR: "X of type Bdu, and Y and Z both of type B, both V or both K",
    F.THRESH: "a first argument of type Bdu and the others of type Wdu",
    F.WRAP_A: "an argument of type B",
    F.WRAP_S: "an argument of type Bo",
    F.WRAP_C: "an argument of type K",
    F.WRAP_D: "an argument of type Vz",
    F.WRAP_V: "an argument of type B",
    F.WRAP_J: "an argument of type Bn",
    F.WRAP_N: "an argument of type B",
}

Opt = int | None
Sat = tuple[int, int] | None  # (netdiff, exec) of a set of execution traces, as in Core


def _add(a: Opt, b: Opt) -> Opt:
    return None if a is None or b is None else a + b


def _max(a: Opt, b: Opt) -> Opt:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _cat(*parts: Sat) -> Sat:
    """Concatenate execution traces (Core's ``SatInfo::operator+``)."""
    out: Sat = (0, 0)
    for b in parts:
        if out is None or b is None:
            return None
        out = (out[0] + b[0], max(b[1], b[0] + out[1]))
    return out


def _union(a: Sat, b: Sat) -> Sat:
    if a is None:
        return b
    if b is None:
        return a
    return (max(a[0], b[0]), max(a[1], b[1]))


PUSH: Sat = (-1, 0)
NOP: Sat = (0, 0)
IF: Sat = (1, 1)
BINOP: Sat = (1, 1)
DUP: Sat = (-1, 0)
EQUALVERIFY: Sat = (2, 2)
EQUAL: Sat = (1, 1)
SIZE: Sat = (-1, 0)
CHECKSIG: Sat = (1, 1)
VERIFY: Sat = (1, 1)
IFDUP_TRUE: Sat = (-1, 0)
IFDUP_FALSE: Sat = (0, 0)


@dataclass(frozen=True, slots=True)
class Node(Generic[K]):
    """One miniscript expression: a fragment with its number, keys, hash and children.

    Equality compares the tree (fragment, ``k``, keys, hash, children, context); the derived
    figures are left out of comparisons.

    Raises:
        MiniscriptTypeError: the children's types do not fit the fragment.
    """

    fragment: Fragment
    context: Context
    k: int = 0
    keys: tuple[K, ...] = ()
    data: bytes = b""
    subs: tuple[Node[K], ...] = ()
    type: Type = field(init=False, compare=False, repr=False)
    script_len: int = field(init=False, compare=False, repr=False)
    ops_count: int = field(init=False, compare=False, repr=False)
    ops_sat: Opt = field(init=False, compare=False, repr=False)
    ops_dsat: Opt = field(init=False, compare=False, repr=False)
    ss_sat: Sat = field(init=False, compare=False, repr=False)
    ss_dsat: Sat = field(init=False, compare=False, repr=False)
    ws_sat: Opt = field(init=False, compare=False, repr=False)
    ws_dsat: Opt = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        typ = compute_type(self.fragment, self.k, [s.type for s in self.subs], self.context)
        if typ.basic == "":
            got = ", ".join(str(s.type) or "invalid" for s in self.subs)
            raise MiniscriptTypeError(
                f"{self.fragment.value} needs {_NEEDS.get(self.fragment, 'other arguments')};"
                f" got {'arguments' if len(self.subs) > 1 else 'an argument'} of type {got}."
            )
        setter = object.__setattr__
        setter(self, "type", typ)
        setter(self, "script_len", self._script_len())
        count, osat, odsat = self._ops()
        setter(self, "ops_count", count)
        setter(self, "ops_sat", osat)
        setter(self, "ops_dsat", odsat)
        ssat, sdsat = self._stack()
        setter(self, "ss_sat", ssat)
        setter(self, "ss_dsat", sdsat)
        wsat, wdsat = self._witness()
        setter(self, "ws_sat", wsat)
        setter(self, "ws_dsat", wdsat)

    # --- figures of the whole expression (Core's GetOps, GetStackSize, ...) ---

    @property
    def ops(self) -> int | None:
        """Return the opcodes counted against the 201 limit in the worst satisfaction."""
        return None if self.ops_sat is None else self.ops_count + self.ops_sat

    @property
    def stack_size(self) -> int | None:
        """Return the most witness elements a non-malleable satisfaction needs."""
        if self.ss_sat is None:
            return None
        return self.ss_sat[0] + (self.type.basic != "V")

    @property
    def exec_stack_size(self) -> int | None:
        """Return the largest stack reached while the script runs on a satisfaction."""
        if self.ss_sat is None:
            return None
        return self.ss_sat[1] + (self.type.basic != "V")

    @property
    def max_witness_size(self) -> int | None:
        """Return the largest satisfaction in bytes (elements with their length prefixes)."""
        return self.ws_sat

    # --- per-fragment rules ---

    def _script_len(self) -> int:
        f, subs = self.fragment, self.subs
        subsize = sum(s.script_len for s in subs)
        n_keys = len(self.keys)
        if f in (F.JUST_0, F.JUST_1):
            return 1
        if f is F.PK_K:
            return 33 if self.context is Context.TAPSCRIPT else 34
        if f is F.PK_H:
            return 3 + 21
        if f in (F.OLDER, F.AFTER):
            return 1 + len(push_int(self.k))
        if f in (F.SHA256, F.HASH256):
            return 4 + 2 + 33
        if f in (F.RIPEMD160, F.HASH160):
            return 4 + 2 + 21
        if f is F.MULTI:
            return 1 + len(push_int(n_keys)) + len(push_int(self.k)) + 34 * n_keys
        if f is F.MULTI_A:
            return (1 + 32 + 1) * n_keys + len(push_int(self.k)) + 1
        if f is F.AND_V:
            return subsize
        if f is F.WRAP_V:
            return subsize + subs[0].type.has("x")
        if f in (F.WRAP_S, F.WRAP_C, F.WRAP_N, F.AND_B, F.OR_B):
            return subsize + 1
        if f in (F.WRAP_A, F.OR_C):
            return subsize + 2
        if f in (F.WRAP_D, F.OR_D, F.OR_I, F.ANDOR):
            return subsize + 3
        if f is F.WRAP_J:
            return subsize + 4
        return subsize + len(subs) + len(push_int(self.k))  # thresh

    def _ops(self) -> tuple[int, Opt, Opt]:
        f, s = self.fragment, self.subs
        if f is F.JUST_1:
            return 0, 0, None
        if f is F.JUST_0:
            return 0, None, 0
        if f is F.PK_K:
            return 0, 0, 0
        if f is F.PK_H:
            return 3, 0, 0
        if f in (F.OLDER, F.AFTER):
            return 1, 0, None
        if f in HASH_FRAGMENTS:
            return 4, 0, None
        if f is F.MULTI:
            return 1, len(self.keys), len(self.keys)
        if f is F.MULTI_A:
            return len(self.keys) + 1, 0, 0
        if f is F.THRESH:
            count = 0
            sats: list[Opt] = [0]
            for sub in s:
                count += sub.ops_count + 1
                nxt: list[Opt] = [_add(sats[0], sub.ops_dsat)]
                for j in range(1, len(sats)):
                    nxt.append(_max(_add(sats[j], sub.ops_dsat), _add(sats[j - 1], sub.ops_sat)))
                nxt.append(_add(sats[-1], sub.ops_sat))
                sats = nxt
            return count, sats[self.k], sats[0]
        x = s[0]
        if f in (F.WRAP_S, F.WRAP_C, F.WRAP_N):
            return 1 + x.ops_count, x.ops_sat, x.ops_dsat
        if f is F.WRAP_A:
            return 2 + x.ops_count, x.ops_sat, x.ops_dsat
        if f is F.WRAP_D:
            return 3 + x.ops_count, x.ops_sat, 0
        if f is F.WRAP_J:
            return 4 + x.ops_count, x.ops_sat, 0
        if f is F.WRAP_V:
            return x.ops_count + x.type.has("x"), x.ops_sat, None
        y = s[1]
        count = x.ops_count + y.ops_count
        if f is F.AND_V:
            return count, _add(x.ops_sat, y.ops_sat), None
        if f is F.AND_B:
            return 1 + count, _add(x.ops_sat, y.ops_sat), _add(x.ops_dsat, y.ops_dsat)
        if f is F.OR_B:
            sat = _max(_add(x.ops_sat, y.ops_dsat), _add(y.ops_sat, x.ops_dsat))
            return 1 + count, sat, _add(x.ops_dsat, y.ops_dsat)
        if f is F.OR_D:
            sat = _max(x.ops_sat, _add(y.ops_sat, x.ops_dsat))
            return 3 + count, sat, _add(x.ops_dsat, y.ops_dsat)
        if f is F.OR_C:
            return 2 + count, _max(x.ops_sat, _add(y.ops_sat, x.ops_dsat)), None
        if f is F.OR_I:
            return 3 + count, _max(x.ops_sat, y.ops_sat), _max(x.ops_dsat, y.ops_dsat)
        z = s[2]  # andor
        sat = _max(_add(y.ops_sat, x.ops_sat), _add(x.ops_dsat, z.ops_sat))
        return 3 + count + z.ops_count, sat, _add(x.ops_dsat, z.ops_dsat)

    def _stack(self) -> tuple[Sat, Sat]:
        f, s = self.fragment, self.subs
        if f is F.JUST_0:
            return None, PUSH
        if f is F.JUST_1:
            return PUSH, None
        if f in (F.OLDER, F.AFTER):
            return _cat(PUSH, NOP), None
        if f is F.PK_K:
            return PUSH, PUSH
        if f is F.PK_H:
            both = _cat(DUP, NOP, PUSH, EQUALVERIFY)
            return both, both
        if f in HASH_FRAGMENTS:
            return _cat(SIZE, PUSH, EQUALVERIFY, NOP, PUSH, EQUAL), None
        n, k = len(self.keys), self.k
        if f is F.MULTI:
            return (k, k + n + 2), (k, k + n + 2)
        if f is F.MULTI_A:
            return (n - 1, n), (n - 1, n)
        if f is F.THRESH:
            sats: list[Sat] = [(0, 0)]
            for i, sub in enumerate(s):
                add = BINOP if i else (0, 0)
                nxt: list[Sat] = [_cat(sats[0], sub.ss_dsat, add)]
                for j in range(1, len(sats)):
                    either = _union(_cat(sats[j], sub.ss_dsat), _cat(sats[j - 1], sub.ss_sat))
                    nxt.append(_cat(either, add))
                nxt.append(_cat(sats[-1], sub.ss_sat, add))
                sats = nxt
            return _cat(sats[k], PUSH, EQUAL), _cat(sats[0], PUSH, EQUAL)
        x = s[0]
        if f in (F.WRAP_A, F.WRAP_N, F.WRAP_S):
            return x.ss_sat, x.ss_dsat
        if f is F.WRAP_C:
            return _cat(x.ss_sat, CHECKSIG), _cat(x.ss_dsat, CHECKSIG)
        if f is F.WRAP_D:
            return _cat(DUP, IF, x.ss_sat), _cat(DUP, IF)
        if f is F.WRAP_V:
            return _cat(x.ss_sat, VERIFY), None
        if f is F.WRAP_J:
            return _cat(SIZE, NOP, IF, x.ss_sat), _cat(SIZE, NOP, IF)
        y = s[1]
        if f is F.AND_V:
            return _cat(x.ss_sat, y.ss_sat), None
        if f is F.AND_B:
            return _cat(x.ss_sat, y.ss_sat, BINOP), _cat(x.ss_dsat, y.ss_dsat, BINOP)
        if f is F.OR_B:
            sat = _union(_cat(x.ss_sat, y.ss_dsat), _cat(x.ss_dsat, y.ss_sat))
            return _cat(sat, BINOP), _cat(x.ss_dsat, y.ss_dsat, BINOP)
        if f is F.OR_C:
            return _union(_cat(x.ss_sat, IF), _cat(x.ss_dsat, IF, y.ss_sat)), None
        if f is F.OR_D:
            sat = _union(_cat(x.ss_sat, IFDUP_TRUE, IF), _cat(x.ss_dsat, IFDUP_FALSE, IF, y.ss_sat))
            return sat, _cat(x.ss_dsat, IFDUP_FALSE, IF, y.ss_dsat)
        if f is F.OR_I:
            return _cat(IF, _union(x.ss_sat, y.ss_sat)), _cat(IF, _union(x.ss_dsat, y.ss_dsat))
        z = s[2]  # andor
        sat = _union(_cat(x.ss_sat, IF, y.ss_sat), _cat(x.ss_dsat, IF, z.ss_sat))
        return sat, _cat(x.ss_dsat, IF, z.ss_dsat)

    def _witness(self) -> tuple[Opt, Opt]:
        tap = self.context is Context.TAPSCRIPT
        sig = 1 + 65 if tap else 1 + 72
        pub = 1 + 32 if tap else 1 + 33
        f, s, k = self.fragment, self.subs, self.k
        if f is F.JUST_0:
            return None, 0
        if f in (F.JUST_1, F.OLDER, F.AFTER):
            return 0, None
        if f is F.PK_K:
            return sig, 1
        if f is F.PK_H:
            return sig + pub, 1 + pub
        if f in HASH_FRAGMENTS:
            return 1 + 32, None
        if f is F.MULTI:
            return k * sig + 1, k + 1
        if f is F.MULTI_A:
            return k * sig + len(self.keys) - k, len(self.keys)
        if f is F.THRESH:
            sats: list[Opt] = [0]
            for sub in s:
                nxt: list[Opt] = [_add(sats[0], sub.ws_dsat)]
                for j in range(1, len(sats)):
                    nxt.append(_max(_add(sats[j], sub.ws_dsat), _add(sats[j - 1], sub.ws_sat)))
                nxt.append(_add(sats[-1], sub.ws_sat))
                sats = nxt
            return sats[k], sats[0]
        x = s[0]
        if f in (F.WRAP_A, F.WRAP_N, F.WRAP_S, F.WRAP_C):
            return x.ws_sat, x.ws_dsat
        if f is F.WRAP_D:
            return _add(2, x.ws_sat), 1
        if f is F.WRAP_V:
            return x.ws_sat, None
        if f is F.WRAP_J:
            return x.ws_sat, 1
        y = s[1]
        if f is F.AND_V:
            return _add(x.ws_sat, y.ws_sat), None
        if f is F.AND_B:
            return _add(x.ws_sat, y.ws_sat), _add(x.ws_dsat, y.ws_dsat)
        if f is F.OR_B:
            sat = _max(_add(x.ws_dsat, y.ws_sat), _add(x.ws_sat, y.ws_dsat))
            return sat, _add(x.ws_dsat, y.ws_dsat)
        if f is F.OR_C:
            return _max(x.ws_sat, _add(x.ws_dsat, y.ws_sat)), None
        if f is F.OR_D:
            return _max(x.ws_sat, _add(x.ws_dsat, y.ws_sat)), _add(x.ws_dsat, y.ws_dsat)
        if f is F.OR_I:
            sat = _max(_add(x.ws_sat, 2), _add(y.ws_sat, 1))
            return sat, _max(_add(x.ws_dsat, 2), _add(y.ws_dsat, 1))
        z = s[2]  # andor
        sat = _max(_add(x.ws_sat, y.ws_sat), _add(x.ws_dsat, z.ws_sat))
        return sat, _add(x.ws_dsat, z.ws_dsat)
