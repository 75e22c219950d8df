"""``coffer backup codex32 split|restore``: worksheet, warning, restore, one-line refusals."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ABANDON, PASSWORD
from tests.unit.test_new_wallet_prompts import _COFFER as COFFER
from tests.unit.test_new_wallet_prompts import ROOT
from tests.unit.test_new_wallet_prompts import _Terminal as Terminal
from wallet import Wallet
from wallet.cli import cli

NAME_A = "MS12NAMEA320ZYXWVUTSRQPNMLKJHGFEDCAXRPP870HKKQRM"
NAME_C = "MS12NAMECACDEFGHJKLMNPQRSTUVWXYZ023FTR2GDZMPY6PN"
CASH_A = "ms13casha320zyxwvutsrqpnmlkjhgfedca2a8d0zehn8a0t"


def _run(
    runner: CliRunner, path: Path, *args: str, stdin: str | None = None
) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["--wallet", str(path), *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_split_prints_the_worksheet_and_a_warning_and_restore_gives_the_same_addresses(
    runner: CliRunner, tmp_path: Path
) -> None:
    source = tmp_path / "source.coffer"
    with Wallet.create(source, PASSWORD, ABANDON, accounts=("bitcoin",)) as wallet:
        expected_btc = wallet.account("bitcoin").addresses(1)[0].address
    code, out, err = _run(
        runner,
        source,
        "backup",
        "codex32",
        "split",
        "--threshold",
        "2",
        "--shares",
        "3",
        "--id",
        "cash",
    )
    assert code == 0, err
    assert "reveal the wallet's seed" in err
    assert "set CASH, any 2 of these 3 shares restore it" in out
    assert "   1: MS12 CASH A" in out
    code, out, err = _run(
        runner, source, "--json", "backup", "codex32", "split", "--threshold", "2", "--shares", "3"
    )
    assert code == 0, err
    shares = json.loads(out)["shares"]
    assert len(shares) == 3
    target = tmp_path / "restored.coffer"
    code, out, err = _run(
        runner, target, "--json", "backup", "codex32", "restore", shares[2], shares[0]
    )
    assert code == 0, err
    restored = json.loads(out)
    assert restored["fingerprint"] == "73c5da0a"
    assert {"network": "bitcoin", "address": expected_btc} in restored["addresses"]
    assert {r["network"] for r in restored["addresses"]} == {
        "bitcoin",
        "litecoin",
        "dogecoin",
        "ethereum",
    }


def test_restore_reads_grouped_shares_from_the_input(runner: CliRunner, tmp_path: Path) -> None:
    grouped = " ".join(NAME_C[i : i + 4] for i in range(0, len(NAME_C), 4))
    code, out, err = _run(
        runner,
        tmp_path / "w.coffer",
        "backup",
        "codex32",
        "restore",
        stdin=f"{NAME_A}\n{grouped}\n\n",
    )
    assert code == 0, err
    assert out.startswith("Restored ")


def test_bad_shares_are_one_line_exit_1_and_no_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "w.coffer"
    damaged = NAME_A[:10] + ("Q" if NAME_A[10] != "Q" else "P") + NAME_A[11:]
    cases = {
        f"changing character 11 (group 3) to {NAME_A[10]} gives a valid string": [damaged, NAME_C],
        "more than 4 characters would have to change": [
            NAME_A[:10] + "QQQQQ" + NAME_A[15:],
            NAME_C,
        ],
        "Share A is from set CASH, the others from set NAME": [NAME_C, CASH_A],
        "needs 2 shares; 1 was given": [NAME_A],
        "Share A was given twice": [NAME_A, NAME_A.lower()],
        "Share 2: A codex32 string has 48 to 127 characters": [NAME_A, "ms12namecxxxx"],
    }
    for message, shares in cases.items():
        code, _out, err = _run(runner, path, "backup", "codex32", "restore", *shares)
        assert code == 1, (message, err)
        assert err.count("\n") == 1, err
        assert message in err, err
        assert "Traceback" not in err
        assert NAME_A not in err  # a share is never echoed whole
        assert not path.exists()


def test_split_refusals(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "w.coffer"
    Wallet.create(path, PASSWORD, ABANDON).close()
    before = path.read_bytes()
    code, _out, err = _run(
        runner, path, "backup", "codex32", "split", "--threshold", "3", "--shares", "2"
    )
    assert code == 1
    assert "from the threshold (3)" in err
    code, _out, err = _run(
        runner,
        path,
        "backup",
        "codex32",
        "split",
        "--threshold",
        "2",
        "--shares",
        "2",
        "--id",
        "book",
    )
    assert code == 1
    assert "identifier 'book'" in err
    code, _out, err = _run(
        runner, path, "backup", "codex32", "split", "--threshold", "1", "--shares", "2"
    )
    assert code == 2
    assert path.read_bytes() == before


def test_split_asks_the_password_once_and_refuses_a_wrong_one(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.coffer"
    Wallet.create(path, PASSWORD, ABANDON).close()
    monkeypatch.delenv("COFFER_PASSWORD")
    args = ("backup", "codex32", "split", "--threshold", "2", "--shares", "2")
    code, out, err = _run(runner, path, *args, stdin=f"{PASSWORD}\n")
    assert code == 0, err
    assert err.count("Wallet password") == 1
    assert "any 2 of these 2 shares restore it" in out
    code, out, err = _run(runner, path, *args, stdin="not the password\n")
    assert code != 0
    assert "MS12" not in out
    assert err.strip().splitlines()[-1].startswith("error: ")


def test_restore_at_a_terminal_checks_each_share_and_stops_at_the_threshold(
    tmp_path: Path,
) -> None:
    path = tmp_path / "w.coffer"
    env = {**os.environ, "COFFER_PASSWORD": PASSWORD, "PYTHONPATH": str(ROOT), "TERM": "xterm"}
    term = Terminal([*COFFER, "--wallet", str(path), "backup", "codex32", "restore"], env)
    term.expect(r"Share 1: $")
    term.send(NAME_A[:-1] + "Q")  # the last character changed
    term.expect(r"changing character 48 \(group 12\) to M gives a valid string: check it")
    term.expect(r"Share 1: $")  # asked again, not the end of the command
    term.send(" ".join(NAME_A[i : i + 4] for i in range(0, len(NAME_A), 4)))
    term.expect(r"Share 2 of 2: $")
    term.send(NAME_C)
    term.expect(r"Restored .* \(fingerprint ")  # no empty line needed: the threshold is met
    assert term.finish() == 0
    assert path.exists()


def test_split_of_a_watch_only_wallet_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "watch.coffer"
    Wallet.create_watch_only(path, PASSWORD).close()
    before = path.read_bytes()
    code, out, err = _run(
        runner, path, "backup", "codex32", "split", "--threshold", "2", "--shares", "3"
    )
    assert code == 1
    assert err.strip() == "error: This wallet is watch-only: it holds no keys."
    assert out == ""
    assert path.read_bytes() == before
