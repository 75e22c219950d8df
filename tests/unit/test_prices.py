"""The price service against a local server replaying CoinGecko's, CryptoCompare's and the ECB's
documented response formats (``tests/price_replay.py`` says which documents): current and
daily prices, cross rates, the cache offline, missing days, pacing and failing providers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from tests.conftest import PASSWORD
from tests.price_replay import Fault, Market, ReplayServer, business_days
from wallet import Wallet
from wallet.errors import (
    PriceProviderError,
    PriceRateLimited,
    PriceUnavailable,
    UnknownAsset,
    UnknownCurrency,
    WalletError,
)
from wallet.money.prices import Pacing, PriceService

TODAY = date(2026, 6, 15)  # a Monday
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC).timestamp()
USDC = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
FIRST_BTC_DAY = date(2024, 1, 1)


def btc_close(day: date) -> Decimal:
    return Decimal(50_000) + Decimal(day.toordinal() % 997) + Decimal("0.25")


def ecb_rates(day: date) -> dict[str, Decimal]:
    bump = Decimal(day.toordinal() % 7) / 10_000
    return {
        "USD": Decimal("1.0850") + bump,
        "JPY": Decimal("162.50"),
        "GBP": Decimal("0.8550"),
        "CHF": Decimal("0.9400"),
    }


def make_market(today: date = TODAY) -> Market:
    """Return the providers' data: closes from 2024-01-01 to the day before ``today``."""
    first = FIRST_BTC_DAY
    closes = {
        d: btc_close(d) for d in (first + timedelta(days=i) for i in range(1200)) if d < today
    }
    market = Market(today)
    market.closes["bitcoin"] = closes
    market.closes["ethereum"] = {d: Decimal(3000) for d in closes}
    market.symbols = {"BTC": "bitcoin", "ETH": "ethereum"}
    market.live["bitcoin"] = {
        "usd": (Decimal("67000.5"), Decimal("1.5")),
        "eur": (Decimal("61750.25"), Decimal("1.25")),
    }
    market.live["ethereum"] = {"usd": (Decimal("3500"), Decimal("-2.5"))}
    market.tokens[USDC] = {"usd": (Decimal("0.9998"), Decimal("0.01"))}
    market.token_closes[USDC] = {d: Decimal(1) for d in closes if d > today - timedelta(days=365)}
    market.ecb = {d: ecb_rates(d) for d in business_days(date(2023, 12, 1), today)}
    return market


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    server = ReplayServer(make_market())
    yield server
    server.close()


@pytest.fixture
def wallet(abandon_wallet: Wallet, replay: ReplayServer) -> Wallet:
    for name in ("coingecko", "cryptocompare", "ecb"):
        abandon_wallet.settings.set_price_provider_url(name, replay.url(name))
    return abandon_wallet


