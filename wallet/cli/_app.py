"""The ``coffer`` group and what every command shares: options, output, errors, prompts.

Every way a command can end is one of the exit codes in ``EXIT_CODES_HELP``, with one line on
stderr when it fails: ``CofferGroup.main`` turns usage errors, Ctrl-C and end of input into
that line, ``fail`` does it for the API's ``WalletError``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from platformdirs import user_data_dir

from wallet.accounts import Account, UtxoAccount
from wallet.agent import open_with_agent
from wallet.errors import (
    FeeTooHigh,
    InvalidWalletPath,
    UnknownNetwork,
    WalletCorrupt,
    WalletError,
    WalletInUse,
    WalletNotFound,
    WalletReadOnly,
    WrongPassword,
)
from wallet.networks import resolve_network
from wallet.signing.devices import HardwareWallet, hardware_wallets
from wallet.wallet import Wallet

if TYPE_CHECKING:  # HWI is an optional extra: its types only for the checker
    from keystore.signers.hwi import ClientOpener

__all__ = [
    "EXIT_CODES_HELP",
    "NETWORK",
    "CofferGroup",
    "Devices",
    "Options",
    "TextCommand",
    "TextGroup",
    "account_row",
    "ask_password",
    "check_new_wallet_folder",
    "cli",
    "emit",
    "errors",
    "fail",
    "open_wallet",
    "require_wallet_file",
    "table",
]

_EXIT_CODES: tuple[tuple[type[WalletError], int], ...] = (
    (WrongPassword, 3),
    (WalletNotFound, 4),
    (WalletCorrupt, 5),
    (InvalidWalletPath, 4),
    (WalletInUse, 6),
)


EXIT_INTERRUPTED = 130

_WIDE_COLUMNS = 100_000  # with --wide: wider than any row, so no cell wraps

EXIT_CODES_HELP = """Exit codes: 0 done; 1 refused or failed (the line on stderr says why); 2 a
mistyped command, option or value; 3 wrong password; 4 no wallet at that path (or a path that
cannot hold one); 5 a damaged wallet file; 6 the wallet is in use by another program; 130
interrupted (Ctrl-C). A failing command prints one line on stderr (with --json, an
{"error": ...} object on stdout) and leaves the wallet file as it was."""


@dataclass(frozen=True, slots=True)
class Devices:
    """How the commands find and open hardware wallets: HWI's, unless the caller says.

    A program that runs the ``cli`` group itself (a test without a device) passes its own
    as click's context object: ``cli.main(args, obj=Devices(find, open_client))``, or
    ``CliRunner().invoke(cli, args, obj=...)``. Nothing else reaches it.

    Attributes:
        find: lists the connected devices (``wallet.hardware_wallets``: HWI's enumerate).
        open_client: opens a device's HWI client; ``None`` is HWI's own ``get_client``.
    """

    find: Callable[[], list[HardwareWallet]] = hardware_wallets
    open_client: ClientOpener | None = None


@dataclass
class Options:
    """What the group's options say, for every command.

    Attributes:
        wallet: the wallet file.
        as_json: print JSON instead of tables.
        default_wallet: ``wallet`` is the default path (not given by ``--wallet``).
        wide: tables never wrap a cell (``--wide``): txids and addresses stay on one line.
        devices: how hardware wallets are found and opened (``Devices``).
    """

    wallet: Path
    as_json: bool
    default_wallet: bool = False
    wide: bool = False
    devices: Devices = field(default_factory=Devices)


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
    if isinstance(err, FeeTooHigh):  # every command that can raise it has the flag
        message += " Pass --allow-high-fee to accept it."
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


def _refuse_undecodable(text: str, what: str) -> str:
    """Return ``text`` if it is valid Unicode (no lone surrogate from undecodable bytes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise WalletError(f"{what} is not valid UTF-8 text.") from err
    return text


def ask_password(
    prompt: str = "Wallet password", *, confirm: bool = False, env: str = "COFFER_PASSWORD"
) -> str:
    """Return the secret from the environment variable ``env``, else from a hidden prompt.

    Raises:
        WalletError: the value is not valid UTF-8 text (bytes the locale cannot decode).
    """
    value = os.environ.get(env)
    if value:
        return _refuse_undecodable(value, env)
    answer = str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True))
    return _refuse_undecodable(answer, f"The {prompt[0].lower()}{prompt[1:]}")


