"""``coffer musig key|create|nonces|sign``: the 2-of-2 MuSig2 account from the command line.

Each participant gives the other ``coffer musig key NETWORK``; both run ``coffer musig
create`` with the other's key (the one whose key spends alone after N blocks with ``--fallback
own``, the other with ``--fallback other``). A spend is prepared as any PSBT (``coffer psbt
create``); then each runs ``musig nonces`` (round 1), the PSBTs are combined (``coffer psbt
combine``), each runs ``musig sign`` (round 2, after showing what it pays), and ``coffer psbt
finalize`` aggregates the partial signatures into one signature. Only the public API is used.
"""

from __future__ import annotations

import base64

import click

from wallet.cli._app import NETWORK, Options, TextCommand, TextGroup, emit, errors, open_wallet
from wallet.cli.files import read_input, write_output
from wallet.cli.psbt import SummaryPrompt

__all__ = ["COMMANDS"]


@click.group(cls=TextGroup)
def musig() -> None:
    """A 2-of-2 MuSig2 account: one signature on chain, a fallback leaf after N blocks."""


@musig.command("key", cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.option("--index", type=click.IntRange(0, 2**31 - 1), default=0, show_default=True)
@click.pass_obj
def key(opts: Options, network: str, index: int) -> None:
    """Print this wallet's MuSig2 participant key ([fingerprint/48h/coinh/indexh/3h]xpub)."""
    with open_wallet(opts) as wallet, errors(opts):
        text = wallet.custody.cosigner_key(network, index, "tr")
    emit(opts, {"network": network, "key": text}, lambda: click.echo(text))


@musig.command("create", cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.argument("other_key")
@click.option(
    "--after",
    "fallback_after",
    type=click.IntRange(1, 0xFFFF),
    required=True,
    help="Blocks after which the fallback key alone may spend (BIP-68).",
)
@click.option(
    "--fallback",
    type=click.Choice(["own", "other"]),
    default="own",
    show_default=True,
    help="Whose key alone spends after --after blocks.",
)
@click.option("--label", default="", help="A name for the account.")
@click.option("--index", type=click.IntRange(0, 2**31 - 1), default=0, show_default=True)
@click.pass_obj
def create(
    opts: Options,
    network: str,
    other_key: str,
    fallback_after: int,
    fallback: str,
    label: str,
    index: int,
) -> None:
    """Add the 2-of-2 account with the other participant's key (from their `musig key`)."""
    with open_wallet(opts) as wallet, errors(opts):
        account = wallet.custody.create_musig_wallet(
            network, other_key, fallback_after, label, index=index, fallback_key=fallback
        )
        row = {
            "network": network,
            "account": account.index,
            "descriptor": account.descriptor(),
            "address": account.receive_address(),
        }
    emit(
        opts,
        row,
        lambda: click.echo(
            f"MuSig2 account {row['account']}: {row['descriptor']}\nfirst address {row['address']}"
        ),
    )


def _write(opts: Options, out: str | None, data: bytes) -> None:
    with errors(opts):
        if out is None or out == "-":
            write_output(None, base64.b64encode(data), "PSBT", text=True)
        else:
            write_output(out, data, "PSBT", text=False)


@musig.command("nonces", cls=TextCommand)
@click.argument("psbt_file")
@click.option("--out", default=None, help="Write the PSBT to this new file (else Base64 out).")
@click.pass_obj
def nonces(opts: Options, psbt_file: str, out: str | None) -> None:
    """Round 1: add this wallet's public nonces to a PSBT (stored before they are written)."""
    with errors(opts):
        data = read_input(psbt_file, "PSBT")
    with open_wallet(opts) as wallet, errors(opts):
        result = wallet.custody.musig_nonces(data)
    _write(opts, out, result)


@musig.command("sign", cls=TextCommand)
@click.argument("psbt_file")
@click.option("--out", default=None, help="Write the PSBT to this new file (else Base64 out).")
@click.option("--yes", "assume_yes", is_flag=True, help="Sign without asking.")
@click.pass_obj
def sign(opts: Options, psbt_file: str, out: str | None, assume_yes: bool) -> None:
    """Round 2: show what the PSBT pays, then add this wallet's partial signatures."""
    with errors(opts):
        data = read_input(psbt_file, "PSBT")
    with open_wallet(opts) as wallet, errors(opts):
        result = wallet.custody.musig_sign(data, SummaryPrompt(assume_yes))
    _write(opts, out, result)


COMMANDS: tuple[click.Command, ...] = (musig,)
