"""The selection algorithms of Bitcoin Core: Branch-and-Bound, CoinGrinder, SRD, Knapsack.

Each takes candidates (``waste.Candidate``) and a target and returns the set it found, if
any (``Found``), as ``src/wallet/coinselection.cpp`` does; choosing among them is
``select``'s. Random parts draw from the ``random.Random`` passed in.
"""

from __future__ import annotations

import heapq
import random
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from chains.utxo.coinselect.subset import best_subset
from chains.utxo.coinselect.types import TOTAL_TRIES
from chains.utxo.coinselect.waste import Candidate

__all__ = ["Found", "bnb", "coin_grinder", "knapsack", "srd"]

_MAX_AMOUNT = 1 << 62


@dataclass(frozen=True, slots=True)
class Found:
    """What an algorithm found.

    Attributes:
        picked: the candidates chosen, or ``None`` when it found no set.
        weight_exceeded: it found sets only above the weight limit.
        tries: the nodes it visited (BnB and CoinGrinder).
    """

    picked: list[Candidate] | None
    weight_exceeded: bool = False
    tries: int = 0


# --- the algorithms ---------------------------------------------------------------------------


def bnb(pool: Sequence[Candidate], target: int, cost_of_change: int, max_weight: int) -> Found:
    """Branch-and-Bound (Core ``SelectCoinsBnB``): a changeless set in [target, target + coc]."""
    available = sum(c.amount for c in pool)
    if available < target:
        return Found(None)
    ordered = sorted(pool, key=lambda c: (-c.amount, c.fee - c.long_term_fee))
    amounts = [c.amount for c in ordered]
    wastes = [c.fee - c.long_term_fee for c in ordered]
    fees = [c.fee for c in ordered]
    weights = [c.weight for c in ordered]
    high_feerate = ordered[0].fee > ordered[0].long_term_fee
    skips = _OvershootRuns(amounts, fees) if amounts[-1] > 0 <= cost_of_change else None
    selection: list[int] = []
    best: list[int] | None = None
    best_waste = _MAX_AMOUNT
    value = waste = weight = 0
    exceeded = False
    index = 0
    tries = 0
    while tries < TOTAL_TRIES:
        tries += 1
        backtrack = False
        if (
            value + available < target
            or value > target + cost_of_change
            or (waste > best_waste and high_feerate)
        ):
            backtrack = True
        elif weight > max_weight:
            exceeded = True
            backtrack = True
        elif value >= target:
            # Adding more inputs now would only burn them to fees: record and step back.
            if waste + value - target <= best_waste:
                best = list(selection)
                best_waste = waste + value - target
            backtrack = True
        if backtrack:
            if not selection:
                break
            index -= 1
            while index > selection[-1]:
                available += amounts[index]
                index -= 1
            value -= amounts[index]
            waste -= wastes[index]
            weight -= weights[index]
            selection.pop()
        elif skips is not None and value + amounts[index] > target + cost_of_change:
            # Each coin too large to add costs a try to add it and one to take it back (one
            # to pass over a clone); nothing else changes, so the run goes in one step.
            index, tries = skips.skip(index, tries, value, target, cost_of_change, selection)
            available = skips.suffix[index]
            if tries >= TOTAL_TRIES:
                tries = TOTAL_TRIES
                break
            continue
        else:
            available -= amounts[index]
            # An omitted predecessor with the same amount and fee makes this inclusion
            # branch equivalent to one already explored.
            if (
                not selection
                or index - 1 == selection[-1]
                or amounts[index] != amounts[index - 1]
                or fees[index] != fees[index - 1]
            ):
                selection.append(index)
                value += amounts[index]
                waste += wastes[index]
                weight += weights[index]
        index += 1
    picked = None if best is None else [ordered[i] for i in best]
    return Found(picked, exceeded and best is None, tries)


