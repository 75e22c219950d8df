"""Recovery wallets without a chain: policy text, spending paths, clocks and every refusal.

The descriptors use keys derived here from fixed seeds; sizes are checked against the
witnesses the satisfier builds, and the status arithmetic against BIP-68's rule (a coin
confirmed at height H can be spent with nSequence N in block H + N, i.e. once it has N
confirmations).
"""

from __future__ import annotations

import pytest

from keystore.bip32 import ExtendedPrivateKey, parse_path
from primitives.descriptors import LITECOIN_TESTNET_XPUBS, ParseOptions, parse_descriptor
from primitives.tx import OutPoint
from wallet.errors import InvalidTimelock, TimelockNotReached, UnknownSpendPath
from wallet.utxo.builder import SEQUENCE_NO_RBF, SEQUENCE_RBF, path_sequence, timelock_ready
from wallet.utxo.paths import OWNER, RECOVERY, SpendPath, policy_paths
from wallet.utxo.recovery import (
    MAX_RECOVERY_BLOCKS,
    check_recovery_blocks,
    coin_clock,
    recovery_descriptor_body,
    recovery_key,
    recovery_status,
)
from wallet.utxo.state import Coin

TPUB = 0x043587CF
OPTIONS = ParseOptions(xpub_versions=LITECOIN_TESTNET_XPUBS)
LTC_BLOCK = 150


def cosigner(seed: bytes) -> str:
    master = ExtendedPrivateKey.from_seed(seed)
    key = master.derive_path(parse_path("m/48'/1'/0'/2'")).public()
    return f"[{master.fingerprint.hex()}/48h/1h/0h/2h]{key.serialize(TPUB)}"


OWNER_KEY = cosigner(b"\x01" * 32)
HEIR_KEY = cosigner(b"\x02" * 32)


def paths(blocks: int, taproot: bool = False) -> tuple[SpendPath, ...]:
    body = recovery_descriptor_body(
        recovery_key(OWNER_KEY), recovery_key(HEIR_KEY), blocks, taproot
    )
    return policy_paths(parse_descriptor(body, OPTIONS), LTC_BLOCK)


def coin(height: int | None, n: int = 0, value: int = 100_000) -> Coin:
    return Coin(OutPoint(bytes([n + 1]) * 32, n), value, b"", 0, n, "addr", height, False)


def test_descriptor_texts_are_the_two_recovery_shapes() -> None:
    wsh = recovery_descriptor_body("A", "B", 10, taproot=False)
    assert wsh == "wsh(or_d(pk(A),and_v(v:pkh(B),older(10))))"
    assert recovery_descriptor_body("A", "B", 10, taproot=True) == "tr(A,and_v(v:pk(B),older(10)))"
    assert recovery_key(OWNER_KEY) == OWNER_KEY + "/<0;1>/*"
    assert recovery_key(OWNER_KEY + "/<0;1>/*") == OWNER_KEY + "/<0;1>/*"


@pytest.mark.parametrize("blocks", [0, -1, MAX_RECOVERY_BLOCKS + 1, 4_194_314], ids=str)
def test_delays_outside_bip68_blocks_are_refused(blocks: int) -> None:
    with pytest.raises(InvalidTimelock, match="1 to 65535 blocks") as err:
        check_recovery_blocks(blocks, LTC_BLOCK)
    assert err.value.blocks == blocks
    assert "114 days" in str(err.value)  # 65,535 Litecoin blocks of 150 s


def test_a_delay_that_is_not_an_integer_is_refused() -> None:
    with pytest.raises(InvalidTimelock, match="whole number"):
        check_recovery_blocks(True)
    assert check_recovery_blocks(1) == 1
    assert check_recovery_blocks(MAX_RECOVERY_BLOCKS) == MAX_RECOVERY_BLOCKS


