"""The providers' parsers never crash on what a remote API might send: only typed errors.

The answers are generated (hypothesis) and handed to the parsers by an ``HttpSource`` whose
``get`` returns them: a stand-in for the remote third-party APIs, not for Coffer's code.
"""

from __future__ import annotations

import contextlib
import json
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from wallet.errors import PriceProviderError
from wallet.money.prices.providers import (
    CoinGeckoProvider,
    CryptoCompareProvider,
    EcbProvider,
    HttpSource,
    Pacing,
)


class Canned(HttpSource):
    """An ``HttpSource`` that answers every GET with one body (the remote API's stand-in)."""

    def __init__(self, body: bytes) -> None:
        super().__init__("replay", "http://127.0.0.1:9", Pacing())
        self.body = body

    def get(self, path: str, params: object = None) -> bytes:
        del path, params
        return self.body


times = st.integers() | st.integers(min_value=-(2**70), max_value=2**70).map(
    lambda t: t * 86_400_000
)
json_values = st.recursive(
    st.none() | st.booleans() | times | st.text(max_size=8) | st.floats(allow_nan=False),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
shaped = (
    st.fixed_dictionaries({"prices": st.lists(st.lists(json_values, max_size=3), max_size=4)})
    | st.fixed_dictionaries(
        {
            "Response": st.sampled_from(["Success", "Error"]),
            "Data": st.fixed_dictionaries(
                {
                    "Data": st.lists(
                        st.dictionaries(st.sampled_from(["time", "close"]), json_values), max_size=3
                    )
                }
            ),
        }
    )
    | st.dictionaries(
        st.sampled_from(["bitcoin", "0xab"]),
        st.dictionaries(st.sampled_from(["usd", "usd_24h_change", "last_updated_at"]), json_values),
    )
)
bodies = (
    st.binary(max_size=200)
    | json_values.map(lambda v: json.dumps(v).encode())
    | shaped.map(lambda v: json.dumps(v).encode())
)


def _typed(call: object) -> None:
    with contextlib.suppress(PriceProviderError):
        call()  # type: ignore[operator]


@settings(max_examples=150, deadline=None)
@given(bodies)
def test_coingecko_answers_parse_or_raise_a_provider_error(body: bytes) -> None:
    gecko = CoinGeckoProvider(Canned(body))
    day = date(2025, 1, 1)
    _typed(lambda: gecko.live(["bitcoin"], "USD"))
    _typed(lambda: gecko.token_live("ethereum", ["0xab"], "USD"))
    _typed(lambda: gecko.daily("bitcoin", "USD", day, day))
    _typed(lambda: gecko.history("bitcoin", "USD", day))


@settings(max_examples=150, deadline=None)
@given(bodies)
def test_cryptocompare_answers_parse_or_raise_a_provider_error(body: bytes) -> None:
    compare = CryptoCompareProvider(Canned(body))
    _typed(lambda: compare.daily("BTC", "USD", date(2020, 1, 1), date(2020, 1, 3)))


xml_bodies = st.binary(max_size=200) | st.builds(
    lambda day, code, rate: (
        "<e xmlns='http://www.ecb.int/vocabulary/2002-08-01/eurofxref'><Cube>"
        f"<Cube time='{day}'><Cube currency='{code}' rate='{rate}'/></Cube></Cube></e>"
    ).encode(),
    st.text(max_size=12),
    st.text(max_size=4),
    st.text(max_size=8),
)


@settings(max_examples=150, deadline=None)
@given(xml_bodies)
def test_ecb_answers_parse_or_raise_a_provider_error(body: bytes) -> None:
    try:
        days = EcbProvider(Canned(body)).rates(EcbProvider.DAILY)
    except PriceProviderError:
        return
    for rates in days.values():
        assert all(isinstance(r, Decimal) and r > 0 for r in rates.values())


def test_a_time_no_date_can_hold_is_a_provider_error_not_a_crash() -> None:
    far = 10**20
    compare = json.dumps({"Response": "Success", "Data": {"Data": [{"time": far, "close": 1}]}})
    with contextlib.suppress(PriceProviderError):
        CryptoCompareProvider(Canned(compare.encode())).daily(
            "BTC", "USD", date(2020, 1, 1), date(2020, 1, 2)
        )
    chart = json.dumps({"prices": [[far * 86_400_000, 5]]})
    with contextlib.suppress(PriceProviderError):
        CoinGeckoProvider(Canned(chart.encode())).daily(
            "bitcoin", "USD", date(2020, 1, 1), date(2020, 1, 2)
        )
    live = json.dumps({"bitcoin": {"usd": 5, "last_updated_at": far}})
    [price] = CoinGeckoProvider(Canned(live.encode())).live(["bitcoin"], "USD").values()
    assert price.at < far  # replaced by the time of the answer
