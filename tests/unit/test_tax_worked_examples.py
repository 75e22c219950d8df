"""The lot engine against worked examples computed by hand (issue 16 item 6).

Each example writes its arithmetic beside it; values are in EUR, quantities in coins.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from wallet.errors import InvalidAmount, NoTaxData, UnknownCurrency
from wallet.money.tax import (
    Acquire,
    Dispose,
    Fee,
    Method,
    Pooling,
    TaxEvent,
    Transfer,
    koinly_csv,
    report_csv,
    run_lots,
    tax_report,
)
from wallet.money.tax.lots import FLAG_NO_LOTS, FLAG_UNKNOWN_COST, FLAG_UNKNOWN_PROCEEDS

D = Decimal
FIFO, LIFO, HIFO = Method.FIFO, Method.LIFO, Method.HIFO
PER = Pooling.PER_ACCOUNT


def t(year: int, month: int = 1, day: int = 1) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def buy(when: datetime, qty: str, cost: str | None, acct: str = "a", ref: str = "") -> Acquire:
    return Acquire(when, "BTC", D(qty), None if cost is None else D(cost), acct, ref or f"in{when}")


def sell(when: datetime, qty: str, proceeds: str | None, acct: str = "a") -> Dispose:
    return Dispose(
        when, "BTC", D(qty), None if proceeds is None else D(proceeds), acct, f"out{when}"
    )


def gains(events: list[TaxEvent], method: Method, pooling: Pooling = Pooling.UNIVERSAL) -> list[D]:
    result = run_lots(events, method, pooling)
    return [D(0) if d.gain is None else d.gain.quantize(D("0.01")) for d in result.disposals]


THREE_LOTS = [
    buy(t(2020), "1", "100"),
    buy(t(2020, 2), "1", "300"),
    buy(t(2020, 3), "1", "200"),
]


def test_1_fifo_takes_the_oldest_lot() -> None:
    # FIFO: sell 1 at 500 uses the Jan lot (cost 100): gain 500 - 100 = 400.
    assert gains([*THREE_LOTS, sell(t(2021), "1", "500")], FIFO) == [D("400.00")]


def test_2_lifo_takes_the_newest_lot() -> None:
    # LIFO: sell 1 at 500 uses the Mar lot (cost 200): gain 500 - 200 = 300.
    assert gains([*THREE_LOTS, sell(t(2021), "1", "500")], LIFO) == [D("300.00")]


def test_3_hifo_takes_the_dearest_lot() -> None:
    # HIFO: sell 1 at 500 uses the Feb lot (cost 300): gain 500 - 300 = 200.
    assert gains([*THREE_LOTS, sell(t(2021), "1", "500")], HIFO) == [D("200.00")]


def test_4_fifo_across_two_lots() -> None:
    # FIFO: sell 1.5 at 900 uses Jan (1 @ 100) and half of Feb (0.5 x 300 = 150):
    # cost 100 + 150 = 250, gain 900 - 250 = 650.
    result = run_lots([*THREE_LOTS, sell(t(2021), "1.5", "900")], FIFO)
    (disposal,) = result.disposals
    assert [u.quantity for u in disposal.uses] == [D(1), D("0.5")]
    assert disposal.cost == D("250")
    assert disposal.gain == D("650")


def test_5_lifo_across_two_lots() -> None:
    # LIFO: sell 1.5 at 900 uses Mar (1 @ 200) and half of Feb (150): cost 350, gain 550.
    assert gains([*THREE_LOTS, sell(t(2021), "1.5", "900")], LIFO) == [D("550.00")]


def test_6_hifo_across_two_lots() -> None:
    # HIFO: sell 1.5 at 900 uses Feb (300) and half of Mar (100): cost 400, gain 500.
    assert gains([*THREE_LOTS, sell(t(2021), "1.5", "900")], HIFO) == [D("500.00")]


def test_7_a_loss() -> None:
    # FIFO: buy 2 for 1000 (500 each), sell 1 at 300: cost 500, gain 300 - 500 = -200.
    events = [buy(t(2022), "2", "1000"), sell(t(2022, 6), "1", "300")]
    assert gains(events, FIFO) == [D("-200.00")]


def test_8_two_sales_use_the_rest_of_a_lot() -> None:
    # FIFO: buy 1 for 90. Sell 0.25 at 40: cost 90 x 0.25 = 22.50, gain 17.50.
    # Sell 0.75 at 30: cost what is left, 90 - 22.50 = 67.50, gain 30 - 67.50 = -37.50.
    events = [
        buy(t(2022), "1", "90"),
        sell(t(2022, 2), "0.25", "40"),
        sell(t(2022, 3), "0.75", "30"),
    ]
    assert gains(events, FIFO) == [D("17.50"), D("-37.50")]


def test_9_thirds_lose_no_cent() -> None:
    # Buy 3 for 100. Sell 1, 1, 1 at 50 each: costs 33.33..., 33.33..., and the exact rest
    # 33.33...4; the three costs add up to 100 exactly, the gains to 150 - 100 = 50.
    events = [buy(t(2022), "3", "100")] + [sell(t(2022, m), "1", "50") for m in (2, 3, 4)]
    result = run_lots(events, FIFO)
    assert sum(d.cost for d in result.disposals if d.cost is not None) == D(100)
    assert sum(d.gain for d in result.disposals if d.gain is not None) == D(50)
    assert result.lots == ()


def test_10_unknown_cost_is_flagged_not_zero() -> None:
    # A receive with no price opens a lot of unknown cost; selling it at 70 gives no gain
    # (not 70 - 0), and the disposal says why.
    result = run_lots([buy(t(2022), "1", None), sell(t(2022, 5), "1", "70")], FIFO)
    (disposal,) = result.disposals
    assert disposal.cost is None
    assert disposal.gain is None
    assert FLAG_UNKNOWN_COST in disposal.flags


def test_11_hifo_takes_unknown_cost_last() -> None:
    # HIFO: lots 1 @ unknown (Jan) and 1 @ 50 (Feb); sell 1 at 80 uses the known lot:
    # gain 80 - 50 = 30; the unknown lot stays open.
    events = [buy(t(2022), "1", None), buy(t(2022, 2), "1", "50"), sell(t(2022, 3), "1", "80")]
    result = run_lots(events, HIFO)
    assert result.disposals[0].gain == D(30)
    assert [lot.cost for lot in result.lots] == [None]


def test_12_selling_more_than_held_is_flagged() -> None:
    # Hold 1 @ 100; sell 1.5 at 600: 1 from the lot, 0.5 from no lot: no cost, flagged.
    result = run_lots([buy(t(2022), "1", "100"), sell(t(2022, 2), "1.5", "600")], FIFO)
    (disposal,) = result.disposals
    assert disposal.uses[1].ref is None
    assert disposal.uses[1].quantity == D("0.5")
    assert FLAG_NO_LOTS in disposal.flags
    assert disposal.gain is None


def test_13_unknown_proceeds_are_flagged() -> None:
    # A send on a day without a price: proceeds unknown, no gain, flagged.
    result = run_lots([buy(t(2022), "1", "100"), sell(t(2022, 2), "1", None)], FIFO)
    assert result.disposals[0].gain is None
    assert FLAG_UNKNOWN_PROCEEDS in result.disposals[0].flags


def test_14_a_fee_is_a_disposal_at_market_value() -> None:
    # Buy 1 for 100. Pay a fee of 0.01 worth 2 (market 200/coin):
    # cost 0.01 x 100 = 1, gain 2 - 1 = 1. Left: 0.99 costing 99.
    fee = Fee(t(2022, 2), "BTC", D("0.01"), D("2"), "a", "f1")
    result = run_lots([buy(t(2022), "1", "100"), fee], FIFO)
    assert result.disposals[0].kind == "fee"
    assert result.disposals[0].gain == D(1)
    assert result.lots[0].quantity == D("0.99")
    assert result.lots[0].cost == D(99)


def test_15_transfer_in_one_pool_changes_nothing() -> None:
    # One pool: buy 1 @ 100 in a, move it to b, sell from b at 150: gain 150 - 100 = 50.
    events = [
        buy(t(2022), "1", "100", "a"),
        Transfer(t(2022, 2), "BTC", D(1), "a", "b", "tr"),
        sell(t(2022, 3), "1", "150", "b"),
    ]
    result = run_lots(events, FIFO)
    assert [d.gain for d in result.disposals] == [D(50)]


def test_16_per_account_pools_keep_their_own_lots() -> None:
    # Per account: a buys 1 @ 100 (Jan); b buys 1 @ 400 (Feb); b sells 1 at 500.
    # FIFO in b's pool uses b's lot (400): gain 100. One pool would use a's (gain 400).
    events = [
        buy(t(2022), "1", "100", "a"),
        buy(t(2022, 2), "1", "400", "b"),
        sell(t(2022, 3), "1", "500", "b"),
    ]
    assert gains(events, FIFO, PER) == [D("100.00")]
    assert gains(events, FIFO) == [D("400.00")]


def test_17_per_account_transfer_moves_the_lot_with_its_date() -> None:
    # Per account: a buys 1 @ 100 (Jan 2022); b buys 1 @ 400 (Mar); a moves 1 to b (Apr).
    # b sells 1 at 500 in May with FIFO: the moved lot is b's oldest (Jan): gain 400.
    events = [
        buy(t(2022, 1), "1", "100", "a"),
        buy(t(2022, 3), "1", "400", "b"),
        Transfer(t(2022, 4), "BTC", D(1), "a", "b", "tr"),
        sell(t(2022, 5), "1", "500", "b"),
    ]
    result = run_lots(events, FIFO, PER)
    assert result.disposals[0].gain == D(400)
    assert result.disposals[0].uses[0].acquired == t(2022, 1)


def test_18_per_account_lifo_after_transfer_respects_dates() -> None:
    # Per account, LIFO: b buys 1 @ 400 (Mar); a's lot (Jan, 100) moves in (Apr). LIFO
    # takes the latest *acquired*, b's Mar lot: gain 500 - 400 = 100.
    events = [
        buy(t(2022, 1), "1", "100", "a"),
        buy(t(2022, 3), "1", "400", "b"),
        Transfer(t(2022, 4), "BTC", D(1), "a", "b", "tr"),
        sell(t(2022, 5), "1", "500", "b"),
    ]
    assert gains(events, LIFO, PER) == [D("100.00")]


def test_19_transfer_of_part_splits_the_cost() -> None:
    # Per account: a buys 2 @ 300; moves 0.5 to b (cost 0.5 x 150 = 75); b sells 0.5 at 100:
    # gain 100 - 75 = 25. a keeps 1.5 costing 225.
    events = [
        buy(t(2022), "2", "300", "a"),
        Transfer(t(2022, 2), "BTC", D("0.5"), "a", "b", "tr"),
        sell(t(2022, 3), "0.5", "100", "b"),
    ]
    result = run_lots(events, FIFO, PER)
    assert result.disposals[0].gain == D(25)
    assert [(lot.pool, lot.quantity, lot.cost) for lot in result.lots] == [("a", D("1.5"), D(225))]


def test_20_year_report_counts_only_its_year() -> None:
    # 2021: buy 2 @ 100 each (200). 2022: sell 1 at 300 (gain 200). 2023: sell 1 at 50
    # (gain -50). Report 2022: proceeds 300, cost 100, gain 200; 2023: gain -50.
    events = [buy(t(2021), "2", "200"), sell(t(2022, 6), "1", "300"), sell(t(2023, 6), "1", "50")]
    r2022 = tax_report(events, 2022, base="EUR")
    assert (r2022.proceeds, r2022.cost, r2022.gain) == (D(300), D(100), D(200))
    r2023 = tax_report(events, 2023, base="eur")
    assert r2023.gain == D(-50)
    assert r2023.base == "EUR"


def test_21_uk_tax_year_starts_in_april() -> None:
    # Tax year 2022 from 6 Apr 2022 to 5 Apr 2023. Buy 1 @ 100 (Jan 2022); sell 0.5 at 80 on
    # 1 Apr 2022 (year 2021: gain 30) and 0.5 at 90 on 1 Feb 2023 (year 2022: gain 40).
    events = [
        buy(t(2022, 1), "1", "100"),
        sell(t(2022, 4, 1), "0.5", "80"),
        sell(t(2023, 2, 1), "0.5", "90"),
    ]
    assert tax_report(events, 2021, year_start=(4, 6)).gain == D(30)
    assert tax_report(events, 2022, year_start=(4, 6)).gain == D(40)


def test_22_flagged_disposals_stay_out_of_the_totals() -> None:
    # Buy 1 @ 100 and 1 @ unknown; sell both (FIFO) at 150 each: the first gains 50, the
    # second has no cost: totals 150/100/50, one flagged.
    events = [
        buy(t(2022), "1", "100"),
        buy(t(2022, 2), "1", None),
        sell(t(2022, 3), "1", "150"),
        sell(t(2022, 4), "1", "150"),
    ]
    report = tax_report(events, 2022)
    assert (report.proceeds, report.cost, report.gain) == (D(150), D(100), D(50))
    assert len(report.flagged) == 1


def test_23_hifo_with_partial_lots_over_time() -> None:
    # HIFO: buy 1 @ 100, 1 @ 500, 1 @ 300. Sell 0.5 at 400: half of the 500 lot (250),
    # gain 150. Sell 1 at 400: the rest of the 500 lot (0.5, 250) and half of the 300 lot
    # (150): cost 400, gain 0.
    events = [
        buy(t(2022, 1), "1", "100"),
        buy(t(2022, 2), "1", "500"),
        buy(t(2022, 3), "1", "300"),
        sell(t(2022, 4), "0.5", "400"),
        sell(t(2022, 5), "1", "400"),
    ]
    assert gains(events, HIFO) == [D("150.00"), D("0.00")]


def test_24_same_time_events_keep_their_order() -> None:
    # A buy and a sell at the same moment, buy given first: the sell uses it (gain 10).
    when = t(2022, 7)
    assert gains([buy(when, "1", "90"), sell(when, "1", "100")], FIFO) == [D("10.00")]


def test_a_year_without_data_is_a_clear_error() -> None:
    with pytest.raises(NoTaxData, match="2019") as caught:
        tax_report([buy(t(2022), "1", "1")], 2019)
    assert caught.value.year == 2019


def test_an_unknown_base_currency_is_refused() -> None:
    with pytest.raises(UnknownCurrency):
        tax_report([buy(t(2022), "1", "1")], 2022, base="XYZ")


def test_report_csv_lists_every_lot_used_rounded_to_cents() -> None:
    # FIFO sell 1.5 at 900.005 over Jan (100) and half of Feb (150): gain 650.005 -> 650.01.
    events = [*THREE_LOTS, sell(t(2020, 6), "1.5", "900.005")]
    text = report_csv(tax_report(events, 2020))
    lines = text.splitlines()
    assert lines[0].startswith("date,asset,account,kind,quantity,proceeds,lot_acquired")
    assert len(lines) == 3  # one row per lot used
    assert ",900.01," in lines[1]
    assert ",650.01," in lines[1]
    assert lines[2].split(",")[7] == "0.5"


def test_koinly_csv_has_its_columns_and_leaves_own_transfers_out() -> None:
    events: list[TaxEvent] = [
        buy(t(2022), "1", "100", "a", "tx1"),
        Transfer(t(2022, 2), "BTC", D(1), "a", "b", "tx2"),
        Fee(t(2022, 2), "BTC", D("0.0001"), D("0.02"), "a", "tx2"),
        sell(t(2022, 3), "0.5", "80", "b"),
    ]
    lines = koinly_csv(events, "EUR").splitlines()
    assert lines[0] == (
        "Date,Sent Amount,Sent Currency,Received Amount,Received Currency,Fee Amount,"
        "Fee Currency,Net Worth Amount,Net Worth Currency,Label,Description,TxHash"
    )
    assert lines[1].startswith("2022-01-01 12:00 UTC,,,1,BTC,,,100.00,EUR,,")
    assert lines[2].startswith("2022-02-01 12:00 UTC,0.0001,BTC,,,,,0.02,EUR,cost,")
    assert len(lines) == 4


def test_a_quantity_of_zero_is_refused() -> None:
    with pytest.raises(InvalidAmount, match="above zero"):
        run_lots([buy(t(2022), "0", "1")])
