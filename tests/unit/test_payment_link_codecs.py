"""BIP-21/BIP-321 and EIP-681 codecs: public vectors, round trips, a reference reader, fuzz."""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from primitives import bip21
from primitives.bip21 import Bip21Error, build_bip21, parse_bip21
from primitives.eip681 import Eip681Error, build_eip681, parse_eip681, parse_eip681_number

VECTORS = Path(__file__).parents[1] / "vectors"
BIP21: dict[str, Any] = json.loads((VECTORS / "bip21.json").read_text())
EIP681: dict[str, Any] = json.loads((VECTORS / "eip681.json").read_text())


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


@pytest.mark.parametrize("case", BIP21["valid"], ids=lambda c: c["id"])
def test_bip21_valid_vectors(case: dict[str, Any]) -> None:
    uri = parse_bip21(case["uri"])
    assert uri.address == case["address"]
    assert uri.amount == _dec(case["amount"])
    assert uri.label == case["label"]
    assert uri.message == case["message"]
    assert [list(p) for p in uri.other] == case.get("other", [])


@pytest.mark.parametrize("case", BIP21["invalid"], ids=lambda c: c["id"])
def test_bip21_invalid_vectors_raise_their_error(case: dict[str, Any]) -> None:
    error = getattr(bip21, case["error"])
    with pytest.raises(error):
        parse_bip21(case["uri"])


def test_bip21_required_parameter_is_named() -> None:
    with pytest.raises(bip21.UnknownRequiredParameter) as err:
        parse_bip21("bitcoin:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W?req-pop=callback%3a")
    assert err.value.key == "req-pop"


@pytest.mark.parametrize("case", EIP681["valid"], ids=lambda c: c["id"])
def test_eip681_valid_vectors(case: dict[str, Any]) -> None:
    req = parse_eip681(case["uri"])
    assert req.target == case["target"]
    assert req.chain_id == case["chain_id"]
    assert req.recipient == case["recipient"]
    assert req.value == (None if case["value"] is None else int(case["value"]))
    assert req.token_amount == (None if case["token_amount"] is None else int(case["token_amount"]))


@pytest.mark.parametrize("case", EIP681["invalid"], ids=lambda c: c["id"])
def test_eip681_invalid_vectors_raise(case: dict[str, Any]) -> None:
    with pytest.raises(Eip681Error):
        parse_eip681(case["uri"])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2.014e18", 2014 * 10**15),
        ("1E0", 1),
        ("0.5e1", 5),
        ("10", 10),
        ("1e", 1),
        ("-0", 0),
        ("0e999999999", 0),
        # Beyond 28 digits (Decimal's default precision): exact, not rounded.
        ("100000000000000000000000000001", 10**29 + 1),
        ("20000000000.000000000000000001e18", 2 * 10**28 + 1),
        (str(2**256 - 1), 2**256 - 1),
    ],
)
def test_eip681_numbers(text: str, value: int) -> None:
    assert parse_eip681_number(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "1.5",
        "1e-3",
        "-0.1e1",
        "",
        "e5",
        "1e78",
        "0x10",
        "1_000",
        str(2**256),
        "1e999999999",  # refused at once, never computed
        "1e" + "9" * 5000,
        "1." + "0" * 5000 + "1e5000",
    ],
)
def test_eip681_numbers_refused(text: str) -> None:
    with pytest.raises(Eip681Error):
        parse_eip681_number(text)


def test_eip681_builds_with_the_exponent_of_the_unit() -> None:
    link = build_eip681("0x8e23ee67d1332ad560396262c48ffbb01f93d052", 1, value=2014 * 10**15)
    assert link == "ethereum:0x8e23ee67d1332ad560396262c48ffbb01f93d052@1?value=2.014e18"
    token = build_eip681(
        "0x89205a3a3b2a69de6dbf7f01ed13b2108b2c43e7",
        5,
        recipient="0x8e23ee67d1332ad560396262c48ffbb01f93d052",
        token_amount=1_500_000,
        decimals=6,
    )
    assert token.endswith(
        "/transfer?address=0x8e23ee67d1332ad560396262c48ffbb01f93d052&uint256=1.5e6"
    )
    assert parse_eip681(token).token_amount == 1_500_000
    big = 20_000_000_000 * 10**18 + 1  # 20 billion of an 18-decimal token, and one base unit
    shib = build_eip681("0x" + "ab" * 20, 1, value=big)
    assert shib.endswith("?value=20000000000.000000000000000001e18")
    assert parse_eip681(shib).value == big
    assert build_eip681("0x" + "ab" * 20, 1, value=10**19).endswith("?value=10e18")


