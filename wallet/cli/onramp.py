"""On-ramp commands: ``coffer buy keys|open|check|list`` and ``coffer sell`` (MoonPay).

The provider's keys are stored in the encrypted wallet file; the secret comes from
``COFFER_ONRAMP_SECRET`` or a hidden prompt, and is never printed.
"""

from __future__ import annotations

import webbrowser
from decimal import Decimal

import click

from wallet.amounts import parse_decimal
from wallet.cli._app import (
    NetworkName,
    Options,
    TextGroup,
    ask_password,
    emit,
    errors,
    open_wallet,
    table,
)
from wallet.errors import WalletError

__all__ = ["COMMANDS"]


# -- buy ---------------------------------------------------------------------------------------


@click.group(cls=TextGroup)
def buy() -> None:
    """Buy coins through an on-ramp provider (MoonPay): a signed widget URL, then the match."""


@buy.command("keys")
@click.argument("provider")
@click.option("--api-key", help="The publishable key (pk_...); the secret key is asked for.")
@click.option("--clear", is_flag=True, help="Remove the provider's keys.")
@click.pass_obj
def buy_keys(opts: Options, provider: str, api_key: str | None, clear: bool) -> None:
    """Store PROVIDER's keys in the encrypted wallet (the secret: COFFER_ONRAMP_SECRET or asked)."""
    with errors(opts):
        if not clear and not api_key:
            raise WalletError("Pass --api-key (the secret key is asked for), or --clear.")
    with open_wallet(opts) as wallet, errors(opts):
        if clear:
            wallet.onramp.set_keys(provider, None)
        else:
            secret = ask_password(f"{provider} secret key", env="COFFER_ONRAMP_SECRET")
            wallet.onramp.set_keys(provider, api_key, secret)
    emit(
        opts,
        {"provider": provider.lower(), "keys_set": not clear},
        lambda: click.echo(f"{'Removed' if clear else 'Stored'} the {provider.lower()} keys."),
    )


@buy.command("open")
@click.argument("provider")
@click.argument("network", type=NetworkName())
@click.option("--fiat", default="EUR", show_default=True, help="The currency to pay with.")
@click.option("--amount", help="The amount to pay (else chosen in the widget).")
@click.option("--no-browser", is_flag=True, help="Print the URL only.")
@click.pass_obj
def buy_open(
    opts: Options, provider: str, network: str, fiat: str, amount: str | None, no_browser: bool
) -> None:
    """Open PROVIDER's widget to buy NETWORK's coin, paid to a fresh receive address."""
    with errors(opts):
        value: Decimal | None = None if amount is None else parse_decimal(amount)
    with open_wallet(opts) as wallet, errors(opts):
        link = wallet.onramp.buy(provider, network, fiat, value)
    opened = False
    if not no_browser and not opts.as_json:
        opened = webbrowser.open(link.url)
    emit(
        opts,
        {"purchase": link.purchase_id, "url": link.url, "address": link.target.address},
        lambda: click.echo(
            f"Purchase {link.purchase_id} to {link.target.address}"
            + (" (opened in the browser)" if opened else "")
            + f":\n{link.url}\nRun `coffer buy check` after the coins arrive and a sync."
        ),
    )


@buy.command("check")
@click.pass_obj
def buy_check(opts: Options) -> None:
    """Match pending purchases to the coins that arrived (after a sync)."""
    with open_wallet(opts) as wallet, errors(opts):
        matched = wallet.onramp.check()
    rows = [
        {"purchase": p.id, "txid": p.txid, "amount": str(p.amount), "asset": p.asset}
        for p in matched
    ]
    emit(
        opts,
        rows,
        lambda: click.echo(
            "\n".join(
                f"Purchase {r['purchase']}: {r['amount']} {r['asset']} in {r['txid']}" for r in rows
            )
            or "No purchase has arrived yet."
        ),
    )


@buy.command("list")
@click.pass_obj
def buy_list(opts: Options) -> None:
    """List the purchases, pending or received."""
    with open_wallet(opts, reads_only=True) as wallet, errors(opts):
        purchases = wallet.onramp.purchases()
    rows = [
        {
            "purchase": p.id,
            "provider": p.provider,
            "address": p.address,
            "asset": p.asset,
            "paid": f"{p.fiat_amount or '?'} {p.fiat_currency}",
            "txid": p.txid,
            "amount": None if p.amount is None else str(p.amount),
        }
        for p in purchases
    ]
    emit(
        opts,
        rows,
        lambda: table(
            "Purchases",
            ["#", "Provider", "Address", "Paid", "Received"],
            [
                [
                    str(r["purchase"]),
                    str(r["provider"]),
                    str(r["address"]),
                    str(r["paid"]),
                    "pending" if r["txid"] is None else f"{r['amount']} {r['asset']} {r['txid']}",
                ]
                for r in rows
            ],
            no_wrap=("Address",),
        ),
    )


# -- sell --------------------------------------------------------------------------------------


@click.command("sell")
@click.argument("provider")
@click.argument("network", type=NetworkName())
@click.option("--fiat", default="EUR", show_default=True, help="The currency to be paid out in.")
@click.option("--amount", help="The coins to sell (else chosen in the widget).")
@click.option("--no-browser", is_flag=True, help="Print the URL only.")
@click.pass_obj
def sell(
    opts: Options, provider: str, network: str, fiat: str, amount: str | None, no_browser: bool
) -> None:
    """Open PROVIDER's widget to sell NETWORK's coin (refunds to a fresh receive address).

    The widget shows the provider's deposit address: pay it with `coffer send`.
    """
    with errors(opts):
        value: Decimal | None = None if amount is None else parse_decimal(amount)
    with open_wallet(opts) as wallet, errors(opts):
        link = wallet.onramp.sell(provider, network, fiat, value)
    opened = False
    if not no_browser and not opts.as_json:
        opened = webbrowser.open(link.url)
    emit(
        opts,
        {"url": link.url, "refund_address": link.target.address},
        lambda: click.echo(
            f"Sale of {link.target.asset} (refunds to {link.target.address})"
            + (" (opened in the browser)" if opened else "")
            + f":\n{link.url}\nSend the coins to the deposit address the widget shows "
            f"(`coffer send {link.target.network} --to ADDRESS --amount A`)."
        ),
    )


COMMANDS: tuple[click.Command, ...] = (buy, sell)
