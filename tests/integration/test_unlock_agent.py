"""``coffer unlock`` / ``coffer lock``: the unlock agent, driven as a person drives it.

Every command runs as its own process (as in a shell); each agent is a real background
process on a real Unix socket. Waits poll a condition (the socket gone, the process gone),
bounded only so that a bug fails the test instead of hanging it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from keystore.vault import HEADER_SIZE, derive_wallet_keys, parse_salt
from tests.conftest import CANARY, PASSWORD
from wallet import Wallet
from wallet.agent import agent_status

ROOT = Path(__file__).parents[2]
_GIVE_UP_SECONDS = 60.0


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition`` until it holds; fail (never hang) if it never does."""
    give_up = time.monotonic() + _GIVE_UP_SECONDS
    while not condition():
        assert time.monotonic() < give_up, f"gave up waiting until {what}"
        time.sleep(0.05)


def gone(pid: int) -> bool:
    """Return whether process ``pid`` has ended (a zombie counts: it holds no memory)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return status.rsplit(")", 1)[1].split()[0] == "Z"


@dataclass
class Shell:
    """One user's shell: a wallet file, a runtime folder, and the agents it started."""

    root: Path
    wallet: Path
    runtime: Path
    pids: list[int] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.runtime / "coffer"

    def sockets(self) -> list[Path]:
        return sorted(self.folder.glob("*.sock")) if self.folder.exists() else []

    def run(self, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("COFFER_")}
        env["XDG_RUNTIME_DIR"] = str(self.runtime)
        env["PYTHONPATH"] = str(ROOT)
        if password is not None:
            env["COFFER_PASSWORD"] = password
        return subprocess.run(
            [
                sys.executable,
                "-c",
                "from wallet.cli import main; main()",
                "--wallet",
                str(self.wallet),
                *args,
            ],
            input="",  # no one types: a password prompt meets the end of input
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=300,
            check=False,
        )

    def unlock(self, lifetime: str = "15m") -> int:
        done = self.run("--json", "unlock", "--for", lifetime, password=PASSWORD)
        assert done.returncode == 0, done.stderr
        pid = int(json.loads(done.stdout)["pid"])
        self.pids.append(pid)
        return pid


@pytest.fixture
def shell() -> Iterator[Shell]:
    # A short folder: a Unix socket's path must fit in 107 bytes, and pytest's may not.
    root = Path(tempfile.mkdtemp(prefix="ca-"))
    runtime = root / "run"
    runtime.mkdir(mode=0o700)
    wallet = root / "w" / "canary.coffer"
    Wallet.create(wallet, PASSWORD, CANARY).close()
    sh = Shell(root, wallet, runtime)
    yield sh
    for pid in sh.pids:
        if not gone(pid):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(root)


def _one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in done.stderr
    return lines[0]


def test_unlock_then_commands_ask_no_password_until_lock(
    shell: Shell, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(shell.runtime))
    assert shell.run("accounts").returncode != 0  # locked: the prompt meets end of input
    assert agent_status(shell.wallet) is None
    pid = shell.unlock()
    [sock] = shell.sockets()
    status = agent_status(shell.wallet)
    assert status is not None
    assert status.socket == sock
    assert 0 < status.seconds_left <= 15 * 60
    assert stat.S_IMODE(sock.stat().st_mode) == 0o600
    assert stat.S_IMODE(shell.folder.stat().st_mode) == 0o700

    done = shell.run("--json", "address", "bitcoin")  # unseals the seed: both keys work
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)
    assert shell.run("--json", "accounts").returncode == 0

    done = shell.run("lock")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Locked."
    wait_until(lambda: not shell.sockets(), "the socket is removed")
    wait_until(lambda: gone(pid), "the agent ends")
    assert agent_status(shell.wallet) is None
    assert shell.run("accounts").returncode != 0
    assert shell.run("lock").stdout.strip() == "The wallet was not unlocked."


def test_the_agent_ends_at_its_timeout(shell: Shell) -> None:
    pid = shell.unlock("2s")
    wait_until(lambda: not shell.sockets(), "the socket is removed at the timeout")
    wait_until(lambda: gone(pid), "the agent ends at the timeout")
    assert shell.run("accounts").returncode != 0


