"""UTXO fee presets, custom rates and the caps (``wallet.utxo.fees``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from chains.registry import UtxoNetwork, get_network
from chains.utxo.backend import FeeRate
from chains.utxo.devnet import BitcoinDevnet
from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.errors import FeeTooHigh, FeeTooLow, FloatAmountError, InvalidAmount, WalletError
from wallet.types import FeeLevel
from wallet.utxo import fees


def network(name: str) -> UtxoNetwork:
    net = get_network(name)
    assert isinstance(net, UtxoNetwork)
    return net


REGTEST = network("bitcoin-regtest")
DOGECOIN = network("dogecoin")
LITECOIN = network("litecoin")


def rate(sat_vb: str) -> FeeRate:
    return FeeRate.from_sat_vb(Decimal(sat_vb))


def test_targets_are_slow_normal_fast() -> None:
    assert fees.TARGETS == {FeeLevel.SLOW: 25, FeeLevel.NORMAL: 6, FeeLevel.FAST: 2}


def test_each_preset_says_its_target_in_blocks_and_minutes() -> None:
    btc = fees.FeePresets.fallback(REGTEST)
    assert btc.target("normal") == fees.FeeTarget("normal", 6, 60)
    assert btc.target(FeeLevel.SLOW) == fees.FeeTarget("slow", 25, 250)
    ltc = fees.FeePresets.fallback(LITECOIN)
    assert ltc.target("fast") == fees.FeeTarget("fast", 2, 5)  # 2.5-minute blocks
    assert fees.FeePresets.fallback(DOGECOIN).target("slow").minutes == 25  # 1-minute blocks
    with pytest.raises(WalletError):
        btc.target("soon")


def test_presets_fall_back_floor_and_keep_their_order() -> None:
    none = fees.FeePresets.fallback(REGTEST)
    assert (none.slow, none.normal, none.fast) == (rate("2"), rate("2"), rate("2"))
    assert none.estimated is False
    crossed = fees.FeePresets.from_rates(LITECOIN, rate("5"), rate("3"), rate("0.2"))
    assert (crossed.slow, crossed.normal, crossed.fast) == (rate("5"), rate("5"), rate("5"))
    assert crossed.estimated is True
    floored = fees.FeePresets.from_rates(LITECOIN, rate("0.1"), rate("0.5"), rate("7.25"))
    assert (floored.slow, floored.normal, floored.fast) == (rate("1"), rate("1"), rate("7.25"))
    partly = fees.FeePresets.from_rates(LITECOIN, None, rate("4"), None)
    assert (partly.slow, partly.normal, partly.fast) == (rate("2"), rate("4"), rate("4"))
    assert partly.estimated is False
    doge = fees.FeePresets.fallback(DOGECOIN)
    assert doge.normal.sat_vb == 1000  # 0.01 DOGE/kB, Dogecoin Core's recommendation
    assert fees.FeePresets.from_rates(DOGECOIN, rate("1"), None, None).slow == rate("100")


def test_preset_by_name() -> None:
    presets = fees.FeePresets.from_rates(LITECOIN, rate("1"), rate("2"), rate("3"))
    assert [presets.rate(n) for n in ("slow", "normal", " FAST ")] == [
        rate("1"),
        rate("2"),
        rate("3"),
    ]
    assert presets.rate(FeeLevel.NORMAL) == rate("2")
    with pytest.raises(WalletError, match="slow, normal or fast"):
        presets.rate("urgent")


def test_presets_from_the_devnet_backend() -> None:
    with BitcoinDevnet() as devnet:
        presets = fees.fee_presets(devnet, REGTEST)
        assert presets.fast == devnet.fee_rate(2) == FeeRate.from_sat_vb(2)  # its fallback
        assert presets.network == "bitcoin-regtest"


def test_custom_rates() -> None:
    assert fees.custom_rate(Decimal("12.5"), LITECOIN) == FeeRate(12_500)
    assert fees.custom_rate("1.0001", LITECOIN) == FeeRate(1_001)  # rounded up to sat/kvB
    assert fees.custom_rate(3, LITECOIN) == FeeRate(3_000)
    with pytest.raises(FloatAmountError):
        fees.custom_rate(2.5, LITECOIN)  # type: ignore[arg-type]
    for bad in ("abc", "0", "-1", "NaN", "Infinity"):
        with pytest.raises(InvalidAmount):
            fees.custom_rate(bad, LITECOIN)
    with pytest.raises(FeeTooLow, match="minimum relay fee of 1 sat/vB"):
        fees.custom_rate("0.999", LITECOIN)
    assert fees.custom_rate("1", LITECOIN) == FeeRate(1_000)
    with pytest.raises(FeeTooLow, match="100 sat/vB"):
        fees.custom_rate("99", DOGECOIN)
    presets = fees.FeePresets.fallback(LITECOIN)
    assert fees.resolve_rate(presets, "fast", None, LITECOIN) == presets.fast
    assert fees.resolve_rate(presets, "fast", "9", LITECOIN) == FeeRate(9_000)


def test_rate_cap_boundary() -> None:
    presets = fees.FeePresets.from_rates(LITECOIN, rate("1"), rate("2"), rate("3"))
    policy = fees.FeePolicy()
    vsize = 141
    cap = 30 * vsize  # ten times the fast rate
    assert fees.check_fee(cap, vsize, 0, presets, policy, LITECOIN) == cap
    with pytest.raises(FeeTooHigh) as info:
        fees.check_fee(cap + 1, vsize, 0, presets, policy, LITECOIN)
    assert (info.value.fee, info.value.cap) == (cap + 1, cap)
    assert "more than 10 times the fast estimate of 3 sat/vB" in str(info.value)
    assert fees.check_fee(cap + 1, vsize, 0, presets, policy, LITECOIN, allow_high_fee=True) == (
        cap + 1
    )


def test_share_cap_boundary_and_setting(tmp_path: Path) -> None:
    presets = fees.FeePresets.from_rates(LITECOIN, rate("100"), rate("100"), rate("100"))
    policy = fees.FeePolicy()
    assert policy.max_share == Decimal("0.10")
    assert fees.check_fee(1_000, 200, 10_000, presets, policy, LITECOIN) == 1_000
    with pytest.raises(FeeTooHigh) as info:
        fees.check_fee(1_001, 200, 10_000, presets, policy, LITECOIN)
    assert (info.value.fee, info.value.cap) == (1_001, 1_000)
    assert "more than 10% of the 0.0001 LTC sent" in str(info.value)
    with Wallet.create(tmp_path / "w.coffer", PASSWORD, ABANDON) as wallet:
        db = wallet.database
        assert fees.load_policy(db) == fees.FeePolicy()
        fees.set_max_fee_share(db, "0.25")
        assert fees.load_policy(db).max_share == Decimal("0.25")
        assert fees.check_fee(2_500, 200, 10_000, presets, fees.load_policy(db), LITECOIN) == (
            2_500
        )
        for bad in ("0", "1.5", "-0.1", "x"):
            with pytest.raises(InvalidAmount):
                fees.set_max_fee_share(db, bad)
        with pytest.raises(FloatAmountError):
            fees.set_max_fee_share(db, 0.2)  # type: ignore[arg-type]
        assert fees.load_policy(db).max_share == Decimal("0.25")
    with Wallet.open(tmp_path / "w.coffer", PASSWORD) as wallet:
        assert fees.load_policy(wallet.database).max_share == Decimal("0.25")  # stored
        fees.set_max_fee_share(wallet.database, None)
        assert fees.load_policy(wallet.database) == fees.FeePolicy()
