"""Value types of clear signing: what a call or a typed message means, field by field."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from keystore.errors import KeystoreError

__all__ = ["DescriptorError", "FieldKind", "Intent", "IntentField", "TokenMeta"]


class DescriptorError(KeystoreError, ValueError):
    """An ERC-7730 descriptor that cannot be used: bad JSON, an unknown format or path."""


@dataclass(frozen=True, slots=True)
class TokenMeta:
    """What the signer may print of an ERC-20 token: its ticker and decimal places.

    Attributes:
        address: the token contract, EIP-55.
        symbol: its ticker.
        decimals: its decimal places.
    """

    address: str
    symbol: str
    decimals: int


class FieldKind(enum.Enum):
    """How a shown field is to be read (the ERC-7730 ``format`` it was rendered with)."""

    RAW = "raw"
    ADDRESS = "addressName"
    NATIVE_AMOUNT = "amount"
    TOKEN_AMOUNT = "tokenAmount"  # noqa: S105 - an ERC-7730 format name, not a secret
    NFT = "nftName"
    DATE = "date"
    DURATION = "duration"


@dataclass(frozen=True, slots=True)
class IntentField:
    """One field of an intent, as shown and as a value the review can compare.

    Attributes:
        label: the descriptor's label ("Spender", "Amount").
        text: the value as shown ("100 CFT", "Permit2 (0x0000...)", "Unlimited CFT").
        kind: how it was rendered.
        address: the address shown (an ``addressName`` field), EIP-55.
        token: the token contract of a ``tokenAmount`` field, or the collection of an
            ``nftName`` field.
        amount: the amount in base units (token or native), for amount fields.
        token_id: the item of an ``nftName`` field.
        unlimited: a ``tokenAmount`` at or above the descriptor's threshold (shown as its
            message, for example "Unlimited").
    """

    label: str
    text: str
    kind: FieldKind
    address: str | None = None
    token: str | None = None
    amount: int | None = None
    token_id: int | None = None
    unlimited: bool = False


@dataclass(frozen=True, slots=True)
class Intent:
    """What a transaction or typed message does, read with the signer's own descriptors.

    Attributes:
        intent: the descriptor's short intent ("Approve", "Send", "Swap").
        text: one line for a person ("Approve Permit2 to spend 100 CFT").
        fields: every field the descriptor shows, in its order.
        descriptor: the ``$id`` of the descriptor that read it.
        source: where that descriptor comes from (the standard or the project it describes).
        function: the function signature or EIP-712 primary type that was decoded.
    """

    intent: str
    text: str
    fields: tuple[IntentField, ...]
    descriptor: str
    source: str
    function: str
