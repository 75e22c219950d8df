"""The unlock agent's parts: durations, the socket and folder checks, the key handover entry."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from wallet.agent import parse_duration
from wallet.agent.paths import check_folder, check_socket, socket_path
from wallet.agent.protocol import peer_uid, read_exact
from wallet.agent.server import AgentServer
from wallet.errors import AgentUnavailable, InvalidDuration, UnsafeAgent


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("15m", 900), ("1h", 3600), ("1h30m", 5400), ("2s", 2), (" 24h ", 86400)],
)
def test_durations_are_read(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5x", "0s", "25h", "-1m", "15", "1.5h", "m", "1m1h"])
def test_bad_durations_are_refused_in_one_sentence(text: str) -> None:
    with pytest.raises(InvalidDuration) as caught:
        parse_duration(text)
    assert "\n" not in str(caught.value)


def _bound_socket(path: Path) -> socket.socket:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    return listener


def test_a_socket_of_another_user_or_open_to_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.sock"
    assert check_socket(path, os.geteuid()) is False  # nothing there: no agent
    with _bound_socket(path):
        os.chmod(path, 0o600)
        assert check_socket(path, os.geteuid()) is True
        with pytest.raises(UnsafeAgent, match="not an unlock agent's socket of yours"):
            check_socket(path, os.geteuid() + 1)
        os.chmod(path, 0o666)  # noqa: S103 (the unsafe mode under test)
        with pytest.raises(UnsafeAgent, match="mode 666"):
            check_socket(path, os.geteuid())
    plain = tmp_path / "plain"
    plain.write_bytes(b"")
    os.chmod(plain, 0o600)
    with pytest.raises(UnsafeAgent):
        check_socket(plain, os.geteuid())


def test_a_runtime_folder_others_may_enter_or_own_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "coffer"
    assert check_folder(folder, os.geteuid()) is False
    folder.mkdir(mode=0o700)
    assert check_folder(folder, os.geteuid()) is True
    with pytest.raises(UnsafeAgent, match="not a folder of yours"):
        check_folder(folder, os.geteuid() + 1)
    folder.chmod(0o755)
    with pytest.raises(UnsafeAgent, match="mode 755"):
        check_folder(folder, os.geteuid())
    link = tmp_path / "link"
    link.symlink_to(folder)
    with pytest.raises(UnsafeAgent):
        check_folder(link, os.geteuid())


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A folder with a path short enough for a Unix socket (pytest's ``tmp_path`` may not be)."""
    folder = Path(tempfile.mkdtemp(prefix="ca-"))
    yield folder
    shutil.rmtree(folder)


def test_the_socket_is_named_by_the_real_path_in_a_0700_folder(
    short_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp_path = short_dir
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    wallet = tmp_path / "w.coffer"
    wallet.write_bytes(b"")
    (tmp_path / "link.coffer").symlink_to(wallet)
    path = socket_path(wallet, create=True)
    assert path.parent == tmp_path / "run" / "coffer"
    assert (path.parent.stat().st_mode & 0o777) == 0o700
    assert socket_path(tmp_path / "link.coffer", create=False) == path
    assert socket_path(tmp_path / "other.coffer", create=False) != path
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / ("x" * 120)))
    with pytest.raises(AgentUnavailable, match="too long"):
        socket_path(wallet, create=True)


def test_the_peer_check_reads_the_kernel_credentials() -> None:
    left, right = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with left, right:
        assert peer_uid(left) == os.geteuid()


def _serve_in_thread(folder: Path, owner_uid: int) -> tuple[Path, threading.Thread]:
    path = folder / "agent.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    os.chmod(path, 0o600)
    listener.listen(1)
    server = AgentServer(listener, path, bytes(range(64)), 600, owner_uid=owner_uid)
    thread = threading.Thread(target=server.serve)
    thread.start()
    return path, thread


def _request(path: Path, request: bytes) -> bytes:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(30)
        conn.connect(str(path))
        try:
            conn.sendall(request + b"\n")
            return read_exact(conn, 128)
        except (BrokenPipeError, ConnectionResetError):
            return b""  # hung up on before the request was even read


def test_the_agent_hangs_up_on_another_user(short_dir: Path) -> None:
    # The agent serves only its owner: here the owner is another uid than this test's, so
    # the kernel's SO_PEERCRED answer for this connection must be refused.
    path, thread = _serve_in_thread(short_dir, os.geteuid() + 1)
    assert _request(path, b"keys") == b""
    assert _request(path, b"ping") == b""
    assert _request(path, b"stop") == b""
    assert thread.is_alive()
    path.unlink()  # a removed socket ends the agent
    thread.join()


def test_the_agent_serves_its_owner_and_stops(short_dir: Path) -> None:
    path, thread = _serve_in_thread(short_dir, os.geteuid())
    assert _request(path, b"keys") == b"ok\n" + bytes(range(64))
    assert _request(path, b"ping").startswith(b"ok ")
    assert _request(path, b"what") == b""
    assert _request(path, b"stop") == b"stopped\n"
    thread.join()
    assert not path.exists()
