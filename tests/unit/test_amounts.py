"""Text amounts are strict: ASCII digits and at most one decimal point (issue 13 item 6)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wallet.amounts import parse_decimal, to_base_units
from wallet.errors import AmountPrecisionError, InvalidAmount


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("1", 100_000_000),
        ("0.1", 10_000_000),
        (".5", 50_000_000),
        ("5.", 500_000_000),
        (" 2 ", 200_000_000),
        ("0.00000001", 1),
        ("1.000000000000000000000", 100_000_000),
    ],
    ids=["one", "tenth", "leading-point", "trailing-point", "spaces", "one-sat", "zeros"],
)
def test_plain_decimal_text_is_accepted(text: str, units: int) -> None:
    assert to_base_units(text, 8, "BTC") == units


@pytest.mark.parametrize(
    ("text", "char"),
    [
        ("0.1e1", "'e'"),
        ("1e-3", "'e'"),
        ("1e3", "'e'"),
        ("1e999999999", "'e'"),
        ("1_000", "'_'"),
        ("\u0663", "U+0663"),
        ("+1", "'+'"),
        ("1.2.3", "'.'"),
        ("1 000", "' '"),
        ("0x10", "'x'"),
        ("\udcff", "U+DCFF"),
        ("\u00b2", "U+00B2"),
    ],
    ids=[
        "exp-0.1e1",
        "exp-neg",
        "exp-pos",
        "exp-huge",
        "underscore",
        "arabic-indic-3",
        "plus",
        "two-points",
        "inner-space",
        "hex",
        "lone-surrogate",
        "superscript-2",
    ],
)
def test_anything_else_is_refused_naming_the_character(text: str, char: str) -> None:
    with pytest.raises(InvalidAmount, match="not a number: it has the character") as caught:
        to_base_units(text, 8, "BTC")
    assert char in str(caught.value)


@pytest.mark.parametrize("text", ["", "-", ".", "NaN", "inf", "Infinity"])
def test_text_without_digits_is_not_a_number(text: str) -> None:
    with pytest.raises(InvalidAmount):
        to_base_units(text, 8)


def test_negative_text_keeps_the_more_than_zero_error() -> None:
    with pytest.raises(InvalidAmount, match="more than 0 BTC"):
        to_base_units("-1", 8, "BTC")


def test_huge_values_are_refused_before_any_arithmetic() -> None:
    with pytest.raises(InvalidAmount, match="too large"):
        to_base_units(Decimal("1e999999999"), 8)
    with pytest.raises(InvalidAmount, match="too large"):
        to_base_units("9" * 100, 0)


def test_many_decimal_places_are_a_precision_error_never_rounded() -> None:
    # 101 significant digits: a Decimal context of 100 digits would round this to 1 coin.
    with pytest.raises(AmountPrecisionError):
        to_base_units("1." + "0" * 99 + "1", 8)


def test_fee_rates_parse_through_the_same_rule() -> None:
    assert parse_decimal("2.5", "fee rate") == Decimal("2.5")
    with pytest.raises(InvalidAmount, match="The fee rate is not a number: it has the char"):
        parse_decimal("1e5000", "fee rate")


@given(st.text(max_size=30))
def test_any_text_gives_units_or_a_typed_error(text: str) -> None:
    try:
        units = to_base_units(text, 8)
    except InvalidAmount:
        return
    assert units > 0
    assert set(text.strip()) <= set("0123456789.")
