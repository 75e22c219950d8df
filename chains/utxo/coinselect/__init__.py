"""Coin selection for the UTXO family, following Bitcoin Core's wallet.

``select`` is the front (``select_coins``, ``send_max``: eligibility filters, script kinds,
choosing the result with the least waste); ``algorithms`` holds Branch-and-Bound,
CoinGrinder, Single Random Draw and Knapsack; ``waste`` the candidates they add up and the
waste metric; ``types`` the values taken and returned and the errors.
"""

from __future__ import annotations

from chains.utxo.coinselect.select import select_coins, send_max
from chains.utxo.coinselect.types import (
    CHANGE_LOWER,
    CHANGE_UPPER,
    MAX_ANCESTORS,
    TOTAL_TRIES,
    Algorithm,
    Coin,
    CoinSelectionError,
    DustOutput,
    InsufficientFunds,
    InvalidSelectionRequest,
    MaxWeightExceeded,
    Recipient,
    Selection,
    SelectionParams,
)

__all__ = [
    "CHANGE_LOWER",
    "CHANGE_UPPER",
    "MAX_ANCESTORS",
    "TOTAL_TRIES",
    "Algorithm",
    "Coin",
    "CoinSelectionError",
    "DustOutput",
    "InsufficientFunds",
    "InvalidSelectionRequest",
    "MaxWeightExceeded",
    "Recipient",
    "Selection",
    "SelectionParams",
    "select_coins",
    "send_max",
]
