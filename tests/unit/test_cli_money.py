"""``coffer prices`` and ``coffer portfolio`` against a local server replaying the providers'
documented formats (``tests/price_replay.py``), with the real clock: the replayed market ends
yesterday (UTC). Bad input and failing providers: one line, a documented exit code, the wallet
file unchanged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ABANDON, PASSWORD
from tests.price_replay import Fault, ReplayServer
from tests.unit.test_prices import btc_close, ecb_rates, make_market
from wallet import Wallet
from wallet.cli import cli


@pytest.fixture
def replay() -> Iterator[ReplayServer]:
    server = ReplayServer(make_market(datetime.now(UTC).date()))
    yield server
    server.close()


@pytest.fixture
def wallet_file(tmp_path: Path, replay: ReplayServer) -> Path:
    path = tmp_path / "w.coffer"
    with Wallet.restore(path, PASSWORD, ABANDON) as wallet:
        wallet.account("bitcoin")
        for name in ("coingecko", "cryptocompare", "ecb"):
            wallet.settings.set_price_provider_url(name, replay.url(name))
    return path


def _run(runner: CliRunner, wallet: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["--wallet", str(wallet), *args])
    return result.exit_code, result.stdout, result.stderr


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_prices_of_one_asset_as_json(runner: CliRunner, wallet_file: Path) -> None:
    code, out, err = _run(runner, wallet_file, "prices", "btc", "--base", "eur", "--json")
    assert code == 0, err
    [row] = json.loads(out)
    assert row["price"] == "61750.25"
    assert row["base"] == "EUR"
    assert row["source"] == "coingecko"
    assert row["age_s"] == 60 or row["age_s"] >= 0


def test_prices_at_a_date_in_a_table(runner: CliRunner, wallet_file: Path) -> None:
    day = datetime.now(UTC).date() - timedelta(days=9)
    code, out, err = _run(runner, wallet_file, "prices", "BTC", "--base", "USD", "--date", str(day))
    assert code == 0, err
    assert f"{btc_close(day):,f}" in out
    assert "coingecko" in out


def test_fx_rate_of_a_currency(runner: CliRunner, wallet_file: Path) -> None:
    code, out, err = _run(runner, wallet_file, "--json", "prices", "GBP", "--base", "JPY")
    assert code == 0, err
    [row] = json.loads(out)
    assert Decimal(row["price"]) == Decimal("162.50") / Decimal("0.8550")
    assert row["source"] == "ecb"


def test_portfolio_as_json_and_table(runner: CliRunner, wallet_file: Path) -> None:
    code, out, err = _run(runner, wallet_file, "portfolio", "--base", "EUR", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["base"] == "EUR"
    assert data["unknown_rows"] == 1  # the bitcoin account was never synced
    assert data["rows"][0]["unknown_reason"] == "not synced"
    assert data["total"] == "0"
    code, out, err = _run(runner, wallet_file, "portfolio", "--wide")
    assert code == 0, err
    assert "not synced" in out
    assert "1 row(s) unknown" in out


def test_settings_through_the_command(runner: CliRunner, wallet_file: Path) -> None:
    code, out, err = _run(runner, wallet_file, "prices", "--set-base", "chf", "--json")
    assert code == 0, err
    assert json.loads(out)["base_currency"] == "CHF"
    code, out, err = _run(runner, wallet_file, "prices", "ETH", "--json")
    assert code == 0, err
    [row] = json.loads(out)
    day = max(d for d in make_market(datetime.now(UTC).date()).ecb)
    assert Decimal(row["price"]) == Decimal(3500) * ecb_rates(day)["CHF"] / ecb_rates(day)["USD"]


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("prices", "BTC", "--base", "XYZ"), 1, "ISO 4217"),
        (("prices", "NOPE"), 1, "not a coin"),
        (("prices", "BTC", "--date", "2026-13-01"), 2, "YYYY-MM-DD"),
        (("prices", "BTC", "--date", "\u0663"), 2, "YYYY-MM-DD"),
        (("prices", "BTC", "--date", "2999-01-01"), 1, "future"),
        (("prices", "BTC", "--date", "2020-01-01", "--base", "USD"), 1, "no price for this day"),
        (("prices", "--set-url", "coingecko"), 1, "NAME=URL"),
        (("prices", "--set-url", "kraken=http://x"), 1, "not a price provider"),
        (("prices", "--set-base", "EURO"), 1, "ISO 4217"),
        (("portfolio", "--base", "\u20ac"), 1, "ISO 4217"),
        (("portfolio", "--days", "0"), 2, "--days"),
    ],
    ids=[
        "unknown-currency",
        "unknown-asset",
        "bad-date",
        "arabic-digit",
        "future",
        "before-listing",
        "url-no-equals",
        "unknown-provider",
        "bad-base-setting",
        "euro-sign",
        "zero-days",
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(
    runner: CliRunner, wallet_file: Path, args: tuple[str, ...], code: int, words: str
) -> None:
    before = _digest(wallet_file)
    got, out, err = _run(runner, wallet_file, *args)
    assert got == code, (out, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    assert words in lines[0]
    if "2020-01-01" not in args:  # that one caches the closes it fetched around the day
        assert _digest(wallet_file) == before


@pytest.mark.parametrize(
    ("fault", "words"),
    [
        (Fault(429, retry_after="3600", times=99), "HTTP 429"),
        (Fault(503, times=99), "HTTP 503"),
        (Fault(200, body=b"<html>", times=99), "documented format"),
    ],
    ids=["rate-limited", "down", "garbage"],
)
def test_a_failing_provider_is_one_line_not_zero(
    runner: CliRunner, wallet_file: Path, replay: ReplayServer, fault: Fault, words: str
) -> None:
    replay.faults["simple/price"] = fault
    before = _digest(wallet_file)
    code, out, err = _run(runner, wallet_file, "prices", "BTC", "--base", "EUR")
    assert code == 1
    assert words in err
    assert "0.00" not in out
    assert _digest(wallet_file) == before
    code, out, err = _run(runner, wallet_file, "--json", "prices", "BTC", "--base", "EUR")
    assert code == 1
    assert json.loads(out)["error"]["type"] in ("PriceUnavailable", "PriceRateLimited")
