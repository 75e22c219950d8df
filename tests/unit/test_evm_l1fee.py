"""The OP Stack L1 data fee formulas, against numbers worked by hand from the published specs.

Sources: OP Stack specs (specs.optimism.io), ``protocol/exec-engine.md`` "Ecotone L1-Cost fee
changes" and ``protocol/fjord/predeploys.md`` ``getL1FeeUpperBound`` (with the Fjord linear
regression of ``protocol/fjord/exec-engine.md``: intercept -42,585,600, FastLZ coefficient
836,500, minimum transaction size 100, all scaled by 10**6).
"""

from __future__ import annotations

import pytest

from chains.evm.l1fee import (
    L1FeeParams,
    ecotone_l1_fee,
    fjord_l1_fee_upper_bound,
    unsigned_bytes,
)
from chains.evm.transfers import UnsignedTx
from keystore.signers.evm_signer import signing_hash
from keystore.types import EvmTxRequest
from primitives.hashes import keccak256

# OP Mainnet's Ecotone scalars with an L1 base fee of 10 gwei and a blob base fee of 1 wei:
# fee_scaled = 5227 * 16 * 10**10 + 1_014_213 * 1 = 836_320_001_014_213.
PARAMS = L1FeeParams(
    l1_base_fee=10 * 10**9, blob_base_fee=1, base_fee_scalar=5227, blob_base_fee_scalar=1_014_213
)


def test_fee_scaled() -> None:
    assert PARAMS.fee_scaled == 836_320_001_014_213


@pytest.mark.parametrize(
    ("unsigned_size", "fee"),
    [
        # 110 + 68 = 178 bytes; FastLZ bound 178 + 178 // 255 + 16 = 194;
        # -42_585_600 + 836_500 * 194 = 119_695_400; 119_695_400 * fee_scaled // 10**12.
        (110, 100_103_657_049),
        # 10 + 68 = 78; bound 94; -42_585_600 + 78_631_000 = 36_045_400, below the minimum
        # 100 * 10**6: 100_000_000 * fee_scaled // 10**12.
        (10, 83_632_000_101),
        # 500 + 68 = 568; bound 568 + 2 + 16 = 586; 836_500 * 586 - 42_585_600 = 447_603_400.
        (500, 374_339_675_941),
    ],
    ids=["transfer-sized", "below-minimum-size", "past-255-bytes"],
)
def test_fjord_upper_bound(unsigned_size: int, fee: int) -> None:
    assert fjord_l1_fee_upper_bound(unsigned_size, PARAMS) == fee


def test_ecotone_fee_counts_calldata_gas_and_the_signature() -> None:
    # 0x02 and 0xff cost 16 gas each, 0x00 costs 4, the missing signature 68 * 16 = 1088:
    # 1124 gas; 1124 * fee_scaled // (16 * 10**6).
    assert ecotone_l1_fee(bytes([0x02, 0x00, 0xFF]), PARAMS) == 58_751_480_071


@pytest.mark.parametrize(
    "fees",
    [(3 * 10**9, 10**9, None), (None, None, 5 * 10**9)],
    ids=["eip1559", "legacy"],
)
def test_unsigned_bytes_are_the_signing_payload(fees: tuple[int | None, ...]) -> None:
    cap, tip, price = fees
    to = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    tx = UnsignedTx(10, 7, to, 10**18, b"\x01\x02", 21000, cap, tip, price)
    request = EvmTxRequest(10, 7, to, 10**18, b"\x01\x02", 21000, cap, tip, price)
    # The keystore signs keccak256 of exactly these bytes (EIP-1559 / EIP-155).
    assert keccak256(unsigned_bytes(tx)) == signing_hash(request)
