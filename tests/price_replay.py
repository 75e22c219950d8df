"""A local HTTP server replaying the price providers' documented response formats.

CoinGecko, CryptoCompare and the ECB are remote third-party APIs, so (as STYLE.md section 8
allows) the tests run against this loopback server instead. It answers in each provider's
documented format, generated from a small ``Market`` of known values:

- CoinGecko v3 (https://docs.coingecko.com/v3.0.1/reference/simple-price,
  .../coins-id-market-chart-range, .../coins-id-history, .../simple-token-price,
  .../contract-address-market-chart-range): ``{"bitcoin": {"usd": 67000.5,
  "usd_24h_change": 1.5, "last_updated_at": 1781517600}}``; ``{"prices": [[ms, price], ...],
  "market_caps": [...], "total_volumes": [...]}`` with daily points at 00:00 UTC; the
  history snapshot ``{"id": ..., "market_data": {"current_price": {"usd": ...}}}``; and the
  free plan's refusal of ranges older than 365 days (HTTP 401, error_code 10012).
- CryptoCompare ``data/v2/histoday`` (https://min-api.cryptocompare.com/documentation?key=
  Historical&cat=dataHistoday): ``{"Response": "Success", "Data": {"Aggregated": false,
  "TimeFrom": ..., "TimeTo": ..., "Data": [{"time": ..., "close": ..., ...}]}}``, rows of
  zeros before a coin traded, ``{"Response": "Error", "Message": ...}`` on errors.
- ECB eurofxref XML (https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml and the
  ``-hist-90d`` and ``-hist`` files): a ``gesmes:Envelope`` of ``Cube time=...`` holding
  ``Cube currency=... rate=...``, business days only.

``faults`` makes a path answer differently: an HTTP status (429 with ``Retry-After``, 500),
garbage, or a slow answer, a given number of times.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DAY = 86_400


def unix(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


@dataclass
class Fault:
    """How a path misbehaves, ``times`` times (then it answers normally)."""

    status: int = 500
    body: bytes = b""
    retry_after: str | None = None
    slow: bool = False
    times: int = 1


@dataclass
class Market:
    """What the providers know: USD closes per CoinGecko id and per symbol, ECB rates."""

    today: date
    closes: dict[str, dict[date, Decimal]] = field(default_factory=dict)  # by coingecko id
    symbols: dict[str, str] = field(default_factory=dict)  # CryptoCompare symbol -> id
    live: dict[str, dict[str, tuple[Decimal, Decimal]]] = field(default_factory=dict)
    tokens: dict[str, dict[str, tuple[Decimal, Decimal]]] = field(default_factory=dict)
    token_closes: dict[str, dict[date, Decimal]] = field(default_factory=dict)
    ecb: dict[date, dict[str, Decimal]] = field(default_factory=dict)
    free_days: int = 365
    compare_gaps: set[date] = field(default_factory=set)  # days CryptoCompare lacks
    gecko_gaps: set[date] = field(default_factory=set)  # days CoinGecko lacks


def _num(value: Decimal) -> str:
    return format(value, "f")


def _floats(value: object) -> object:
    """Return ``value`` with Decimals as JSON numbers (providers send plain JSON numbers)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_floats(v) for v in value]
    return value


