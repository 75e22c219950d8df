"""Property tests of statement matching: a re-import never duplicates and never loses a line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from wallet.money.fiat.matching import MATCH_THRESHOLD, match_lines, score
from wallet.money.fiat.types import FiatLine, ParsedLine

LINES = st.lists(
    st.builds(
        ParsedLine,
        line=st.integers(1, 10_000),
        booked=st.dates(dt.date(2026, 1, 1), dt.date(2026, 1, 20)),
        amount=st.sampled_from(
            [Decimal("-42.17"), Decimal("-4.90"), Decimal("0.35"), Decimal(100)]
        ),
        currency=st.just("EUR"),
        payee=st.sampled_from(["", "Supermarket", "Bank", "Cafe"]),
        memo=st.sampled_from(["", "Card payment", "Fee"]),
        reference=st.sampled_from(["", "FIT-1", "FIT-2", "SAME"]),
    ),
    max_size=25,
)


def _stored(lines: list[ParsedLine], origin: str = "csv") -> list[FiatLine]:
    return [
        FiatLine(
            i + 1, 1, ln.booked, ln.amount, ln.currency, ln.payee, ln.memo, ln.reference, origin
        )
        for i, ln in enumerate(lines)
    ]


@given(LINES)
@settings(max_examples=200)
def test_reimporting_a_statement_matches_every_line_once(lines: list[ParsedLine]) -> None:
    chosen = match_lines(lines, _stored(lines), "csv")
    assert len(chosen) == len(lines)
    assert len({c.old.id for c in chosen.values()}) == len(lines)


@given(LINES, LINES)
@settings(max_examples=200)
def test_a_longer_statement_adds_exactly_its_new_lines(
    old: list[ParsedLine], extra: list[ParsedLine]
) -> None:
    stored = _stored(old)
    chosen = match_lines(old + extra, stored, "csv")
    # Every stored line is found again (nothing added twice), each by one statement line, so
    # the statement lines left over, to be added, are exactly as many as the new ones.
    assert sorted(c.old.id for c in chosen.values()) == [line.id for line in stored]


@given(LINES)
def test_matches_need_the_same_amount_and_the_threshold(lines: list[ParsedLine]) -> None:
    stored = _stored(lines)
    for index, cand in match_lines(lines, stored, "csv").items():
        assert cand.old.amount == lines[index].amount
        assert cand.score >= MATCH_THRESHOLD
        found = score(lines[index], cand.old, "csv")
        assert found is not None
        assert found[0] == cand.score