def check_new_wallet_folder(opts: Options) -> None:
    """Refuse to create a wallet in a folder whose parent does not exist (a mistyped path).

    The wallet's own folder may be made (``--wallet new-folder/w.coffer``), and the default
    path's folder always may; a missing folder further up is a typing error, not a request.

    Raises:
        WalletError: the folder above the wallet's folder does not exist, or the wallet's
            folder is a file.
    """
    folder = opts.wallet.parent
    # os.path.isdir, not Path.is_dir: a name too long is False here, and named later.
    if opts.default_wallet or os.path.isdir(folder):
        return
    if os.path.lexists(folder):
        raise WalletError(f"{folder} is not a folder.")
    if not os.path.isdir(folder.parent):
        raise WalletError(f"The folder {folder.parent} does not exist; create it first.")


def require_wallet_file(opts: Options) -> None:
    """Refuse, before any password is asked, a path where no wallet file is.

    Raises:
        WalletNotFound: nothing is at the wallet path (the message says how to make one).
    """
    try:
        os.lstat(opts.wallet)
    except FileNotFoundError:
        raise WalletNotFound(
            f"There is no wallet at {opts.wallet}; make one with `coffer create` "
            "(or `coffer restore`), or name yours with --wallet."
        ) from None
    except OSError:
        return  # a path that cannot be a wallet: Wallet.open names what is wrong with it


@contextmanager
def open_wallet(opts: Options, *, reads_only: bool = False) -> Iterator[Wallet]:
    """Open the wallet for a command; one that ``reads_only`` also works in a read-only folder."""
    with errors(opts):
        require_wallet_file(opts)
        try:
            wallet = open_with_agent(opts.wallet)  # an unlock agent's keys skip the prompt
        except WalletReadOnly:
            if not reads_only:
                raise
            wallet = None  # the agent's keys open read-write only: ask, and read
        if wallet is None:
            password = ask_password()
            try:
                wallet = Wallet.open(opts.wallet, password)
            except WalletReadOnly:
                if not reads_only:
                    raise
                wallet = Wallet.open(opts.wallet, password, read_only=True)
        for warning in wallet.warnings:
            click.echo(f"warning: {warning}", err=True)
        try:
            yield wallet
        finally:
            wallet.close()


def table(
    title: str, columns: list[str], rows: list[list[str]], *, no_wrap: tuple[str, ...] = ()
) -> None:
    """Print a table that never cuts a cell: long ones fold onto more lines.

    The ``no_wrap`` columns never fold. With ``--wide`` no column does, and the table is as
    wide as its longest row (txids, outpoints and addresses stay on one line, for copying).
    """
    from rich.console import Console
    from rich.table import Table

    ctx = click.get_current_context(silent=True)
    opts = ctx.find_object(Options) if ctx is not None else None
    wide = opts is not None and opts.wide
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, no_wrap=wide or column in no_wrap, overflow="fold")
    for row in rows:
        table.add_row(*row)
    Console(width=_WIDE_COLUMNS if wide else None).print(table)


class NetworkName(click.ParamType[str]):
    """A network name as people type it (any case, or a ticker), turned into the registry's."""

    name = "network"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        """Return the registry name, or fail with the list of known names."""
        try:
            return resolve_network(str(value))
        except UnknownNetwork as err:
            self.fail(str(err), param, ctx)


NETWORK = NetworkName()
"""The type of every command's NETWORK argument."""


