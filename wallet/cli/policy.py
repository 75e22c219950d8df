"""Commands of policy accounts: multisig, descriptor policies, recovery (inheritance) wallets.

- ``coffer policy key NETWORK``: this wallet's cosigner key (BIP-48), to give to the others.
- ``coffer policy create NETWORK TEXT`` / ``import NETWORK FILE``: a policy account from a
  descriptor, BIP-388 JSON or a Coldcard multisig file.
- ``coffer policy show|export|verify NETWORK``: what a policy account is, its registration
  text, and whether a cosigner's file is the same policy.
- ``coffer multisig create NETWORK M --cosigner KEY ...``: an M-of-N sorted multisig.
- ``coffer recovery create|status|refresh NETWORK``: the owner any time, an heir after N
  blocks; each coin's clock; moving coins to restart their clocks.

The heir spends with ``coffer send NETWORK --kind policy --path recovery ...``. Every command
calls the public ``wallet`` API only. A value given as ``@FILE`` is read from that file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from wallet import RecoveryStatus, SpendPath
from wallet.accounts import UtxoAccount
from wallet.amounts import format_amount, parse_decimal
from wallet.cli._app import (
    EXIT_CODES_HELP,
    NETWORK,
    Options,
    TextGroup,
    emit,
    errors,
    open_wallet,
    table,
)
from wallet.cli._money_io import check_writable, read_text, write_text
from wallet.cli.signing import sign_and_send
from wallet.errors import WalletError
from wallet.wallet import Wallet

__all__ = ["COMMANDS"]

_ACCOUNT = click.option(
    "--account",
    "account_index",
    type=click.IntRange(0, 2**31 - 1),
    default=0,
    show_default=True,
    help="The policy account's number on that network.",
)


def _text(value: str) -> str:
    """Return ``value``, or the contents of the file ``@PATH`` names (never waiting on a pipe)."""
    return read_text(Path(value[1:])) if value.startswith("@") else value


def _policy_account(wallet: Wallet, network: str, index: int) -> UtxoAccount:
    account = wallet.accounts_book.existing(network, index, "policy")
    if not isinstance(account, UtxoAccount):  # pragma: no cover - policy accounts are UTXO
        raise WalletError(f"{network} has no policy accounts.")
    return account


def _path_row(path: SpendPath) -> dict[str, Any]:
    return {
        "name": path.name,
        "description": path.description,
        "older_blocks": path.older_blocks,
        "key_path": path.key_path,
        "input_vbytes": (path.input_size.weight + 3) // 4,
    }


def _account_row(account: UtxoAccount) -> dict[str, Any]:
    view = account.policy()
    return {
        "network": account.network.name,
        "account": account.index,
        "label": account.label,
        "watch_only": account.watch_only,
        "kind": view.kind,
        "descriptor": view.descriptor,
        "threshold": view.threshold,
        "keys": [
            {"key": k.expression, "fingerprint": k.fingerprint, "path": k.path, "own": k.is_own}
            for k in view.keys
        ],
        "spending_paths": list(view.spending_paths),
        "paths": [_path_row(p) for p in account.spend_paths()],
        "receive_address": account.receive_address(),
    }


def _show(opts: Options, account: UtxoAccount) -> None:
    row = _account_row(account)

    def human() -> None:
        click.echo(f"{row['network']} policy account {row['account']}: {row['kind']}")
        if row["label"]:
            click.echo(f"label: {row['label']}")
        click.echo(f"descriptor: {row['descriptor']}")
        for key in row["keys"]:
            own = " (this wallet)" if key["own"] else ""
            click.echo(f"key: {key['key']}{own}")
        for path in row["paths"] or [{"name": "", "description": d} for d in row["spending_paths"]]:
            name = f"{path['name']}: " if path["name"] else ""
            click.echo(f"spend: {name}{path['description']}")
        click.echo(f"receive: {row['receive_address']}")

    emit(opts, row, human)


# -- coffer policy ---------------------------------------------------------------------------


@click.group(cls=TextGroup, epilog=EXIT_CODES_HELP)
def policy() -> None:
    """Policy accounts: multisig and miniscript descriptors (keys from several people)."""


@policy.command("key")
@click.argument("network", type=NETWORK)
@click.option("--index", type=click.IntRange(0, 2**31 - 1), default=0, show_default=True)
@click.option("--script", type=click.Choice(["wsh", "tr"]), default="wsh", show_default=True)
@click.pass_obj
def policy_key(opts: Options, network: str, index: int, script: str) -> None:
    """Print this wallet's cosigner key ([fingerprint/48h/coin/index/type]xpub, BIP-48)."""
    with open_wallet(opts) as wallet:
        key = wallet.custody.cosigner_key(network, index, script)
    emit(opts, {"network": network, "key": key, "script": script}, lambda: click.echo(key))


