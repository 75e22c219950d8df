"""The human summary of an EVM transaction, recomputed by the signer from the transaction.

The signer trusts nothing it is told: it reads the recipient and value, token transfers
decoded from the call data (ERC-20 ``transfer``, ERC-721 ``safeTransferFrom`` /
``transferFrom``, ERC-1155 ``safeTransferFrom``), an ``approve``, or any other call in words,
and the maximum fee (gas limit times the fee cap), and refuses a mismatch with the summary the
online side showed.
"""

from __future__ import annotations

from dataclasses import replace

from keystore.errors import SigningRefused
from keystore.signers.evm_tx import U256, address_bytes, encoded_fields
from keystore.types import EvmParams, EvmTxRequest, SummaryOutput, TxSummary
from primitives.evm_address import to_checksum_address

__all__ = ["check_chain", "review", "summarize"]

# Function selectors (Solidity ABI, "Function Selector"), checked against keccak in the tests.
_TRANSFER = bytes.fromhex("a9059cbb")  # transfer(address,uint256), EIP-20
_APPROVE = bytes.fromhex("095ea7b3")  # approve(address,uint256), EIP-20
_TRANSFER_FROM = bytes.fromhex("23b872dd")  # transferFrom(address,address,uint256), EIP-20/721
_SAFE_721 = bytes.fromhex("42842e0e")  # safeTransferFrom(address,address,uint256), EIP-721
_SAFE_721_DATA = bytes.fromhex("b88d4fde")  # safeTransferFrom(address,address,uint256,bytes)
_SAFE_1155 = bytes.fromhex("f242432a")  # safeTransferFrom(address,address,uint256,uint256,bytes)


def _word_address(word: bytes) -> str | None:
    return to_checksum_address(word[12:]) if word[:12] == bytes(12) else None


def _words(data: bytes, count: int) -> list[bytes] | None:
    if len(data) < 4 + 32 * count:
        return None
    return [data[4 + 32 * i : 36 + 32 * i] for i in range(count)]


def _empty_bytes_tail(data: bytes, head_words: int, offset_word: bytes) -> bool:
    """Whether the dynamic ``bytes`` argument is canonically encoded and empty."""
    expected_offset = 32 * head_words
    return int.from_bytes(offset_word, "big") == expected_offset and data[
        4 + expected_offset :
    ] == bytes(32)


def _decoded_calls(data: bytes, sender: str, contract: str) -> list[list[SummaryOutput]] | str:
    """Return the possible readings of a token transfer, or a description of another call.

    ``transferFrom`` has one selector for ERC-20 and ERC-721: both readings are returned, and
    the expected summary must match one of them.
    """
    selector = data[:4]
    if selector == _TRANSFER and len(data) == 68:
        w = _words(data, 2)
        to = _word_address(w[0]) if w else None
        if w and to:
            return [[SummaryOutput(to, int.from_bytes(w[1], "big"), contract=contract)]]
    elif selector in (_TRANSFER_FROM, _SAFE_721) and len(data) == 100:
        w = _words(data, 3)
        frm, to = (_word_address(w[0]), _word_address(w[1])) if w else (None, None)
        if w and frm == sender and to:
            number = int.from_bytes(w[2], "big")
            nft = [SummaryOutput(to, 1, contract=contract, token_id=number)]
            if selector == _SAFE_721:
                return [nft]
            return [[SummaryOutput(to, number, contract=contract)], nft]
    elif selector == _SAFE_721_DATA and len(data) == 4 + 32 * 5:
        w = _words(data, 4)
        frm, to = (_word_address(w[0]), _word_address(w[1])) if w else (None, None)
        if w and frm == sender and to and _empty_bytes_tail(data, 4, w[3]):
            token_id = int.from_bytes(w[2], "big")
            return [[SummaryOutput(to, 1, contract=contract, token_id=token_id)]]
    elif selector == _SAFE_1155 and len(data) == 4 + 32 * 6:
        w = _words(data, 5)
        frm, to = (_word_address(w[0]), _word_address(w[1])) if w else (None, None)
        if w and frm == sender and to and _empty_bytes_tail(data, 5, w[4]):
            token_id, amount = int.from_bytes(w[2], "big"), int.from_bytes(w[3], "big")
            return [[SummaryOutput(to, amount, contract=contract, token_id=token_id)]]
    elif selector == _APPROVE and len(data) == 68:
        w = _words(data, 2)
        spender = _word_address(w[0]) if w else None
        if w and spender:
            amount = int.from_bytes(w[1], "big")
            shown = "any amount" if amount == U256 else f"{amount} base units"
            return f"approve: let {spender} spend {shown} of the token {contract}"
    return f"contract call {selector.hex() or 'without data'} ({len(data)} bytes of data)"


