# pragma version ~=0.4.3
"""
@title The OP Stack GasPriceOracle's L1 data fee, for tests on anvil
@notice Implements the published L1-cost formulas of the OP Stack specs
    (specs.optimism.io): Ecotone's getL1Fee (protocol/exec-engine.md, "Ecotone L1-Cost fee
    changes") and Fjord's getL1FeeUpperBound (protocol/fjord/predeploys.md, with the linear
    regression of protocol/fjord/exec-engine.md). Tests deploy it, copy its runtime code to
    the predeploy address 0x420000000000000000000000000000000000000F with anvil_setCode
    (the immutables travel with the code), and check the wallet's L1 fee against it.
    Built as Ecotone, getL1FeeUpperBound reverts, as on an oracle before Fjord; built as
    Fjord, getL1Fee reverts: its FastLZ compression estimate is not implemented here.
"""

DECIMALS: public(constant(uint256)) = 6
COST_INTERCEPT: constant(int256) = -42_585_600
COST_FASTLZ_COEF: constant(uint256) = 836_500
MIN_TRANSACTION_SIZE: constant(uint256) = 100

L1_BASE_FEE: immutable(uint256)
BLOB_BASE_FEE: immutable(uint256)
BASE_FEE_SCALAR: immutable(uint256)
BLOB_BASE_FEE_SCALAR: immutable(uint256)
FJORD: immutable(bool)


@deploy
def __init__(
    l1_base_fee: uint256,
    blob_base_fee: uint256,
    base_fee_scalar: uint256,
    blob_base_fee_scalar: uint256,
    fjord: bool,
):
    L1_BASE_FEE = l1_base_fee
    BLOB_BASE_FEE = blob_base_fee
    BASE_FEE_SCALAR = base_fee_scalar
    BLOB_BASE_FEE_SCALAR = blob_base_fee_scalar
    FJORD = fjord


@view
@external
def l1BaseFee() -> uint256:
    return L1_BASE_FEE


@view
@external
def blobBaseFee() -> uint256:
    return BLOB_BASE_FEE


@view
@external
def baseFeeScalar() -> uint256:
    return BASE_FEE_SCALAR


@view
@external
def blobBaseFeeScalar() -> uint256:
    return BLOB_BASE_FEE_SCALAR


@view
@external
def isFjord() -> bool:
    return FJORD


@view
@external
def getL1Fee(data: Bytes[4096]) -> uint256:
    # Ecotone: calldata gas of the unsigned transaction plus 68 non-zero bytes for the
    # signature it lacks; fee = gas * (16 * baseFeeScalar * l1BaseFee + blobBaseFeeScalar *
    # blobBaseFee) / (16 * 10**6).
    assert not FJORD, "GasPriceOracle: this test oracle has no FastLZ estimate"
    gas: uint256 = 68 * 16
    for i: uint256 in range(len(data), bound=4096):
        if convert(slice(data, i, 1), uint256) == 0:
            gas += 4
        else:
            gas += 16
    scaled: uint256 = BASE_FEE_SCALAR * 16 * L1_BASE_FEE + BLOB_BASE_FEE_SCALAR * BLOB_BASE_FEE
    return gas * scaled // (16 * 10**DECIMALS)


@view
@external
def getL1FeeUpperBound(unsigned_tx_size: uint256) -> uint256:
    # Fjord: 68 bytes for the signature, FastLZ's worst case size / 255 + 16, the linear
    # regression to a Brotli size (at least 100 bytes), all scaled by 10**6.
    assert FJORD, "GasPriceOracle: getL1FeeUpperBound only supports Fjord"
    tx_size: uint256 = unsigned_tx_size + 68
    flz_upper_bound: uint256 = tx_size + tx_size // 255 + 16
    estimated: int256 = COST_INTERCEPT + convert(COST_FASTLZ_COEF * flz_upper_bound, int256)
    least: int256 = convert(MIN_TRANSACTION_SIZE * 10**6, int256)
    if estimated < least:
        estimated = least
    scaled: uint256 = BASE_FEE_SCALAR * 16 * L1_BASE_FEE + BLOB_BASE_FEE_SCALAR * BLOB_BASE_FEE
    return convert(estimated, uint256) * scaled // 10 ** (DECIMALS * 2)
