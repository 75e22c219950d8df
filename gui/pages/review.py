"""The review of a draft: the same for a payment, a fee bump, a speed-up and a cancellation.

Built from the draft's summary (every output, change marked, the fee, the contract call) and,
for a replacement, the transaction it replaces; amounts go through the privacy mask.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QCoreApplication

from gui.privacy import Privacy
from wallet import Account, Draft, UtxoDraft, format_amount

__all__ = ["kind_title", "review_html"]


def kind_title(kind: str) -> str:
    """Return what a draft does, in words (``send``, ``bump``, ``speed-up``, ``cancel``)."""
    titles = {
        "bump": QCoreApplication.translate("Review", "Fee bump (replace-by-fee)"),
        "cpfp": QCoreApplication.translate("Review", "Child pays for parent"),
        "speed-up": QCoreApplication.translate("Review", "Speed-up"),
        "cancel": QCoreApplication.translate("Review", "Cancellation"),
    }
    return titles.get(kind, QCoreApplication.translate("Review", "Payment"))


def review_html(acct: Account, draft: Draft, privacy: Privacy, coins: list[str]) -> str:
    """Return the review's text: the network, what it does, every output, the fee, the coins.

    Args:
        acct: the account that signs it.
        draft: the draft (its summary is what the signer checks).
        privacy: masks the amounts while balances are hidden.
        coins: the outpoints chosen by hand (coin control), if any.
    """
    balance = acct.balance()
    summary = draft.summary
    change_word = QCoreApplication.translate("Review", "change, back to you")
    network = QCoreApplication.translate("Review", "Network")
    lines = [f"<b>{network}:</b> {escape(acct.network.title)}"]
    kind = str(getattr(draft, "kind", "send"))
    replaces = getattr(draft, "replaces", None)
    if kind != "send":
        lines.append(f"<b>{escape(kind_title(kind))}</b>")
    if replaces:
        word = QCoreApplication.translate("Review", "Replaces")
        lines.append(f"<b>{word}:</b> <tt>{escape(str(replaces))}</tt>")
    for output in summary.outputs:
        decimals = output.decimals if output.decimals is not None else balance.decimals
        symbol = output.asset or balance.symbol
        amount = privacy.amount(format_amount(output.amount, decimals, symbol))
        tag = f" <i>({change_word})</i>" if output.is_change else ""
        lines.append(f"{escape(amount)} &rarr; <tt>{escape(output.address)}</tt>{tag}")
    fee = privacy.amount(format_amount(summary.fee, balance.decimals, balance.symbol))
    rate = f" ({draft.fee_rate} sat/vB)" if isinstance(draft, UtxoDraft) else ""
    word = QCoreApplication.translate("Review", "Fee")
    lines.append(f"<b>{word}:</b> {fee}{rate}")
    if coins:
        spent = ", ".join(f"<tt>{escape(c)}</tt>" for c in coins)
        word = QCoreApplication.translate("Review", "Coins spent")
        lines.append(f"<b>{word}:</b> {spent}")
    if summary.contract_call:
        word = QCoreApplication.translate("Review", "Call")
        lines.append(f"<b>{word}:</b> {escape(summary.contract_call)}")
    return "<br>".join(lines)
