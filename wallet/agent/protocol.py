"""The few bytes an unlock agent and its clients exchange, and the peer check on each side.

A client connects, writes one request line and reads one answer:

- ``keys``: ``ok`` and a newline, then the 64 bytes of the wallet's two keys (database key,
  sealing key; see ``keystore.vault``);
- ``ping``: ``ok <seconds left>``;
- ``stop``: ``stopped``, and the agent wipes the keys, removes its socket and exits.

Both sides read the other's user id from the kernel (``SO_PEERCRED``) and hang up on anyone
else: a socket's mode is one guard, the peer's credentials a second.
"""

from __future__ import annotations

import socket
import struct

__all__ = [
    "KEYS",
    "KEYS_SIZE",
    "OK",
    "PING",
    "STOP",
    "STOPPED",
    "peer_uid",
    "read_exact",
    "read_line",
]

KEYS = b"keys"
PING = b"ping"
STOP = b"stop"
OK = b"ok"
STOPPED = b"stopped"
KEYS_SIZE = 64
_LINE_MAX = 64
# struct ucred on Linux: pid_t pid, uid_t uid, gid_t gid.
_UCRED = struct.Struct("iII")


def peer_uid(conn: socket.socket) -> int:
    """Return the user id of the process at the other end of a Unix socket."""
    raw = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _UCRED.size)
    _pid, uid, _gid = _UCRED.unpack(raw)
    return int(uid)


def read_line(conn: socket.socket) -> bytes:
    """Return one line (without its newline), or what came before the peer hung up."""
    data = b""
    while not data.endswith(b"\n") and len(data) < _LINE_MAX:
        chunk = conn.recv(1)
        if not chunk:
            break
        data += chunk
    return data.rstrip(b"\n")


def read_exact(conn: socket.socket, size: int) -> bytes:
    """Return exactly ``size`` bytes, or fewer if the peer hung up first."""
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            break
        data += chunk
    return data
