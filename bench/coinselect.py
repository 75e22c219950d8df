"""Benchmark: coin selection over 5,000 coins, Coffer against Litecoin Core, in one run.

Starts its own litecoind (regtest), pays 5,000 outputs of varied values to a fresh Core
wallet ``coins`` (``sendmany`` of 250 outputs per transaction, all buried under 6 blocks),
then for each fee rate and payment size:

* **Core**: ``walletcreatefundedpsbt`` in that wallet (its whole path: RPC, listing the
  5,000 coins, selection, the PSBT), the mean of ``--runs`` calls;
* **Coffer**: ``select_coins`` over the same 5,000 coins (same values, same fee rate, P2WPKH
  change, Coffer's Litecoin defaults: long-term rate 10 sat/vB as Core's fallback on
  regtest), the mean of ``--runs`` calls with different seeds.

Both selections are scored with the same waste metric (Core's ``RecalculateWaste``: for each
input its fee now minus its fee at the long-term rate, plus the cost of change when there is
change, else the excess given to the fee). The bench fails if Coffer's waste is ever above
Core's, and prints the time ratio (target: Coffer within 2x of Core).

Run: ``.venv/bin/python bench/coinselect.py`` (after ``scripts/setup-nodes.sh``).
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import statistics
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chains.registry import ScriptKind, UtxoNetwork
from chains.utxo.backend import FeeRate
from chains.utxo.coinselect import Coin, Recipient, SelectionParams, select_coins
from chains.utxo.coinselect.waste import selection_context
from primitives.tx import OutPoint
from tests.nodes.utxo import LitecoinNode, find_litecoind, start_litecoind, to_coins

COINS = 5_000
PER_TX = 250
WALLET = "coins"
FEE_RATES = (10, 50)  # sat/vB: at the long-term rate, and above three times it (CoinGrinder)
PAYMENTS = (100_000, 5_000_000, 500_000_000)  # 0.001 to 5 LTC


@dataclass(frozen=True)
class Case:
    """One request, as both sides answered it (times in seconds)."""

    sat_vb: int
    amount: int
    core_s: float
    coffer_s: float
    core_inputs: int
    coffer_inputs: int
    core_waste: int
    coffer_waste: int
    coffer_algorithm: str


def coin_values(count: int) -> list[int]:
    """Return ``count`` coin values from 10,000 base units up, spread over 12 doublings."""
    rng = random.Random(2026)
    return [rng.randrange(10_000, 10_000 << rng.randrange(1, 13)) for _ in range(count)]


def build_coins(node: LitecoinNode, count: int = COINS, wallet: str = WALLET) -> list[Coin]:
    """Pay ``count`` outputs to a new Core wallet, bury them under 6 blocks; return them.

    Each transaction pays up to PER_TX addresses of the wallet, the same ones in every
    transaction (Core does not group coins by address unless ``-avoidpartialspends``).
    """
    node.rpc("createwallet", wallet, wallet=None)
    values = coin_values(count)
    per_tx = min(PER_TX, count)
    addresses = [node.rpc("getnewaddress", "", "bech32", wallet=wallet) for _ in range(per_tx)]
    for n, start in enumerate(range(0, count, per_tx)):
        batch = values[start : start + per_tx]
        node.rpc("sendmany", "", {a: to_coins(v) for a, v in zip(addresses, batch, strict=False)})
        if n % 2 == 1:
            node.mine(1)
    node.mine(6)
    unspent = node.rpc("listunspent", 1, 9_999_999, wallet=wallet, timeout=120)
    coins = [
        Coin.of_kind(
            OutPoint(bytes.fromhex(u["txid"])[::-1], u["vout"]),
            int(Decimal(u["amount"]) * 100_000_000),
            ScriptKind.P2WPKH,
            confirmations=int(u["confirmations"]),
        )
        for u in unspent
    ]
    assert len(coins) == count, len(coins)
    assert sorted(c.value for c in coins) == sorted(values)
    return coins


def waste(inputs: Sequence[Coin], has_change: bool, amount: int, params: SelectionParams) -> int:
    """Return Core's ``RecalculateWaste`` of paying ``amount`` (P2WPKH) from ``inputs``."""
    ctx = selection_context(params, [Recipient(_PAY, amount)], False)
    cands = [ctx.candidate(c) for c in inputs]
    total = sum(c.fee - c.long_term_fee for c in cands)
    if has_change:
        return total + ctx.cost_of_change
    target = amount + params.fee_rate.fee_for(ctx.noinputs_vsize)
    return total + sum(c.amount for c in cands) - target


_PAY = bytes([0x00, 20]) + b"\x11" * 20  # the recipient's script size is what counts


def core_selection(
    node: LitecoinNode, wallet: str, address: str, amount: int, sat_vb: int
) -> tuple[list[OutPoint], bool]:
    """Return the inputs Core's ``walletcreatefundedpsbt`` picks, and whether it adds change."""
    answer = node.rpc(
        "walletcreatefundedpsbt",
        [],
        [{address: to_coins(amount)}],
        0,
        {"fee_rate": sat_vb, "change_type": "bech32"},
        wallet=wallet,
        timeout=120,
    )
    tx = node.rpc("decodepsbt", answer["psbt"], wallet=None)["tx"]
    inputs = [OutPoint(bytes.fromhex(i["txid"])[::-1], i["vout"]) for i in tx["vin"]]
    return inputs, answer["changepos"] >= 0


