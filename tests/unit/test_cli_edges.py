"""The edges of the ``coffer`` command line: one line and a documented exit code, always.

Issue 14 item 10 and issue 13 item 13: ``--index`` out of range, ``--nft`` with a superscript,
a malformed server, unknown networks, tickers and any case, undecodable bytes, ``--version``,
``--json``/``--wallet`` after the command, a mistyped folder, Ctrl-C.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.cli import cli

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def wallet_file(tmp_path: Path) -> Path:
    path = tmp_path / "w.coffer"
    with Wallet.restore(path, PASSWORD, ABANDON) as wallet:
        wallet.account("bitcoin")
    return path


def _run(runner: CliRunner, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _one_error_line(err: str, *, prompted: bool = False) -> str:
    """Return the one error line; after a hidden prompt, the prompt's own lines come first."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len([line for line in lines if line.startswith("error: ")]) == 1, lines
    assert prompted or len(lines) == 1, lines
    assert lines[-1].startswith("error: ")
    return lines[-1]


@pytest.mark.parametrize("index", ["-1", "2147483648", "4294967296"])
def test_index_out_of_range_is_one_line(runner: CliRunner, wallet_file: Path, index: str) -> None:
    code, _, err = _run(
        runner, "--wallet", str(wallet_file), "address", "bitcoin", "--index", index
    )
    assert code == 2
    assert "--index" in _one_error_line(err)


def test_unknown_network_is_refused_with_the_names(runner: CliRunner, wallet_file: Path) -> None:
    code, out, err = _run(runner, "--wallet", str(wallet_file), "sync", "notanetwork")
    assert code == 2
    assert out == ""
    line = _one_error_line(err)
    assert "notanetwork" in line
    assert "bitcoin, bitcoin-testnet" in line


@pytest.mark.parametrize("name", ["BITCOIN", "Bitcoin", "btc", "BTC"])
def test_networks_in_any_case_and_by_ticker(
    runner: CliRunner, wallet_file: Path, name: str
) -> None:
    code, out, err = _run(runner, "--wallet", str(wallet_file), "--json", "balance", name)
    assert code == 0, err
    assert [row["network"] for row in json.loads(out)] == ["bitcoin"]


def test_malformed_server_is_one_line(runner: CliRunner, wallet_file: Path) -> None:
    before = wallet_file.read_bytes()
    code, _, err = _run(
        runner, "--wallet", str(wallet_file), "servers", "bitcoin", "--set", "ssl://[::1"
    )
    assert code == 1
    assert "IPv6" in _one_error_line(err)
    assert wallet_file.read_bytes() == before


@pytest.mark.parametrize(
    ("option", "value"),
    [("--nft", "0xabc:\u00b2"), ("--amount", "1e999999999"), ("--fee-rate", "1e5000")],
    ids=["nft-superscript", "amount-exponent", "fee-rate-exponent"],
)
def test_send_values_are_one_line(
    runner: CliRunner, wallet_file: Path, option: str, value: str
) -> None:
    args = ["--wallet", str(wallet_file), "send", "ethereum", "--to", "0x" + "11" * 20]
    args += ["--amount", "1"] if option != "--amount" else []
    code, _, err = _run(runner, *args, option, value)
    assert code == 1
    _one_error_line(err)


def test_version(runner: CliRunner) -> None:
    code, out, _ = _run(runner, "--version")
    assert code == 0
    assert out.startswith("coffer ")


def test_json_and_wallet_after_the_command(runner: CliRunner, wallet_file: Path) -> None:
    code, out, err = _run(runner, "accounts", "--json", "--wallet", str(wallet_file))
    assert code == 0, err
    assert {row["network"] for row in json.loads(out)} == {"bitcoin"}
    code, out, _ = _run(runner, "labels", "export", "-", "--wallet", str(wallet_file), "--json")
    assert code == 0


