"""Every network call for prices and exchange rates: CoinGecko, CryptoCompare and the ECB.

This is the one module of the price service that does network I/O (``urllib``, one GET per
request). Each provider has an injectable base URL (the tests point it at a local server that
replays the providers' documented formats; ``make demo`` at bundled sample data) and its own
pacing: a token bucket (CoinGecko's free API allows about 30 requests a minute), and retries
with exponential backoff on HTTP 429 (honouring ``Retry-After``) and 5xx. What still fails is
a typed error (``PriceProviderError``, ``PriceRateLimited``), never a zero.

Numbers are parsed straight into ``Decimal`` (``json.loads(parse_float=Decimal)``; the ECB's
XML attributes are decimal text).

Formats, as documented by each provider:

- CoinGecko v3 (https://docs.coingecko.com/v3.0.1/reference/): ``simple/price``,
  ``simple/token_price/{platform}``, ``coins/{id}/market_chart/range`` (daily points at
  00:00 UTC for ranges above 90 days) and ``coins/{platform}/contract/{address}/market_chart/
  range``, ``coins/{id}/history`` (the snapshot at 00:00 UTC of a date).
- CryptoCompare (https://min-api.cryptocompare.com/documentation?key=Historical&cat=
  dataHistoday): ``data/v2/histoday``, one row per UTC day with its ``close``; rows of
  zeros before a coin traded.
- ECB euro foreign exchange reference rates (https://www.ecb.europa.eu/stats/
  policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html):
  ``eurofxref-daily.xml``, ``eurofxref-hist-90d.xml``, ``eurofxref-hist.xml``; units of each
  currency per euro, on TARGET business days.

A daily close of day D is the price at the end of D (24:00 UTC): CoinGecko's 00:00 UTC point
of D+1, CryptoCompare's ``close`` of the row of D.

Why this module is a little over 500 lines: issue 16 asks for the network calls of prices in
one module, so that what leaves the machine is read in one place; the parsing of each answer
sits beside its request.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from urllib.parse import quote, urlencode, urlsplit

from wallet.errors import PriceProviderError, PriceRateLimited

__all__ = [
    "COINGECKO",
    "COINGECKO_FREE_DAYS",
    "CRYPTOCOMPARE",
    "DEFAULT_URLS",
    "ECB",
    "CoinGeckoProvider",
    "CryptoCompareProvider",
    "DailyClose",
    "EcbProvider",
    "HttpSource",
    "LivePrice",
    "Pacing",
    "TokenBucket",
]

COINGECKO = "coingecko"
CRYPTOCOMPARE = "cryptocompare"
ECB = "ecb"

DEFAULT_URLS: Mapping[str, str] = {
    COINGECKO: "https://api.coingecko.com/api/v3",
    CRYPTOCOMPARE: "https://min-api.cryptocompare.com",
    ECB: "https://www.ecb.europa.eu/stats/eurofxref",
}
"""Each provider's public base URL (a user setting may replace it)."""

COINGECKO_FREE_DAYS = 365
"""How far back CoinGecko's free (keyless) API serves history, in days."""

_MAX_BODY = 32 * 1024 * 1024  # the full ECB history is about 6 MB unzipped
_DAY = 86_400
_ECB_NS = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"


@dataclass(frozen=True, slots=True)
class Pacing:
    """How a provider is paced and retried.

    Attributes:
        per_minute: requests allowed per minute (the token bucket's refill).
        burst: requests allowed at once before pacing starts.
        retries: further attempts after an HTTP 429 or 5xx.
        backoff_s: the first wait before retrying a 5xx; doubled each attempt.
        max_wait_s: the longest single wait accepted (a longer ``Retry-After`` fails at once).
        timeout_s: seconds to connect and to read an answer.
    """

    per_minute: int = 30
    burst: int = 5
    retries: int = 3
    backoff_s: float = 1.0
    max_wait_s: float = 30.0
    timeout_s: float = 10.0