@policy.command("create")
@click.argument("network", type=NETWORK)
@click.argument("policy_text", metavar="DESCRIPTOR")
@click.option("--label", default="", help="A name for the account.")
@click.pass_obj
def policy_create(opts: Options, network: str, policy_text: str, label: str) -> None:
    """Add a policy account from a descriptor (.../<0;1>/*), BIP-388 JSON or @FILE."""
    with errors(opts):
        text = _text(policy_text)
    with open_wallet(opts) as wallet:
        account = wallet.custody.create_policy_account(network, text, label)
        _show(opts, account)


@policy.command("import")
@click.argument("network", type=NETWORK)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--label", default="", help="A name for the account.")
@click.pass_obj
def policy_import(opts: Options, network: str, file: Path, label: str) -> None:
    """Add a policy account from a file: descriptor, BIP-388 JSON or Coldcard multisig file."""
    with errors(opts):
        text = read_text(file)
    with open_wallet(opts) as wallet:
        account = wallet.custody.create_policy_account(network, text, label)
        _show(opts, account)


@policy.command("show")
@click.argument("network", type=NETWORK)
@_ACCOUNT
@click.pass_obj
def policy_show(opts: Options, network: str, account_index: int) -> None:
    """Show a policy account: its keys (this wallet's marked) and who can spend, when."""
    with open_wallet(opts, reads_only=True) as wallet:
        _show(opts, _policy_account(wallet, network, account_index))


@policy.command("export")
@click.argument("network", type=NETWORK)
@_ACCOUNT
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["descriptor", "bip388", "coldcard"]),
    default="descriptor",
    show_default=True,
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.pass_obj
def policy_export(
    opts: Options, network: str, account_index: int, fmt: str, out: Path | None
) -> None:
    """Print (or write to --out) the registration every cosigner and the heir keep."""
    if out is not None:
        with errors(opts):
            check_writable(out)
    with open_wallet(opts, reads_only=True) as wallet:
        text = _policy_account(wallet, network, account_index).policy_export(fmt)
        if out is not None:
            write_text(out, text if text.endswith("\n") else text + "\n")
    data = {"network": network, "format": fmt, "text": text, "file": str(out) if out else None}
    emit(opts, data, lambda: click.echo(text if out is None else f"Wrote {out}"))


@policy.command("verify")
@click.argument("network", type=NETWORK)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_ACCOUNT
@click.pass_obj
def policy_verify(opts: Options, network: str, file: Path, account_index: int) -> None:
    """Check that a cosigner's or device's registration FILE is this account's policy."""
    with errors(opts):
        text = read_text(file)
    with open_wallet(opts, reads_only=True) as wallet:
        _policy_account(wallet, network, account_index).check_policy_file(text)
    data = {"network": network, "file": str(file), "same_policy": True}
    emit(opts, data, lambda: click.echo(f"{file} is this account's policy."))


# -- coffer multisig -------------------------------------------------------------------------


@click.group(cls=TextGroup, epilog=EXIT_CODES_HELP)
def multisig() -> None:
    """Multisig accounts: M signatures of N cosigners' keys."""


@multisig.command("create")
@click.argument("network", type=NETWORK)
@click.argument("threshold", type=click.IntRange(1, 999))
@click.option(
    "--cosigner",
    "cosigners",
    multiple=True,
    required=True,
    help="A cosigner's key export (or @FILE); repeat for each, this wallet's included.",
)
@click.option("--script", type=click.Choice(["wsh", "tr"]), default="wsh", show_default=True)
@click.option("--label", default="", help="A name for the account.")
@click.pass_obj
def multisig_create(
    opts: Options,
    network: str,
    threshold: int,
    cosigners: tuple[str, ...],
    script: str,
    label: str,
) -> None:
    """Add a THRESHOLD-of-N sorted multisig account (wsh, or taproot with no key path)."""
    with errors(opts):
        keys = [_text(c) for c in cosigners]
    with open_wallet(opts) as wallet:
        account = wallet.custody.create_multisig(network, threshold, keys, script, label)
        _show(opts, account)


# -- coffer recovery -------------------------------------------------------------------------


@click.group(cls=TextGroup, epilog=EXIT_CODES_HELP)
def recovery() -> None:
    """Recovery (inheritance) wallets: you any time, a recovery key N blocks after a coin."""


