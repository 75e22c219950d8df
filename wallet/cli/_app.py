"""The ``coffer`` group and what every command shares: options, output, errors, prompts."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click
from platformdirs import user_data_dir

from wallet.accounts import Account, UtxoAccount
from wallet.agent import open_with_agent
from wallet.errors import (
    InvalidWalletPath,
    WalletCorrupt,
    WalletError,
    WalletInUse,
    WalletNotFound,
    WrongPassword,
)
from wallet.wallet import Wallet

__all__ = [
    "Options",
    "account_row",
    "ask_password",
    "cli",
    "emit",
    "errors",
    "fail",
    "open_wallet",
    "table",
]

_EXIT_CODES: tuple[tuple[type[WalletError], int], ...] = (
    (WrongPassword, 3),
    (WalletNotFound, 4),
    (WalletCorrupt, 5),
    (InvalidWalletPath, 4),
    (WalletInUse, 6),
)


@dataclass
class Options:
    wallet: Path
    as_json: bool


def _default_wallet() -> Path:
    return Path(user_data_dir("coffer", appauthor=False)) / "default.coffer"


def emit(opts: Options, data: Any, human: Callable[[], None]) -> None:
    if opts.as_json:
        click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))
    else:
        human()


def fail(opts: Options, err: WalletError) -> NoReturn:
    code = next((c for kind, c in _EXIT_CODES if isinstance(err, kind)), 1)
    message = str(err).splitlines()[0] if str(err) else type(err).__name__
    if opts.as_json:
        click.echo(json.dumps({"error": {"type": type(err).__name__, "message": message}}))
    else:
        click.echo(f"error: {message}", err=True)
    sys.exit(code)


@contextmanager
def errors(opts: Options) -> Iterator[None]:
    try:
        yield
    except WalletError as err:
        fail(opts, err)


def ask_password(
    prompt: str = "Wallet password", *, confirm: bool = False, env: str = "COFFER_PASSWORD"
) -> str:
    value = os.environ.get(env)
    if value:
        return value
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True))


@contextmanager
def open_wallet(opts: Options) -> Iterator[Wallet]:
    with errors(opts):
        wallet = open_with_agent(opts.wallet)  # an unlock agent's keys skip the prompt
        if wallet is None:
            wallet = Wallet.open(opts.wallet, ask_password())
        for warning in wallet.warnings:
            click.echo(f"warning: {warning}", err=True)
        try:
            yield wallet
        finally:
            wallet.close()


def table(
    title: str, columns: list[str], rows: list[list[str]], *, no_wrap: tuple[str, ...] = ()
) -> None:
    """Print a table; the ``no_wrap`` columns never fold (others fold to fit the terminal)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, no_wrap=column in no_wrap)
    for row in rows:
        table.add_row(*row)
    Console().print(table)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--wallet",
    "wallet_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="COFFER_WALLET",
    default=_default_wallet,
    show_default="the user data folder's default.coffer",
    help="The wallet file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.pass_context
def cli(ctx: click.Context, wallet_path: Path, as_json: bool) -> None:
    """Coffer: a self-custody wallet for Bitcoin, Litecoin, Dogecoin, Ethereum and EVM chains."""
    ctx.obj = Options(wallet_path, as_json)


def account_row(account: Account) -> dict[str, Any]:
    """Return the JSON-ready description of an account that several commands print."""
    row: dict[str, Any] = {
        "id": account.id,
        "network": account.network.name,
        "index": account.index,
        "kind": account.kind,
        "path": account.path,
        "watch_only": account.watch_only,
        "label": account.label,
        "receive_address": account.receive_address(),
    }
    if isinstance(account, UtxoAccount):
        row["xpub"] = account.export_xpub()
    return row
