"""``coffer sign-message``, ``coffer verify-message`` and ``coffer import-keystore``.

``sign-message`` signs with a key of the wallet (BIP-322, BIP-137, Electrum, EIP-191,
EIP-712) after showing the message and the address; ``verify-message`` needs no wallet and
no password; ``import-keystore`` adds an EVM account from a Web3 Secret Storage key file
(its password from ``COFFER_KEYFILE_PASSWORD`` or a hidden prompt).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import click

from wallet import EvmAccount, MessageCheck, verify_message
from wallet.cli._app import (
    NETWORK,
    Options,
    TextCommand,
    account_row,
    ask_password,
    emit,
    errors,
    open_wallet,
)
from wallet.cli.signing import CliPrompt
from wallet.errors import WalletError

__all__ = ["COMMANDS"]

_MAX_MESSAGE_FILE = 1 << 20
_FORMATS = "bip322-simple, bip322-full, bip137, electrum, eip191 or eip712"


def _read_file(path: Path, what: str, limit: int) -> bytes:
    """Read a regular file of at most ``limit`` bytes (never a pipe or a device).

    Raises:
        WalletError: missing, not a regular file, unreadable or too large.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise WalletError(f"{path} is not a regular file.")
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as err:
        raise WalletError(f"The {what} {path} cannot be read: {err.strerror}.") from None
    if len(data) > limit:
        raise WalletError(f"The {what} {path} is larger than {limit >> 10} KiB.")
    return data


def _message(text: str, from_file: bool) -> bytes | str:
    if from_file:
        return _read_file(Path(text), "message file", _MAX_MESSAGE_FILE)
    return text


@click.command("sign-message", cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.argument("message")
@click.option("--file", "from_file", is_flag=True, help="MESSAGE names a file: sign its bytes.")
@click.option("--account", "account_index", type=click.IntRange(0, 2**31 - 1), default=0)
@click.option("--kind", default=None, help="p2wpkh, p2tr, p2sh-p2wpkh, p2pkh; EVM: standard.")
@click.option("--account-id", type=click.IntRange(1, 2**63 - 1), help="An account by id.")
@click.option("--address", "address", default=None, help="Which address (default: the first).")
@click.option("--format", "fmt", default=None, help=f"One of {_FORMATS}.")
@click.option("--yes", "-y", "assume_yes", is_flag=True, help="Sign without asking.")
@click.pass_obj
def sign_message(
    opts: Options,
    network: str,
    message: str,
    from_file: bool,
    account_index: int,
    kind: str | None,
    account_id: int | None,
    address: str | None,
    fmt: str | None,
    assume_yes: bool,
) -> None:
    """Sign MESSAGE (with --file, the bytes of the file it names) with an account's key.

    Bitcoin-family networks default to BIP-322 simple (BIP-137 for P2PKH accounts); EVM to
    EIP-191 personal_sign. For EIP-712 pass the typed-data JSON with --format eip712.
    """
    with errors(opts):
        content = _message(message, from_file)
    with open_wallet(opts) as wallet, errors(opts):
        if account_id is not None:
            account = wallet.accounts_book.by_id(account_id)
            if account.network.name != network:
                raise WalletError(f"Account {account_id} is not on {network}.")
        else:
            account = wallet.accounts_book.existing(network, account_index, kind)
        net = account.network
        prompt = CliPrompt(assume_yes, net.symbol, net.decimals)
        signed = wallet.messages.sign(account, content, address=address, format=fmt, prompt=prompt)
    result = {
        "network": network,
        "address": signed.address,
        "format": signed.format.value,
        "signature": signed.text,
    }
    emit(opts, result, lambda: click.echo(signed.text))


@click.command("verify-message", cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.argument("address")
@click.argument("signature")
@click.argument("message")
@click.option("--file", "from_file", is_flag=True, help="MESSAGE names the signed file.")
@click.option("--format", "fmt", default=None, help=f"One of {_FORMATS} (default: read).")
@click.pass_obj
def verify_message_command(
    opts: Options,
    network: str,
    address: str,
    signature: str,
    message: str,
    from_file: bool,
    fmt: str | None,
) -> None:
    """Check that SIGNATURE signs MESSAGE (with --file, a file's bytes) for ADDRESS.

    No wallet is opened and no password asked.

    Exits 0 when it does; 1 with one line saying why when it does not (another message,
    another address, a malformed signature or typed data).
    """
    with errors(opts):
        content = _message(message, from_file)
        check: MessageCheck = verify_message(network, address, content, signature, fmt)
    result = {
        "network": check.network,
        "address": check.address,
        "format": check.format.value,
        "valid": True,
    }
    emit(
        opts,
        result,
        lambda: click.echo(f"Valid: signed by {check.address} ({check.format.value})."),
    )


@click.command("import-keystore", cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.argument("keyfile", type=click.Path(path_type=Path))
@click.option("--label", default="", help="The new account's label.")
@click.pass_obj
def import_keystore(opts: Options, network: str, keyfile: Path, label: str) -> None:
    """Import an EVM key from a Web3 Secret Storage file (geth, MetaMask, eth-account).

    The file's password comes from COFFER_KEYFILE_PASSWORD or a hidden prompt; the key is
    sealed in the wallet file. Exit 3 for a wrong key-file password, 1 for a defective file.
    """
    with errors(opts):
        document = _read_file(keyfile, "key file", 1 << 16)
    with open_wallet(opts) as wallet, errors(opts):
        password = ask_password("Key file password", env="COFFER_KEYFILE_PASSWORD")
        account: EvmAccount = wallet.messages.import_keystore(network, document, password, label)
        row = account_row(account)
    emit(opts, row, lambda: click.echo(f"Imported {row['receive_address']} on {network}"))


COMMANDS: tuple[click.Command, ...] = (sign_message, verify_message_command, import_keystore)
