"""``python -m wallet.agent``: start an unlock agent from the orders on standard input.

Standard input carries one line of JSON (``socket``: the path to bind, ``lifetime``: seconds)
and then the 64 key bytes, and is closed. The process binds the socket with mode 0600, forks
once more (so that it is no session leader and its starter can reap the first child), prints
``ready PID`` on standard output, closes every standard stream and serves. A failure before
that prints ``error`` and a reason, and exits 1.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
from pathlib import Path

from wallet.agent.protocol import KEYS_SIZE
from wallet.agent.server import AgentServer, harden_process


def _detach_streams() -> None:
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.close(null)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(0)


def main() -> int:
    """Read the orders, bind, detach and serve; return the exit status."""
    harden_process()
    header = json.loads(sys.stdin.buffer.readline())
    keys = sys.stdin.buffer.read(KEYS_SIZE + 1)
    path = Path(header["socket"])
    lifetime = float(header["lifetime"])
    if len(keys) != KEYS_SIZE or lifetime <= 0:
        print("error bad orders", flush=True)
        return 1
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old_mask = os.umask(0o177)  # the socket is born 0600: never a moment open to others
    try:
        listener.bind(str(path))
    except OSError as err:
        print(f"error {err.strerror}", flush=True)
        return 1
    finally:
        os.umask(old_mask)
    os.chmod(path, 0o600)
    listener.listen(8)
    server = AgentServer(listener, path, keys, lifetime)
    del keys
    if os.fork():
        os._exit(0)  # the first child: its starter reaps it; the agent lives on alone
    # SIGTERM (a shutdown, a ``kill``) ends the agent as ``stop`` does: keys wiped, socket gone.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    print(f"ready {os.getpid()}", flush=True)
    _detach_streams()
    server.serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
