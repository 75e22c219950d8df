"""Read a statement file in any supported format into a ``Statement``, and tell formats apart."""

from __future__ import annotations

from wallet.errors import StatementError
from wallet.money.fiat.camt import parse_camt053
from wallet.money.fiat.csvfile import PRESETS, CsvMapping, parse_csv
from wallet.money.fiat.mt940 import parse_mt940
from wallet.money.fiat.types import Statement, StatementFormat

__all__ = ["MAX_STATEMENT_BYTES", "detect_format", "read_statement"]

MAX_STATEMENT_BYTES = 256 * 1024 * 1024
"""The largest statement file read (a decade of daily lines is a few megabytes)."""


def detect_format(data: bytes, name: str = "") -> StatementFormat:
    """Return the format a statement's first bytes show (its name's suffix breaks no tie).

    OFX starts with an ``OFXHEADER`` line or ``<?OFX``/``<OFX>``; camt.053 is XML naming the
    camt.053 namespace; MT940 starts with a ``:20:`` field or a SWIFT ``{1:`` block; anything
    else is read as CSV.
    """
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    lower = name.lower()
    if head.startswith(b"OFXHEADER") or b"<OFX>" in head or b"<?OFX" in head:
        return StatementFormat.OFX
    if head.startswith(b"<") and b"CAMT.053" in head:
        return StatementFormat.CAMT053
    if head.startswith((b":20:", b"{1:")) or lower.endswith((".sta", ".mt940")):
        return StatementFormat.MT940
    if lower.endswith((".ofx", ".qfx")):
        return StatementFormat.OFX
    if lower.endswith(".xml"):
        return StatementFormat.CAMT053
    return StatementFormat.CSV


def read_statement(
    data: bytes,
    source: str,
    fmt: StatementFormat | None = None,
    *,
    mapping: CsvMapping | None = None,
    currency: str = "",
) -> Statement:
    """Parse a statement.

    Args:
        data: the file's bytes.
        source: its name, for messages.
        fmt: its format, or ``None`` to tell from its content (``detect_format``).
        mapping: the CSV column mapping (``PRESETS["generic"]`` by default).
        currency: the currency of CSV lines when the mapping has no currency column.

    Raises:
        StatementError: the file is too large, malformed, or a field does not parse (the
            error names the line and field).
        CsvMappingMismatch: the CSV mapping does not fit the file.
    """
    if len(data) > MAX_STATEMENT_BYTES:
        raise StatementError(
            f"{source} is larger than {MAX_STATEMENT_BYTES // 2**20} MiB; split it.", source
        )
    chosen = fmt or detect_format(data, source)
    if chosen is StatementFormat.OFX:
        # ofxtools' package imports its HTTP client (requests, urllib3, which opens a socket
        # to probe for IPv6) on import: it is loaded only when an OFX statement is read, so
        # that opening a wallet, and the offline signer above all, touches no socket.
        from wallet.money.fiat.ofx import parse_ofx

        return parse_ofx(data, source)
    if chosen is StatementFormat.CAMT053:
        return parse_camt053(data, source)
    if chosen is StatementFormat.MT940:
        return parse_mt940(data, source)
    return parse_csv(data, source, mapping or PRESETS["generic"], currency)
