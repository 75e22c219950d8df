"""Commands of the keystore and accounts: create, restore, addresses, xpubs, passwords."""

from __future__ import annotations

import os
from typing import Any

import click

from wallet.accounts import EvmAccount, EvmLayout, UtxoAccount
from wallet.cli._app import (
    NETWORK,
    Options,
    TextCommand,
    account_row,
    ask_password,
    check_new_wallet_folder,
    emit,
    errors,
    open_wallet,
    require_wallet_file,
    table,
)
from wallet.cli.prompts import ask_new_password, ask_phrase, check_backup
from wallet.errors import WalletError
from wallet.mnemonics import new_mnemonic
from wallet.networks import EvmNetwork, UtxoNetwork, all_networks, network_info
from wallet.wallet import DEFAULT_ACCOUNT_NETWORKS, Wallet, check_new_wallet_path

__all__ = ["COMMANDS"]


@click.command(cls=TextCommand)
@click.option("--words", type=click.Choice(["12", "15", "18", "21", "24"]), default="12")
@click.option("--language", default="english", show_default=True, help="Word-list language.")
@click.option("--passphrase", "with_passphrase", is_flag=True, help="Add a BIP-39 passphrase.")
@click.pass_obj
def create(opts: Options, words: str, language: str, with_passphrase: bool) -> None:
    """Create a wallet with a new recovery phrase, shown once and checked."""
    with errors(opts):
        check_new_wallet_folder(opts)
        check_new_wallet_path(opts.wallet)  # before the words: they must belong to a wallet
        early = ask_new_password() if os.environ.get("COFFER_PASSWORD") else None
        phrase = new_mnemonic(int(words), language)
        check_backup(phrase.replace("\u3000", " ").split())
        passphrase = (
            ask_password("BIP-39 passphrase", confirm=True, env="COFFER_PASSPHRASE")
            if with_passphrase
            else ""
        )
        password = early or ask_new_password()
        wallet = Wallet.create(
            opts.wallet, password, phrase, passphrase, accounts=DEFAULT_ACCOUNT_NETWORKS
        )
        try:
            result = {"wallet": str(wallet.path), "fingerprint": wallet.fingerprint}
        finally:
            wallet.close()
    emit(
        opts,
        result,
        lambda: click.echo(f"Created {result['wallet']} (fingerprint {result['fingerprint']})."),
    )


@click.command(cls=TextCommand)
@click.option(
    "--passphrase", "with_passphrase", is_flag=True, help="The seed has a BIP-39 passphrase."
)
@click.option("--language", default="english", show_default=True, help="Word-list language.")
@click.pass_obj
def restore(opts: Options, with_passphrase: bool, language: str) -> None:
    """Restore a wallet from a recovery phrase (typed word by word, or piped in as one line)."""
    with errors(opts):
        check_new_wallet_folder(opts)
        check_new_wallet_path(opts.wallet)  # before the phrase is typed
        early = ask_new_password() if os.environ.get("COFFER_PASSWORD") else None
        phrase = ask_phrase(language)
        passphrase = (
            ask_password("BIP-39 passphrase", env="COFFER_PASSPHRASE") if with_passphrase else ""
        )
        password = early or ask_new_password()
        wallet = Wallet.restore(
            opts.wallet, password, phrase, passphrase, accounts=DEFAULT_ACCOUNT_NETWORKS
        )
        try:
            result = {"wallet": str(wallet.path), "fingerprint": wallet.fingerprint}
        finally:
            wallet.close()
    emit(
        opts,
        result,
        lambda: click.echo(f"Restored {result['wallet']} (fingerprint {result['fingerprint']})."),
    )


@click.command("create-watch-only", cls=TextCommand)
@click.pass_obj
def create_watch_only(opts: Options) -> None:
    """Create a watch-only wallet (no keys); add accounts with import-xpub and friends."""
    with errors(opts):
        check_new_wallet_folder(opts)
        check_new_wallet_path(opts.wallet)
        wallet = Wallet.create_watch_only(opts.wallet, ask_new_password())
        wallet.close()
    emit(
        opts, {"wallet": str(opts.wallet)}, lambda: click.echo(f"Created watch-only {opts.wallet}.")
    )


