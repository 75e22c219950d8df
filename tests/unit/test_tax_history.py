"""Tax events from history entries (coins, tokens, failed and pending transactions)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from wallet.errors import InvalidPriceTable
from wallet.money.tax import (
    AccountHistory,
    Acquire,
    Dispose,
    Fee,
    PriceTable,
    Transfer,
    events_from_history,
)
from wallet.types import HistoryEntry, TxStatus

T = 1_717_243_200  # 2024-06-01 12:00 UTC
DAY = date(2024, 6, 1)
USDC = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
PRICES = PriceTable(
    {
        ("ETH", DAY, "EUR"): Decimal("3000"),
        (f"USDC:ethereum:{USDC}", DAY, "EUR"): Decimal("0.92"),
    }
)


def entry(
    txid: str,
    amount: int,
    *,
    fee: int | None = None,
    token: str | None = None,
    status: TxStatus = TxStatus.CONFIRMED,
) -> HistoryEntry:
    symbol, decimals = ("USDC", 6) if token else ("ETH", 18)
    return HistoryEntry("ethereum", txid, status, 1, 1, T, symbol, decimals, amount, fee, (), token)


def history(name: str, *entries: HistoryEntry) -> AccountHistory:
    return AccountHistory(name, "ETH", 18, entries)


def test_a_token_send_pays_its_fee_in_the_coin() -> None:
    # 100 USDC sent, fee 0.001 ETH carried on the token entry (the amount excludes it).
    found = events_from_history(
        [history("a", entry("0x1", -100_000_000, fee=10**15, token=USDC))], PRICES, "EUR"
    )
    fee, send = found.events
    assert isinstance(fee, Fee)
    assert (fee.asset, fee.quantity, fee.value) == ("ETH", Decimal("0.001"), Decimal("3.000"))
    assert isinstance(send, Dispose)
    assert (send.quantity, send.proceeds) == (Decimal(100), Decimal("92.00"))


def test_a_coin_send_takes_the_fee_out_of_its_amount() -> None:
    # amount -1.001 ETH includes the 0.001 fee: 1 ETH disposed of, 0.001 as a fee.
    found = events_from_history(
        [history("a", entry("0x2", -(10**18 + 10**15), fee=10**15))], PRICES, "EUR"
    )
    assert [(type(e).__name__, e.quantity) for e in found.events] == [
        ("Fee", Decimal("0.001")),
        ("Dispose", Decimal(1)),
    ]


def test_a_failed_transaction_is_its_fee_and_a_pending_one_nothing() -> None:
    found = events_from_history(
        [
            history(
                "a",
                entry("0x3", -(10**15), fee=10**15, status=TxStatus.FAILED),
                entry("0x4", -(10**18), fee=10**15, status=TxStatus.PENDING),
            )
        ],
        PRICES,
        "EUR",
    )
    assert [type(e).__name__ for e in found.events] == ["Fee"]


def test_a_send_between_own_accounts_is_a_transfer_and_the_rest_a_disposal() -> None:
    # a sends 2 ETH (+0.001 fee) in one transaction; b (own) receives 1.5: transfer 1.5,
    # 0.5 went to someone else, the fee is a fee; b has no acquisition.
    a = history("a", entry("0x5", -(2 * 10**18 + 10**15), fee=10**15))
    b = history("b", entry("0x5", 15 * 10**17))
    found = events_from_history([a, b], PRICES, "EUR")
    kinds = [(type(e).__name__, e.quantity) for e in found.events]
    assert kinds == [
        ("Fee", Decimal("0.001")),
        ("Transfer", Decimal("1.5")),
        ("Dispose", Decimal("0.5")),
    ]
    transfer = found.events[1]
    assert isinstance(transfer, Transfer)
    assert (transfer.source, transfer.destination) == ("a", "b")


def test_a_receipt_without_a_price_has_no_cost_and_says_why() -> None:
    found = events_from_history([history("a", entry("0x6", 10**18))], PriceTable({}), "EUR")
    (acquire,) = found.events
    assert isinstance(acquire, Acquire)
    assert acquire.cost is None
    assert found.missing == ("no EUR price of ETH on 2024-06-01",)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("2024-06-01,ETH,EUR\n", "expected 4 fields"),
        ("2024-6-1x,ETH,EUR,1\n", "field date"),
        ("2024-06-01,ETH,EUR,abc\n", "field price"),
        ("2024-06-01,ETH,EUR,-1\n", "above zero"),
        ("2024-06-01,ETH,EUR,NaN\n", "above zero"),
    ],
)
def test_a_bad_price_table_names_its_line_and_field(text: str, field: str) -> None:
    with pytest.raises(InvalidPriceTable, match=field):
        PriceTable.from_csv("date,asset,base,price\n" + text)
