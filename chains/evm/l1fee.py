"""The L1 data fee of OP Stack chains (OP Mainnet, Base): the formulas and the oracle.

On an OP Stack chain a transaction pays, besides its L2 gas, a fee for posting its bytes to
Ethereum, taken from the sender's balance before it runs (OP Stack specs, "L1-Cost fees" of
``protocol/exec-engine.md``). A send-max that leaves only the L2 fee is refused by the node,
so the wallet asks the ``GasPriceOracle`` predeploy at ``GAS_PRICE_ORACLE``:

- Fjord and later: ``getL1FeeUpperBound(unsignedTxSize)`` (``protocol/fjord/predeploys.md``),
  an upper bound "for callers who wish to estimate L1 transaction costs in the write path"
  that covers the FastLZ estimate of more than 99.99% of transactions;
- before Fjord (Ecotone) that call reverts, and ``getL1Fee(unsignedTx)`` answers.

The functions ``ecotone_l1_fee`` and ``fjord_l1_fee_upper_bound`` are the published formulas
in integer arithmetic, as the oracle computes them (``L1FeeParams`` holds the four values it
reads from the ``L1Block`` predeploy).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from chains.errors import BackendProtocolError
from chains.evm.abi import encode_call
from chains.evm.backend import EvmBackend
from chains.evm.errors import ExecutionReverted
from chains.evm.transfers import UnsignedTx
from primitives.rlp import encode_bytes, encode_int, list_prefix

__all__ = [
    "GAS_PRICE_ORACLE",
    "L1FeeParams",
    "ecotone_l1_fee",
    "fjord_l1_fee_upper_bound",
    "l1_fee",
    "unsigned_bytes",
]

GAS_PRICE_ORACLE = "0x420000000000000000000000000000000000000F"
"""The OP Stack's GasPriceOracle predeploy (``protocol/predeploys.md``)."""

_SCALE = 1_000_000  # the scalars are fixed-point with six decimals (DECIMALS = 6)
_SIGNATURE_BYTES = 68  # what a signature adds to an unsigned transaction, per the specs
_COST_INTERCEPT = -42_585_600  # Fjord's linear regression, scaled by 10**6
_COST_FASTLZ_COEF = 836_500
_MIN_TRANSACTION_SIZE = 100
_MAX_NONCE = 2**64 - 2  # EIP-2681


@dataclass(frozen=True, slots=True)
class L1FeeParams:
    """The L1 prices and scalars an OP Stack chain charges the L1 data fee with.

    Attributes:
        l1_base_fee: the L1 origin block's base fee, in wei.
        blob_base_fee: the L1 blob base fee, in wei.
        base_fee_scalar: the chain's base fee scalar (six decimals).
        blob_base_fee_scalar: the chain's blob base fee scalar (six decimals).
    """

    l1_base_fee: int
    blob_base_fee: int
    base_fee_scalar: int
    blob_base_fee_scalar: int

    @property
    def fee_scaled(self) -> int:
        """Return ``baseFeeScalar * 16 * l1BaseFee + blobBaseFeeScalar * blobBaseFee``."""
        return (
            self.base_fee_scalar * 16 * self.l1_base_fee
            + self.blob_base_fee_scalar * self.blob_base_fee
        )


def ecotone_l1_fee(unsigned_tx: bytes, params: L1FeeParams) -> int:
    """Return the Ecotone L1 fee of an unsigned transaction, in wei.

    Ecotone (``protocol/exec-engine.md``, "Ecotone L1-Cost fee changes"): the calldata gas
    of the bytes (4 per zero byte, 16 per other byte) plus 68 non-zero bytes for the missing
    signature, times ``fee_scaled``, over ``16 * 10**6``.
    """
    gas = sum(4 if b == 0 else 16 for b in unsigned_tx) + 16 * _SIGNATURE_BYTES
    return gas * params.fee_scaled // (16 * _SCALE)