class TokenBucket:
    """A token bucket: ``burst`` requests at once, then ``per_minute`` a minute; thread-safe.

    Args:
        per_minute: tokens added per minute.
        burst: the bucket's size.
        clock: monotonic seconds (injected so tests control time).
        sleep: waits the given seconds.
    """

    def __init__(
        self,
        per_minute: int,
        burst: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Start full."""
        self._rate = per_minute / 60.0
        self._size = float(max(1, burst))
        self._tokens = self._size
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()

    def take(self) -> float:
        """Take one token, waiting until one is there; return the seconds waited."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self._size, self._tokens + (now - self._last) * self._rate)
            self._last = now
            wait = 0.0 if self._tokens >= 1 else (1 - self._tokens) / self._rate
            if wait:
                self._sleep(wait)
                self._tokens = 1.0
                self._last = self._clock()
            self._tokens -= 1
            return wait


@dataclass(frozen=True, slots=True)
class LivePrice:
    """A current price as a provider reports it.

    Attributes:
        rate: units of the quote currency per unit of the asset.
        change_24h: the change over 24 hours in percent, if reported.
        at: when the provider last updated it (Unix seconds).
    """

    rate: Decimal
    change_24h: Decimal | None
    at: int


@dataclass(frozen=True, slots=True)
class DailyClose:
    """The price at the end of one UTC day.

    Attributes:
        day: the day.
        rate: units of the quote currency per unit of the asset.
        at: the time of the data point (Unix seconds).
    """

    day: date
    rate: Decimal
    at: int


class HttpSource:
    """GET requests to one provider: paced, retried, failures typed.

    Args:
        name: the provider's name, for messages.
        base_url: ``http(s)://...``; paths are appended to it.
        pacing: pacing and retries.
        clock: monotonic seconds; ``sleep``: waits (both injected for tests).
    """

    def __init__(
        self,
        name: str,
        base_url: str,
        pacing: Pacing,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Bind to a provider's base URL."""
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise PriceProviderError(
                f"The {name} base URL {base_url!r} is not an http(s) URL.", name, base_url
            )
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.pacing = pacing
        self.requests = 0
        self._sleep = sleep
        self._bucket = TokenBucket(pacing.per_minute, pacing.burst, clock, sleep)

    @property
    def server(self) -> str:
        """Return how messages name the provider."""
        return f"{self.name} ({self.base_url})"

    def get(self, path: str, params: Mapping[str, str] | None = None) -> bytes:
        """Return the body of a GET of ``path`` below the base URL.

        Raises:
            PriceRateLimited: still HTTP 429 after the retries, or a ``Retry-After`` longer
                than ``pacing.max_wait_s``.
            PriceProviderError: the provider cannot be reached, is slow, or kept failing
                (5xx, or another status).
        """
        url = f"{self.base_url}/{path.lstrip('/')}"
        if params:
            url += "?" + urlencode(params)
        attempt = 0
        while True:
            self._bucket.take()
            self.requests += 1
            status, body, retry_after = self._once(url)
            if status == 200:
                return body
            if attempt >= self.pacing.retries or status not in (429, 500, 502, 503, 504):
                raise self._status_error(status, retry_after)
            wait = self.pacing.backoff_s * 2**attempt
            if status == 429 and retry_after is not None:
                if retry_after > self.pacing.max_wait_s:
                    raise self._status_error(status, retry_after)
                wait = max(wait, float(retry_after))
            self._sleep(min(wait, self.pacing.max_wait_s))
            attempt += 1

    def _status_error(self, status: int, retry_after: int | None) -> PriceProviderError:
        if status == 429:
            later = f" (it asks to wait {retry_after} s)" if retry_after is not None else ""
            return PriceRateLimited(
                f"{self.name} refuses more requests for now (HTTP 429){later}; try again later.",
                self.name,
                self.server,
                retry_after,
            )
        return PriceProviderError(
            f"{self.name} answered HTTP {status}; try again later.", self.name, self.server
        )

    def _once(self, url: str) -> tuple[int, bytes, int | None]:
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            url, headers={"Accept": "application/json, application/xml", "User-Agent": "coffer"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.pacing.timeout_s) as answer:  # noqa: S310
                return int(answer.status), _read(answer), None
        except urllib.error.HTTPError as err:
            return err.code, b"", _retry_after(err.headers.get("Retry-After"))
        except TimeoutError as err:
            raise PriceProviderError(
                f"{self.name} did not answer within {self.pacing.timeout_s:g} s.",
                self.name,
                self.server,
            ) from err
        except (urllib.error.URLError, OSError, ValueError) as err:
            reason = getattr(err, "reason", err)
            if isinstance(reason, TimeoutError):
                raise PriceProviderError(
                    f"{self.name} did not answer within {self.pacing.timeout_s:g} s.",
                    self.name,
                    self.server,
                ) from err
            raise PriceProviderError(
                f"{self.name} cannot be reached at {self.base_url}.", self.name, self.server
            ) from err

    def get_json(self, path: str, params: Mapping[str, str] | None = None) -> object:
        """Return the decoded JSON answer to a GET (numbers with a fraction as ``Decimal``).

        Raises:
            PriceProviderError: as ``get``, or the answer is not JSON.
        """
        body = self.get(path, params)
        try:
            return json.loads(body, parse_float=Decimal, parse_constant=_no_constant)
        except (ValueError, RecursionError) as err:
            raise self.garbage("not JSON") from err

    def garbage(self, what: str) -> PriceProviderError:
        """Return the error for an answer that is not the provider's documented format."""
        return PriceProviderError(
            f"{self.name} answered something that is not its documented format ({what}).",
            self.name,
            self.server,
        )


def _read(answer: object) -> bytes:
    read = getattr(answer, "read")  # noqa: B009 - http.client.HTTPResponse or addinfourl
    body = read(_MAX_BODY + 1)
    assert isinstance(body, bytes)  # noqa: S101 - urllib answers are bytes
    if len(body) > _MAX_BODY:
        raise ValueError("answer too large")
    return body


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number")


def _retry_after(value: str | None) -> int | None:
    """Return ``Retry-After`` in seconds (RFC 9110 section 10.2.3: seconds or an HTTP date)."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return int(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, int((when - datetime.now(UTC)).total_seconds()))


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    number = Decimal(value)
    return number if number.is_finite() else None


def _unix_day(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _day_of(seconds: int) -> date:
    return datetime.fromtimestamp(seconds, UTC).date()


class CoinGeckoProvider:
    """CoinGecko's public API v3: current prices, daily closes, token prices by contract."""

    def __init__(self, source: HttpSource) -> None:
        """Use an ``HttpSource`` bound to CoinGecko's (or a replay's) base URL."""
        self.source = source

    def live(self, coin_ids: list[str], vs: str) -> dict[str, LivePrice]:
        """Return the current price of each coin id in currency ``vs`` (ids it lacks left out).

        Raises:
            PriceProviderError: see ``HttpSource.get``; or an answer not in its format.
        """
        answer = self.source.get_json(
            "simple/price",
            {
                "ids": ",".join(coin_ids),
                "vs_currencies": vs.lower(),
                "include_24hr_change": "true",
                "include_last_updated_at": "true",
            },
        )
        return self._live_rows(answer, vs)

    def token_live(self, platform: str, contracts: list[str], vs: str) -> dict[str, LivePrice]:
        """Return the current price of tokens by contract (keys in lower case).

        Raises:
            PriceProviderError: see ``live``.
        """
        answer = self.source.get_json(
            f"simple/token_price/{quote(platform, safe='')}",
            {
                "contract_addresses": ",".join(c.lower() for c in contracts),
                "vs_currencies": vs.lower(),
                "include_24hr_change": "true",
                "include_last_updated_at": "true",
            },
        )
        return {k.lower(): v for k, v in self._live_rows(answer, vs).items()}

    def _live_rows(self, answer: object, vs: str) -> dict[str, LivePrice]:
        if not isinstance(answer, dict):
            raise self.source.garbage("simple price is not an object")
        key = vs.lower()
        rows: dict[str, LivePrice] = {}
        for name, row in answer.items():
            if not isinstance(row, dict):
                raise self.source.garbage(f"the row of {name} is not an object")
            rate = _number(row.get(key))
            if rate is None:
                continue
            at = row.get("last_updated_at")
            rows[str(name)] = LivePrice(
                rate,
                _number(row.get(f"{key}_24h_change")),
                at if isinstance(at, int) and not isinstance(at, bool) else int(time.time()),
            )
        return rows

    def daily(self, coin_id: str, vs: str, start: date, end: date) -> list[DailyClose]:
        """Return the daily closes of a coin from ``start`` to ``end`` (days it lacks left out).

        Raises:
            PriceProviderError: see ``live``.
        """
        return self._range(f"coins/{quote(coin_id, safe='')}/market_chart/range", vs, start, end)

    def token_daily(
        self, platform: str, contract: str, vs: str, start: date, end: date
    ) -> list[DailyClose]:
        """Return the daily closes of a token by contract.

        Raises:
            PriceProviderError: see ``live``.
        """
        path = (
            f"coins/{quote(platform, safe='')}/contract/{quote(contract.lower(), safe='')}"
            "/market_chart/range"
        )
        return self._range(path, vs, start, end)

    def _range(self, path: str, vs: str, start: date, end: date) -> list[DailyClose]:
        # A range above 90 days comes back daily, points at 00:00 UTC (a shorter one hourly,
        # whose points are not at midnight and are skipped): the caller asks for long ranges.
        # The point at midnight closes the day before.
        answer = self.source.get_json(
            path,
            {
                "vs_currency": vs.lower(),
                "from": str(_unix_day(start + timedelta(days=1))),
                "to": str(_unix_day(end + timedelta(days=1))),
            },
        )
        if not isinstance(answer, dict) or not isinstance(answer.get("prices"), list):
            raise self.source.garbage("market_chart has no prices list")
        closes: dict[date, DailyClose] = {}
        for point in answer["prices"]:
            if not (isinstance(point, list) and len(point) == 2 and isinstance(point[0], int)):
                raise self.source.garbage("a price point is not [milliseconds, price]")
            rate = _number(point[1])
            seconds = point[0] // 1000
            if rate is None or rate <= 0 or seconds % _DAY:
                continue  # the last point is "now", not a midnight
            day = _day_of(seconds) - timedelta(days=1)
            if start <= day <= end:
                closes[day] = DailyClose(day, rate, seconds)
        return [closes[d] for d in sorted(closes)]

    def history(self, coin_id: str, vs: str, day: date) -> DailyClose | None:
        """Return one day's close from ``coins/{id}/history`` (``None`` if it has none).

        Raises:
            PriceProviderError: see ``live``.
        """
        snapshot = day + timedelta(days=1)
        answer = self.source.get_json(
            f"coins/{quote(coin_id, safe='')}/history",
            {"date": snapshot.strftime("%d-%m-%Y"), "localization": "false"},
        )
        if not isinstance(answer, dict):
            raise self.source.garbage("history is not an object")
        market = answer.get("market_data")
        if market is None:
            return None
        prices = market.get("current_price") if isinstance(market, dict) else None
        if not isinstance(prices, dict):
            raise self.source.garbage("history has no current_price")
        rate = _number(prices.get(vs.lower()))
        return None if rate is None or rate <= 0 else DailyClose(day, rate, _unix_day(snapshot))


class CryptoCompareProvider:
    """CryptoCompare's ``histoday``: daily closes back to a coin's first trading day."""

    LIMIT = 2000  # rows per request, as documented

    def __init__(self, source: HttpSource) -> None:
        """Use an ``HttpSource`` bound to CryptoCompare's (or a replay's) base URL."""
        self.source = source

    def daily(self, symbol: str, vs: str, start: date, end: date) -> list[DailyClose]:
        """Return the daily closes of ``symbol`` in ``vs`` from ``start`` to ``end``.

        Days before the coin traded (rows of zeros) are left out.

        Raises:
            PriceProviderError: see ``HttpSource.get``; an error answer, or another format.
        """
        closes: list[DailyClose] = []
        upto = end
        while upto >= start:
            span = min((upto - start).days, self.LIMIT - 1)
            answer = self.source.get_json(
                "data/v2/histoday",
                {
                    "fsym": symbol.upper(),
                    "tsym": vs.upper(),
                    "limit": str(span),
                    "toTs": str(_unix_day(upto) + _DAY - 1),
                },
            )
            closes += self._rows(answer, start, upto)
            upto -= timedelta(days=span + 1)
        closes.sort(key=lambda c: c.day)
        return closes

    def _rows(self, answer: object, start: date, end: date) -> list[DailyClose]:
        if not isinstance(answer, dict):
            raise self.source.garbage("histoday is not an object")
        if answer.get("Response") == "Error":
            message = str(answer.get("Message", ""))[:200]
            raise PriceProviderError(
                f"{self.source.name} refused the request: {message}",
                self.source.name,
                self.source.server,
            )
        data = answer.get("Data")
        rows = data.get("Data") if isinstance(data, dict) else None
        if not isinstance(rows, list):
            raise self.source.garbage("histoday has no Data.Data list")
        closes = []
        for row in rows:
            if not isinstance(row, dict) or not isinstance(row.get("time"), int):
                raise self.source.garbage("a histoday row has no time")
            rate = _number(row.get("close"))
            day = _day_of(row["time"])
            if rate is not None and rate > 0 and start <= day <= end:
                closes.append(DailyClose(day, rate, row["time"] + _DAY))
        return closes


_XML_DANGER = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class EcbProvider:
    """The ECB's euro reference rates: units of each currency per euro, per business day."""

    DAILY = "eurofxref-daily.xml"
    HIST_90D = "eurofxref-hist-90d.xml"
    HIST = "eurofxref-hist.xml"

    def __init__(self, source: HttpSource) -> None:
        """Use an ``HttpSource`` bound to the ECB's (or a replay's) base URL."""
        self.source = source

    def rates(self, file: str) -> dict[date, dict[str, Decimal]]:
        """Return one of the ECB's files as {day: {currency: units per euro}}.

        Args:
            file: ``DAILY``, ``HIST_90D`` or ``HIST``.

        Raises:
            PriceProviderError: see ``HttpSource.get``, or not the ECB's XML format.
        """
        body = self.source.get(file)
        # The ECB's files carry no DTD: refusing one keeps entity expansion out of reach.
        if _XML_DANGER.search(body):
            raise self.source.garbage("XML with a DTD")
        try:
            root = ET.fromstring(body)  # noqa: S314 - no DTD, checked above
        except ET.ParseError as err:
            raise self.source.garbage("not XML") from err
        days: dict[date, dict[str, Decimal]] = {}
        for cube in root.iter(f"{_ECB_NS}Cube"):
            when = cube.get("time")
            if when is None:
                continue
            try:
                day = date.fromisoformat(when)
                rates = {
                    str(c.get("currency")).upper(): Decimal(str(c.get("rate")))
                    for c in cube
                    if c.tag == f"{_ECB_NS}Cube"
                }
            except (ValueError, InvalidOperation) as err:
                raise self.source.garbage("a day or rate that is not a value") from err
            if any(not r.is_finite() or r <= 0 for r in rates.values()):
                raise self.source.garbage("a rate that is not positive")
            days[day] = rates
        if not days:
            raise self.source.garbage("no dated Cube")
        return days
