"""Text amounts are strict: ASCII digits and at most one decimal point (issue 13 item 6)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chains.registry import UtxoNetwork, get_network
from wallet import Wallet, units_for_value
from wallet.amounts import parse_decimal, to_base_units
from wallet.errors import AmountPrecisionError, FloatAmountError, InvalidAmount
from wallet.utxo.fees import custom_rate


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


@pytest.mark.parametrize(
    "rate",
    ["1e3", "1_000", "\u0663", "+2", Decimal("1e999999999"), Decimal("1e78")],
    ids=["exponent", "underscore", "arabic-digit", "plus", "huge-decimal", "over-uint256"],
)
def test_the_api_fee_rate_is_as_strict_as_the_cli(rate: str | Decimal) -> None:
    network = get_network("bitcoin-regtest")
    assert isinstance(network, UtxoNetwork)
    with pytest.raises(InvalidAmount):
        custom_rate(rate, network)


@pytest.mark.parametrize(
    "share", ["1e-1", "0.1_0", Decimal("1e999999999"), True], ids=["exp", "us", "huge", "bool"]
)
def test_the_fee_share_is_as_strict_as_an_amount(abandon_wallet: Wallet, share: object) -> None:
    before = abandon_wallet.settings.max_fee_share
    with pytest.raises(InvalidAmount):
        abandon_wallet.settings.set_max_fee_share(share)  # type: ignore[arg-type]
    assert abandon_wallet.settings.max_fee_share == before


def test_units_for_a_value_in_a_currency_round_down_exactly() -> None:
    assert units_for_value(Decimal("100"), Decimal("50000"), 8) == 200_000
    assert units_for_value(Decimal("1"), Decimal("3"), 8) == 33_333_333  # never worth more
    # 0.01 / 2500.123456789 ETH in wei, computed in integers: 10**25 // 2500123456789
    assert (
        units_for_value(Decimal("0.01"), Decimal("2500.123456789"), 18) == 10**25 // 2500123456789
    )
    assert units_for_value(Decimal("0"), Decimal("1"), 8) == 0
    with pytest.raises(FloatAmountError):
        units_for_value(1.5, Decimal("1"), 8)  # type: ignore[arg-type]
    for value, price in (("-1", "1"), ("1", "0"), ("1", "-2"), ("NaN", "1"), ("1", "Infinity")):
        with pytest.raises(InvalidAmount):
            units_for_value(Decimal(value), Decimal(price), 8)
