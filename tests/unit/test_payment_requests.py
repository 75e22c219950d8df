"""Payment links checked against networks, payment requests and their status (no node).

Requests and links use a real wallet file; statuses are worked out by the pure ``settle`` and
``allocate_evm`` with explicit times. The node-backed paths (paying, syncing) are in
``tests/integration/test_payment_requests_nodes.py``.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from chains.registry import get_network
from wallet import Wallet
from wallet import errors as wallet_errors
from wallet.errors import (
    AmbiguousRequest,
    AmountPrecisionError,
    InvalidAddress,
    InvalidAmount,
    InvalidPaymentLink,
    NetworkMismatch,
    NoPaymentLink,
    RequestExpired,
    RequestNotFound,
    UnknownToken,
    UnsupportedRequirement,
    WalletError,
)
from wallet.qr import qr_png
from wallet.requests import (
    FxQuote,
    PaymentLink,
    RequestStatus,
    book,
    parse_payment_link,
    qr_form,
    read_link_image,
)
from wallet.requests.book import Asset, fiat_to_units
from wallet.requests.pay import plan_payment
from wallet.requests.status import EvmAsk, Receipt, allocate_evm, settle
from wallet.storage.migrations import LATEST_VERSION
from wallet.types import HistoryEntry, TxStatus

BTC = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"  # BIP-173 vector
TAPROOT = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"  # BIP-350 vector
ETH = "0x8e23Ee67d1332aD560396262C48ffbB01F93D052"
TOKEN = "0x89205A3A3b2A69De6Dbf7f01ED13B2108B2c43e7"


# -- links against networks --------------------------------------------------------------------


def test_links_find_their_network(abandon_wallet: Wallet) -> None:
    ltc = abandon_wallet.account("litecoin").receive_address()
    doge = abandon_wallet.account("dogecoin").receive_address()
    assert parse_payment_link(f"bitcoin:{BTC}?amount=1").network == "bitcoin"
    assert parse_payment_link(f"bitcoin:{TAPROOT}").address == TAPROOT
    assert parse_payment_link(f"litecoin:{ltc}?amount=0.5").amount == 50_000_000
    assert parse_payment_link(f"dogecoin:{doge}?amount=12.5").network == "dogecoin"
    upper = parse_payment_link(f"BITCOIN:{BTC.upper()}?AMOUNT=0.0001&LABEL=Shop")
    assert (upper.address, upper.amount, upper.label) == (BTC, 10_000, "Shop")
    assert parse_payment_link(f"ethereum:{ETH}@137?value=1e18").network == "polygon"
    assert parse_payment_link(f"ethereum:{ETH}?value=1e18").network == "ethereum"


def test_a_link_of_another_network_names_it(abandon_wallet: Wallet) -> None:
    btc = abandon_wallet.account("bitcoin").network
    ltc = abandon_wallet.account("litecoin")
    with pytest.raises(NetworkMismatch, match="Litecoin") as err:
        parse_payment_link(f"litecoin:{ltc.receive_address()}", btc)
    assert "litecoin" in err.value.address_networks
    with pytest.raises(NetworkMismatch, match="Litecoin"):
        parse_payment_link(f"bitcoin:{ltc.receive_address()}")
    with pytest.raises(NetworkMismatch, match="Polygon"):
        parse_payment_link(
            f"ethereum:{ETH}@137?value=1", abandon_wallet.account("ethereum").network
        )
    with pytest.raises(NetworkMismatch, match="EVM"):
        parse_payment_link(f"ethereum:{ETH}?value=1", btc)


@pytest.mark.parametrize(
    ("link", "error"),
    [
        (f"bitcoin:{BTC[:-1]}5?amount=1", InvalidAddress),  # checksum typo
        (f"ethereum:{ETH[:-1]}D?value=1", InvalidAddress),  # EIP-55 typo
        (f"bitcoin:{BTC}?amount=-1", InvalidAmount),
        (f"bitcoin:{BTC}?amount=0.000000001", AmountPrecisionError),
        (f"bitcoin:{BTC}?amount=1&amount=1", InvalidPaymentLink),
        (f"bitcoin:{BTC}?req-pop=x", UnsupportedRequirement),
        (f"ethereum:{ETH}@999999?value=1", InvalidPaymentLink),
        ("ethereum:alice.eth?value=1", InvalidPaymentLink),
        ("bitcoin:?lightning=lnbc1", InvalidPaymentLink),
        ("mailto:someone@example.com", InvalidPaymentLink),
        (f"ethereum:{TOKEN}/transfer?address={ETH}&uint256=1&value=5", InvalidPaymentLink),
    ],
    ids=[
        "checksum",
        "eip55",
        "negative",
        "over-precise",
        "two-amounts",
        "req",
        "unknown-chain",
        "ens",
        "lightning-only",
        "not-a-link",
        "value-to-token",
    ],
)
def test_bad_links_are_refused_with_their_error(link: str, error: type[Exception]) -> None:
    with pytest.raises(error) as err:
        parse_payment_link(link)
    assert "\n" not in str(err.value)
    assert isinstance(err.value, WalletError)


BIP21_VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "vectors" / "bip21.json").read_text()
)


@pytest.mark.parametrize("case", BIP21_VECTORS["payable"], ids=lambda c: c["id"])
def test_bip321_links_pay_their_on_chain_address(case: dict[str, Any]) -> None:
    link = parse_payment_link(case["uri"])
    assert (link.network, link.address) == (case["network"], case["address"])


@pytest.mark.parametrize("case", BIP21_VECTORS["refused"], ids=lambda c: c["id"])
def test_bip321_links_coffer_must_not_pay(case: dict[str, Any]) -> None:
    with pytest.raises(getattr(wallet_errors, case["error"])) as err:
        parse_payment_link(case["uri"])
    assert "\n" not in str(err.value)


def test_a_signet_account_pays_a_tb_key() -> None:
    signet = get_network("bitcoin-signet")
    link = parse_payment_link("bitcoin:?tb=tb1qghfhmd4zh7ncpmxl3qzhmq566jk8ckq4gafnmg", signet)
    assert link.network == "bitcoin-signet"


def test_the_eip_example_checksum_is_refused_and_its_lower_case_read() -> None:
    with pytest.raises(InvalidAddress, match="typo"):
        parse_payment_link("ethereum:0xfb6916095ca1df60bb79Ce92ce3ea74c37c5d359?value=2.014e18")
    link = parse_payment_link("ethereum:0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359?value=2.014e18")
    assert link.amount == 2_014_000_000_000_000_000


def test_link_words_are_made_safe_to_print() -> None:
    link = parse_payment_link(f"bitcoin:{BTC}?label=%1B%5B2J%E2%80%AEevil&message=" + "m" * 400)
    assert link.label == "\ufffd[2J\ufffdevil"
    assert len(link.message) == 300


def test_token_link() -> None:
    link = parse_payment_link(f"ethereum:{TOKEN.lower()}/transfer?address={ETH}&uint256=2.5e6")
    assert (link.token, link.address, link.amount, link.decimals) == (TOKEN, ETH, 2_500_000, None)


# -- requests ----------------------------------------------------------------------------------


def test_each_request_reserves_a_fresh_address(abandon_wallet: Wallet) -> None:
    acct = abandon_wallet.account("bitcoin")
    given = acct.receive_address()
    made = [acct.request(Decimal("0.001") * (k + 1), label=f"r{k}") for k in range(5)]
    addresses = [r.address for r in made]
    assert len(set(addresses)) == 5
    assert given not in addresses
    assert acct.receive_address() == given
    assert acct.new_receive_address().address not in addresses
    assert abandon_wallet.labels.get("addr", addresses[2]) == "r2"
    assert [r.id for r in acct.requests()] == [r.id for r in reversed(made)]
    assert {r.status for r in acct.requests()} == {RequestStatus.UNPAID}
    assert abandon_wallet.database.schema_version == LATEST_VERSION


def test_requests_stop_at_the_gap_limit_saying_why(abandon_wallet: Wallet) -> None:
    acct = abandon_wallet.account("bitcoin")
    for _ in range(acct.gap_limit - 1):
        acct.request("0.001")
    with pytest.raises(WalletError, match="19 of them reserved by unpaid payment requests"):
        acct.request("0.001")
    assert len(acct.requests()) == acct.gap_limit - 1


def test_request_link_reads_back_with_its_words(abandon_wallet: Wallet) -> None:
    acct = abandon_wallet.account("bitcoin")
    req = acct.request(
        "0.0015", label="Ann & Bo", message="rent 100%", expires_in=timedelta(hours=1)
    )
    link = parse_payment_link(req.link)
    assert (link.address, link.amount, link.label, link.message) == (
        req.address,
        150_000,
        "Ann & Bo",
        "rent 100%",
    )
    assert link.expires_at == req.expires_at == req.created_at + 3600
    assert qr_form(req.link).startswith("BITCOIN:" + req.address.upper() + "?amount=0.0015")


def test_request_qr_png_and_screenshot_read_back(abandon_wallet: Wallet) -> None:
    acct = abandon_wallet.account("litecoin")
    req = acct.request("0.25", label="Shop")
    png = acct.request_qr(req)
    assert isinstance(png, bytes)
    assert parse_payment_link(read_link_image(png)).address == req.address
    # A "screenshot": the code small and off-centre on a larger grey JPEG.
    shot = Image.new("RGB", (900, 700), (200, 200, 200))
    shot.paste(Image.open(io.BytesIO(png)).convert("RGB"), (480, 260))
    out = io.BytesIO()
    shot.save(out, "JPEG", quality=85)
    assert parse_payment_link(read_link_image(out.getvalue())).amount == 25_000_000
    text = acct.request_qr(req, png=False)
    assert isinstance(text, str)
    assert "\u2588" in text


def test_images_without_a_link_are_refused() -> None:
    blank = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(blank, "PNG")
    with pytest.raises(NoPaymentLink, match="no QR code"):
        read_link_image(blank.getvalue())
    with pytest.raises(NoPaymentLink, match="no payment link"):
        read_link_image(qr_png("https://example.com/"))
    with pytest.raises(NoPaymentLink, match="not an image"):
        read_link_image(b"%PDF-1.4 not an image")


def test_evm_requests_share_the_address(abandon_wallet: Wallet) -> None:
    eth = abandon_wallet.account("ethereum")
    one, two = eth.request("1.5"), eth.request(Decimal("0.25"), label="tea")
    assert one.address == two.address == eth.address
    assert one.link == f"ethereum:{eth.address}@1?value=1.5e18"
    assert parse_payment_link(two.link).amount == 25 * 10**16
    with pytest.raises(UnknownToken, match="knows no token"):  # add it first; no network asked
        eth.request("1", token="0x" + "12" * 20)
    assert len(eth.requests()) == 2


def test_evm_requests_of_one_amount_are_not_open_together(abandon_wallet: Wallet) -> None:
    # One address: two open requests of the same asset and amount could not be told apart.
    eth = abandon_wallet.account("ethereum")
    first = eth.request("0.5", label="table 4", expires_in=3600)
    with pytest.raises(AmbiguousRequest, match=f"request {first.id} already asks 0.5 ETH"):
        eth.request("0.5", label="table 5")
    assert [r.id for r in eth.requests()] == [first.id]
    eth.request("0.5001", label="table 5")  # a distinct amount is fine
    later = replace(eth._request_context(), clock=lambda: first.created_at + 3600)
    again = book.create(later, "0.5")  # the first has expired: no longer open
    assert again.amount == 5 * 10**17
    btc = abandon_wallet.account("bitcoin")
    assert btc.request("0.5").address != btc.request("0.5").address  # UTXO: own addresses


def test_fiat_request_converts_at_the_rate(abandon_wallet: Wallet) -> None:
    acct = abandon_wallet.account("bitcoin")
    quote = FxQuote("BTC", "EUR", Decimal("60000"), "fixture", 1_700_000_000)
    req = acct.request("20", fx=quote)
    assert req.amount == 33_333  # 20 / 60000 BTC, rounded half up to a satoshi
    assert req.fiat_amount == Decimal("20.00")
    assert req.fx is not None
    assert "1 BTC = 60000 EUR (fixture, 2023-11-14" in req.fx.describe()
    with pytest.raises(InvalidAmount, match="rate is for ETH"):
        acct.request("20", fx=FxQuote("ETH", "EUR", Decimal(3000), "fixture", 0))
    with pytest.raises(InvalidAmount):
        acct.request("20.001", fx=quote)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"amount": 0.1}, TypeError),
        ({"amount": "-1"}, InvalidAmount),
        ({"amount": "0"}, InvalidAmount),
        ({"amount": "1e-3"}, InvalidAmount),
        ({"amount": "0.000000001"}, AmountPrecisionError),
        ({"amount": "1", "expires_in": 0}, WalletError),
        ({"amount": "1", "expires_in": timedelta(days=400)}, WalletError),
        ({"amount": "1", "label": "two\nlines"}, WalletError),
        ({"amount": "1", "token": "USDC"}, WalletError),
    ],
    ids=[
        "float",
        "negative",
        "zero",
        "exponent",
        "precision",
        "expiry-0",
        "expiry-long",
        "control",
        "token-on-utxo",
    ],
)
def test_bad_requests_are_refused_and_store_nothing(
    abandon_wallet: Wallet, kwargs: dict[str, object], error: type[Exception]
) -> None:
    acct = abandon_wallet.account("bitcoin")
    with pytest.raises(error):
        acct.request(**kwargs)  # type: ignore[arg-type]
    assert acct.requests() == []


def test_an_unknown_request_or_status(abandon_wallet: Wallet) -> None:
    acct = abandon_wallet.account("bitcoin")
    with pytest.raises(RequestNotFound, match="no payment request 7"):
        acct.payment_request(7)
    with pytest.raises(WalletError, match="not a request status"):
        acct.requests("settled")
    assert acct.requests(["unpaid", RequestStatus.PAID]) == []


# -- status ------------------------------------------------------------------------------------


def _r(txid: str, value: int, confirmed: bool = True, time: int = 100) -> Receipt:
    return Receipt(txid, value, confirmed, time)


@pytest.mark.parametrize(
    ("receipts", "expires", "now", "status"),
    [
        ([], None, 500, RequestStatus.UNPAID),
        ([], 200, 150, RequestStatus.UNPAID),
        ([], 200, 200, RequestStatus.EXPIRED),
        ([_r("a", 1000, False)], None, 500, RequestStatus.PENDING),
        ([_r("a", 400)], None, 500, RequestStatus.PARTIAL),
        ([_r("a", 400), _r("b", 600, False)], None, 500, RequestStatus.PENDING),
        ([_r("a", 400), _r("b", 600)], None, 500, RequestStatus.PAID),
        ([_r("a", 1500)], None, 500, RequestStatus.OVERPAID),
        ([_r("a", 1000, time=250)], 200, 500, RequestStatus.PAID_LATE),
        ([_r("a", 1000, time=150)], 200, 500, RequestStatus.PAID),
        ([_r("a", 300, time=400)], 200, 500, RequestStatus.PARTIAL),
    ],
    ids=[
        "unpaid",
        "not-yet-expired",
        "expired",
        "pending",
        "partial",
        "part-pending",
        "paid",
        "overpaid",
        "paid-late",
        "paid-in-time",
        "partial-late",
    ],
)
def test_settle(
    receipts: list[Receipt], expires: int | None, now: int, status: RequestStatus
) -> None:
    assert settle(1000, expires, receipts, now).status is status


def _in(txid: str, amount: int, time: int, token: str | None = None) -> HistoryEntry:
    return HistoryEntry(
        "ethereum", txid, TxStatus.CONFIRMED, 1, 1, time, "ETH", 18, amount, token=token
    )


def test_evm_payments_are_told_apart_by_asset_time_and_amount() -> None:
    asks = [
        EvmAsk(1, None, 500, 100),
        EvmAsk(2, None, 300, 110),
        EvmAsk(3, TOKEN, 7, 120),
        EvmAsk(4, None, 300, 130),
    ]
    history = [
        _in("early", 500, 90),  # before every request: counts for none
        _in("t1", 300, 140),  # exact: the oldest request of 300
        _in("t2", 7, 150, TOKEN.lower()),  # the token request
        _in("t3", 200, 160),  # not exact: the oldest unpaid (500), partly
        _in("t4", 300, 170),  # exact: the next request of 300
        _in("out", -50, 175),  # a send: ignored
    ]
    paid = allocate_evm(asks, history)
    assert [r.txid for r in paid[1]] == ["t3"]
    assert [r.txid for r in paid[2]] == ["t1"]
    assert [r.txid for r in paid[3]] == ["t2"]
    assert [r.txid for r in paid[4]] == ["t4"]


def test_evm_payments_go_to_open_requests_before_expired_ones() -> None:
    asks = [
        EvmAsk(1, None, 300, 100, expires_at=150),  # expired, never paid
        EvmAsk(2, None, 300, 200),  # the same amount asked again
        EvmAsk(3, None, 1000, 100, expires_at=150),
        EvmAsk(4, None, 1000, 200, expires_at=10_000),
    ]
    history = [
        _in("fresh", 300, 210),  # exact for both 1 and 2: the open one, 2
        _in("part", 400, 220),  # not exact: the oldest open one not fully paid, 4
        _in("late", 300, 300),  # 2 is paid: the expired 1 is paid late
    ]
    paid = allocate_evm(asks, history)
    assert [r.txid for r in paid[2]] == ["fresh"]
    assert [r.txid for r in paid[4]] == ["part"]
    assert [r.txid for r in paid[1]] == ["late"]
    assert paid[3] == []


# -- paying ------------------------------------------------------------------------------------


def _link(amount: int | None = 1000, expires_at: int | None = None) -> PaymentLink:
    return PaymentLink("bitcoin:x", "bitcoin", BTC, amount, "BTC", 8, expires_at=expires_at)


def test_fiat_amounts_of_many_token_units_convert_exactly() -> None:
    # 200,000 EUR at 0.00001 EUR: 2e10 tokens of 18 decimals, 29 digits of base units.
    token = Asset("SHIB", 18, "0x" + "ab" * 20)
    cheap = FxQuote("SHIB", "EUR", Decimal("0.00001"), "test", 0)
    units, fiat = fiat_to_units("200000", cheap, token)
    assert (units, fiat) == (2 * 10**28, Decimal("200000.00"))
    # 20 / 0.000012345 = 1620089.1049007695423248278655...: half up at the 18th decimal.
    odd = FxQuote("SHIB", "EUR", Decimal("0.000012345"), "test", 0)
    assert fiat_to_units("20", odd, token)[0] == 1_620_089_104_900_769_542_324_828


def test_an_expired_link_is_paid_only_when_allowed() -> None:
    coin = Asset("BTC", 8)
    with pytest.raises(RequestExpired, match="expired") as err:
        plan_payment(_link(expires_at=100), coin, 100)
    assert err.value.expired_at == 100
    plan = plan_payment(_link(expires_at=100), coin, 100, allow_expired=True)
    assert plan.expired
    assert plan.amount == 1000
    assert not plan_payment(_link(expires_at=100), coin, 99).expired


def test_payment_amounts() -> None:
    coin = Asset("BTC", 8)
    quote = FxQuote("BTC", "USD", Decimal("50000"), "fixture", 0)
    assert plan_payment(_link(None), coin, 0, amount="0.5").amount == 50_000_000
    shown = plan_payment(_link(2_000_000), coin, 0, fx=quote)
    assert shown.fiat_amount == Decimal("1000.00")
    converted = plan_payment(_link(None), coin, 0, fiat_amount="25", fx=quote)
    assert converted.amount == 50_000
    with pytest.raises(InvalidAmount, match="names no amount"):
        plan_payment(_link(None), coin, 0)
    with pytest.raises(InvalidAmount, match=r"asks for 0\.00001 BTC"):
        plan_payment(_link(1000), coin, 0, amount="0.1")
    with pytest.raises(InvalidPaymentLink, match="rate"):
        plan_payment(_link(None), coin, 0, fiat_amount="25")


def test_prepare_payment_refuses_before_building(abandon_wallet: Wallet) -> None:
    acct = abandon_wallet.account("bitcoin")
    ltc = abandon_wallet.account("litecoin").receive_address()
    with pytest.raises(NetworkMismatch, match="Litecoin"):
        acct.prepare_payment(f"litecoin:{ltc}?amount=1")
    with pytest.raises(NetworkMismatch, match="Litecoin"):
        acct.prepare_payment(parse_payment_link(f"litecoin:{ltc}?amount=1"))
    expired = f"bitcoin:{BTC}?amount=0.001&time=1000&exp=60"
    with pytest.raises(RequestExpired):
        acct.prepare_payment(expired)
    eth = abandon_wallet.account("ethereum")
    with pytest.raises(NetworkMismatch, match="chain id 137"):
        eth.prepare_payment(f"ethereum:{ETH}@137?value=1e18")


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(
        ["", "bitcoin:", "litecoin:", "ethereum:", f"bitcoin:{BTC}?", f"ethereum:{ETH}"]
    ),
    st.text(max_size=60),
)
def test_any_text_is_read_or_refused_with_a_public_error(prefix: str, text: str) -> None:
    message = "read"
    try:
        parse_payment_link(prefix + text)
    except WalletError as err:  # any other exception fails the test
        message = str(err)
    assert message
    assert "\n" not in message
