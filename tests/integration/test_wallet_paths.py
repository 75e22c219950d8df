"""Inputs that must give one line and a non-zero exit (issue 14, the storage parts of item 10).

A lock held too long, a symlink loop, a pipe, names too long, a path through a file or into
``/proc``: each is a ``WalletError`` with one sentence in the API, and one ``error:`` line with
a documented exit code in the command line, never a traceback or a hang. No damage message
carries SQLite's own words.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ABANDON, PASSWORD
from tests.integration.wallet_processes import HOLD_WRITE_LOCK, child, coffer
from wallet import Wallet
from wallet.errors import InvalidWalletPath, WalletCorrupt, WalletError, WalletInUse

_SQLITE_WORDS = re.compile(r"malformed|disk image|not a database|sqlite|sqlcipher", re.IGNORECASE)


def _one_error_line(stderr: str) -> str:
    assert re.fullmatch(r"error: [^\n]+\n", stderr), stderr
    assert "Traceback" not in stderr
    return stderr


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.coffer"
    os.mkfifo(path)
    return path


def _loop(tmp_path: Path) -> Path:
    (tmp_path / "a.coffer").symlink_to(tmp_path / "b.coffer")
    (tmp_path / "b.coffer").symlink_to(tmp_path / "a.coffer")
    return tmp_path / "a.coffer"


def _long_name(tmp_path: Path) -> Path:
    return tmp_path / ("w" * 5000)


def _long_folder(tmp_path: Path) -> Path:
    return tmp_path / ("d" * 300) / "w.coffer"


def _under_a_file(tmp_path: Path) -> Path:
    (tmp_path / "file").write_text("not a folder")
    return tmp_path / "file" / "w.coffer"


def _proc_file(_tmp_path: Path) -> Path:
    return Path("/proc/self/status")


def _proc_new(_tmp_path: Path) -> Path:
    return Path("/proc/w.coffer")


_BAD_PATHS: dict[str, Callable[[Path], Path]] = {
    "fifo": _fifo,
    "symlink-loop": _loop,
    "5000-character-name": _long_name,
    "300-character-folder": _long_folder,
    "under-a-regular-file": _under_a_file,
    "proc-file": _proc_file,
    "proc-new": _proc_new,
}


@pytest.mark.parametrize("kind", list(_BAD_PATHS))
def test_a_path_that_cannot_hold_a_wallet_gives_one_sentence(tmp_path: Path, kind: str) -> None:
    path = _BAD_PATHS[kind](tmp_path)
    # The command line first: it runs in a child with a timeout, so a hang fails the test.
    opened = coffer(path, "accounts", password=PASSWORD)
    assert opened.returncode == 4, opened.stderr
    _one_error_line(opened.stderr)
    created = coffer(path, "create-watch-only", password=PASSWORD)
    assert created.returncode != 0
    _one_error_line(created.stderr)
    with pytest.raises(InvalidWalletPath) as info:
        Wallet.open(path, PASSWORD)
    assert "\n" not in str(info.value)
    assert len(str(info.value)) < 200
    with pytest.raises(WalletError):
        Wallet.create_watch_only(path, PASSWORD)
    if kind == "fifo":
        assert path.is_fifo()


def test_a_symlink_to_a_wallet_opens_it(tmp_path: Path) -> None:
    real = tmp_path / "real.coffer"
    with Wallet.create(real, PASSWORD, ABANDON) as wallet:
        address = wallet.account("bitcoin").receive_address()
    link = tmp_path / "link.coffer"
    link.symlink_to(real)
    with Wallet.open(link, PASSWORD) as wallet:
        assert wallet.account("bitcoin").receive_address() == address


def test_a_write_lock_held_elsewhere_gives_in_use_after_waiting(tmp_path: Path) -> None:
    path = tmp_path / "w.coffer"
    with Wallet.create(path, PASSWORD, ABANDON) as wallet:
        wallet.account("bitcoin")
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"type": "tx", "ref": "' + "bb" * 32 + '", "label": "imported"}\n')
    with child(HOLD_WRITE_LOCK, str(path), PASSWORD):
        with Wallet.open(path, PASSWORD) as wallet:
            with pytest.raises(WalletInUse, match="in use by another program"):
                wallet.labels.set("tx", "cc" * 32, "waits, then gives up")
            assert wallet.account("bitcoin").network.name == "bitcoin"  # reads still work
        result = coffer(path, "labels", "import", str(labels), password=PASSWORD)
        assert result.returncode == 6
        _one_error_line(result.stderr)
    with Wallet.open(path, PASSWORD) as wallet:
        assert wallet.labels.get("tx", "aa" * 32) == "held"  # the holder committed at the end
        assert wallet.labels.get("tx", "cc" * 32) == ""


@pytest.mark.parametrize("damage", ["flip-late-page", "flip-page-2", "truncate-page", "zeros"])
def test_damage_messages_carry_no_sqlite_words(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "w.coffer"
    with Wallet.create(path, PASSWORD, ABANDON) as wallet:
        for i in range(40):
            wallet.labels.set("tx", f"{i:064x}", f"payment {i}")
    data = bytearray(path.read_bytes())
    if damage == "flip-late-page":
        data[3 * 4096 + 500] ^= 0x40
    elif damage == "flip-page-2":
        data[4096 + 100] ^= 0x01
    elif damage == "truncate-page":
        data = data[: 2 * 4096]
    else:
        data[4096:] = bytes(len(data) - 4096)
    path.write_bytes(bytes(data))
    with pytest.raises(WalletCorrupt) as info:
        Wallet.open(path, PASSWORD)
    assert not _SQLITE_WORDS.search(str(info.value)), info.value
    result = coffer(path, "accounts", password=PASSWORD)
    assert result.returncode == 5
    assert not _SQLITE_WORDS.search(_one_error_line(result.stderr))