def test_a_wrong_password_or_duration_starts_nothing(shell: Shell) -> None:
    done = shell.run("unlock", password="wrong password")
    assert done.returncode == 3
    assert "password is wrong" in _one_line_error(done)
    done = shell.run("unlock", "--for", "5x", password=PASSWORD)
    assert done.returncode == 1
    assert "not a duration" in _one_line_error(done)
    assert not shell.folder.exists()


def test_a_socket_or_folder_others_may_open_is_refused(shell: Shell) -> None:
    pid = shell.unlock()
    [sock] = shell.sockets()
    shell.folder.chmod(0o755)
    done = shell.run("accounts", password=PASSWORD)
    assert done.returncode == 1
    assert "Other users can enter" in _one_line_error(done)
    shell.folder.chmod(0o700)

    sock.chmod(0o666)  # what a careless or hostile chmod leaves
    done = shell.run("accounts", password=PASSWORD)
    assert done.returncode == 1
    assert "Other users may open" in _one_line_error(done)
    # The agent sees its socket exposed, wipes the keys and ends; it leaves the socket so
    # that no command silently uses the password prompt while it stays exposed.
    wait_until(lambda: gone(pid), "the exposed agent ends")
    assert shell.run("accounts", password=PASSWORD).returncode == 1
    done = shell.run("lock")
    assert done.returncode == 0, done.stderr
    assert shell.sockets() == []
    assert shell.run("accounts", password=PASSWORD).returncode == 0


def test_a_killed_agent_falls_back_to_the_password(shell: Shell) -> None:
    pid = shell.unlock()
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: gone(pid), "the agent is dead")
    assert len(shell.sockets()) == 1  # what a dead agent leaves
    assert shell.run("accounts").returncode != 0  # asks the password, no hang, no traceback
    assert shell.sockets() == []
    done = shell.run("--json", "accounts", password=PASSWORD)
    assert done.returncode == 0, done.stderr


def test_a_terminated_agent_removes_its_socket(shell: Shell) -> None:
    pid = shell.unlock()
    os.kill(pid, signal.SIGTERM)
    wait_until(lambda: gone(pid), "the agent ends")
    assert shell.sockets() == []


def test_a_changed_password_stops_the_stale_agent(shell: Shell) -> None:
    pid = shell.unlock()
    with Wallet.open(shell.wallet, PASSWORD) as wallet:
        wallet.change_password(PASSWORD, "a new password")
    assert shell.run("accounts").returncode != 0  # the old keys open nothing now
    wait_until(lambda: gone(pid), "the stale agent ends")
    assert shell.sockets() == []
    done = shell.run("accounts", password="a new password")
    assert done.returncode == 0, done.stderr


def _needles(wallet: Path) -> dict[str, bytes]:
    salt = wallet.read_bytes()[:HEADER_SIZE]
    keys = derive_wallet_keys(PASSWORD, salt, parse_salt(salt))
    found: dict[str, bytes] = {"mnemonic": CANARY.encode(), "password": PASSWORD.encode()}
    for name, key in (("database key", keys.database), ("sealing key", keys.sealing)):
        found[name] = key.reveal()
        found[f"{name} (hex)"] = key.reveal().hex().encode()
    return found


def _scan(folders: list[Path], needles: dict[str, bytes]) -> list[str]:
    leaks = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_symlink():
                blob = path.read_bytes()
                leaks += [f"{name} in {path}" for name, n in needles.items() if n in blob]
    return leaks


def test_the_agent_writes_nothing_secret_to_disk(shell: Shell) -> None:
    needles = _needles(shell.wallet)
    pid = shell.unlock()
    assert shell.run("--json", "address", "bitcoin").returncode == 0
    assert shell.run("--json", "address", "ethereum").returncode == 0
    folders = [shell.runtime, shell.wallet.parent]
    assert _scan(folders, needles) == []
    # Nor does the password ride in the agent's arguments or environment (other processes of
    # the user can read both in /proc).
    for part in ("cmdline", "environ"):
        try:
            blob = Path(f"/proc/{pid}/{part}").read_bytes()
        except PermissionError:
            continue  # not dumpable: only root may read it, which is stronger still
        assert PASSWORD.encode() not in blob
        assert b"COFFER_" not in blob
    assert shell.run("lock").returncode == 0
    wait_until(lambda: gone(pid), "the agent ends")
    assert _scan(folders, needles) == []
