"""Commands of the EVM family: tokens, collectibles, speed-up, cancel and the explorer key.

``coffer send NETWORK --token SYMBOL|ADDRESS`` and ``--nft CONTRACT:ID`` reach
``prepare_send`` here; ``coffer balance`` adds ``token_balance_rows``. ``--fee-rate`` is in
gwei: the EIP-1559 fee cap, or the gas price on chains without EIP-1559.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import click

from wallet.accounts import EvmAccount
from wallet.amounts import format_amount, parse_decimal, to_base_units
from wallet.cli._app import (
    NETWORK,
    Options,
    TextCommand,
    TextGroup,
    emit,
    errors,
    open_wallet,
    table,
)
from wallet.cli.chain_args import SendArgs
from wallet.cli.signing import sign_and_send
from wallet.errors import InvalidAmount, TransactionNotFound, WalletError
from wallet.evm.types import EvmDraft
from wallet.networks import EvmNetwork, network_info
from wallet.types import Draft
from wallet.wallet import Wallet

__all__ = ["COMMANDS", "prepare_send", "token_balance_rows"]


def _gwei(rate: Decimal | None) -> int | None:
    if rate is None:
        return None
    try:
        return to_base_units(rate, 9, "gwei", allow_zero=True)
    except InvalidAmount as err:
        raise WalletError(f"The fee rate is in gwei with at most 9 decimals: {err}") from None


def _fee_fields(account: EvmAccount, args: SendArgs) -> dict[str, int | None]:
    wei = _gwei(args.fee_rate)
    if account.evm_network.eip1559:
        return {"max_fee_per_gas": wei}
    return {"max_fee_per_gas": None, "gas_price": wei}


def _digits(text: str) -> int | None:
    """Return ASCII decimal digits as an int below 2**256, else None (not superscripts)."""
    text = text.strip()
    if not text or len(text) > 78 or not all("0" <= c <= "9" for c in text):
        return None
    value = int(text)
    return value if value < 2**256 else None


def _nft(text: str) -> tuple[str, int]:
    contract, _, token_text = text.rpartition(":")
    token_id = _digits(token_text)
    if not contract or token_id is None:
        raise WalletError("--nft takes CONTRACT:TOKEN_ID, for example 0xAbC...:42.")
    return contract, token_id


def check_send_args(args: SendArgs) -> None:
    """Refuse the options of ``coffer send`` that no EVM account can use, before any is read.

    Raises:
        WalletError: several recipients, coin control, a malformed --nft, --max with a
            token, a fee rate with more than 9 decimals of gwei.
    """
    if len(args.recipients) != 1:
        raise WalletError("An EVM transaction has one recipient: give one --to.")
    if args.utxos:
        raise WalletError("--utxo is coin control for Bitcoin-family networks.")
    if args.nft:
        _nft(args.nft)
    if args.send_max and args.token:
        raise WalletError("--max sends the network's own coin; give the token amount.")
    _gwei(args.fee_rate)


def prepare_send(account: EvmAccount, args: SendArgs) -> Draft:
    """Turn the options of ``coffer send`` into a draft for an EVM account.

    Raises:
        WalletError: options EVM cannot use (several recipients, coin control), or any
            error of ``EvmAccount.prepare_send`` / ``send_max`` / ``prepare_nft_transfer``.
    """
    check_send_args(args)
    to, amount = args.recipients[0]
    fee = args.fee or "normal"
    fees = _fee_fields(account, args)
    if args.nft:
        contract, token_id = _nft(args.nft)
        count = 1 if amount is None else _whole(amount)
        if "gas_price" in fees:
            raise WalletError("--fee-rate with --nft needs an EIP-1559 network.")
        return account.prepare_nft_transfer(
            to,
            contract,
            token_id,
            count,
            fee,
            max_fee_per_gas=fees["max_fee_per_gas"],
            allow_high_fee=args.allow_high_fee,
        )
    if args.send_max:
        if args.token:
            raise WalletError("--max sends the network's own coin; give the token amount.")
        return account.send_max(to, fee, allow_high_fee=args.allow_high_fee, **fees)
    if amount is None:
        raise WalletError("Give an --amount.")
    return account.prepare_send(
        to, amount, fee, token=args.token, allow_high_fee=args.allow_high_fee, **fees
    )


def _whole(text: str) -> int:
    count = _digits(text)
    if count is None:
        raise WalletError("The number of collectible items is a whole number.")
    return count


def token_balance_rows(account: EvmAccount) -> list[dict[str, Any]]:
    """Return the ``coffer balance`` rows of the account's tokens (after the coin's row)."""
    rows = []
    for b in account.token_balances():
        rows.append(
            {
                "network": b.network,
                "account": account.index,
                "kind": "token",
                "symbol": b.symbol,
                "token": b.token,
                "confirmed": format_amount(b.confirmed, b.decimals),
                "total": format_amount(b.total, b.decimals),
                "unconfirmed": format_amount(b.unconfirmed, b.decimals),
                "display": str(b),
            }
        )
    return rows


def _evm_account(wallet: Wallet, network: str, index: int) -> EvmAccount:
    account = wallet.account(network, index)
    if not isinstance(account, EvmAccount):
        raise WalletError(f"{network} is not an EVM network.")
    return account


def _network(name: str) -> EvmNetwork:
    net = network_info(name)
    if not isinstance(net, EvmNetwork):
        raise WalletError(f"{net.title} is not an EVM network.")
    return net


_ACCOUNT = click.option("--account", "account_index", type=click.IntRange(0, 2**31 - 1), default=0)


@click.group(cls=TextGroup)
def tokens() -> None:
    """List the tokens of an EVM network, or add a custom token by its contract."""


@tokens.command("list")
@click.argument("network", type=NETWORK)
@_ACCOUNT
@click.option("--all", "show_all", is_flag=True, help="Also tokens the account does not hold.")
@click.pass_obj
def tokens_list(opts: Options, network: str, account_index: int, show_all: bool) -> None:
    """Show the network's tokens with the account's balances of the last sync."""
    with open_wallet(opts) as wallet, errors(opts):
        holdings = _evm_account(wallet, network, account_index).token_holdings()
    rows: list[dict[str, Any]] = [
        {
            "contract": h.contract,
            "symbol": h.symbol,
            "name": h.name,
            "decimals": h.decimals,
            "balance": None if h.balance is None else format_amount(h.balance, h.decimals),
            "custom": h.custom,
            "logo_uri": h.logo_uri,
        }
        for h in holdings
        if show_all or h.custom or h.balance
    ]
    emit(
        opts,
        rows,
        lambda: table(
            f"Tokens on {network}",
            ["symbol", "balance", "contract", "name", "custom"],
            [
                [
                    r["symbol"],
                    r["balance"] or "-",
                    r["contract"],
                    r["name"],
                    "yes" if r["custom"] else "",
                ]
                for r in rows
            ],
        ),
    )


@tokens.command("add")
@click.argument("network", type=NETWORK)
@click.argument("address")
@click.pass_obj
def tokens_add(opts: Options, network: str, address: str) -> None:
    """Add a custom token by its contract address (read on chain)."""
    with open_wallet(opts) as wallet, errors(opts):
        h = _evm_account(wallet, network, 0).tokens.add(address)
    row = {"contract": h.contract, "symbol": h.symbol, "name": h.name, "decimals": h.decimals}
    emit(
        opts,
        row,
        lambda: click.echo(f"Added {h.symbol} ({h.name}, {h.decimals} decimals) at {h.contract}."),
    )


@tokens.command("remove")
@click.argument("network", type=NETWORK)
@click.argument("address")
@click.pass_obj
def tokens_remove(opts: Options, network: str, address: str) -> None:
    """Forget a custom token."""
    with open_wallet(opts) as wallet, errors(opts):
        removed = _evm_account(wallet, network, 0).tokens.remove(address)
        if not removed:
            raise WalletError(f"{address} is not one of the custom tokens of {network}.")
    emit(opts, {"removed": address}, lambda: click.echo(f"Removed {address}."))


@click.command(cls=TextCommand)
@click.argument("network", type=NETWORK)
@_ACCOUNT
@click.pass_obj
def nfts(opts: Options, network: str, account_index: int) -> None:
    """Show the collectibles and tickets (ERC-721/1155) the account held at the last sync."""
    with open_wallet(opts) as wallet, errors(opts):
        items = _evm_account(wallet, network, account_index).nfts()
    rows: list[dict[str, Any]] = [
        {
            "contract": c.contract,
            "token_id": str(c.token_id),
            "standard": c.standard,
            "amount": c.amount,
            "name": c.name,
            "description": c.description,
            "image": c.image,
            "uri": c.uri,
            "attributes": [list(a) for a in c.attributes],
            "note": c.note,
        }
        for c in items
    ]
    emit(
        opts,
        rows,
        lambda: table(
            f"Collectibles on {network}",
            ["item", "amount", "name", "image or metadata"],
            [
                [
                    f"{r['contract']} #{r['token_id']}",
                    str(r["amount"]),
                    r["name"] or "",
                    r["image"] or r["uri"] or r["note"] or "",
                ]
                for r in rows
            ],
        ),
    )


def _owner(wallet: Wallet, tx_hash: str) -> EvmAccount:
    wanted = tx_hash.strip().lower()
    for account in wallet.accounts():
        if isinstance(account, EvmAccount) and any(
            s.tx_hash == wanted for s in account.sent_transactions()
        ):
            return account
    raise TransactionNotFound(f"This wallet has sent no transaction {tx_hash[:80]}.")


def _replace(
    opts: Options,
    tx_hash: str,
    fee: str,
    fee_rate: str | None,
    allow_high_fee: bool,
    assume_yes: bool,
    cancel: bool,
) -> None:

    with open_wallet(opts) as wallet, errors(opts):
        wei = _gwei(None if fee_rate is None else parse_decimal(fee_rate, "fee rate"))
        account = _owner(wallet, tx_hash)
        make = account.cancel if cancel else account.speed_up
        draft: EvmDraft = make(tx_hash, fee, max_fee_per_gas=wei, allow_high_fee=allow_high_fee)
        net = account.evm_network
        new_hash = sign_and_send(wallet, account, draft, assume_yes)
    what = "Cancelled" if cancel else "Sped up"
    emit(
        opts,
        {"txid": new_hash, "replaces": draft.replaces, "network": net.name},
        lambda: click.echo(f"{what} {draft.replaces}: {new_hash}"),
    )


_REPLACE_OPTIONS = (
    click.argument("tx_hash"),
    click.option("--fee", type=click.Choice(["slow", "normal", "fast"]), default="fast"),
    click.option("--fee-rate", default=None, help="A fee cap in gwei."),
    click.option("--allow-high-fee", is_flag=True, help="Accept a fee above the wallet's cap."),
    click.option("--yes", "assume_yes", is_flag=True, help="Do not ask before signing."),
)


def _with_replace_options(f: Any) -> Any:
    for option in reversed(_REPLACE_OPTIONS):
        f = option(f)
    return f


@click.command(cls=TextCommand)
@_with_replace_options
@click.pass_obj
def speedup(
    opts: Options,
    tx_hash: str,
    fee: str,
    fee_rate: str | None,
    allow_high_fee: bool,
    assume_yes: bool,
) -> None:
    """Replace a pending EVM transaction with the same one at a higher fee (same nonce)."""
    _replace(opts, tx_hash, fee, fee_rate, allow_high_fee, assume_yes, cancel=False)


@click.command(cls=TextCommand)
@_with_replace_options
@click.pass_obj
def cancel(
    opts: Options,
    tx_hash: str,
    fee: str,
    fee_rate: str | None,
    allow_high_fee: bool,
    assume_yes: bool,
) -> None:
    """Cancel a pending EVM transaction: a 0-value transfer to yourself with its nonce."""
    _replace(opts, tx_hash, fee, fee_rate, allow_high_fee, assume_yes, cancel=True)


@click.command("explorer-key", cls=TextCommand)
@click.argument("network", type=NETWORK)
@click.argument("key", required=False)
@click.option("--clear", is_flag=True, help="Forget the key.")
@click.option("--url", default=None, help="Another Etherscan-compatible API URL.")
@click.pass_obj
def explorer_key_command(
    opts: Options, network: str, key: str | None, clear: bool, url: str | None
) -> None:
    """Set the Etherscan-compatible API key of a network (its history comes from there)."""
    with open_wallet(opts) as wallet, errors(opts):
        net = _network(network)
        if clear:
            wallet.settings.set_explorer_key(net.name, None)
        elif key is not None:
            wallet.settings.set_explorer_key(net.name, key)
        if url is not None:
            wallet.settings.set_explorer_url(net.name, url or None)
        has_key = wallet.settings.explorer_key_set(net.name)
        api = wallet.settings.explorer_url(net.name)
    # The key is a credential: it is never printed back, only whether one is set.
    row = {"network": net.name, "key_set": has_key, "url": api}
    emit(
        opts,
        row,
        lambda: click.echo(
            f"{net.title}: explorer {api or 'none'}, API key {'set' if has_key else 'not set'}."
        ),
    )


COMMANDS: tuple[click.Command, ...] = (tokens, nfts, speedup, cancel, explorer_key_command)
