"""Commands of labels: set one, BIP-329 export and import (``coffer labels set|export|import``)."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import click

from wallet.cli._app import Options, TextGroup, emit, errors, open_wallet
from wallet.errors import WalletError
from wallet.labels import InvalidLabels, parse_bip329

__all__ = ["COMMANDS"]


def _open_without_waiting(file: Path, flags: int) -> int:
    """Open ``file`` like ``os.open``, but never wait for the other end of a named pipe.

    A pipe that has a writer (``<(...)``) or a reader (``>(...)``) works as usual; a FIFO with
    nobody at the other end reads as empty, or refuses writing (ENXIO), instead of hanging.
    """
    fd = os.open(file, flags | os.O_NONBLOCK, 0o600)
    os.set_blocking(fd, True)
    return fd


@click.group(cls=TextGroup)
def labels() -> None:
    """Export and import labels as BIP-329 files (JSON Lines, as Sparrow writes them)."""


@labels.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def export_labels(opts: Options, file: Path) -> None:
    """Write every label of the wallet to FILE ("-" for standard output).

    Labels say what coins are for: the file is written readable by its owner only.
    """
    with open_wallet(opts, reads_only=True) as wallet:
        text = wallet.labels.export_bip329()
    count = text.count("\n")
    if str(file) == "-":
        click.echo(text, nl=False)
        return
    with errors(opts):
        try:
            fd = _open_without_waiting(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            if stat.S_ISREG(os.fstat(fd).st_mode):
                os.fchmod(fd, 0o600)  # the mode of os.open applies only to a file it creates
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except OSError as err:
            raise WalletError(f"Cannot write {file}: {err.strerror}.") from err
    emit(
        opts,
        {"file": str(file), "records": count},
        lambda: click.echo(f"Wrote {count} label record(s) to {file}."),
    )


@labels.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid lines even if some lines are invalid (those are listed).",
)
@click.pass_obj
def import_labels(opts: Options, file: Path, skip_invalid: bool) -> None:
    """Import labels from a BIP-329 FILE (Coffer's, Sparrow's, or another wallet's).

    Without --skip-invalid a file with any invalid line is refused whole.
    """
    with errors(opts):
        try:
            with os.fdopen(_open_without_waiting(file, os.O_RDONLY), "rb") as handle:
                text = handle.read().decode("utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise WalletError(f"Cannot read {file} as UTF-8 text.") from err
    parsed = parse_bip329(text)
    with open_wallet(opts) as wallet, errors(opts):
        try:
            count = wallet.labels.import_bip329(text, skip_invalid=skip_invalid)
        except InvalidLabels as err:
            for problem in err.problems:
                click.echo(f"{file}: {problem}", err=True)
            raise
    skipped = [str(p) for p in parsed.problems]
    for line in skipped:
        click.echo(f"{file}: skipped {line}", err=True)
    emit(
        opts,
        {"file": str(file), "imported": count, "skipped": skipped, "ignored": parsed.ignored},
        lambda: click.echo(f"Imported {count} label record(s) from {file}."),
    )


_TXID = re.compile(r"[0-9a-fA-F]{64}")
_OUTPOINT = re.compile(r"[0-9a-fA-F]{64}:[0-9]+")


def _label_type(ref: str) -> str:
    """Return the BIP-329 type a reference looks like: tx, output, or else addr."""
    if _TXID.fullmatch(ref):
        return "tx"
    if _OUTPOINT.fullmatch(ref):
        return "output"
    return "addr"


@labels.command("set")
@click.argument("ref")
@click.argument("text")
@click.option(
    "--type",
    "type_",
    type=click.Choice(["tx", "addr", "pubkey", "input", "output", "xpub"]),
    default=None,
    help="The BIP-329 type; by default a txid is tx, TXID:N output, anything else addr.",
)
@click.pass_obj
def set_label(opts: Options, ref: str, text: str, type_: str | None) -> None:
    """Label a transaction (TXID), a coin (TXID:N) or an address; an empty TEXT removes it."""
    kind = type_ or _label_type(ref)
    with open_wallet(opts) as wallet:
        wallet.labels.set(kind, ref, text)
    emit(
        opts,
        {"type": kind, "ref": ref, "label": text},
        lambda: click.echo(f"Labelled {kind} {ref}: {text}" if text else "Removed the label."),
    )


label = TextGroup("label", commands=labels.commands, help="The same as labels.", hidden=True)
"""``coffer label set ...`` as people also type it: the same commands as ``labels``."""

COMMANDS: tuple[click.Command, ...] = (labels, label)
