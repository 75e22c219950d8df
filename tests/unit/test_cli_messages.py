"""``coffer sign-message``, ``verify-message`` and ``import-keystore``: output, exit codes, and
bad input as one error line with the wallet file unchanged."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_account import Account
from eth_account.messages import encode_defunct

from tests.conftest import ABANDON
from tests.unit.test_eip712 import MAIL
from wallet.cli import cli

KEY = bytes.fromhex("4646464646464646464646464646464646464646464646464646464646464646")


def _run(
    runner: CliRunner, path: Path, *args: str, stdin: str | None = None
) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["--wallet", str(path), *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def restored(runner: CliRunner, tmp_path: Path) -> Path:
    path = tmp_path / "w.coffer"
    code, _out, err = _run(runner, path, "restore", stdin=ABANDON + "\n")
    assert code == 0, err
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sign_then_verify_on_bitcoin(runner: CliRunner, restored: Path) -> None:
    code, out, err = _run(runner, restored, "--json", "sign-message", "bitcoin", "Hello", "--yes")
    assert code == 0, err
    signed = json.loads(out)
    assert signed["format"] == "bip322-simple"
    assert "Hello" in err  # the prompt showed the message
    code, out, err = _run(
        runner,
        restored,
        "verify-message",
        "bitcoin",
        signed["address"],
        signed["signature"],
        "Hello",
    )
    assert (code, out) == (0, f"Valid: signed by {signed['address']} (bip322-simple).\n")
    code, out, err = _run(
        runner,
        restored,
        "verify-message",
        "bitcoin",
        signed["address"],
        signed["signature"],
        "Hellp",
    )
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        "error: The signature does not match: it was made for another message or another address."
    ]


def test_sign_asks_and_a_no_signs_nothing(runner: CliRunner, restored: Path) -> None:
    code, out, err = _run(runner, restored, "sign-message", "ethereum", "gm", stdin="n\n")
    assert code == 1
    assert out == ""
    assert err.splitlines()[-1].startswith("error: ")


def test_typed_data_from_a_file(runner: CliRunner, restored: Path, tmp_path: Path) -> None:
    typed = tmp_path / "typed.json"
    typed.write_text(json.dumps(MAIL))
    code, out, err = _run(
        runner,
        restored,
        "--json",
        "sign-message",
        "ethereum",
        str(typed),
        "--file",
        "--format",
        "eip712",
        "--yes",
    )
    assert code == 0, err
    signed = json.loads(out)
    code, out, err = _run(
        runner,
        restored,
        "verify-message",
        "ethereum",
        signed["address"],
        signed["signature"],
        str(typed),
        "--file",
    )
    assert code == 0, err
    assert "(eip712)" in out
    typed.write_text(json.dumps({**MAIL, "primaryType": "Letter"}))
    before = _digest(restored)
    code, out, err = _run(
        runner,
        restored,
        "sign-message",
        "ethereum",
        str(typed),
        "--file",
        "--format",
        "eip712",
        "--yes",
    )
    assert code == 1
    assert err.splitlines() == [
        "error: The typed data is malformed: The primary type 'Letter' is not defined in 'types'."
    ]
    assert _digest(restored) == before


def test_import_keystore(
    runner: CliRunner, restored: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyfile = tmp_path / "key.json"
    keyfile.write_text(json.dumps(Account.encrypt(KEY, "kf", kdf="scrypt", iterations=2)))
    monkeypatch.setenv("COFFER_KEYFILE_PASSWORD", "wrong")
    before = _digest(restored)
    code, out, err = _run(runner, restored, "import-keystore", "ethereum", str(keyfile))
    assert code == 3
    assert err.splitlines() == ["error: The password does not open this key file."]
    assert _digest(restored) == before
    code, out, err = _run(runner, restored, "import-keystore", "ethereum", str(tmp_path))
    assert code == 1
    assert err.splitlines() == [f"error: {tmp_path} is not a regular file."]
    monkeypatch.setenv("COFFER_KEYFILE_PASSWORD", "kf")
    code, out, err = _run(
        runner, restored, "--json", "import-keystore", "ethereum", str(keyfile), "--label", "geth"
    )
    assert code == 0, err
    row = json.loads(out)
    address = Account.from_key(KEY).address
    assert (row["receive_address"], row["label"], row["watch_only"]) == (address, "geth", False)
    code, out, err = _run(
        runner,
        restored,
        "--json",
        "sign-message",
        "ethereum",
        "hi",
        "--account-id",
        str(row["id"]),
        "--yes",
    )
    assert code == 0, err
    theirs = Account.sign_message(encode_defunct(text="hi"), KEY)
    assert json.loads(out)["signature"] == "0x" + bytes(theirs.signature).hex()


def test_a_message_file_must_be_a_regular_file(
    runner: CliRunner, restored: Path, tmp_path: Path
) -> None:
    code, _out, err = _run(runner, restored, "sign-message", "bitcoin", str(tmp_path), "--file")
    assert code == 1
    assert err.splitlines() == [f"error: {tmp_path} is not a regular file."]
