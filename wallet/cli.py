"""The ``coffer`` command line, built on the public API.

Every command takes ``--wallet PATH`` (or ``COFFER_WALLET``) and ``--json``. The password comes
from a hidden prompt, or from ``COFFER_PASSWORD`` for scripts. Errors print one line and exit
non-zero: 3 for a wrong password, 4 for a missing wallet, 5 for a damaged one, 1 otherwise.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click
from platformdirs import user_data_dir

from chains.registry import EvmNetwork, UtxoNetwork, all_networks
from wallet.accounts import EvmAccount, UtxoAccount
from wallet.errors import (
    WalletCorrupt,
    WalletError,
    WalletNotFound,
    WrongPassword,
)
from wallet.mnemonics import new_mnemonic
from wallet.wallet import Wallet

__all__ = ["main"]

_EXIT_CODES: tuple[tuple[type[WalletError], int], ...] = (
    (WrongPassword, 3),
    (WalletNotFound, 4),
    (WalletCorrupt, 5),
)


@dataclass
class _Options:
    wallet: Path
    as_json: bool


def _default_wallet() -> Path:
    return Path(user_data_dir("coffer", appauthor=False)) / "default.coffer"


def _emit(opts: _Options, data: Any, human: Callable[[], None]) -> None:
    if opts.as_json:
        click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))
    else:
        human()


def _fail(opts: _Options, err: WalletError) -> NoReturn:
    code = next((c for kind, c in _EXIT_CODES if isinstance(err, kind)), 1)
    message = str(err).splitlines()[0] if str(err) else type(err).__name__
    if opts.as_json:
        click.echo(json.dumps({"error": {"type": type(err).__name__, "message": message}}))
    else:
        click.echo(f"error: {message}", err=True)
    sys.exit(code)


@contextmanager
def _errors(opts: _Options) -> Iterator[None]:
    try:
        yield
    except WalletError as err:
        _fail(opts, err)


def _password(
    prompt: str = "Wallet password", *, confirm: bool = False, env: str = "COFFER_PASSWORD"
) -> str:
    value = os.environ.get(env)
    if value:
        return value
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True))


@contextmanager
def _open(opts: _Options) -> Iterator[Wallet]:
    with _errors(opts):
        wallet = Wallet.open(opts.wallet, _password())
        try:
            yield wallet
        finally:
            wallet.close()


def _table(title: str, columns: list[str], rows: list[list[str]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
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
    ctx.obj = _Options(wallet_path, as_json)


def _ask_backup(words: list[str]) -> bool:
    rng = secrets.SystemRandom()
    positions = sorted(rng.sample(range(1, len(words) + 1), 3))
    click.echo("To check your backup, type the words at three positions.", err=True)
    for position in positions:
        answer = str(click.prompt(f"Word #{position}", err=True)).strip().lower()
        if answer != words[position - 1]:
            return False
    return True


@cli.command()
@click.option("--words", type=click.Choice(["12", "15", "18", "21", "24"]), default="12")
@click.option("--language", default="english", show_default=True, help="Word-list language.")
@click.option("--passphrase", "with_passphrase", is_flag=True, help="Add a BIP-39 passphrase.")
@click.pass_obj
def create(opts: _Options, words: str, language: str, with_passphrase: bool) -> None:
    """Create a wallet with a new recovery phrase, shown once and checked."""
    with _errors(opts):
        if opts.wallet.exists():
            raise WalletError(f"A wallet already exists at {opts.wallet}.")
        phrase = new_mnemonic(int(words), language)
        listed = phrase.replace("\u3000", " ").split()
        click.echo("\nWrite these words down, in order. They are shown once.\n", err=True)
        for i, word in enumerate(listed, start=1):
            click.echo(f"  {i:2d}. {word}", err=True)
        click.echo("", err=True)
        if not _ask_backup(listed):
            raise WalletError("That word is not the one at that position; no wallet was created.")
        passphrase = (
            _password("BIP-39 passphrase", confirm=True, env="COFFER_PASSPHRASE")
            if with_passphrase
            else ""
        )
        password = _password("New wallet password", confirm=True)
        wallet = Wallet.create(opts.wallet, password, phrase, passphrase)
        try:
            result = {"wallet": str(wallet.path), "fingerprint": wallet.fingerprint}
        finally:
            wallet.close()
    _emit(
        opts,
        result,
        lambda: click.echo(f"Created {result['wallet']} (fingerprint {result['fingerprint']})."),
    )


@cli.command()
@click.option(
    "--passphrase", "with_passphrase", is_flag=True, help="The seed has a BIP-39 passphrase."
)
@click.pass_obj
def restore(opts: _Options, with_passphrase: bool) -> None:
    """Restore a wallet from a recovery phrase (typed at a hidden prompt or piped in)."""
    with _errors(opts):
        phrase = str(click.prompt("Recovery phrase", hide_input=True, err=True))
        passphrase = (
            _password("BIP-39 passphrase", env="COFFER_PASSPHRASE") if with_passphrase else ""
        )
        password = _password("New wallet password", confirm=True)
        wallet = Wallet.restore(opts.wallet, password, phrase, passphrase)
        try:
            result = {"wallet": str(wallet.path), "fingerprint": wallet.fingerprint}
        finally:
            wallet.close()
    _emit(
        opts,
        result,
        lambda: click.echo(f"Restored {result['wallet']} (fingerprint {result['fingerprint']})."),
    )


@cli.command("create-watch-only")
@click.pass_obj
def create_watch_only(opts: _Options) -> None:
    """Create a watch-only wallet (no keys); add accounts with import-xpub and friends."""
    with _errors(opts):
        wallet = Wallet.create_watch_only(
            opts.wallet, _password("New wallet password", confirm=True)
        )
        wallet.close()
    _emit(
        opts, {"wallet": str(opts.wallet)}, lambda: click.echo(f"Created watch-only {opts.wallet}.")
    )


def _account_row(account: UtxoAccount | EvmAccount) -> dict[str, Any]:
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


@cli.command()
@click.pass_obj
def accounts(opts: _Options) -> None:
    """List the wallet's accounts."""
    with _open(opts) as wallet:
        rows = [
            _account_row(a) for a in wallet.accounts() if isinstance(a, UtxoAccount | EvmAccount)
        ]
    _emit(
        opts,
        rows,
        lambda: _table(
            "Accounts",
            ["network", "#", "kind", "path", "receive address", "watch-only"],
            [
                [
                    r["network"],
                    str(r["index"]),
                    r["kind"],
                    r["path"] or "-",
                    r["receive_address"],
                    "yes" if r["watch_only"] else "",
                ]
                for r in rows
            ],
        ),
    )