def run_core(
    node: LitecoinNode, address: str, amount: int, sat_vb: int, runs: int
) -> tuple[float, list[OutPoint], bool]:
    """Time Core's selection; return the mean time, its inputs and whether it has change."""
    times = []
    inputs: list[OutPoint] = []
    change = False
    for _ in range(runs):
        t0 = time.perf_counter()
        inputs, change = core_selection(node, WALLET, address, amount, sat_vb)
        times.append(time.perf_counter() - t0)
    return statistics.mean(times), inputs, change


def time_listing(node: LitecoinNode, runs: int) -> float:
    """Return the mean time of Core's ``listunspent`` of the coins: listing them alone.

    The answer is read but not parsed, so the time is Core's (and the loopback's).
    """
    body = json.dumps({"id": 1, "method": "listunspent", "params": [1, 9_999_999]}).encode()
    auth = base64.b64encode(f"{node.user}:{node.password}".encode()).decode()
    headers = {"Content-Type": "application/json", "Authorization": f"Basic {auth}"}
    times = []
    for _ in range(runs):
        request = urllib.request.Request(f"{node.url}wallet/{WALLET}", body, headers)  # noqa: S310
        t0 = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310 - loopback
            assert answer.read().startswith(b'{"result":[{')
        times.append(time.perf_counter() - t0)
    return statistics.mean(times)


def run_case(
    node: LitecoinNode,
    network: UtxoNetwork,
    coins: list[Coin],
    address: str,
    sat_vb: int,
    amount: int,
    runs: int,
) -> Case:
    """Answer one request on both sides and score both answers."""
    by_outpoint = {c.outpoint: c for c in coins}
    core_s, core_points, core_change = run_core(node, address, amount, sat_vb, runs)
    core_inputs = [by_outpoint[p] for p in core_points]
    params = SelectionParams.for_network(network, FeeRate.from_sat_vb(sat_vb))
    recipients = [Recipient(_PAY, amount)]
    times = []
    wastes = []
    selection = None
    for seed in range(runs):
        t0 = time.perf_counter()
        selection = select_coins(coins, recipients, params, random.Random(seed))
        times.append(time.perf_counter() - t0)
        wastes.append(waste(selection.inputs, selection.change is not None, amount, params))
    assert selection is not None
    return Case(
        sat_vb,
        amount,
        core_s,
        statistics.mean(times),
        len(core_inputs),
        len(selection.inputs),
        waste(core_inputs, core_change, amount, params),
        max(wastes),
        selection.algorithm.value,
    )


def report(cases: list[Case], listing_s: float) -> None:
    """Print each case, the overall ratio and whether Coffer's waste stayed at or below Core's."""
    print(f"coin selection over {COINS} coins (P2WPKH), Core = walletcreatefundedpsbt")
    print(f"  (Core's listunspent alone over the same wallet: {1000 * listing_s:.1f} ms)")
    print(
        "  rate    amount      Core ms  Coffer ms  ratio   inputs Core/Coffer  "
        "waste Core/Coffer (worst seed)"
    )
    for c in cases:
        print(
            f"  {c.sat_vb:3d}  {c.amount:11d}  {1000 * c.core_s:8.1f}  {1000 * c.coffer_s:8.1f}  "
            f"{c.coffer_s / c.core_s:5.2f}x  {c.core_inputs:6d} / {c.coffer_inputs:<6d}      "
            f"{c.core_waste:9d} / {c.coffer_waste:<9d} ({c.coffer_algorithm})"
        )
    core = sum(c.core_s for c in cases)
    coffer = sum(c.coffer_s for c in cases)
    selecting = max(core - len(cases) * listing_s, 1e-9)
    print(f"  total: Core {1000 * core:.1f} ms, Coffer {1000 * coffer:.1f} ms")
    print(f"  Coffer / Core: {coffer / core:.2f}x (target <= 2x)")
    print(
        f"  Coffer / Core without its listing ({1000 * selecting:.1f} ms; the difference of "
        f"two noisy means): {coffer / selecting:.2f}x"
    )
    worse = [c for c in cases if c.coffer_waste > c.core_waste]
    print(f"  Coffer's waste <= Core's in {len(cases) - len(worse)} of {len(cases)} cases")
    if worse:
        raise SystemExit("Coffer wasted more than Core in: " + ", ".join(map(str, worse)))


def main() -> None:
    """Start litecoind, lay out the coins, run every case, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="calls per case and side")
    args = parser.parse_args()
    binary = find_litecoind()
    if binary is None:
        print("litecoind missing: run scripts/setup-nodes.sh")
        return
    node = start_litecoind(binary)
    try:
        t0 = time.perf_counter()
        coins = build_coins(node)
        print(f"{COINS} coins laid out in {time.perf_counter() - t0:.1f} s")
        address = node.rpc("getnewaddress", "", "bech32")
        cases = [
            run_case(node, node.network, coins, address, sat_vb, amount, args.runs)
            for sat_vb in FEE_RATES
            for amount in PAYMENTS
        ]
        report(cases, time_listing(node, args.runs))
    finally:
        node.stop()


if __name__ == "__main__":
    main()
