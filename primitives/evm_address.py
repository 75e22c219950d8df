"""EVM addresses: the EIP-55 mixed-case checksum, and the address of a public key.

This is the one copy of both in Coffer: the wallet (through ``chains``) renders an address
with it, and the signer renders and checks the addresses it shows with it. Two copies that
could ever disagree would let a wallet show one address while the signer approves another.
"""

from __future__ import annotations

from coincurve import PublicKey

from primitives.hashes import keccak256

__all__ = ["evm_address_from_pubkey", "is_valid_checksum", "to_checksum_address"]

_HEX = frozenset("0123456789abcdefABCDEF")
_HEX_DIGITS = b"0123456789abcdef"
# EIP-55 as byte arithmetic: 0x20 is the ASCII case bit. A letter of the lowercase hex address
# is upper-cased where the matching nibble of the hash of that text is 8 or more; flipping
# those bits at once, as one integer, keeps this off the signing hot path's profile.
_HASH_NIBBLE_HIGH = bytes.maketrans(_HEX_DIGITS, b"\x00" * 8 + b"\x20" * 8)
_IS_LETTER = bytes.maketrans(_HEX_DIGITS, b"\x00" * 10 + b"\x20" * 6)


def to_checksum_address(address: bytes | str) -> str:
    """Return the EIP-55 mixed-case checksum form of a 20-byte address.

    EIP-55 "Specification": hash the lowercase hex with Keccak-256 and capitalise the i-th
    letter when the i-th hex digit of the hash is 8 or more.

    Args:
        address: the 20 raw bytes, or 40 hex digits with or without ``0x`` (any case).

    Returns:
        ``0x`` and the 40 checksummed hex digits.

    Raises:
        ValueError: text that is not 40 hex digits (with or without ``0x``), or not 20 bytes.
    """
    raw = (
        address
        if isinstance(address, bytes)
        else bytes.fromhex(address.removeprefix("0x").removeprefix("0X"))
    )
    if len(raw) != 20:
        raise ValueError("an EVM address is 20 bytes")
    lower = raw.hex().encode()
    digest = keccak256(lower).hex().encode()[:40]
    flips = int.from_bytes(digest.translate(_HASH_NIBBLE_HIGH), "big") & int.from_bytes(
        lower.translate(_IS_LETTER), "big"
    )
    return "0x" + (int.from_bytes(lower, "big") ^ flips).to_bytes(40, "big").decode()


def is_valid_checksum(address: str) -> bool:
    """Return whether the letter case of an address is acceptable under EIP-55.

    EIP-55 is backwards compatible: all-lowercase and all-uppercase hex carry no checksum and
    are accepted; mixed case must be exactly the checksum.

    Args:
        address: 40 hex digits, with or without ``0x``.

    Raises:
        ValueError: the text is not 40 hex digits.
    """
    body = address.removeprefix("0x").removeprefix("0X")
    if len(body) != 40 or not _HEX.issuperset(body):
        raise ValueError("an EVM address is 40 hexadecimal digits")
    if body == body.lower() or body == body.upper():
        return True
    return to_checksum_address(body)[2:] == body


def evm_address_from_pubkey(pubkey: bytes) -> str:
    """Return the EIP-55 address of a secp256k1 public key (Keccak-256 of its x and y).

    Args:
        pubkey: 65 bytes uncompressed, or 33 bytes compressed.

    Raises:
        ValueError: the bytes are not a public key on the curve.
    """
    if len(pubkey) != 65:
        pubkey = PublicKey(pubkey).format(compressed=False)
    return to_checksum_address(keccak256(pubkey[1:])[12:])