def _one_line(message: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return " ".join(lines) if lines else "failed."


def _refuse_surrogates(command: click.Command, ctx: click.Context) -> None:
    """Refuse a text parameter holding bytes the locale could not decode.

    Python keeps undecodable bytes of argv as lone surrogates; they cannot be stored or
    compared. Paths are exempt: any bytes are a valid file name.
    """
    for param in command.params:
        if isinstance(param.type, click.Path) or param.name is None:
            continue
        value = ctx.params.get(param.name)
        values = value if isinstance(value, tuple) else (value,)
        for item in values:
            if isinstance(item, str):
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    raise click.BadParameter("not valid UTF-8 text.", ctx, param) from None


def _late_json(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    opts = ctx.find_object(Options)
    if value and opts is not None:
        opts.as_json = True


def _late_wide(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    opts = ctx.find_object(Options)
    if value and opts is not None:
        opts.wide = True


def _late_wallet(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
    opts = ctx.find_object(Options)
    if value is not None and opts is not None:
        opts.wallet = value
        opts.default_wallet = False


def _with_late_options(command: click.Command) -> None:
    """Let ``--json`` and ``--wallet`` also follow the command (``coffer accounts --json``)."""
    names = {opt for param in command.params for opt in getattr(param, "opts", ())}
    if "--json" not in names:
        command.params.append(
            click.Option(
                ["--json"], is_flag=True, expose_value=False, callback=_late_json, hidden=True
            )
        )
    if "--wide" not in names:
        command.params.append(
            click.Option(
                ["--wide"], is_flag=True, expose_value=False, callback=_late_wide, hidden=True
            )
        )
    if "--wallet" not in names:
        command.params.append(
            click.Option(
                ["--wallet"],
                type=click.Path(dir_okay=False, path_type=Path),
                expose_value=False,
                callback=_late_wallet,
                hidden=True,
            )
        )


class TextCommand(click.Command):
    """A command whose text parameters refuse undecodable bytes (see ``_refuse_surrogates``)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse as click does, then refuse undecodable text."""
        rest = super().parse_args(ctx, args)
        _refuse_surrogates(self, ctx)
        return rest


class TextGroup(click.Group):
    """A group of ``TextCommand`` commands; it refuses undecodable text like them."""

    command_class = TextCommand

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse as click does, then refuse undecodable text."""
        rest = super().parse_args(ctx, args)
        _refuse_surrogates(self, ctx)
        return rest

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """Add a command, letting ``--json`` and ``--wallet`` follow it too."""
        _with_late_options(cmd)
        if isinstance(cmd, click.Group):
            for sub in cmd.commands.values():
                _with_late_options(sub)
        super().add_command(cmd, name)


class CofferGroup(TextGroup):
    """The ``coffer`` group: every failure is one line on stderr and a documented exit code."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line; in standalone mode, exit with a code of ``EXIT_CODES_HELP``."""
        if not standalone_mode:
            return super().main(
                args,
                prog_name,
                complete_var,
                False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        try:
            result = super().main(
                args,
                prog_name,
                complete_var,
                False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except click.ClickException as err:  # usage errors (exit 2) included
            click.echo(f"error: {_one_line(err.format_message())}", err=True)
            sys.exit(err.exit_code)
        except click.Abort as err:
            if isinstance(err.__context__, EOFError):
                click.echo("error: no answer: the input ended.", err=True)
                sys.exit(1)
            click.echo("error: interrupted.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except KeyboardInterrupt:
            click.echo("error: interrupted.", err=True)
            sys.exit(EXIT_INTERRUPTED)
        sys.exit(result if isinstance(result, int) else 0)


def _version() -> str:
    try:
        return version("coffer")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


@click.group(
    cls=CofferGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=EXIT_CODES_HELP,
)
@click.option(
    "--wallet",
    "wallet_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="COFFER_WALLET",
    default=None,
    show_default="the user data folder's default.coffer",
    help="The wallet file (also after the command).",
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON instead of tables (also after the command)."
)
@click.option(
    "--wide", is_flag=True, help="Tables never wrap: txids and addresses on one line each."
)
@click.version_option(_version(), "--version", prog_name="coffer", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, wallet_path: Path | None, as_json: bool, wide: bool) -> None:
    """Coffer: a self-custody wallet for Bitcoin, Litecoin, Dogecoin, Ethereum and EVM chains."""
    devices = ctx.obj if isinstance(ctx.obj, Devices) else Devices()
    if wallet_path is None:
        ctx.obj = Options(
            _default_wallet(), as_json, default_wallet=True, wide=wide, devices=devices
        )
    else:
        ctx.obj = Options(wallet_path, as_json, wide=wide, devices=devices)


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
        if account.is_policy:  # its keys are in its descriptor (ADR 0013)
            row["descriptor"] = account.descriptor()
        else:
            row["xpub"] = account.export_xpub()
    return row