@pytest.mark.parametrize("taproot", [False, True], ids=["wsh", "tr"])
def test_paths_are_named_described_and_sized(taproot: bool) -> None:
    owner, recovery = paths(10, taproot)
    assert (owner.name, recovery.name) == (OWNER, RECOVERY)
    assert owner.older is None
    assert owner.key_path is taproot
    assert recovery.older == recovery.older_blocks == 10
    assert owner.description.endswith("alone")
    assert "after 10 blocks (about 25 minutes)" in recovery.description
    if taproot:
        # key path: one 65-byte signature; leaf: signature, 36-byte script, 33-byte control
        assert owner.input_size.weight == 4 * 41 + 1 + 1 + 65
        assert recovery.input_size.weight == 4 * 41 + 1 + 66 + 37 + 34
    else:
        # owner: [sig] + 65-byte script; heir: [sig, pubkey, empty] + script
        assert owner.input_size.weight == 4 * 41 + 1 + 74 + 66
        assert recovery.input_size.weight == 4 * 41 + 1 + 74 + 34 + 1 + 66


def test_a_policy_of_other_shape_gets_numbered_paths() -> None:
    text = (
        f"wsh(andor(pk({recovery_key(OWNER_KEY)}),older(5),"
        f"and_v(v:pk({recovery_key(HEIR_KEY)}),older(20))))"
    )
    found = policy_paths(parse_descriptor(text, OPTIONS), LTC_BLOCK)
    assert [p.name for p in found] == ["path-1", "path-2"]
    assert [p.older_blocks for p in found] == [5, 20]


def test_single_key_descriptors_have_no_paths() -> None:
    text = f"wpkh({recovery_key(OWNER_KEY)})"
    assert policy_paths(parse_descriptor(text, OPTIONS), LTC_BLOCK) == ()


def test_clock_of_a_coin_counts_down_to_n_confirmations() -> None:
    # confirmed at 100, N = 10: the spend is valid in block 109, so the tip must be 108
    young = coin_clock(coin(100), 100, 10, LTC_BLOCK)
    assert (young.confirmations, young.blocks_left, young.opens_at_height) == (1, 9, 109)
    assert young.days_left == pytest.approx(9 * 150 / 86400)
    assert "opens in 9 blocks (about 22 minutes)" in young.note
    assert not young.warning
    one_left = coin_clock(coin(100), 108, 10, LTC_BLOCK)
    assert (one_left.confirmations, one_left.blocks_left, one_left.warning) == (9, 1, True)
    assert "refresh it soon" in one_left.note
    open_ = coin_clock(coin(100), 109, 10, LTC_BLOCK)
    assert (open_.confirmations, open_.blocks_left, open_.warning) == (10, 0, True)
    assert "can spend it now" in open_.note
    later = coin_clock(coin(100), 500, 10, LTC_BLOCK)
    assert later.blocks_left == 0


def test_warning_starts_at_ten_percent_left() -> None:
    n = 1000
    assert not coin_clock(coin(1), 1 + n - 101 - 1, n, 600).warning  # 101 left
    assert coin_clock(coin(1), 1 + n - 100 - 1, n, 600).warning  # 100 left: 10%
    days = coin_clock(coin(1), 1, 52_560, 600).days_left
    assert days == pytest.approx(52_559 * 600 / 86400)


def test_unconfirmed_coins_start_their_clock_when_they_confirm() -> None:
    clock = coin_clock(coin(None), 100, 10, LTC_BLOCK)
    assert clock.blocks_left is None
    assert clock.opens_at_height is None
    assert clock.days_left is None
    assert not clock.warning
    assert "the clock starts when it confirms" in clock.note


def test_status_lists_soonest_first_and_sums_up() -> None:
    coins = [coin(None, 0), coin(105, 1), coin(101, 2)]
    status = recovery_status(coins, 108, paths(10), LTC_BLOCK)
    assert status.after_blocks == 10
    assert [c.blocks_left for c in status.coins] == [2, 6, None]
    assert status.soonest is not None
    assert status.soonest.blocks_left == 2
    assert not status.warning  # 2 of 10 blocks left is 20%
    assert "opens first for" in status.summary
    assert "Owner:" in status.summary
    assert recovery_status(coins, 109, paths(10), LTC_BLOCK).warning  # 1 left: 10%


