"""``coffer signer``: the offline signer at the command line.

Run it on a machine that never goes online, with a wallet file that holds the seed. It
refuses every socket for as long as it runs (``wallet.signing.guard.NetworkGuard``), opens
the wallet with its password (never through an unlock agent, which is a socket), reads one
request (a PSBT, binary or Base64, from a file or pasted on standard input; or a
``coffer-message-request``), shows the summary its own signer recomputed from the request
(every output with amount and address, which are change, the fee and its rate, the
network), asks, signs and writes the result.
"""

from __future__ import annotations

import base64

import click

from wallet.cli._app import (
    NETWORK,
    Options,
    TextCommand,
    ask_password,
    emit,
    errors,
    require_wallet_file,
)
from wallet.cli.files import read_input, write_output
from wallet.cli.psbt import SummaryPrompt
from wallet.errors import SigningCancelled, WalletError
from wallet.signing.guard import NetworkGuard
from wallet.signing.offline import request_kind, sign_message_request
from wallet.wallet import Wallet

__all__ = ["COMMANDS"]


@click.command("signer", cls=TextCommand)
@click.argument("request")
@click.option("--network", type=NETWORK, default=None, help="When the keys do not say it.")
@click.option("--out", default=None, help="Write the result to this new file.")
@click.option("--base64", "as_base64", is_flag=True, help="Write a signed PSBT as Base64 text.")
@click.option("--yes", "assume_yes", is_flag=True, help="Do not ask before signing.")
@click.option("--allow-high-fee", is_flag=True, help="Accept a fee above the wallet's cap.")
@click.pass_obj
def signer(
    opts: Options,
    request: str,
    network: str | None,
    out: str | None,
    as_base64: bool,
    assume_yes: bool,
    allow_high_fee: bool,
) -> None:
    """Sign a REQUEST file (or - for pasted text) offline, after showing what it does.

    A PSBT (binary or Base64) comes back signed (binary with --out, else Base64); a message
    request comes back as a signature file. No socket can be opened while this runs.
    """
    with NetworkGuard(), errors(opts):
        data = read_input(request, "request")
        kind = request_kind(data)
        require_wallet_file(opts)
        with Wallet.open(opts.wallet, ask_password()) as wallet:
            prompt = SummaryPrompt(assume_yes)
            try:
                if kind == "message":
                    result = sign_message_request(wallet.signer(), data, prompt=prompt)
                else:
                    result = wallet.sign_psbt(data, network, prompt, allow_high_fee=allow_high_fee)
            except SigningCancelled:
                raise WalletError("Not signed: you declined.") from None
        text = kind == "message" or as_base64 or out is None
        if kind == "psbt" and text:
            result = base64.b64encode(result)
        write_output(out, result, "signed result", text=text)
        if out is not None:
            emit(
                opts,
                {"kind": kind, "out": out},
                lambda: click.echo(f"Signed; wrote {out}.", err=True),
            )


COMMANDS: tuple[click.Command, ...] = (signer,)
