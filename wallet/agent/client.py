"""Start, reach and stop the unlock agent of a wallet file (ssh-agent style, ADR 0007).

``unlock`` checks the password by opening the wallet (the one KDF run), starts the agent and
hands it the two derived keys over a pipe. ``open_with_agent`` asks a running agent for them
and opens the file with them, so a command skips the KDF; the keys then live in that process
only for the command's life. ``lock`` stops the agent.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import wallet as _wallet_package
from keystore.secrets import SecretBytes
from keystore.vault import WalletKeys
from wallet.agent.paths import check_folder, check_socket, runtime_folder, socket_path
from wallet.agent.protocol import (
    KEYS,
    KEYS_SIZE,
    OK,
    PING,
    STOP,
    STOPPED,
    peer_uid,
    read_exact,
    read_line,
)
from wallet.errors import AgentUnavailable, InvalidDuration, UnsafeAgent, WrongPassword
from wallet.wallet import Wallet

__all__ = [
    "DEFAULT_LIFETIME",
    "MAX_LIFETIME_SECONDS",
    "AgentInfo",
    "agent_status",
    "lock",
    "open_with_agent",
    "parse_duration",
    "unlock",
]

DEFAULT_LIFETIME = "15m"
MAX_LIFETIME_SECONDS = 24 * 3600
_CONNECT_TIMEOUT_SECONDS = 5.0
_START_TIMEOUT_SECONDS = 60.0
_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


@dataclass(frozen=True, slots=True)
class AgentInfo:
    """A running unlock agent.

    Attributes:
        socket: the path of its socket.
        seconds_left: how long it keeps the wallet unlocked.
        pid: its process id, when it was just started (else ``None``).
    """

    socket: Path
    seconds_left: int
    pid: int | None = None


def parse_duration(text: str) -> int:
    """Return the seconds in a duration such as ``90s``, ``15m``, ``1h`` or ``1h30m``.

    Raises:
        InvalidDuration: the text is no such duration, is zero, or is longer than a day.
    """
    match = _DURATION.fullmatch(text.strip().lower())
    if not text.strip() or match is None:
        raise InvalidDuration(f"{text!r} is not a duration; write it like 90s, 15m, 1h or 1h30m.")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if not 0 < total <= MAX_LIFETIME_SECONDS:
        raise InvalidDuration("The wallet can stay unlocked from 1 second up to 24 hours.")
    return total


def _connect(path: Path) -> socket.socket | None:
    """Connect to the agent at ``path``; ``None`` when none runs (a dead one's socket goes).

    Raises:
        UnsafeAgent: the socket or its folder is not this user's alone, or the process behind
            it runs as another user.
    """
    uid = os.geteuid()
    if not check_socket(path, uid):
        return None
    before = os.lstat(path)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(_CONNECT_TIMEOUT_SECONDS)
    try:
        conn.connect(str(path))
    except (ConnectionRefusedError, FileNotFoundError):
        conn.close()
        _remove_if_same(path, before)  # its agent died (killed, or the machine restarted)
        return None
    except OSError:
        conn.close()
        return None
    if peer_uid(conn) != uid:
        conn.close()
        raise UnsafeAgent(f"The unlock agent at {path} runs as another user; it was not used.")
    return conn


def _remove_if_same(path: Path, seen: os.stat_result) -> None:
    try:
        now = os.lstat(path)
    except FileNotFoundError:
        return
    if (now.st_dev, now.st_ino) == (seen.st_dev, seen.st_ino):
        path.unlink(missing_ok=True)


def _ask(path: Path, request: bytes, extra: int = 0) -> tuple[bytes, bytes] | None:
    """Send one request; return the answer line and ``extra`` bytes after it, or ``None``."""
    conn = _connect(path)
    if conn is None:
        return None
    with conn:
        try:
            conn.sendall(request + b"\n")
            line = read_line(conn)
            return line, read_exact(conn, extra) if extra and line == OK else b""
        except OSError:
            return None  # the agent stalled or ended while answering: treat it as absent


def _existing_socket(wallet_path: str | os.PathLike[str]) -> Path | None:
    """Return the socket path for this wallet, or ``None`` when no agent folder exists."""
    if not check_folder(runtime_folder(), os.geteuid()):
        return None
    try:
        return socket_path(wallet_path, create=False)
    except AgentUnavailable:
        return None  # no agent can listen on a path that long


def open_with_agent(path: str | os.PathLike[str]) -> Wallet | None:
    """Open the wallet with the keys of its running unlock agent, or return ``None``.

    ``None`` means: no agent runs for this file (a dead agent's socket is removed), or its keys
    no longer open the file (its password changed; that agent is stopped). The caller then
    asks for the password as usual.

    Raises:
        UnsafeAgent: the agent's socket or folder is not this user's alone.
        WalletNotFound, WalletCorrupt, WalletInUse, InvalidWalletPath: as ``Wallet.open``.
    """
    sock = _existing_socket(path)
    if sock is None:
        return None
    answer = _ask(sock, KEYS, KEYS_SIZE)
    if answer is None or answer[0] != OK or len(answer[1]) != KEYS_SIZE:
        return None
    raw = answer[1]
    keys = WalletKeys(SecretBytes(raw[:32]), SecretBytes(raw[32:]))
    del raw, answer
    try:
        return Wallet.open_unlocked(path, keys)
    except WrongPassword:
        _ask(sock, STOP)  # stale keys serve no one: end that agent
        return None


def agent_status(path: str | os.PathLike[str]) -> AgentInfo | None:
    """Return the running unlock agent of the wallet at ``path``, or ``None``.

    Raises:
        UnsafeAgent: the agent's socket or folder is not this user's alone.
    """
    sock = _existing_socket(path)
    if sock is None:
        return None
    answer = _ask(sock, PING)
    if answer is None or not answer[0].startswith(OK + b" "):
        return None
    return AgentInfo(sock, int(answer[0].split()[1]))


def lock(path: str | os.PathLike[str]) -> bool:
    """Stop the unlock agent of the wallet at ``path``; return whether one was running.

    A socket that other users could open, or that is not a socket, is removed without a word
    sent to it (its agent then ends on its own).

    Raises:
        UnsafeAgent: the runtime folder itself is not this user's alone.
    """
    sock = _existing_socket(path)
    if sock is None:
        return False
    try:
        answer = _ask(sock, STOP)
    except UnsafeAgent:
        if sock.is_dir():
            raise
        sock.unlink(missing_ok=True)
        return True
    return answer is not None and answer[0] == STOPPED


def _agent_env() -> dict[str, str]:
    # No COFFER_* variable reaches the agent: COFFER_PASSWORD may hold the password, and
    # another process of this user can read an environment in /proc.
    env = {k: v for k, v in os.environ.items() if not k.startswith("COFFER_")}
    root = str(Path(_wallet_package.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def unlock(path: str | os.PathLike[str], password: str, seconds: int) -> AgentInfo:
    """Check the password, then keep the wallet unlocked in a background agent for a while.

    An agent already running for this file is stopped first. A wrong password starts nothing.

    Args:
        path: the wallet file.
        password: its password.
        seconds: how long the agent lives (see ``parse_duration``).

    Returns:
        The new agent.

    Raises:
        WrongPassword: the password is wrong; nothing was started.
        UnsafeAgent: the runtime folder is not this user's alone.
        AgentUnavailable: the agent process did not start.
        WalletNotFound, WalletCorrupt, WalletInUse, InvalidWalletPath: as ``Wallet.open``.
    """
    if not 0 < seconds <= MAX_LIFETIME_SECONDS:
        raise InvalidDuration("The wallet can stay unlocked from 1 second up to 24 hours.")
    with Wallet.open(path, password) as opened:
        keys = opened.database.keys
        raw = keys.database.reveal() + keys.sealing.reveal()
    sock = socket_path(path, create=True)
    lock(path)
    header = json.dumps({"socket": str(sock), "lifetime": seconds}).encode() + b"\n"
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "wallet.agent"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd="/",
            env=_agent_env(),
            start_new_session=True,
        )
    except OSError as err:
        raise AgentUnavailable("The unlock agent could not be started.") from err
    try:
        out, _ = proc.communicate(header + raw, timeout=_START_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired as err:
        proc.kill()
        proc.wait()
        raise AgentUnavailable("The unlock agent did not start in time.") from err
    finally:
        del raw
    words = out.decode(errors="replace").split()
    if proc.returncode != 0 or len(words) != 2 or words[0] != "ready":
        reason = " ".join(words[1:]) if words[:1] == ["error"] else "it did not start"
        raise AgentUnavailable(f"The unlock agent could not be started: {reason}.")
    return AgentInfo(sock, seconds, int(words[1]))
