"""``coffer export-account``, ``import-watch`` and ``psbt create|show|sign|...|broadcast``.

The watch-only round trip from the command line: the wallet holding the seed (or the offline
signer) exports an account; a watch-only wallet imports it, prepares a PSBT into a file,
shows it again, and once the signer has signed it, finalises and broadcasts it. Every step
reads the file afresh and trusts nothing in it: ``show``, ``finalize`` and ``broadcast``
recompute the summary from the wallet's own records, ``sign`` from the seed's own keys.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import click

from keystore.types import MessageRequest, TxSummary
from wallet import UtxoDraft
from wallet.accounts import UtxoAccount
from wallet.amounts import parse_decimal
from wallet.cli._app import NETWORK, Options, TextCommand, TextGroup, emit, errors, open_wallet
from wallet.cli.chain_args import SendArgs
from wallet.cli.files import read_frames_or_file, read_input, write_frames, write_output
from wallet.cli.signing import format_summary
from wallet.cli.utxo import prepare_send
from wallet.errors import HardwareUnavailable, SigningCancelled, WalletError
from wallet.networks import network_info
from wallet.signing.devices import sign_on_device
from wallet.signing.export import EXPORT_FORMATS
from wallet.signing.psbt import combine_psbts
from wallet.transport import Payload, PayloadKind, psbt_of_payload
from wallet.wallet import Wallet

__all__ = ["COMMANDS", "SummaryPrompt", "draft_of_file"]


class SummaryPrompt:
    """Ask at the terminal, showing amounts in the coin of the network the signer read.

    The question is "Sign it?": signing here sends nothing (the offline signer and ``psbt
    sign`` write a file); ``--yes`` answers it.
    """

    def __init__(self, assume_yes: bool) -> None:
        """Remember whether to ask."""
        self._assume_yes = assume_yes

    def _ask(self) -> bool:
        if self._assume_yes:
            return True
        return bool(click.confirm("Sign it?", default=False, err=True))

    def confirm_transaction(self, summary: TxSummary) -> bool:
        """Show the signer's own summary; return whether the person approves it."""
        info = network_info(summary.network)
        click.echo("The signer checked this transaction:", err=True)
        for line in format_summary(summary, info.symbol, info.decimals):
            click.echo(line, err=True)
        return self._ask()

    def confirm_message(self, request: MessageRequest) -> bool:
        """Show the message and the address; return whether the person approves it."""
        click.echo(f"Sign this {request.format.value} message as {request.address}:", err=True)
        click.echo(request.message.decode("utf-8", "replace"), err=True)
        return self._ask()


def draft_of_file(
    wallet: Wallet, data: bytes, network: str | None
) -> tuple[UtxoAccount, UtxoDraft]:
    """Find the account whose coins the PSBT spends and read it back as its draft.

    Raises:
        NothingToSign, InvalidPsbt, WalletError: see ``Wallet.draft_of_psbt``.
    """
    return wallet.draft_of_psbt(data, network)


def _summary_rows(summary: TxSummary) -> dict[str, Any]:
    return {
        "network": summary.network,
        "outputs": [
            {"address": o.address, "amount": o.amount, "change": o.is_change}
            for o in summary.outputs
        ],
        "fee": summary.fee,
        "vsize": summary.vsize,
        "fee_rate": None if summary.fee_rate is None else str(summary.fee_rate),
        "replaceable": summary.replaceable,
    }


def _show(summary: TxSummary) -> None:
    info = network_info(summary.network)
    for line in format_summary(summary, info.symbol, info.decimals):
        click.echo(line)


