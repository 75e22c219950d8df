"""Coffer's coin selection against Litecoin Core's on the same coins: never more waste.

A fresh Core wallet receives 300 coins of varied values (``bench/coinselect.py``'s layout,
smaller); for a few payments and fee rates, Core's ``walletcreatefundedpsbt`` picks inputs and
Coffer's ``select_coins`` picks from the same coins, at the same fee rate with the same change
kind. Both are scored with Core's waste metric (``RecalculateWaste``); Coffer's, under every
seed tried, is at most Core's. The benchmark runs the same comparison over 5,000 coins.
"""

from __future__ import annotations

import random

import pytest

from bench.coinselect import build_coins, core_selection, waste
from chains.utxo.backend import FeeRate
from chains.utxo.coinselect import Recipient, SelectionParams, select_coins
from tests.nodes.utxo import LitecoinNode

pytestmark = pytest.mark.nodes

PAY = bytes([0x00, 20]) + b"\x11" * 20  # the recipient's script size is what counts


def test_coffer_wastes_no_more_than_core(litecoind: LitecoinNode):
    coins = build_coins(litecoind, 300, "coinselect")
    by_outpoint = {c.outpoint: c for c in coins}
    address = litecoind.rpc("getnewaddress", "", "bech32")
    for sat_vb in (10, 50):
        params = SelectionParams.for_network(litecoind.network, FeeRate.from_sat_vb(sat_vb))
        for amount in (100_000, 5_000_000, 200_000_000):
            points, has_change = core_selection(litecoind, "coinselect", address, amount, sat_vb)
            core = waste([by_outpoint[p] for p in points], has_change, amount, params)
            for seed in range(5):
                mine = select_coins(coins, [Recipient(PAY, amount)], params, random.Random(seed))
                ours = waste(mine.inputs, mine.change is not None, amount, params)
                assert ours <= core, (sat_vb, amount, seed, ours, core)
