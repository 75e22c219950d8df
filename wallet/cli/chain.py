"""Commands every chain family shares: sync, balance, history, servers and send.

``send`` collects the options of both families into one ``SendArgs`` and lets the family's
CLI module turn them into a draft (``wallet.cli.utxo.prepare_send`` or
``wallet.cli.evm.prepare_send``); showing the summary, asking, signing and broadcasting are
the same for every chain (``wallet.cli.signing``).
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from wallet.accounts import Account, EvmAccount, UtxoAccount
from wallet.amounts import format_amount, parse_decimal
from wallet.cli import evm as evm_cli
from wallet.cli import utxo as utxo_cli
from wallet.cli._app import NETWORK, Options, TextCommand, emit, errors, open_wallet, table
from wallet.cli.chain_args import SendArgs
from wallet.cli.signing import sign_and_send
from wallet.errors import Unsupported, WalletError
from wallet.networks import network_info, server_display
from wallet.types import Draft, HistoryEntry
from wallet.wallet import Wallet

__all__ = ["COMMANDS"]


def _account(wallet: Wallet, network: str, index: int, kind: str | None) -> Account:
    return wallet.account(network, index, kind)


@click.command(cls=TextCommand)
@click.argument("network", type=NETWORK, required=False)
@click.pass_obj
def sync(opts: Options, network: str | None) -> None:
    """Fetch balances and history from the servers (every account, or one network's).

    Every network is tried; one that cannot be reached is reported and the command exits 1
    after the others were synced.
    """
    with open_wallet(opts) as wallet:
        outcomes = wallet.sync_each(network)
    rows: list[dict[str, Any]] = []
    for outcome in outcomes:
        report = outcome.report
        rows.append(
            {
                "network": outcome.network,
                "account": outcome.account_index,
                "account_id": outcome.account_id,
                "ok": outcome.ok,
                "error": None if outcome.error is None else str(outcome.error),
                "tip": None if report is None else report.tip_height,
                "new": None if report is None else report.new_transactions,
                "updated": None if report is None else report.updated_transactions,
                "warnings": [] if report is None else list(report.warnings),
            }
        )
    for row in rows:  # on stderr, tables or JSON alike: what the sync could not do
        where = f"{row['network']} account {row['account']}"
        for warning in row["warnings"]:
            click.echo(f"warning: {where}: {warning}", err=True)
    failed = [r for r in rows if not r["ok"]]
    emit(
        opts,
        rows,
        lambda: table(
            "Synced",
            ["network", "account", "result", "tip", "new txs", "updated"],
            [
                [
                    str(r["network"]),
                    str(r["account"]),
                    "ok" if r["ok"] else f"failed: {r['error']}",
                    "" if r["tip"] is None else str(r["tip"]),
                    "" if r["new"] is None else str(r["new"]),
                    "" if r["updated"] is None else str(r["updated"]),
                ]
                for r in rows
            ],
        ),
    )
    if failed:
        first: dict[str, str] = {}
        for row in failed:
            first.setdefault(str(row["network"]), str(row["error"]))
        why = "; ".join(f"{network}: {error.rstrip('.')}" for network, error in first.items())
        synced = len(rows) - len(failed)
        click.echo(
            f"error: {', '.join(first)} could not be synced ({why}); {synced} of {len(rows)} "
            "accounts were.",
            err=True,
        )
        sys.exit(1)


def _amount(value: int, decimals: int, synced: bool) -> str | None:
    return format_amount(value, decimals) if synced else None


def _balance_rows(wallet: Wallet, network: str | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for account in wallet.accounts(network):
        balance = account.balance()
        rows.append(
            {
                "network": balance.network,
                "account": account.index,
                "account_id": account.id,
                "synced": balance.synced,
                "kind": account.kind,
                "symbol": balance.symbol,
                "token": balance.token,
                # Never synced: the amounts are unknown, not zero.
                "confirmed": _amount(balance.confirmed, balance.decimals, balance.synced),
                "total": _amount(balance.total, balance.decimals, balance.synced),
                "unconfirmed": _amount(balance.unconfirmed, balance.decimals, balance.synced),
                "display": str(balance),
            }
        )
        if isinstance(account, EvmAccount):
            rows.extend(evm_cli.token_balance_rows(account))
    return rows


@click.command(cls=TextCommand)
@click.argument("network", type=NETWORK, required=False)
@click.pass_obj
def balance(opts: Options, network: str | None) -> None:
    """Show balances as of the last sync (every account, or one network's)."""
    with open_wallet(opts, reads_only=True) as wallet:
        rows = _balance_rows(wallet, network)
    emit(
        opts,
        rows,
        lambda: table(
            "Balances",
            ["network", "account", "kind", "balance"],
            [[r["network"], str(r["account"]), r["kind"], r["display"]] for r in rows],
            no_wrap=("balance",),
        ),
    )


def _history_row(entry: HistoryEntry) -> dict[str, Any]:
    return {
        "txid": entry.txid,
        "status": entry.status.value,
        "height": entry.height,
        "confirmations": entry.confirmations,
        "timestamp": entry.timestamp,
        "symbol": entry.symbol,
        "token": entry.token,
        "amount": format_amount(entry.amount, entry.decimals),
        "fee": None if entry.fee is None else entry.fee,
        "counterparties": list(entry.counterparties),
        "label": entry.label,
        "replaceable": entry.replaceable,
    }


def _local_time(timestamp: int | None) -> str:
    """Return a Unix time as local date and time (block time, or first seen when pending)."""
    if timestamp is None:
        return ""
    return dt.datetime.fromtimestamp(timestamp, dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


@click.command(cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.option("--account", "account_index", type=click.IntRange(0, 2**31 - 1), default=0)
@click.option("--kind", default=None)
@click.pass_obj
def history(opts: Options, network: str, account_index: int, kind: str | None) -> None:
    """Show an account's transactions as of the last sync, newest first."""
    with open_wallet(opts, reads_only=True) as wallet:
        entries = _account(wallet, network, account_index, kind).history()
    rows = [_history_row(e) for e in entries]
    emit(
        opts,
        rows,
        lambda: table(
            f"History of {network}",
            ["status", "conf", "time", "amount", "txid", "label"],
            [
                [
                    r["status"],
                    str(r["confirmations"]),
                    _local_time(r["timestamp"]),
                    f"{r['amount']} {r['symbol']}",
                    r["txid"],
                    r["label"],
                ]
                for r in rows
            ],
            no_wrap=("time",),
        ),
    )


@click.command(cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.option("--set", "new_servers", multiple=True, help="A server; repeat for failover order.")
@click.option("--reset", is_flag=True, help="Go back to the network's default servers.")
@click.pass_obj
def servers(opts: Options, network: str, new_servers: tuple[str, ...], reset: bool) -> None:
    """Show or set the servers of a network (tcp://, ssl://, core://, http(s)://, ws(s)://)."""
    with open_wallet(opts) as wallet:
        if new_servers or reset:
            wallet.backends.set_servers(network, () if reset else new_servers)
        configured = wallet.backends.servers(network)
        shown = [server_display(s) for s in configured]
    emit(opts, {"network": network, "servers": shown}, lambda: click.echo("\n".join(shown)))


@click.command(cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.option("--to", "to", multiple=True, required=True, help="Recipient; repeat for several.")
@click.option(
    "--amount", "amounts", multiple=True, help="Amount for each --to, in coins (--nft: items)."
)
@click.option("--max", "send_max", is_flag=True, help="Send everything, less the fee.")
@click.option("--fee", type=click.Choice(["slow", "normal", "fast"]), default=None)
@click.option("--fee-rate", type=str, default=None, help="Custom rate: sat/vB, or gwei (EVM).")
@click.option("--utxo", "utxos", multiple=True, help="Spend this coin (TXID:N); repeatable.")
@click.option("--no-rbf", is_flag=True, help="Do not signal BIP-125 replaceability.")
@click.option("--token", default=None, help="EVM: a token symbol or contract address.")
@click.option("--nft", default=None, help="EVM: a collectible CONTRACT:TOKEN_ID.")
@click.option("--account", "account_index", type=click.IntRange(0, 2**31 - 1), default=0)
@click.option("--kind", default=None, help="The account's kind (p2wpkh, p2tr, ..., policy).")
@click.option(
    "--path",
    "spend_path",
    default=None,
    help="A policy account's spending path: owner, recovery (after N blocks), path-N.",
)
@click.option("--allow-high-fee", is_flag=True, help="Accept a fee above the wallet's caps.")
@click.option("--yes", "assume_yes", is_flag=True, help="Do not ask before signing.")
@click.pass_obj
def send(
    opts: Options,
    network: str,
    to: tuple[str, ...],
    amounts: tuple[str, ...],
    send_max: bool,
    fee: str | None,
    fee_rate: str | None,
    utxos: tuple[str, ...],
    no_rbf: bool,
    token: str | None,
    nft: str | None,
    account_index: int,
    kind: str | None,
    spend_path: str | None,
    allow_high_fee: bool,
    assume_yes: bool,
) -> None:
    """Build, check, sign with this wallet's keys, and broadcast a transaction.

    The heir of a recovery wallet spends with ``--kind policy --path recovery``.
    """
    with errors(opts):
        if send_max and (amounts or len(to) != 1):
            raise WalletError("--max sends everything to one --to, without --amount.")
        if not send_max and not nft and len(amounts) != len(to):
            raise WalletError("Give one --amount for each --to.")
        if nft and len(amounts) > len(to):
            raise WalletError("Give at most one --amount (the number of items) with --nft.")
        rate = None if fee_rate is None else parse_decimal(fee_rate, "fee rate")
        args = SendArgs(
            recipients=tuple(
                # With --nft the amount is optional: the number of items (1 when left out).
                (address, None if send_max or i >= len(amounts) else amounts[i])
                for i, address in enumerate(to)
            ),
            fee=fee,
            fee_rate=rate,
            utxos=utxos,
            send_max=send_max,
            rbf=not no_rbf,
            token=token,
            nft=nft,
            allow_high_fee=allow_high_fee,
            path=spend_path,
        )
    with errors(opts):
        # Options the network's family cannot use are said first.
        net = network_info(network)
        if net.family.value == "evm":
            evm_cli.check_send_args(args)
        elif token or nft:
            raise Unsupported(f"{net.title} has no tokens: --token and --nft are EVM.")
        if spend_path is not None and net.family.value == "evm":
            raise Unsupported(f"{net.title} accounts have one way to spend: --path is UTXO.")
    with open_wallet(opts) as wallet:
        # An account the wallet has: a refused payment must not add one to the file.
        account = wallet.accounts_book.existing(network, account_index, kind)
        draft: Draft
        if isinstance(account, UtxoAccount):
            draft = utxo_cli.prepare_send(account, args)
        elif isinstance(account, EvmAccount):
            draft = evm_cli.prepare_send(account, args)
        else:  # pragma: no cover - the two families
            raise WalletError(f"{network} accounts cannot send.")
        txid = sign_and_send(wallet, account, draft, assume_yes)
    emit(opts, {"txid": txid, "network": network}, lambda: click.echo(f"Sent: {txid}"))


COMMANDS: tuple[click.Command, ...] = (sync, balance, history, servers, send)
