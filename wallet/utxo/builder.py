"""Drafts of UTXO transactions: coins, coin selection, the unsigned PSBT and its summary.

``prepare_send`` turns a payment request into a ``UtxoDraft``: an unsigned PSBT (BIP-174 v0)
that any signer can sign (the hot signer, an offline one, a hardware wallet), the facts of the
selection, and the summary the signer must recompute to the letter. Steps:

1. Recipients are parsed for the account's network (an address of another network is refused
   naming it) and amounts converted exactly (``wallet.amounts.to_base_units``: floats and
   extra decimals are refused).
2. Coins are the account's unspent outputs as of the last sync (``AccountView``), less those
   a pending transaction spends, mining rewards younger than 100 blocks (Core's
   ``COINBASE_MATURITY``) and frozen coins; coins named for coin control are spent exactly,
   frozen or not.
3. Coin selection is Bitcoin Core's (``chains.utxo.coinselect``: Branch-and-Bound for a
   changeless spend, else the least waste), with the network's dust rule; change goes to the
   account's first unused change address.
4. The transaction is version 2 with Core's anti-fee-sniping locktime (``DiscourageFeeSniping``
   in ``src/wallet/spend.cpp``: the tip height, one time in ten up to 99 blocks less); every
   input signals BIP-125 replaceability (nSequence 0xfffffffd) unless ``rbf=False``
   (0xfffffffe, which still enforces the locktime). Inputs are shuffled and the change output
   put at a random place with ``secrets`` (Core's ``Shuffle`` and random change position;
   BIP-69 ordering is not used: it fingerprints the wallet).
5. The PSBT carries, per input, ``witness_utxo`` (segwit) and the full previous transaction
   (``non_witness_utxo``: segwit v0 and legacy, which hardware wallets require since the
   BIP-143 fee attack), the key's ``bip32_derivation`` (fingerprint and full path), the
   ``redeem_script`` of P2SH-P2WPKH, or for P2TR ``tap_internal_key`` and
   ``tap_bip32_derivation`` (BIP-371); the change output carries its derivation the same way,
   so that a signer can prove it is change.

Legacy (P2PKH) inputs get no ``witness_utxo``: BIP-174 says it is for segwit outputs only.
A watch-only account prepares drafts too; its key origin is the descriptor's, or for an xpub
imported without one, the xpub's own fingerprint and paths relative to it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from decimal import Decimal

from chains.addresses import ParsedAddress, parse_address
from chains.registry import UtxoNetwork
from chains.utxo import coinselect
from chains.utxo.backend import FeeRate
from chains.utxo.coinselect import Coin, Recipient, Selection, SelectionParams
from keystore.types import SummaryOutput, TxSummary
from primitives.psbt import Psbt, PsbtInput
from primitives.tx import OutPoint, Transaction, TxIn, TxOut
from wallet.amounts import to_base_units
from wallet.errors import (
    InvalidAddress,
    InvalidAmount,
    TimelockNotReached,
    UnknownSpendPath,
    WalletError,
    translate_errors,
)
from wallet.types import FeeLevel
from wallet.utxo import fees
from wallet.utxo.addresses import ChangeOutput
from wallet.utxo.coins import named_coins, run_selection, selection_coins, spendable
from wallet.utxo.context import UtxoContext
from wallet.utxo.draft import DraftInput, SendRequest, UtxoDraft, summary_address, utxo_params
from wallet.utxo.paths import SpendPath, duration_words
from wallet.utxo.state import Coin as StateCoin
from wallet.utxo.views import AccountView

__all__ = [
    "SEQUENCE_NO_RBF",
    "SEQUENCE_RBF",
    "ChangeOutput",
    "DraftInput",
    "SendRequest",
    "UtxoDraft",
    "anti_fee_sniping_locktime",
    "assemble",
    "build_send",
    "path_sequence",
    "prepare_send",
    "summary_address",
    "timelock_ready",
    "utxo_params",
]

SEQUENCE_RBF = 0xFFFFFFFD
"""nSequence that signals BIP-125 replaceability (and enforces nLockTime)."""
SEQUENCE_NO_RBF = 0xFFFFFFFE
"""nSequence that does not signal BIP-125 but still enforces nLockTime."""
TX_VERSION = 2


def _previous(view: AccountView, outpoint: OutPoint) -> Transaction:
    txid = outpoint.txid_hex
    stored = view.transactions.get(txid)
    tx = stored.tx if stored is not None else view.store.transaction(txid)
    if tx is None or tx.txid_bytes != outpoint.txid or outpoint.vout >= len(tx.outputs):
        raise WalletError(
            f"The wallet file does not hold the transaction that created {outpoint}; sync again."
        )
    return tx


def assemble(
    ctx: UtxoContext,
    view: AccountView,
    selection: Selection,
    change: ChangeOutput | None,
    *,
    sequence: int,
    locktime: int,
    rate: FeeRate,
    fee_cap: int,
    version: int = TX_VERSION,
    kind: str = "send",
    replaces: str | None = None,
    parent: str | None = None,
) -> UtxoDraft:
    """Build the PSBT and summary of a selection (inputs shuffled, change at random).

    Args:
        ctx: the account that spends.
        view: its coins and stored transactions.
        selection: the inputs, recipients and change amount.
        change: where the change goes (needed when ``selection.change`` is set).
        sequence: every input's nSequence.
        locktime: nLockTime.
        rate: the fee rate asked for.
        fee_cap: the cap the signer will be given.
        version: the transaction version.
        kind: ``"send"``, ``"bump"`` or ``"cpfp"``.
        replaces: the txid a bump replaces.
        parent: the txid a CPFP child pays for.

    Raises:
        WalletError: a previous transaction is missing from the wallet file.
    """
    rng = secrets.SystemRandom()
    scripts = ctx.scripts
    coins: list[Coin] = list(selection.inputs)
    rng.shuffle(coins)
    outputs = [TxOut(r.amount, r.script_pubkey) for r in selection.outputs]
    change_index: int | None = None
    if selection.change is not None:
        if change is None:
            raise WalletError("A draft with change needs a change address.")
        change_index = secrets.randbelow(len(outputs) + 1)
        outputs.insert(change_index, TxOut(selection.change, change.script))
    tx = Transaction(
        version,
        tuple(TxIn(c.outpoint, b"", sequence) for c in coins),
        tuple(outputs),
        locktime,
    )
    psbt = Psbt.from_unsigned_tx(tx)
    state = view.state.coins
    inputs: list[PsbtInput] = []
    drafted: list[StateCoin] = []
    for coin, inp in zip(coins, psbt.inputs, strict=True):
        own: StateCoin = state[coin.outpoint]
        spent = TxOut(own.value, own.script)
        fields = scripts.input_fields(own.chain, own.index, _previous(view, coin.outpoint), spent)
        inputs.append(replace(inp, **fields))
        drafted.append(own)
    psbt_outputs = list(psbt.outputs)
    if change_index is not None and change is not None:
        fields = scripts.output_fields(change.chain, change.index)
        psbt_outputs[change_index] = replace(psbt_outputs[change_index], **fields)
    final = Psbt(0, tx.version, tx.locktime, tuple(inputs), tuple(psbt_outputs))
    params = utxo_params(ctx.network)
    fee = sum(d.value for d in drafted) - sum(o.value for o in outputs)
    summary = TxSummary(
        network=params.name,
        outputs=tuple(
            SummaryOutput(summary_address(o.script_pubkey, params), o.value, n == change_index)
            for n, o in enumerate(outputs)
        ),
        fee=fee,
        replaceable=tx.signals_rbf(),
    )
    return UtxoDraft(
        network=params.name,
        account_id=ctx.account_id,
        summary=summary,
        psbt=final.serialize(),
        inputs=tuple(drafted),
        change_index=change_index,
        fee=fee,
        vsize=selection.vsize,
        fee_rate=rate.sat_vb,
        fee_cap=fee_cap,
        kind=kind,
        replaces=replaces,
        parent=parent,
        algorithm=selection.algorithm.value,
    )


def path_sequence(path: SpendPath | None, rbf: bool) -> int:
    """Return the nSequence of every input spent by ``path``.

    A path with ``older(n)`` needs nSequence ``n`` itself (BIP-68: the input's sequence must
    count at least as many blocks as the script asks for, with bit 31 clear, in a version 2
    transaction); such a sequence also signals BIP-125 replaceability. Other paths keep
    0xfffffffd (replaceable) or 0xfffffffe.
    """
    if path is not None and path.older is not None:
        return path.older
    return SEQUENCE_RBF if rbf else SEQUENCE_NO_RBF


def _opens_in(coin: StateCoin, tip_height: int, blocks: int, block_seconds: int) -> str:
    if coin.height is None:
        return f"{coin.outpoint} is unconfirmed: its {blocks}-block clock starts when it confirms"
    left = blocks - coin.confirmations(tip_height)
    when = duration_words(left * block_seconds / 86400)
    return (
        f"{coin.outpoint} opens to this path in {left} blocks ({when}), after block "
        f"{coin.height + blocks - 1}"
    )


def timelock_ready(
    tip_height: int,
    path: SpendPath | None,
    named: list[StateCoin],
    spendable_coins: list[StateCoin],
    block_seconds: int,
) -> list[StateCoin]:
    """Return the coins a path can spend now: all of them unless it has a relative lock.

    Named coins must all be old enough; otherwise the spendable coins that are, and a clear
    refusal naming the soonest when none is.

    Raises:
        TimelockNotReached: a named coin is too young, or no coin is old enough (the error
            names the coin that opens first and when).
        UnknownSpendPath: a path with a time-based relative lock (not supported by the
            builder yet).
    """
    coins = named or spendable_coins
    if path is None or path.older is None:
        return coins
    blocks = path.older_blocks
    if blocks is None:
        raise UnknownSpendPath(
            f"The {path.name!r} path waits for a time-based relative lock; Coffer spends "
            "only block-based ones.",
            path.name,
        )
    tip = tip_height

    def ready(c: StateCoin) -> bool:
        return c.height is not None and c.confirmations(tip) >= blocks

    def refusal(coin: StateCoin, prefix: str) -> TimelockNotReached:
        left = None if coin.height is None else blocks - coin.confirmations(tip)
        opens = None if coin.height is None else coin.height + blocks - 1
        text = prefix + _opens_in(coin, tip, blocks, block_seconds) + "."
        return TimelockNotReached(text, str(coin.outpoint), left, opens)

    for coin in named:
        if not ready(coin):
            raise refusal(coin, f"The {path.name} path cannot spend it yet: ")
    eligible = [c for c in coins if ready(c)]
    if eligible:
        return eligible
    if not coins:
        return coins  # coin selection says there is nothing to spend
    soonest = min(coins, key=lambda c: (c.height is None, c.height or 0))
    raise refusal(
        soonest,
        f"No coin is old enough for the {path.name} path ({blocks} confirmations); the soonest: ",
    )


def anti_fee_sniping_locktime(tip_height: int, rng: secrets.SystemRandom | None = None) -> int:
    """Return Core's anti-fee-sniping nLockTime: the tip, one time in ten up to 99 lower."""
    rng = rng or secrets.SystemRandom()
    locktime = tip_height
    if rng.randrange(10) == 0:
        locktime = max(0, locktime - rng.randrange(100))
    return locktime


