"""Helpers for the file-safety tests: other processes that hold, write or crash a wallet file.

Each child is a ``python -c`` script run with the repository on ``PYTHONPATH``; it prints
``ready`` once it reached the state the test needs, and holds that state until its standard
input closes (or until the test kills it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[2]

HOLD_OPEN = """
import sys
from wallet import Wallet
w = Wallet.open(sys.argv[1], sys.argv[2])
w.account("bitcoin")
print("ready", flush=True)
sys.stdin.read()
w.close()
"""

HOLD_WRITE_LOCK = """
import sys
from wallet import Wallet
w = Wallet.open(sys.argv[1], sys.argv[2])
with w.database.transaction():
    w.labels.set("tx", "aa" * 32, "held")
    print("ready", flush=True)
    sys.stdin.read()
w.close()
"""

COMMIT_LABELS = """
import sys
from wallet import Wallet
w = Wallet.open(sys.argv[1], sys.argv[2])
for i in range(int(sys.argv[3])):
    w.labels.set("tx", f"{i:064x}", f"saved {i}")
print("ready", flush=True)
sys.stdin.read()
"""

# What a crash in the short moment between COMMIT and the log's checkpoint leaves (or what an
# older Coffer left after every commit): committed transactions that live only in the -wal.
RAW_WAL_WRITER = """
import os, sys
import sqlcipher3
from keystore.vault import derive_wallet_keys, parse_salt
path, password, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path, "rb") as handle:
    salt = handle.read(16)
keys = derive_wallet_keys(password, salt, parse_salt(salt))
conn = sqlcipher3.connect(path, isolation_level=None)
conn.execute(f"PRAGMA key = \\"x'{keys.database.reveal().hex()}{salt.hex()}'\\"")
conn.execute("PRAGMA journal_mode = WAL")
conn.execute("PRAGMA wal_autocheckpoint = 0")
for i in range(count):
    conn.execute(
        "INSERT OR REPLACE INTO labels(type, ref, label) VALUES ('tx', ?, ?)",
        (f"{i:064x}", f"raw {i}"),
    )
os._exit(0)
"""


_CLI = "from wallet.cli import main; main()"


def child_env() -> dict[str, str]:
    """Return the environment of a child: this one, with the repository importable."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    return env


@dataclass
class Child:
    """A running child process that reported ``ready``."""

    proc: subprocess.Popen[str]

    def kill(self) -> None:
        """SIGKILL the child and reap it."""
        self.proc.kill()
        self.proc.wait()


@contextmanager
def child(script: str, *args: str) -> Iterator[Child]:
    """Run ``script`` with ``args`` until it prints ``ready``; end it when the block ends."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=child_env(),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.kill()
        _, err = proc.communicate()
        raise AssertionError(f"the child did not get ready: {line!r} {err[-2000:]}")
    try:
        yield Child(proc)
    finally:
        if proc.poll() is None:
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait()


def run_to_end(script: str, *args: str) -> None:
    """Run ``script`` to its end and check it succeeded."""
    subprocess.run([sys.executable, "-c", script, *args], check=True, cwd=ROOT, env=child_env())


def coffer(path: Path, *args: str, password: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the ``coffer`` command line in a new process on the wallet at ``path``."""
    full = child_env()
    full["COFFER_PASSWORD"] = password
    full.update(env)
    return subprocess.run(
        [sys.executable, "-c", _CLI, "--wallet", str(path), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=full,
        timeout=120,
        check=False,
    )


_SNAPSHOT = """
import hashlib, json, os, sys
states = {}
for suffix in ("", "-wal", "-shm"):
    side = sys.argv[1] + suffix
    try:
        with open(side, "rb") as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        states[suffix] = [digest, os.stat(side).st_mtime_ns]
    except FileNotFoundError:
        states[suffix] = None
print(json.dumps(states))
"""


def snapshot(path: Path) -> dict[str, list[object] | None]:
    """Return digest and modification time of the wallet file, its ``-wal`` and ``-shm``.

    Read in another process: closing a descriptor of a file this process has open in SQLite
    would drop SQLite's own locks on it.
    """
    out = subprocess.run(
        [sys.executable, "-c", _SNAPSHOT, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    states: dict[str, list[object] | None] = json.loads(out)
    return states