@cli.command()
@click.argument("network")
@click.option("--index", type=click.IntRange(0, 2**31 - 1), default=None, help="Address index.")
@click.option("--count", type=click.IntRange(1, 10_000), default=1, help="How many from --index.")
@click.option("--account", "account_index", type=click.IntRange(0, 2**31 - 1), default=0)
@click.option(
    "--kind", default=None, help="p2wpkh, p2tr, p2sh-p2wpkh, p2pkh; EVM: standard, ledger-live."
)
@click.option("--change", is_flag=True, help="The change chain (UTXO).")
@click.pass_obj
def address(
    opts: _Options,
    network: str,
    index: int | None,
    count: int,
    account_index: int,
    kind: str | None,
    change: bool,
) -> None:
    """Show receive addresses of an account (the next unused one by default)."""
    with _open(opts) as wallet:
        acct = wallet.account(network, account_index, kind)
        if isinstance(acct, UtxoAccount) and (index is not None or change or count > 1):
            infos = acct.addresses(count, index or 0, change=change)
        elif isinstance(acct, UtxoAccount):
            infos = [acct.find_address(acct.receive_address()) or acct.addresses(1)[0]]
        else:
            infos = acct.addresses()
        rows = [
            {
                "address": i.address,
                "path": i.path,
                "chain": i.chain,
                "index": i.index,
                "used": i.used,
            }
            for i in infos
        ]
    _emit(
        opts,
        rows if len(rows) > 1 else rows[0],
        lambda: click.echo("\n".join(f"{r['address']}  {r['path'] or ''}" for r in rows)),
    )


_XPUB_VERSION = 0x0488B21E


@cli.command()
@click.argument("network")
@click.option("--account", "account_index", type=click.IntRange(0, 2**31 - 1), default=0)
@click.option("--kind", default=None)
@click.option("--standard", is_flag=True, help="Plain xpub/tpub instead of the SLIP-132 prefix.")
@click.pass_obj
def xpub(
    opts: _Options, network: str, account_index: int, kind: str | None, standard: bool
) -> None:
    """Show an account's extended public key and output descriptor."""
    with _open(opts) as wallet:
        acct = wallet.account(network, account_index, kind)
        if not isinstance(acct, UtxoAccount):
            key = acct.record.xpub
            if key is None:
                raise WalletError("This account watches one address and has no xpub.")
            result = {
                "xpub": key.serialize(_XPUB_VERSION),
                "path": _fmt(acct.record.path) if acct.record.path else None,
                "fingerprint": acct.fingerprint,
            }
        else:
            result = {
                "xpub": acct.export_xpub(slip132=not standard),
                "descriptor": acct.descriptor(),
                "path": acct.path,
                "fingerprint": acct.fingerprint,
            }
    _emit(opts, result, lambda: click.echo("\n".join(f"{k}: {v}" for k, v in result.items())))