def fjord_l1_fee_upper_bound(unsigned_tx_size: int, params: L1FeeParams) -> int:
    """Return Fjord's upper bound of the L1 fee of an unsigned transaction of a size, in wei.

    ``protocol/fjord/predeploys.md``, ``getL1FeeUpperBound``: 68 bytes are added for the
    signature, FastLZ's worst case ``size + size / 255 + 16`` goes through the linear
    regression ``intercept + fastlzCoef * size`` (at least ``minTransactionSize``, all scaled
    by ``10**6``), times ``fee_scaled``, over ``10**12``.
    """
    size = unsigned_tx_size + _SIGNATURE_BYTES
    flz_upper_bound = size + size // 255 + 16
    estimated = max(
        _COST_INTERCEPT + _COST_FASTLZ_COEF * flz_upper_bound, _MIN_TRANSACTION_SIZE * _SCALE
    )
    return estimated * params.fee_scaled // (_SCALE * _SCALE)


def unsigned_bytes(tx: UnsignedTx) -> bytes:
    """Return the unsigned serialisation of a transaction (EIP-1559 type 2, or EIP-155 legacy).

    This is what the oracle's ``getL1Fee`` and ``getL1FeeUpperBound`` are given: the signing
    payload, without the signature the specs account for separately.
    """
    to = encode_bytes(bytes.fromhex(tx.to[2:]))
    if tx.gas_price is not None:
        fields = [encode_int(tx.nonce), encode_int(tx.gas_price), encode_int(tx.gas), to]
        fields += [encode_int(tx.value), encode_bytes(tx.data), encode_int(tx.chain_id)]
        fields += [encode_int(0), encode_int(0)]
        payload = b"".join(fields)
        return list_prefix(len(payload)) + payload
    fields = [
        encode_int(tx.chain_id),
        encode_int(tx.nonce),
        encode_int(tx.max_priority_fee_per_gas or 0),
        encode_int(tx.max_fee_per_gas or 0),
        encode_int(tx.gas),
        to,
        encode_int(tx.value),
        encode_bytes(tx.data),
        b"\xc0",  # an empty access list
    ]
    payload = b"".join(fields)
    return b"\x02" + list_prefix(len(payload)) + payload


def _uint(out: bytes, server: str) -> int:
    if len(out) != 32:
        raise BackendProtocolError(
            f"The GasPriceOracle on {server} answered {len(out)} bytes, not a uint256.", server
        )
    return int.from_bytes(out, "big")


def l1_fee(backend: EvmBackend, tx: UnsignedTx, *, any_nonce: bool = False) -> int:
    """Return the L1 data fee a transaction pays on the backend's network (0 where none).

    The fee grows with the transaction's size; a smaller value or nonce never makes it
    larger, so a fee computed for the largest value a transaction may carry covers it.

    Args:
        backend: the node; its network's ``l1_fee`` flag says whether it is an OP Stack chain.
        tx: the transaction (its fields decide its size).
        any_nonce: size the nonce at its largest encoding, so that the fee covers whichever
            nonce the transaction gets (send-max computes the fee before it knows it).

    Returns:
        The fee in wei: Fjord's ``getL1FeeUpperBound``, or Ecotone's ``getL1Fee`` where the
        oracle has no upper bound yet; 0 on other chains, without asking the node.

    Raises:
        BackendUnavailable: the node cannot be reached.
        BackendProtocolError: no oracle answers a uint256 at ``GAS_PRICE_ORACLE``.
        NodeError: the node refused both oracle calls.
    """
    if not backend.network.l1_fee:
        return 0
    sized = replace(tx, nonce=_MAX_NONCE) if any_nonce else tx
    unsigned = unsigned_bytes(sized)
    try:
        out = backend.call(
            GAS_PRICE_ORACLE, encode_call("getL1FeeUpperBound(uint256)", len(unsigned))
        )
    except ExecutionReverted:  # an oracle from before Fjord
        out = backend.call(GAS_PRICE_ORACLE, encode_call("getL1Fee(bytes)", unsigned))
    return _uint(out, backend.server)
