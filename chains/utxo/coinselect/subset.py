"""Knapsack's stochastic subset sum (Core's ``ApproximateBestSubset``), in skips not steps.

Core walks every coin of every one of its 1,000 rounds: 10 million steps over 5,000 coins,
milliseconds in C++, seconds in Python. This walk gives the same result from the same random
bits with far fewer steps, using what the walk does at each coin (amounts sorted from the
largest down, ``target > 0``):

* while the running total stays below the target, every chosen coin is added: whole bytes
  of the random mask are added at once from per-byte tables of sums (``_Tables``);
* once adding a coin would reach the target, the walk records that total and takes the coin
  back; so does every later chosen coin at least as large as the gap to the target, and only
  the smallest of them (the first of equal ones) can improve the record: a whole run of
  them is one bisection and a few bit operations;
* a coin smaller than the gap is added, which narrows the gap;
* once the inputs are heavier than the limit, no coin is taken back again, so the round can
  record nothing more and ends.

The chosen coins of a round are the bits of ``rng.getrandbits(n)`` (bit ``i`` for coin
``i``), drawn once per round as before, so a seed gives the same subsets as the plain walk.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

__all__ = ["ROUNDS", "best_subset", "best_subset_walk"]

ROUNDS = 1000
"""Core's ``iterations`` of ``ApproximateBestSubset``."""


class _Tables:
    """Sums of amounts and weights of each block of eight coins, per byte of a mask.

    Tables are built on first use: small targets only ever look at the first blocks.
    """

    __slots__ = ("_amount_tables", "_weight_tables", "amounts", "weights")

    def __init__(self, amounts: Sequence[int], weights: Sequence[int]) -> None:
        self.amounts = amounts
        self.weights = weights
        blocks = (len(amounts) + 7) // 8
        self._amount_tables: list[list[int] | None] = [None] * blocks
        self._weight_tables: list[list[int] | None] = [None] * blocks

    @staticmethod
    def _build(values: Sequence[int]) -> list[int]:
        table = [0]
        for v in values:
            table += [t + v for t in table]
        return table

    def sums(self, block: int, byte: int) -> tuple[int, int]:
        """Return the amount and weight of the coins of ``block`` whose bits ``byte`` sets."""
        amount_table = self._amount_tables[block]
        weight_table = self._weight_tables[block]
        if amount_table is None or weight_table is None:
            base = 8 * block
            amount_table = self._build(self.amounts[base : base + 8])
            weight_table = self._build(self.weights[base : base + 8])
            self._amount_tables[block] = amount_table
            self._weight_tables[block] = weight_table
        return amount_table[byte], weight_table[byte]