def _fmt(path: tuple[int, ...]) -> str:
    from keystore.bip32 import format_path

    return format_path(path)


@cli.command("verify-address")
@click.argument("network")
@click.argument("address_text", metavar="ADDRESS")
@click.pass_obj
def verify_address(opts: _Options, network: str, address_text: str) -> None:
    """Check an address for a network and whether it belongs to the wallet."""
    with _open(opts) as wallet:
        check = wallet.verify_address(network, address_text)
    result = {
        "valid": True,
        "network": check.network,
        "address": check.address,
        "kind": check.kind,
        "mine": check.is_mine,
        "path": check.owner.path if check.owner else None,
    }
    _emit(
        opts,
        result,
        lambda: click.echo(
            f"valid {check.kind} address on {check.network}"
            + (
                f"; it is yours ({check.owner.path or 'watch-only'})"
                if check.owner
                else "; not one of yours"
            )
        ),
    )


@cli.command("change-password")
@click.pass_obj
def change_password(opts: _Options) -> None:
    """Re-encrypt the wallet under a new password."""
    with _errors(opts):
        old = _password()
        wallet = Wallet.open(opts.wallet, old)
        try:
            wallet.change_password(
                old, _password("New wallet password", confirm=True, env="COFFER_NEW_PASSWORD")
            )
        finally:
            wallet.close()
    _emit(opts, {"changed": True}, lambda: click.echo("Password changed."))


@cli.command("import-xpub")
@click.argument("network")
@click.argument("key")
@click.option("--kind", default=None)
@click.option("--label", default="")
@click.pass_obj
def import_xpub(opts: _Options, network: str, key: str, kind: str | None, label: str) -> None:
    """Watch an account by its xpub/ypub/zpub, or by an output descriptor."""
    with _open(opts) as wallet:
        if "(" in key:
            acct: UtxoAccount | EvmAccount = wallet.import_descriptor(network, key, label)
        else:
            acct = wallet.import_xpub(network, key, kind, label)
        row = _account_row(acct)
    _emit(
        opts,
        row,
        lambda: click.echo(
            f"Watching {row['kind']} account on {row['network']}: {row['receive_address']}"
        ),
    )


@cli.command("watch-address")
@click.argument("network")
@click.argument("address_text", metavar="ADDRESS")
@click.option("--label", default="")
@click.pass_obj
def watch_address(opts: _Options, network: str, address_text: str, label: str) -> None:
    """Watch one EVM address."""
    with _open(opts) as wallet:
        row = _account_row(wallet.import_evm_address(network, address_text, label))
    _emit(opts, row, lambda: click.echo(f"Watching {row['receive_address']} on {row['network']}"))


@cli.command()
@click.pass_obj
def networks(opts: _Options) -> None:
    """List the networks Coffer knows."""
    rows: list[dict[str, Any]] = []
    for net in all_networks():
        if isinstance(net, UtxoNetwork):
            rows.append(
                {
                    "name": net.name,
                    "family": "utxo",
                    "symbol": net.symbol,
                    "kinds": [k.value for k in net.script_kinds],
                    "testnet": net.is_testnet,
                }
            )
        elif isinstance(net, EvmNetwork):
            rows.append(
                {
                    "name": net.name,
                    "family": "evm",
                    "symbol": net.symbol,
                    "chain_id": net.chain_id,
                    "testnet": net.is_testnet,
                }
            )
    _emit(
        opts,
        rows,
        lambda: _table(
            "Networks",
            ["name", "family", "symbol", "details"],
            [
                [
                    r["name"],
                    r["family"],
                    r["symbol"],
                    ", ".join(r["kinds"]) if "kinds" in r else f"chain id {r['chain_id']}",
                ]
                for r in rows
            ],
        ),
    )


@cli.command()
def demo() -> None:
    """Run the end-to-end demo on embedded devnets (no network needed)."""
    from wallet.demo import run_demo

    run_demo()


def main() -> None:
    """Run the ``coffer`` command line."""
    cli(prog_name="coffer")
