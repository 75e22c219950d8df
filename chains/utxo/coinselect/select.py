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

import random
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass, replace

from chains.registry import ScriptKind
from chains.utxo.coinselect.algorithms import Found, bnb, coin_grinder, knapsack, srd
from chains.utxo.coinselect.types import (
    CHANGE_LOWER,
    CHANGE_UPPER,
    Algorithm,
    Coin,
    CoinSelectionError,
    DustOutput,
    InsufficientFunds,
    InvalidSelectionRequest,
    MaxWeightExceeded,
    Recipient,
    Selection,
    SelectionParams,
)
from chains.utxo.coinselect.waste import Candidate, Context, change_of, selection_context, waste_of
from chains.utxo.sizes import DustPolicy, InputSize, estimate_vsize, estimate_weight
from primitives.tx import OutPoint

__all__ = ["select_coins", "send_max"]

_TYPE_ORDER = (ScriptKind.P2PKH, ScriptKind.P2SH_P2WPKH, ScriptKind.P2WPKH, ScriptKind.P2TR, None)
_ResultFn = Callable[[Sequence[Recipient], int | None, int], Selection]


# --- choosing among algorithms, script kinds and eligibility filters -------------------------


@dataclass(frozen=True, slots=True)
class _Pick:
    picked: list[Candidate]
    algorithm: Algorithm
    waste: int


def _better(a: _Pick, b: _Pick | None) -> bool:
    # Core: least waste, then more inputs; otherwise the earlier result stays.
    return b is None or (a.waste, -len(a.picked)) < (b.waste, -len(b.picked))


def _choose(
    pool: Sequence[Candidate],
    target: int,
    ctx: Context,
    rng: random.Random,
    change_target: int,
) -> _Pick | None:
    """Core's ``ChooseSelectionResult`` on one pool: run the algorithms, keep the least waste."""
    p = ctx.params
    positive = [c for c in pool if c.amount > 0]
    max_weight = p.max_tx_weight - 4 * ctx.noinputs_vsize
    found: list[tuple[Algorithm, Found]] = []
    if max_weight > 0 and not ctx.sffo:  # BnB is changeless; Core skips it when recipients pay
        found.append((Algorithm.BNB, bnb(positive, target, ctx.cost_of_change, max_weight)))
    max_weight -= 4 * ctx.change_output_size
    if max_weight > 0:
        found.append((Algorithm.KNAPSACK, knapsack(pool, target, change_target, rng, max_weight)))
        if p.fee_rate.sat_per_kvb > 3 * p.long_term_fee_rate.sat_per_kvb:
            grind = coin_grinder(positive, target, change_target, max_weight)
            found.append((Algorithm.CG, grind))
        # Core aims SRD at CHANGE_LOWER of change; never below what would be kept as change.
        margin = max(CHANGE_LOWER, ctx.min_viable_change) + ctx.change_fee
        found.append((Algorithm.SRD, srd(positive, target, margin, rng, max_weight)))
    best: _Pick | None = None
    for algorithm, outcome in found:
        if outcome.picked is not None:
            pick = _Pick(outcome.picked, algorithm, waste_of(outcome.picked, target, ctx))
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
    pool: Sequence[Candidate], target: int, ctx: Context, rng: random.Random, change_target: int
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


def _change_target(outputs: Sequence[Recipient], ctx: Context, rng: random.Random) -> int:
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
    ctx = selection_context(params, recipients, sffo)
    amounts = sum(r.amount for r in recipients)
    surcharge = params.dust.surcharge((r.amount, r.script_pubkey) for r in recipients)
    target = amounts
    if not sffo:
        target += params.fee_rate.fee_for(ctx.noinputs_vsize) + surcharge
    if target <= 0 and not presets:
        raise InvalidSelectionRequest("Nothing to pay: the amounts and the fee are all zero.")
    change_target = _change_target(recipients, ctx, rng)
    preset_cands = ctx.candidates(presets)
    pool = ctx.candidates(others)
    for _ in range(4):
        pick = _select(preset_cands, pool, target, ctx, rng, change_target)
        done = _finalize(pick, recipients, target, ctx)
        if isinstance(done, Selection):
            return done
        target += done  # the exact size needs more than the per-input estimate
    raise CoinSelectionError("The selection did not settle on a fee; this is a bug.")


def _select(
    presets: list[Candidate],
    pool: list[Candidate],
    target: int,
    ctx: Context,
    rng: random.Random,
    change_target: int,
) -> _Pick:
    have = sum(c.amount for c in presets)
    if target - have <= 0:
        return _Pick(presets, Algorithm.MANUAL, waste_of(presets, target, ctx))
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
    return _Pick(picked, pick.algorithm, waste_of(picked, target, ctx))


def _finalize(
    pick: _Pick, recipients: Sequence[Recipient], target: int, ctx: Context
) -> Selection | int:
    """Settle the change and the fee on the exact size; return a deficit if it falls short."""
    p = ctx.params
    coins = tuple(c.coin for c in pick.picked)
    sizes = [c.spend_size for c in coins]
    scripts = [r.script_pubkey for r in recipients]
    total_in = sum(c.value for c in coins)
    paid = sum(r.amount for r in recipients)
    has_change = change_of(pick.picked, target, ctx) > 0

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
    ctx: Context,
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
    ctx = selection_context(params, [*others, Recipient(destination, 0)], False)
    usable = [
        c
        for c in _unique(coins, allowed)
        if c.confirmations > 0
        or (c.is_mine and params.spend_unconfirmed_change)
        or params.include_unsafe
    ]
    cands = ctx.candidates(usable)
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
