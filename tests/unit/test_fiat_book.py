"""``Wallet.fiat``: accounts, imports and re-imports, entries, transfers, chain links."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from wallet import HoldingKind, Wallet
from wallet.errors import (
    CsvMappingMismatch,
    FiatAccountNotFound,
    FloatAmountError,
    InvalidAmount,
    InvalidTxHash,
    StatementCurrencyMismatch,
    StatementError,
    UnknownCurrency,
    WalletError,
)
from wallet.money.fiat import MATCH_THRESHOLD, CsvMapping, FiatKind
from wallet.money.fiat.demo import run_fiat_demo
from wallet.money.prices.sample import sample_portfolio_lines

ROOT = Path(__file__).parents[2]
SAMPLE_OFX = ROOT / "wallet" / "money" / "fiat" / "samples" / "demo-checking.ofx"
DATA = ROOT / "tests" / "data" / "statements"
HEADER = b"date,amount,payee,memo,reference\n"


@pytest.fixture
def wallet(tmp_path: Path) -> Iterator[Wallet]:
    with Wallet.create_watch_only(tmp_path / "fiat.coffer", PASSWORD) as opened:
        opened.fiat.add_account("Checking", "EUR", institution="Demo Bank", opening_balance="1000")
        yield opened


def _csv(*rows: str) -> bytes:
    return HEADER + "".join(row + "\n" for row in rows).encode()


def test_accounts_are_checked_and_listed(wallet: Wallet) -> None:
    card = wallet.fiat.add_account("Card", "usd", kind="card", opening_balance=Decimal("-12.5"))
    assert (card.currency, card.kind, card.balance) == ("USD", FiatKind.CARD, Decimal("-12.50"))
    assert [a.name for a in wallet.fiat.accounts()] == ["Card", "Checking"]
    with pytest.raises(UnknownCurrency):
        wallet.fiat.add_account("X", "EURO")
    with pytest.raises(UnknownCurrency):
        wallet.fiat.add_account("X", "\u20ac")
    with pytest.raises(WalletError, match="already"):
        wallet.fiat.add_account("Card", "USD")
    with pytest.raises(InvalidAmount, match="decimals"):
        wallet.fiat.add_account("Yen", "JPY", opening_balance="1.5")
    with pytest.raises(FloatAmountError):
        wallet.fiat.add_account("F", "EUR", opening_balance=1.5)  # type: ignore[arg-type]
    with pytest.raises(WalletError, match="bank, card or cash"):
        wallet.fiat.add_account("K", "EUR", kind="crypto")
    with pytest.raises(FiatAccountNotFound):
        wallet.fiat.account("Savings")


def test_ofx_import_adds_every_line_and_reconciles(wallet: Wallet) -> None:
    report = wallet.fiat.import_statement("Checking", SAMPLE_OFX)
    assert len(report.added) == 7
    assert (report.matched, report.refused) == ((), ())
    assert report.account.balance == Decimal("2561.11") == report.account.statement_balance
    assert report.balance_note == ""
    lines = wallet.fiat.lines("Checking")
    assert [line.id for line in lines] == [line.id for line in report.added]
    assert lines[0].origin == "ofx"


def test_reimport_never_duplicates_and_explains_every_match(wallet: Wallet) -> None:
    wallet.fiat.import_statement("Checking", SAMPLE_OFX)
    again = wallet.fiat.import_statement("Checking", SAMPLE_OFX)
    assert again.added == ()
    assert len(again.matched) == 7
    assert all(m.score >= MATCH_THRESHOLD for m in again.matched)
    assert again.matched[0].reasons == ("same amount", "same date", "same reference", "same text")
    assert len({m.existing.id for m in again.matched}) == 7
    assert len(wallet.fiat.lines("Checking")) == 7


def test_two_genuine_same_day_payments_stay_two_lines(wallet: Wallet) -> None:
    one = _csv("2026-11-05,-42.17,Supermarket,Card payment,")
    two = _csv(
        "2026-11-05,-42.17,Supermarket,Card payment,",
        "2026-11-05,-42.17,Supermarket,Card payment,",
    )
    assert len(wallet.fiat.import_statement("Checking", one, source="a.csv").added) == 1
    report = wallet.fiat.import_statement("Checking", two, source="b.csv")
    assert (len(report.matched), len(report.added)) == (1, 1)
    assert len(wallet.fiat.lines("Checking")) == 2
    third = wallet.fiat.import_statement("Checking", two, source="b.csv")
    assert (len(third.matched), len(third.added)) == (2, 0)


def test_a_reused_fitid_does_not_merge_different_lines(wallet: Wallet) -> None:
    fee = _csv("2026-11-30,-4.90,Demo Bank,Account fee,SAME-ID")
    reward = _csv("2026-11-30,0.35,Demo Bank,Interest,SAME-ID")
    wallet.fiat.import_statement("Checking", fee, source="fee.csv")
    report = wallet.fiat.import_statement("Checking", reward, source="reward.csv")
    assert len(report.added) == 1
    assert report.matched == ()


def test_same_amount_and_day_with_different_references_are_two_lines(wallet: Wallet) -> None:
    wallet.fiat.import_statement("Checking", _csv("2026-11-05,-10.00,Cafe,,FIT-1"), source="a")
    report = wallet.fiat.import_statement(
        "Checking", _csv("2026-11-05,-10.00,Cafe,,FIT-2"), source="b"
    )
    assert len(report.added) == 1


def test_a_manual_entry_is_matched_by_the_bank_line(wallet: Wallet) -> None:
    entry = wallet.fiat.add_entry("Checking", dt.date(2026, 11, 4), "-42.17", payee="Supermarket")
    report = wallet.fiat.import_statement(
        "Checking", _csv("2026-11-05,-42.17,SUPERMARKET,Card payment,FIT9"), source="s.csv"
    )
    assert report.added == ()
    (match,) = report.matched
    assert match.existing.id == entry.id
    assert "1 day(s) apart" in match.reasons
    assert "similar text" in match.reasons


def test_a_line_a_week_away_is_a_new_line(wallet: Wallet) -> None:
    wallet.fiat.add_entry("Checking", dt.date(2026, 11, 1), "-42.17")
    report = wallet.fiat.import_statement(
        "Checking", _csv("2026-11-09,-42.17,Supermarket,,"), source="s.csv"
    )
    assert len(report.added) == 1


def test_a_statement_in_another_currency_is_refused_whole(wallet: Wallet) -> None:
    wallet.fiat.add_account("Dollars", "USD")
    with pytest.raises(StatementCurrencyMismatch) as caught:
        wallet.fiat.import_statement("Dollars", SAMPLE_OFX)
    assert (caught.value.statement_currency, caught.value.account_currency) == ("EUR", "USD")
    assert "Nothing was imported" in str(caught.value)
    assert wallet.fiat.lines("Dollars") == []


def test_a_line_in_another_currency_is_refused_with_its_reason(wallet: Wallet) -> None:
    data = b"date,amount,currency\n2026-11-01,5.00,EUR\n2026-11-02,7.00,USD\n"
    report = wallet.fiat.import_statement(
        "Checking",
        data,
        mapping=CsvMapping(date="date", amount="amount", currency="currency"),
        source="mixed.csv",
    )
    assert len(report.added) == 1
    (refused,) = report.refused
    assert refused.line.line == 3
    assert "USD" in refused.reason


def test_a_malformed_file_imports_nothing(wallet: Wallet) -> None:
    good = "2026-11-01,5.00,A,,R1"
    with pytest.raises(StatementError) as caught:
        wallet.fiat.import_statement(
            "Checking", _csv(good, good.replace("R1", "R2"), "2026-11-03,five,C,,R3"), source="x"
        )
    assert (caught.value.line, caught.value.field) == (4, "amount")
    assert wallet.fiat.lines("Checking") == []
    bad_ofx = SAMPLE_OFX.read_bytes().replace(b"<TRNAMT>0.35", b"<TRNAMT>0,3,5")
    with pytest.raises(StatementError, match="field TRNAMT"):
        wallet.fiat.import_statement("Checking", bad_ofx, source="bad.ofx")
    assert wallet.fiat.lines("Checking") == []
    assert wallet.fiat.account("Checking").statement_balance is None


def test_too_many_decimals_for_the_currency_is_refused_with_its_line(wallet: Wallet) -> None:
    with pytest.raises(StatementError) as caught:
        wallet.fiat.import_statement("Checking", _csv("2026-11-01,1.005,A,,"), source="x.csv")
    assert (caught.value.line, caught.value.field) == (2, "amount")


def test_a_mapping_that_does_not_fit_imports_nothing(wallet: Wallet) -> None:
    with pytest.raises(CsvMappingMismatch):
        wallet.fiat.import_statement("Checking", _csv("2026-11-01,1,A,,"), mapping="uk-barclays")
    with pytest.raises(StatementError, match="CSV presets are"):
        wallet.fiat.import_statement("Checking", _csv(), mapping="no-such-bank")
    assert wallet.fiat.lines("Checking") == []


def test_a_statement_for_another_account_number_is_refused(wallet: Wallet) -> None:
    wallet.fiat.add_account("Other", "EUR", number="DE02 1203 0000 0000 2020 51")
    with pytest.raises(StatementError, match="is for account DE8937"):
        wallet.fiat.import_statement("Other", SAMPLE_OFX)


def test_dry_run_writes_nothing(wallet: Wallet) -> None:
    report = wallet.fiat.import_statement("Checking", SAMPLE_OFX, dry_run=True)
    assert report.dry_run
    assert len(report.added) == 7
    assert wallet.fiat.lines("Checking") == []


def test_camt_and_mt940_of_the_same_month_match_each_other(wallet: Wallet) -> None:
    first = wallet.fiat.import_statement("Checking", DATA / "camt053.xml")
    assert len(first.added) == 2
    second = wallet.fiat.import_statement("Checking", DATA / "statement.mt940")
    assert (len(second.added), len(second.matched)) == (0, 2)


def test_balance_note_when_the_statement_disagrees(wallet: Wallet) -> None:
    report = wallet.fiat.import_statement("Checking", DATA / "camt053.xml")
    assert "closing balance on 2026-11-30 is 1079.50 EUR" in report.balance_note
    assert "1979.50" in report.balance_note
    assert "set the opening balance to 100.00" in report.balance_note
    edited = wallet.fiat.edit_account("Checking", opening_balance="100.00")
    assert (edited.opening_balance, edited.balance) == (Decimal("100.00"), Decimal("1079.50"))
    again = wallet.fiat.import_statement("Checking", DATA / "camt053.xml")
    assert (len(again.added), again.balance_note) == (0, "")


def test_edit_account_changes_what_is_given_and_refuses_bad_input(wallet: Wallet) -> None:
    edited = wallet.fiat.edit_account("Checking", institution="New Bank", number="DE02")
    assert (edited.institution, edited.number, edited.opening_balance) == (
        "New Bank",
        "DE02",
        Decimal("1000.00"),
    )
    before = wallet.fiat.accounts()
    with pytest.raises(InvalidAmount):
        wallet.fiat.edit_account("Checking", institution="X", opening_balance="1.001")
    with pytest.raises(FloatAmountError):
        wallet.fiat.edit_account("Checking", opening_balance=1.5)  # type: ignore[arg-type]
    with pytest.raises(WalletError, match="one line"):
        wallet.fiat.edit_account("Checking", institution="a\nb")
    with pytest.raises(FiatAccountNotFound):
        wallet.fiat.edit_account("Nope", institution="X")
    assert wallet.fiat.accounts() == before


def test_remove_account_takes_its_lines_and_files_and_unlinks_transfers(wallet: Wallet) -> None:
    wallet.fiat.add_account("Savings", "EUR")
    wallet.fiat.import_statement("Checking", SAMPLE_OFX)
    out, into = wallet.fiat.transfer("Checking", "Savings", "200", dt.date(2026, 11, 10))
    pdf = b"%PDF-1.7\n%%EOF\n"
    wallet.fiat.attachments.attach(f"line:{out.id}", pdf, file_name="a.pdf")
    kept = wallet.fiat.attachments.attach(f"line:{into.id}", pdf, file_name="b.pdf")
    wallet.fiat.remove_account("Checking")
    assert [a.name for a in wallet.fiat.accounts()] == ["Savings"]
    (left,) = wallet.fiat.lines()
    assert (left.id, left.amount, left.transfer_id) == (into.id, Decimal("200.00"), None)
    assert wallet.fiat.attachments.list() == [kept]
    with pytest.raises(FiatAccountNotFound):
        wallet.fiat.remove_account("Checking")
    wallet.fiat.add_account("Checking", "EUR")
    report = wallet.fiat.import_statement("Checking", SAMPLE_OFX)
    assert (len(report.added), len(report.matched)) == (7, 0)


def test_transfer_makes_two_linked_lines(wallet: Wallet) -> None:
    wallet.fiat.add_account("Savings", "EUR")
    out, into = wallet.fiat.transfer("Checking", "Savings", "200", dt.date(2026, 11, 10))
    assert (out.amount, into.amount) == (Decimal("-200.00"), Decimal("200.00"))
    assert out.transfer_id == into.transfer_id is not None
    assert wallet.fiat.account("Savings").balance == Decimal("200.00")
    assert wallet.fiat.account("Checking").balance == Decimal("800.00")
    wallet.fiat.add_account("Dollars", "USD")
    with pytest.raises(InvalidAmount, match="amount received"):
        wallet.fiat.transfer("Checking", "Dollars", "100", dt.date(2026, 11, 10))
    out, into = wallet.fiat.transfer(
        "Checking", "Dollars", "100", dt.date(2026, 11, 10), received="108.20"
    )
    assert into.amount == Decimal("108.20")
    with pytest.raises(WalletError, match="two different"):
        wallet.fiat.transfer("Checking", "Checking", "1", dt.date(2026, 11, 10))
    with pytest.raises(InvalidAmount, match="positive"):
        wallet.fiat.transfer("Checking", "Savings", "-1", dt.date(2026, 11, 10))


def test_a_buy_links_the_fiat_line_to_the_chain_transaction(wallet: Wallet) -> None:
    wallet.fiat.import_statement("Checking", SAMPLE_OFX)
    buy = next(line for line in wallet.fiat.lines("Checking") if line.memo == "Buy bitcoin")
    txid = "ab" * 32
    linked = wallet.fiat.link_transaction(buy.id, "bitcoin", txid.upper())
    assert (linked.chain_network, linked.chain_txid) == ("bitcoin", txid)
    assert wallet.fiat.lines_for_transaction(txid) == [linked]
    with pytest.raises(InvalidTxHash):
        wallet.fiat.link_transaction(buy.id, "bitcoin", "not-a-txid")
    with pytest.raises(FiatAccountNotFound):
        wallet.fiat.link_transaction(99999, "bitcoin", txid)
    assert wallet.fiat.unlink_transaction(buy.id).chain_txid is None


def test_fiat_data_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "w.coffer"
    with Wallet.create_watch_only(path, PASSWORD) as created:
        created.fiat.add_account("Checking", "EUR", opening_balance="1000")
        created.fiat.import_statement("Checking", SAMPLE_OFX)
    with Wallet.open(path, PASSWORD) as reopened:
        assert reopened.fiat.account("Checking").balance == Decimal("2561.11")
    assert b"Supermarket" not in path.read_bytes()


def test_holdings_list_fiat_balances(wallet: Wallet) -> None:
    wallet.fiat.import_statement("Checking", SAMPLE_OFX)
    (holding,) = wallet.fiat.holdings()
    assert (holding.kind, holding.account, holding.asset, holding.amount, holding.source) == (
        HoldingKind.FIAT,
        "Checking",
        "EUR",
        Decimal("2561.11"),
        "fiat",
    )


def test_the_portfolio_values_fiat_accounts_and_points(wallet: Wallet) -> None:
    wallet.fiat.import_statement("Checking", SAMPLE_OFX)
    wallet.fiat.points.add("Miles", 1000, value_per_point="0.01", value_currency="EUR")
    wallet.fiat.points.add("Stamps", 7)
    portfolio = wallet.portfolio("EUR", online=False)
    rows = {row.holding.account: row for row in portfolio.rows if row.holding.source != "crypto"}
    assert rows["Checking"].value == Decimal("2561.11")
    assert rows["Miles: 1000 points"].value == Decimal("10.00")
    assert rows["Stamps: 7 points"].value is None
    assert rows["Stamps: 7 points"].unknown_reason == "no value per point set"
    fiat_changes = wallet.holdings_sources[1].changes()
    assert sum(c.amount for c in fiat_changes) == Decimal("1561.11")


def test_the_demo_part_imports_the_sample_and_matches_it_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Wallet.create_watch_only(tmp_path / "demo.coffer", PASSWORD) as opened:
        account = run_fiat_demo(opened.fiat, print)
        assert account.balance == Decimal("2561.11") == account.statement_balance
        assert len(opened.fiat.lines(account.name)) == 7
        portfolio = sample_portfolio_lines(
            opened.database, opened.holdings_sources, opened.prices, "EUR"
        )
    # make demo's last lines: the fiat account is in the EUR portfolio
    assert [line.split() for line in portfolio[1:3]] == [
        ["Demo", "checking", "(sample)", "2561.11", "EUR", "2,561.11", "EUR", "[identity]"],
        ["Total:", "2,561.11", "EUR"],
    ]
    out = capsys.readouterr().out
    assert "7 lines added" in out
    assert "0 added, 7 matched" in out


def test_a_named_pipe_with_no_writer_is_refused_not_waited_on(
    wallet: Wallet, tmp_path: Path
) -> None:
    fifo = tmp_path / "statement.csv"
    os.mkfifo(fifo)
    with pytest.raises(StatementError, match="is empty"):
        wallet.fiat.import_statement("Checking", fifo)
    with pytest.raises(WalletError, match="not a regular file"):
        wallet.fiat.attachments.attach("ab" * 32, fifo)


def test_remove_line_takes_its_files_and_a_transfer_whole(wallet: Wallet) -> None:
    wallet.fiat.add_account("Savings", "EUR")
    entry = wallet.fiat.add_entry("Checking", dt.date(2026, 11, 2), "-12.50", payee="Cafe")
    wallet.fiat.attachments.attach(f"line:{entry.id}", b"%PDF-1.7\n", file_name="r.pdf")
    out, into = wallet.fiat.transfer("Checking", "Savings", "200", dt.date(2026, 11, 10))
    assert wallet.fiat.remove_line(entry.id) == [entry]
    assert wallet.fiat.attachments.list() == []
    assert wallet.fiat.remove_line(into.id) == [out, into]
    assert wallet.fiat.lines() == []
    assert wallet.fiat.account("Checking").balance == Decimal("1000.00")
    with pytest.raises(FiatAccountNotFound):
        wallet.fiat.remove_line(entry.id)
