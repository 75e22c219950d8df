"""Commands of the UTXO family (Bitcoin, Litecoin, Dogecoin): sending, coins, fee bumping.

``prepare_send`` turns the options of the shared ``coffer send`` into a draft. ``bump TXID``
replaces the wallet's own pending transaction (BIP-125) when it can, else pays for it with a
child (CPFP); ``abandon TXID`` forgets an own broadcast no server has (its coins are free
again); ``utxos NETWORK`` lists an account's coins and freezes or thaws them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import click

from wallet.accounts import UtxoAccount
from wallet.amounts import format_amount, parse_decimal
from wallet.cli._app import NETWORK, Options, TextCommand, emit, errors, open_wallet, table
from wallet.cli.chain_args import SendArgs
from wallet.cli.signing import sign_and_send
from wallet.errors import (
    InvalidTxHash,
    TransactionNotFound,
    Unsupported,
    WalletError,
)
from wallet.networks import network_info
from wallet.types import CoinInfo, Draft
from wallet.wallet import Wallet

__all__ = ["COMMANDS", "prepare_send"]

_HEX = frozenset("0123456789abcdef")


def prepare_send(account: UtxoAccount, args: SendArgs) -> Draft:
    """Turn the options of ``coffer send`` into a draft for a UTXO account.

    Raises:
        Unsupported: an EVM-only option (``--token``, ``--nft``).
        WalletError: any refusal of ``UtxoAccount.prepare_send`` (in words).
    """
    if args.token or args.nft:
        raise Unsupported(f"{account.network.title} has no tokens: --token and --nft are EVM.")
    if not args.recipients:
        raise WalletError("Give a recipient with --to.")
    (first, amount), *rest = args.recipients
    others: list[tuple[str, str]] = []
    for address, text in rest:
        if text is None:
            raise WalletError("Give one --amount for each --to.")
        others.append((address, text))
    return account.prepare_send(
        first,
        None if args.send_max else amount,
        args.fee or "normal",
        recipients=others,
        fee_rate=args.fee_rate,
        utxos=args.utxos,
        send_max=args.send_max,
        rbf=args.rbf,
        allow_high_fee=args.allow_high_fee,
        path=args.path,
    )


def _txid(text: str) -> str:
    wanted = text.strip().lower()
    if len(wanted) != 64 or not set(wanted) <= _HEX:
        raise InvalidTxHash(f"{text!r} is not a transaction id (64 hex digits).")
    return wanted


def _rate(text: str | None) -> Decimal | None:
    return None if text is None else parse_decimal(text, "fee rate")


def _choose(wallet: Wallet, txid: str, use_cpfp: bool) -> tuple[UtxoAccount, str]:
    """Return the UTXO account to bump ``txid`` with, and ``"rbf"`` or ``"cpfp"``.

    A transaction between two accounts of the wallet is in both histories: RBF goes to the
    one that sent it, CPFP to one it pays.
    """
    holders = [
        a for a in wallet.accounts() if isinstance(a, UtxoAccount) and txid in a.view().transactions
    ]
    if not holders:
        raise TransactionNotFound(
            f"No UTXO account of this wallet has a transaction {txid} (sync first?)."
        )
    if not use_cpfp:
        for account in holders:
            if account.can_replace(txid):
                return account, "rbf"
    for account in holders:
        if any(c.outpoint.startswith(txid + ":") for c in account.coins()):
            return account, "cpfp"
    return holders[0], "cpfp"  # its refusal says why


@click.command(cls=TextCommand)
@click.argument("txid")
@click.option("--fee-rate", default=None, help="The new rate in sat/vB.")
@click.option("--fee", type=click.Choice(["slow", "normal", "fast"]), default="fast")
@click.option("--cpfp", "use_cpfp", is_flag=True, help="Pay with a child even if RBF works.")
@click.option("--allow-high-fee", is_flag=True, help="Accept a fee above the wallet's caps.")
@click.option("--yes", "assume_yes", is_flag=True, help="Do not ask before signing.")
@click.pass_obj
def bump(
    opts: Options,
    txid: str,
    fee_rate: str | None,
    fee: str,
    use_cpfp: bool,
    allow_high_fee: bool,
    assume_yes: bool,
) -> None:
    """Speed up a pending transaction: RBF if the wallet sent it and it signals, else CPFP."""
    with errors(opts):
        wanted = _txid(txid)
        rate = _rate(fee_rate)
    with open_wallet(opts) as wallet:
        account, method = _choose(wallet, wanted, use_cpfp)
        if method == "rbf":
            draft = account.bump_fee(wanted, rate, fee, allow_high_fee=allow_high_fee)
        else:
            draft = account.cpfp(wanted, rate, fee, allow_high_fee=allow_high_fee)
        net = account.network
        new_txid = sign_and_send(wallet, account, draft, assume_yes)
    data = {
        "network": net.name,
        "method": method,
        "txid": new_txid,
        "bumped": wanted,
        "fee": format_amount(draft.fee, net.decimals),
        "fee_rate": f"{draft.fee_rate.normalize():f}",
    }
    what = "Replaced by" if method == "rbf" else "Child (CPFP)"
    emit(opts, data, lambda: click.echo(f"{what}: {new_txid}"))


def _coin_row(coin: CoinInfo, decimals: int) -> dict[str, Any]:
    return {
        "outpoint": coin.outpoint,
        "amount": format_amount(coin.value, decimals),
        "value": coin.value,
        "address": coin.address,
        "chain": "change" if coin.chain == 1 else "receive",
        "index": coin.index,
        "confirmations": coin.confirmations,
        "frozen": coin.frozen,
        "spent_pending": coin.spent_pending,
        "immature": coin.immature,
        "label": coin.label,
    }


@click.command(cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.option("--account", "account_index", type=click.IntRange(0, 2**31 - 1), default=0)
@click.option("--kind", default=None)
@click.option("--freeze", multiple=True, help="Freeze this coin (TXID:N); repeatable.")
@click.option("--unfreeze", multiple=True, help="Thaw this coin (TXID:N); repeatable.")
@click.pass_obj
def utxos(
    opts: Options,
    network: str,
    account_index: int,
    kind: str | None,
    freeze: tuple[str, ...],
    unfreeze: tuple[str, ...],
) -> None:
    """List an account's coins (as of the last sync); freeze or thaw some for coin control."""
    with open_wallet(opts) as wallet:
        net = network_info(network)
        if net.family.value != "utxo":
            raise WalletError(f"{net.title} has no coins: it is an EVM network.")
        account = wallet.accounts_book.existing(network, account_index, kind)
        if not isinstance(account, UtxoAccount):
            raise WalletError(f"{account.network.title} has no coins: it is an EVM network.")
        known = {c.outpoint for c in account.view().coins(include_spent_pending=True)}
        changes = [(o, True) for o in freeze] + [(o, False) for o in unfreeze]
        for outpoint, _ in changes:  # check them all before changing any
            if outpoint.strip().lower() not in known:
                raise WalletError(f"{outpoint} is not an unspent coin of this account.")
        for outpoint, frozen in changes:
            account.freeze(outpoint, frozen)
        coins = account.view().coins(include_spent_pending=True)
        decimals, symbol = account.network.decimals, account.network.symbol
    rows = [_coin_row(c, decimals) for c in coins]

    def flags(row: dict[str, Any]) -> str:
        return " ".join(
            name
            for name, on in (
                ("frozen", row["frozen"]),
                ("spent", row["spent_pending"]),
                ("immature", row["immature"]),
            )
            if on
        )

    emit(
        opts,
        rows,
        lambda: table(
            f"Coins of {network}",
            ["outpoint", "amount", "conf", "address", "flags", "label"],
            [
                [
                    r["outpoint"],
                    f"{r['amount']} {symbol}",
                    str(r["confirmations"]),
                    r["address"],
                    flags(r),
                    r["label"],
                ]
                for r in rows
            ],
        ),
    )


@click.command(cls=TextCommand)
@click.argument("txid")
@click.pass_obj
def abandon(opts: Options, txid: str) -> None:
    """Forget a transaction this wallet sent that no server has, freeing its coins."""
    with errors(opts):
        wanted = _txid(txid)
    with open_wallet(opts) as wallet:
        holders = [
            a
            for a in wallet.accounts()
            if isinstance(a, UtxoAccount) and wanted in a.view().transactions
        ]
        if not holders:
            raise TransactionNotFound(
                f"No UTXO account of this wallet has a transaction {wanted} (sync first?)."
            )
        # A transfer between two accounts is in both histories: the sender holds it as its
        # own broadcast; the other refuses, and the first refusal says why if all do.
        refusals: list[WalletError] = []
        for account in holders:
            try:
                account.abandon(wanted)
                break
            except WalletError as err:
                refusals.append(err)
        else:
            raise refusals[0]
    data = {"network": account.network.name, "txid": wanted, "abandoned": True}
    emit(opts, data, lambda: click.echo(f"Abandoned {wanted}: its coins can be spent again."))


COMMANDS: tuple[click.Command, ...] = (abandon, bump, utxos)
