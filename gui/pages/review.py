"""The review of a draft: the same for a payment, a fee bump, a speed-up and a cancellation.

Built from the draft's summary (every output, change marked, the fee, the contract call) and,
for a replacement, the transaction it replaces; amounts go through the privacy mask.
"""

from __future__ import annotations

from datetime import UTC
from html import escape

from PySide6.QtCore import QCoreApplication

from gui.pages.dashboard import money_text
from gui.privacy import Privacy
from wallet import Account, Draft, UtxoDraft, Valuation, Wallet, coin_value, format_amount

__all__ = ["checks", "fee_value_text", "kind_title", "review_html"]


def kind_title(kind: str) -> str:
    """Return what a draft does, in words (``send``, ``bump``, ``speed-up``, ``cancel``)."""
    titles = {
        "bump": QCoreApplication.translate("Review", "Fee bump (replace-by-fee)"),
        "cpfp": QCoreApplication.translate("Review", "Child pays for parent"),
        "speed-up": QCoreApplication.translate("Review", "Speed-up"),
        "cancel": QCoreApplication.translate("Review", "Cancellation"),
    }
    return titles.get(kind, QCoreApplication.translate("Review", "Payment"))


def checks(wallet: Wallet, draft: Draft) -> tuple[list[str], Valuation]:
    """Return a draft's warnings and its fee's value (from the price cache); off the GUI thread."""
    warnings = [w.message for w in wallet.send_warnings(draft)]
    fee = coin_value(
        wallet.prices, wallet.holdings_sources, draft.network, draft.summary.fee, online=False
    )
    return warnings, fee


def fee_value_text(valuation: Valuation | None, symbol: str, privacy: Privacy) -> str:
    """Return a fee's value in the base currency with its rate, or why it is unknown."""
    if valuation is None:
        return ""
    if valuation.value is None or valuation.price is None:
        return QCoreApplication.translate("Review", "value unknown: %1").replace(
            "%1", valuation.reason
        )
    when = (
        "" if valuation.at is None else valuation.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    )
    return (
        QCoreApplication.translate("Review", "%1 (1 %2 = %3, from %4 at %5)")
        .replace("%1", privacy.amount(money_text(valuation.value, valuation.currency)))
        .replace("%2", symbol)
        .replace("%3", money_text(valuation.price, valuation.currency))
        .replace("%4", valuation.source)
        .replace("%5", when)
    )


def review_html(
    acct: Account,
    draft: Draft,
    privacy: Privacy,
    coins: list[str],
    fee_value: Valuation | None = None,
) -> str:
    """Return the review's text: the network, what it does, every output, the fee, the coins.

    Args:
        acct: the account that signs it.
        draft: the draft (its summary is what the signer checks).
        privacy: masks the amounts while balances are hidden.
        coins: the outpoints chosen by hand (coin control), if any.
        fee_value: the fee in the base currency (``coin_value``), or why it is unknown.
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
    in_fiat = fee_value_text(fee_value, acct.network.symbol, privacy)
    lines.append(f"<b>{word}:</b> {fee}{rate}" + (f"; {escape(in_fiat)}" if in_fiat else ""))
    if coins:
        spent = ", ".join(f"<tt>{escape(c)}</tt>" for c in coins)
        word = QCoreApplication.translate("Review", "Coins spent")
        lines.append(f"<b>{word}:</b> {spent}")
    if summary.contract_call:
        word = QCoreApplication.translate("Review", "Call")
        lines.append(f"<b>{word}:</b> {escape(summary.contract_call)}")
    return "<br>".join(lines)
