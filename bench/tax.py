"""Benchmark: a 10-year FIFO report over 50,000 lots, Coffer's lot engine against pandas.

One run, the same events for both (seeded): 50,000 acquisitions and 20,000 disposals of one
asset spread over 2015-2024, quantities in satoshis (8 places), costs and proceeds in EUR
cents, never selling more than is held.

* **Coffer**: ``wallet.money.tax.run_lots`` (FIFO, one pool) over the events, the gains then
  summed per year: what ``coffer tax`` does for each year.
* **pandas**: a straightforward vectorised FIFO: with one pool and no shortfall, FIFO matches
  the n-th satoshi sold with the n-th satoshi bought, so each disposal's lots are the overlap
  of its interval of cumulative quantity with the lots' intervals (``searchsorted``), and the
  cost of a part is ``lot cost * overlap / lot quantity`` (``Decimal`` in object columns, so
  the two sides agree to the cent).

The per-year proceeds, cost and gain (rounded to the cent) must be identical, else the bench
fails. Prints the time of each (best of ``--runs``), the ratio, and the peak memory of each
measured separately with ``tracemalloc``.

Run: ``.venv/bin/python bench/tax.py``.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wallet.money.tax import Acquire, Dispose, Method, TaxEvent, run_lots

LOTS = 50_000
DISPOSALS = 20_000
START = datetime(2015, 1, 1, tzinfo=UTC)
SPAN_S = 10 * 365 * 86400
CENT = Decimal("0.01")
Totals = dict[int, tuple[Decimal, Decimal, Decimal]]


def make_events(
    seed: int,
) -> tuple[list[TaxEvent], list[tuple[int, int, Decimal]], list[tuple[int, int, Decimal]]]:
    """Return the events, and the same as (time, sats, value) rows of lots and disposals."""
    rng = random.Random(seed)
    times = sorted(rng.randrange(SPAN_S) for _ in range(LOTS + DISPOSALS))
    kinds = [True] * LOTS + [False] * DISPOSALS
    rng.shuffle(kinds)
    held = 0
    lots: list[tuple[int, int, Decimal]] = []
    sells: list[tuple[int, int, Decimal]] = []
    events: list[TaxEvent] = []
    for t, buy in zip(times, kinds, strict=True):
        when = START + timedelta(seconds=t)
        price = Decimal(rng.randrange(20_000, 9_000_000)) * CENT  # EUR per coin
        if buy or held < 2:
            sats = rng.randrange(10_000, 50_000_000)
            cost = (Decimal(sats).scaleb(-8) * price).quantize(CENT)
            lots.append((t, sats, cost))
            events.append(
                Acquire(when, "BTC", Decimal(sats).scaleb(-8), cost, "a", f"b{len(lots)}")
            )
            held += sats
        else:
            sats = rng.randrange(1, held // 2 + 1)
            proceeds = (Decimal(sats).scaleb(-8) * price).quantize(CENT)
            sells.append((t, sats, proceeds))
            events.append(
                Dispose(when, "BTC", Decimal(sats).scaleb(-8), proceeds, "a", f"s{len(sells)}")
            )
            held -= sats
    return events, lots, sells


def coffer_report(events: list[TaxEvent]) -> Totals:
    """FIFO with Coffer's engine, summed per year."""
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for d in run_lots(events, Method.FIFO).disposals:
        assert d.proceeds is not None  # no shortfall here
        assert d.cost is not None
        row = sums[d.when.year]
        row[0] += d.proceeds
        row[1] += d.cost
    return {
        y: (p.quantize(CENT), c.quantize(CENT), (p - c).quantize(CENT))
        for y, (p, c) in sums.items()
    }


def pandas_report(
    lots: list[tuple[int, int, Decimal]], sells: list[tuple[int, int, Decimal]]
) -> Totals:
    """FIFO in pandas: interval overlaps of cumulative quantities (see the module)."""
    a = pd.DataFrame(lots, columns=["t", "sats", "cost"])
    d = pd.DataFrame(sells, columns=["t", "sats", "proceeds"])
    a_end = a["sats"].cumsum().to_numpy()
    a_start = a_end - a["sats"].to_numpy()
    d_end = d["sats"].cumsum().to_numpy()
    d_start = d_end - d["sats"].to_numpy()
    first = np.searchsorted(a_end, d_start, side="right")
    last = np.searchsorted(a_end, d_end, side="left")
    counts = last - first + 1
    sell_of = np.repeat(np.arange(len(d)), counts)
    lot_of = np.repeat(first, counts) + (
        np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    )
    overlap = np.minimum(a_end[lot_of], d_end[sell_of]) - np.maximum(
        a_start[lot_of], d_start[sell_of]
    )
    parts = pd.DataFrame(
        {
            "sell": sell_of,
            "cost": a["cost"].to_numpy()[lot_of],
            "overlap": overlap.astype(object),
            "sats": a["sats"].to_numpy()[lot_of].astype(object),
        }
    )
    parts["part"] = parts["cost"] * parts["overlap"] / parts["sats"]
    d["cost"] = parts.groupby("sell")["part"].sum()
    d["year"] = (pd.to_datetime(d["t"] + int(START.timestamp()), unit="s", utc=True)).dt.year
    by_year = d.groupby("year")[["proceeds", "cost"]].sum()
    return {
        int(y): (
            Decimal(r.proceeds).quantize(CENT),
            Decimal(r.cost).quantize(CENT),
            (Decimal(r.proceeds) - Decimal(r.cost)).quantize(CENT),
        )
        for y, r in by_year.iterrows()
    }


def _best(runs: int, work: Callable[[], Totals]) -> tuple[float, Totals]:
    best, result = float("inf"), {}
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def _peak_mb(work: Callable[[], Totals]) -> float:
    tracemalloc.start()
    work()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def main() -> None:
    """Run both, compare, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    events, lots, sells = make_events(args.seed)
    coffer_s, ours = _best(args.runs, lambda: coffer_report(events))
    pandas_s, theirs = _best(args.runs, lambda: pandas_report(lots, sells))
    if ours != theirs:
        for year in sorted(set(ours) | set(theirs)):
            print(year, ours.get(year), theirs.get(year))
        raise SystemExit("FAIL: Coffer and pandas disagree")
    coffer_mb = _peak_mb(lambda: coffer_report(events))
    pandas_mb = _peak_mb(lambda: pandas_report(lots, sells))
    print(
        f"10-year FIFO over {len(lots):,} lots and {len(sells):,} disposals: "
        "identical per-year totals"
    )
    for year in sorted(ours):
        p, c, g = ours[year]
        print(f"  {year}: proceeds {p} cost {c} gain {g} EUR")
    print(f"Coffer run_lots: {coffer_s:.3f} s, peak {coffer_mb:.1f} MB")
    print(f"pandas FIFO:     {pandas_s:.3f} s, peak {pandas_mb:.1f} MB")
    print(f"ratio Coffer / pandas: {coffer_s / pandas_s:.2f}x")


if __name__ == "__main__":
    main()