def test_upper_case_qr_form_keeps_base58_and_values() -> None:
    segwit = build_bip21(
        "bitcoin", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", Decimal("0.1"), "Ann b", upper=True
    )
    assert segwit == "BITCOIN:BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4?amount=0.1&label=Ann%20b"
    legacy = build_bip21("bitcoin", "175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W", upper=True)
    assert legacy == "BITCOIN:175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W"


# -- an independent reader, written here from BIP-321's "ABNF grammar" -------------------------


def _pct(text: str) -> str:
    """Percent-decode as RFC 3986 says: %XX octets, the result read as UTF-8."""
    out = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "%":
            out.append(int(text[i + 1 : i + 3], 16))
            i += 3
        else:
            out += text[i].encode()
            i += 1
    return out.decode("utf-8")


def reference_read(uri: str) -> tuple[str, str, dict[str, str]]:
    """Return (scheme, address, params) per the BIP's grammar, nothing shared with Coffer."""
    colon = uri.index(":")
    scheme, rest = uri[:colon].lower(), uri[colon + 1 :]
    address, query = [*rest.split("?", 1), ""][:2]
    params = {}
    for pair in filter(None, query.split("&")):
        key, value = [*pair.split("=", 1), ""][:2]
        params[key.lower()] = _pct(value)
    return scheme, address, params


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",), min_codepoint=32), max_size=30)


@settings(max_examples=200, deadline=None)
@given(
    label=texts,
    message=texts,
    amount=st.decimals(min_value=0, max_value=21_000_000, places=8, allow_nan=False),
)
def test_built_links_read_back_by_the_reference_reader(
    label: str, message: str, amount: Decimal
) -> None:
    address = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    link = build_bip21("bitcoin", address, amount, label or None, message or None)
    scheme, got_address, params = reference_read(link)
    assert (scheme, got_address) == ("bitcoin", address)
    assert Decimal(params["amount"]) == amount
    assert params.get("label", "") == label
    assert params.get("message", "") == message
    ours = parse_bip21(link)
    assert (ours.amount, ours.label or "", ours.message or "") == (amount, label, message)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_parsers_raise_only_their_own_errors(text: str) -> None:
    for prefix in ("", "bitcoin:", "ethereum:", "bitcoin:bc1q?amount=", "ethereum:0x" + "a" * 40):
        with contextlib.suppress(Bip21Error):
            parse_bip21(prefix + text)
        with contextlib.suppress(Eip681Error):
            parse_eip681(prefix + text)


# -- an independent EIP-681 reader, written here from the EIP's "Syntax" ----------------------


def reference_eip681(url: str) -> tuple[str, int | None, str, dict[str, int | str]]:
    """Return (target, chain id, function, params) per EIP-681's grammar; numbers as ints."""
    assert url.startswith("ethereum:")
    rest = url[len("ethereum:") :].removeprefix("pay-")
    path, _, query = rest.partition("?")
    path, _, function = path.partition("/")
    target, _, chain = path.partition("@")
    params: dict[str, int | str] = {}
    for pair in filter(None, query.split("&")):
        key, value = pair.split("=", 1)
        if key in ("value", "uint256"):
            mantissa, _, exponent = value.lower().partition("e")
            whole, _, fraction = mantissa.partition(".")
            digits = int(whole + fraction) * 10 ** (int(exponent or 0) - len(fraction))
            params[key] = digits
        else:
            params[key] = value
    return target, int(chain) if chain else None, function, params


@settings(max_examples=200, deadline=None)
@given(
    units=st.integers(min_value=0, max_value=2**256 - 1),
    decimals=st.sampled_from([0, 2, 6, 8, 18]),
    chain_id=st.integers(min_value=1, max_value=2**53),
    token=st.booleans(),
)
def test_built_eip681_links_read_back_by_the_reference_reader(
    units: int, decimals: int, chain_id: int, token: bool
) -> None:
    payee, contract = "0x" + "ab" * 20, "0x" + "cd" * 20
    if token:
        url = build_eip681(
            contract, chain_id, recipient=payee, token_amount=units, decimals=decimals
        )
        assert reference_eip681(url) == (
            contract,
            chain_id,
            "transfer",
            {"address": payee, "uint256": units},
        )
    else:
        url = build_eip681(payee, chain_id, value=units, decimals=decimals)
        assert reference_eip681(url) == (payee, chain_id, "", {"value": units})
