"""What a new user meets first: path checks before the words, prompts in order, passwords.

Issue 13 items 1 and 11: a folder that cannot be written is refused before a phrase is shown
or asked; the wallet file is checked before its password is asked; a wrong backup word can be
typed again; ``restore`` at a terminal checks each word as it is typed; short passwords are
refused and weak ones get a warning.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from click.testing import CliRunner

from tests.conftest import ABANDON, PASSWORD
from wallet import (
    Wallet,
    check_new_password,
    check_new_wallet_path,
    complete_mnemonic_word,
)
from wallet.cli import cli
from wallet.errors import InvalidWalletPath, WalletExists, WeakPassword

ROOT = Path(__file__).resolve().parents[2]
_COFFER = (sys.executable, "-c", "from wallet.cli import main; main()")


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """Yield a folder no file can be made in: mode 0555, or (as root) a read-only tmpfs."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"root here cannot mount a read-only tmpfs: {mounted.stderr!r}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def _run(runner: CliRunner, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


# -- the API ---------------------------------------------------------------------------------


def test_check_new_wallet_path_refuses_a_read_only_folder(read_only_folder: Path) -> None:
    with pytest.raises(InvalidWalletPath, match=r"read-only|no write access"):
        check_new_wallet_path(read_only_folder / "w.coffer")
    assert list(read_only_folder.iterdir()) == []


def test_check_new_wallet_path_refuses_an_existing_file_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    taken = tmp_path / "taken.coffer"
    taken.write_bytes(b"x")
    with pytest.raises(WalletExists):
        check_new_wallet_path(taken)
    check_new_wallet_path(tmp_path / "new-folder" / "w.coffer")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.coffer"]


def test_word_completion_from_the_first_letters() -> None:
    assert complete_mnemonic_word("aban") == ("abandon",)
    assert complete_mnemonic_word("zoo") == ("zoo",)
    assert "about" in complete_mnemonic_word("ab")
    assert complete_mnemonic_word("qqq") == ()


def test_passwords_short_refused_weak_warned() -> None:
    with pytest.raises(WeakPassword, match="at least 8"):
        check_new_password("short")
    assert check_new_password("password1")
    assert "easy to guess" in check_new_password("password1")[0]
    assert check_new_password(PASSWORD) == ()


# -- the command line ------------------------------------------------------------------------


def test_create_in_a_read_only_folder_fails_before_the_words(
    runner: CliRunner, read_only_folder: Path
) -> None:
    path = read_only_folder / "w.coffer"
    code, _, err = _run(runner, "--wallet", str(path), "create")
    assert code == 4
    assert err.count("\n") == 1
    assert err.startswith("error: ")
    assert "read-only" in err or "no write access" in err
    assert "Write these words" not in err
    assert "Word #" not in err
    assert list(read_only_folder.iterdir()) == []


def test_restore_in_a_read_only_folder_asks_nothing(
    runner: CliRunner, read_only_folder: Path
) -> None:
    code, _, err = _run(runner, "--wallet", str(read_only_folder / "w.coffer"), "restore")
    assert code == 4
    assert "Recovery phrase" not in err
    assert "How many words" not in err
    assert err.count("\n") == 1


def test_restore_over_an_existing_wallet_asks_nothing(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "w.coffer"
    Wallet.create_watch_only(path, PASSWORD).close()
    before = path.read_bytes()
    code, _, err = _run(runner, "--wallet", str(path), "restore", stdin=ABANDON + "\n")
    assert code == 1
    assert "already exists" in err
    assert path.read_bytes() == before


def test_a_missing_wallet_is_named_before_the_password(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("COFFER_PASSWORD", raising=False)
    code, _, err = _run(CliRunner(), "--wallet", str(tmp_path / "none.coffer"), "accounts")
    assert code == 4
    assert "password" not in err.lower()
    assert "coffer create" in err
    code, _, err = _run(CliRunner(), "--wallet", str(tmp_path / "n.coffer"), "change-password")
    assert code == 4
    assert "coffer create" in err


def test_a_short_password_is_refused_before_the_words(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COFFER_PASSWORD", "short")
    path = tmp_path / "w.coffer"
    code, _, err = _run(CliRunner(), "--wallet", str(path), "create")
    assert code == 1
    assert "at least 8 characters" in err
    assert "Write these words" not in err
    assert not path.exists()


def test_a_weak_password_gets_a_warning(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("COFFER_PASSWORD", "password1")
    path = tmp_path / "w.coffer"
    code, _, err = _run(CliRunner(), "--wallet", str(path), "restore", stdin=ABANDON + "\n")
    assert code == 0, err
    assert "warning: This password is easy to guess." in err


def test_a_wrong_backup_word_can_be_typed_again(runner: CliRunner, tmp_path: Path) -> None:
    """Answer each position wrong once, then right: the wallet is created."""
    path = tmp_path / "w.coffer"
    env = {**os.environ, "COFFER_PASSWORD": PASSWORD, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [*_COFFER, "--wallet", str(path), "create"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdin is not None
    assert proc.stderr is not None
    seen = _read_stream_until(proc.stderr, r"((?:\s+\d+\. \S+\n){12})")
    words = re.findall(r"\d+\. (\S+)", seen)
    for _ in range(3):
        asked = _read_stream_until(proc.stderr, r"#\d+: $")
        position = int(re.findall(r"Word #(\d+): ", asked)[-1])
        proc.stdin.write("wrongword\n")
        proc.stdin.flush()
        _read_stream_until(proc.stderr, r"try again \(2 tries left\)\.\n")
        _read_stream_until(proc.stderr, rf"Word #{position}: $")
        proc.stdin.write(words[position - 1] + "\n")
        proc.stdin.flush()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    with Wallet.open(path, PASSWORD) as wallet:
        assert wallet.reveal_mnemonic(PASSWORD) == " ".join(words)


def _read_stream_until(stream: IO[str], pattern: str) -> str:
    seen = ""
    while not re.search(pattern, seen):
        ch = stream.read(1)
        assert ch, f"the command ended before {pattern!r}: {seen[-300:]}"
        seen += ch
    return seen


def test_a_piped_phrase_prints_no_python_warning(tmp_path: Path) -> None:
    path = tmp_path / "w.coffer"
    env = {**os.environ, "COFFER_PASSWORD": PASSWORD, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [*_COFFER, "--wallet", str(path), "restore"],
        input=ABANDON + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr
    assert "getpass" not in done.stderr
    assert "73c5da0a" in done.stdout


class _Terminal:
    """A command run on a pseudo-terminal, read until a pattern shows (never a fixed wait)."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            args, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, close_fds=True
        )
        os.close(slave)
        self.seen = ""

    def expect(self, pattern: str, timeout: float = 120) -> str:
        while not re.search(pattern, self.seen):
            ready, _, _ = select.select([self.master], [], [], timeout)
            assert ready, f"no {pattern!r} within {timeout} s: {self.seen[-400:]!r}"
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # the other side closed: the command ended
                chunk = b""
            assert chunk, f"the command ended before {pattern!r}: {self.seen[-400:]!r}"
            self.seen += chunk.decode("utf-8", "replace")
        return self.seen

    def send(self, line: str) -> None:
        os.write(self.master, (line + "\r").encode())

    def finish(self) -> int:
        code = self.proc.wait(timeout=120)
        os.close(self.master)
        return code


def test_restore_at_a_terminal_checks_each_word_and_completes_it(tmp_path: Path) -> None:
    path = tmp_path / "w.coffer"
    env = {**os.environ, "COFFER_PASSWORD": PASSWORD, "PYTHONPATH": str(ROOT), "TERM": "xterm"}
    term = _Terminal(
        [*_COFFER, "--wallet", str(path), "restore"],
        env,
    )
    term.expect(r"How many words .*: ")
    term.send("12")
    term.expect(r"Word 1: ")
    term.send("qqqq")  # no word starts so: asked again
    term.expect(r"No word of the list starts with what you typed; try again\.")
    term.expect(r"Word 1: $")
    term.send("ab")  # several words: more letters
    term.expect(r"words start so; type more letters\.")
    for position in range(1, 12):
        term.expect(rf"Word {position}: $")
        term.send("aban")  # four letters complete it
        term.expect(rf"word {position}: ok")
    term.expect(r"Word 12: $")
    term.send("abou")
    term.expect(r"Restored .* \(fingerprint 73c5da0a\)")
    assert term.finish() == 0


def test_restore_at_a_terminal_names_a_failed_checksum(tmp_path: Path) -> None:
    path = tmp_path / "w.coffer"
    env = {**os.environ, "COFFER_PASSWORD": PASSWORD, "PYTHONPATH": str(ROOT), "TERM": "xterm"}
    term = _Terminal(
        [*_COFFER, "--wallet", str(path), "restore"],
        env,
    )
    term.expect(r"How many words .*: ")
    term.send("12")
    for position in range(1, 13):
        term.expect(rf"Word {position}: $")
        term.send("abandon")
    term.expect(r"error: Every word is in the list, but together they fail the checksum")
    assert term.finish() == 1
    assert not path.exists()


def test_a_short_password_at_a_terminal_is_asked_again_before_confirming(tmp_path: Path) -> None:
    path = tmp_path / "w.coffer"
    env = {k: v for k, v in os.environ.items() if k != "COFFER_PASSWORD"}
    env.update({"PYTHONPATH": str(ROOT), "TERM": "xterm"})
    term = _Terminal([*_COFFER, "--wallet", str(path), "create-watch-only"], env)
    term.expect(r"New wallet password: ")
    term.send("short")
    seen = term.expect(r"at least 8 characters\.\r?\nNew wallet password: ")
    assert "Repeat" not in seen
    term.send(PASSWORD)
    term.expect(r"Repeat for confirmation: ")
    term.send(PASSWORD + "x")
    term.expect(r"The two passwords differ; try again\.\r?\nNew wallet password: ")
    term.send(PASSWORD)
    term.expect(r"Repeat for confirmation: $")
    term.send(PASSWORD)
    term.expect(r"Created watch-only")
    assert term.finish() == 0
    Wallet.open(path, PASSWORD).close()
