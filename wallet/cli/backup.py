"""``coffer backup codex32 split|restore``: the seed as BIP-93 shares on paper, and back."""

from __future__ import annotations

import os
import sys

import click

from wallet import (
    DEFAULT_ACCOUNT_NETWORKS,
    Wallet,
    check_new_wallet_path,
    codex32_seed,
    codex32_share_threshold,
)
from wallet import codex32_worksheet as worksheet
from wallet.cli._app import (
    Options,
    TextGroup,
    ask_password,
    check_new_wallet_folder,
    emit,
    errors,
    require_wallet_file,
)
from wallet.cli.prompts import ask_new_password
from wallet.errors import InvalidBackup, WalletError, WalletReadOnly

__all__ = ["COMMANDS"]

_WARNING = (
    "warning: these shares reveal the wallet's seed. Any {k} of them spend every coin: write "
    "each on paper, keep them in different places, and never photograph or type them into a "
    "computer you do not trust."
)


@click.group(cls=TextGroup)
def backup() -> None:
    """Back the wallet's seed up in other formats than the recovery words."""


@backup.group(cls=TextGroup)
def codex32() -> None:
    """codex32 (BIP-93): the master seed as k-of-n shares, written by hand, checksummed."""


@codex32.command()
@click.option(
    "--threshold", type=click.IntRange(2, 9), required=True, help="Shares needed (2 to 9)."
)
@click.option(
    "--shares", "count", type=click.IntRange(2, 31), required=True, help="Shares made (to 31)."
)
@click.option("--id", "identifier", default=None, help="4 bech32 characters naming the set.")
@click.pass_obj
def split(opts: Options, threshold: int, count: int, identifier: str | None) -> None:
    """Split the wallet's seed into shares, any THRESHOLD of which restore it.

    The password is always asked (an unlock agent is not enough): the shares reveal the seed.
    A wallet made from recovery words splits its 64-byte seed (the words and passphrase
    together): the shares restore the same keys and addresses, but not the words.
    """
    with errors(opts):
        require_wallet_file(opts)
        # One prompt, even with an unlock agent running: revealing the seed always takes the
        # password, and the same answer opens the file.
        password = ask_password("Wallet password (the shares reveal the seed)")
        try:
            wallet = Wallet.open(opts.wallet, password)
        except WalletReadOnly:
            wallet = Wallet.open(opts.wallet, password, read_only=True)
        try:
            for warning in wallet.warnings:
                click.echo(f"warning: {warning}", err=True)
            shares = wallet.reveal_codex32_backup(password, threshold, count, identifier)
        finally:
            wallet.close()
    click.echo(_WARNING.format(k=threshold), err=True)
    emit(
        opts,
        {
            "threshold": shares.threshold,
            "identifier": shares.identifier,
            "seed_bytes": shares.seed_bytes,
            "shares": list(shares.shares),
        },
        lambda: click.echo(worksheet(shares)),
    )


@codex32.command()
@click.argument("share_texts", metavar="[SHARE]...", nargs=-1)
@click.pass_obj
def restore(opts: Options, share_texts: tuple[str, ...]) -> None:
    """Create a wallet from codex32 shares (or the secret) and show its first addresses.

    Give the shares as arguments, or leave them out to type them (one a line, an empty line
    to end), so they stay out of the shell's history. Spaces between groups are ignored.
    """
    with errors(opts):
        check_new_wallet_folder(opts)
        check_new_wallet_path(opts.wallet)  # before the shares are typed
        early = ask_new_password() if os.environ.get("COFFER_PASSWORD") else None
        given = list(share_texts) or _read_shares()
        seed = codex32_seed(given)  # a bad share fails here, before any prompt or file
        password = early or ask_new_password()
        wallet = Wallet.restore_from_seed(
            opts.wallet, password, seed, accounts=DEFAULT_ACCOUNT_NETWORKS
        )
        try:
            rows = [
                {"network": account.network.name, "address": account.addresses(1)[0].address}
                for account in wallet.accounts()
            ]
            result = {"wallet": str(wallet.path), "fingerprint": wallet.fingerprint}
        finally:
            wallet.close()
    emit(
        opts,
        {**result, "addresses": rows},
        lambda: click.echo(
            f"Restored {result['wallet']} (fingerprint {result['fingerprint']}).\n"
            + "\n".join(f"{r['network']:<10} {r['address']}" for r in rows)
        ),
    )


def _read_shares() -> list[str]:
    """Read shares one a line until an empty line or the end of the input.

    At a terminal each share is checked as it is entered and asked again if it is refused
    (with the characters that would repair it, to compare with the paper), and the reading
    stops once the set's threshold is reached. From a pipe, a bad share ends the command.
    """
    shares: list[str] = []
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        # Stop at the first empty line after a share: the password may follow on the input.
        while (line := sys.stdin.readline()) and (line.strip() or not shares):
            if line.strip():
                shares.append(line.strip())
    else:
        needed: int | None = None
        while needed is None or len(shares) < needed:
            label = f"Share {len(shares) + 1}" + (f" of {needed}" if needed else "")
            line = str(click.prompt(label, default="", show_default=False, err=True)).strip()
            if not line:
                break
            try:
                threshold = codex32_share_threshold(line)
            except InvalidBackup as err:
                click.echo(f"{err}", err=True)
                continue
            needed = needed or threshold
            shares.append(line)
    if not shares:
        raise WalletError("No codex32 share was given (as arguments or one a line on the input).")
    return shares


COMMANDS: tuple[click.Command, ...] = (backup,)
