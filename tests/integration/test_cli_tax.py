"""``coffer tax``, ``budget``, ``insights`` and ``buy`` as a person runs them (one process each).

Coins come from the embedded regtest devnet (``coffer devnet fund``): a real chain, no mock.
Prices come from a price table file written here, or the price service offline (its cache
alone: no provider is contacted). MoonPay is a remote third party: only the
signed URL is checked (``--no-browser``), and nothing is fetched.
"""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ABANDON, PASSWORD
from tests.integration.wallet_processes import coffer
from wallet import Wallet

SECRET = "sk_test_cli_Never-Logged-42"
OUTSIDE = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"  # BIP-173's regtest example


def report_txid(path: Path) -> str:
    """The txid of the devnet's payment into the wallet (its only receipt)."""
    history = _ok(path, "history", "bitcoin-regtest")
    return next(h["txid"] for h in history if not h["amount"].startswith("-"))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    wallet_path = tmp_path / "money.coffer"
    Wallet.create(wallet_path, PASSWORD, ABANDON).close()
    return wallet_path


def _ok(path: Path, *args: str, **env: str) -> Any:
    done = coffer(path, "--json", *args, password=PASSWORD, **env)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def _refused(path: Path, *args: str, code: int = 1) -> str:
    before = path.read_bytes()
    done = coffer(path, *args, password=PASSWORD)
    assert done.returncode == code, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    assert path.read_bytes() == before
    return lines[0]


def test_tax_report_and_csv_files_from_devnet_coins(path: Path, tmp_path: Path) -> None:
    _ok(path, "devnet", "fund", "bitcoin-regtest", "1.25")
    _ok(path, "sync", "bitcoin-regtest")
    today = datetime.now(UTC).date()
    prices = tmp_path / "prices.csv"
    prices.write_text(f"date,asset,base,price\n{today.isoformat()},rBTC,EUR,40000\n")
    # Nothing disposed of yet: the year has the receipt, no gain.
    out = tmp_path / "gains.csv"
    report = _ok(path, "tax", "--year", str(today.year), "--prices", str(prices), "--out", str(out))
    assert (report["gain"], report["disposals"], report["flagged"]) == ("0.00", [], [])
    assert out.read_text().startswith("date,asset,account,kind,quantity,proceeds,lot_acquired")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    koinly = tmp_path / "koinly.csv"
    _ok(
        path,
        "tax",
        "--year",
        str(today.year),
        "--prices",
        str(prices),
        "--out",
        str(koinly),
        "--format",
        "koinly",
    )
    header, row = koinly.read_text().splitlines()
    assert header.startswith("Date,Sent Amount,Sent Currency,Received Amount,Received Currency")
    assert ",1.25,rBTC,,,50000.00,EUR,," in row  # 1.25 x 40000

    # A send out of the wallet: a disposal (and its fee), each showing the lot it used, in
    # JSON and on screen. Cost: 0.5 of the 1.25 lot of 50000.00 = 0.5 x 40000 = 20000.00.
    _ok(path, "send", "bitcoin-regtest", "--to", OUTSIDE, "--amount", "0.5", "--yes")
    _ok(path, "devnet", "mine", "1")
    _ok(path, "sync", "bitcoin-regtest")
    sold = _ok(path, "tax", "--year", str(today.year), "--prices", str(prices))
    send = next(d for d in sold["disposals"] if d["kind"] == "send")
    assert Decimal(send["quantity"]) == Decimal("0.5")
    assert (send["proceeds"], send["cost"], send["gain"]) == ("20000.00", "20000.00", "0.00")
    [lot] = send["lots"]
    assert Decimal(lot["quantity"]) == Decimal("0.5")
    assert (lot["cost"], lot["txid"]) == ("20000.00", report_txid(path))
    assert lot["acquired"].startswith(today.isoformat())
    fee = next(d for d in sold["disposals"] if d["kind"] == "fee")
    assert fee["txid"] == send["txid"]
    assert fee["lots"][0]["txid"] == lot["txid"]
    screen = coffer(
        path, "--wide", "tax", "--year", str(today.year), "--prices", str(prices), password=PASSWORD
    )
    assert screen.returncode == 0, screen.stderr
    lot_rows = [line.split() for line in screen.stdout.splitlines() if "└ lot" in line]
    # Under each disposal, the lot it used: acquired, quantity, cost.
    assert [today.isoformat(), "└", "lot", "0.50000000", "20000.00"] in [
        [cell for cell in row if cell != "│"] for row in lot_rows
    ]
    assert len(lot_rows) == 2

    # The price service offline, with nothing cached: the cost is unknown and listed, never
    # zero (no provider is contacted).
    bare = _ok(path, "tax", "--year", str(today.year), "--offline")
    assert len(bare["missing_prices"]) == 1  # one asset on one day
    assert len(bare["flagged"]) == 2  # the send and its fee
    assert [(d["proceeds"], d["cost"], d["gain"]) for d in bare["disposals"]] == [(None,) * 3] * 2
    assert [u["cost"] for d in bare["disposals"] for u in d["lots"]] == [None, None]


