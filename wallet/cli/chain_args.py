"""The options of ``coffer send``, shared by the chain commands and the family modules."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = ["SendArgs"]


@dataclass(frozen=True, slots=True)
class SendArgs:
    """The options of ``coffer send``, for the family modules to read.

    Attributes:
        recipients: ``(address, amount text)`` pairs; the amount is ``None`` with ``send_max``.
        fee: a fee level name (``slow``, ``normal``, ``fast``), if given.
        fee_rate: a custom fee rate (sat/vB for UTXO networks, gwei for EVM), if given.
        utxos: outpoints ``TXID:N`` to spend (UTXO coin control).
        send_max: send everything (after fees) to the one recipient.
        rbf: signal BIP-125 replaceability (UTXO).
        token: a token symbol or contract address (EVM).
        nft: a collectible ``CONTRACT:TOKEN_ID`` (EVM).
        allow_high_fee: accept a fee above the wallet's caps.
        path: a policy account's spending path (``owner``, ``recovery``, ``path-N``; UTXO).
    """

    recipients: tuple[tuple[str, str | None], ...]
    fee: str | None = None
    fee_rate: Decimal | None = None
    utxos: tuple[str, ...] = ()
    send_max: bool = False
    rbf: bool = True
    token: str | None = None
    nft: str | None = None
    allow_high_fee: bool = False
    path: str | None = None