@click.command("export-account", cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.option("--account", "account_index", type=click.IntRange(0, 2**31 - 1), default=0)
@click.option("--kind", default=None, help="p2wpkh, p2tr, p2sh-p2wpkh, p2pkh; EVM: standard.")
@click.option(
    "--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="descriptor", show_default=True
)
@click.option("--out", default=None, help="Write it to this new file instead of the screen.")
@click.pass_obj
def export_account(
    opts: Options, network: str, account_index: int, kind: str | None, fmt: str, out: str | None
) -> None:
    """Export an account's public key with its origin, for a watch-only wallet to import."""
    with open_wallet(opts) as wallet:
        text = wallet.export_account(network, account_index, kind, fmt)
    with errors(opts):
        if out is not None or not opts.as_json:
            write_output(out, text.encode(), "export", text=True)
            return
    emit(opts, {"network": network, "format": fmt, "export": text}, lambda: None)


@click.command("import-watch", cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.argument("export")
@click.option("--kind", default=None, help="With a JSON export of several accounts: which.")
@click.option("--label", default="", help="A name for the account.")
@click.pass_obj
def import_watch(opts: Options, network: str, export: str, kind: str | None, label: str) -> None:
    """Watch an account a signer exported: a FILE (or - for stdin) or the text itself.

    Descriptors with key origin, xpubs (zpub...), Sparrow/Coldcard JSON and Electrum wallet
    files are read.
    """
    with errors(opts):
        text = export
        if export == "-" or _is_file(export):
            text = read_input(export, "export").decode("utf-8", "replace")
    with open_wallet(opts) as wallet, errors(opts):
        account = wallet.accounts_book.import_export(network, text, kind, label)
        address = account.receive_address()
        row = {"network": network, "account": account.index, "kind": account.kind}
        row |= {"fingerprint": account.fingerprint, "path": account.path, "address": address}
    emit(
        opts,
        row,
        lambda: click.echo(
            f"Watching {network} account {row['account']} ({row['kind']}"
            + (f", {row['path']} of {row['fingerprint']}" if row["path"] else ", no key origin")
            + f"); first address {address}"
        ),
    )


def _is_file(name: str) -> bool:
    """Return whether ``name`` names a file (an export's text never does)."""
    if len(name) > 4096 or "\0" in name:
        return False
    try:
        return Path(name).is_file()
    except (OSError, ValueError):
        return False


def _is_frames(out: str) -> bool:
    """Return whether ``--out`` asks for QR frames: a GIF, or a folder (PNG frames)."""
    return out.lower().endswith(".gif") or out.endswith("/") or Path(out).is_dir()


def _read_psbt(names: tuple[str, ...]) -> bytes:
    """Read a PSBT from a file, a file of frame texts, or QR images."""
    payload, data = read_frames_or_file(names, "PSBT")
    if payload is None:
        return data
    return psbt_of_payload(payload)


@click.group(cls=TextGroup)
def psbt() -> None:
    """Partially signed transactions (BIP-174) for offline and hardware signers."""


@psbt.command("create", cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.option("--to", "to", multiple=True, required=True, help="Recipient; repeat for several.")
@click.option("--amount", "amounts", multiple=True, help="Amount for each --to, in coins.")
@click.option("--max", "send_max", is_flag=True, help="Send everything, less the fee.")
@click.option("--fee", type=click.Choice(["slow", "normal", "fast"]), default=None)
@click.option("--fee-rate", type=str, default=None, help="Custom rate in sat/vB.")
@click.option("--utxo", "utxos", multiple=True, help="Spend this coin (TXID:N); repeatable.")
@click.option("--no-rbf", is_flag=True, help="Do not signal BIP-125 replaceability.")
@click.option("--account", "account_index", type=click.IntRange(0, 2**31 - 1), default=0)
@click.option("--kind", default=None)
@click.option("--allow-high-fee", is_flag=True, help="Accept a fee above the wallet's caps.")
@click.option(
    "--out", default=None, help="A new file (binary PSBT), a .gif or a folder (QR frames)."
)
@click.option("--base64", "as_base64", is_flag=True, help="Write Base64 text, not binary.")
@click.pass_obj
def create(
    opts: Options,
    network: str,
    to: tuple[str, ...],
    amounts: tuple[str, ...],
    send_max: bool,
    fee: str | None,
    fee_rate: str | None,
    utxos: tuple[str, ...],
    no_rbf: bool,
    account_index: int,
    kind: str | None,
    allow_high_fee: bool,
    out: str | None,
    as_base64: bool,
) -> None:
    """Prepare a transaction as an unsigned PSBT for a signer (watch-only wallets too)."""
    with errors(opts):
        if send_max and (amounts or len(to) != 1):
            raise WalletError("--max sends everything to one --to, without --amount.")
        if not send_max and len(amounts) != len(to):
            raise WalletError("Give one --amount for each --to.")
        rate = None if fee_rate is None else parse_decimal(fee_rate, "fee rate")
        args = SendArgs(
            recipients=tuple(
                (address, None if send_max else amounts[i]) for i, address in enumerate(to)
            ),
            fee=fee,
            fee_rate=rate,
            utxos=utxos,
            send_max=send_max,
            rbf=not no_rbf,
            token=None,
            nft=None,
            allow_high_fee=allow_high_fee,
        )
    with open_wallet(opts) as wallet, errors(opts):
        account = wallet.accounts_book.existing(network, account_index, kind)
        if not isinstance(account, UtxoAccount):
            raise WalletError(f"{account.network.title} has no PSBTs; EVM requests come later.")
        draft = prepare_send(account, args)
        assert isinstance(draft, UtxoDraft)  # noqa: S101 - a UTXO account's draft
        data = draft.psbt_base64.encode() if as_base64 or out is None else draft.psbt
        click.echo("The wallet prepared this transaction:", err=True)
        for line in format_summary(draft.summary, account.network.symbol, account.network.decimals):
            click.echo(line, err=True)
        if out is not None and _is_frames(out):
            written = write_frames(out, Payload(PayloadKind.PSBT, draft.psbt))
            click.echo(f"Unsigned PSBT written as {written}.", err=True)
            return
        write_output(out, data, "PSBT", text=as_base64 or out is None)
        if out is not None:
            click.echo(
                f"Unsigned PSBT written to {out}; sign it, then `coffer psbt broadcast`.", err=True
            )


@psbt.command("show", cls=TextCommand)
@click.argument("file", nargs=-1, required=True)
@click.option("--network", type=NETWORK, default=None)
@click.pass_obj
def show(opts: Options, file: tuple[str, ...], network: str | None) -> None:
    """Show what a PSBT of this wallet does, from the wallet's own records."""
    with errors(opts):
        data = _read_psbt(file)
    with open_wallet(opts, reads_only=True) as wallet, errors(opts):
        account, draft = draft_of_file(wallet, data, network)
        row = _summary_rows(draft.summary) | {"account": account.index, "txid": draft.unsigned_txid}

    def human() -> None:
        _show(draft.summary)
        click.echo(f"  txid    {row['txid']}")

    emit(opts, row, human)


@psbt.command("sign", cls=TextCommand)
@click.argument("file")
@click.option("--network", type=NETWORK, default=None, help="When the keys do not say it.")
@click.option("--out", default=None, help="Write the signed PSBT to this new file (binary).")
@click.option("--base64", "as_base64", is_flag=True, help="Write Base64 text, not binary.")
@click.option("--yes", "assume_yes", is_flag=True, help="Do not ask before signing.")
@click.option("--allow-high-fee", is_flag=True, help="Accept a fee above the wallet's cap.")
@click.option(
    "--device",
    default=None,
    is_flag=False,
    flag_value="",
    metavar="[FINGERPRINT]",
    help="Sign on the connected hardware wallet holding a key of the PSBT's account "
    "(the one with this master fingerprint, when given).",
)
@click.pass_obj
def sign(
    opts: Options,
    file: str,
    network: str | None,
    out: str | None,
    as_base64: bool,
    assume_yes: bool,
    allow_high_fee: bool,
    device: str | None,
) -> None:
    """Sign a PSBT from anywhere with this wallet's seed, after showing what it does.

    With ``--device``, the PSBT must spend coins of one of this wallet's accounts (a
    watch-only wallet's, or a multisig's): the hardware wallet holding its key signs the
    wallet's own reading of it, and shows it on its screen.
    """
    with errors(opts):
        data = read_input(file, "PSBT")
    with open_wallet(opts) as wallet, errors(opts):
        try:
            if device is None:
                signed = wallet.sign_psbt(
                    data, network, SummaryPrompt(assume_yes), allow_high_fee=allow_high_fee
                )
            else:
                signed = _sign_on_device(
                    opts, wallet, data, network, device, assume_yes, allow_high_fee
                )
        except SigningCancelled:
            raise WalletError("Not signed: you declined.") from None
        text = as_base64 or out is None
        write_output(out, base64.b64encode(signed) if text else signed, "signed PSBT", text=text)


def _sign_on_device(
    opts: Options,
    wallet: Wallet,
    data: bytes,
    network: str | None,
    fingerprint: str,
    assume_yes: bool,
    allow_high_fee: bool,
) -> bytes:
    account, _ = draft_of_file(wallet, data, network)
    # Read again with the wallet's fee share cap: the device is given it as its ``max_fee``
    # (``draft_of_file`` reads any fee, to find the account).
    draft = account.import_psbt(data, allow_high_fee=allow_high_fee)
    found = opts.devices.find()
    if fingerprint:
        found = [d for d in found if d.fingerprint == fingerprint.lower()]
        if not found:
            raise HardwareUnavailable(
                f"No connected hardware wallet has the fingerprint {fingerprint}; connect and "
                "unlock it, then try again."
            )
    return sign_on_device(
        account, draft, SummaryPrompt(assume_yes), found, open_client=opts.devices.open_client
    )


@psbt.command("combine", cls=TextCommand)
@click.argument("files", nargs=-1, required=True)
@click.option("--out", default=None, help="Write the combined PSBT to this new file.")
@click.option("--base64", "as_base64", is_flag=True, help="Write Base64 text, not binary.")
@click.pass_obj
def combine(opts: Options, files: tuple[str, ...], out: str | None, as_base64: bool) -> None:
    """Merge the signatures of copies of one PSBT (BIP-174 Combiner); no wallet is opened."""
    with errors(opts):
        if len(files) < 2:
            raise WalletError("Give two or more PSBT files of one transaction.")
        merged = combine_psbts([read_input(f, "PSBT") for f in files])
        text = as_base64 or out is None
        write_output(out, base64.b64encode(merged) if text else merged, "PSBT", text=text)


@psbt.command("finalize", cls=TextCommand)
@click.argument("file", nargs=-1, required=True)
@click.option("--network", type=NETWORK, default=None)
@click.option("--out", default=None, help="Write the raw transaction (hex) to this new file.")
@click.pass_obj
def finalize(opts: Options, file: tuple[str, ...], network: str | None, out: str | None) -> None:
    """Finalise a signed PSBT of this wallet into a transaction, checked by libbitcoinkernel."""
    with errors(opts):
        data = _read_psbt(file)
    with open_wallet(opts, reads_only=True) as wallet, errors(opts):
        account, draft = draft_of_file(wallet, data, network)
        signed = account.import_signed(draft, data)
        if opts.as_json and out is None:
            emit(opts, {"txid": signed.txid, "hex": signed.raw.hex()}, lambda: None)
            return
        write_output(out, signed.raw.hex().encode(), "transaction", text=True)


@psbt.command("broadcast", cls=TextCommand)
@click.argument("file", nargs=-1, required=True)
@click.option("--network", type=NETWORK, default=None)
@click.pass_obj
def broadcast(opts: Options, file: tuple[str, ...], network: str | None) -> None:
    """Finalise a signed PSBT of this wallet and send it to the network."""
    with errors(opts):
        data = _read_psbt(file)
    with open_wallet(opts) as wallet, errors(opts):
        account, draft = draft_of_file(wallet, data, network)
        signed = account.import_signed(draft, data)
        txid = account.broadcast(signed)
    emit(opts, {"network": account.network.name, "txid": txid}, lambda: click.echo(txid))


COMMANDS: tuple[click.Command, ...] = (export_account, import_watch, psbt)