def test_tax_refusals_are_one_line(path: Path, tmp_path: Path) -> None:
    assert "2001" in _refused(path, "tax", "--year", "2001")
    _refused(path, "tax", "--year", "2001", "--method", "average", code=2)
    assert "ISO 4217" in _refused(path, "tax", "--year", "2001", "--base", "EURO")
    bad = tmp_path / "bad.csv"
    bad.write_text("2024-01-01,BTC,EUR,40000\n2024-13-01,BTC,EUR,1\n")
    assert "Line 2, field date" in _refused(path, "tax", "--year", "2024", "--prices", str(bad))


def test_budget_commands_keep_categories_and_report(path: Path) -> None:
    added = _ok(
        path, "budget", "add-category", "food", "--rule", "text=bakery", "--rule", "label=groceries"
    )
    assert added["rules"] == ["text=bakery", "label=groceries"]
    made = _ok(
        path,
        "budget",
        "set",
        "food",
        "250.50",
        "--currency",
        "eur",
        "--rollover",
        "--since",
        "2024-01",
    )
    assert (made["amount"], made["currency"], made["since"]) == ("250.50", "EUR", "2024-01-01")
    listed = _ok(path, "budget", "list")
    assert listed == [
        {
            "category": "food",
            "rules": ["text=bakery", "label=groceries"],
            "budget": "250.50 EUR",
            "rollover": True,
        }
    ]
    report = _ok(path, "budget", "report", "--month", "2024-03", "--months", "2", "--offline")
    assert [(m["month"], m["left"]) for m in report["months"]] == [
        ("2024-02", "501.00"),
        ("2024-03", "751.50"),
    ]
    # Every amount to the cent (EUR's minor unit), also nothing spent.
    assert [(m["spent"], m["income"], m["carried"]) for m in report["months"]] == [
        ("0.00", "0.00", "250.50"),
        ("0.00", "0.00", "501.00"),
    ]
    assert "No category" in _refused(path, "budget", "set", "rent", "900")
    assert "rule kind" in _refused(path, "budget", "add-category", "x", "--rule", "colour=red")
    assert "zero or more" in _refused(path, "budget", "set", "food", "--", "-5")
    assert _ok(path, "insights", "--since", "2024-01-01", "--offline") == []
    _ok(path, "budget", "remove-category", "food")
    assert _ok(path, "budget", "list") == []


def test_buy_builds_a_signed_url_and_keeps_the_secret_out_of_output(path: Path) -> None:
    assert "keys" in _refused(path, "buy", "open", "moonpay", "bitcoin", "--no-browser")
    _ok(path, "buy", "keys", "moonpay", "--api-key", "pk_test_cli", COFFER_ONRAMP_SECRET=SECRET)
    done = coffer(
        path, "--json", "buy", "open", "moonpay", "bitcoin", "--amount", "50", password=PASSWORD
    )
    assert done.returncode == 0, done.stderr
    link = json.loads(done.stdout)
    assert link["url"].startswith("https://buy.moonpay.com?apiKey=pk_test_cli&currencyCode=btc")
    assert f"walletAddress={link['address']}" in link["url"]
    assert "&signature=" in link["url"]
    assert SECRET not in done.stdout + done.stderr
    listed = _ok(path, "buy", "list")
    assert [(p["purchase"], p["paid"], p["txid"]) for p in listed] == [(1, "50 EUR", None)]
    assert _ok(path, "buy", "check") == []
    assert "wyre" in _refused(path, "buy", "open", "wyre", "bitcoin", "--no-browser")

    # Selling: MoonPay's off-ramp widget, signed, refunds to the wallet's own address.
    sold = coffer(
        path,
        "--json",
        "sell",
        "moonpay",
        "btc",
        "--amount",
        "0.01",
        "--fiat",
        "usd",
        password=PASSWORD,
    )
    assert sold.returncode == 0, sold.stderr
    sale = json.loads(sold.stdout)
    assert sale["url"].startswith(
        "https://sell.moonpay.com?apiKey=pk_test_cli&baseCurrencyCode=btc"
    )
    assert (
        f"refundWalletAddress={sale['refund_address']}&baseCurrencyAmount=0.01&signature="
        in (sale["url"])
    )
    assert SECRET not in sold.stdout + sold.stderr
    assert "above zero" in _refused(path, "sell", "moonpay", "btc", "--amount", "0", "--no-browser")
    assert "ISO 4217" in _refused(path, "sell", "moonpay", "btc", "--fiat", "euro", "--no-browser")
    assert SECRET.encode() not in path.read_bytes()
