"""Coin selection for the UTXO family, following Bitcoin Core's wallet.

The algorithms and the way their results are compared are those of Bitcoin Core
(``src/wallet/coinselection.cpp``, ``src/wallet/spend.cpp``): Branch-and-Bound looks for a
changeless input set within ``cost_of_change`` of the target; Knapsack, CoinGrinder (only at
fee rates above three times the long-term rate) and Single Random Draw produce change; the
result with the least waste (``RecalculateWaste``) wins, ties going to the one spending more
inputs, then to the earlier algorithm in that order. Amounts are effective values (value
minus the fee to spend the coin) except when a recipient pays the fee (then BnB is skipped and
raw values are used, as Core does).

Eligibility is Core's filter sequence, simplified to what a wallet without mempool ancestry
data knows (``_filters``): confirmed coins first (6 confirmations for coins from others, 1
for our own, without mixing script kinds), then 1 confirmation for all with mixing, then our
own unconfirmed outputs with growing chains of unconfirmed ancestors, then (opt-in)
unconfirmed coins from others. Output groups (``-avoidpartialspends``) and ancestor bump fees
are not modelled. Random parts draw from the ``random.Random`` passed in, so a seed fixes the
result.

Everything here is pure arithmetic on values the wallet passes in: no I/O, no storage.
"""

from __future__ import annotations

import enum
import heapq
import random
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass, replace

from chains.errors import ChainError
from chains.registry import ScriptKind, UtxoNetwork
from chains.utxo.backend import FeeRate
from chains.utxo.sizes import (
    MAX_STANDARD_TX_WEIGHT,
    DustPolicy,
    InputSize,
    dust_policy,
    estimate_vsize,
    estimate_weight,
    output_size,
    template_script,
)
from primitives.tx import OutPoint, write_compact_size

__all__ = [
    "CHANGE_LOWER",
    "CHANGE_UPPER",
    "MAX_ANCESTORS",
    "TOTAL_TRIES",
    "Algorithm",
    "Coin",
    "CoinSelectionError",
    "DustOutput",
    "InsufficientFunds",
    "InvalidSelectionRequest",
    "MaxWeightExceeded",
    "Recipient",
    "Selection",
    "SelectionParams",
    "select_coins",
    "send_max",
]

TOTAL_TRIES = 100_000
"""Core's limit on the nodes BnB and CoinGrinder visit."""
CHANGE_LOWER = 50_000
"""Core's lower bound of the randomly chosen change target (``GenerateChangeTarget``)."""
CHANGE_UPPER = 1_000_000
"""Core's upper bound of the randomly chosen change target."""
MAX_ANCESTORS = 25
"""Core's ``-limitancestorcount`` default: a transaction and its unconfirmed ancestors."""
_MAX_AMOUNT = 1 << 62
_CORE_LONG_TERM = FeeRate(10_000)  # Core's DEFAULT_CONSOLIDATE_FEERATE and DEFAULT_DISCARD_FEE
_TYPE_ORDER = (ScriptKind.P2PKH, ScriptKind.P2SH_P2WPKH, ScriptKind.P2WPKH, ScriptKind.P2TR, None)


class Algorithm(enum.Enum):
    """Which algorithm chose the inputs."""

    BNB = "bnb"
    KNAPSACK = "knapsack"
    SRD = "srd"
    CG = "cg"
    MANUAL = "manual"
    """The preset inputs covered the target by themselves."""
    SWEEP = "sweep"
    """Every usable coin: send-max, or the last resort when every algorithm missed."""


class CoinSelectionError(ChainError):
    """Root of the coin selection errors."""


class InvalidSelectionRequest(CoinSelectionError, ValueError):
    """The request itself is malformed (no recipients, a coin twice, a negative amount)."""


class InsufficientFunds(CoinSelectionError):
    """The usable coins do not cover the recipients and the fee.

    Attributes:
        shortfall: the value of one more confirmed coin, of the change script kind, that
            would make the same request succeed: what is missing plus the fee to spend that
            coin at the requested rate (nothing extra when recipients pay the fee).
        available: the total value of the coins that could be used.
    """

    def __init__(self, message: str, shortfall: int, available: int) -> None:
        """Record the shortfall and the usable total, in base units."""
        super().__init__(message)
        self.shortfall = shortfall
        self.available = available


