"""EVM fee levels, the high-fee cap, nonce planning, replacement fees and transfer plans."""

from __future__ import annotations

from decimal import Decimal

import pytest
from eth_abi.abi import decode
from eth_utils import keccak
from hypothesis import given
from hypothesis import strategies as st

from chains.errors import InvalidAddressChecksum, MalformedAddress
from chains.evm.errors import FeeAboveMarket, InsufficientBalance, RecipientRefused
from chains.evm.fees import (
    HIGH_FEE_FACTOR,
    FeeEstimate,
    FeeQuote,
    check_fee_cap,
    custom_quote,
    fees_from_history,
    gwei,
)
from chains.evm.history import TransferKind
from chains.evm.nonces import bump, plan_nonce, replacement_fees
from chains.evm.transfers import (
    ZERO_ADDRESS,
    UnsignedTx,
    check_funds,
    erc20_transfer,
    erc721_transfer,
    erc1155_transfer,
    max_native_amount,
    native_transfer,
)

GWEI = 10**9
ME = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


# -- fee levels --------------------------------------------------------------------------------


def test_levels_are_medians_of_the_percentiles_over_busy_blocks() -> None:
    est = fees_from_history(
        base_fees=[10 * GWEI, 11 * GWEI, 12 * GWEI, 9 * GWEI],
        gas_used_ratios=[Decimal("0.5"), Decimal(0), Decimal("0.9")],
        rewards=[[1 * GWEI, 2 * GWEI, 5 * GWEI], [0, 0, 0], [3 * GWEI, 4 * GWEI, 7 * GWEI]],
        fallback_tip=GWEI,
    )
    assert est.base_fee == 9 * GWEI  # the next block's
    # The empty block is left out: medians of two busy blocks, rounded up.
    assert est.slow == FeeQuote("slow", 18 * GWEI + 2 * GWEI, 2 * GWEI)
    assert est.normal == FeeQuote("normal", 18 * GWEI + 3 * GWEI, 3 * GWEI)
    assert est.fast == FeeQuote("fast", 18 * GWEI + 6 * GWEI, 6 * GWEI)
    assert not est.legacy
    assert est.cap_per_gas == HIGH_FEE_FACTOR * 24 * GWEI


def test_idle_chain_uses_the_node_suggestion() -> None:
    est = fees_from_history([GWEI, GWEI], [Decimal(0)], [[0, 0, 0]], fallback_tip=GWEI)
    assert est.slow.max_priority_fee_per_gas == est.fast.max_priority_fee_per_gas == GWEI
    assert est.normal.max_fee_per_gas == 3 * GWEI


@given(
    st.lists(
        st.tuples(st.integers(0, 10**12), st.integers(0, 10**12), st.integers(0, 10**12)).map(
            sorted
        ),
        min_size=1,
        max_size=20,
    ),
    st.integers(0, 10**12),
)
def test_levels_never_decrease(rows: list[list[int]], base: int) -> None:
    est = fees_from_history([base] * (len(rows) + 1), [Decimal(1)] * len(rows), rows, GWEI)
    assert est.slow.fee_per_gas <= est.normal.fee_per_gas <= est.fast.fee_per_gas
    for quote in (est.slow, est.normal, est.fast):
        tip = quote.max_priority_fee_per_gas
        assert tip is not None
        assert quote.max_fee_per_gas == 2 * base + tip


ESTIMATE = fees_from_history([GWEI, GWEI], [Decimal(1)], [[GWEI, 2 * GWEI, 3 * GWEI]], GWEI)
LEGACY = FeeEstimate(
    0,
    FeeQuote("slow", gas_price=5 * GWEI),
    FeeQuote("normal", gas_price=6 * GWEI),
    FeeQuote("fast", gas_price=7 * GWEI),
)


def test_custom_quotes() -> None:
    assert custom_quote(ESTIMATE, max_fee_per_gas=10 * GWEI) == FeeQuote(
        "custom", 10 * GWEI, 2 * GWEI
    )
    assert custom_quote(ESTIMATE, max_fee_per_gas=GWEI) == FeeQuote("custom", GWEI, GWEI)
    assert custom_quote(ESTIMATE, max_priority_fee_per_gas=5 * GWEI) == FeeQuote(
        "custom", 7 * GWEI, 5 * GWEI
    )
    assert custom_quote(ESTIMATE, gas_price=4 * GWEI).max_fee_per_gas == 4 * GWEI
    assert custom_quote(LEGACY, gas_price=9 * GWEI) == FeeQuote("custom", gas_price=9 * GWEI)
    assert custom_quote(LEGACY, max_fee_per_gas=8 * GWEI).gas_price == 8 * GWEI
    with pytest.raises(ValueError, match="above the fee cap"):
        custom_quote(ESTIMATE, max_fee_per_gas=GWEI, max_priority_fee_per_gas=2 * GWEI)
    with pytest.raises(ValueError, match="negative"):
        custom_quote(ESTIMATE, gas_price=-1)


