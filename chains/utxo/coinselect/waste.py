"""Coins as the algorithms see them, and the waste metric that ranks their results.

Bitcoin Core's ``COutput`` effective values and ``SelectionResult::GetChange`` /
``RecalculateWaste`` (``src/wallet/coinselection.cpp``): a candidate is a coin with the fee
to spend it now and at the long-term rate; the context holds what every algorithm of one
selection shares (the size of the transaction without inputs, the cost of change).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chains.utxo.coinselect.types import Coin, Recipient, SelectionParams
from chains.utxo.sizes import InputSize, output_size
from primitives.tx import write_compact_size

__all__ = ["Candidate", "Context", "change_of", "selection_context", "waste_of"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A coin as the algorithms see it.

    Attributes:
        coin: the coin.
        fee: the fee to spend it at the selection's fee rate.
        long_term_fee: the fee to spend it at the long-term rate.
        weight: the weight of its input.
        amount: what the algorithms add up: its effective value (value minus ``fee``), or
            its value when the recipients pay the fee.
    """

    coin: Coin
    fee: int
    long_term_fee: int
    weight: int
    amount: int


@dataclass(frozen=True, slots=True)
class Context:
    """What every algorithm of one selection shares (sizes in vbytes, fees in base units)."""

    params: SelectionParams
    sffo: bool
    noinputs_vsize: int
    change_output_size: int
    change_fee: int
    cost_of_change: int
    min_viable_change: int
    extra_input_fee: int

    def candidate(self, coin: Coin) -> Candidate:
        """Return ``coin`` as a candidate of this selection."""
        p = self.params
        vsize = coin.spend_size.vsize_in(p.segwit)
        fee = p.fee_rate.fee_for(vsize)
        amount = coin.value if self.sffo else coin.value - fee
        weight = coin.spend_size.weight_in(p.segwit)
        return Candidate(coin, fee, p.long_term_fee_rate.fee_for(vsize), weight, amount)

    def candidates(self, coins: Iterable[Coin]) -> list[Candidate]:
        """Return ``coins`` as candidates (``candidate`` of each, sizes worked out once)."""
        p = self.params
        sizes: dict[InputSize, tuple[int, int, int]] = {}
        out = []
        for coin in coins:
            known = sizes.get(coin.spend_size)
            if known is None:
                vsize = coin.spend_size.vsize_in(p.segwit)
                fee = p.fee_rate.fee_for(vsize)
                weight = coin.spend_size.weight_in(p.segwit)
                known = sizes[coin.spend_size] = (fee, p.long_term_fee_rate.fee_for(vsize), weight)
            fee, long_term_fee, weight = known
            amount = coin.value if self.sffo else coin.value - fee
            out.append(Candidate(coin, fee, long_term_fee, weight, amount))
        return out


def selection_context(params: SelectionParams, outputs: Sequence[Recipient], sffo: bool) -> Context:
    """Return the context of a selection paying ``outputs`` (``sffo``: recipients pay fees)."""
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
    return Context(
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


def change_of(picked: Sequence[Candidate], target: int, ctx: Context) -> int:
    """Return the change ``picked`` leaves over ``target``; 0 when too small to keep (Core)."""
    if ctx.sffo:
        change = sum(c.coin.value for c in picked) - target
    else:
        change = sum(c.amount for c in picked) - target - ctx.change_fee
    return change if change >= ctx.min_viable_change else 0


def waste_of(picked: Sequence[Candidate], target: int, ctx: Context) -> int:
    """Return the waste of spending ``picked`` for ``target`` (Core's ``RecalculateWaste``)."""
    waste = sum(c.fee - c.long_term_fee for c in picked)
    if change_of(picked, target, ctx):
        return waste + ctx.cost_of_change
    selected = sum(c.coin.value if ctx.sffo else c.amount for c in picked)
    return waste + selected - target
