"""Check addresses and transaction hashes given by a caller (EIP-55, 32-byte hashes).

These are the checks a wallet runs on what a person typed or pasted before it reaches a node;
the JSON-RPC parsers use them too, so a node's answer and a person's input pass one gate.
"""

from __future__ import annotations

from chains.errors import InvalidAddressChecksum, MalformedAddress
from chains.evm.errors import InvalidTxHash
from primitives.evm_address import is_valid_checksum, to_checksum_address

__all__ = ["check_address", "check_hash"]

_HEX = frozenset("0123456789abcdefABCDEF")


def check_address(text: str) -> str:
    """Validate an address given by a caller and return its EIP-55 checksummed form.

    Args:
        text: ``0x`` and 40 hex digits, all-lowercase, all-uppercase or EIP-55 mixed case.

    Returns:
        The address in its EIP-55 form.

    Raises:
        MalformedAddress: the text is not 0x and 40 hex digits.
        InvalidAddressChecksum: mixed case that fails the EIP-55 checksum (a typo).
    """
    body = text[2:] if text[:2] in ("0x", "0X") else None
    if body is None or len(body) != 40 or any(c not in _HEX for c in body):
        raise MalformedAddress(f"{text[:60]!r} is not an EVM address (0x and 40 hex digits).", text)
    if not is_valid_checksum(body):
        raise InvalidAddressChecksum(
            f"The address {text} fails its EIP-55 checksum; it may hold a typo.", text
        )
    return to_checksum_address(body)


def check_hash(text: str) -> str:
    """Validate a transaction hash given by a caller and return it in lowercase.

    Args:
        text: ``0x`` and 64 hex digits.

    Returns:
        The hash in lowercase.

    Raises:
        InvalidTxHash: the text is not 0x and 64 hex digits.
    """
    body = text[2:] if text[:2] in ("0x", "0X") else ""
    if len(body) != 64 or any(c not in _HEX for c in body):
        raise InvalidTxHash(text)
    return "0x" + body.lower()
