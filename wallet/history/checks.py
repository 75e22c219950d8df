"""Warnings before a send, from what the wallet has seen.

A new recipient, a look-alike of a known address, a large share of the balance: the review of
every front shows them (``Wallet.send_warnings``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from keystore.types import TxSummary

__all__ = ["SendWarning", "WarningKind", "send_warnings"]

_LOOKALIKE_CHARS = 3  # poisoners match the first and last characters a person glances at
LARGE_SHARE = Decimal("0.5")


class WarningKind(enum.Enum):
    """What a send warning is about."""

    FIRST_PAYMENT = "first-payment"
    LOOKALIKE = "lookalike"
    LARGE_SHARE = "large-share"


@dataclass(frozen=True, slots=True)
class SendWarning:
    """One thing a person should look at before approving a send.

    Attributes:
        kind: what it is about.
        address: the recipient concerned (empty for the share of the balance).
        similar: for a look-alike, the address in the history it resembles.
        message: the warning in words.
    """

    kind: WarningKind
    address: str
    message: str
    similar: str = ""


def _core(address: str) -> str:
    # Compare what a person sees after the fixed prefix (``bc1q``, ``0x``, ``ltc1q``).
    lowered = address.lower()
    for prefix in ("0x", "bc1q", "bc1p", "tb1q", "tb1p", "bcrt1q", "bcrt1p", "ltc1q", "rltc1q"):
        if lowered.startswith(prefix):
            return lowered[len(prefix) :]
    return lowered


def _looks_alike(a: str, b: str) -> bool:
    ca, cb = _core(a), _core(b)
    n = _LOOKALIKE_CHARS
    return ca != cb and ca[:n] == cb[:n] and ca[-n:] == cb[-n:]


def send_warnings(
    summary: TxSummary,
    known: Iterable[str],
    spendable: int,
) -> list[SendWarning]:
    """Return the warnings for a summary's outputs.

    Args:
        summary: the draft's summary (its non-change outputs are the recipients).
        known: every address the history has seen on the other side of a transaction.
        spendable: the account's balance of the network's coin, in base units.
    """
    seen = set(known)
    seen_lower = {a.lower() for a in seen}
    warnings: list[SendWarning] = []
    paid = 0
    for output in summary.outputs:
        if output.is_change:
            continue
        if output.asset is None:
            paid += output.amount
        if output.address.lower() in seen_lower:
            continue
        similar = next((a for a in sorted(seen) if _looks_alike(a, output.address)), None)
        if similar is not None:
            warnings.append(
                SendWarning(
                    WarningKind.LOOKALIKE,
                    output.address,
                    f"{output.address} looks like {similar}, which you have paid or been paid "
                    "by, but it is a different address: check every character (address "
                    "poisoning copies the start and the end).",
                    similar,
                )
            )
        else:
            warnings.append(
                SendWarning(
                    WarningKind.FIRST_PAYMENT,
                    output.address,
                    f"You have never sent to or received from {output.address}.",
                )
            )
    if spendable > 0 and Decimal(paid + summary.fee) / spendable >= LARGE_SHARE:
        share = (Decimal(paid + summary.fee) * 100 / spendable).quantize(Decimal(1))
        warnings.append(
            SendWarning(
                WarningKind.LARGE_SHARE,
                "",
                f"This sends {share}% of the account's balance.",
            )
        )
    return warnings
