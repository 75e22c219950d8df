"""Fiat accounts, statement imports, points, tickets and receipts (``Wallet.fiat``).

```python
w.fiat.add_account("Checking", "EUR", institution="Example Bank")
report = w.fiat.import_statement("Checking", "statement.ofx")
w.fiat.points.add("Miles", 12000, value_per_point="0.01", value_currency="EUR")
w.fiat.attachments.attach(txid, "receipt.pdf")
```
"""

from wallet.money.fiat.attachments import MAX_ATTACHMENT_BYTES, Attachment, AttachmentBook
from wallet.money.fiat.book import FiatAmount, FiatBook
from wallet.money.fiat.csvfile import PRESETS, CsvMapping
from wallet.money.fiat.facturx import Invoice
from wallet.money.fiat.holdings import FiatHoldings, PointsHoldings
from wallet.money.fiat.matching import MATCH_THRESHOLD
from wallet.money.fiat.points import PointsBook, PointsProgramme
from wallet.money.fiat.statements import detect_format, read_statement
from wallet.money.fiat.tickets import Ticket, TicketBook, find_collectible
from wallet.money.fiat.types import (
    FiatAccount,
    FiatKind,
    FiatLine,
    ImportReport,
    LineMatch,
    ParsedLine,
    RefusedLine,
    Statement,
    StatementFormat,
)

__all__ = [
    "MATCH_THRESHOLD",
    "MAX_ATTACHMENT_BYTES",
    "PRESETS",
    "Attachment",
    "AttachmentBook",
    "CsvMapping",
    "FiatAccount",
    "FiatAmount",
    "FiatBook",
    "FiatHoldings",
    "FiatKind",
    "FiatLine",
    "ImportReport",
    "Invoice",
    "LineMatch",
    "ParsedLine",
    "PointsBook",
    "PointsHoldings",
    "PointsProgramme",
    "RefusedLine",
    "Statement",
    "StatementFormat",
    "Ticket",
    "TicketBook",
    "detect_format",
    "find_collectible",
    "read_statement",
]