class ReplayServer:
    """The loopback server; ``url(provider)`` is each provider's base URL on it."""

    def __init__(self, market: Market) -> None:
        self.market = market
        self.faults: dict[str, Fault] = {}
        self.requests: list[str] = []
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                status, body, headers = server.answer(self.path)
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the slow case)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, provider: str) -> str:
        return f"http://127.0.0.1:{self.port}/{provider}"

    def close(self) -> None:
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def count(self, fragment: str) -> int:
        return sum(1 for r in self.requests if fragment in r)

    # -- answers ---------------------------------------------------------------------------

    def answer(self, raw: str) -> tuple[int, bytes, dict[str, str]]:
        parts = urlsplit(raw)
        path = parts.path
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        for fragment, fault in list(self.faults.items()):
            if fragment in path and fault.times > 0:
                fault.times -= 1
                if fault.slow:
                    self.release.wait(30)
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                return fault.status, fault.body, headers
        provider, _, rest = path.lstrip("/").partition("/")
        if provider == "coingecko":
            return self._coingecko(rest, query)
        if provider == "cryptocompare":
            return self._compare(query)
        if provider == "ecb":
            return self._ecb(rest)
        return 404, b"not found", {}

    def _json(self, value: object, status: int = 200) -> tuple[int, bytes, dict[str, str]]:
        text = json.dumps(_floats(value))
        return status, text.encode(), {"Content-Type": "application/json"}

    def _coingecko(self, rest: str, q: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        m = self.market
        now = unix(m.today) + 12 * 3600
        if rest == "simple/price":
            out: dict[str, dict[str, object]] = {}
            for cid in q["ids"].split(","):
                for vs in q["vs_currencies"].split(","):
                    if (cid in m.live) and vs in m.live[cid]:
                        price, change = m.live[cid][vs]
                        row = out.setdefault(cid, {})
                        row[vs] = price
                        row[f"{vs}_24h_change"] = change
                        row["last_updated_at"] = now - 60
            return self._json(out)
        if rest.startswith("simple/token_price/"):
            out = {}
            for contract in q["contract_addresses"].split(","):
                for vs in q["vs_currencies"].split(","):
                    if contract in m.tokens and vs in m.tokens[contract]:
                        price, change = m.tokens[contract][vs]
                        row = out.setdefault(contract, {})
                        row[vs] = price
                        row[f"{vs}_24h_change"] = change
                        row["last_updated_at"] = now - 120
            return self._json(out)
        if rest.endswith("/market_chart/range"):
            start, end = int(q["from"]), int(q["to"])
            if start < unix(m.today) - m.free_days * DAY:
                return self._json(
                    {
                        "error": {
                            "status": {
                                "error_code": 10012,
                                "error_message": "Your request exceeds the allowed time range. "
                                "Public API users are limited to querying historical data "
                                "within the past 365 days.",
                            }
                        }
                    },
                    401,
                )
            pieces = rest.split("/")
            if pieces[2] == "contract":
                series = m.token_closes.get(pieces[3], {})
            else:
                series = m.closes.get(pieces[1], {})
            # The point at 00:00 UTC of D+1 is the close of D; then one "now" point.
            points = [
                [(unix(d) + DAY) * 1000, price]
                for d, price in sorted(series.items())
                if start <= unix(d) + DAY <= end and d not in m.gecko_gaps
            ]
            points.append([now * 1000 + 123, next(iter(series.values()), Decimal(1))])
            return self._json({"prices": points, "market_caps": [], "total_volumes": []})
        if rest.endswith("/history"):
            cid = rest.split("/")[1]
            snap = datetime.strptime(q["date"], "%d-%m-%Y").date()
            price = m.closes.get(cid, {}).get(snap - timedelta(days=1))
            if price is None:
                return self._json({"id": cid, "symbol": cid[:3], "name": cid})
            return self._json(
                {"id": cid, "market_data": {"current_price": {"usd": price}}, "name": cid}
            )
        return 404, b'{"error":"coin not found"}', {}

    def _compare(self, q: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        cid = self.market.symbols.get(q.get("fsym", ""))
        if cid is None:
            return self._json(
                {
                    "Response": "Error",
                    "Message": "There is no data for the symbol XYZ .",
                    "Data": {},
                }
            )
        limit, to_ts = int(q["limit"]), int(q["toTs"])
        last = datetime.fromtimestamp(to_ts, UTC).date()
        rows = []
        for i in range(limit, -1, -1):
            d = last - timedelta(days=i)
            price = None if d in self.market.compare_gaps else self.market.closes[cid].get(d)
            z = price or Decimal(0)
            rows.append(
                {
                    "time": unix(d),
                    "high": z,
                    "low": z,
                    "open": z,
                    "volumefrom": 0,
                    "volumeto": 0,
                    "close": z,
                    "conversionType": "direct",
                    "conversionSymbol": "",
                }
            )
        data = {"Aggregated": False, "TimeFrom": rows[0]["time"], "TimeTo": rows[-1]["time"]}
        return self._json({"Response": "Success", "Message": "", "Data": {**data, "Data": rows}})

    def _ecb(self, rest: str) -> tuple[int, bytes, dict[str, str]]:
        days = sorted(self.market.ecb, reverse=True)
        if rest == "eurofxref-daily.xml":
            days = days[:1]
        elif rest == "eurofxref-hist-90d.xml":
            days = [d for d in days if d > self.market.today - timedelta(days=90)]
        elif rest != "eurofxref-hist.xml":
            return 404, b"", {}
        cubes = "".join(
            f"<Cube time='{d.isoformat()}'>"
            + "".join(
                f"<Cube currency='{c}' rate='{_num(r)}'/>" for c, r in self.market.ecb[d].items()
            )
            + "</Cube>"
            for d in days
        )
        xml = (
            "<?xml version='1.0' encoding='UTF-8'?>"
            "<gesmes:Envelope xmlns:gesmes='http://www.gesmes.org/xml/2002-08-01' "
            "xmlns='http://www.ecb.int/vocabulary/2002-08-01/eurofxref'>"
            "<gesmes:subject>Reference rates</gesmes:subject>"
            "<gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>"
            f"<Cube>{cubes}</Cube></gesmes:Envelope>"
        )
        return 200, xml.encode(), {"Content-Type": "text/xml"}


def business_days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)
