"""``coffer devnet``: mine, fund, inspect and reset the embedded devnets (``Wallet.devnet``).

Only networks on the ``embedded`` server (``bitcoin-regtest`` and ``evm-embedded`` by
default) are served; any other is refused with one line and exit code 1. Each devnet keeps
its chain in the wallet's own folder, so one command's blocks are there for the next.
"""

from __future__ import annotations

from typing import Any

import click

from wallet.cli._app import Options, emit, errors, fail, open_wallet, table
from wallet.devnet import DevnetStatus
from wallet.errors import WalletError
from wallet.wallet import Wallet

__all__ = ["COMMANDS"]

_EMBEDDED = ("bitcoin-regtest", "evm-embedded")


def _count(opts: Options, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        fail(opts, WalletError(f"{text!r} is not a number of blocks (a whole number, 1 or more)."))


def _status_row(status: DevnetStatus) -> dict[str, Any]:
    return {
        "network": status.network,
        "height": status.height,
        "tip": status.tip_hash,
        "mempool": status.mempool_size,
        "folder": None if status.folder is None else str(status.folder),
    }


@click.group()
def devnet() -> None:
    """Mine, fund, inspect and reset the embedded devnets (bitcoin-regtest, evm-embedded)."""


_NEGATIVE_OK = {"ignore_unknown_options": True}
"""Let ``-1`` reach the argument, to be refused in one line, rather than read as an option."""


@devnet.command(context_settings=_NEGATIVE_OK)
@click.argument("count", metavar="N")
@click.option("--network", default="bitcoin-regtest", show_default=True, help="The devnet.")
@click.option("--to", "to", metavar="ADDRESS", help="Pay the block rewards here (Bitcoin).")
@click.option(
    "--account", type=int, default=None, help="Pay the block rewards to this account (Bitcoin)."
)
@click.pass_obj
def mine(opts: Options, count: str, network: str, to: str | None, account: int | None) -> None:
    """Mine N blocks (Bitcoin: rewards to the faucet unless --to or --account says where)."""
    blocks = _count(opts, count)
    if to is not None and account is not None:
        fail(opts, WalletError("Give --to or --account, not both."))
    with open_wallet(opts) as wallet, errors(opts):
        control = wallet.devnet(network)
        payee = to if account is None else wallet.account(network, account).receive_address()
        hashes = control.mine(blocks, payee)
        status = control.status()
    row = {
        "network": network,
        "mined": len(hashes),
        "height": status.height,
        "tip": status.tip_hash,
    }
    if payee is not None:
        row["paid_to"] = payee
    emit(
        opts,
        row,
        lambda: click.echo(
            f"Mined {len(hashes)} block(s) on {network}"
            + (f", rewards to {payee}" if payee is not None else "")
            + f": height {status.height}, tip {status.tip_hash}"
        ),
    )


@devnet.command(context_settings=_NEGATIVE_OK)
@click.argument("network")
@click.argument("amount")
@click.option("--account", type=int, default=0, show_default=True, help="The account to fund.")
@click.pass_obj
def fund(opts: Options, network: str, amount: str, account: int) -> None:
    """Pay AMOUNT coins from the devnet's own to an account of NETWORK, confirmed in a block."""
    with open_wallet(opts) as wallet, errors(opts):
        control = wallet.devnet(network)
        address = wallet.account(network, account).receive_address()
        done = control.fund(address, amount)
        symbol = wallet.account(network, account).network.symbol
    row = {
        "network": done.network,
        "account": account,
        "address": done.address,
        "amount": format(done.amount.normalize(), "f"),
        "txid": done.txid,
        "height": done.height,
        "blocks_mined": done.blocks_mined,
    }
    emit(
        opts,
        row,
        lambda: click.echo(
            f"Paid {row['amount']} {symbol} to account {account} ({done.address}) on "
            f"{done.network}: {done.txid}, confirmed at height {done.height} "
            f"({done.blocks_mined} block(s) mined). Run `coffer sync {done.network}` to see it."
        ),
    )


@devnet.command()
@click.argument("network", required=False)
@click.pass_obj
def status(opts: Options, network: str | None) -> None:
    """Show each embedded devnet's tip, mempool and folder (or NETWORK's alone)."""
    with open_wallet(opts) as wallet, errors(opts):
        names = (network,) if network is not None else _kept_or_default(wallet)
        rows = [_status_row(wallet.devnet(name).status()) for name in names]
    emit(
        opts,
        rows,
        lambda: table(
            "Devnets",
            ["network", "height", "tip", "mempool", "kept in"],
            [
                [r["network"], str(r["height"]), r["tip"], str(r["mempool"]), r["folder"] or ""]
                for r in rows
            ],
            no_wrap=("tip",),
        ),
    )


def _kept_or_default(wallet: Wallet) -> tuple[str, ...]:
    """Return the default embedded devnets still on the embedded server."""
    return tuple(n for n in _EMBEDDED if "embedded" in wallet.backends.servers(n))


@devnet.command()
@click.argument("network")
@click.option("--yes", is_flag=True, help="Do not ask.")
@click.pass_obj
def reset(opts: Options, network: str, yes: bool) -> None:
    """Remove NETWORK's devnet chain from the wallet's folder (it starts again from genesis)."""
    with open_wallet(opts) as wallet, errors(opts):
        control = wallet.devnet(network)
        folder = wallet.backends.devnet_folder(network)
        if not yes and not click.confirm(
            f"Remove the {network} devnet's chain in {folder}? It cannot be undone.",
            default=False,
            err=True,
        ):
            fail(opts, WalletError("Nothing was removed."))
        removed = control.reset()
    emit(
        opts,
        {"network": network, "removed": removed, "folder": str(folder)},
        lambda: click.echo(
            f"Removed the {network} devnet's chain in {folder}. The next sync finds a new "
            "chain and reports what the wallet saw on the old one as reorganised away."
            if removed
            else f"The {network} devnet had no chain kept in {folder}."
        ),
    )


COMMANDS: tuple[click.Command, ...] = (devnet,)
