"""``coffer prices`` and ``coffer portfolio``: prices and rates, and every holding valued.

Both call the public API alone (``Wallet.prices``, ``Wallet.portfolio``, ``Wallet.net_worth``,
``Wallet.settings``). A price that cannot be had is an unknown row or one ``error:`` line
(exit 1), never a zero.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import click

from wallet import NetWorthSeries, Portfolio, Quote, Wallet
from wallet.cli._app import Options, TextCommand, emit, errors, open_wallet, table
from wallet.errors import PriceUnavailable, WalletError

__all__ = ["COMMANDS"]

_MAX_HISTORY_DAYS = 3660


class DayParam(click.ParamType[dt.date]):
    """A calendar day typed as ``YYYY-MM-DD``."""

    name = "date"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        """Return the day, or fail with the expected form."""
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        try:
            if len(text) != 10 or not text.isascii():
                raise ValueError(text)
            return dt.date.fromisoformat(text)
        except ValueError:
            self.fail(f"{text[:40]!r} is not a date as YYYY-MM-DD.", param, ctx)


DAY = DayParam()


def _age(seconds: int | None) -> str:
    if seconds is None:
        return ""
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 172_800:
        return f"{seconds // 3600} h"
    return f"{seconds // 86_400} d"


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{value.quantize(Decimal('0.01')):+f}%"


def _quote_row(asset: str, quote: Quote | PriceUnavailable) -> dict[str, Any]:
    if isinstance(quote, PriceUnavailable):
        return {"asset": asset, "base": quote.base, "price": None, "reason": quote.reason}
    return {
        "asset": quote.asset,
        "base": quote.base,
        "price": str(quote.rate),
        "day": None if quote.day is None else quote.day.isoformat(),
        "change_24h": None if quote.change_24h is None else str(quote.change_24h),
        "source": quote.source,
        "as_of": quote.as_of.isoformat(),
        "age_s": quote.age_s,
        "offline": quote.offline,
        "note": quote.note,
    }


def _price_text(price: str | None) -> str:
    if price is None:
        return "unknown"
    value = Decimal(price)
    places = Decimal("0.01") if abs(value) >= 1 else Decimal("0.00000001")
    return f"{value.quantize(places):,f}"


def _parse_url_setting(text: str) -> tuple[str, str | None]:
    name, sep, url = text.partition("=")
    if not sep:
        raise WalletError(f"{text[:40]!r} is not NAME=URL (or NAME= to reset).")
    return name, url or None


def _held_assets(wallet: Wallet) -> list[str]:
    assets = []
    for source in wallet.holdings_sources[:1]:  # the crypto accounts
        for holding in source.holdings():
            if holding.asset is not None and holding.asset not in assets:
                assets.append(holding.asset)
    return assets or ["BTC", "ETH"]


@click.command(cls=TextCommand)
@click.argument("asset", required=False)
@click.option("--base", default=None, help="The currency (ISO 4217); default: the setting.")
@click.option("--date", "day", type=DAY, default=None, help="A past day's close (YYYY-MM-DD).")
@click.option("--refresh", is_flag=True, help="Ask the provider even if a recent price is cached.")
@click.option("--offline", is_flag=True, help="Answer from the cache alone.")
@click.option("--set-base", default=None, help="Store the base currency (ISO 4217) and stop.")
@click.option(
    "--set-url",
    "set_urls",
    multiple=True,
    help="Point a provider at another base URL: coingecko=URL, cryptocompare=URL, ecb=URL "
    "(NAME= resets it); then stop.",
)
@click.pass_obj
def prices(
    opts: Options,
    asset: str | None,
    base: str | None,
    day: dt.date | None,
    refresh: bool,
    offline: bool,
    set_base: str | None,
    set_urls: tuple[str, ...],
) -> None:
    """Show the price of ASSET (BTC, bitcoin, NETWORK:CONTRACT, or a currency such as USD).

    Without ASSET: the coins and tokens the wallet holds. Crypto prices come from CoinGecko
    (CryptoCompare for days older than a year), exchange rates from the ECB; each answer
    says its source and age. Offline, the last known price is shown with its age.
    """
    with open_wallet(opts) as wallet, errors(opts):
        if set_base is not None or set_urls:
            changes = [_parse_url_setting(text) for text in set_urls]
            if set_base is not None:
                wallet.settings.set_base_currency(set_base)
            for name, url in changes:
                wallet.settings.set_price_provider_url(name, url)
            result = {
                "base_currency": wallet.settings.base_currency,
                "urls": {
                    name: wallet.settings.price_provider_url(name)
                    for name in ("coingecko", "cryptocompare", "ecb")
                },
            }
            emit(opts, result, lambda: _echo_settings(result))
            return
        if asset is not None:
            quote = wallet.prices.quote(asset, base, day, refresh=refresh, online=not offline)
            rows = [_quote_row(asset, quote)]
        elif day is not None:
            rows = []
            for name in _held_assets(wallet):
                try:
                    rows.append(_quote_row(name, wallet.prices.quote(name, base, day)))
                except PriceUnavailable as err:
                    rows.append(_quote_row(name, err))
        else:
            answers = wallet.prices.current(
                _held_assets(wallet), base, refresh=refresh, online=not offline
            )
            rows = [_quote_row(name, quote) for name, quote in answers.items()]
    emit(opts, rows, lambda: _echo_prices(rows))


def _echo_settings(result: dict[str, Any]) -> None:
    click.echo(f"Base currency: {result['base_currency']}")
    for name, url in result["urls"].items():
        click.echo(f"{name}: {url}")


def _echo_prices(rows: list[dict[str, Any]]) -> None:
    table(
        "Prices",
        ["asset", "price", "24h", "source", "as of", "age", "note"],
        [
            [
                r["asset"],
                f"{_price_text(r['price'])} {r['base']}",
                _pct(None if r.get("change_24h") is None else Decimal(r["change_24h"])),
                r.get("source", ""),
                (r.get("day") or r.get("as_of", "")[:16].replace("T", " ")),
                _age(r.get("age_s")) + (" (offline)" if r.get("offline") else ""),
                r.get("note") or r.get("reason", ""),
            ]
            for r in rows
        ],
        no_wrap=("price",),
    )


def _portfolio_json(folio: Portfolio) -> dict[str, Any]:
    return {
        "base": folio.base,
        "total": str(folio.total),
        "unknown_rows": folio.unknown,
        "change_24h": str(folio.change_24h),
        "change_24h_pct": None if folio.change_24h_pct is None else str(folio.change_24h_pct),
        "rows": [
            {
                "kind": r.holding.kind.value,
                "account": r.holding.account,
                "asset": r.holding.asset,
                "symbol": r.holding.symbol,
                "amount": None if r.holding.amount is None else str(r.holding.amount),
                "value": None if r.value is None else str(r.value),
                "price": None if r.price is None else str(r.price),
                "change_24h": None if r.change_24h is None else str(r.change_24h),
                "source": r.source,
                "as_of": None if r.as_of is None else r.as_of.isoformat(),
                "age_s": r.age_s,
                "offline": r.offline,
                "unknown_reason": r.unknown_reason,
            }
            for r in folio.rows
        ],
        "by_asset": [
            {"asset": a.key, "value": str(a.value), "share": str(a.share)} for a in folio.by_asset
        ],
        "by_kind": [
            {"kind": a.key, "value": str(a.value), "share": str(a.share)} for a in folio.by_kind
        ],
    }


def print_portfolio(folio: Portfolio, echo: Any = click.echo) -> None:
    """Print a portfolio as tables (also used by ``make demo``)."""
    table(
        f"Portfolio in {folio.base}",
        ["account", "asset", "amount", "value", "price", "24h", "source", "age"],
        [
            [
                r.holding.account,
                r.holding.symbol,
                "unknown" if r.holding.amount is None else f"{r.holding.amount.normalize():,f}",
                f"{r.value:,f}" if r.value is not None else f"unknown: {r.unknown_reason}",
                "" if r.price is None else _price_text(str(r.price)),
                _pct(r.change_24h),
                r.source,
                _age(r.age_s) + (" (offline)" if r.offline else ""),
            ]
            for r in folio.rows
        ],
    )
    unknown = f" ({folio.unknown} row(s) unknown, not counted)" if folio.unknown else ""
    change = f"; 24h {folio.change_24h:+,f} {folio.base}" if folio.change_24h else ""
    if folio.change_24h_pct is not None:
        change += f" ({folio.change_24h_pct:+f}%)"
    echo(f"Total: {folio.total:,f} {folio.base}{unknown}{change}")
    if folio.by_kind:
        shares = ", ".join(f"{a.key} {a.share}%" for a in folio.by_kind)
        echo(f"By kind: {shares}")
        shares = ", ".join(f"{a.key} {a.share}%" for a in folio.by_asset)
        echo(f"By asset: {shares}")


def _series_json(series: NetWorthSeries) -> list[dict[str, Any]]:
    return [
        {
            "day": p.day.isoformat(),
            "value": str(p.value),
            "complete": p.complete,
            "missing": [{"asset": s, "reason": r} for s, r in p.missing],
        }
        for p in series.points
    ]


@click.command(cls=TextCommand)
@click.option("--base", default=None, help="The currency (ISO 4217); default: the setting.")
@click.option("--refresh", is_flag=True, help="Ask the providers even if recent prices are cached.")
@click.option("--offline", is_flag=True, help="Value with cached prices alone.")
@click.option(
    "--days",
    type=click.IntRange(1, _MAX_HISTORY_DAYS),
    default=None,
    help="Also show net worth at the end of each of the last DAYS days.",
)
@click.pass_obj
def portfolio(
    opts: Options, base: str | None, refresh: bool, offline: bool, days: int | None
) -> None:
    """Show every holding valued in one currency, the total, and the allocation.

    A holding whose amount or price is unknown is listed with the reason and left out of
    the total (never counted as zero).
    """
    with open_wallet(opts) as wallet, errors(opts):
        folio = wallet.portfolio(base, refresh=refresh, online=not offline)
        series = None
        if days is not None:
            end = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
            start = end - dt.timedelta(days=days - 1)
            series = wallet.net_worth(start, end, folio.base, online=not offline)
    data = _portfolio_json(folio)
    if series is not None:
        data["net_worth"] = _series_json(series)
        data["errors"] = list(series.errors)

    def human() -> None:
        print_portfolio(folio)
        if series is None:
            return
        table(
            f"Net worth in {series.base}",
            ["day", "value", "missing"],
            [
                [
                    p.day.isoformat(),
                    f"{p.value:,f}",
                    "; ".join(f"{s}: {r}" for s, r in p.missing),
                ]
                for p in series.points
            ],
        )
        for error in series.errors:
            click.echo(f"warning: {error}", err=True)

    emit(opts, data, human)


COMMANDS: tuple[click.Command, ...] = (prices, portfolio)
