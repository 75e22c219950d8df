"""The unlock agent process: it holds one wallet's keys in memory and hands them to its user.

It is started by ``wallet.agent.client.unlock`` as ``python -m wallet.agent`` in a new session
and reads its orders from a pipe (never from its arguments or environment, which other users
can read in ``/proc``). It never writes a byte of a key anywhere but to a peer of the same
user, and it logs nothing. It ends when its time is up, when told ``stop``, and when its socket
is removed, replaced or made reachable by others (then it leaves the changed socket where it is
for ``coffer lock`` to remove, so that no command quietly falls back while it is exposed).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import select
import socket
import stat
import time
from pathlib import Path

from wallet.agent.protocol import (
    KEYS,
    KEYS_SIZE,
    OK,
    PING,
    STOP,
    STOPPED,
    peer_uid,
    read_line,
)

__all__ = ["AgentServer", "harden_process", "now"]

_TICK_SECONDS = 0.5
_CLIENT_TIMEOUT_SECONDS = 2.0
_PR_SET_DUMPABLE = 4


def now() -> float:
    """Return seconds on a clock that keeps running while the computer sleeps."""
    clock = getattr(time, "CLOCK_BOOTTIME", time.CLOCK_MONOTONIC)
    return time.clock_gettime(clock)


def harden_process() -> None:
    """Make this process leave no core dump and refuse debuggers of the same user.

    As ssh-agent does: no core file (it would hold the keys), and ``PR_SET_DUMPABLE`` off, so
    that another process of the user cannot ``ptrace`` it or read its ``/proc/PID/mem``.
    """
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)


class _HeldKeys:
    """The keys in one buffer that is locked in RAM when the system allows it, wiped at the end.

    ``mlock`` keeps this copy out of swap (best effort: a low ``RLIMIT_MEMLOCK`` refuses it
    and the agent goes on). The short-lived copies made to send the keys are ordinary bytes.
    """

    def __init__(self, raw: bytes) -> None:
        self._buffer = ctypes.create_string_buffer(len(raw))
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).mlock(ctypes.addressof(self._buffer), len(raw))
        ctypes.memmove(self._buffer, raw, len(raw))
        self._size = len(raw)

    def __repr__(self) -> str:
        return "<_HeldKeys redacted>"

    def read(self) -> bytes:
        return self._buffer.raw[: self._size]

    def wipe(self) -> None:
        ctypes.memset(self._buffer, 0, self._size)


class AgentServer:
    """Serve one wallet's keys on a listening Unix socket until stopped or out of time."""

    def __init__(
        self,
        listener: socket.socket,
        path: Path,
        keys: bytes,
        lifetime: float,
        *,
        owner_uid: int | None = None,
    ) -> None:
        """Take a bound, listening socket at ``path``, the 64 key bytes and the lifetime.

        ``owner_uid`` is the only user served (this process's user unless given).
        """
        if len(keys) != KEYS_SIZE:
            raise ValueError("The unlock agent needs the wallet's two 32-byte keys.")
        self._listener = listener
        self._path = path
        self._keys = _HeldKeys(keys)
        self._deadline = now() + lifetime
        self._uid = os.geteuid() if owner_uid is None else owner_uid
        info = os.lstat(path)
        self._identity = (info.st_dev, info.st_ino)

    def __repr__(self) -> str:
        return f"<AgentServer {self._path.name}>"

    def serve(self) -> None:
        """Answer clients until the time is up, ``stop`` comes, or the socket is tampered with."""
        intact = True
        try:
            while True:
                left = self._deadline - now()
                if left <= 0:
                    break
                intact = self._socket_intact()
                if not intact:
                    break
                ready, _, _ = select.select([self._listener], [], [], min(left, _TICK_SECONDS))
                if ready and self._answer_one():
                    break
        finally:
            self._keys.wipe()
            self._listener.close()
            if intact and self._socket_intact():
                self._path.unlink(missing_ok=True)

    def _socket_intact(self) -> bool:
        try:
            info = os.lstat(self._path)
        except FileNotFoundError:
            return False
        return (info.st_dev, info.st_ino) == self._identity and not (
            stat.S_IMODE(info.st_mode) & 0o177
        )

    def _answer_one(self) -> bool:
        """Answer one client; return whether it asked the agent to stop."""
        try:
            conn, _ = self._listener.accept()
        except OSError:
            return False
        with conn:
            try:
                conn.settimeout(_CLIENT_TIMEOUT_SECONDS)
                if peer_uid(conn) != self._uid:
                    return False  # another user (root aside, who can read memory anyway)
                request = read_line(conn)
                if request == KEYS:
                    conn.sendall(OK + b"\n" + self._keys.read())
                elif request == PING:
                    left = max(0, int(self._deadline - now()))
                    conn.sendall(OK + f" {left}\n".encode())
                elif request == STOP:
                    conn.sendall(STOPPED + b"\n")
                    return True
            except OSError:
                return False  # the client hung up or stalled: the next one is served
        return False