class _OvershootRuns:
    """What BnB needs to pass over a run of coins each too large to add, in one step.

    With amounts all positive and sorted from the largest down, the coins too large to add
    to the current value are a run from the current index. Within it the coins left always
    reach the target (each alone exceeds what is missing), so nothing but the run's end
    stops it.
    """

    __slots__ = ("clones", "negated", "suffix")

    def __init__(self, amounts: Sequence[int], fees: Sequence[int]) -> None:
        self.negated = [-a for a in amounts]
        # suffix[i]: the sum of amounts[i:]; clones[i]: coins before i equal to their
        # predecessor (same amount and fee)
        self.suffix = list(accumulate(reversed(amounts), initial=0))[::-1]
        pairs = list(zip(amounts, fees, strict=True))
        flags = (a == b for a, b in zip(pairs[1:], pairs, strict=False))
        self.clones = [0, *accumulate(flags, initial=0)]

    def skip(
        self,
        index: int,
        tries: int,
        value: int,
        target: int,
        cost_of_change: int,
        selection: Sequence[int],
    ) -> tuple[int, int]:
        """Pass over the run from ``index``; return the index after it and the tries then."""
        end = bisect_left(self.negated, value - target - cost_of_change)
        clones = self.clones
        # The first coin: a clone of an omitted coin is passed over in this very try; any
        # other is added in it and taken back in the next. The coins after it follow an
        # omitted one, so each clone among them costs one try and any other two.
        if not (selection and index - 1 != selection[-1] and clones[index + 1] > clones[index]):
            tries += 1
        later_clones = clones[end] - clones[index + 1] if selection else 0
        return end, tries + 2 * (end - index - 1) - later_clones


