"""``coffer receive NETWORK``: the address to give out, with its QR code in the terminal."""

from __future__ import annotations

import click

from wallet.accounts import UtxoAccount
from wallet.cli._app import NETWORK, Options, TextCommand, emit, open_wallet
from wallet.qr import qr_terminal

__all__ = ["COMMANDS"]


@click.command(cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.option("--account", "account_index", type=click.IntRange(0, 2**31 - 1), default=0)
@click.option("--kind", default=None, help="p2wpkh, p2tr, p2sh-p2wpkh, p2pkh; EVM: standard.")
@click.option("--no-qr", is_flag=True, help="The address alone, without the QR code.")
@click.pass_obj
def receive(opts: Options, network: str, account_index: int, kind: str | None, no_qr: bool) -> None:
    """Show the next unused receive address of an account, with a QR code to scan."""
    with open_wallet(opts) as wallet:
        account = wallet.account(network, account_index, kind)
        address = account.receive_address()
        if isinstance(account, UtxoAccount):
            info = account.find_address(address)
        else:
            info = next(iter(account.addresses(1)), None)
        path = None if info is None else info.path
    result = {
        "network": network,
        "account": account_index,
        "address": address,
        "path": path,
    }

    def human() -> None:
        if not no_qr:
            click.echo(qr_terminal(address), nl=False)
        click.echo(address)
        click.echo(f"{network} account {account_index}" + (f", {path}" if path else ""))

    emit(opts, result, human)


COMMANDS: tuple[click.Command, ...] = (receive,)