def test_a_fee_far_above_the_fast_level_is_refused() -> None:
    cap = ESTIMATE.cap_per_gas
    check_fee_cap(FeeQuote("custom", cap, GWEI), ESTIMATE, 21000, "ETH")
    with pytest.raises(FeeAboveMarket) as info:
        check_fee_cap(FeeQuote("custom", cap + 1, GWEI), ESTIMATE, 21000, "ETH")
    assert info.value.fee == 21000 * (cap + 1)
    assert info.value.cap == 21000 * cap
    assert "up to 15.000000001 gwei" in str(info.value)  # exact, never a float
    assert "fast level (5 gwei)" in str(info.value)  # 2 x 1 gwei base fee + 3 gwei tip
    with pytest.raises(FeeAboveMarket):
        check_fee_cap(FeeQuote("custom", gas_price=22 * GWEI), LEGACY, 21000, "BNB")


def test_gwei_text_is_exact() -> None:
    assert gwei(1_500_000_000) == "1.5"
    assert gwei(1) == "0.000000001"
    assert gwei(30 * GWEI) == "30"


# -- nonces and replacements -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mined", "pending", "ours", "next_nonce", "gaps"),
    [
        (0, 0, [], 0, ()),
        (5, 5, [], 5, ()),
        (5, 7, [], 7, ()),  # the node holds 5 and 6 pending
        (5, 5, [5, 6], 7, ()),  # ours, which this node does not know (sent elsewhere)
        (5, 5, [3, 4], 5, ()),  # ours are mined already
        (5, 5, [7], 5, (5, 6)),  # a gap: 7 waits for 5 and 6
        (5, 6, [5, 8], 6, (6, 7)),
        (5, 9, [8], 9, ()),
    ],
)
def test_plan_nonce(
    mined: int, pending: int, ours: list[int], next_nonce: int, gaps: tuple[int, ...]
) -> None:
    state = plan_nonce(mined, pending, ours)
    assert state.next_nonce == next_nonce
    assert state.gaps == gaps
    assert state.stuck == (tuple(n for n in state.in_flight if n > gaps[0]) if gaps else ())


@given(st.integers(0, 50), st.integers(0, 10), st.sets(st.integers(0, 80), max_size=8))
def test_next_nonce_is_never_held(mined: int, extra: int, ours: set[int]) -> None:
    state = plan_nonce(mined, mined + extra, ours)
    held = set(range(mined, mined + extra)) | {n for n in ours if n >= mined}
    assert state.next_nonce >= mined
    assert state.next_nonce not in held
    assert all(g not in held and mined <= g < max(held) for g in state.gaps)


def test_bump_is_ten_percent_rounded_up_and_strictly_more() -> None:
    assert bump(0) == 1
    assert bump(1) == 2
    assert bump(10) == 11
    assert bump(15) == 17
    assert bump(100 * GWEI) == 110 * GWEI
    for old in range(0, 1000):
        assert bump(old) > old
        assert bump(old) >= old * 110 // 100  # geth's threshold


def test_replacement_fees_raise_both_and_reach_the_level() -> None:
    old = FeeQuote("normal", 3 * GWEI, 2 * GWEI)
    new = replacement_fees(old, ESTIMATE, "fast")
    assert new.max_priority_fee_per_gas == 3 * GWEI  # the fast tip beats +10%
    assert new.max_fee_per_gas == 5 * GWEI  # the fast cap beats +10%
    pricey = FeeQuote("fast", 50 * GWEI, 20 * GWEI)
    again = replacement_fees(pricey, ESTIMATE, "fast")
    assert (again.max_fee_per_gas, again.max_priority_fee_per_gas) == (55 * GWEI, 22 * GWEI)
    legacy = replacement_fees(FeeQuote("normal", gas_price=6 * GWEI), LEGACY, "fast")
    assert legacy == FeeQuote("replacement", gas_price=7 * GWEI)
    legacy = replacement_fees(FeeQuote("normal", gas_price=10 * GWEI), LEGACY, "slow")
    assert legacy.gas_price == 11 * GWEI