def _parse_recipient(network: UtxoNetwork, address: str) -> ParsedAddress:
    if not isinstance(address, str):
        raise InvalidAddress("A recipient is an address given as text.")
    with translate_errors():
        return parse_address(network, address)


@dataclass(frozen=True, slots=True)
class _Paid:
    script: bytes
    address: str
    amount: int | None


def _recipients(network: UtxoNetwork, request: SendRequest) -> list[_Paid]:
    if not request.recipients:
        raise InvalidAmount("A transaction needs at least one recipient.")
    paid: list[_Paid] = []
    for n, (address, amount) in enumerate(request.recipients):
        parsed = _parse_recipient(network, address)
        if request.send_max and n == 0:
            if amount is not None:
                raise InvalidAmount("Sending the maximum takes no amount for its recipient.")
            paid.append(_Paid(parsed.script_pubkey, parsed.address, None))
            continue
        if amount is None:
            raise InvalidAmount(f"Give an amount to send to {parsed.address}.")
        units = to_base_units(amount, network.decimals, network.symbol)
        paid.append(_Paid(parsed.script_pubkey, parsed.address, units))
    return paid


def build_send(
    ctx: UtxoContext,
    view: AccountView,
    request: SendRequest,
    presets: fees.FeePresets,
    rate: FeeRate,
    tip_height: int,
    policy: fees.FeePolicy | None = None,
) -> UtxoDraft:
    """Build a send draft from what is known, without asking any server.

    Args:
        ctx: the account that spends.
        view: its coins as of the last sync.
        request: recipients, coin control and options.
        presets: the network's fee presets (the caps depend on ``fast``).
        rate: the fee rate to pay.
        tip_height: the chain tip's height (the anti-fee-sniping locktime).
        policy: the wallet's fee caps (``ctx.fee_policy()`` when ``None``).

    Raises:
        see ``UtxoAccount.prepare_send``.
    """
    network = ctx.network
    if request.send_max and request.subtract_fee:
        raise InvalidAmount("Sending the maximum already takes the fee from what is sent.")
    paid = _recipients(network, request)
    named = named_coins(view, request.utxos)
    path = request.path
    candidates = timelock_ready(
        view.tip_height, path, named, spendable(view), network.block_seconds
    )
    change = ChangeOutput.first_unused(ctx)
    params = SelectionParams.for_network(
        network, rate, change_script=change.script, change_spend=ctx.scripts.spend_size
    )
    rng = secrets.SystemRandom()
    pool = selection_coins(
        ctx.scripts, view, candidates, path.input_size if path is not None else None
    )
    shown = [p.address for p in paid]
    if request.send_max:
        others = [Recipient(p.script, p.amount or 0) for p in paid[1:]]
        shown = [*shown[1:], shown[0]]  # send_max puts the destination last
        # Named coins are spent exactly: send_max's eligibility (confirmed, or our own
        # unconfirmed change) must not drop an unconfirmed coin from others the user named.
        sweep = replace(params, include_unsafe=True) if named else params

        def select() -> Selection:
            return coinselect.send_max(pool, paid[0].script, sweep, others=others)

    else:
        wanted = [Recipient(p.script, p.amount or 0, request.subtract_fee) for p in paid]

        def select() -> Selection:
            if named:
                return coinselect.select_coins(
                    [], wanted, params, rng, preset=pool, allow_other_inputs=False
                )
            return coinselect.select_coins(pool, wanted, params, rng)

    selection = run_selection(select, network, view, shown, bool(named))
    cap = fees.check_fee(
        selection.fee,
        selection.vsize,
        selection.output_value,
        presets,
        policy or ctx.fee_policy(),
        network,
        allow_high_fee=request.allow_high_fee,
    )
    return assemble(
        ctx,
        view,
        selection,
        change,
        sequence=path_sequence(path, request.rbf),
        locktime=anti_fee_sniping_locktime(tip_height, rng),
        rate=rate,
        fee_cap=cap,
    )


def prepare_send(
    ctx: UtxoContext,
    request: SendRequest,
    fee: FeeLevel | str = "normal",
    fee_rate: Decimal | int | str | None = None,
) -> UtxoDraft:
    """Ask the backend for fee estimates and the tip, then ``build_send``.

    Raises:
        BackendUnavailable: the server cannot be reached; nothing was changed.
        (and every error of ``build_send``)
    """
    network = ctx.network
    view = AccountView(ctx.store, ctx.labels, ctx.account_id)
    with translate_errors():
        backend = ctx.backend()
        presets = fees.fee_presets(backend, network)
        tip = backend.tip().height
    rate = fees.resolve_rate(presets, fee, fee_rate, network)
    return build_send(ctx, view, request, presets, rate, tip)
