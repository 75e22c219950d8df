"""Coin selection: Bitcoin Core's coin selection tests ported, then the public API and properties.

The algorithm-level ports call the module's algorithm functions directly, as Core's tests call
``SelectCoinsBnB``, ``CoinGrinder``, ``SelectCoinsSRD`` and ``KnapsackSolver``:
``src/wallet/test/coinselection_tests.cpp`` (bnb_test, bnb_feerate_sensitivity_test) and
``src/wallet/test/coinselector_tests.cpp`` (bnb_search_test, knapsack_solver_test,
ApproximateBestSubset, waste_test, coin_grinder_tests, srd_tests, check_max_selection_weight,
SelectCoins_effective_value_test, bnb_sffo_restriction) of bitcoin/bitcoin. Core repeats its
randomised tests 100 times with fresh randomness; here they run over a few fixed seeds.
"""

from __future__ import annotations

import contextlib
import itertools
import random
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chains.errors import ChainError
from chains.registry import ScriptKind, get_network
from chains.utxo.backend import FeeRate
from chains.utxo.coinselect import (
    TOTAL_TRIES,
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
    select_coins,
    send_max,
)
from chains.utxo.coinselect.algorithms import bnb as _bnb
from chains.utxo.coinselect.algorithms import coin_grinder as _coin_grinder
from chains.utxo.coinselect.algorithms import knapsack as _knapsack
from chains.utxo.coinselect.algorithms import srd as _srd
from chains.utxo.coinselect.select import _better, _eligible, _Pick
from chains.utxo.coinselect.subset import best_subset, best_subset_walk
from chains.utxo.coinselect.waste import Candidate as _Cand
from chains.utxo.coinselect.waste import Context as _Ctx
from chains.utxo.coinselect.waste import selection_context as _context
from chains.utxo.coinselect.waste import waste_of as _waste
from chains.utxo.sizes import (
    MAX_STANDARD_TX_WEIGHT,
    InputSize,
    estimate_vsize,
    template_script,
)
from primitives.tx import OutPoint

CENT = 1_000_000
COIN = 100_000_000
P2WPKH, P2TR, P2SH, P2PKH = (
    ScriptKind.P2WPKH,
    ScriptKind.P2TR,
    ScriptKind.P2SH_P2WPKH,
    ScriptKind.P2PKH,
)
PAY = bytes([0x00, 20]) + b"\x11" * 20  # a P2WPKH recipient
PAY_TR = bytes([0x51, 32]) + b"\x22" * 32
SEEDS = [1, 2, 3]
_ids = itertools.count(1)


def outpoint() -> OutPoint:
    return OutPoint(next(_ids).to_bytes(32, "big"), 0)


def cand(
    amount: int,
    *,
    rate: int = 5000,
    long_term: int = 10_000,
    vsize: int = 68,
    confirmations: int = 6,
    mine: bool = False,
    fee: int | None = None,
) -> _Cand:
    """A candidate whose effective value is ``amount`` (Core's ``MakeCoin``)."""
    fee = FeeRate(rate).fee_for(vsize) if fee is None else fee
    coin = Coin(
        outpoint(),
        amount + fee,
        InputSize(4 * vsize, True),
        P2WPKH,
        confirmations=confirmations,
        from_self=mine,
    )
    return _Cand(coin, fee, FeeRate(long_term).fee_for(vsize), 4 * vsize, amount)


def raw(value: int, *, confirmations: int = 144, mine: bool = False, vsize: int = 68) -> _Cand:
    """A candidate at fee rate 0: its selection amount is its value (Core's knapsack tests)."""
    return cand(value, rate=0, long_term=0, vsize=vsize, confirmations=confirmations, mine=mine)


def amounts(picked: list[_Cand] | None) -> list[int] | None:
    return None if picked is None else sorted(c.amount for c in picked)


def values(selection: Selection) -> list[int]:
    return sorted(c.value for c in selection.inputs)


# --- Branch-and-Bound: coinselection_tests.cpp bnb_test ----------------------------------------

# default_cs_params: change 31 vB at 5 sat/vB (155) + spending 68 vB at 3 sat/vB discard (204)
COST_OF_CHANGE = 204 + 155
FEERATES = [0, 1, 5_000, 10_000, 25_000, 59_764, 500_000, 999_000, 1_500_000]


def bnb(pool: list[_Cand], target: int, coc: int = COST_OF_CHANGE) -> list[int] | None:
    return amounts(_bnb(pool, target, coc, MAX_STANDARD_TX_WEIGHT).picked)