# -- transfer plans ----------------------------------------------------------------------------


def test_plans_carry_the_standard_calls() -> None:
    native = native_transfer(FRIEND.lower(), 5)
    assert (native.to, native.value, native.data, native.recipient) == (FRIEND, 5, b"", FRIEND)
    erc20 = erc20_transfer(TOKEN, FRIEND, 7)
    assert erc20.data[:4] == keccak(text="transfer(address,uint256)")[:4]
    assert decode(["address", "uint256"], erc20.data[4:]) == (FRIEND.lower(), 7)
    assert (erc20.to, erc20.value, erc20.kind) == (TOKEN, 0, TransferKind.ERC20)
    nft = erc721_transfer(TOKEN, ME, FRIEND, 42)
    assert nft.data[:4] == keccak(text="safeTransferFrom(address,address,uint256)")[:4]
    assert decode(["address", "address", "uint256"], nft.data[4:]) == (
        ME.lower(),
        FRIEND.lower(),
        42,
    )
    assert (nft.amount, nft.token_id) == (1, 42)
    multi = erc1155_transfer(TOKEN, ME, FRIEND, 3, 9)
    signature = "safeTransferFrom(address,address,uint256,uint256,bytes)"
    assert multi.data[:4] == keccak(text=signature)[:4]
    assert decode(["address", "address", "uint256", "uint256", "bytes"], multi.data[4:]) == (
        ME.lower(),
        FRIEND.lower(),
        3,
        9,
        b"",
    )


def test_lossy_recipients_are_refused_with_a_reason() -> None:
    with pytest.raises(RecipientRefused, match="zero address") as info:
        native_transfer(ZERO_ADDRESS, 1)
    assert info.value.reason == "zero-address"
    for plan in (
        lambda: erc20_transfer(TOKEN, TOKEN.lower(), 1),
        lambda: erc721_transfer(TOKEN, ME, TOKEN, 1),
        lambda: erc1155_transfer(TOKEN, ME, TOKEN, 1, 1),
    ):
        with pytest.raises(RecipientRefused, match="own contract") as info:
            plan()
        assert info.value.reason == "token-contract"
    with pytest.raises(RecipientRefused):
        erc20_transfer(TOKEN, ZERO_ADDRESS, 1)
    with pytest.raises(InvalidAddressChecksum):
        native_transfer("0x70997970c51812dc3A010C7d01b50e0d17dc79C8", 1)
    with pytest.raises(MalformedAddress):
        native_transfer("0x1234", 1)
    with pytest.raises(ValueError, match="whole number"):
        native_transfer(FRIEND, -1)


def test_funds_cover_value_and_the_maximum_fee() -> None:
    tx = UnsignedTx(1, 0, FRIEND, 10**18, b"", 21000, 30 * GWEI, GWEI)
    assert tx.max_fee == 21000 * 30 * GWEI
    check_funds(tx, 10**18 + tx.max_fee, "ETH")
    with pytest.raises(InsufficientBalance) as info:
        check_funds(tx, 10**18 + tx.max_fee - 5, "ETH")
    assert info.value.shortfall == 5
    assert info.value.asset == "ETH"
    plan = erc20_transfer(TOKEN, FRIEND, 100)
    token_tx = UnsignedTx(1, 0, TOKEN, 0, plan.data, 60000, 30 * GWEI, GWEI)
    with pytest.raises(InsufficientBalance) as info:
        check_funds(token_tx, 10**18, "ETH", token_balance=60, plan=plan)
    assert (info.value.asset, info.value.shortfall) == (TOKEN, 40)
    with pytest.raises(InsufficientBalance) as info:
        check_funds(token_tx, 1000, "ETH", token_balance=100, plan=plan)
    assert info.value.shortfall == token_tx.max_fee - 1000


def test_send_max_leaves_exactly_the_maximum_fee() -> None:
    fee = FeeQuote("normal", 3 * GWEI, GWEI)
    assert max_native_amount(10**18, 21000, fee, "ETH") == 10**18 - 21000 * 3 * GWEI
    with pytest.raises(InsufficientBalance) as info:
        max_native_amount(21000 * 3 * GWEI, 21000, fee, "ETH")
    assert info.value.shortfall == 1
