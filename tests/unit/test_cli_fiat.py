"""``coffer fiat``, ``points``, ``tickets``, ``attach`` and ``attachments``: output and errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import PASSWORD
from wallet import Wallet
from wallet.cli import cli

ROOT = Path(__file__).parents[2]
SAMPLE_OFX = ROOT / "wallet" / "money" / "fiat" / "samples" / "demo-checking.ofx"
INVOICE = ROOT / "tests" / "data" / "statements" / "factur-x.xml"


def _run(runner: CliRunner, path: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["--wallet", str(path), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def path(tmp_path: Path) -> Path:
    wallet_path = tmp_path / "cli.coffer"
    Wallet.create_watch_only(wallet_path, PASSWORD).close()
    return wallet_path


def test_fiat_add_import_list(runner: CliRunner, path: Path) -> None:
    code, out, err = _run(
        runner, path, "fiat", "add", "Checking", "--currency", "eur", "--opening", "1000"
    )
    assert code == 0, err
    assert "Added bank account Checking in EUR" in out
    code, out, err = _run(runner, path, "fiat", "import", "Checking", str(SAMPLE_OFX))
    assert code == 0, err
    assert "7 added, 0 matched, 0 refused. Balance 2561.11 EUR." in out
    code, out, err = _run(runner, path, "--json", "fiat", "import", "Checking", str(SAMPLE_OFX))
    assert code == 0, err
    report = json.loads(out)
    assert report["added"] == []
    assert report["matched"][0] == {
        "line": 33,
        "existing": 1,
        "score": 11,
        "reasons": ["same amount", "same date", "same reference", "same text"],
    }
    code, out, _ = _run(runner, path, "--json", "fiat", "list")
    assert json.loads(out)[0]["balance"] == "2561.11"
    code, out, _ = _run(runner, path, "--json", "fiat", "list", "Checking")
    assert len(json.loads(out)["lines"]) == 7


def _unchanged(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("rows", "args", "message"),
    [
        (
            "date,amount\n2026-11-01,5\n2026-11-02,x\n",
            (),
            "error: s.csv line 3, field amount: 'x' is not an amount.",
        ),
        (
            "date,amount\n2026-11-01,5\n",
            ("--preset", "uk-barclays"),
            "error: s.csv: the mapping's column(s) 'Date', 'Amount', 'Memo', 'Number' are not in",
        ),
        ("date,amount\n2026-11-01,5\n", ("--map", "colour=x"), "is not a mapping field"),
        ("date,amount\n2026-11-01,5\n", ("--map", "oops"), "--map takes FIELD=COLUMN"),
    ],
    ids=["bad-amount", "mapping-does-not-fit", "unknown-field", "malformed-map"],
)
def test_fiat_import_bad_input_is_one_line_and_changes_nothing(
    runner: CliRunner, path: Path, tmp_path: Path, rows: str, args: tuple[str, ...], message: str
) -> None:
    _run(runner, path, "fiat", "add", "Checking", "--currency", "EUR")
    statement = tmp_path / "s.csv"
    statement.write_text(rows)
    before = _unchanged(path)
    code, out, err = _run(runner, path, "fiat", "import", "Checking", str(statement), *args)
    assert code == 1
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err
    assert _unchanged(path) == before


def test_fiat_import_in_another_currency(runner: CliRunner, path: Path) -> None:
    _run(runner, path, "fiat", "add", "Dollars", "--currency", "USD")
    code, _, err = _run(runner, path, "fiat", "import", "Dollars", str(SAMPLE_OFX))
    assert code == 1
    assert err.strip() == (
        "error: demo-checking.ofx is a statement in EUR; the account Dollars is in USD. "
        "Nothing was imported."
    )


def test_points_tickets_and_attachments(runner: CliRunner, path: Path, tmp_path: Path) -> None:
    code, _, err = _run(
        runner,
        path,
        "points",
        "add",
        "Miles",
        "12000",
        "--value",
        "0.01",
        "--currency",
        "EUR",
        "--expires",
        "2099-03-31",
    )
    assert code == 0, err
    code, out, _ = _run(runner, path, "--json", "points", "list")
    assert json.loads(out)[0]["value_per_point"] == "0.01"
    code, out, err = _run(
        runner, path, "tickets", "add", "Concert", "2026-12-20T20:00", "--venue", "Arena"
    )
    assert code == 0, err
    txid = "ef" * 32
    code, out, err = _run(runner, path, "attach", txid, str(INVOICE))
    assert code == 0, err
    assert "Invoice: 20.50 EUR on 2026-11-12, Exemple Librairie SARL" in out
    exported = tmp_path / "back.xml"
    code, out, err = _run(runner, path, "attachments", "export", "1", str(exported))
    assert code == 0, err
    assert exported.read_bytes() == INVOICE.read_bytes()
    code, out, err = _run(runner, path, "attachments", "remove", "1")
    assert (code, out) == (0, "Removed attachment #1.\n"), err
    code, out, err = _run(runner, path, "attachments", "remove", "1")
    assert (code, out, err) == (1, "", "error: There is no attachment number 1.\n")
    code, out, _ = _run(runner, path, "--json", "attachments", "list")
    assert json.loads(out) == []


def test_attach_refuses_a_file_that_is_not_its_type(
    runner: CliRunner, path: Path, tmp_path: Path
) -> None:
    fake = tmp_path / "receipt.png"
    fake.write_bytes(b"%PDF-1.4\n")
    before = _unchanged(path)
    code, _, err = _run(runner, path, "attach", "ab" * 32, str(fake))
    assert code == 1
    assert (
        err.strip()
        == "error: receipt.png claims to be image/png, but its content is application/pdf."
    )
    assert _unchanged(path) == before


def test_fiat_edit_and_remove(runner: CliRunner, path: Path) -> None:
    _run(runner, path, "fiat", "add", "Checking", "--currency", "EUR")
    code, out, err = _run(runner, path, "fiat", "import", "Checking", str(SAMPLE_OFX))
    assert code == 0, err
    assert "set the opening balance to 1000.00 (coffer fiat edit NAME --opening 1000.00)" in err
    code, out, err = _run(runner, path, "fiat", "edit", "Checking", "--opening", "1000.00")
    assert (code, out) == (0, "Checking: opening balance 1000.00, balance 2561.11 EUR.\n"), err

    before = _unchanged(path)
    for args, message in [
        (("Checking",), "error: Give --institution, --number or --opening to change."),
        (("Nope", "--opening", "1"), "error: There is no fiat account named 'Nope'"),
        (("Checking", "--opening", "1.001"), "error: "),
    ]:
        code, out, err = _run(runner, path, "fiat", "edit", *args)
        assert (code, out) == (1, "")
        assert err.startswith(message)
        assert len(err.strip().splitlines()) == 1
    result = runner.invoke(cli, ["--wallet", str(path), "fiat", "remove", "Checking"], input="n\n")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == "error: Nothing was removed."
    assert _unchanged(path) == before

    code, out, err = _run(runner, path, "fiat", "remove-line", "7")
    assert (code, out) == (0, "Removed #7 (2026-11-30 0.35 EUR).\n"), err
    code, out, err = _run(runner, path, "fiat", "remove-line", "7")
    assert (code, out, err) == (1, "", "error: There is no fiat line number 7.\n")

    code, out, err = _run(runner, path, "fiat", "remove", "Checking", "--yes")
    assert (code, out) == (0, "Removed Checking and its 6 line(s).\n"), err
    code, out, _ = _run(runner, path, "--json", "fiat", "list")
    assert json.loads(out) == []
