"""Benchmark: opening a wallet with the password (the KDF) against through its unlock agent.

Rows, each the best of ROUNDS opens of the same wallet file in one process, interleaved:
- ``password``: ``Wallet.open(path, password)``: Argon2id (64 MiB, 3 passes) then the open;
  what every command paid before the agent.
- ``agent``: ``wallet.agent.open_with_agent(path)``: connect to the running agent, receive
  the two keys, open the file with them.
- ``keys in hand``: ``Wallet.open_unlocked(path, keys)``: the open alone, no socket (the
  limit of the agent row).

The agent runs in a temporary ``XDG_RUNTIME_DIR`` and is locked at the end.

Run: ``.venv/bin/python bench/unlock_agent.py`` (also run by ``make bench``).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wallet import Wallet
from wallet.agent import lock, open_with_agent, unlock

ROUNDS = 5
PASSWORD = "bench password"  # noqa: S105 (a throwaway wallet in a temporary folder)


def _time_open(open_once: Callable[[], Wallet | None], timings: list[float]) -> None:
    start = time.perf_counter()
    wallet = open_once()
    timings.append(time.perf_counter() - start)
    assert wallet is not None
    wallet.close()


def main() -> None:
    """Print each row's best time and its ratio to the password row."""
    root = Path(tempfile.mkdtemp(prefix="cb-"))
    os.environ["XDG_RUNTIME_DIR"] = str(root / "run")
    path = root / "w.coffer"
    try:
        with Wallet.create(path, PASSWORD) as wallet:
            keys = wallet.database.keys
        unlock(path, PASSWORD, 600)
        rows: dict[str, list[float]] = {"password": [], "agent": [], "keys in hand": []}
        for _ in range(ROUNDS):
            _time_open(lambda: Wallet.open(path, PASSWORD), rows["password"])
            _time_open(lambda: open_with_agent(path), rows["agent"])
            _time_open(lambda: Wallet.open_unlocked(path, keys), rows["keys in hand"])
        base = min(rows["password"])
        print(f"open one wallet, best of {ROUNDS}")
        for name, timings in rows.items():
            best = min(timings)
            print(f"  {name:<14} {best * 1000:8.1f} ms   {base / best:6.1f}x faster than password")
    finally:
        lock(path)
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