def _candidates(tx: EvmTxRequest, network: EvmParams, sender: str) -> list[TxSummary]:
    fee_per_gas = tx.gas_price if tx.gas_price is not None else tx.max_fee_per_gas
    fee = tx.gas * (fee_per_gas or 0)
    base = TxSummary(network.name, (), fee, chain_id=tx.chain_id, nonce=tx.nonce)
    if tx.to is None:
        return [replace(base, contract_call=f"contract creation ({len(tx.data)} bytes of code)")]
    to = to_checksum_address(address_bytes(tx.to, "recipient"))
    native = (SummaryOutput(to, tx.value),) if tx.value or not tx.data else ()
    if not tx.data:
        return [replace(base, outputs=native)]
    readings = _decoded_calls(tx.data, sender, to)
    if isinstance(readings, str):
        return [replace(base, outputs=(SummaryOutput(to, tx.value),), contract_call=readings)]
    return [replace(base, outputs=(*native, *outputs)) for outputs in readings]


def _checked_part(summary: TxSummary) -> tuple[object, ...]:
    """What of a summary the signer verifies; asset names and decimals are labels only."""
    outputs = tuple((o.address, o.amount, o.contract, o.token_id) for o in summary.outputs)
    return (
        summary.network,
        summary.chain_id,
        summary.fee,
        summary.nonce,
        summary.contract_call,
        outputs,
    )


def _labelled(summary: TxSummary, expected: TxSummary) -> TxSummary:
    """Return the signer's summary with the expected one's token labels (symbol, decimals)."""
    outputs = tuple(
        replace(mine, asset=theirs.asset, decimals=theirs.decimals)
        if mine.contract is not None
        else mine
        for mine, theirs in zip(summary.outputs, expected.outputs, strict=True)
    )
    return replace(summary, outputs=outputs)


def summarize(
    tx: EvmTxRequest, network: EvmParams, sender: str, expected: TxSummary | None = None
) -> TxSummary:
    """Recompute the human summary of ``tx`` from the transaction itself.

    Args:
        tx: the request.
        network: the network it is for (its chain id is checked first).
        sender: the address signing (token transfers ``from`` someone else are not read as
            transfers).
        expected: the online side's summary; when it matches, its token labels are kept.

    Returns:
        The summary the person is asked to approve.

    Raises:
        SigningRefused: another chain id, invalid fields, or a mismatch with ``expected``.
    """
    check_chain(tx, network)
    encoded_fields(tx)
    return review(tx, network, sender, expected)


def check_chain(tx: EvmTxRequest, network: EvmParams) -> None:
    """Refuse a request for another chain than the network's (EIP-155).

    Raises:
        SigningRefused: the chain ids differ.
    """
    # EIP-155: the chain id is what makes a signature worthless on every other chain, so it
    # comes from the network the wallet names, and a request for another chain is refused.
    if tx.chain_id != network.chain_id:
        raise SigningRefused(
            f"The transaction is for chain id {tx.chain_id}, not {network.title} "
            f"(chain id {network.chain_id}); it was not signed."
        )


def review(
    tx: EvmTxRequest, network: EvmParams, sender: str, expected: TxSummary | None
) -> TxSummary:
    """Return the summary of a checked request, labelled like ``expected`` when it matches.

    Raises:
        SigningRefused: no reading of the transaction matches ``expected``.
    """
    candidates = _candidates(tx, network, sender)
    if expected is None:
        return candidates[0]
    wanted = _checked_part(expected)
    for candidate in candidates:
        if _checked_part(candidate) == wanted:
            return _labelled(candidate, expected)
    raise SigningRefused(
        "The transaction does not match the summary that was shown (recipient, amount, "
        "token, fee, nonce or network differ); it was not signed."
    )