class DustOutput(CoinSelectionError, ValueError):
    """An output would be below the network's dust limit, so no node would relay it.

    Attributes:
        index: the position of the output among the recipients.
        amount: its amount (after the fee was taken from it, where it was).
        threshold: the smallest amount that is not dust for its script.
    """

    def __init__(self, message: str, index: int, amount: int, threshold: int) -> None:
        """Record which output, its amount and the threshold."""
        super().__init__(message)
        self.index = index
        self.amount = amount
        self.threshold = threshold


class MaxWeightExceeded(CoinSelectionError):
    """Funds suffice, but only with more inputs than a standard transaction may carry."""

    def __init__(self, message: str, max_weight: int) -> None:
        """Record the weight limit that was applied."""
        super().__init__(message)
        self.max_weight = max_weight


def _require_int(value: object, what: str) -> None:
    if type(value) is not int:
        raise TypeError(f"{what} is an int in base units, not {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class Coin:
    """A spendable output the wallet owns (frozen coins are left out by the caller).

    Attributes:
        outpoint: which output; the key that keeps a coin from being used twice.
        value: its value in base units.
        spend_size: the maximum size of the input spending it.
        kind: its script kind; coins of different kinds are mixed only when needed.
        confirmations: 0 while unconfirmed.
        is_change: an output of our own change chain.
        from_self: created by a transaction this wallet sent (Core's ``from_me``).
        unconfirmed_chain: unconfirmed transactions it depends on, counting the one that
            created it (Core's count with ancestors); 0 when confirmed, taken as at least 1
            when unconfirmed.
    """

    outpoint: OutPoint
    value: int
    spend_size: InputSize
    kind: ScriptKind | None = None
    confirmations: int = 0
    is_change: bool = False
    from_self: bool = False
    unconfirmed_chain: int = 0

    def __post_init__(self) -> None:
        """Refuse non-integer and negative values."""
        _require_int(self.value, "a coin's value")
        if self.value < 0:
            raise InvalidSelectionRequest("A coin's value cannot be negative.")

    @classmethod
    def of_kind(
        cls,
        outpoint: OutPoint,
        value: int,
        kind: ScriptKind,
        *,
        confirmations: int = 0,
        is_change: bool = False,
        from_self: bool = False,
        unconfirmed_chain: int = 0,
        low_r: bool = False,
    ) -> Coin:
        """Return a coin whose input size follows from its script kind (``InputSize.for_kind``)."""
        size = InputSize.for_kind(kind, low_r=low_r)
        return cls(
            outpoint, value, size, kind, confirmations, is_change, from_self, unconfirmed_chain
        )

    @property
    def is_mine(self) -> bool:
        """Return whether the coin comes from this wallet's own transaction."""
        return self.is_change or self.from_self


@dataclass(frozen=True, slots=True)
class Recipient:
    """One output to pay: its script, its amount, and whether it pays (part of) the fee."""

    script_pubkey: bytes
    amount: int
    subtract_fee: bool = False

    def __post_init__(self) -> None:
        """Refuse non-integer and negative amounts."""
        _require_int(self.amount, "an amount")
        if self.amount < 0:
            raise InvalidSelectionRequest("An amount to send cannot be negative.")


@dataclass(frozen=True, slots=True)
class SelectionParams:
    """How to select: fee rates, the change output, dust and eligibility rules.

    Attributes:
        fee_rate: the rate the transaction pays.
        change_script: the change output's script (its size and dust rule matter here).
        change_spend: the size of the input that will later spend the change.
        dust: the network's dust rule.
        long_term_fee_rate: the rate expected to spend coins later (Core's consolidate rate);
            spending now at a lower rate lowers the waste of a larger input set.
        discard_fee_rate: the rate at which change is judged worth keeping (Core's
            ``-discardfee``), also used for the future cost of spending change.
        min_change: change below this is never created (on top of the dust rules).
        segwit: whether the network has segregated witness (inputs are sized for it).
        max_tx_weight: the largest transaction weight to build.
        spend_unconfirmed_change: allow our own unconfirmed outputs (Core's
            ``-spendzeroconfchange``).
        include_unsafe: as a last resort, allow unconfirmed outputs from others.
        max_ancestors: the mempool's ancestor limit (Core ``-limitancestorcount``).
    """

    fee_rate: FeeRate
    change_script: bytes
    change_spend: InputSize
    dust: DustPolicy
    long_term_fee_rate: FeeRate = _CORE_LONG_TERM
    discard_fee_rate: FeeRate = _CORE_LONG_TERM
    min_change: int = 0
    segwit: bool = True
    max_tx_weight: int = MAX_STANDARD_TX_WEIGHT
    spend_unconfirmed_change: bool = True
    include_unsafe: bool = False
    max_ancestors: int = MAX_ANCESTORS

    @classmethod
    def for_network(
        cls,
        network: UtxoNetwork,
        fee_rate: FeeRate,
        *,
        change_kind: ScriptKind | None = None,
        change_script: bytes | None = None,
    ) -> SelectionParams:
        """Return parameters with the network's dust rule and Core-like defaults.

        The long-term and discard rates default to ten times the network's minimum relay
        rate (Core's 10 sat/vB on Bitcoin and Litecoin, 1,000 koinu/vB on Dogecoin); the
        discard rate is at least the dust relay rate, as Core's ``GetDiscardRate`` has it.

        Args:
            network: the network the transaction is for.
            fee_rate: the rate the transaction pays.
            change_kind: the change chain's script kind (default: the network's default).
            change_script: the actual change script, if already derived.
        """
        kind = change_kind or network.default_kind
        script = template_script(kind) if change_script is None else change_script
        long_term = FeeRate(10 * network.min_relay_sat_vb * 1000)
        dust = dust_policy(network)
        discard = long_term
        if dust.relay_fee is not None and dust.relay_fee > discard:
            discard = dust.relay_fee
        return cls(
            fee_rate=fee_rate,
            change_script=script,
            change_spend=InputSize.for_kind(kind),
            dust=dust,
            long_term_fee_rate=long_term,
            discard_fee_rate=discard,
            segwit=network.segwit,
        )


@dataclass(frozen=True, slots=True)
class Selection:
    """The chosen inputs and the resulting amounts, ready for the transaction builder.

    ``fee == input_value - output_value - (change or 0)`` always holds. Inputs are in a
    deterministic order (preset inputs first); the builder shuffles them and places the
    change output.

    Attributes:
        inputs: the coins to spend.
        outputs: the recipients with their final amounts (reduced where they pay the fee).
        change: the change amount, or ``None`` when the transaction has no change output.
        fee: the fee in base units.
        vsize: the transaction's virtual size with maximum-size signatures.
        waste: Core's waste metric of the selection.
        algorithm: which algorithm chose the inputs.
    """

    inputs: tuple[Coin, ...]
    outputs: tuple[Recipient, ...]
    change: int | None
    fee: int
    vsize: int
    waste: int
    algorithm: Algorithm

    @property
    def input_value(self) -> int:
        """Return the total value of the inputs."""
        return sum(c.value for c in self.inputs)

    @property
    def output_value(self) -> int:
        """Return the total paid to the recipients (change not included)."""
        return sum(r.amount for r in self.outputs)


@dataclass(frozen=True, slots=True)
class _Cand:
    coin: Coin
    fee: int
    long_term_fee: int
    weight: int
    amount: int  # what the algorithms add up: effective value, or value when recipients pay


@dataclass(frozen=True, slots=True)
class _Ctx:
    params: SelectionParams
    sffo: bool
    noinputs_vsize: int
    change_output_size: int
    change_fee: int
    cost_of_change: int
    min_viable_change: int
    extra_input_fee: int

    def candidate(self, coin: Coin) -> _Cand:
        p = self.params
        vsize = coin.spend_size.vsize_in(p.segwit)
        fee = p.fee_rate.fee_for(vsize)
        amount = coin.value if self.sffo else coin.value - fee
        weight = coin.spend_size.weight_in(p.segwit)
        return _Cand(coin, fee, p.long_term_fee_rate.fee_for(vsize), weight, amount)


_ResultFn = Callable[[Sequence[Recipient], int | None, int], Selection]


@dataclass(frozen=True, slots=True)
class _Found:
    picked: list[_Cand] | None
    weight_exceeded: bool = False
    tries: int = 0


def _context(params: SelectionParams, outputs: Sequence[Recipient], sffo: bool) -> _Ctx:
    # Core's tx_noinputs_size: version, locktime, input count, one vbyte of witness overhead
    # (marker, flag and stack counts; none where there is no segwit), the output count and
    # the recipients' outputs.
    noinputs = (10 if params.segwit else 9) + len(write_compact_size(len(outputs)))
    noinputs += sum(output_size(r.script_pubkey) for r in outputs)
    change_size = output_size(params.change_script)
    change_fee = params.fee_rate.fee_for(change_size)
    spend_vsize = params.change_spend.vsize_in(params.segwit)
    cost_of_change = params.discard_fee_rate.fee_for(spend_vsize) + change_fee
    floor = params.dust.change_floor(params.change_script, spend_vsize, params.discard_fee_rate)
    extra = 0 if sffo else params.fee_rate.fee_for(spend_vsize)
    return _Ctx(
        params,
        sffo,
        noinputs,
        change_size,
        change_fee,
        cost_of_change,
        max(floor, params.min_change),
        extra,
    )


# --- waste (Core's SelectionResult::GetChange and RecalculateWaste) ---------------------------


def _change_of(picked: Sequence[_Cand], target: int, ctx: _Ctx) -> int:
    if ctx.sffo:
        change = sum(c.coin.value for c in picked) - target
    else:
        change = sum(c.amount for c in picked) - target - ctx.change_fee
    return change if change >= ctx.min_viable_change else 0


def _waste(picked: Sequence[_Cand], target: int, ctx: _Ctx) -> int:
    waste = sum(c.fee - c.long_term_fee for c in picked)
    if _change_of(picked, target, ctx):
        return waste + ctx.cost_of_change
    selected = sum(c.coin.value if ctx.sffo else c.amount for c in picked)
    return waste + selected - target


# --- the algorithms ---------------------------------------------------------------------------


def _bnb(pool: Sequence[_Cand], target: int, cost_of_change: int, max_weight: int) -> _Found:
    """Branch-and-Bound (Core ``SelectCoinsBnB``): a changeless set in [target, target + coc]."""
    available = sum(c.amount for c in pool)
    if available < target:
        return _Found(None)
    ordered = sorted(pool, key=lambda c: (-c.amount, c.fee - c.long_term_fee))
    amounts = [c.amount for c in ordered]
    wastes = [c.fee - c.long_term_fee for c in ordered]
    fees = [c.fee for c in ordered]
    weights = [c.weight for c in ordered]
    high_feerate = ordered[0].fee > ordered[0].long_term_fee
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
    return _Found(picked, exceeded and best is None, tries)


def _coin_grinder(
    pool: Sequence[_Cand], target: int, change_target: int, max_weight: int
) -> _Found:
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
        return _Found(None)
    selection: list[int] = []
    best: list[int] = []
    amount = weight = 0
    best_amount, best_weight = _MAX_AMOUNT, max_weight
    exceeded = False
    next_utxo = tries = 0
    while True:
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
    return _Found(picked, exceeded and not best, tries)


def _srd(
    pool: Sequence[_Cand], target: int, margin: int, rng: random.Random, max_weight: int
) -> _Found:
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
            return _Found([pool[j] for _, j in heap])
    return _Found(None, exceeded)


def _best_subset(
    rng: random.Random, groups: Sequence[_Cand], total: int, target: int, max_weight: int
) -> tuple[list[bool], int]:
    """Core's ``ApproximateBestSubset``: a stochastic subset sum, closest above ``target``."""
    n = len(groups)
    amounts = [g.amount for g in groups]
    weights = [g.weight for g in groups]
    best, best_total = [True] * n, total
    for _ in range(1000):
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


def _knapsack(
    pool: Sequence[_Cand], target: int, change_target: int, rng: random.Random, max_weight: int
) -> _Found:
    """Core's ``KnapsackSolver``: exact match, else the closest subset or next larger coin."""
    groups = list(pool)
    rng.shuffle(groups)
    exceeded = False
    lowest_larger: _Cand | None = None
    applicable: list[_Cand] = []
    total_lower = 0
    for g in groups:
        if g.weight > max_weight:
            exceeded = True
        elif g.amount == target:
            return _Found([g])
        elif g.amount < target + change_target:
            applicable.append(g)
            total_lower += g.amount
        elif lowest_larger is None or g.amount < lowest_larger.amount:
            lowest_larger = g
    if total_lower == target:
        if sum(g.weight for g in applicable) <= max_weight:
            return _Found(applicable)
        exceeded = True
    if total_lower < target:
        return _Found(None, exceeded) if lowest_larger is None else _Found([lowest_larger])
    applicable.sort(key=lambda c: (-c.amount, c.fee - c.long_term_fee))
    best, best_total = _best_subset(rng, applicable, total_lower, target, max_weight)
    if best_total != target and total_lower >= target + change_target:
        best, best_total = _best_subset(
            rng, applicable, total_lower, target + change_target, max_weight
        )
    if lowest_larger is not None and (
        (best_total != target and best_total < target + change_target)
        or lowest_larger.amount <= best_total
    ):
        return _Found([lowest_larger])
    picked = [g for g, used in zip(applicable, best, strict=True) if used]
    if sum(g.weight for g in picked) > max_weight:
        return _Found(None, True) if lowest_larger is None else _Found([lowest_larger])
    return _Found(picked)


# --- choosing among algorithms, script kinds and eligibility filters -------------------------


@dataclass(frozen=True, slots=True)
class _Pick:
    picked: list[_Cand]
    algorithm: Algorithm
    waste: int


def _better(a: _Pick, b: _Pick | None) -> bool:
    # Core: least waste, then more inputs; otherwise the earlier result stays.
    return b is None or (a.waste, -len(a.picked)) < (b.waste, -len(b.picked))


def _choose(
    pool: Sequence[_Cand],
    target: int,
    ctx: _Ctx,
    rng: random.Random,
    change_target: int,
) -> _Pick | None:
    """Core's ``ChooseSelectionResult`` on one pool: run the algorithms, keep the least waste."""
    p = ctx.params
    positive = [c for c in pool if c.amount > 0]
    max_weight = p.max_tx_weight - 4 * ctx.noinputs_vsize
    found: list[tuple[Algorithm, _Found]] = []
    if max_weight > 0 and not ctx.sffo:  # BnB is changeless; Core skips it when recipients pay
        found.append((Algorithm.BNB, _bnb(positive, target, ctx.cost_of_change, max_weight)))
    max_weight -= 4 * ctx.change_output_size
    if max_weight > 0:
        found.append((Algorithm.KNAPSACK, _knapsack(pool, target, change_target, rng, max_weight)))
        if p.fee_rate.sat_per_kvb > 3 * p.long_term_fee_rate.sat_per_kvb:
            grind = _coin_grinder(positive, target, change_target, max_weight)
            found.append((Algorithm.CG, grind))
        # Core aims SRD at CHANGE_LOWER of change; never below what would be kept as change.
        margin = max(CHANGE_LOWER, ctx.min_viable_change) + ctx.change_fee
        found.append((Algorithm.SRD, _srd(positive, target, margin, rng, max_weight)))
    best: _Pick | None = None
    for algorithm, outcome in found:
        if outcome.picked is not None:
            pick = _Pick(outcome.picked, algorithm, _waste(outcome.picked, target, ctx))
            if _better(pick, best):
                best = pick
    return best


def _filters(p: SelectionParams) -> list[tuple[int, int, int, bool]]:
    """Return (confs of our own, confs of others, max unconfirmed chain, mix kinds) in order."""
    filters = [(1, 6, 0, False), (1, 1, 0, True)]
    if p.spend_unconfirmed_change:
        a = p.max_ancestors
        filters += [(0, 1, 2, True), (0, 1, min(4, a // 3), True), (0, 1, a // 2, True)]
        filters.append((0, 1, a - 1, True))
        if p.include_unsafe:
            filters.append((0, 0, a - 1, True))
    return filters


def _eligible(coin: Coin, mine: int, theirs: int, chain: int) -> bool:
    confirmed = coin.confirmations >= (mine if coin.is_mine else theirs)
    unconfirmed = 0 if coin.confirmations > 0 else max(1, coin.unconfirmed_chain)
    return confirmed and unconfirmed <= chain


def _automatic(
    pool: Sequence[_Cand], target: int, ctx: _Ctx, rng: random.Random, change_target: int
) -> _Pick | None:
    """Core's ``AutomaticCoinSelection``: filters from strict to permissive, kinds unmixed first."""
    tried: set[tuple[frozenset[OutPoint], bool]] = set()
    for mine, theirs, chain, mix in _filters(ctx.params):
        usable = [c for c in pool if _eligible(c.coin, mine, theirs, chain)]
        key = frozenset(c.coin.outpoint for c in usable)
        if not usable or (key, mix) in tried:
            continue
        tried.add((key, mix))
        best: _Pick | None = None
        by_kind = {kind: [c for c in usable if c.coin.kind is kind] for kind in _TYPE_ORDER}
        for group in by_kind.values():
            if group:
                pick = _choose(group, target, ctx, rng, change_target)
                if pick is not None and _better(pick, best):
                    best = pick
        if best is None and mix and sum(1 for g in by_kind.values() if g) > 1:
            best = _choose(usable, target, ctx, rng, change_target)
        if best is not None:
            return best
    return None


def _change_target(outputs: Sequence[Recipient], ctx: _Ctx, rng: random.Random) -> int:
    """Core's ``GenerateChangeTarget``, never below the smallest change that would be kept."""
    payment = sum(r.amount for r in outputs) // len(outputs)
    if payment <= CHANGE_LOWER // 2:
        target = ctx.change_fee + CHANGE_LOWER
    else:
        upper = min(2 * payment, CHANGE_UPPER)
        target = ctx.change_fee + rng.randrange(upper - CHANGE_LOWER) + CHANGE_LOWER
    return max(target, ctx.change_fee + ctx.min_viable_change)


# --- the public entry points ------------------------------------------------------------------


def _check_outputs(outputs: Sequence[Recipient], dust: DustPolicy) -> None:
    for index, r in enumerate(outputs):
        threshold = dust.threshold(r.script_pubkey)
        if r.amount < threshold:
            raise DustOutput(
                f"Output {index + 1} pays {r.amount}, below the dust limit of {threshold}; "
                "no node would relay it.",
                index,
                r.amount,
                threshold,
            )


def _unique(coins: Sequence[Coin], allowed: Set[OutPoint] | None) -> list[Coin]:
    seen: set[OutPoint] = set()
    for coin in coins:
        if coin.outpoint in seen:
            raise InvalidSelectionRequest(f"The coin {coin.outpoint} is listed twice.")
        seen.add(coin.outpoint)
    return [c for c in coins if allowed is None or c.outpoint in allowed]


def _insufficient(shortfall: int, available: int) -> InsufficientFunds:
    return InsufficientFunds(
        f"Not enough funds: {shortfall} more base units are needed, including the fee to "
        "spend them.",
        shortfall,
        available,
    )


def select_coins(
    coins: Sequence[Coin],
    recipients: Sequence[Recipient],
    params: SelectionParams,
    rng: random.Random,
    *,
    preset: Sequence[Coin] = (),
    allow_other_inputs: bool = True,
    allowed: Set[OutPoint] | None = None,
) -> Selection:
    """Choose inputs paying ``recipients`` at ``params.fee_rate``, as Bitcoin Core's wallet does.

    Preset inputs are always spent; when they cover the target nothing else is added
    (Core's ``SelectCoins``). Change below ``min_viable_change`` (dust at the discard rate,
    the cost of spending it, ``params.min_change``, a soft dust limit) goes to the fee.
    When recipients have ``subtract_fee``, they pay the fee in equal shares, the first of
    them the remainder (Core's subtract-fee-from-outputs).

    Args:
        coins: the wallet's spendable coins (frozen ones already left out).
        recipients: the outputs to pay, in order.
        params: fee rates, the change output, dust and eligibility rules.
        rng: the source of randomness for Knapsack, SRD and the change target.
        preset: coins that must be spent (coin control).
        allow_other_inputs: whether coins other than ``preset`` may be added.
        allowed: if given, only these outpoints of ``coins`` may be used.

    Returns:
        The selection, with the change amount and the fee.

    Raises:
        InvalidSelectionRequest: no recipients, a coin listed twice, nothing to pay.
        DustOutput: an output is, or after paying its share of the fee becomes, dust.
        InsufficientFunds: the usable coins do not cover the outputs and the fee.
        MaxWeightExceeded: the coins cover it only in a non-standard-size transaction.
    """
    if not recipients:
        raise InvalidSelectionRequest("A transaction needs at least one recipient.")
    _check_outputs(recipients, params.dust)
    presets = _unique(preset, None)
    fixed = {c.outpoint for c in presets}
    others = [c for c in _unique(coins, allowed) if c.outpoint not in fixed]
    if not allow_other_inputs:
        others = []
    sffo = any(r.subtract_fee for r in recipients)
    ctx = _context(params, recipients, sffo)
    amounts = sum(r.amount for r in recipients)
    surcharge = params.dust.surcharge((r.amount, r.script_pubkey) for r in recipients)
    target = amounts
    if not sffo:
        target += params.fee_rate.fee_for(ctx.noinputs_vsize) + surcharge
    if target <= 0 and not presets:
        raise InvalidSelectionRequest("Nothing to pay: the amounts and the fee are all zero.")
    change_target = _change_target(recipients, ctx, rng)
    preset_cands = [ctx.candidate(c) for c in presets]
    pool = [ctx.candidate(c) for c in others]
    for _ in range(4):
        pick = _select(preset_cands, pool, target, ctx, rng, change_target)
        done = _finalize(pick, recipients, target, ctx)
        if isinstance(done, Selection):
            return done
        target += done  # the exact size needs more than the per-input estimate
    raise CoinSelectionError("The selection did not settle on a fee; this is a bug.")


def _select(
    presets: list[_Cand],
    pool: list[_Cand],
    target: int,
    ctx: _Ctx,
    rng: random.Random,
    change_target: int,
) -> _Pick:
    have = sum(c.amount for c in presets)
    if target - have <= 0:
        return _Pick(presets, Algorithm.MANUAL, _waste(presets, target, ctx))
    mine, theirs, chain, _ = _filters(ctx.params)[-1]
    usable = [c for c in pool if _eligible(c.coin, mine, theirs, chain)]
    positive = [c for c in usable if c.amount > 0]
    total = have + sum(c.amount for c in positive)
    if total < target:
        available = sum(c.coin.value for c in (*presets, *positive))
        raise _insufficient(target - total + ctx.extra_input_fee, available)
    pick = _automatic(pool, target - have, ctx, rng, change_target)
    if pick is None:
        # Every algorithm missed although the positive coins cover the target (too heavy
        # together, or no subset in BnB's window and too little left for SRD's change, where
        # Core reports insufficient funds): spend them all if a standard transaction holds
        # them; the excess becomes change or fee.
        weight = sum(c.weight for c in (*presets, *positive))
        limit = ctx.params.max_tx_weight - 4 * (ctx.noinputs_vsize + ctx.change_output_size)
        if weight > limit:
            raise MaxWeightExceeded(
                "These coins cover the amount only in a transaction too large to relay; "
                "send less or consolidate coins first.",
                ctx.params.max_tx_weight,
            )
        pick = _Pick(positive, Algorithm.SWEEP, 0)
    picked = presets + pick.picked
    return _Pick(picked, pick.algorithm, _waste(picked, target, ctx))


def _finalize(
    pick: _Pick, recipients: Sequence[Recipient], target: int, ctx: _Ctx
) -> Selection | int:
    """Settle the change and the fee on the exact size; return a deficit if it falls short."""
    p = ctx.params
    coins = tuple(c.coin for c in pick.picked)
    sizes = [c.spend_size for c in coins]
    scripts = [r.script_pubkey for r in recipients]
    total_in = sum(c.value for c in coins)
    paid = sum(r.amount for r in recipients)
    has_change = _change_of(pick.picked, target, ctx) > 0

    def result(outputs: Sequence[Recipient], change: int | None, vsize: int) -> Selection:
        out = tuple(outputs)
        fee = total_in - sum(r.amount for r in out) - (change or 0)
        weight = estimate_weight(sizes, [*scripts, *([] if change is None else [p.change_script])])
        if weight > p.max_tx_weight:
            raise MaxWeightExceeded("The transaction would be too large to relay.", p.max_tx_weight)
        return Selection(coins, out, change, fee, vsize, pick.waste, pick.algorithm)

    if ctx.sffo:
        return _subtract_fee(recipients, total_in, has_change, sizes, ctx, result)
    surcharge = p.dust.surcharge((r.amount, r.script_pubkey) for r in recipients)
    if has_change:
        vsize = estimate_vsize(sizes, [*scripts, p.change_script])
        change = total_in - paid - p.fee_rate.fee_for(vsize) - surcharge
        if change >= ctx.min_viable_change:
            return result(recipients, change, vsize)
    vsize = estimate_vsize(sizes, scripts)
    needed = p.fee_rate.fee_for(vsize) + surcharge
    if total_in - paid >= needed:
        return result(recipients, None, vsize)
    return needed - (total_in - paid)


def _subtract_fee(
    recipients: Sequence[Recipient],
    total_in: int,
    has_change: bool,
    sizes: Sequence[InputSize],
    ctx: _Ctx,
    result: _ResultFn,
) -> Selection:
    """Take the fee from the recipients marked ``subtract_fee`` (Core's SFFO arithmetic)."""
    p = ctx.params
    paid = sum(r.amount for r in recipients)
    change = total_in - paid if has_change else None
    scripts = [r.script_pubkey for r in recipients]
    scripts += [] if change is None else [p.change_script]
    vsize = estimate_vsize(sizes, scripts)
    fee_now = total_in - paid - (change or 0)
    payers = [i for i, r in enumerate(recipients) if r.subtract_fee]
    scripts_out = [r.script_pubkey for r in recipients]
    amounts = [r.amount for r in recipients]
    for _ in range(3):  # a soft dust surcharge can appear once amounts shrink
        surcharge = p.dust.surcharge(zip(amounts, scripts_out, strict=True))
        to_reduce = p.fee_rate.fee_for(vsize) + surcharge - fee_now
        # C++ integer division truncates toward zero; the first payer takes the remainder.
        share = abs(to_reduce) // len(payers) * (1 if to_reduce >= 0 else -1)
        rest = to_reduce - share * len(payers)
        amounts = [r.amount for r in recipients]
        for n, i in enumerate(payers):
            amounts[i] -= share + (rest if n == 0 else 0)
        if p.dust.surcharge(zip(amounts, scripts_out, strict=True)) == surcharge:
            break
    for i in payers:
        threshold = p.dust.threshold(scripts_out[i])
        if amounts[i] < threshold:
            what = "to pay its share of the fee" if amounts[i] < 0 else "after paying the fee"
            raise DustOutput(
                f"Output {i + 1} is too small {what}: {amounts[i]} is below the dust limit of "
                f"{threshold}.",
                i,
                amounts[i],
                threshold,
            )
    outputs = [replace(r, amount=a) for r, a in zip(recipients, amounts, strict=True)]
    return result(outputs, change, vsize)


def send_max(
    coins: Sequence[Coin],
    destination: bytes,
    params: SelectionParams,
    *,
    others: Sequence[Recipient] = (),
    allowed: Set[OutPoint] | None = None,
    skip_uneconomic: bool = False,
) -> Selection:
    """Spend every usable coin to ``destination``: everything minus the fee and ``others``.

    Usable are confirmed coins, our own unconfirmed ones when ``spend_unconfirmed_change``
    and unconfirmed ones from others when ``include_unsafe`` (Core's ``sendall`` spends what
    ``AvailableCoins`` lists). ``skip_uneconomic`` leaves out coins worth less than the fee
    to spend them (Core's ``send_max`` option of ``sendall``). There is never change.

    Args:
        coins: the wallet's spendable coins (frozen ones already left out).
        destination: the script receiving the rest.
        params: fee rate and dust rule (the change fields are only used for ``shortfall``).
        others: outputs with fixed amounts paid besides.
        allowed: if given, only these outpoints of ``coins`` are spent.
        skip_uneconomic: leave out coins whose value does not cover their own input fee.

    Returns:
        The selection; its last output pays ``destination``.

    Raises:
        InvalidSelectionRequest: a coin is listed twice.
        DustOutput: a fixed output is dust, or what is left for ``destination`` is.
        InsufficientFunds: the coins do not even cover the fee and the fixed outputs.
    """
    _check_outputs(others, params.dust)
    ctx = _context(params, [*others, Recipient(destination, 0)], False)
    usable = [
        c
        for c in _unique(coins, allowed)
        if c.confirmations > 0
        or (c.is_mine and params.spend_unconfirmed_change)
        or params.include_unsafe
    ]
    cands = [ctx.candidate(c) for c in usable]
    if skip_uneconomic:
        cands = [c for c in cands if c.amount > 0]
    scripts = [*(r.script_pubkey for r in others), destination]
    sizes = [c.coin.spend_size for c in cands]
    total_in = sum(c.coin.value for c in cands)
    fixed = sum(r.amount for r in others)
    surcharge = params.dust.surcharge((r.amount, r.script_pubkey) for r in others)

    def rest(extra: Sequence[InputSize]) -> int:
        vsize = estimate_vsize([*sizes, *extra], scripts)
        return total_in - fixed - surcharge - params.fee_rate.fee_for(vsize)

    amount = rest(())
    smallest = params.dust.threshold(destination)
    if params.dust.surcharge([(smallest, destination)]):
        smallest = params.dust.soft_limit  # below it the surcharge eats more than it leaves
    if amount < 0 or not cands:
        shortfall = smallest - rest([params.change_spend])
        raise _insufficient(max(shortfall, 1), total_in)
    if amount < smallest:
        index = len(others)
        raise DustOutput(
            f"After the fee only {amount} is left to send, below the dust limit of {smallest}.",
            index,
            amount,
            smallest,
        )
    outputs = (*others, Recipient(destination, amount))
    vsize = estimate_vsize(sizes, scripts)
    waste = sum(c.fee - c.long_term_fee for c in cands)
    if estimate_weight(sizes, scripts) > params.max_tx_weight:
        raise MaxWeightExceeded(
            "Sending everything needs a transaction too large to relay; consolidate first.",
            params.max_tx_weight,
        )
    coins_out = tuple(c.coin for c in cands)
    return Selection(
        coins_out, outputs, None, total_in - amount - fixed, vsize, waste, Algorithm.SWEEP
    )
