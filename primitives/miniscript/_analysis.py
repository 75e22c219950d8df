"""Spending paths: what a person needs to spend a miniscript, one alternative at a time.

Each path lists the keys that must sign (as thresholds: "2 of A, B, C"), the hash preimages
that must be revealed, and the relative (``older``) and absolute (``after``) timelocks that
must have passed. A path that would need a height and a time lock of the same kind together
can never be taken and is left out. Dissatisfying a branch is taken to need nothing, which
holds for the canonical dissatisfactions a sane miniscript's satisfier uses.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic

from primitives.miniscript._miniscript import Miniscript
from primitives.miniscript._node import HASH_FRAGMENTS, WRAPPERS, K, Node
from primitives.miniscript._types import (
    LOCKTIME_THRESHOLD,
    SEQUENCE_LOCKTIME_TYPE_FLAG,
    Fragment,
    MiniscriptError,
)

__all__ = [
    "AbsoluteLock",
    "HashLock",
    "KeyThreshold",
    "LockUnit",
    "RelativeLock",
    "SpendingPath",
    "absolute_lock",
    "describe_path",
    "relative_lock",
    "spending_paths",
]

F = Fragment
MAX_PATHS = 1000


class LockUnit(enum.Enum):
    """What a timelock counts: blocks, or seconds (BIP-68's 512-second units, BIP-65 time)."""

    BLOCKS = "blocks"
    SECONDS = "seconds"


@dataclass(frozen=True, slots=True)
class RelativeLock:
    """``older(n)`` read as BIP-68 reads it: blocks, or units of 512 seconds if bit 22 is set.

    Attributes:
        value: the raw argument of ``older``.
        unit: blocks or seconds.
        amount: the number of blocks, or of seconds (512 times the 16-bit count).
    """

    value: int
    unit: LockUnit
    amount: int

    def approx_days(self, block_interval_seconds: int = 600) -> float:
        """Return the length in days (blocks at the given interval: 600 s BTC, 150 s LTC)."""
        seconds = (
            self.amount if self.unit is LockUnit.SECONDS else self.amount * block_interval_seconds
        )
        return seconds / 86400


@dataclass(frozen=True, slots=True)
class AbsoluteLock:
    """``after(n)``: a block height below 500,000,000, else a Unix time (BIP-65)."""

    value: int
    unit: LockUnit


def relative_lock(n: int) -> RelativeLock:
    """Return what ``older(n)`` waits for: 16-bit blocks, or 16-bit units of 512 seconds."""
    count = n & 0xFFFF
    if n & SEQUENCE_LOCKTIME_TYPE_FLAG:
        return RelativeLock(n, LockUnit.SECONDS, count * 512)
    return RelativeLock(n, LockUnit.BLOCKS, count)


def absolute_lock(n: int) -> AbsoluteLock:
    """Return what ``after(n)`` waits for: a height, or a Unix time from 500,000,000 on."""
    return AbsoluteLock(n, LockUnit.SECONDS if n >= LOCKTIME_THRESHOLD else LockUnit.BLOCKS)


@dataclass(frozen=True, slots=True)
class KeyThreshold(Generic[K]):
    """``k`` signatures among ``keys`` (a single key is 1 of 1)."""

    k: int
    keys: tuple[K, ...]


@dataclass(frozen=True, slots=True)
class HashLock:
    """A preimage to reveal: ``kind`` is ``sha256``, ``hash256``, ``ripemd160`` or ``hash160``."""

    kind: str
    digest: bytes


@dataclass(frozen=True, slots=True)
class SpendingPath(Generic[K]):
    """One way to spend: every signer group, hash lock and timelock listed must be met."""

    signers: tuple[KeyThreshold[K], ...] = ()
    hash_locks: tuple[HashLock, ...] = ()
    relative: RelativeLock | None = None
    absolute: AbsoluteLock | None = None

    def __add__(self, other: SpendingPath[K]) -> SpendingPath[K] | None:
        """Return both paths at once, or ``None`` where their timelocks cannot both hold."""
        rel = _join(self.relative, other.relative)
        abs_ = _join(self.absolute, other.absolute)
        if rel is False or abs_ is False:
            return None
        return SpendingPath(
            self.signers + other.signers,
            self.hash_locks + other.hash_locks,
            rel if isinstance(rel, RelativeLock) else None,
            abs_ if isinstance(abs_, AbsoluteLock) else None,
        )


def _join(
    a: RelativeLock | AbsoluteLock | None, b: RelativeLock | AbsoluteLock | None
) -> RelativeLock | AbsoluteLock | bool | None:
    if a is None:
        return b
    if b is None:
        return a
    if a.unit is not b.unit:
        return False  # a height and a time on one path: never spendable
    return a if a.value >= b.value else b


def spending_paths(ms: Miniscript[K]) -> list[SpendingPath[K]]:
    """Return every way to spend ``ms``, in the order its branches appear.

    Raises:
        MiniscriptError: more than 1000 paths (a large ``thresh`` of compound branches).
    """
    return _paths(ms.node)


def _product(left: list[SpendingPath[K]], right: list[SpendingPath[K]]) -> list[SpendingPath[K]]:
    out = [p for a in left for b in right if (p := a + b) is not None]
    if len(out) > MAX_PATHS:
        raise MiniscriptError(f"The miniscript has more than {MAX_PATHS} spending paths to list.")
    return out


def _single_key(paths: list[SpendingPath[K]]) -> K | None:
    if len(paths) != 1:
        return None
    p = paths[0]
    if p.hash_locks or p.relative or p.absolute or len(p.signers) != 1:
        return None
    group = p.signers[0]
    return group.keys[0] if group.k == 1 and len(group.keys) == 1 else None


def _paths(node: Node[K]) -> list[SpendingPath[K]]:
    f = node.fragment
    if f is F.JUST_0:
        return []
    if f is F.JUST_1:
        return [SpendingPath()]
    if f in (F.PK_K, F.PK_H, F.MULTI, F.MULTI_A):
        return [SpendingPath((KeyThreshold(node.k or 1, node.keys),))]
    if f is F.OLDER:
        return [SpendingPath(relative=relative_lock(node.k))]
    if f is F.AFTER:
        return [SpendingPath(absolute=absolute_lock(node.k))]
    if f in HASH_FRAGMENTS:
        return [SpendingPath(hash_locks=(HashLock(f.value, node.data),))]
    if f in WRAPPERS:
        return _paths(node.subs[0])
    subs = [_paths(s) for s in node.subs]
    if f in (F.AND_V, F.AND_B):
        return _product(subs[0], subs[1])
    if f in (F.OR_B, F.OR_C, F.OR_D, F.OR_I):
        return subs[0] + subs[1]
    if f is F.ANDOR:
        return _product(subs[0], subs[1]) + subs[2]
    # thresh: k of n single keys reads as one signer group; otherwise list the combinations
    keys = [_single_key(s) for s in subs]
    if all(key is not None for key in keys):
        return [SpendingPath((KeyThreshold(node.k, tuple(k for k in keys if k is not None)),))]
    out: list[SpendingPath[K]] = []
    for chosen in itertools.combinations(subs, node.k):
        acc: list[SpendingPath[K]] = [SpendingPath()]
        for branch in chosen:
            acc = _product(acc, branch)
        out.extend(acc)
        if len(out) > MAX_PATHS:
            raise MiniscriptError(
                f"The miniscript has more than {MAX_PATHS} spending paths to list."
            )
    return out


def _duration(days: float) -> str:
    if days >= 2:
        return f"about {round(days)} days"
    hours = days * 24
    return f"about {round(hours)} hours" if hours >= 2 else f"about {round(hours * 60)} minutes"


def describe_path(
    path: SpendingPath[K], key_text: Callable[[K], str], block_interval_seconds: int = 600
) -> str:
    """Return a sentence such as "HEIR after 52560 blocks (about 365 days)".

    Args:
        path: one spending path.
        key_text: a person's name or label for a key.
        block_interval_seconds: the chain's target block interval (600 for Bitcoin, 150 for
            Litecoin), for the approximate duration of a lock counted in blocks.
    """
    parts: list[str] = []
    for group in path.signers:
        names = ", ".join(key_text(k) for k in group.keys)
        if len(group.keys) == 1:
            parts.append(names)
        else:
            parts.append(f"{group.k} of {names}")
    who = " and ".join(parts) if parts else "anyone"
    single = len(path.signers) == 1 and len(path.signers[0].keys) == 1
    if single and not (path.hash_locks or path.relative or path.absolute):
        return f"{who} alone"
    text = who
    for lock in path.hash_locks:
        text += f" with the preimage of {lock.kind} {lock.digest.hex()}"
    if path.relative is not None:
        rel = path.relative
        if rel.unit is LockUnit.BLOCKS:
            days = rel.approx_days(block_interval_seconds)
            text += f" after {rel.amount} blocks ({_duration(days)})"
        else:
            text += f" after {rel.amount} seconds ({_duration(rel.approx_days())})"
        text += " since the coins were received"
    if path.absolute is not None:
        absl = path.absolute
        if absl.unit is LockUnit.BLOCKS:
            text += f" from block {absl.value} on"
        else:
            text += f" from Unix time {absl.value} on"
    return text