@pytest.mark.parametrize("rate", FEERATES)
def test_bnb_simple_cases(rate: int):
    assert bnb([], 1 * CENT) is None  # empty pool
    pool = [cand(a, rate=rate) for a in (1 * CENT, 3 * CENT, 5 * CENT)]
    assert bnb(pool, 1 * CENT) == [1 * CENT]
    assert bnb(pool, 3 * CENT) == [3 * CENT]
    assert bnb(pool, 5 * CENT) == [5 * CENT]
    assert bnb(pool, 4 * CENT) == [1 * CENT, 3 * CENT]
    assert bnb(pool, 9 * CENT) == [1 * CENT, 3 * CENT, 5 * CENT]
    # overshooting by up to cost_of_change is fine, by one more is not
    assert bnb(pool, 4 * CENT - COST_OF_CHANGE) == [1 * CENT, 3 * CENT]
    assert bnb(pool, 4 * CENT - COST_OF_CHANGE - 1) is None
    assert bnb(pool, CENT // 2) is None  # smallest combination too big
    assert bnb(pool, 7 * CENT) is None  # no combination in the window
    assert bnb(pool, 10 * CENT) is None  # more than available


@pytest.mark.parametrize("rate", [0, 5_000, 1_500_000])
def test_bnb_skips_equivalent_input_sets(rate: int):
    pool = [cand(a, rate=rate) for a in (2 * CENT, 7 * CENT, 7 * CENT)]
    pool += [cand(5 * CENT, rate=rate) for _ in range(50_000)]
    assert bnb(pool, 16 * CENT) == [2 * CENT, 7 * CENT, 7 * CENT]


def test_bnb_attempt_limit():
    # Every combination of 8 is visited; only the 8 smallest fall in the window.
    smallest = [1 * CENT + i for i in range(8)]
    larger = [1 * CENT + COST_OF_CHANGE + i for i in range(8, 17)]
    pool = [cand(a) for a in smallest + larger]
    assert bnb(pool, 8 * CENT) == smallest
    # one more doppelganger and the search runs out of tries first
    pool.append(cand(1 * CENT + COST_OF_CHANGE + 17))
    found = _bnb(pool, 8 * CENT, COST_OF_CHANGE, MAX_STANDARD_TX_WEIGHT)
    assert found.picked is None
    assert found.tries == TOTAL_TRIES


def test_bnb_feerate_sensitivity():
    low = [cand(a) for a in (2 * CENT, 3 * CENT, 5 * CENT, 10 * CENT)]  # 5 < 10 sat/vB long-term
    assert bnb(low, 10 * CENT) == [2 * CENT, 3 * CENT, 5 * CENT]  # many inputs while cheap
    high = [cand(a, rate=25_000) for a in (2 * CENT, 3 * CENT, 5 * CENT, 10 * CENT)]
    assert bnb(high, 10 * CENT) == [10 * CENT]  # one input while expensive
    low += [cand(6 * CENT, vsize=500), cand(7 * CENT, vsize=500)]
    assert bnb(low, 13 * CENT) == [6 * CENT, 7 * CENT]  # heavy inputs while cheap
    high += [cand(6 * CENT, rate=25_000, vsize=500), cand(7 * CENT, rate=25_000, vsize=500)]
    assert bnb(high, 13 * CENT) == [3 * CENT, 10 * CENT]  # light inputs while expensive


# --- Branch-and-Bound: coinselector_tests.cpp bnb_search_test ---------------------------------


def make_hard_case(utxos: int) -> tuple[list[_Cand], int]:
    pool, target = [], 0
    for i in range(utxos):
        target += 1 << (utxos + i)
        pool.append(raw(1 << (utxos + i)))
        pool.append(raw((1 << (utxos + i)) + (1 << (utxos - 1 - i))))
    return pool, target


def test_bnb_known_outcomes():
    pool = [raw(a * CENT) for a in (1, 2, 3, 4)]
    assert bnb(pool, 1 * CENT, CENT // 2) == [1 * CENT]
    assert bnb(pool, 2 * CENT, CENT // 2) == [2 * CENT]
    # {1, 4} and {2, 3} waste the same. The 2020 test expected the first set found; current
    # Core (``curr_waste <= best_waste``) keeps the last one, and so does this port.
    assert bnb(pool, 5 * CENT, CENT // 2) == [2 * CENT, 3 * CENT]
    assert bnb(pool, 11 * CENT, CENT // 2) is None
    assert bnb(pool, 9 * CENT // 10, CENT // 2) == [1 * CENT]  # within cost of change
    assert bnb(pool, 9 * CENT // 10, 0) is None  # not within a zero cost of change
    pool.append(raw(5 * CENT))
    # {1, 4, 5}, {2, 3, 5} and {1, 2, 3, 4} tie at zero waste: the last, with most inputs
    assert bnb(pool, 10 * CENT, CENT // 2) == [1 * CENT, 2 * CENT, 3 * CENT, 4 * CENT]
    assert bnb(pool, CENT // 4, CENT // 2) is None


def test_bnb_iteration_exhaustion():
    pool, target = make_hard_case(17)
    assert bnb(pool, target, 0) is None  # should exhaust
    pool, target = make_hard_case(14)
    assert bnb(pool, target, 0) is not None  # should not


def test_bnb_same_value_early_bailout():
    pool = [raw(7 * CENT) for _ in range(4)] + [raw(2 * CENT)]
    pool += [raw(5 * CENT) for _ in range(50_000)]
    assert bnb(pool, 30 * CENT, 5000) == [2 * CENT] + [7 * CENT] * 4


def test_bnb_never_selects_from_a_pool_of_larger_coins():
    pool = [raw(i * CENT) for i in range(5, 21)]
    assert bnb(pool, 1 * CENT, 2 * CENT) is None


def test_bnb_max_weight():
    # [10, 9, 8, 5, 3, 1] with the 5 too heavy, target 16, values as amounts (SFFO grouping),
    # fees at 5 sat/vB: the heavy 5 pays more, so the light 5 is no clone of it
    pool = [cand(a * CENT) for a in (10, 9, 8, 3, 1)]
    pool.append(cand(5 * CENT, vsize=MAX_STANDARD_TX_WEIGHT))
    found = _bnb(pool, 16 * CENT, 0, MAX_STANDARD_TX_WEIGHT)
    assert found.picked is None
    assert found.weight_exceeded
    pool.append(cand(5 * CENT))
    assert bnb(pool, 16 * CENT, 0) == [3 * CENT, 5 * CENT, 8 * CENT]


# --- Knapsack: coinselector_tests.cpp knapsack_solver_test --------------------------------------

STANDARD, CONFIRMED, STANDARD_EXTRA = (1, 6, 0), (1, 1, 0), (6, 6, 0)


def knap(
    pool: list[_Cand],
    target: int,
    rng: random.Random,
    flt: tuple[int, int, int] = CONFIRMED,
) -> list[int] | None:
    usable = [c for c in pool if _eligible(c.coin, *flt)]
    return amounts(_knapsack(usable, target, CENT, rng, MAX_STANDARD_TX_WEIGHT).picked)


@pytest.mark.parametrize("seed", SEEDS)
def test_knapsack_maturity_and_small_sets(seed: int):
    rng = random.Random(seed)
    pool: list[_Cand] = []
    assert knap(pool, 1 * CENT, rng, STANDARD) is None  # empty wallet
    pool.append(raw(1 * CENT, confirmations=4))  # a new coin from others
    assert knap(pool, 1 * CENT, rng, STANDARD) is None  # not mature
    assert knap(pool, 1 * CENT, rng) == [1 * CENT]
    pool.append(raw(2 * CENT))
    assert knap(pool, 3 * CENT, rng, STANDARD) is None
    assert knap(pool, 3 * CENT, rng) == [1 * CENT, 2 * CENT]
    pool += [raw(5 * CENT), raw(10 * CENT, confirmations=3, mine=True), raw(20 * CENT)]
    # new: 1 + 10 (the 10 self-sent); mature: 2 + 5 + 20; total 38
    assert knap(pool, 38 * CENT, rng, STANDARD) is None
    assert knap(pool, 38 * CENT, rng, STANDARD_EXTRA) is None
    assert sum(knap(pool, 37 * CENT, rng, STANDARD) or []) == 37 * CENT
    assert sum(knap(pool, 38 * CENT, rng) or []) == 38 * CENT
    assert knap(pool, 34 * CENT, rng) == [5 * CENT, 10 * CENT, 20 * CENT]  # 35 is closest
    assert knap(pool, 7 * CENT, rng) == [2 * CENT, 5 * CENT]
    assert knap(pool, 8 * CENT, rng) == [1 * CENT, 2 * CENT, 5 * CENT]
    assert knap(pool, 9 * CENT, rng) == [10 * CENT]  # the next bigger coin


@pytest.mark.parametrize("seed", SEEDS)
def test_knapsack_subsets_versus_next_bigger_coin(seed: int):
    rng = random.Random(seed)
    pool = [raw(a * CENT) for a in (6, 7, 8, 20, 30)]
    assert knap(pool, 71 * CENT, rng) is not None
    assert knap(pool, 72 * CENT, rng) is None
    assert knap(pool, 16 * CENT, rng) == [20 * CENT]  # 6+7+8 = 21 is worse than 20
    pool.append(raw(5 * CENT))
    assert knap(pool, 16 * CENT, rng) == [5 * CENT, 6 * CENT, 7 * CENT]  # 18 beats 20
    pool.append(raw(18 * CENT))
    assert knap(pool, 16 * CENT, rng) == [18 * CENT]  # a tie goes to the single coin
    assert knap(pool, 11 * CENT, rng) == [5 * CENT, 6 * CENT]
    pool += [raw(a * COIN) for a in (1, 2, 3, 4)]
    assert knap(pool, 95 * CENT, rng) == [1 * COIN]
    assert knap(pool, 195 * CENT, rng) == [2 * COIN]


@pytest.mark.parametrize("seed", SEEDS)
def test_knapsack_small_change_avoidance(seed: int):
    rng = random.Random(seed)
    pool = [raw(CENT * i // 10) for i in (1, 2, 3, 4, 5)]
    assert sum(knap(pool, CENT, rng) or []) == CENT  # change below CENT whatever happens
    pool.append(raw(1111 * CENT))
    assert sum(knap(pool, CENT, rng) or []) == CENT
    pool += [raw(CENT * 6 // 10), raw(CENT * 7 // 10)]
    assert sum(knap(pool, CENT, rng) or []) == CENT
    # the 'mtgox' test: 10 of 20 coins of 50,000 make 500,000 exactly
    mtgox = [raw(50_000 * COIN) for _ in range(20)]
    assert knap(mtgox, 500_000 * COIN, rng) == [50_000 * COIN] * 10
    # not enough small coins for CENT of change: an exact subset, else the bigger coin
    pool = [raw(CENT * i // 10) for i in (5, 6, 7)] + [raw(1111 * CENT)]
    assert knap(pool, CENT, rng) == [1111 * CENT]
    pool = [raw(CENT * i // 10) for i in (4, 6, 8)] + [raw(1111 * CENT)]
    assert knap(pool, CENT, rng) == [CENT * 4 // 10, CENT * 6 // 10]
    pool = [raw(CENT * 5 // 100), raw(CENT), raw(100 * CENT)]
    assert knap(pool, CENT * 10001 // 100, rng) == [CENT * 5 // 100, CENT, 100 * CENT]
    assert knap(pool, CENT * 9990 // 100, rng) == [CENT, 100 * CENT]


@pytest.mark.parametrize("amt", [1500, 15_000, 150_000, 1_500_000, 15_000_000])
def test_knapsack_many_inputs(amt: int):
    pool = [raw(amt) for _ in range(676)]
    picked = knap(pool, 2000, random.Random(amt))
    assert picked is not None
    if amt - 2000 < CENT:
        count = -(-(2000 + CENT) // amt)  # needs several inputs for CENT of change
        assert picked == [amt] * count
    else:
        assert picked == [amt]


def test_knapsack_is_random_among_equivalent_coins():
    rng = random.Random(7)
    pool = [raw(COIN) for _ in range(100)]

    def outpoints(target: int) -> frozenset[OutPoint]:
        found = _knapsack(pool, target, CENT, rng, MAX_STANDARD_TX_WEIGHT).picked
        assert found is not None
        return frozenset(c.coin.outpoint for c in found)

    assert outpoints(50 * COIN) != outpoints(50 * COIN)
    assert len({outpoints(COIN) for _ in range(5)}) > 1
    pool += [raw(a * CENT) for a in (5, 10, 15, 20, 25)]  # 75 cents: not enough for 90
    assert len({outpoints(90 * CENT) for _ in range(5)}) > 1  # a random "smallest bigger"


def test_approximate_best_subset_sort_order():
    pool = [raw(1000 * COIN) for _ in range(1000)] + [raw(3 * COIN)]
    assert knap(pool, 1003 * COIN, random.Random(5), STANDARD) == [3 * COIN, 1000 * COIN]


# --- waste: coinselector_tests.cpp waste_test --------------------------------------------------

FEE, FEE_DIFF, IN_AMT = 100, 40, 3 * COIN


def waste_ctx(min_viable: int = 300, change_cost: int = 125, change_fee: int = 30) -> _Ctx:
    params = SelectionParams.for_network(get_network("bitcoin"), FeeRate(0))  # type: ignore[arg-type]
    return _Ctx(params, False, 0, 31, change_fee, change_cost, min_viable, 0)


def pair(fee: int, long_term_fee: int) -> list[_Cand]:
    return [
        _Cand(Coin(outpoint(), v, InputSize(592, False)), fee, long_term_fee, 592, v - fee)
        for v in (1 * COIN, 2 * COIN)
    ]


def test_waste_with_change():
    target = 2 * COIN
    ctx = waste_ctx()
    base = _waste(pair(FEE, FEE - FEE_DIFF), target, ctx)
    assert base == FEE_DIFF * 2 + 125
    assert _waste(pair(FEE * 2, FEE - FEE_DIFF), target, ctx) > base
    assert _waste(pair(FEE, FEE + FEE_DIFF), target, ctx) == -FEE_DIFF * 2 + 125
    assert _waste(pair(FEE, FEE), target, ctx) == 125  # just the cost of change
    assert _waste(pair(FEE, FEE + FEE_DIFF), target, waste_ctx(change_cost=FEE_DIFF * 2)) == 0
    assert _waste(pair(FEE, FEE + 90), target, ctx) == -55  # 200 - 380 + 125


def test_waste_without_change():
    exact = IN_AMT - FEE * 2
    excess = 80
    ctx = waste_ctx()
    assert _waste(pair(FEE, FEE - FEE_DIFF), exact - excess, ctx) == FEE_DIFF * 2 + excess
    assert _waste(pair(FEE, FEE + FEE_DIFF), exact - excess, ctx) == -FEE_DIFF * 2 + excess
    assert _waste(pair(FEE, FEE), exact - excess, ctx) == excess
    assert _waste(pair(FEE, FEE), exact, ctx) == 0
    assert _waste(pair(FEE, FEE + FEE_DIFF), exact - FEE_DIFF * 2, ctx) == 0
    assert _waste(pair(FEE, FEE + FEE_DIFF), exact, ctx) == -2 * FEE_DIFF


def test_ties_in_waste_go_to_more_inputs_then_to_the_earlier_result():
    one, two = pair(FEE, FEE)[:1], pair(FEE, FEE)
    assert _better(_Pick(two, Algorithm.SRD, 10), _Pick(one, Algorithm.BNB, 10))
    assert not _better(_Pick(one, Algorithm.SRD, 10), _Pick(two, Algorithm.BNB, 10))
    assert not _better(_Pick(two, Algorithm.SRD, 10), _Pick(two, Algorithm.BNB, 10))
    assert _better(_Pick(two, Algorithm.SRD, 9), _Pick(one, Algorithm.BNB, 10))


# --- CoinGrinder: coinselector_tests.cpp coin_grinder_tests ------------------------------------


def cg_coin(value: int, vsize: int = 68, rate: int = 5000) -> _Cand:
    fee = FeeRate(rate).fee_for(vsize)
    return cand(value - fee, fee=fee, vsize=vsize, long_term=2000)


def grind(pool: list[_Cand], target: int, max_weight: int) -> tuple[list[int] | None, int, bool]:
    found = _coin_grinder(pool, target, CENT, max_weight)
    picked = None if found.picked is None else sorted(c.coin.value for c in found.picked)
    return picked, found.tries, found.weight_exceeded


def test_coin_grinder_insufficient_funds():
    pool = [cg_coin(a * COIN, rate=0) for a in (1, 2) for _ in range(10)]
    assert grind(pool, 49 * COIN + COIN // 2, 10_000)[0::2] == (None, False)


def test_coin_grinder_max_weight_exceeded():
    pool = [cg_coin(a * COIN) for a in (1, 2) for _ in range(10)]
    assert grind(pool, 29 * COIN + COIN // 2, 3000)[0::2] == (None, True)


def test_coin_grinder_lowest_weight_within_max_weight():
    pool = [cg_coin(33 * CENT) for _ in range(60)] + [cg_coin(2 * COIN) for _ in range(10)]
    picked, tries, _ = grind(pool, 25 * COIN + 33 * CENT, 10_000)
    assert picked == sorted([2 * COIN] * 10 + [33 * CENT] * 17)
    assert tries == 37


def test_coin_grinder_prefers_two_light_over_one_heavy():
    pool = [cg_coin(2 * COIN, 148), cg_coin(1 * COIN), cg_coin(1 * COIN)]
    assert grind(pool, 190 * CENT, 400_000)[:2] == ([COIN, COIN], 3)


def test_coin_grinder_mixed_weights():
    pool = []
    for j in range(5):
        pool.append(cg_coin((3 + 3 * j) * COIN, 350))
        pool.append(cg_coin((2 + 3 * j) * COIN, 250))
        pool.append(cg_coin((1 + 3 * j) * COIN, 150))
    assert grind(pool, 30 * COIN, 400_000)[:2] == ([4 * COIN, 13 * COIN, 14 * COIN], 92)


def test_coin_grinder_lightest_among_clones():
    pool = [cg_coin(a * COIN, 100) for a in (4, 3, 2, 1)]
    for value, vsize in ((8, 1000), (7, 800), (6, 600), (5, 400)):
        pool += [cg_coin(value * COIN, vsize) for _ in range(100)]
    assert grind(pool, 990 * CENT, 400_000)[:2] == ([COIN, 2 * COIN, 3 * COIN, 4 * COIN], 38)


def test_coin_grinder_skips_heavy_tiny_coins():
    pool = [cg_coin(180 * CENT, 2500), cg_coin(COIN, 1000), cg_coin(COIN, 1000)]
    pool += [cg_coin(CENT + j, 110) for j in range(100)]
    assert grind(pool, 190 * CENT, 40_000)[:2] == ([COIN, COIN], 7)


# --- SRD: coinselector_tests.cpp srd_tests ------------------------------------------------------


def test_srd_insufficient_funds():
    pool = [raw(a * COIN) for a in (1, 2) for _ in range(10)]
    found = _srd(pool, 49 * COIN + COIN // 2, 50_000, random.Random(1), 10_000)
    assert (found.picked, found.weight_exceeded) == (None, False)


def test_srd_max_weight_exceeded():
    pool = [raw(a * COIN) for a in (1, 2) for _ in range(10)]
    found = _srd(pool, 49 * COIN + COIN // 2, 50_000, random.Random(1), 3000)
    assert (found.picked, found.weight_exceeded) == (None, True)


@pytest.mark.parametrize("seed", SEEDS)
def test_srd_stays_below_max_weight(seed: int):
    pool = [raw(33 * CENT) for _ in range(60)] + [raw(2 * COIN) for _ in range(10)]
    found = _srd(pool, 25 * COIN + 33 * CENT, 50_000, random.Random(seed), 10_000)
    assert found.picked is not None
    assert sum(c.weight for c in found.picked) <= 10_000
    assert sum(c.amount for c in found.picked) >= 25 * COIN + 33 * CENT + 50_000


# --- the public API -------------------------------------------------------------------------------

BITCOIN = get_network("bitcoin")
DOGECOIN = get_network("dogecoin")


def params(sat_vb: int = 5, network=BITCOIN, **changes: object) -> SelectionParams:
    base = SelectionParams.for_network(network, FeeRate(sat_vb * 1000))
    return replace(base, **changes)  # type: ignore[arg-type]


def coin(value: int, kind: ScriptKind = P2WPKH, confirmations: int = 6, **kw: bool | int) -> Coin:
    return Coin.of_kind(outpoint(), value, kind, confirmations=confirmations, **kw)  # type: ignore[arg-type]


def check(selection: Selection, p: SelectionParams, coins: list[Coin]) -> None:
    """The invariants every selection keeps."""
    inputs = selection.inputs
    assert len({c.outpoint for c in inputs}) == len(inputs)
    assert {c.outpoint for c in inputs} <= {c.outpoint for c in coins}
    change = selection.change or 0
    assert selection.fee == selection.input_value - selection.output_value - change
    scripts = [r.script_pubkey for r in selection.outputs]
    if selection.change is not None:
        scripts.append(p.change_script)
        assert not p.dust.is_dust(selection.change, p.change_script)
    vsize = estimate_vsize([c.spend_size for c in inputs], scripts)
    assert selection.vsize == vsize
    surcharge = p.dust.surcharge((r.amount, r.script_pubkey) for r in selection.outputs)
    assert selection.fee >= p.fee_rate.fee_for(vsize) + surcharge
    for r in selection.outputs:
        assert not p.dust.is_dust(r.amount, r.script_pubkey)


def test_changeless_exact_match_uses_bnb():
    p = params()
    ctx = _context(p, [Recipient(PAY, 1)], False)
    noinputs_fee = p.fee_rate.fee_for(ctx.noinputs_vsize)
    coins = [coin(500_000), coin(123_456), coin(2_000_000)]
    amount = 123_456 - 340 - noinputs_fee  # the coin's effective value minus the other fees
    selection = select_coins(coins, [Recipient(PAY, amount)], p, random.Random(1))
    check(selection, p, coins)
    assert selection.algorithm is Algorithm.BNB
    assert values(selection) == [123_456]
    assert selection.change is None
    assert selection.fee == 123_456 - amount


@pytest.mark.parametrize("seed", SEEDS)
def test_change_is_created_and_fee_is_exact(seed: int):
    p = params(12)
    coins = [coin(v) for v in (60_000, 250_000, 1_000_000, 75_000, 5_000_000)]
    selection = select_coins(coins, [Recipient(PAY, 300_000)], p, random.Random(seed))
    check(selection, p, coins)
    assert selection.change is not None
    assert selection.fee == p.fee_rate.fee_for(selection.vsize)


def test_change_below_min_viable_goes_to_fee():
    p = params()
    ctx = _context(p, [Recipient(PAY, 1)], False)
    fee_without_change = p.fee_rate.fee_for(estimate_vsize([InputSize.for_kind(P2WPKH)], [PAY]))
    small = ctx.min_viable_change + ctx.change_fee - 1  # just too little for change
    amount = 100_000
    coins = [coin(amount + fee_without_change + small)]
    selection = select_coins(coins, [Recipient(PAY, amount)], p, random.Random(1))
    check(selection, p, coins)
    assert selection.change is None
    assert selection.fee == fee_without_change + small


@pytest.mark.parametrize("seed", SEEDS)
def test_same_seed_same_selection(seed: int):
    coins = [coin(v) for v in range(10_000, 400_000, 7_919)]
    request = [Recipient(PAY, 777_777), Recipient(PAY_TR, 123_000)]
    first = select_coins(coins, request, params(), random.Random(seed))
    again = select_coins(coins, request, params(), random.Random(seed))
    assert first == again


def test_high_fee_rates_run_coin_grinder():
    # two small coins match the amount more closely; one big coin is lighter
    coins = [coin(2 * COIN), coin(60 * CENT), coin(50 * CENT)]
    request = [Recipient(PAY, 1 * COIN)]
    expensive = select_coins(coins, request, params(50), random.Random(1))
    assert expensive.algorithm is Algorithm.CG
    assert values(expensive) == [2 * COIN]
    cheap = select_coins(coins, request, params(5), random.Random(1))
    assert values(cheap) == [50 * CENT, 60 * CENT]


def test_preset_inputs_that_suffice_are_used_alone():
    preset = coin(1_000_000)
    others = [coin(300_000), coin(400_000)]
    p = params()
    selection = select_coins(
        others, [Recipient(PAY, 200_000)], p, random.Random(1), preset=[preset]
    )
    check(selection, p, [*others, preset])
    assert selection.algorithm is Algorithm.MANUAL
    assert selection.inputs == (preset,)


def test_preset_inputs_are_completed_by_the_selection():
    preset = coin(100_000)
    others = [coin(300_000), coin(400_000)]
    p = params()
    request = [Recipient(PAY, 350_000)]
    selection = select_coins(others, request, p, random.Random(1), preset=[preset])
    check(selection, p, [*others, preset])
    assert selection.inputs[0] == preset
    assert len(selection.inputs) >= 2


def test_preset_input_is_spent_even_when_disadvantageous():
    # Core's result13: pool {10, 9, 1} (effective), 9 preset, target 10 -> {9, 1}
    p = params(5, long_term_fee_rate=FeeRate(3000))
    fee = p.fee_rate.fee_for(68)
    noinputs_fee = p.fee_rate.fee_for(_context(p, [Recipient(PAY, 1)], False).noinputs_vsize)
    ten, nine, one = coin(10 * CENT + fee), coin(9 * CENT + fee), coin(1 * CENT + fee)
    request = [Recipient(PAY, 10 * CENT - noinputs_fee)]
    selection = select_coins([ten, one], request, p, random.Random(1), preset=[nine])
    assert set(selection.inputs) == {nine, one}


def test_preset_inputs_alone_must_cover_the_effective_target():
    # Core's SelectCoins_effective_value_test: the value covers the target, the effective
    # value does not, and no other inputs are allowed
    p = params(3)
    preset = coin(100_000, P2PKH)
    with pytest.raises(InsufficientFunds):
        select_coins(
            [coin(COIN)],
            [Recipient(PAY, 99_900)],
            p,
            random.Random(1),
            preset=[preset],
            allow_other_inputs=False,
        )


def test_allowed_set_restricts_the_pool():
    small, big = coin(200_000), coin(5_000_000)
    p = params()
    selection = select_coins(
        [small, big], [Recipient(PAY, 100_000)], p, random.Random(1), allowed={small.outpoint}
    )
    assert selection.inputs == (small,)
    with pytest.raises(InsufficientFunds):
        select_coins(
            [small, big], [Recipient(PAY, 300_000)], p, random.Random(1), allowed={small.outpoint}
        )


def test_confirmed_coins_are_preferred_over_own_unconfirmed_change():
    confirmed = coin(500_000, confirmations=6)
    change = coin(800_000, confirmations=0, is_change=True)
    p = params()
    selection = select_coins([confirmed, change], [Recipient(PAY, 200_000)], p, random.Random(1))
    assert selection.inputs == (confirmed,)
    # needing both, the unconfirmed change is used
    selection = select_coins([confirmed, change], [Recipient(PAY, 900_000)], p, random.Random(1))
    assert set(selection.inputs) == {confirmed, change}
    # unless spending unconfirmed change is off
    with pytest.raises(InsufficientFunds):
        select_coins(
            [confirmed, change],
            [Recipient(PAY, 900_000)],
            replace(p, spend_unconfirmed_change=False),
            random.Random(1),
        )


def test_unconfirmed_coins_from_others_only_when_unsafe_is_allowed():
    theirs = coin(800_000, confirmations=0)
    p = params()
    with pytest.raises(InsufficientFunds):
        select_coins([theirs], [Recipient(PAY, 100_000)], p, random.Random(1))
    unsafe = replace(p, include_unsafe=True)
    selection = select_coins([theirs], [Recipient(PAY, 100_000)], unsafe, random.Random(1))
    assert selection.inputs == (theirs,)


def test_long_unconfirmed_chains_are_never_spent():
    long_chain = coin(800_000, confirmations=0, is_change=True, unconfirmed_chain=25)
    short_chain = coin(800_000, confirmations=0, is_change=True, unconfirmed_chain=3)
    p = params()
    selection = select_coins(
        [long_chain, short_chain], [Recipient(PAY, 100_000)], p, random.Random(1)
    )
    assert selection.inputs == (short_chain,)
    with pytest.raises(InsufficientFunds):
        select_coins([long_chain], [Recipient(PAY, 100_000)], p, random.Random(1))


def test_script_kinds_are_not_mixed_when_one_kind_suffices():
    segwit = [coin(300_000, P2WPKH), coin(350_000, P2WPKH)]
    taproot = [coin(200_000, P2TR), coin(460_000, P2TR)]
    selection = select_coins(
        segwit + taproot, [Recipient(PAY, 400_000)], params(), random.Random(3)
    )
    assert len({c.kind for c in selection.inputs}) == 1
    # when no single kind suffices, they are mixed
    selection = select_coins(
        segwit + taproot, [Recipient(PAY, 1_100_000)], params(), random.Random(3)
    )
    assert {c.kind for c in selection.inputs} == {P2WPKH, P2TR}


def test_several_recipients():
    coins = [coin(v) for v in (400_000, 900_000, 1_300_000)]
    request = [Recipient(PAY, 250_000), Recipient(PAY_TR, 600_000), Recipient(PAY, 10_000)]
    p = params(8)
    selection = select_coins(coins, request, p, random.Random(2))
    check(selection, p, coins)
    assert selection.outputs == tuple(request)


def test_subtract_fee_from_one_recipient():
    coins = [coin(1_000_000)]
    p = params(10)
    request = [Recipient(PAY, 1_000_000, subtract_fee=True)]
    selection = select_coins(coins, request, p, random.Random(1))
    check(selection, p, coins)
    assert selection.algorithm is not Algorithm.BNB
    assert selection.change is None
    assert selection.outputs[0].amount == 1_000_000 - selection.fee
    assert selection.fee == p.fee_rate.fee_for(selection.vsize)


def test_subtract_fee_is_split_and_the_first_payer_takes_the_remainder():
    coins = [coin(3_000_000)]
    p = params(7)
    request = [
        Recipient(PAY, 500_000, subtract_fee=True),
        Recipient(PAY_TR, 400_000),
        Recipient(PAY, 600_000, subtract_fee=True),
    ]
    selection = select_coins(coins, request, p, random.Random(1))
    check(selection, p, coins)
    assert selection.change is not None
    a, b, c = (r.amount for r in selection.outputs)
    assert b == 400_000
    share = selection.fee // 2
    assert (500_000 - a, 600_000 - c) == (selection.fee - share, share)


def test_subtract_fee_never_uses_bnb():
    # Core's bnb_sffo_restriction: a coin right at BnB's upper bound would win if BnB ran
    p = params(3, long_term_fee_rate=FeeRate(1000), discard_fee_rate=FeeRate(1000))
    ctx = _context(p, [Recipient(PAY, COIN, subtract_fee=True)], True)
    coins = [
        coin(COIN + ctx.cost_of_change, confirmations=6, from_self=True),
        coin(COIN // 2 + ctx.cost_of_change, confirmations=6, from_self=True),
        coin(COIN // 2, confirmations=6, from_self=True),
    ]
    selection = select_coins(coins, [Recipient(PAY, COIN, subtract_fee=True)], p, random.Random(1))
    assert selection.algorithm is not Algorithm.BNB


def test_subtract_fee_below_dust_is_refused():
    coins = [coin(100_000)]
    with pytest.raises(DustOutput) as err:
        select_coins(
            coins, [Recipient(PAY, 1_000, subtract_fee=True)], params(10), random.Random(1)
        )
    assert err.value.index == 0
    assert err.value.threshold == 294


def test_dust_recipient_is_refused():
    with pytest.raises(DustOutput) as err:
        select_coins(
            [coin(COIN)], [Recipient(PAY, 1000), Recipient(PAY, 293)], params(), random.Random(1)
        )
    assert (err.value.index, err.value.amount, err.value.threshold) == (1, 293, 294)


def test_insufficient_funds_reports_the_exact_shortfall():
    p = params(10)
    coins = [coin(100_000), coin(50_000)]
    request = [Recipient(PAY, 200_000)]
    with pytest.raises(InsufficientFunds) as err:
        select_coins(coins, request, p, random.Random(1))
    noinputs = _context(p, request, False).noinputs_vsize
    input_fee = p.fee_rate.fee_for(68)
    needed = 200_000 + p.fee_rate.fee_for(noinputs) + 3 * input_fee  # two coins and one more
    assert err.value.shortfall == needed - 150_000
    assert err.value.available == 150_000
    assert isinstance(err.value, ChainError)
    # exactly that much more, as one more coin, is enough; one satoshi less is not
    enough = coin(err.value.shortfall, P2WPKH, confirmations=1)
    select_coins([*coins, enough], request, p, random.Random(1))
    with pytest.raises(InsufficientFunds):
        select_coins([*coins, coin(err.value.shortfall - 1)], request, p, random.Random(1))


def test_too_many_inputs_exceed_the_maximum_weight():
    # check_max_selection_weight scenario 3: 1,515 x 0.033 BTC do not fit 400,000 WU
    p = params(0, long_term_fee_rate=FeeRate(0), discard_fee_rate=FeeRate(0))
    coins = [coin(33 * CENT // 10) for _ in range(1515)]
    with pytest.raises(MaxWeightExceeded):
        select_coins(coins, [Recipient(PAY, 49 * COIN + COIN // 2)], p, random.Random(1))


def test_the_big_coin_is_chosen_when_small_ones_do_not_fit():
    # check_max_selection_weight scenario 1
    p = params(0, long_term_fee_rate=FeeRate(0), discard_fee_rate=FeeRate(0))
    coins = [coin(33 * CENT // 10) for _ in range(1515)] + [coin(50 * COIN)]
    selection = select_coins(coins, [Recipient(PAY, 49 * COIN + COIN // 2)], p, random.Random(1))
    assert 50 * COIN in values(selection)
    assert estimate_vsize([c.spend_size for c in selection.inputs], [PAY]) * 4 <= 400_000


def test_requests_are_checked():
    with pytest.raises(InvalidSelectionRequest):
        select_coins([coin(COIN)], [], params(), random.Random(1))
    twice = coin(COIN)
    with pytest.raises(InvalidSelectionRequest):
        select_coins([twice, twice], [Recipient(PAY, 1000)], params(), random.Random(1))
    with pytest.raises(TypeError):
        Recipient(PAY, 0.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidSelectionRequest):
        Recipient(PAY, -1)
    with pytest.raises(TypeError):
        Coin.of_kind(outpoint(), 1.0, P2WPKH)  # type: ignore[arg-type]
    assert issubclass(InsufficientFunds, CoinSelectionError)


# --- send-max -----------------------------------------------------------------------------------


def test_send_max_spends_everything():
    coins = [coin(v) for v in (100_000, 250_000, 40_000)] + [coin(70_000, P2TR)]
    p = params(4)
    selection = send_max(coins, PAY_TR, p)
    check(selection, p, coins)
    assert set(selection.inputs) == set(coins)
    assert selection.change is None
    assert selection.algorithm is Algorithm.SWEEP
    assert selection.fee == p.fee_rate.fee_for(selection.vsize)
    assert selection.outputs[-1].amount == sum(c.value for c in coins) - selection.fee


def test_send_max_with_fixed_recipients_and_uneconomic_coins():
    coins = [coin(300_000), coin(200), coin(150_000, confirmations=0)]  # the last is theirs
    p = params(10)
    selection = send_max(coins, PAY_TR, p, others=[Recipient(PAY, 100_000)], skip_uneconomic=True)
    check(selection, p, coins)
    assert values(selection) == [300_000]  # 200 is worth less than its fee; 150,000 unconfirmed
    assert selection.outputs[0] == Recipient(PAY, 100_000)
    assert selection.outputs[1].amount == 200_000 - selection.fee


def test_send_max_refuses_dust_and_reports_shortfall():
    p = params(10)
    with pytest.raises(DustOutput) as dust:
        send_max([coin(1200)], PAY, p)  # 1,100 of fee leaves 100
    assert dust.value.threshold == 294
    with pytest.raises(InsufficientFunds) as err:
        send_max([coin(500)], PAY, p)
    more = coin(err.value.shortfall)
    selection = send_max([coin(500), more], PAY, p)
    assert selection.outputs[-1].amount == 294
    with pytest.raises(InsufficientFunds):
        send_max([], PAY, p)


# --- Dogecoin ---------------------------------------------------------------------------------


def test_dogecoin_soft_dust_costs_its_surcharge():
    p = params(1000, DOGECOIN)  # 0.01 DOGE/kB, Dogecoin Core's recommended rate
    assert not p.segwit
    coins = [coin(50 * COIN, P2PKH), coin(3 * COIN, P2PKH)]
    small = Recipient(template_script(P2PKH), 500_000)  # between the hard and soft limits
    selection = select_coins(coins, [small], p, random.Random(1))
    check(selection, p, coins)
    assert selection.fee >= p.fee_rate.fee_for(selection.vsize) + 1_000_000
    assert selection.change is None or selection.change >= 1_000_000
    with pytest.raises(DustOutput) as err:
        select_coins(coins, [Recipient(template_script(P2PKH), 99_999)], p, random.Random(1))
    assert err.value.threshold == 100_000


def test_dogecoin_change_is_dropped_below_the_soft_limit():
    p = params(1000, DOGECOIN)
    fee = p.fee_rate.fee_for(estimate_vsize([InputSize.for_kind(P2PKH)], [PAY]))
    coins = [coin(10 * COIN + fee + 999_999, P2PKH)]
    selection = select_coins(coins, [Recipient(PAY, 10 * COIN)], p, random.Random(1))
    assert selection.change is None
    assert selection.fee == fee + 999_999


# --- properties -------------------------------------------------------------------------------

KINDS = st.sampled_from([P2WPKH, P2TR, P2SH, P2PKH])
COINS = st.lists(
    st.tuples(
        st.integers(1, 5 * COIN // 10),
        KINDS,
        st.integers(0, 8),
        st.booleans(),
    ),
    max_size=14,
)
RECIPIENTS = st.lists(
    st.tuples(st.integers(0, 3 * COIN // 10), st.sampled_from([PAY, PAY_TR]), st.booleans()),
    min_size=1,
    max_size=3,
)


def build(raw_coins: list[tuple[int, ScriptKind, int, bool]]) -> list[Coin]:
    return [coin(v, k, confirmations=c, is_change=m) for v, k, c, m in raw_coins]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    COINS,
    RECIPIENTS,
    st.integers(1, 150),
    st.integers(0, 2),
    st.integers(0, 2**32),
)
def test_selection_properties(raw_coins, raw_recipients, sat_vb, n_preset, seed):
    coins = build(raw_coins)
    preset, pool = coins[:n_preset], coins[n_preset:]
    recipients = [Recipient(s, a, sub) for a, s, sub in raw_recipients]
    p = params(sat_vb, spend_unconfirmed_change=True)
    try:
        selection = select_coins(pool, recipients, p, random.Random(seed), preset=preset)
    except (DustOutput, InsufficientFunds) as err:
        failure: CoinSelectionError = err
    else:
        check_selection_properties(selection, p, coins, preset, recipients)
        return
    if isinstance(failure, DustOutput):
        assert failure.amount < failure.threshold
        return
    assert isinstance(failure, InsufficientFunds)
    assert failure.shortfall > 0
    if any(r.subtract_fee for r in recipients):
        return
    # one more coin of the shortfall's value makes it, one less does not
    enough = coin(failure.shortfall, P2WPKH, confirmations=6)
    with contextlib.suppress(DustOutput):
        select_coins([*pool, enough], recipients, p, random.Random(seed), preset=preset)
    short = coin(failure.shortfall - 1, P2WPKH, confirmations=6)
    with pytest.raises(InsufficientFunds):
        select_coins([*pool, short], recipients, p, random.Random(seed), preset=preset)


def check_selection_properties(
    selection: Selection,
    p: SelectionParams,
    coins: list[Coin],
    preset: list[Coin],
    recipients: list[Recipient],
) -> None:
    check(selection, p, coins)
    assert set(preset) <= set(selection.inputs)
    if not any(r.subtract_fee for r in recipients):
        assert selection.outputs == tuple(recipients)
    else:
        for before, after in zip(recipients, selection.outputs, strict=True):
            assert after.amount == before.amount or before.subtract_fee
    surcharge = p.dust.surcharge((r.amount, r.script_pubkey) for r in selection.outputs)
    if selection.change is not None or any(r.subtract_fee for r in recipients):
        # change, or recipients paying the fee, absorb every satoshi beyond the needed fee
        assert selection.fee == p.fee_rate.fee_for(selection.vsize) + surcharge
    # coins from others need a confirmation; own change may be unconfirmed
    for c in selection.inputs:
        assert c in preset or c.confirmations > 0 or c.is_mine


@settings(max_examples=100, deadline=None)
@given(COINS, st.integers(1, 150), st.booleans())
def test_send_max_properties(raw_coins, sat_vb, skip):
    coins = build(raw_coins)
    p = params(sat_vb)
    try:
        selection = send_max(coins, PAY_TR, p, skip_uneconomic=skip)
    except (DustOutput, InsufficientFunds):
        return
    check(selection, p, coins)
    usable = [c for c in coins if c.confirmations > 0 or c.is_mine]
    if skip:
        usable = [c for c in usable if c.value > p.fee_rate.fee_for(c.spend_size.vsize_in(True))]
    assert set(selection.inputs) == set(usable)
    assert selection.change is None
    assert selection.fee == p.fee_rate.fee_for(selection.vsize)
    assert selection.outputs[-1].amount == selection.input_value - selection.fee


# --- Knapsack's subset sum in skips equals Core's coin-by-coin walk ---------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    raw_amounts=st.lists(
        st.one_of(st.integers(-2_000, 40_000), st.sampled_from([5_000, 10_000, 20_000])),
        min_size=0,
        max_size=40,
    ),
    raw_weights=st.lists(st.sampled_from([272, 272, 272, 364, 592]), min_size=40, max_size=40),
    share=st.integers(1, 100),
    max_weight=st.sampled_from([10**9, 2_000, 1_200, 600, 272]),
    seed=st.integers(0, 2**32),
)
def test_best_subset_equals_the_coin_by_coin_walk(
    raw_amounts, raw_weights, share, max_weight, seed
):
    amounts = sorted(raw_amounts, reverse=True)
    weights = raw_weights[: len(amounts)]
    total = sum(amounts)
    target = max(1, total * share // 100)
    fast = best_subset(random.Random(seed), amounts, weights, total, target, max_weight)
    walk = best_subset_walk(random.Random(seed), amounts, weights, total, target, max_weight)
    assert fast == walk


@pytest.mark.parametrize("share", [1, 10, 50, 95])
def test_best_subset_equals_the_walk_over_thousands_of_coins(share: int):
    rng = random.Random(share)
    amounts = sorted((rng.randrange(1_000, 5_000_000) for _ in range(3_000)), reverse=True)
    amounts += [-300] * 20  # uneconomic coins sort last
    weights = [rng.choice([272, 272, 364]) for _ in amounts]
    total = sum(amounts)
    target = total * share // 100 + 1
    for max_weight in (MAX_STANDARD_TX_WEIGHT, 60_000):
        fast = best_subset(random.Random(9), amounts, weights, total, target, max_weight)
        walk = best_subset_walk(random.Random(9), amounts, weights, total, target, max_weight)
        assert fast == walk


# --- BnB passing over runs of too-large coins in one step equals Core's try-by-try walk -------


def _bnb_walk(pool: list[_Cand], target: int, cost_of_change: int, max_weight: int):
    """Core's ``SelectCoinsBnB`` try by try (the loop as Core writes it): the reference."""
    available = sum(c.amount for c in pool)
    if available < target:
        return None, False, 0
    ordered = sorted(pool, key=lambda c: (-c.amount, c.fee - c.long_term_fee))
    amounts = [c.amount for c in ordered]
    wastes = [c.fee - c.long_term_fee for c in ordered]
    fees = [c.fee for c in ordered]
    weights = [c.weight for c in ordered]
    high_feerate = ordered[0].fee > ordered[0].long_term_fee
    selection: list[int] = []
    best: list[int] | None = None
    best_waste = 1 << 62
    value = waste = weight = index = tries = 0
    exceeded = False
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
            exceeded = backtrack = True
        elif value >= target:
            if waste + value - target <= best_waste:
                best, best_waste = list(selection), waste + value - target
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
    return picked, exceeded and best is None, tries


def _same_bnb(pool: list[_Cand], target: int, coc: int, max_weight: int) -> None:
    found = _bnb(pool, target, coc, max_weight)
    picked, exceeded, tries = _bnb_walk(pool, target, coc, max_weight)
    assert (found.picked, found.weight_exceeded, found.tries) == (picked, exceeded, tries)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    raw_amounts=st.lists(
        st.one_of(st.integers(1, 60), st.integers(1, 200_000), st.sampled_from([7, 100])),
        min_size=1,
        max_size=60,
    ),
    rates=st.lists(st.sampled_from([(0, 0), (5_000, 10_000), (25_000, 10_000)]), min_size=60),
    share=st.integers(1, 100),
    coc=st.sampled_from([0, 10, 359, 50_000]),
    max_weight=st.sampled_from([MAX_STANDARD_TX_WEIGHT, 2_000, 600]),
)
def test_bnb_equals_the_try_by_try_walk(raw_amounts, rates, share, coc, max_weight):
    pool = [
        cand(a, rate=rate, long_term=long_term)
        for a, (rate, long_term) in zip(raw_amounts, rates, strict=False)
    ]
    target = max(1, sum(raw_amounts) * share // 100)
    _same_bnb(pool, target, coc, max_weight)


@pytest.mark.parametrize("share", [1, 20, 90])
def test_bnb_equals_the_walk_over_thousands_of_coins(share: int):
    rng = random.Random(share)
    pool = [cand(rng.randrange(1_000, 5_000_000)) for _ in range(2_000)]
    pool += [cand(50_000) for _ in range(30)]  # clones
    target = sum(c.amount for c in pool) * share // 1000 + 1
    _same_bnb(pool, target, 359, MAX_STANDARD_TX_WEIGHT)
    _same_bnb(pool, target, 0, 30_000)


# --- CoinGrinder trying a run of completing coins in one step equals Core's try-by-try walk --


def _coin_grinder_walk(pool: list[_Cand], target: int, change_target: int, max_weight: int):
    """Core's ``CoinGrinder`` try by try (the loop as Core writes it): the reference."""
    ordered = sorted(pool, key=lambda c: (-c.amount, c.weight))
    n = len(ordered)
    amounts = [c.amount for c in ordered]
    weights = [c.weight for c in ordered]
    lookahead = [0] * n  # sum of the amounts after each index
    min_tail = [0] * n  # lightest weight after each index
    total, lightest = 0, (1 << 62)
    for i in reversed(range(n)):
        lookahead[i], min_tail[i] = total, lightest
        total += amounts[i]
        lightest = min(lightest, weights[i])
    total_target = target + change_target
    if n == 0 or total < total_target:
        return None, False, 0
    selection: list[int] = []
    best: list[int] = []
    amount = weight = 0
    best_amount, best_weight = (1 << 62), max_weight
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
    return picked, exceeded and not best, tries


def _same_grind(pool: list[_Cand], target: int, change_target: int, max_weight: int) -> None:
    found = _coin_grinder(pool, target, change_target, max_weight)
    picked, exceeded, tries = _coin_grinder_walk(pool, target, change_target, max_weight)
    assert (found.picked, found.weight_exceeded, found.tries) == (picked, exceeded, tries)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    raw=st.lists(
        st.tuples(
            st.one_of(st.integers(1, 60), st.integers(1, 200_000), st.sampled_from([7, 100])),
            st.sampled_from([68, 68, 68, 100, 250]),
        ),
        min_size=1,
        max_size=60,
    ),
    uniform=st.booleans(),
    share=st.integers(1, 100),
    change_target=st.sampled_from([0, 10, 1_000]),
    max_weight=st.sampled_from([MAX_STANDARD_TX_WEIGHT, 2_000, 800]),
)
def test_coin_grinder_equals_the_try_by_try_walk(raw, uniform, share, change_target, max_weight):
    pool = [cg_coin(a, 68 if uniform else vsize, rate=0) for a, vsize in raw]
    target = max(1, sum(a for a, _ in raw) * share // 100)
    _same_grind(pool, target, change_target, max_weight)


@pytest.mark.parametrize("share", [1, 20, 60])
def test_coin_grinder_equals_the_walk_over_thousands_of_coins(share: int):
    rng = random.Random(share)
    pool = [cg_coin(rng.randrange(1_000, 5_000_000), rate=0) for _ in range(2_000)]
    pool += [cg_coin(50_000, rate=0) for _ in range(30)]  # clones
    target = sum(c.amount for c in pool) * share // 1000 + 1
    _same_grind(pool, target, 60_000, MAX_STANDARD_TX_WEIGHT)
    _same_grind(pool, target, 0, 30_000)
    mixed = [cg_coin(c.amount, rng.choice([58, 68, 68, 91]), rate=0) for c in pool]
    _same_grind(mixed, target, 60_000, MAX_STANDARD_TX_WEIGHT)
