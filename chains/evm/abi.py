"""The little ABI the wallet needs: selectors, call encoding and checked decoding.

Function selectors and event topics follow the Solidity ABI specification ("Function
Selector", "Events"); encoding and decoding are eth_abi's. Decoding failures of data a contract
returned become ``ContractCallFailed`` naming the contract and the function.
"""

from __future__ import annotations

from collections.abc import Sequence

from eth_abi.abi import decode, encode
from eth_abi.exceptions import DecodingError
from eth_utils.crypto import keccak

from chains.evm.errors import ContractCallFailed

__all__ = [
    "decode_output",
    "encode_call",
    "event_topic",
    "selector",
]


def selector(signature: str) -> bytes:
    """Return the 4-byte selector of a function signature such as ``"balanceOf(address)"``."""
    return keccak(text=signature)[:4]


def event_topic(signature: str) -> bytes:
    """Return topic 0 of an event, e.g. ``"Transfer(address,address,uint256)"``."""
    return keccak(text=signature)


def _types(signature: str) -> list[str]:
    inner = signature[signature.index("(") + 1 : signature.rindex(")")]
    if not inner:
        return []
    # Split at top-level commas only (tuples nest).
    out, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(inner[start:i])
            start = i + 1
    out.append(inner[start:])
    return out


def encode_call(signature: str, *args: object) -> bytes:
    """Return the call data of a function call: selector and ABI-encoded arguments."""
    return selector(signature) + encode(_types(signature), list(args))


def decode_output(
    types: Sequence[str], output: bytes, contract: str, function: str
) -> tuple[object, ...]:
    """Decode a call's output, strictly.

    Raises:
        ContractCallFailed: the output is empty or does not decode as ``types``.
    """
    if not output:
        raise ContractCallFailed(
            f"The contract {contract} returned nothing for {function}.", contract, function
        )
    try:
        return tuple(decode(list(types), output, strict=True))
    except (DecodingError, ValueError, OverflowError, TypeError) as e:
        raise ContractCallFailed(
            f"The contract {contract} returned data that is not a valid answer to {function}.",
            contract,
            function,
        ) from e