@click.command(cls=TextCommand)
@click.pass_obj
def accounts(opts: Options) -> None:
    """List the wallet's accounts."""
    with open_wallet(opts) as wallet:
        rows = [
            account_row(a) for a in wallet.accounts() if isinstance(a, UtxoAccount | EvmAccount)
        ]
    emit(
        opts,
        rows,
        lambda: table(
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


@click.command(cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.option("--index", type=click.IntRange(0, 2**31 - 1), default=None, help="Address index.")
@click.option("--count", type=click.IntRange(1, 10_000), default=1, help="How many from --index.")
@click.option("--account", "account_index", type=click.IntRange(0, 2**31 - 1), default=0)
@click.option(
    "--kind", default=None, help="p2wpkh, p2tr, p2sh-p2wpkh, p2pkh; EVM: standard, ledger-live."
)
@click.option("--change", is_flag=True, help="The change chain (UTXO).")
@click.pass_obj
def address(
    opts: Options,
    network: str,
    index: int | None,
    count: int,
    account_index: int,
    kind: str | None,
    change: bool,
) -> None:
    """Show receive addresses of an account (the next unused one by default)."""
    with open_wallet(opts) as wallet:
        evm = isinstance(network_info(network), EvmNetwork)
        if evm and (index is not None or count > 1 or change):
            # EVM: one address per account, and --index is the account number. Checked before
            # any account is looked up, so that a refusal adds nothing to the wallet.
            if change:
                raise WalletError("EVM accounts have one address each and no change addresses.")
            if index is not None and account_index not in (0, index):
                raise WalletError("For EVM, --index and --account both mean the account number.")
            if kind not in (None, EvmLayout.STANDARD.value):
                raise WalletError(
                    "Only standard-layout EVM accounts are listed together: each Ledger Live "
                    "account has a key of its own, so show them one at a time with --account."
                )
            acct = wallet.account(network, 0)  # its key is every standard account's parent
        else:
            acct = wallet.account(network, account_index, kind)
        if isinstance(acct, UtxoAccount) and (index is not None or change or count > 1):
            infos = acct.addresses(count, index or 0, change=change)
        elif isinstance(acct, UtxoAccount):
            infos = [acct.find_address(acct.receive_address()) or acct.addresses(1)[0]]
        elif isinstance(acct, EvmAccount) and (index is not None or count > 1):
            infos = acct.account_addresses(count, account_index if index is None else index)
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
    emit(
        opts,
        rows if len(rows) > 1 else rows[0],
        lambda: click.echo("\n".join(f"{r['address']}  {r['path'] or ''}" for r in rows)),
    )


_XPUB_VERSION = 0x0488B21E


@click.command(cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.option("--account", "account_index", type=click.IntRange(0, 2**31 - 1), default=0)
@click.option("--kind", default=None)
@click.option("--standard", is_flag=True, help="Plain xpub/tpub instead of the SLIP-132 prefix.")
@click.pass_obj
def xpub(opts: Options, network: str, account_index: int, kind: str | None, standard: bool) -> None:
    """Show an account's extended public key and output descriptor."""
    with open_wallet(opts) as wallet:
        acct = wallet.account(network, account_index, kind)
        if not isinstance(acct, UtxoAccount):
            key = acct.record.xpub
            if key is None:
                raise WalletError("This account watches one address and has no xpub.")
            result = {
                "xpub": key.serialize(_XPUB_VERSION),
                "path": acct.path,
                "fingerprint": acct.fingerprint,
            }
        else:
            result = {
                "xpub": acct.export_xpub(slip132=not standard),
                "descriptor": acct.descriptor(),
                "path": acct.path,
                "fingerprint": acct.fingerprint,
            }
    emit(opts, result, lambda: click.echo("\n".join(f"{k}: {v}" for k, v in result.items())))


@click.command("verify-address", cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.argument("address_text", metavar="ADDRESS")
@click.pass_obj
def verify_address(opts: Options, network: str, address_text: str) -> None:
    """Check an address for a network and whether it belongs to the wallet."""
    with open_wallet(opts) as wallet:
        check = wallet.accounts_book.verify_address(network, address_text)
    result = {
        "valid": True,
        "network": check.network,
        "address": check.address,
        "kind": check.kind,
        "mine": check.is_mine,
        "path": check.owner.path if check.owner else None,
    }
    emit(
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


@click.command("change-password", cls=TextCommand)
@click.pass_obj
def change_password(opts: Options) -> None:
    """Re-encrypt the wallet under a new password."""
    with errors(opts):
        require_wallet_file(opts)
        old = ask_password()
        wallet = Wallet.open(opts.wallet, old)
        try:
            wallet.change_password(old, ask_new_password(env="COFFER_NEW_PASSWORD"))
        finally:
            wallet.close()
    emit(opts, {"changed": True}, lambda: click.echo("Password changed."))


@click.command("import-xpub", cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.argument("key")
@click.option("--kind", default=None)
@click.option("--label", default="")
@click.pass_obj
def import_xpub(opts: Options, network: str, key: str, kind: str | None, label: str) -> None:
    """Watch an account by its xpub/ypub/zpub, or by an output descriptor."""
    with open_wallet(opts) as wallet:
        if "(" in key:
            acct: UtxoAccount | EvmAccount = wallet.accounts_book.import_descriptor(
                network, key, label
            )
        else:
            acct = wallet.accounts_book.import_xpub(network, key, kind, label)
        row = account_row(acct)
    emit(
        opts,
        row,
        lambda: click.echo(
            f"Watching {row['kind']} account on {row['network']}: {row['receive_address']}"
        ),
    )


@click.command("watch-address", cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.argument("address_text", metavar="ADDRESS")
@click.option("--label", default="")
@click.pass_obj
def watch_address(opts: Options, network: str, address_text: str, label: str) -> None:
    """Watch one EVM address."""
    with open_wallet(opts) as wallet:
        row = account_row(wallet.accounts_book.import_evm_address(network, address_text, label))
    emit(opts, row, lambda: click.echo(f"Watching {row['receive_address']} on {row['network']}"))


@click.command(cls=TextCommand)
@click.pass_obj
def networks(opts: Options) -> None:
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
    emit(
        opts,
        rows,
        lambda: table(
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


@click.command(cls=TextCommand)
def demo() -> None:
    """Run the end-to-end demo on embedded devnets (no network needed)."""
    from wallet.demo import run_demo

    run_demo()


COMMANDS: tuple[click.Command, ...] = (
    create,
    restore,
    create_watch_only,
    accounts,
    address,
    xpub,
    verify_address,
    change_password,
    import_xpub,
    watch_address,
    networks,
    demo,
)