def test_mistyped_folder_is_not_created(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "no-such" / "deeper" / "w.coffer"
    code, _, err = _run(runner, "--wallet", str(target), "create-watch-only")
    assert code == 1
    assert "does not exist" in _one_error_line(err)
    assert not (tmp_path / "no-such").exists()
    # The wallet's own folder may be made when its parent exists.
    own = tmp_path / "wallets" / "w.coffer"
    code, _, err = _run(runner, "--wallet", str(own), "create-watch-only")
    assert code == 0, err
    assert own.exists()
    # A "folder" that is a file is refused in words.
    (tmp_path / "plain").write_text("not a folder", encoding="utf-8")
    code, _, err = _run(runner, "--wallet", str(tmp_path / "plain" / "w.coffer"), "restore")
    assert code == 1
    assert "is not a folder" in _one_error_line(err)


def test_missing_wallet_makes_no_folder(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "no-such" / "w.coffer"
    code, _, err = _run(runner, "--wallet", str(target), "accounts")
    assert code == 4
    _one_error_line(err)
    assert not (tmp_path / "no-such").exists()


def _coffer(*args: str, env: dict[str, str], **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from wallet.cli import main; main()", *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    "variable", ["COFFER_PASSWORD", "COFFER_NEW_PASSWORD", "COFFER_PASSPHRASE"]
)
def test_undecodable_secrets_in_the_environment_are_one_line(
    wallet_file: Path, tmp_path: Path, variable: str
) -> None:
    env = {"COFFER_PASSWORD": PASSWORD, "COFFER_NEW_PASSWORD": PASSWORD + "2"}
    env[variable] = "pass\udcffword"  # the byte 0xff, undecodable as UTF-8
    if variable == "COFFER_PASSPHRASE":
        args: tuple[str, ...] = (
            "--wallet",
            str(tmp_path / "new.coffer"),
            "restore",
            "--passphrase",
        )
        stdin = ABANDON.encode() + b"\n"
    elif variable == "COFFER_NEW_PASSWORD":
        args, stdin = ("--wallet", str(wallet_file), "change-password"), b""
    else:
        args, stdin = ("--wallet", str(wallet_file), "accounts"), b""
    before = wallet_file.read_bytes()
    proc = _coffer(*args, env=env)
    _, err = proc.communicate(stdin, timeout=120)
    assert proc.returncode == 1
    line = _one_error_line(err.decode(), prompted=variable == "COFFER_PASSPHRASE")
    assert variable in line
    assert wallet_file.read_bytes() == before


def test_undecodable_argument_is_one_line(wallet_file: Path) -> None:
    proc = _coffer(
        "--wallet",
        str(wallet_file),
        "verify-address",
        "bitcoin",
        "bc1\udcff",
        env={"COFFER_PASSWORD": PASSWORD},
    )
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert "UTF-8" in _one_error_line(err.decode())


def test_ctrl_c_exits_130_with_one_line(wallet_file: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "COFFER_PASSWORD"}
    env["COFFER_PASSWORD"] = ""  # empty: the command asks at the prompt
    proc = _coffer("--wallet", str(wallet_file), "accounts", env=env)
    assert proc.stderr is not None
    seen = b""
    while b"Wallet password" not in seen:
        chunk = proc.stderr.read1(100)  # type: ignore[attr-defined]
        assert chunk, seen
        seen += chunk
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=120)
    assert proc.returncode == 130
    text = (seen + rest).decode()
    assert "Traceback" not in text
    assert text.splitlines()[-1] == "error: interrupted."


def test_labels_never_wait_for_a_fifo_nobody_opens(runner: CliRunner, wallet_file: Path) -> None:
    fifo = wallet_file.parent / "fifo"
    os.mkfifo(fifo)
    code, out, err = _run(runner, "--wallet", str(wallet_file), "labels", "export", str(fifo))
    assert code == 1
    assert "Cannot write" in _one_error_line(err)
    code, out, err = _run(runner, "--wallet", str(wallet_file), "labels", "import", str(fifo))
    assert code == 0, err
    assert "Imported 0" in out


@pytest.mark.parametrize("url", ["http://[::1", "http://\udcff.example", "ftp://x"])
def test_explorer_url_is_checked_through_the_api(
    runner: CliRunner, wallet_file: Path, url: str
) -> None:
    before = wallet_file.read_bytes()
    code, _, err = _run(runner, "--wallet", str(wallet_file), "explorer-key", "eth", "--url", url)
    assert code in (1, 2)  # 2: undecodable text refused before the command runs
    _one_error_line(err)
    assert wallet_file.read_bytes() == before
