"""Fee bumping: BIP-125 replacement of own transactions (RBF) and child-pays-for-parent.

RBF (``bump_fee``), as Bitcoin Core's ``bumpfee`` does it (``src/wallet/feebumper.cpp``):
only a pending transaction this account sent alone (every input its own) that signals
BIP-125 can be replaced, and not while another of its pending transactions spends from it
(Core: "Transaction has descendants in the wallet"). The replacement spends the same inputs,
pays the same recipients and lowers the change (or adds confirmed coins: BIP-125 rule 2
forbids new unconfirmed inputs); it keeps the original's version and locktime. Its fee is at
least ``min_replacement_fee`` (rules 3, 4 and Core's rule 6: more in total than the original
plus the incremental relay fee for its own size, and a higher rate), and at least the rate
asked for. The draft names the original (``replaces``), so the broadcast marks it replaced.

CPFP (``cpfp``): for a pending transaction, incoming or own, with an output to this account
not spent yet, a child spends those outputs (adding confirmed coins if they cannot pay) into
one change output, paying ``cpfp_child_fee``: enough that the parent and its unconfirmed
ancestors the wallet knows, with the child, reach the rate as one package (the rate miners
see when they select by ancestor fee rate). The fee caps apply to the package.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable, Sequence
from decimal import Decimal

from chains.addresses import output_address
from chains.errors import BackendProtocolError
from chains.registry import UtxoNetwork
from chains.utxo import coinselect
from chains.utxo import errors as chain_utxo_errors
from chains.utxo.backend import FeeRate, Txid, UtxoBackend
from chains.utxo.coinselect import Algorithm, Recipient, Selection, SelectionParams
from chains.utxo.sizes import (
    FeePaid,
    cpfp_child_fee,
    dust_policy,
    estimate_vsize,
    incremental_relay_fee,
    min_replacement_fee,
)
from primitives.tx import Transaction
from wallet.amounts import format_amount
from wallet.errors import (
    InsufficientFunds,
    InvalidTxHash,
    NotReplaceable,
    TransactionNotFound,
    WalletError,
    translate_errors,
)
from wallet.types import FeeLevel, TxStatus
from wallet.utxo import fees
from wallet.utxo.addresses import ChangeOutput
from wallet.utxo.builder import SEQUENCE_RBF, UtxoDraft, anti_fee_sniping_locktime, assemble
from wallet.utxo.coins import run_selection, selection_coins, spendable
from wallet.utxo.context import UtxoContext
from wallet.utxo.state import StoredTx, TxEffect
from wallet.utxo.views import AccountView

__all__ = ["abandon", "bump_fee", "cpfp", "replaceable"]

_SEQUENCE_DISABLE = 1 << 31  # BIP-68: the relative lock is off
_SEQUENCE_TYPE_SECONDS = 1 << 22  # BIP-68: 512-second units instead of blocks
_NO_EXTRA = 1 << 32  # more confirmations than any coin has

_CHANGE = 1
_HEX = frozenset("0123456789abcdef")


def _txid(text: str) -> str:
    txid = text.strip().lower()
    if len(txid) != 64 or not set(txid) <= _HEX:
        raise InvalidTxHash(f"{text!r} is not a transaction id (64 hex digits).")
    return txid


def _find(view: AccountView, txid: str) -> tuple[StoredTx, TxEffect]:
    stored = view.transactions.get(txid)
    effect = view.state.effects.get(txid)
    if stored is None or effect is None:
        raise TransactionNotFound(f"This account has no transaction {txid} (as of the last sync).")
    if effect.status is TxStatus.CONFIRMED:
        raise NotReplaceable(
            f"{txid} is already confirmed (block {effect.height}); there is nothing to bump."
        )
    if effect.status is not TxStatus.PENDING:
        raise NotReplaceable(f"{txid} was {effect.status.value}; it cannot be bumped any more.")
    return stored, effect


def _children(view: AccountView, txid: str) -> list[str]:
    return [
        other
        for other, stored in view.transactions.items()
        if other != txid
        and view.state.effects.get(other) is not None
        and view.state.effects[other].status is TxStatus.PENDING
        and any(i.prevout.txid_hex == txid for i in stored.tx.inputs)
    ]


def replaceable(view: AccountView, txid: str) -> bool:
    """Return whether ``bump_fee`` may replace ``txid`` (pending, own, signalling, childless)."""
    effect = view.state.effects.get(txid)
    stored = view.transactions.get(txid)
    return (
        stored is not None
        and effect is not None
        and effect.status is TxStatus.PENDING
        and effect.all_inputs_ours
        and stored.tx.signals_rbf()
        and not _children(view, txid)
    )


def _presets_and_rate(
    ctx: UtxoContext, fee: FeeLevel | str, fee_rate: Decimal | int | str | None
) -> tuple[fees.FeePresets, FeeRate, UtxoBackend]:
    network = ctx.network
    with translate_errors():
        backend = ctx.backend()
    presets = fees.fee_presets(backend, network)
    return presets, fees.resolve_rate(presets, fee, fee_rate, network), backend


def _view(ctx: UtxoContext) -> AccountView:
    return AccountView(ctx.store, ctx.labels, ctx.account_id)


def _rate_text(fee: int, vsize: int) -> str:
    return f"{(Decimal(fee) / vsize).quantize(Decimal('0.01')).normalize():f} sat/vB"


def _kept_sequence(original: Transaction) -> tuple[int, int]:
    """Return the nSequence a replacement keeps, and the confirmations an added coin needs.

    A policy spend by a path with ``older(N)`` (a recovery wallet's heir) has nSequence N on
    every input (BIP-68); its replacement must keep it, or the script's relative lock fails,
    and may add only coins with N confirmations. Other spends get 0xfffffffd.
    """
    sequences = {i.sequence for i in original.inputs}
    if len(sequences) != 1:
        return SEQUENCE_RBF, 0
    (sequence,) = sequences
    if sequence >= SEQUENCE_RBF or sequence & _SEQUENCE_DISABLE or original.version < 2:
        return SEQUENCE_RBF, 0
    if sequence & _SEQUENCE_TYPE_SECONDS:
        return sequence, _NO_EXTRA  # a lock in time units: add no coin (ages unknown here)
    return sequence, sequence & 0xFFFF


def bump_fee(
    ctx: UtxoContext,
    txid: str,
    fee_rate: Decimal | int | str | None = None,
    fee: FeeLevel | str = "fast",
    *,
    allow_high_fee: bool = False,
) -> UtxoDraft:
    """Prepare a replacement of the account's pending ``txid`` (see the module docstring).

    Raises:
        see ``UtxoAccount.bump_fee`` (the public entry point).
    """
    txid = _txid(txid)
    network = ctx.network
    view = _view(ctx)
    stored, effect = _find(view, txid)
    if not effect.all_inputs_ours:
        raise NotReplaceable(
            f"{txid} was not sent by this account alone, so it cannot replace it; speed it "
            "up with CPFP instead (a child that spends what it pays this account)."
        )
    original = stored.tx
    if not original.signals_rbf():
        raise NotReplaceable(
            f"{txid} does not signal BIP-125 replaceability, so nodes will not accept a "
            "replacement; speed it up with CPFP instead (coffer bump --cpfp)."
        )
    children = _children(view, txid)
    if children:
        raise NotReplaceable(
            f"{txid} has pending transactions spending its outputs ({', '.join(children)}); "
            "a replacement would drop them. Bump the last of them with CPFP instead."
        )
    presets, target, _ = _presets_and_rate(ctx, fee, fee_rate)
    old = FeePaid(effect.fee if effect.fee is not None else 0, original.vsize)
    recipients, change = _split_outputs(ctx, view, original)
    state = view.state.coins
    preset = selection_coins(ctx.scripts, view, [state[i.prevout] for i in original.inputs])
    sequence, min_confirmations = _kept_sequence(original)
    extra = selection_coins(
        ctx.scripts,
        view,
        [
            c
            for c in spendable(view)
            if c.height is not None and c.confirmations(view.tip_height) >= min_confirmations
        ],
    )  # BIP-125 rule 2: no new unconfirmed inputs (and none too young for a relative lock)
    shown = _shown(ctx.network, recipients)
    rate = target
    relay = incremental_relay_fee(network)
    rng = secrets.SystemRandom()
    selection: Selection | None = None
    for _ in range(6):
        params = SelectionParams.for_network(
            network, rate, change_script=change.script, change_spend=ctx.scripts.spend_size
        )
        selection = run_selection(
            _selector(recipients, params, preset, extra, change.script, rng),
            network,
            view,
            shown,
            False,
        )
        needed = min_replacement_fee([old], selection.vsize, relay)
        if selection.fee >= needed:
            break
        rate = FeeRate(max(rate.sat_per_kvb + 1, -(-needed * 1000 // selection.vsize)))
    assert selection is not None  # noqa: S101 - the loop runs at least once
    needed = min_replacement_fee([old], selection.vsize, relay)
    if selection.fee < needed:  # pragma: no cover - the loop raises the rate until it holds
        raise WalletError("No replacement fee satisfying BIP-125 was found; this is a bug.")
    amount = sum(r.amount for r in selection.outputs)
    cap = fees.check_fee(
        selection.fee,
        selection.vsize,
        amount,
        presets,
        ctx.fee_policy(),
        network,
        allow_high_fee=allow_high_fee,
    )
    draft = assemble(
        ctx,
        view,
        selection,
        change,
        sequence=sequence,
        locktime=original.locktime,
        version=original.version,
        rate=rate,
        fee_cap=cap,
        kind="bump",
        replaces=txid,
    )
    if rate.sat_per_kvb > target.sat_per_kvb:  # raised to BIP-125's minimum: say so
        return dataclasses.replace(draft, requested_fee_rate=target.sat_vb)
    return draft


def _selector(
    recipients: Sequence[Recipient],
    params: SelectionParams,
    preset: Sequence[coinselect.Coin],
    extra: Sequence[coinselect.Coin],
    change_script: bytes,
    rng: secrets.SystemRandom,
) -> Callable[[], Selection]:
    def select() -> Selection:
        if not recipients:  # everything went to change: sweep it back to change
            return _as_change(coinselect.send_max(preset, change_script, params))
        return coinselect.select_coins(extra, recipients, params, rng, preset=preset)

    return select


def _as_change(selection: Selection) -> Selection:
    """Turn a sweep's single output into the change of a selection without recipients."""
    (only,) = selection.outputs
    return Selection(
        selection.inputs, (), only.amount, selection.fee, selection.vsize, 0, selection.algorithm
    )


def _split_outputs(
    ctx: UtxoContext, view: AccountView, tx: Transaction
) -> tuple[list[Recipient], ChangeOutput]:
    """Return the original's recipients and its change address (a fresh one if it had none)."""
    recipients: list[Recipient] = []
    change: ChangeOutput | None = None
    for out in tx.outputs:
        own = view.scripts.get(out.script_pubkey)
        if change is None and own is not None and own.chain == _CHANGE:
            change = ChangeOutput(out.script_pubkey, own.address, own.chain, own.index)
        else:
            recipients.append(Recipient(out.script_pubkey, out.value))
    return recipients, change or ChangeOutput.first_unused(ctx)


def _shown(network: UtxoNetwork, recipients: Sequence[Recipient]) -> list[str]:
    return [output_address(network, r.script_pubkey) or "a data output" for r in recipients]


def _parent_fee(
    view: AccountView, stored: StoredTx, effect: TxEffect, backend: UtxoBackend, txid: str
) -> int:
    """Return the parent's fee: stored, computed by the wallet, or from its inputs' txs."""
    if stored.fee is not None:
        return stored.fee
    if effect.fee is not None and effect.all_inputs_ours:
        return effect.fee
    wanted = tuple(dict.fromkeys(i.prevout.txid_hex for i in stored.tx.inputs))
    known = {t: view.transactions[t].tx for t in wanted if t in view.transactions}
    missing = tuple(t for t in wanted if t not in known)
    if missing:
        with translate_errors():
            raw = backend.get_transactions(tuple(Txid(t) for t in missing))
        for t in missing:
            tx = Transaction.parse(raw[Txid(t)]) if Txid(t) in raw else None
            if tx is None or tx.txid != t:
                raise WalletError(
                    f"The server did not return the transaction {t} that {txid} spends, or "
                    "returned another one; its fee cannot be worked out."
                )
            known[t] = tx
    total = 0
    for txin in stored.tx.inputs:
        parent = known[txin.prevout.txid_hex]
        if txin.prevout.vout >= len(parent.outputs):
            raise WalletError(f"{txid} spends an output that does not exist.")
        total += parent.outputs[txin.prevout.vout].value
    return total - sum(o.value for o in stored.tx.outputs)


def _ancestors(view: AccountView, stored: StoredTx) -> list[FeePaid]:
    """Return the unconfirmed ancestors of a pending transaction the wallet knows with fees."""
    found: list[FeePaid] = []
    seen: set[str] = set()
    todo = [i.prevout.txid_hex for i in stored.tx.inputs]
    while todo:
        txid = todo.pop()
        parent = view.transactions.get(txid)
        if txid in seen or parent is None or parent.height is not None:
            continue
        seen.add(txid)
        effect = view.state.effects.get(txid)
        fee = parent.fee if parent.fee is not None else (effect.fee if effect else None)
        if fee is not None:
            found.append(FeePaid(fee, parent.tx.vsize))
        todo.extend(i.prevout.txid_hex for i in parent.tx.inputs)
    return found


def cpfp(
    ctx: UtxoContext,
    txid: str,
    fee_rate: Decimal | int | str | None = None,
    fee: FeeLevel | str = "fast",
    *,
    allow_high_fee: bool = False,
) -> UtxoDraft:
    """Prepare a child of the pending ``txid`` that pays for both (see the module docstring).

    Raises:
        see ``UtxoAccount.cpfp`` (the public entry point).
    """
    txid = _txid(txid)
    network = ctx.network
    view = _view(ctx)
    stored, effect = _find(view, txid)
    frozen = view.frozen()
    outputs = [
        c
        for c in view.state.coins.values()
        if c.outpoint.txid_hex == txid and not c.spent_pending and str(c.outpoint) not in frozen
    ]
    if not outputs:
        raise NotReplaceable(
            f"No output of {txid} pays this account and is still unspent (and not frozen): "
            "a child has nothing to spend."
        )
    presets, target, backend = _presets_and_rate(ctx, fee, fee_rate)
    with translate_errors():
        tip = backend.tip().height
    parent = FeePaid(_parent_fee(view, stored, effect, backend, txid), stored.tx.vsize)
    package = [parent, *_ancestors(view, stored)]
    paid = sum(p.fee for p in package)
    size = sum(p.vsize for p in package)
    if paid * 1000 >= target.sat_per_kvb * size:
        raise NotReplaceable(
            f"{txid} and its unconfirmed ancestors already pay {_rate_text(paid, size)}, at "
            f"least the {target.sat_vb.normalize():f} sat/vB asked for; a child would not "
            "speed it up."
        )
    change = ChangeOutput.first_unused(ctx)
    extra = sorted(
        (c for c in spendable(view) if c.height is not None and c.outpoint.txid_hex != txid),
        key=lambda c: -c.value,
    )
    coins = selection_coins(ctx.scripts, view, outputs)
    spend = ctx.scripts.spend_size
    floor = dust_policy(network).threshold(change.script)
    while True:
        vsize = estimate_vsize([spend] * len(coins), [change.script])
        child_fee = cpfp_child_fee(package, vsize, target)
        value = sum(c.value for c in coins) - child_fee
        if value >= floor:
            break
        if not extra:
            sym, dec = network.symbol, network.decimals
            short = floor - value
            raise InsufficientFunds(
                f"Not enough {sym} for the child's fee of {format_amount(child_fee, dec, sym)}: "
                f"{format_amount(short, dec, sym)} more is needed.",
                short,
            )
        coins += selection_coins(ctx.scripts, view, [extra.pop(0)])
    selection = Selection(tuple(coins), (), value, child_fee, vsize, 0, Algorithm.MANUAL)
    spent_value = sum(c.value for c in coins)
    package_cap = fees.check_fee(
        paid + child_fee,
        size + vsize,
        spent_value,
        presets,
        ctx.fee_policy(),
        network,
        allow_high_fee=allow_high_fee,
    )
    child_cap = child_fee if allow_high_fee else package_cap - paid
    return assemble(
        ctx,
        view,
        selection,
        change,
        sequence=SEQUENCE_RBF,
        locktime=anti_fee_sniping_locktime(tip),
        rate=target,
        fee_cap=child_cap,
        kind="cpfp",
        parent=txid,
    )


def _server_has(backend: UtxoBackend, txid: str) -> bool:
    """Return whether the server has the transaction, confirmed or in its mempool.

    A server that does not know a txid says so in its own way: the devnet raises
    ``TransactionNotFound``, an Electrum server and Core refuse the call (a protocol error
    here). Either means "not there"; an unreachable server is an error (the caller
    translates it), since then nobody can tell whether the coins are free.
    """
    try:
        found = backend.get_transactions((Txid(txid),))
    except (chain_utxo_errors.TransactionNotFound, BackendProtocolError):
        return False
    return Txid(txid) in found


def abandon(ctx: UtxoContext, txid: str) -> None:
    """Forget the account's own broadcast that no server reports; free the coins it spent.

    For a transaction that can no longer confirm (its server lost it and it is refused
    again, see the sync's warnings): Electrum's "remove" of a local transaction. Broadcasting
    it again (``UtxoAccount.broadcast``) brings it back; a server that reports it later wins.

    Raises:
        see ``UtxoAccount.abandon`` (the public entry point).
    """
    wanted = _txid(txid)
    store = ctx.store
    if wanted in store.unseen_broadcasts(ctx.account_id):
        # "No server reported it" only means none did by the last sync: a broadcast a
        # moment ago is in the node's mempool, and its coins are not free. Ask first.
        with translate_errors():
            backend = ctx.backend()
            reported = _server_has(backend, wanted)
        if reported:
            raise NotReplaceable(
                f"The server {backend.server_name} still has {wanted}: it may still confirm, "
                "so it is not abandoned. Replace it with a higher fee (bump_fee) or pay for "
                "it with a child (cpfp)."
            )
        store.abandon(ctx.account_id, wanted)
        return
    effect = _view(ctx).state.effects.get(wanted)
    if effect is None:
        raise TransactionNotFound(
            f"This account has no transaction {wanted} (as of the last sync)."
        )
    if effect.status is TxStatus.PENDING:
        raise NotReplaceable(
            f"A server reports {wanted}: it may still confirm, so it is not abandoned. "
            "Replace it with a higher fee (bump_fee) or pay for it with a child (cpfp)."
        )
    raise NotReplaceable(f"{wanted} is {effect.status.value}: there is nothing to abandon.")
