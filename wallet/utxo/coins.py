"""The coins a UTXO draft may spend, coin control, and coin selection's refusals in words.

Coin selection (``chains.utxo.coinselect``) sees the account's unspent outputs as of the last
sync, less those a pending transaction spends, mining rewards younger than 100 blocks (Core's
``COINBASE_MATURITY``: a block reward is spendable in the 100th block after its own),
zero-value outputs and coins the user froze (BIP-329 ``spendable: false``). Coins named for
coin control are spent exactly, frozen or not, after checks that say in words why a coin
cannot be spent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from chains.registry import UtxoNetwork
from chains.utxo import coinselect
from chains.utxo.coinselect import Coin, Selection
from chains.utxo.sizes import InputSize
from primitives.tx import OutPoint
from wallet.amounts import format_amount
from wallet.errors import (
    CoinUnavailable,
    DustOutput,
    InsufficientFunds,
    InvalidAmount,
    TransactionTooLarge,
)
from wallet.utxo.scripts import AccountScripts
from wallet.utxo.state import Coin as StateCoin
from wallet.utxo.views import COINBASE_MATURITY, AccountView

__all__ = [
    "COINBASE_MATURITY",
    "named_coins",
    "run_selection",
    "selection_coins",
    "spendable",
]

_CHANGE = 1


def _unconfirmed_ancestors(view: AccountView, txid: str) -> int:
    """Return how many unconfirmed transactions a coin of ``txid`` depends on, itself included."""
    seen: set[str] = set()
    todo = [txid]
    while todo:
        current = todo.pop()
        stored = view.transactions.get(current)
        if current in seen or stored is None or stored.height is not None:
            continue
        seen.add(current)
        todo.extend(i.prevout.txid_hex for i in stored.tx.inputs)
    return len(seen)


def _is_immature(view: AccountView, coin: StateCoin) -> bool:
    return view.is_immature(coin)


def selection_coins(
    scripts: AccountScripts,
    view: AccountView,
    coins: Sequence[StateCoin],
    size: InputSize | None = None,
) -> list[Coin]:
    """Return the account's coins as coin selection sees them (size, confirmations, origin).

    ``size`` prices each input (a policy account's chosen spending path); by default the
    account's largest input (``scripts.spend_size``).
    """
    size, kind = size or scripts.spend_size, scripts.kind
    return [
        Coin(
            c.outpoint,
            c.value,
            size,
            kind,
            confirmations=c.confirmations(view.tip_height),
            is_change=c.chain == _CHANGE,
            from_self=c.from_self,
            unconfirmed_chain=(
                0 if c.height is not None else _unconfirmed_ancestors(view, c.outpoint.txid_hex)
            ),
        )
        for c in coins
    ]


def spendable(view: AccountView) -> list[StateCoin]:
    """Return the coins coin selection may use: unspent, mature, not frozen, worth something.

    A zero-value output (valid, if non-standard) only costs a fee to spend and links its
    sender to the coins spent with it: like Core (``CoinFilterParams::min_amount``, one
    satoshi) the wallet spends one only when it is named.
    """
    frozen = view.frozen()
    return [
        c
        for c in view.state.coins.values()
        if c.value > 0
        and not c.spent_pending
        and not _is_immature(view, c)
        and str(c.outpoint) not in frozen
    ]


def named_coins(view: AccountView, utxos: Sequence[str]) -> list[StateCoin]:
    """Return the coins named for coin control, each checked to be spendable.

    Raises:
        CoinUnavailable: malformed, unknown, spent by a pending transaction, an immature
            mining reward, or named twice.
    """
    chosen: list[StateCoin] = []
    for text in utxos:
        try:
            outpoint = OutPoint.from_text(text)
        except ValueError:
            raise CoinUnavailable(
                f"{text.strip()!r} is not a coin: write it TXID:N (64 hex digits, a colon, "
                "the output index).",
                text.strip(),
                "unknown",
            ) from None
        ref = str(outpoint)
        coin = view.state.coins.get(outpoint)
        if coin is None:
            raise CoinUnavailable(
                f"{ref} is not an unspent coin of this account (as of the last sync).",
                ref,
                "unknown",
            )
        if coin.spent_pending:
            raise CoinUnavailable(
                f"{ref} is already spent by a pending transaction of this wallet; bump that "
                "transaction instead, or wait until it confirms or drops.",
                ref,
                "spent-pending",
            )
        if _is_immature(view, coin):
            raise CoinUnavailable(
                f"{ref} is a mining reward with {coin.confirmations(view.tip_height)} "
                f"confirmations; it can be spent after {COINBASE_MATURITY}.",
                ref,
                "immature",
            )
        if any(c.outpoint == outpoint for c in chosen):
            raise CoinUnavailable(f"{ref} is named twice.", ref, "duplicate")
        chosen.append(coin)
    return chosen


def _insufficient(
    err: coinselect.InsufficientFunds, network: UtxoNetwork, view: AccountView, named: bool
) -> InsufficientFunds:
    sym, dec = network.symbol, network.decimals
    notes = []
    if not named:
        frozen = view.frozen()
        locked = sum(
            c.value
            for c in view.state.coins.values()
            if not c.spent_pending and str(c.outpoint) in frozen
        )
        if locked:
            notes.append(
                f"{format_amount(locked, dec, sym)} more is in frozen coins, spent only when named"
            )
        waiting = sum(
            c.value
            for c in view.state.coins.values()
            if not c.spent_pending and c.height is None and not c.from_self
        )
        if waiting:
            notes.append(f"{format_amount(waiting, dec, sym)} is still unconfirmed")
        # Own unconfirmed change is spendable, but not at the end of a chain of unconfirmed
        # transactions as long as the mempool allows (Core's _filters stop one short).
        chained = sum(
            c.value
            for c in spendable(view)
            if c.height is None
            and c.from_self
            and _unconfirmed_ancestors(view, c.outpoint.txid_hex) >= coinselect.MAX_ANCESTORS
        )
        if chained:
            notes.append(
                f"{format_amount(chained, dec, sym)} is change at the end of "
                f"{coinselect.MAX_ANCESTORS} unconfirmed transactions in a row, the most a "
                "mempool accepts; it can be spent once the first of them confirms"
            )
    extra = f" ({'; '.join(notes)})" if notes else ""
    return InsufficientFunds(
        f"Not enough {sym}: {format_amount(err.shortfall, dec, sym)} more is needed, the fee "
        f"included; {format_amount(err.available, dec, sym)} can be spent{extra}.",
        err.shortfall,
    )


def _dust(err: coinselect.DustOutput, network: UtxoNetwork, paid: Sequence[str]) -> DustOutput:
    sym, dec = network.symbol, network.decimals
    where = f" to {paid[err.index]}" if 0 <= err.index < len(paid) else ""
    amount = format_amount(max(err.amount, 0), dec, sym) if err.amount >= 0 else "nothing"
    return DustOutput(
        f"The output{where} would be {amount}, below the dust limit of "
        f"{format_amount(err.threshold, dec, sym)}: no node would relay it.",
        err.amount,
        err.threshold,
        err.index,
    )


def run_selection(
    select: Callable[[], Selection],
    network: UtxoNetwork,
    view: AccountView,
    paid: Sequence[str],
    named: bool,
) -> Selection:
    """Call ``select()`` and turn coin selection's errors into the public ones, in words."""
    try:
        return select()
    except coinselect.InsufficientFunds as err:
        raise _insufficient(err, network, view, named) from err
    except coinselect.DustOutput as err:
        raise _dust(err, network, paid) from err
    except coinselect.MaxWeightExceeded as err:
        raise TransactionTooLarge(str(err)) from err
    except coinselect.CoinSelectionError as err:
        raise InvalidAmount(str(err)) from err
