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
from pathlib import Path

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
from wallet.cli.files import read_frames_or_file, write_frames, write_output
from wallet.cli.psbt import SummaryPrompt
from wallet.errors import SigningCancelled, WalletError
from wallet.signing.guard import NetworkGuard
from wallet.signing.offline import request_kind, sign_eth_request, sign_message_request
from wallet.transport import FrameFormat, Payload, PayloadKind, encode_frames
from wallet.wallet import Wallet

__all__ = ["COMMANDS"]


@click.command("signer", cls=TextCommand)
@click.argument("request", nargs=-1, required=True)
@click.option("--network", type=NETWORK, default=None, help="When the keys do not say it.")
@click.option("--out", default=None, help="Write the result to this new file.")
@click.option("--base64", "as_base64", is_flag=True, help="Write a signed PSBT as Base64 text.")
@click.option("--yes", "assume_yes", is_flag=True, help="Do not ask before signing.")
@click.option("--allow-high-fee", is_flag=True, help="Accept a fee above the wallet's cap.")
@click.pass_obj
def signer(
    opts: Options,
    request: tuple[str, ...],
    network: str | None,
    out: str | None,
    as_base64: bool,
    assume_yes: bool,
    allow_high_fee: bool,
) -> None:
    """Sign a REQUEST offline, after showing what it does; no socket can be opened meanwhile.

    REQUEST is a file (or - for pasted text): a PSBT (binary or Base64), a message request,
    or the text of QR frames (ur:... lines); or QR images (PNG, animated GIF) of a BC-UR or
    BBQr PSBT or an EIP-4527 eth-sign-request. The result goes to --out: a .gif or a folder
    for QR frames, another name for a binary PSBT (Base64 with --base64) or the
    ur:eth-signature text; without --out, to the screen.
    """
    with NetworkGuard(), errors(opts):
        payload, data = read_frames_or_file(request, "request")
        kind = "psbt"
        if payload is not None:
            if payload.kind not in (PayloadKind.PSBT, PayloadKind.ETH_SIGN_REQUEST):
                raise WalletError(
                    f"The QR codes hold a {payload.kind.value}, not a PSBT or an "
                    "eth-sign-request to sign."
                )
            data = payload.data
            kind = "eth" if payload.kind is PayloadKind.ETH_SIGN_REQUEST else "psbt"
        if kind == "psbt":
            kind = request_kind(data)
        require_wallet_file(opts)
        with Wallet.open(opts.wallet, ask_password()) as wallet:
            prompt = SummaryPrompt(assume_yes)
            try:
                if kind == "message":
                    result = sign_message_request(wallet.signer(), data, prompt=prompt)
                elif kind == "eth":
                    records = [a.record for a in wallet.accounts()]
                    result = sign_eth_request(wallet.signer(), records, data, prompt=prompt)
                else:
                    result = wallet.sign_psbt(data, network, prompt, allow_high_fee=allow_high_fee)
            except SigningCancelled:
                raise WalletError("Not signed: you declined.") from None
        if kind == "eth":
            answer = Payload(PayloadKind.ETH_SIGNATURE, result)
            if out is not None and _is_frames(out):
                click.echo(f"Signed; wrote {write_frames(out, answer)}.", err=True)
                return
            (line,) = encode_frames(answer, FrameFormat.UR, max_fragment_len=100_000, count=1)
            write_output(out, line.encode(), "eth-signature", text=True)
            return
        if out is not None and kind == "psbt" and _is_frames(out):
            written = write_frames(out, Payload(PayloadKind.PSBT, result))
            click.echo(f"Signed; wrote {written}.", err=True)
            return
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


def _is_frames(out: str) -> bool:
    """Return whether ``--out`` asks for QR frames: a GIF, or a folder (PNG frames)."""
    return out.lower().endswith(".gif") or out.endswith("/") or Path(out).is_dir()


COMMANDS: tuple[click.Command, ...] = (signer,)
