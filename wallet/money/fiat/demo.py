"""The fiat part of ``make demo``: a bank account filled from the bundled sample OFX statement."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from wallet.money.fiat.book import FiatBook
from wallet.money.fiat.types import FiatAccount

__all__ = ["SAMPLE_OFX", "run_fiat_demo"]

SAMPLE_OFX = Path(__file__).with_name("samples") / "demo-checking.ofx"
"""A sample OFX 1.02 statement (a fictitious bank, November 2026), bundled with Coffer."""


def run_fiat_demo(fiat: FiatBook, echo: Callable[[str], None]) -> FiatAccount:
    """Add a EUR checking account, import the sample OFX twice, and show what happened.

    The second import shows that a re-import matches every line instead of adding it again.

    Returns:
        The account after the imports.
    """
    echo("\nA fiat account from a bank statement (the bundled sample OFX, marked as sample):")
    fiat.add_account(
        "Demo checking (sample)",
        "EUR",
        institution="Sample Bank",
        number="DE89370400440532013000",
        opening_balance="1000.00",
    )
    first = fiat.import_statement("Demo checking (sample)", SAMPLE_OFX)
    echo(
        f"  Imported {first.source}: {len(first.added)} lines added; balance "
        f"{first.account.balance} {first.account.currency}, as the statement's closing balance "
        f"({first.account.statement_balance} on {first.account.statement_date})."
    )
    again = fiat.import_statement("Demo checking (sample)", SAMPLE_OFX)
    twins = [m for m in again.matched if m.line.memo == "Card payment"]
    echo(
        f"  Imported it again: {len(again.added)} added, {len(again.matched)} matched "
        f"(the two same-day card payments of 42.17 stay two lines: "
        f"#{twins[0].existing.id} and #{twins[1].existing.id})."
    )
    return again.account