class Waits:
    """Records the pauses the service asks for instead of waiting them."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self.clock = 0.0

    def sleep(self, seconds: float) -> None:
        self.seconds.append(seconds)
        self.clock += seconds

    def monotonic(self) -> float:
        return self.clock


@pytest.fixture
def waits() -> Waits:
    return Waits()


def service(wallet: Wallet, waits: Waits, **pacing: Pacing) -> PriceService:
    fast = Pacing(timeout_s=2.0)
    return PriceService(
        wallet.database,
        now=lambda: NOW,
        sleep=waits.sleep,
        monotonic=waits.monotonic,
        pacing={"coingecko": fast, "cryptocompare": fast, "ecb": fast, **pacing},
    )


# -- current prices -------------------------------------------------------------------------


def test_current_price_in_the_base_currency_with_its_source_and_age(
    wallet: Wallet, waits: Waits
) -> None:
    prices = service(wallet, waits)
    quote = prices.quote("BTC", "EUR")
    assert quote.rate == Decimal("61750.25")
    assert quote.change_24h == Decimal("1.25")
    assert quote.source == "coingecko"
    assert quote.day is None
    assert quote.age_s == 60
    assert not quote.offline
    assert isinstance(quote.rate, Decimal)


def test_current_price_crossed_through_usd_with_the_ecb(wallet: Wallet, waits: Waits) -> None:
    # CoinGecko has no JPY row for ether here: USD price times the ECB's JPY per USD.
    quote = service(wallet, waits).quote("ETH", "JPY")
    usd_per_eur = ecb_rates(TODAY)["USD"]
    assert quote.rate == Decimal(3500) * (Decimal("162.50") / usd_per_eur)
    assert quote.source == "coingecko+ecb"


def test_a_token_is_priced_by_contract(wallet: Wallet, waits: Waits) -> None:
    quote = service(wallet, waits).quote(f"ethereum:{USDC.upper().replace('0X', '0x')}", "USD")
    assert quote.rate == Decimal("0.9998")
    assert quote.asset == f"token:ethereum:{USDC}"


def test_offline_gives_the_last_known_value_with_its_age(
    wallet: Wallet, waits: Waits, replay: ReplayServer
) -> None:
    service(wallet, waits).quote("BTC", "EUR")
    replay.close()  # the provider is gone
    later = PriceService(
        wallet.database, now=lambda: NOW + 3600, sleep=waits.sleep, monotonic=waits.monotonic
    )
    quote = later.quote("BTC", "EUR")
    assert quote.offline
    assert quote.rate == Decimal("61750.25")
    assert quote.age_s == 3600 + 60
    assert "offline" in quote.note
    cached = later.quote("BTC", "EUR", online=False)
    assert cached.rate == quote.rate


def test_nothing_cached_and_the_provider_down_is_an_error_not_zero(
    wallet: Wallet, waits: Waits, replay: ReplayServer
) -> None:
    replay.close()
    with pytest.raises(PriceUnavailable) as caught:
        service(wallet, waits).quote("BTC", "EUR")
    assert "cannot be reached" in caught.value.reason


# -- daily closes ---------------------------------------------------------------------------


def test_a_recent_day_comes_from_coingecko_in_one_request_for_the_window(
    wallet: Wallet, waits: Waits, replay: ReplayServer
) -> None:
    prices = service(wallet, waits)
    day = TODAY - timedelta(days=10)
    quote = prices.quote("BTC", "USD", day)
    assert quote.rate == btc_close(day)
    assert quote.source == "coingecko"
    assert quote.day == day
    other = prices.quote("BTC", "USD", TODAY - timedelta(days=300))
    assert other.rate == btc_close(TODAY - timedelta(days=300))
    assert replay.count("market_chart/range") == 1  # the second answer came from the cache


def test_an_old_day_comes_from_the_second_provider(
    wallet: Wallet, waits: Waits, replay: ReplayServer
) -> None:
    day = TODAY - timedelta(days=500)
    quote = service(wallet, waits).quote("BTC", "USD", day)
    assert quote.rate == btc_close(day)
    assert quote.source == "cryptocompare"
    assert replay.count("histoday") == 1


def test_a_daily_close_in_eur_uses_that_days_ecb_rate(wallet: Wallet, waits: Waits) -> None:
    day = date(2026, 6, 10)  # a Wednesday
    quote = service(wallet, waits).quote("BTC", "EUR", day)
    assert quote.rate == btc_close(day) / ecb_rates(day)["USD"]
    assert quote.source == "coingecko+ecb"
    assert quote.note == ""


def test_a_day_before_the_coin_traded_is_missing_with_its_reason(
    wallet: Wallet, waits: Waits
) -> None:
    day = FIRST_BTC_DAY - timedelta(days=3)
    with pytest.raises(PriceUnavailable) as caught:
        service(wallet, waits).quote("BTC", "USD", day)
    assert caught.value.day == day.isoformat()
    assert "no price for this day" in caught.value.reason


def test_today_and_the_future_have_no_daily_close(wallet: Wallet, waits: Waits) -> None:
    prices = service(wallet, waits)
    with pytest.raises(PriceUnavailable, match="has not ended"):
        prices.quote("BTC", "USD", TODAY)
    with pytest.raises(PriceUnavailable, match="future"):
        prices.quote("BTC", "USD", TODAY + timedelta(days=3))


def test_missing_days_lists_each_gap_and_never_fills_it(
    wallet: Wallet, waits: Waits, replay: ReplayServer
) -> None:
    gap = TODAY - timedelta(days=20)
    del replay.market.closes["bitcoin"][gap]
    replay.market.compare_gaps.add(gap)
    prices = service(wallet, waits)
    start, end = TODAY - timedelta(days=25), TODAY
    report = prices.backfill(["BTC"], start, end, "USD")
    missing = report.missing["BTC"]
    assert [m.day for m in missing] == [gap, TODAY]
    assert "no price for this day" in missing[0].reason
    assert "not ended" in missing[1].reason
    with pytest.raises(PriceUnavailable):
        prices.quote("BTC", "USD", gap)  # not the day before's price
    assert prices.missing_days("BTC", start, end, "USD") == missing


def test_missing_days_before_a_backfill_say_not_fetched(wallet: Wallet, waits: Waits) -> None:
    day = TODAY - timedelta(days=2)
    missing = service(wallet, waits).missing_days("BTC", day, day, "USD")
    assert [(m.day, m.reason) for m in missing] == [
        (day, "not fetched yet (a backfill fetches it)")
    ]


def test_backfill_covers_a_long_history_with_both_providers_paced(
    wallet: Wallet, waits: Waits, replay: ReplayServer
) -> None:
    prices = service(wallet, waits, coingecko=Pacing(per_minute=30, burst=1, timeout_s=2.0))
    start = FIRST_BTC_DAY
    end = TODAY - timedelta(days=1)
    report = prices.backfill(["BTC", "ETH"], start, end, "EUR")
    assert report.errors == ()
    assert report.missing["BTC"] == []
    assert report.stored["BTC"] == (end - start).days + 1
    # Two coins from CoinGecko, one request each, paced at 30 a minute after a burst of one:
    assert replay.count("market_chart/range") == 2
    assert waits.seconds.count(2.0) >= 1
    again = prices.backfill(["BTC", "ETH"], start, end, "EUR")
    assert again.requests == 0  # everything was cached
    assert prices.cached_close("BTC", date(2024, 3, 4), "USD").rate == btc_close(  # type: ignore[union-attr]
        date(2024, 3, 4)
    )


# -- exchange rates -------------------------------------------------------------------------


def test_fx_cross_rates_against_hand_computed_values(wallet: Wallet, waits: Waits) -> None:
    prices = service(wallet, waits)
    day = date(2026, 6, 10)
    usd = ecb_rates(day)["USD"]  # 1.0850 + 0.0003 = 1.0853 USD per EUR on that day
    assert usd == Decimal("1.0853")
    assert prices.quote("EUR", "USD", day).rate == Decimal("1.0853")
    assert prices.quote("USD", "EUR", day).rate == Decimal(1) / Decimal("1.0853")
    # GBP to JPY: 162.50 / 0.8550 = 190.05847953216374269005847953 (28 digits)
    assert prices.quote("GBP", "JPY", day).rate == Decimal("190.0584795321637426900584795")
    assert prices.convert(Decimal("100"), "GBP", "JPY", day).amount == Decimal("19006")
    assert prices.convert(Decimal("100"), "USD", "EUR", day).amount == Decimal("92.14")
    assert prices.quote("CHF", "CHF", day).rate == 1


def test_a_weekend_uses_fridays_rate_and_says_so(wallet: Wallet, waits: Waits) -> None:
    prices = service(wallet, waits)
    saturday = date(2026, 6, 13)
    quote = prices.quote("USD", "EUR", saturday)
    assert quote.rate == Decimal(1) / ecb_rates(date(2026, 6, 12))["USD"]
    assert "2026-06-12" in quote.note
    assert "weekend" in quote.note


def test_a_currency_the_ecb_does_not_publish_is_missing_with_its_reason(
    wallet: Wallet, waits: Waits
) -> None:
    with pytest.raises(PriceUnavailable, match="BHD"):
        service(wallet, waits).quote("USD", "BHD", date(2026, 6, 10))


def test_an_old_fx_day_reads_the_full_history_file(
    wallet: Wallet, waits: Waits, replay: ReplayServer
) -> None:
    day = date(2024, 2, 7)
    prices = service(wallet, waits)
    assert prices.quote("EUR", "GBP", day).rate == Decimal("0.8550")
    assert replay.count("eurofxref-hist.xml") == 1
    # The full history is kept for USD and the currencies asked for only; another one is
    # fetched when asked, and is not mistaken for a currency the ECB does not publish.
    assert prices.quote("EUR", "CHF", day).rate == Decimal("0.9400")
    assert replay.count("eurofxref-hist.xml") == 2
    assert prices.quote("EUR", "GBP", day - timedelta(days=30)).rate == Decimal("0.8550")
    assert replay.count("eurofxref-hist.xml") == 2


def test_a_day_coingecko_lacks_asks_cryptocompare_for_that_day_alone(
    wallet: Wallet, waits: Waits, replay: ReplayServer
) -> None:
    gap = TODAY - timedelta(days=40)
    replay.market.gecko_gaps.add(gap)
    prices = service(wallet, waits)
    prices.quote("BTC", "USD", gap - timedelta(days=5))  # the CoinGecko window, and the gap
    [first] = [r for r in replay.requests if "histoday" in r]
    assert "limit=0" in first  # the one day CoinGecko lacked, not the 61 around it
    quote = prices.quote("BTC", "USD", gap)
    assert quote.source == "cryptocompare"
    assert quote.rate == btc_close(gap)


# -- failing providers ----------------------------------------------------------------------


def test_a_429_is_retried_after_what_retry_after_says(
    wallet: Wallet, waits: Waits, replay: ReplayServer
) -> None:
    replay.faults["simple/price"] = Fault(429, retry_after="7", times=2)
    quote = service(wallet, waits).quote("BTC", "EUR")
    assert quote.rate == Decimal("61750.25")
    assert waits.seconds[-2:] == [7.0, 7.0]


def test_a_429_that_never_ends_is_reported_as_rate_limited(
    wallet: Wallet, waits: Waits, replay: ReplayServer
) -> None:
    replay.faults["market_chart"] = Fault(429, retry_after="3600", times=99)
    replay.faults["histoday"] = Fault(429, times=99)
    with pytest.raises(PriceRateLimited) as caught:
        service(wallet, waits).quote("BTC", "USD", TODAY - timedelta(days=5))
    assert caught.value.retry_after == 3600


def test_a_500_is_retried_with_backoff(wallet: Wallet, waits: Waits, replay: ReplayServer) -> None:
    replay.faults["simple/price"] = Fault(500, times=3)
    assert service(wallet, waits).quote("BTC", "EUR").rate == Decimal("61750.25")
    assert waits.seconds == [1.0, 2.0, 4.0]


def test_a_provider_failing_over_for_history_falls_back_to_the_other(
    wallet: Wallet, waits: Waits, replay: ReplayServer
) -> None:
    replay.faults["market_chart"] = Fault(503, times=99)
    day = TODAY - timedelta(days=4)
    quote = service(wallet, waits).quote("BTC", "USD", day)
    assert quote.source == "cryptocompare"
    assert quote.rate == btc_close(day)


@pytest.mark.parametrize(
    "body",
    [b"<html>busy</html>", b'{"bitcoin": 12}', b"[1, 2", b'{"bitcoin": {"eur": NaN}}'],
    ids=["html", "wrong-shape", "truncated", "nan"],
)
def test_garbage_is_a_provider_error(
    wallet: Wallet, waits: Waits, replay: ReplayServer, body: bytes
) -> None:
    replay.faults["simple/price"] = Fault(200, body=body, times=99)
    with pytest.raises(PriceUnavailable) as caught:
        service(wallet, waits).quote("BTC", "EUR")
    assert "documented format" in caught.value.reason


def test_garbage_xml_from_the_ecb_is_a_provider_error(
    wallet: Wallet, waits: Waits, replay: ReplayServer
) -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    replay.faults["eurofxref"] = Fault(200, body=bomb, times=99)
    with pytest.raises(PriceProviderError, match="documented format"):
        service(wallet, waits).quote("USD", "EUR", date(2026, 6, 10))


def test_a_slow_provider_times_out_as_a_provider_error(
    wallet: Wallet, waits: Waits, replay: ReplayServer
) -> None:
    replay.faults["eurofxref"] = Fault(200, slow=True, times=99)
    prices = service(wallet, waits, ecb=Pacing(timeout_s=0.3))
    with pytest.raises(PriceProviderError, match="did not answer"):
        prices.quote("USD", "EUR", date(2026, 6, 10))


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["XYZ", "", "EURO", "eu", "12E", "\u20ac"])
def test_an_unknown_currency_is_refused(wallet: Wallet, waits: Waits, code: str) -> None:
    with pytest.raises(UnknownCurrency):
        service(wallet, waits).quote("BTC", code)
    with pytest.raises(UnknownCurrency):
        wallet.settings.set_base_currency(code)


@pytest.mark.parametrize(
    "asset", ["NOPE", "sepolia:0x" + "11" * 20, "ethereum:0x12", "", "bitcoin:xyz"]
)
def test_an_unknown_asset_is_refused(wallet: Wallet, waits: Waits, asset: str) -> None:
    with pytest.raises(UnknownAsset):
        service(wallet, waits).quote(asset, "EUR")


def test_bad_ranges_are_refused(wallet: Wallet, waits: Waits) -> None:
    prices = service(wallet, waits)
    with pytest.raises(WalletError, match="before it starts"):
        prices.missing_days("BTC", TODAY, TODAY - timedelta(days=1))
    with pytest.raises(WalletError, match="at most"):
        prices.backfill(["BTC"], date(1970, 1, 1), TODAY)


def test_the_base_currency_is_a_setting(abandon_wallet: Wallet) -> None:
    settings = abandon_wallet.settings
    settings.set_base_currency("jpy")
    assert settings.base_currency == "JPY"
    assert abandon_wallet.prices.base_currency == "JPY"
    settings.set_base_currency(None)
    assert settings.base_currency  # the locale's, or USD


def test_provider_urls_are_settings(abandon_wallet: Wallet) -> None:
    settings = abandon_wallet.settings
    assert settings.price_provider_url("coingecko") == "https://api.coingecko.com/api/v3"
    settings.set_price_provider_url("ECB", "http://127.0.0.1:9/ecb/")
    assert settings.price_provider_url("ecb") == "http://127.0.0.1:9/ecb"
    settings.set_price_provider_url("ecb", None)
    assert settings.price_provider_url("ecb").startswith("https://www.ecb.europa.eu")
    for bad in ("ftp://x", "http://", "not a url", "http://[::1"):
        with pytest.raises(WalletError):
            settings.set_price_provider_url("ecb", bad)
    with pytest.raises(WalletError, match="not a price provider"):
        settings.set_price_provider_url("kraken", "http://x")


def test_the_cache_survives_reopening(wallet: Wallet, waits: Waits) -> None:
    day = TODAY - timedelta(days=10)
    service(wallet, waits).quote("BTC", "EUR", day)
    path = wallet.path
    wallet.close()
    with Wallet.open(path, PASSWORD) as reopened:
        offline = PriceService(reopened.database, now=lambda: NOW)
        quote = offline.quote("BTC", "EUR", day, online=False)
    assert quote.rate == btc_close(day) / ecb_rates(day)["USD"]


def test_a_rate_is_never_dated_after_it_was_fetched(wallet: Wallet, waits: Waits) -> None:
    # Today's ECB rate fetched at noon UTC, before the usual 16:00 CET: dated when fetched.
    quote = service(wallet, waits).quote("USD", "EUR")
    assert quote.day is None
    assert quote.at <= NOW
    assert quote.age_s == 0
    assert quote.rate == 1 / ecb_rates(TODAY)["USD"]