def coin_grinder(
    pool: Sequence[Candidate], target: int, change_target: int, max_weight: int
) -> Found:
    """CoinGrinder (Core ``CoinGrinder``): the lightest input set funding target + change."""
    ordered = sorted(pool, key=lambda c: (-c.amount, c.weight))
    n = len(ordered)
    amounts = [c.amount for c in ordered]
    weights = [c.weight for c in ordered]
    lookahead = [0] * n  # sum of the amounts after each index
    min_tail = [0] * n  # lightest weight after each index
    total, lightest = 0, _MAX_AMOUNT
    for i in reversed(range(n)):
        lookahead[i], min_tail[i] = total, lightest
        total += amounts[i]
        lightest = min(lightest, weights[i])
    total_target = target + change_target
    if n == 0 or total < total_target:
        return Found(None)
    selection: list[int] = []
    best: list[int] = []
    amount = weight = 0
    best_amount, best_weight = _MAX_AMOUNT, max_weight
    exceeded = False
    next_utxo = tries = 0
    runs = _SolutionRuns(amounts, weights)
    while True:
        if (
            amount + amounts[next_utxo] >= total_target
            and weight + weights[next_utxo] <= best_weight
        ):
            jump = runs.skip(next_utxo, amount, weight, total_target, TOTAL_TRIES - tries)
            if jump is not None:
                end, count, last = jump
                tries += count
                # the run's coins weigh the same and the last has the least amount: it is
                # the only one that can end up the best
                new_weight, new_amount = weight + weights[last], amount + amounts[last]
                if new_weight < best_weight or (
                    new_weight == best_weight and new_amount < best_amount
                ):
                    best, best_weight, best_amount = [*selection, last], new_weight, new_amount
                if tries >= TOTAL_TRIES:
                    break
                next_utxo = end
                continue
        amount += amounts[next_utxo]
        weight += weights[next_utxo]
        selection.append(next_utxo)
        next_utxo += 1
        tries += 1
        tail = selection[-1]
        shift = cut = False
        if amount + lookahead[tail] < total_target:
            cut = True  # not enough even with everything after the tail
        elif weight > best_weight:
            exceeded = exceeded or weight > max_weight
            cut, shift = (True, False) if weights[tail] <= min_tail[tail] else (False, True)
        elif amount >= total_target:
            shift = True  # a solution; more inputs only add weight
            if weight < best_weight or (weight == best_weight and amount < best_amount):
                best, best_weight, best_amount = list(selection), weight, amount
        elif best:
            missing = total_target - amount
            needed = -(-missing // amounts[tail])
            if weight + min_tail[tail] * needed > best_weight:
                cut, shift = (True, False) if weights[tail] <= min_tail[tail] else (False, True)
        if tries >= TOTAL_TRIES:
            break
        if next_utxo == n:
            cut = True
        if cut:
            last = selection.pop()
            amount -= amounts[last]
            weight -= weights[last]
            shift = True
        done = False
        while shift:
            if not selection:
                done = True
                break
            next_utxo = selection[-1] + 1
            last = selection.pop()
            amount -= amounts[last]
            weight -= weights[last]
            shift = False
            # Skip clones of the UTXO just omitted: equal amount sorts lighter first.
            while amounts[next_utxo - 1] == amounts[next_utxo]:
                if next_utxo >= n - 1:
                    shift = True
                    break
                next_utxo += 1
        if done:
            break
    picked = [ordered[i] for i in best] if best else None
    return Found(picked, exceeded and not best, tries)


class _SolutionRuns:
    """What CoinGrinder needs to try a run of coins each completing a solution, in one step.

    From a selection, every coin at least as large as what is missing completes a solution;
    CoinGrinder tries them one by one (skipping clones: coins of the amount just tried),
    each in its own try, and each leaves the selection as it was. When they all weigh the
    same, the smallest is the only one that can end up the best. Amounts are sorted from the
    largest down.
    """

    __slots__ = ("group", "group_start", "n", "negated", "same_weight_end")

    def __init__(self, amounts: Sequence[int], weights: Sequence[int]) -> None:
        n = self.n = len(amounts)
        self.negated = [-a for a in amounts]
        self.group = [0] * n  # the number of distinct amounts before each coin's
        self.group_start = [0]  # the first coin of each distinct amount
        for i in range(1, n):
            if amounts[i] != amounts[i - 1]:
                self.group_start.append(i)
            self.group[i] = len(self.group_start) - 1
        self.same_weight_end = [n] * n  # the first coin after each of another weight
        for i in reversed(range(n - 1)):
            same = weights[i + 1] == weights[i]
            self.same_weight_end[i] = self.same_weight_end[i + 1] if same else i + 1

    def skip(
        self, first: int, amount: int, weight: int, total_target: int, budget: int
    ) -> tuple[int, int, int] | None:
        """Try the run from ``first`` at once, within ``budget`` tries.

        Returns:
            ``(next, tries, last)``: the coin after the run, the tries spent and the last
            coin tried; ``None`` where the run is not simple (coins of different weights,
            or the run reaches the end of the coins), to be walked try by try.
        """
        end = bisect_left(self.negated, amount - total_target + 1)  # first one too small
        if end >= self.n - 1 or self.same_weight_end[first] < end:
            return None
        count = self.group[end - 1] - self.group[first] + 1
        if count > budget:
            count = budget
        last = first if count == 1 else self.group_start[self.group[first] + count - 1]
        return end, count, last


def srd(
    pool: Sequence[Candidate], target: int, margin: int, rng: random.Random, max_weight: int
) -> Found:
    """Single Random Draw (Core ``SelectCoinsSRD``): random coins until target + margin."""
    order = list(range(len(pool)))
    rng.shuffle(order)
    heap: list[tuple[int, int]] = []
    selected = weight = 0
    exceeded = False
    for i in order:
        cand = pool[i]
        heapq.heappush(heap, (cand.amount, i))
        selected += cand.amount
        weight += cand.weight
        if weight > max_weight:
            exceeded = True
            while True:  # drop the smallest until under the limit again
                _, j = heapq.heappop(heap)
                selected -= pool[j].amount
                weight -= pool[j].weight
                if not heap or weight <= max_weight:
                    break
        if selected >= target + margin:
            return Found([pool[j] for _, j in heap])
    return Found(None, exceeded)


def knapsack(
    pool: Sequence[Candidate], target: int, change_target: int, rng: random.Random, max_weight: int
) -> Found:
    """Core's ``KnapsackSolver``: exact match, else the closest subset or next larger coin."""
    groups = list(pool)
    rng.shuffle(groups)
    exceeded = False
    lowest_larger: Candidate | None = None
    applicable: list[Candidate] = []
    total_lower = 0
    for g in groups:
        if g.weight > max_weight:
            exceeded = True
        elif g.amount == target:
            return Found([g])
        elif g.amount < target + change_target:
            applicable.append(g)
            total_lower += g.amount
        elif lowest_larger is None or g.amount < lowest_larger.amount:
            lowest_larger = g
    if total_lower == target:
        if sum(g.weight for g in applicable) <= max_weight:
            return Found(applicable)
        exceeded = True
    if total_lower < target:
        return Found(None, exceeded) if lowest_larger is None else Found([lowest_larger])
    applicable.sort(key=lambda c: (-c.amount, c.fee - c.long_term_fee))
    amounts = [g.amount for g in applicable]
    weights = [g.weight for g in applicable]
    best, best_total = best_subset(rng, amounts, weights, total_lower, target, max_weight)
    if best_total != target and total_lower >= target + change_target:
        best, best_total = best_subset(
            rng, amounts, weights, total_lower, target + change_target, max_weight
        )
    if lowest_larger is not None and (
        (best_total != target and best_total < target + change_target)
        or lowest_larger.amount <= best_total
    ):
        return Found([lowest_larger])
    picked = [g for g, used in zip(applicable, best, strict=True) if used]
    if sum(g.weight for g in picked) > max_weight:
        return Found(None, True) if lowest_larger is None else Found([lowest_larger])
    return Found(picked)
