"""The one owner of the money tables of budgets and on-ramps (schema ``_V_TAXBUDGET``).

``money_categories`` and ``money_category_rules`` (spending categories in the order they are
tried), ``money_budgets`` (one monthly budget per category), ``onramp_purchases`` (a purchase
opened in a provider's widget, and the transaction that brought it in). Amounts are decimal
text: exact, and never a float.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from wallet.storage import WalletDatabase

__all__ = ["MoneyStore", "PurchaseRow"]


@dataclass(frozen=True, slots=True)
class PurchaseRow:
    """One on-ramp purchase as stored.

    Attributes:
        id: its number.
        provider: the provider's name.
        account_id: the account that receives it.
        address: the fresh receive address given to the provider.
        asset: the coin bought (its symbol).
        fiat_currency: the currency paid with.
        fiat_amount: the amount asked for, if given.
        created_at: when the widget was opened (Unix seconds).
        txid: the transaction that brought it in, once matched.
        amount: the coins received, once matched.
        received_at: when they arrived (Unix seconds), once matched.
    """

    id: int
    provider: str
    account_id: int
    address: str
    asset: str
    fiat_currency: str
    fiat_amount: Decimal | None
    created_at: int
    txid: str | None = None
    amount: Decimal | None = None
    received_at: int | None = None


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


class MoneyStore:
    """Read and write categories, rules, budgets and purchases."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._db = database

    # -- categories -------------------------------------------------------------------------

    def categories(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Return (name, [(rule kind, pattern)]) in the order the categories are tried."""
        rules: dict[str, list[tuple[str, str]]] = {}
        for category, kind, pattern in self._db.query(
            "SELECT category, kind, pattern FROM money_category_rules ORDER BY rowid"
        ):
            rules.setdefault(str(category), []).append((str(kind), str(pattern)))
        names = self._db.query("SELECT name FROM money_categories ORDER BY position, name")
        return [(str(name), rules.get(str(name), [])) for (name,) in names]

    def add_category(self, name: str, rules: list[tuple[str, str]]) -> None:
        """Add a category at the end (or add rules to an existing one), in one transaction."""
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO money_categories(name, position) VALUES "
                "(?, (SELECT COALESCE(MAX(position), 0) + 1 FROM money_categories)) "
                "ON CONFLICT(name) DO NOTHING",
                (name,),
            )
            for kind, pattern in rules:
                self._db.execute(
                    "INSERT INTO money_category_rules(category, kind, pattern) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (name, kind, pattern),
                )

    def remove_category(self, name: str) -> bool:
        """Remove a category with its rules and budget; return whether it existed."""
        with self._db.transaction():
            if not self._db.query("SELECT 1 FROM money_categories WHERE name = ?", (name,)):
                return False
            self._db.execute("DELETE FROM money_categories WHERE name = ?", (name,))
            return True

    # -- budgets ----------------------------------------------------------------------------

    def budgets(self) -> list[tuple[str, Decimal, str, bool, date]]:
        """Return every budget: (category, amount, currency, rollover, since)."""
        return [
            (str(c), Decimal(a), str(cur), bool(r), date.fromisoformat(s))
            for c, a, cur, r, s in self._db.query(
                "SELECT category, amount, currency, rollover, since FROM money_budgets "
                "ORDER BY category"
            )
        ]

    def set_budget(
        self, category: str, amount: Decimal, currency: str, rollover: bool, since: date
    ) -> None:
        """Set (or replace) the monthly budget of a category."""
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO money_budgets(category, amount, currency, rollover, since) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(category) DO UPDATE SET "
                "amount = excluded.amount, currency = excluded.currency, "
                "rollover = excluded.rollover, since = excluded.since",
                (category, str(amount), currency, int(rollover), since.isoformat()),
            )

    def remove_budget(self, category: str) -> bool:
        """Remove a category's budget; return whether it had one."""
        with self._db.transaction():
            if not self._db.query("SELECT 1 FROM money_budgets WHERE category = ?", (category,)):
                return False
            self._db.execute("DELETE FROM money_budgets WHERE category = ?", (category,))
            return True

    # -- purchases --------------------------------------------------------------------------

    def add_purchase(
        self,
        provider: str,
        account_id: int,
        address: str,
        asset: str,
        fiat_currency: str,
        fiat_amount: Decimal | None,
        created_at: int,
    ) -> int:
        """Record a purchase opened in a provider's widget; return its number."""
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO onramp_purchases(provider, account_id, address, asset, "
                "fiat_currency, fiat_amount, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    provider,
                    account_id,
                    address,
                    asset,
                    fiat_currency,
                    None if fiat_amount is None else str(fiat_amount),
                    created_at,
                ),
            )
            ((row_id,),) = self._db.query("SELECT last_insert_rowid()")
        return int(row_id)

    def purchases(self, *, pending_only: bool = False) -> list[PurchaseRow]:
        """Return the purchases, oldest first (only those not matched yet if asked)."""
        rows = self._db.query(
            "SELECT id, provider, account_id, address, asset, fiat_currency, fiat_amount, "
            "created_at, txid, amount, received_at FROM onramp_purchases "
            "WHERE txid IS NULL OR ? = 0 ORDER BY id",
            (int(pending_only),),
        )
        return [
            PurchaseRow(
                int(i),
                str(p),
                int(a),
                str(addr),
                str(asset),
                str(fc),
                _dec(fa),
                int(c),
                None if t is None else str(t),
                _dec(am),
                None if r is None else int(r),
            )
            for i, p, a, addr, asset, fc, fa, c, t, am, r in rows
        ]

    def mark_received(self, purchase_id: int, txid: str, amount: Decimal, received_at: int) -> None:
        """Record the transaction that brought a purchase in (only while it is pending)."""
        with self._db.transaction():
            self._db.execute(
                "UPDATE onramp_purchases SET txid = ?, amount = ?, received_at = ? "
                "WHERE id = ? AND txid IS NULL",
                (txid, str(amount), received_at, purchase_id),
            )
