"""The ``coffer`` command line: each command, --json, prompts and one-line errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest
from click.testing import CliRunner

from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.cli import cli


def _run(
    runner: CliRunner, path: Path, *args: str, stdin: str | None = None
) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["--wallet", str(path), *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _restore(runner: CliRunner, path: Path) -> None:
    code, out, err = _run(runner, path, "--json", "restore", stdin=ABANDON + "\n")
    assert code == 0, err
    assert json.loads(out)["fingerprint"] == "73c5da0a"


def test_create_refuses_wrong_backup_words(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "w.coffer"
    code, _, err = _run(runner, path, "create", stdin="nope\nnope\nnope\n")
    assert code == 1
    assert "no wallet was created" in err
    assert not path.exists()


def _read_until(stream: IO[str], pattern: str) -> re.Match[str]:
    seen = ""
    while True:
        ch = stream.read(1)
        assert ch, f"the command ended before {pattern!r}: {seen[-300:]}"
        seen += ch
        match = re.search(pattern, seen)
        if match:
            return match


def test_create_shows_words_once_and_checks_three(tmp_path: Path) -> None:
    """Drive ``coffer create`` like a person: read the words, answer the three positions."""
    path = tmp_path / "w.coffer"
    env = {**os.environ, "COFFER_PASSWORD": PASSWORD}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from wallet.cli import main; main()",
            "--wallet",
            str(path),
            "create",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(__file__).parents[2],
    )
    assert proc.stdin is not None
    assert proc.stderr is not None
    assert proc.stdout is not None
    listing = _read_until(proc.stderr, r"((?:\s+\d+\. \S+\n){12})")
    words = re.findall(r"\d+\. (\S+)", listing.group(1))
    assert len(words) == 12
    for _ in range(3):
        position = int(_read_until(proc.stderr, r"Word #(\d+): ").group(1))
        proc.stdin.write(words[position - 1] + "\n")
        proc.stdin.flush()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "fingerprint" in out
    with Wallet.open(path, PASSWORD) as wallet:
        assert wallet.reveal_mnemonic(PASSWORD) == " ".join(words)


def test_restore_accounts_address_xpub(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "w.coffer"
    _restore(runner, path)
    code, out, _ = _run(runner, path, "--json", "address", "bitcoin")
    assert code == 0
    assert json.loads(out)["address"] == "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
    code, out, _ = _run(
        runner, path, "--json", "address", "bitcoin", "--index", "0", "--count", "3"
    )
    rows = json.loads(out)
    assert [r["index"] for r in rows] == [0, 1, 2]
    assert rows[2]["path"] == "m/84'/0'/0'/0/2"
    code, out, _ = _run(runner, path, "--json", "address", "ethereum", "--account", "1")
    assert json.loads(out)["path"] == "m/44'/60'/0'/0/1"
    code, out, _ = _run(runner, path, "--json", "xpub", "bitcoin")
    data = json.loads(out)
    assert data["xpub"].startswith(
        "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1"
    )
    assert data["descriptor"].startswith("wpkh([73c5da0a/84h/0h/0h]xpub")
    code, out, _ = _run(runner, path, "--json", "accounts")
    # The usual accounts of a new wallet (bitcoin, litecoin, dogecoin, ethereum).
    assert {r["network"] for r in json.loads(out)} == {
        "bitcoin",
        "litecoin",
        "dogecoin",
        "ethereum",
    }
    code, out, _ = _run(runner, path, "accounts")
    assert code == 0
    assert "bitcoin" in out


def test_balance_before_any_sync_is_unknown_not_zero(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "w.coffer"
    _restore(runner, path)
    _run(runner, path, "address", "bitcoin")
    code, out, err = _run(runner, path, "--json", "balance", "bitcoin")
    assert code == 0, err
    (row,) = json.loads(out)
    assert (row["confirmed"], row["total"], row["unconfirmed"]) == (None, None, None)
    assert row["synced"] is False
    assert row["symbol"] == "BTC"
    code, out, _ = _run(runner, path, "--json", "history", "bitcoin")
    assert code == 0
    assert json.loads(out) == []


def test_verify_address(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "w.coffer"
    _restore(runner, path)
    code, out, _ = _run(
        runner,
        path,
        "--json",
        "verify-address",
        "bitcoin",
        "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu",
    )
    assert code == 0
    assert json.loads(out)["mine"] is True
    code, out, err = _run(
        runner, path, "verify-address", "bitcoin", "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyv"
    )
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith("error: ")
    code, out, _ = _run(
        runner,
        path,
        "--json",
        "verify-address",
        "ethereum",
        "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu",
    )
    assert code == 1
    assert json.loads(out)["error"]["type"] == "NetworkMismatch"


def test_wrong_password_and_missing_wallet_exit_codes(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.coffer"
    code, _, err = _run(runner, path, "accounts")
    assert code == 4
    assert "no wallet" in err
    _restore(runner, path)
    monkeypatch.setenv("COFFER_PASSWORD", "wrong")
    code, _, err = _run(runner, path, "accounts")
    assert code == 3
    assert re.fullmatch(r"error: [^\n]+\n", err)


def test_change_password(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "w.coffer"
    _restore(runner, path)
    monkeypatch.setenv("COFFER_NEW_PASSWORD", "brand new")
    code, _, err = _run(runner, path, "change-password")
    assert code == 0, err
    code, _, _ = _run(runner, path, "accounts")
    assert code == 3
    monkeypatch.setenv("COFFER_PASSWORD", "brand new")
    code, _, _ = _run(runner, path, "accounts")
    assert code == 0


def test_watch_only_commands(runner: CliRunner, tmp_path: Path) -> None:
    hd = tmp_path / "hd.coffer"
    _restore(runner, hd)
    zpub = json.loads(_run(runner, hd, "--json", "xpub", "bitcoin")[1])["xpub"]
    watch = tmp_path / "watch.coffer"
    assert _run(runner, watch, "create-watch-only")[0] == 0
    code, out, err = _run(runner, watch, "--json", "import-xpub", "bitcoin", zpub)
    assert code == 0, err
    assert json.loads(out)["receive_address"] == "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
    code, out, err = _run(runner, watch, "import-xpub", "bitcoin", zpub)  # the same key again
    assert (code, out) == (1, "")
    assert err == (
        "error: This key is already the p2wpkh watch-only account 0 on Bitcoin; "
        "nothing was imported.\n"
    )
    code, out, _ = _run(
        runner,
        watch,
        "--json",
        "watch-address",
        "ethereum",
        "0x9858EfFD232B4033E47d90003D41EC34EcaEda94",
    )
    assert code == 0
    code, _, err = _run(runner, watch, "import-xpub", "bitcoin", zpub[:-2] + "zz")
    assert code == 1
    assert err.startswith("error: ")


def test_networks_lists_the_registry(runner: CliRunner, tmp_path: Path) -> None:
    _code, out, _ = _run(runner, tmp_path / "x", "--json", "networks")
    names = {r["name"] for r in json.loads(out)}
    assert {"bitcoin", "litecoin-regtest", "dogecoin", "evm-local", "evm-embedded"} <= names