def _add_until_reached(
    tables: _Tables, chosen: int, n: int, positive: int, value: int, target: int
) -> tuple[int, int, int]:
    """Add the chosen coins in order until one would reach ``target``.

    Returns:
        ``(k, value, weight)``: the coin that reaches it (``-1`` if none does) and the value
        and weight added before it (all of them if none does), ``value`` included.
    """
    amounts, weights = tables.amounts, tables.weights
    weight = 0
    data = chosen.to_bytes((n + 7) // 8, "little")
    for block, byte in enumerate(data):
        if not byte:
            continue
        base = 8 * block
        if base + 8 <= positive or base >= positive:
            # All positive: the running total only grows, so the block's sum tells whether
            # it reaches the target. None positive: it cannot reach it (value < target).
            amount, weight_add = tables.sums(block, byte)
            if base >= positive or value + amount < target:
                value += amount
                weight += weight_add
                continue
        for j in range(8):
            if byte >> j & 1:
                k = base + j
                if value + amounts[k] >= target:
                    return k, value, weight
                value += amounts[k]
                weight += weights[k]
    return -1, value, weight


def best_subset(
    rng: random.Random,
    amounts: Sequence[int],
    weights: Sequence[int],
    total: int,
    target: int,
    max_weight: int,
) -> tuple[list[bool], int]:
    """Core's ``ApproximateBestSubset``: a stochastic subset sum, closest above ``target``.

    Args:
        rng: the source of the random subsets (``getrandbits(len(amounts))`` per round).
        amounts: the coins' amounts, largest first.
        weights: their input weights.
        total: the sum of ``amounts`` (the result when no subset does better).
        target: the value to reach, above 0.
        max_weight: the heaviest input set allowed.

    Returns:
        Which coins the best subset holds, and its total.
    """
    if target <= 0:
        return best_subset_walk(rng, amounts, weights, total, target, max_weight)
    n = len(amounts)
    full = (1 << n) - 1
    negated = [-a for a in amounts]  # ascending, for bisection
    positive = bisect_left(negated, 0)  # amounts[:positive] are > 0
    heaviest = max(weights, default=0)
    tables = _Tables(amounts, weights)
    best, best_total = full, total
    for _ in range(ROUNDS):
        if best_total == target:
            break
        chosen = rng.getrandbits(n) if n else 0
        included = 0
        value = weight = 0
        for first_pass in (True, False):
            if not first_pass:
                chosen = ~included & full
            k, value, added = _add_until_reached(tables, chosen, n, positive, value, target)
            weight += added
            if k < 0:  # nothing reached: everything chosen is in
                included |= chosen
                if weight > max_weight:
                    break  # too heavy for anything to be taken back any more
                continue
            included |= chosen & ((1 << k) - 1)
            if weight + weights[k] > max_weight:
                break  # the coin stays in, too heavy: nothing is recorded any more
            if value + amounts[k] < best_total:
                best_total, best = value + amounts[k], included | 1 << k
            best, best_total = _after_reached(
                amounts,
                weights,
                negated,
                chosen,
                k + 1,
                value,
                weight,
                included,
                (target, max_weight, heaviest, best, best_total),
            )
            break  # reached: Core skips the second pass
    return [bool(best >> i & 1) for i in range(n)], best_total


def _after_reached(
    amounts: Sequence[int],
    weights: Sequence[int],
    negated: Sequence[int],
    chosen: int,
    i: int,
    value: int,
    weight: int,
    included: int,
    state: tuple[int, int, int, int, int],
) -> tuple[int, int]:
    """Walk the rest of a pass once the target was reached; return the best mask and total."""
    target, max_weight, heaviest, best, best_total = state
    while True:
        rest = chosen >> i
        if not rest:
            return best, best_total
        i += (rest & -rest).bit_length() - 1  # the next chosen coin
        end = bisect_right(negated, value - target)  # the first coin below the gap
        if end <= i:  # below the gap: added
            value += amounts[i]
            weight += weights[i]
            included |= 1 << i
            if weight > max_weight:
                return best, best_total
            i += 1
            continue
        run = (chosen >> i) & ((1 << (end - i)) - 1)  # chosen coins reaching the target
        if weight + heaviest <= max_weight:
            last = i + run.bit_length() - 1
            smallest = amounts[last]
            if value + smallest < best_total:
                start = max(i, bisect_left(negated, -smallest))  # first of equal amounts
                tail = chosen >> start
                first = start + (tail & -tail).bit_length() - 1
                best_total, best = value + smallest, included | 1 << first
        else:  # near the weight limit: coin by coin, until one stays in
            while run:
                k = i + (run & -run).bit_length() - 1
                run &= run - 1
                if weight + weights[k] > max_weight:
                    return best, best_total
                if value + amounts[k] < best_total:
                    best_total, best = value + amounts[k], included | 1 << k
        i = end


def best_subset_walk(
    rng: random.Random,
    amounts: Sequence[int],
    weights: Sequence[int],
    total: int,
    target: int,
    max_weight: int,
) -> tuple[list[bool], int]:
    """``best_subset`` as Core writes it, coin by coin (the reference, and any target)."""
    n = len(amounts)
    best, best_total = [True] * n, total
    for _ in range(ROUNDS):
        if best_total == target:
            break
        included = [False] * n
        value = weight = 0
        reached = False
        for first_pass in (True, False):
            if reached:
                break
            bits = rng.getrandbits(n) if first_pass and n else 0
            for i in range(n):
                if (bits >> i) & 1 if first_pass else not included[i]:
                    value += amounts[i]
                    weight += weights[i]
                    included[i] = True
                    if value >= target and weight <= max_weight:
                        reached = True
                        if value < best_total:
                            best_total, best = value, list(included)
                        value -= amounts[i]
                        weight -= weights[i]
                        included[i] = False
    return best, best_total