def test_status_without_coins_and_with_unconfirmed_only() -> None:
    empty = recovery_status([], 100, paths(10), LTC_BLOCK)
    assert empty.soonest is None
    assert not empty.warning
    assert "No coins yet" in empty.summary
    waiting = recovery_status([coin(None)], 100, paths(10), LTC_BLOCK)
    assert waiting.soonest is None
    assert "starts when its coin confirms" in waiting.summary


def test_status_of_a_policy_without_recovery_path_is_refused() -> None:
    text = f"wsh(pk({recovery_key(OWNER_KEY)}))"
    none = policy_paths(parse_descriptor(text, OPTIONS), LTC_BLOCK)
    with pytest.raises(InvalidTimelock, match="no recovery path"):
        recovery_status([], 100, none, LTC_BLOCK)


def test_sequence_follows_the_path() -> None:
    owner, recovery = paths(10)
    assert path_sequence(None, rbf=True) == SEQUENCE_RBF
    assert path_sequence(None, rbf=False) == SEQUENCE_NO_RBF
    assert path_sequence(owner, rbf=True) == SEQUENCE_RBF
    assert path_sequence(recovery, rbf=True) == 10
    assert path_sequence(recovery, rbf=False) == 10


def test_only_old_enough_coins_go_to_the_recovery_path() -> None:
    _, recovery = paths(10)
    old, young, unconfirmed = coin(90, 0), coin(100, 1), coin(None, 2)
    every = [old, young, unconfirmed]
    assert timelock_ready(108, recovery, [], every, LTC_BLOCK) == [old]
    assert timelock_ready(108, None, [], every, LTC_BLOCK) == every
    assert timelock_ready(109, recovery, [], every, LTC_BLOCK) == [old, young]


def test_a_young_named_coin_is_refused_naming_when_it_opens() -> None:
    _, recovery = paths(10)
    with pytest.raises(TimelockNotReached) as err:
        timelock_ready(108, recovery, [coin(100, 1)], [], LTC_BLOCK)
    assert err.value.reason == "timelocked"
    assert (err.value.blocks_left, err.value.opens_at_height) == (1, 109)
    assert "in 1 blocks" in str(err.value)
    assert "after block 109" in str(err.value)
    with pytest.raises(TimelockNotReached, match="starts when it confirms") as err:
        timelock_ready(108, recovery, [coin(None, 2)], [], LTC_BLOCK)
    assert err.value.blocks_left is None


def test_no_coin_old_enough_names_the_soonest() -> None:
    _, recovery = paths(10)
    with pytest.raises(TimelockNotReached, match="No coin is old enough") as err:
        timelock_ready(108, recovery, [], [coin(None, 0), coin(103, 1), coin(101, 2)], LTC_BLOCK)
    assert err.value.outpoint == str(coin(101, 2).outpoint)
    assert err.value.blocks_left == 2


def test_a_time_based_lock_is_not_spent() -> None:
    _, recovery = paths(10)
    seconds = SpendPath("recovery", "", 4_194_305, None, 512, False, False, recovery.input_size)
    with pytest.raises(UnknownSpendPath, match="time-based"):
        timelock_ready(108, seconds, [], [coin(1)], LTC_BLOCK)


def test_multisig_policies_have_no_named_paths() -> None:
    nums = "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0"
    keys = f"{recovery_key(OWNER_KEY)},{recovery_key(HEIR_KEY)}"
    for text in (f"wsh(sortedmulti(1,{keys}))", f"tr({nums},sortedmulti_a(1,{keys}))"):
        assert policy_paths(parse_descriptor(text, OPTIONS), LTC_BLOCK) == ()


def test_an_unspendable_internal_key_is_no_path() -> None:
    nums = "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0"
    text = f"tr({nums},and_v(v:pk({recovery_key(HEIR_KEY)}),older(10)))"
    (only,) = policy_paths(parse_descriptor(text, OPTIONS), LTC_BLOCK)
    assert only.name == "path-1"
    assert only.older_blocks == 10
