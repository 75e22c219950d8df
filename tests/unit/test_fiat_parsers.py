"""Statement parsers: OFX, camt.053, MT940 and CSV, their errors, and their property tests."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import mt940
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wallet.errors import CsvMappingMismatch, StatementError
from wallet.money.fiat import PRESETS, CsvMapping, StatementFormat, detect_format, read_statement
from wallet.money.fiat.numbers import AmountFormat, parse_amount
from wallet.money.fiat.safexml import XmlRefused, parse_xml

DATA = Path(__file__).parents[1] / "data" / "statements"
SAMPLE_OFX = (
    Path(__file__).parents[2] / "wallet" / "money" / "fiat" / "samples" / "demo-checking.ofx"
)


def test_ofx_sample_reads_every_field() -> None:
    statement = read_statement(SAMPLE_OFX.read_bytes(), "demo.ofx")
    assert statement.format is StatementFormat.OFX
    assert (statement.currency, statement.account_number) == ("EUR", "DE89370400440532013000")
    assert statement.closing_balance == Decimal("2561.11")
    assert statement.closing_date == dt.date(2026, 11, 30)
    first = statement.lines[0]
    assert (first.line, first.booked, first.amount) == (
        33,
        dt.date(2026, 11, 1),
        Decimal("2850.00"),
    )
    assert (first.payee, first.memo, first.reference) == (
        "Example Employer GmbH",
        "Salary November",
        "DEMO-2026-11-001",
    )
    assert len(statement.lines) == 7


def test_ofx2_credit_card_qfx_with_escaped_text() -> None:
    statement = read_statement((DATA / "card.qfx").read_bytes(), "card.qfx")
    assert (statement.currency, statement.account_number) == ("USD", "4111")
    assert (statement.closing_balance, statement.closing_date) == (
        Decimal("57.90"),
        dt.date(2026, 11, 30),
    )
    assert [(ln.line, ln.booked, ln.amount, ln.payee, ln.reference) for ln in statement.lines] == [
        (8, dt.date(2026, 11, 5), Decimal("-42.10"), "Coffee & Co", "A1"),
        (9, dt.date(2026, 11, 10), Decimal("100.00"), "Payment", "A2"),
    ]


def test_ofx1_escapes_in_text_are_read_as_characters() -> None:
    escaped = _broken_ofx("<NAME>Landlord", "<NAME>Smith &amp; Sons &lt;Rent&gt;")
    assert read_statement(escaped, "e.ofx").lines[1].payee == "Smith & Sons <Rent>"


def _broken_ofx(old: str, new: str) -> bytes:
    text = SAMPLE_OFX.read_text("ascii")
    assert old in text
    return text.replace(old, new, 1).encode("ascii")


def test_ofx_bad_amount_names_line_and_field() -> None:
    with pytest.raises(StatementError) as caught:
        read_statement(_broken_ofx("<TRNAMT>-950.00", "<TRNAMT>-95O.00"), "bad.ofx")
    assert (caught.value.line, caught.value.field) == (44, "TRNAMT")
    assert "bad.ofx line 44, field TRNAMT" in str(caught.value)


def test_ofx_bad_date_names_line_and_field() -> None:
    with pytest.raises(StatementError) as caught:
        read_statement(_broken_ofx("<DTPOSTED>20261105", "<DTPOSTED>2026-11-5"), "bad.ofx")
    assert (caught.value.line, caught.value.field) == (51, "DTPOSTED")


def test_ofx_malformed_markup_names_a_line() -> None:
    with pytest.raises(StatementError) as caught:
        read_statement(_broken_ofx("</BANKTRANLIST>", "</BANKTRANLISTX>"), "bad.ofx")
    assert caught.value.field == "markup"
    assert caught.value.line is not None
    assert "\n" not in str(caught.value)


def test_ofx_with_no_header_is_refused() -> None:
    with pytest.raises(StatementError, match="not an OFX file"):
        read_statement(b"<OFX><garbage", "x.ofx", StatementFormat.OFX)


def test_camt053_reads_entries_and_closing_balance() -> None:
    statement = read_statement((DATA / "camt053.xml").read_bytes(), "nov.xml")
    assert statement.format is StatementFormat.CAMT053
    assert (statement.currency, statement.account_number) == ("EUR", "DE89370400440532013000")
    assert (statement.closing_balance, statement.closing_date) == (
        Decimal("1079.50"),
        dt.date(2026, 11, 30),
    )
    salary, books = statement.lines
    assert (salary.amount, salary.reference, salary.payee, salary.memo) == (
        Decimal("1000.00"),
        "REF-0001",
        "Example Employer",
        "Salary November",
    )
    assert (books.amount, books.booked, books.reference, books.payee) == (
        Decimal("-20.50"),
        dt.date(2026, 11, 3),
        "E2E-BOOKS",
        "Bookshop",
    )


def test_camt053_bad_mark_names_line_and_field() -> None:
    data = (DATA / "camt053.xml").read_bytes().replace(b"<CdtDbtInd>DBIT", b"<CdtDbtInd>DEBT", 1)
    with pytest.raises(StatementError) as caught:
        read_statement(data, "nov.xml")
    assert caught.value.field == "CdtDbtInd"
    assert caught.value.line == 34


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>',
        b'<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
        b"<!DOCTYPE d>",
    ],
    ids=["billion-laughs", "external-entity", "plain-doctype"],
)
def test_camt053_refuses_any_dtd(doctype: bytes) -> None:
    data = (DATA / "camt053.xml").read_bytes().replace(b"<Document", doctype + b"\n<Document", 1)
    with pytest.raises(StatementError, match="document type declaration") as caught:
        read_statement(data, "evil.xml")
    assert caught.value.line == 2


def test_safe_xml_names_the_line_of_malformed_xml() -> None:
    with pytest.raises(XmlRefused) as caught:
        parse_xml(b"<a>\n<b>\n</a>")
    assert caught.value.line == 3


def test_mt940_reads_lines_and_86_subfields() -> None:
    statement = read_statement((DATA / "statement.mt940").read_bytes(), "nov.sta")
    assert statement.format is StatementFormat.MT940
    assert (statement.currency, statement.account_number) == ("EUR", "37040044/0532013000")
    assert statement.closing_balance == Decimal("1079.50")
    salary, books = statement.lines
    assert (salary.line, salary.amount, salary.reference) == (5, Decimal("1000.00"), "B1001")
    assert (salary.payee, salary.memo) == ("Example Employer", "Salary November")
    assert (books.amount, books.reference, books.memo) == (
        Decimal("-20.50"),
        "REF-BOOKS",
        "Bookshop invoice 42",
    )


def test_mt940_bad_line_names_line_and_tag() -> None:
    data = (DATA / "statement.mt940").read_bytes().replace(b"D20,50", b"X20,50")
    with pytest.raises(StatementError) as caught:
        read_statement(data, "nov.sta")
    assert (caught.value.line, caught.value.field) == (7, "61")


def test_mt940_agrees_with_the_mt940_library() -> None:
    data = (DATA / "statement.mt940").read_bytes()
    ours = read_statement(data, "nov.sta")
    theirs = mt940.models.Transactions()
    theirs.parse(data.decode("latin-1"))
    assert [line.amount for line in ours.lines] == [
        t.data["amount"].amount for t in theirs.transactions
    ]
    assert [line.booked for line in ours.lines] == [t.data["date"] for t in theirs.transactions]


GENERIC = (
    b"date,amount,payee,memo,reference\n2026-11-02,1000.00,Employer,Salary,R1\n"
    b"2026-11-03,-20.50,Bookshop,Invoice 42,R2\n"
)


def test_csv_generic_mapping() -> None:
    statement = read_statement(GENERIC, "s.csv", currency="EUR")
    assert statement.format is StatementFormat.CSV
    assert [(ln.line, ln.amount, ln.reference) for ln in statement.lines] == [
        (2, Decimal("1000.00"), "R1"),
        (3, Decimal("-20.50"), "R2"),
    ]


def test_csv_sparkasse_preset_reads_german_numbers_and_dates() -> None:
    data = (
        "Auftragskonto;Buchungstag;Valutadatum;Buchungstext;Verwendungszweck;"
        "Beguenstigter/Zahlungspflichtiger;Kontonummer;BLZ;Betrag;Waehrung;Info\n"
        "DE89;02.11.26;02.11.26;GUTSCHRIFT;Gehalt;Arbeitgeber;DE1;X;1.234,56;EUR;Umsatz gebucht\n"
        "DE89;03.11.26;03.11.26;LASTSCHRIFT;Miete;Vermieter;DE2;X;-950,00;EUR;Umsatz gebucht\n"
    ).encode("latin-1")
    statement = read_statement(data, "umsatz.csv", mapping=PRESETS["de-sparkasse"], currency="EUR")
    assert [(ln.booked, ln.amount, ln.payee) for ln in statement.lines] == [
        (dt.date(2026, 11, 2), Decimal("1234.56"), "Arbeitgeber"),
        (dt.date(2026, 11, 3), Decimal("-950.00"), "Vermieter"),
    ]


def test_csv_french_preset_reads_debit_and_credit_columns() -> None:
    data = (
        "Date;Libell\u00e9;D\u00e9bit;Cr\u00e9dit\n"
        "02/11/2026;VIR SALAIRE;;2 850,00\n"
        "03/11/2026;LOYER;950,00;\n"
    ).encode()
    statement = read_statement(data, "releve.csv", mapping=PRESETS["fr-banque"], currency="EUR")
    assert [ln.amount for ln in statement.lines] == [Decimal("2850.00"), Decimal("-950.00")]


def test_csv_us_card_preset() -> None:
    data = (
        b"Transaction Date,Post Date,Description,Category,Type,Amount,Memo\n"
        b"11/28/2026,11/29/2026,COFFEE SHOP,Food & Drink,Sale,-4.50,\n"
        b'11/30/2026,11/30/2026,PAYMENT THANK YOU,,Payment,"1,200.00",\n'
    )
    statement = read_statement(data, "chase.csv", mapping=PRESETS["us-chase-card"], currency="USD")
    assert [(ln.booked, ln.amount) for ln in statement.lines] == [
        (dt.date(2026, 11, 28), Decimal("-4.50")),
        (dt.date(2026, 11, 30), Decimal("1200.00")),
    ]


def test_csv_bad_amount_names_line_and_field() -> None:
    data = GENERIC + b"2026-11-04,12.3.4,Shop,,R3\n"
    with pytest.raises(StatementError) as caught:
        read_statement(data, "s.csv", currency="EUR")
    assert (caught.value.line, caught.value.field) == (4, "amount")
    assert "s.csv line 4, field amount: '12.3.4' is not an amount" in str(caught.value)


def test_csv_bad_date_names_line_and_field() -> None:
    data = GENERIC + b"04/11/2026,1.00,Shop,,R3\n"
    with pytest.raises(StatementError) as caught:
        read_statement(data, "s.csv", currency="EUR")
    assert (caught.value.line, caught.value.field) == (4, "date")


def test_csv_short_row_names_its_line() -> None:
    with pytest.raises(StatementError) as caught:
        read_statement(GENERIC + b"2026-11-04,1.00\n", "s.csv", currency="EUR")
    assert (caught.value.line, caught.value.field) == (4, "row")


def test_csv_mapping_that_does_not_fit_names_the_missing_columns() -> None:
    with pytest.raises(CsvMappingMismatch) as caught:
        read_statement(GENERIC, "s.csv", mapping=PRESETS["de-sparkasse"], currency="EUR")
    assert "Buchungstag" in caught.value.missing
    assert "separates fields with ','" in str(caught.value)
    mapping = PRESETS["generic"].with_changes({"payee": "Payee"})
    with pytest.raises(CsvMappingMismatch) as caught:
        read_statement(GENERIC, "s.csv", mapping=mapping, currency="EUR")
    assert caught.value.missing == ("Payee",)
    assert "date" in caught.value.found
    assert "'Payee' are not in the file" in str(caught.value)


def test_csv_mapping_changes_are_checked() -> None:
    mapping = CsvMapping(date="d").with_changes({"amount": "a", "decimal": ","})
    assert (mapping.amount, mapping.decimal) == ("a", ",")
    with pytest.raises(ValueError, match="not a mapping field"):
        mapping.with_changes({"colour": "x"})


def test_format_detection() -> None:
    assert detect_format(SAMPLE_OFX.read_bytes()) is StatementFormat.OFX
    assert detect_format((DATA / "camt053.xml").read_bytes()) is StatementFormat.CAMT053
    assert detect_format((DATA / "statement.mt940").read_bytes()) is StatementFormat.MT940
    assert detect_format(GENERIC) is StatementFormat.CSV


# -- property tests ------------------------------------------------------------------------

FORMATS = [
    AmountFormat(".", ""),
    AmountFormat(".", ","),
    AmountFormat(",", "."),
    AmountFormat(",", " "),
]


def _write(value: Decimal, fmt: AmountFormat) -> str:
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):f}".partition(".")
    if fmt.thousands:
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = fmt.thousands.join([whole, *groups])
    return sign + whole + (fmt.decimal + fraction if fraction else "")


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False),
    st.sampled_from(FORMATS),
)
def test_amounts_round_trip_in_every_notation(value: Decimal, fmt: AmountFormat) -> None:
    assert parse_amount(_write(value, fmt), fmt) == value


@given(st.text(max_size=40), st.sampled_from(FORMATS))
def test_amount_parser_never_crashes(text: str, fmt: AmountFormat) -> None:
    result = parse_amount(text, fmt)
    assert result is None or result.is_finite()


ROWS = st.lists(
    st.tuples(
        st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)),
        st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False),
        st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    ),
    max_size=20,
)


@given(ROWS)
@settings(max_examples=50)
def test_csv_round_trips_what_it_reads(rows: list[tuple[dt.date, Decimal, str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "amount", "payee", "memo", "reference"])
    for day, amount, payee in rows:
        writer.writerow([day.isoformat(), f"{amount:f}", payee, "", ""])
    statement = read_statement(out.getvalue().encode(), "p.csv", currency="EUR")
    assert [(ln.booked, ln.amount, ln.payee) for ln in statement.lines] == [
        (day, amount, payee.strip()) for day, amount, payee in rows
    ]


@given(st.binary(max_size=300))
@settings(max_examples=200)
def test_statement_parsers_raise_only_typed_errors(data: bytes) -> None:
    for fmt in StatementFormat:
        with contextlib.suppress(StatementError):
            read_statement(data, "fuzz", fmt, currency="EUR")


def test_ofx_currency_aggregate_sets_the_line_currency_origcurrency_does_not() -> None:
    foreign = _broken_ofx(
        "<TRNAMT>-950.00",
        "<TRNAMT>-950.00\n<CURRENCY><CURRATE>1.08<CURSYM>USD</CURRENCY>",
    )
    assert read_statement(foreign, "f.ofx").lines[1].currency == "USD"
    converted = _broken_ofx(
        "<TRNAMT>-950.00",
        "<TRNAMT>-950.00\n<ORIGCURRENCY><CURRATE>1.08<CURSYM>USD</ORIGCURRENCY>",
    )
    assert read_statement(converted, "c.ofx").lines[1].currency == "EUR"
