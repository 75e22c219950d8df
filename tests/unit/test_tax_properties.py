"""Property tests of the lot engine (hypothesis): holdings, gains and lot order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import example, given, settings
from hypothesis import strategies as st

from wallet.money.tax import Acquire, Dispose, Fee, Method, Pooling, TaxEvent, Transfer, run_lots

START = datetime(2015, 1, 1, tzinfo=UTC)
ACCOUNTS = ("a", "b", "c")

quantities = st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal(50), places=8)
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100000), places=2)


@st.composite
def histories(draw: st.DrawFn) -> list[TaxEvent]:
    """Events that never take out more than an account holds."""
    held = dict.fromkeys(ACCOUNTS, Decimal(0))
    events: list[TaxEvent] = []
    for step in range(draw(st.integers(min_value=1, max_value=30))):
        when = START + timedelta(days=step)
        account = draw(st.sampled_from(ACCOUNTS))
        kind = draw(st.sampled_from(("buy", "buy", "sell", "fee", "move")))
        if kind == "buy" or held[account] == 0:
            qty = draw(quantities)
            cost = draw(st.one_of(st.none(), prices))
            events.append(Acquire(when, "BTC", qty, cost, account, f"in{step}"))
            held[account] += qty
            continue
        qty = min(draw(quantities), held[account])
        held[account] -= qty
        if kind == "sell":
            events.append(Dispose(when, "BTC", qty, draw(prices), account, f"out{step}"))
        elif kind == "fee":
            events.append(Fee(when, "BTC", qty, draw(prices), account, f"fee{step}"))
        else:
            other = draw(st.sampled_from([a for a in ACCOUNTS if a != account]))
            events.append(Transfer(when, "BTC", qty, account, other, f"mv{step}"))
            held[other] += qty
    return events


def _holdings(events: list[TaxEvent], account: str | None = None) -> Decimal:
    total = Decimal(0)
    for e in events:
        if isinstance(e, Acquire) and account in (None, e.account):
            total += e.quantity
        elif isinstance(e, Dispose | Fee) and account in (None, e.account):
            total -= e.quantity
        elif isinstance(e, Transfer) and account is not None:
            total += e.quantity if e.destination == account else 0
            total -= e.quantity if e.source == account else 0
    return total


@settings(max_examples=150, deadline=None)
@given(histories(), st.sampled_from(Method), st.sampled_from(Pooling))
def test_remaining_lots_add_up_to_the_holdings(
    events: list[TaxEvent], method: Method, pooling: Pooling
) -> None:
    result = run_lots(events, method, pooling)
    assert result.holdings("BTC") == _holdings(events)
    if pooling is Pooling.PER_ACCOUNT:
        for account in ACCOUNTS:
            in_pool = sum((lot.quantity for lot in result.lots if lot.pool == account), Decimal(0))
            assert in_pool == _holdings(events, account)
    assert all(
        not d.flags or d.flags == ("a lot used has no known cost",) for d in result.disposals
    )


@settings(max_examples=150, deadline=None)
@given(histories(), st.sampled_from(Method), st.sampled_from(Pooling))
def test_gain_is_proceeds_minus_cost_and_lots_cover_the_quantity(
    events: list[TaxEvent], method: Method, pooling: Pooling
) -> None:
    for d in run_lots(events, method, pooling).disposals:
        assert sum((u.quantity for u in d.uses), Decimal(0)) == d.quantity
        if d.gain is not None:
            assert d.proceeds is not None
            assert d.cost is not None
            assert d.gain == d.proceeds - d.cost
        else:
            assert any(u.cost is None for u in d.uses)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(quantities, prices), min_size=1, max_size=15),
    st.sampled_from(Method),
)
@example(  # found by the suite: a 28-digit part of a cost left an inexact remainder
    lots=[
        (Decimal("0.22495724"), Decimal("0.93")),
        (Decimal("1E-8"), Decimal("0.39")),
        (Decimal("0.00037517"), Decimal("99.00")),
    ],
    method=Method.FIFO,
)
def test_one_pool_costs_are_conserved(lots: list[tuple[Decimal, Decimal]], method: Method) -> None:
    # Sell everything: the costs of all disposals add up to the costs of all lots, exactly.
    events: list[TaxEvent] = [
        Acquire(START + timedelta(days=i), "BTC", q, c, "a", f"in{i}")
        for i, (q, c) in enumerate(lots)
    ]
    total = sum((q for q, _ in lots), Decimal(0))
    half = (total / 3).quantize(Decimal("0.00000001"))
    end = START + timedelta(days=len(lots))
    events += [
        Dispose(end + timedelta(days=i), "BTC", q, Decimal(1), "a", f"s{i}")
        for i, q in enumerate((half, total - half))
        if q > 0
    ]
    result = run_lots(events, method)
    assert result.lots == ()
    assert sum((d.cost or Decimal(0) for d in result.disposals), Decimal(0)) == sum(
        (c for _, c in lots), Decimal(0)
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(quantities, prices), min_size=2, max_size=15), quantities)
def test_each_method_takes_lots_in_its_order(
    lots: list[tuple[Decimal, Decimal]], qty: Decimal
) -> None:
    events: list[TaxEvent] = [
        Acquire(START + timedelta(days=i), "BTC", q, c, "a", f"in{i}")
        for i, (q, c) in enumerate(lots)
    ]
    events.append(Dispose(START + timedelta(days=99), "BTC", qty, Decimal(1), "a", "s"))
    when = {f"in{i}": START + timedelta(days=i) for i in range(len(lots))}
    unit = {f"in{i}": c / q for i, (q, c) in enumerate(lots)}
    for method in Method:
        (d,) = run_lots(events, method).disposals
        refs = [u.ref for u in d.uses if u.ref is not None]
        if method is Method.FIFO:
            assert [when[r] for r in refs] == sorted(when[r] for r in refs)
            assert refs == [f"in{i}" for i in range(len(refs))]
        elif method is Method.LIFO:
            assert refs == [f"in{i}" for i in reversed(range(len(lots)))][: len(refs)]
        else:
            costs = [unit[r] for r in refs]
            assert costs == sorted(costs, reverse=True)
            # No lot left open is dearer than one used in full.
            left = [unit[lot.ref] for lot in run_lots(events, method).lots]
            if refs and left:
                assert max(left) <= max(costs)