@recovery.command("create")
@click.argument("network", type=NETWORK)
@click.option("--heir", required=True, help="The recovery key's cosigner export (or @FILE).")
@click.option(
    "--after",
    "after_blocks",
    type=int,
    required=True,
    help="N: blocks after each coin confirms (1 to 65535; Bitcoin 144 a day, Litecoin 576).",
)
@click.option("--taproot", is_flag=True, help="Taproot: you on the key path, the heir in a leaf.")
@click.option("--index", type=click.IntRange(0, 2**31 - 1), default=0, show_default=True)
@click.option("--label", default="", help="A name for the account.")
@click.pass_obj
def recovery_create(
    opts: Options,
    network: str,
    heir: str,
    after_blocks: int,
    taproot: bool,
    index: int,
    label: str,
) -> None:
    """Add a recovery wallet; give its `coffer policy export` to the heir to import."""
    with errors(opts):
        key = _text(heir)
    with open_wallet(opts) as wallet:
        account = wallet.custody.create_recovery_wallet(
            network, key, after_blocks, taproot, label, index=index
        )
        _show(opts, account)


def _status_row(status: RecoveryStatus, decimals: int) -> dict[str, Any]:
    return {
        "after_blocks": status.after_blocks,
        "tip_height": status.tip_height,
        "warning": status.warning,
        "summary": status.summary,
        "paths": [_path_row(p) for p in status.paths],
        "soonest": status.soonest.outpoint if status.soonest is not None else None,
        "coins": [
            {
                "outpoint": c.outpoint,
                "value": c.value,
                "amount": format_amount(c.value, decimals),
                "confirmations": c.confirmations,
                "blocks_left": c.blocks_left,
                "days_left": None if c.days_left is None else round(c.days_left, 2),
                "opens_at_height": c.opens_at_height,
                "note": c.note,
                "warning": c.warning,
            }
            for c in status.coins
        ],
    }


@recovery.command("status")
@click.argument("network", type=NETWORK)
@_ACCOUNT
@click.option("--no-sync", is_flag=True, help="Use what the last sync saw; no server asked.")
@click.pass_obj
def recovery_status(opts: Options, network: str, account_index: int, no_sync: bool) -> None:
    """Show each coin's clock: blocks and days until the recovery key can spend it."""
    with open_wallet(opts, reads_only=no_sync) as wallet:
        account = _policy_account(wallet, network, account_index)
        if not no_sync:
            account.sync()
        status = account.recovery_status()
        symbol, decimals = account.network.symbol, account.network.decimals
    row = _status_row(status, decimals)

    def human() -> None:
        click.echo(status.summary)
        table(
            f"Recovery clock (N = {status.after_blocks} blocks, tip {status.tip_height})",
            ["outpoint", "amount", "conf", "blocks left", "days", "note"],
            [
                [
                    c["outpoint"],
                    f"{c['amount']} {symbol}",
                    str(c["confirmations"]),
                    "-" if c["blocks_left"] is None else str(c["blocks_left"]),
                    "-" if c["days_left"] is None else f"{c['days_left']:.2f}",
                    ("WARNING: " if c["warning"] else "") + c["note"],
                ]
                for c in row["coins"]
            ],
        )

    emit(opts, row, human)


@recovery.command("refresh")
@click.argument("network", type=NETWORK)
@_ACCOUNT
@click.option("--utxo", "utxos", multiple=True, help="Refresh this coin (TXID:N); repeatable.")
@click.option(
    "--within",
    "within_blocks",
    type=click.IntRange(0, 65535),
    default=None,
    help="Only coins whose recovery path opens within this many blocks.",
)
@click.option("--fee", type=click.Choice(["slow", "normal", "fast"]), default="normal")
@click.option("--fee-rate", default=None, help="Custom rate in sat/vB.")
@click.option("--allow-high-fee", is_flag=True, help="Accept a fee above the wallet's caps.")
@click.option("--yes", "assume_yes", is_flag=True, help="Do not ask before signing.")
@click.pass_obj
def recovery_refresh(
    opts: Options,
    network: str,
    account_index: int,
    utxos: tuple[str, ...],
    within_blocks: int | None,
    fee: str,
    fee_rate: str | None,
    allow_high_fee: bool,
    assume_yes: bool,
) -> None:
    """Move coins to the account's next address (owner path): their clocks start again."""
    with errors(opts):
        rate = None if fee_rate is None else parse_decimal(fee_rate, "fee rate")
    with open_wallet(opts) as wallet:
        account = _policy_account(wallet, network, account_index)
        account.sync()
        draft = account.prepare_refresh(
            fee,
            fee_rate=rate,
            coins=utxos or None,
            within_blocks=within_blocks,
            allow_high_fee=allow_high_fee,
        )
        txid = sign_and_send(wallet, account, draft, assume_yes)
        decimals = account.network.decimals
    data = {
        "network": network,
        "txid": txid,
        "coins": [str(c.outpoint) for c in draft.inputs],
        "fee": format_amount(draft.fee, decimals),
    }
    emit(opts, data, lambda: click.echo(f"Refreshed {len(draft.inputs)} coins: {txid}"))


COMMANDS: tuple[click.Command, ...] = (policy, multisig, recovery)
