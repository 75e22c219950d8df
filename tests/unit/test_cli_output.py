"""What the command line shows a new user (issue 13 item 13): whole txids and addresses in
tables at any width (or on one line with ``--wide``), ``coffer label set``, and ``coffer
receive NETWORK`` with a QR code that holds the address."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.cli import cli
from wallet.qr import qr_matrix

BTC_0 = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
ETH_0 = "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"
TXID = "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COFFER_PASSWORD", PASSWORD)
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.delenv("COFFER_WALLET", raising=False)
    return CliRunner()


@pytest.fixture
def wallet_file(tmp_path: Path) -> Path:
    path = tmp_path / "w.coffer"
    with Wallet.restore(path, PASSWORD, ABANDON) as wallet:
        wallet.account("bitcoin")
        wallet.account("ethereum")
    return path


def _column_text(table: str, index: int) -> str:
    """Return column ``index``'s cells joined (a folded cell continues on the next lines)."""
    lines = table.splitlines()
    top = next(line for line in lines if line.startswith("┏"))
    edges = [i for i, ch in enumerate(top) if ch in "┏┳┓"]
    start, end = edges[index] + 1, edges[index + 1]
    return "".join(line[start:end].strip() for line in lines if line.startswith("│"))


def test_a_narrow_table_folds_addresses_whole(runner: CliRunner, wallet_file: Path) -> None:
    result = runner.invoke(cli, ["--wallet", str(wallet_file), "accounts"])
    assert result.exit_code == 0, result.stderr
    assert "…" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 60
    joined = _column_text(result.stdout, 4)  # network, #, kind, path, receive address
    assert BTC_0 in joined
    assert ETH_0 in joined


def test_wide_keeps_each_address_on_one_line(runner: CliRunner, wallet_file: Path) -> None:
    for args in (["--wide", "accounts"], ["accounts", "--wide"]):
        result = runner.invoke(cli, ["--wallet", str(wallet_file), *args])
        assert result.exit_code == 0, result.stderr
        assert BTC_0 in result.stdout
        assert ETH_0 in result.stdout


def test_label_set_and_export(runner: CliRunner, wallet_file: Path) -> None:
    base = ["--wallet", str(wallet_file)]
    result = runner.invoke(cli, [*base, "label", "set", BTC_0, "savings"])
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(cli, [*base, "labels", "set", TXID, "rent"])
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(cli, [*base, "--json", "labels", "set", f"{TXID}:1", "coin"])
    assert json.loads(result.stdout)["type"] == "output"
    result = runner.invoke(cli, [*base, "labels", "export", "-"])
    records = {(r["type"], r["ref"]): r["label"] for r in map(json.loads, result.stdout.split())}
    assert records == {
        ("addr", BTC_0): "savings",
        ("tx", TXID): "rent",
        ("output", f"{TXID}:1"): "coin",
    }


def test_label_set_refuses_a_bad_reference_in_one_line(
    runner: CliRunner, wallet_file: Path
) -> None:
    before = wallet_file.read_bytes()
    result = runner.invoke(
        cli, ["--wallet", str(wallet_file), "label", "set", "--type", "tx", "nope", "x"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    assert result.stderr.count("\n") == 1
    assert wallet_file.read_bytes() == before


def _read_terminal_qr(text: str) -> tuple[tuple[bool, ...], ...]:
    """Turn segno's compact terminal drawing back into modules (dark = a space on screen)."""
    top = {"█": (False, False), "▀": (False, True), "▄": (True, False), " ": (True, True)}
    rows: list[tuple[bool, ...]] = []
    for line in text.splitlines():
        upper = tuple(top[ch][0] for ch in line)
        lower = tuple(top[ch][1] for ch in line)
        rows.extend([upper, lower])
    border = 2
    return tuple(row[border:-border] for row in rows[border : len(rows[0]) - border])


@pytest.mark.parametrize(("network", "address"), [("bitcoin", BTC_0), ("eth", ETH_0)])
def test_receive_shows_the_address_and_its_qr(
    runner: CliRunner, wallet_file: Path, network: str, address: str
) -> None:
    result = runner.invoke(cli, ["--wallet", str(wallet_file), "receive", network])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert address in lines
    drawing = "\n".join(lines[: lines.index(address)])
    assert _read_terminal_qr(drawing) == qr_matrix(address)
    result = runner.invoke(cli, ["--wallet", str(wallet_file), "--json", "receive", network])
    assert json.loads(result.stdout)["address"] == address
