"""The wallet file: SQLCipher + Argon2id, wrong passwords, damage, crashes, password changes."""

from __future__ import annotations

import hashlib
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ABANDON, CANARY, PASSWORD
from wallet import Wallet
from wallet.errors import WalletCorrupt, WalletNotFound, WrongPassword

ROOT = Path(__file__).parents[2]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _make(path: Path, mnemonic: str = ABANDON) -> list[str]:
    """Create a wallet with some accounts and labels; return its addresses."""
    with Wallet.create(path, PASSWORD, mnemonic) as wallet:
        addresses = [
            wallet.account(n).receive_address() for n in ("bitcoin", "litecoin", "ethereum")
        ]
        wallet.labels.set("addr", addresses[0], "savings")
        for i in range(40):  # enough rows for several pages
            wallet.labels.set("tx", f"{i:064x}", f"payment {i}")
    return addresses


def test_file_mode_is_0600(wallet_path: Path) -> None:
    _make(wallet_path)
    for path in wallet_path.parent.iterdir():
        if path.name.startswith(wallet_path.name):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_wrong_password_changes_nothing(wallet_path: Path) -> None:
    addresses = _make(wallet_path)
    before = _digest(wallet_path)
    with pytest.raises(WrongPassword, match="password is wrong"):
        Wallet.open(wallet_path, "not the password")
    assert _digest(wallet_path) == before
    with Wallet.open(wallet_path, PASSWORD) as wallet:
        assert wallet.account("bitcoin").receive_address() == addresses[0]
        assert wallet.labels.get("addr", addresses[0]) == "savings"


def test_raw_bytes_hold_no_secret_and_no_address(wallet_path: Path) -> None:
    with Wallet.create(wallet_path, PASSWORD, CANARY) as wallet:
        addresses = [wallet.account(n).receive_address() for n in ("bitcoin", "ethereum")]
        xpub = wallet.account("bitcoin").export_xpub()  # type: ignore[attr-defined]
        wallet.labels.set("addr", addresses[0], "canary label")
        raw = b"".join(p.read_bytes() for p in wallet_path.parent.iterdir())
    raw_after = wallet_path.read_bytes()
    for blob in (raw, raw_after):
        for needle in [*CANARY.split(), *addresses, xpub, "canary label", "SQLite format"]:
            if len(needle) >= 5:
                assert needle.encode() not in blob, needle
        assert CANARY.encode() not in blob


@pytest.mark.parametrize(
    "damage",
    ["flip-late-page", "truncate-odd", "truncate-page", "zero-file", "garbage", "empty", "sqlite"],
)
def test_damaged_files_give_a_clear_error(wallet_path: Path, damage: str) -> None:
    _make(wallet_path)
    data = bytearray(wallet_path.read_bytes())
    assert len(data) >= 4 * 4096
    if damage == "flip-late-page":
        data[3 * 4096 + 500] ^= 0x40
    elif damage == "truncate-odd":
        data = data[: len(data) - 1000]
    elif damage == "truncate-page":
        data = data[: 2 * 4096]
    elif damage == "zero-file":
        data = bytearray(len(data))
    elif damage == "garbage":
        data = bytearray(os.urandom(len(data)))
        data[0] = 0x00
    elif damage == "empty":
        data = bytearray()
    elif damage == "sqlite":
        data = bytearray(b"SQLite format 3\x00" + bytes(4096 * 2 - 16))
    wallet_path.write_bytes(bytes(data))
    with pytest.raises(WalletCorrupt) as info:
        Wallet.open(wallet_path, PASSWORD)
    assert str(wallet_path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WalletNotFound):
        Wallet.open(tmp_path / "nope.coffer", PASSWORD)
    with pytest.raises(WalletCorrupt):
        Wallet.open(tmp_path, PASSWORD)


def test_change_password(wallet_path: Path) -> None:
    addresses = _make(wallet_path)
    with Wallet.open(wallet_path, PASSWORD) as wallet:
        with pytest.raises(WrongPassword):
            wallet.change_password("wrong", "new password")
        wallet.change_password(PASSWORD, "new password")
        # still usable in the same session, the seed re-sealed under the new key
        assert wallet.reveal_mnemonic("new password") == ABANDON
    with pytest.raises(WrongPassword):
        Wallet.open(wallet_path, PASSWORD)
    with Wallet.open(wallet_path, "new password") as wallet:
        assert wallet.account("bitcoin").receive_address() == addresses[0]
        assert wallet.labels.get("tx", f"{7:064x}") == "payment 7"
        assert wallet.reveal_mnemonic("new password") == ABANDON
        assert wallet.account("dogecoin").receive_address().startswith("D")
    assert stat.S_IMODE(wallet_path.stat().st_mode) == 0o600
    assert not [p for p in wallet_path.parent.iterdir() if p.name.endswith(".rekey")]


def test_interrupted_password_change_keeps_the_old_password(
    wallet_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _make(wallet_path)

    def crash(*_args: object) -> None:
        raise KeyboardInterrupt  # the moment just before the atomic rename

    with Wallet.open(wallet_path, PASSWORD) as wallet:
        monkeypatch.setattr(os, "replace", crash)
        with pytest.raises(KeyboardInterrupt):
            wallet.change_password(PASSWORD, "new password")
        monkeypatch.undo()
    with Wallet.open(wallet_path, PASSWORD) as wallet:
        assert wallet.reveal_mnemonic(PASSWORD) == ABANDON
    assert not [p for p in wallet_path.parent.iterdir() if p.name.endswith(".rekey")]


_WRITER = """
import sys
from wallet import Wallet
with Wallet.open(sys.argv[1], sys.argv[2]) as w:
    i = 0
    while True:
        w.labels.set("tx", f"{i:064x}", f"crash test {i}")
        print(i, flush=True)
        i += 1
"""


def test_a_killed_writer_loses_nothing_committed(wallet_path: Path) -> None:
    _make(wallet_path)
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(wallet_path), PASSWORD],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    last = -1
    for line in proc.stdout:
        last = int(line)
        if last >= 60:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Wallet.open(wallet_path, PASSWORD) as wallet:
        for i in range(last + 1):
            assert wallet.labels.get("tx", f"{i:064x}") in (f"crash test {i}", f"payment {i}")
        assert wallet.labels.get("tx", f"{last:064x}") == f"crash test {last}"


def test_schema_files_of_every_version_open(tmp_path: Path) -> None:
    from wallet.storage.migrations import LATEST_VERSION

    data = ROOT / "tests" / "data"
    files = sorted(data.glob("wallet-v*.coffer"))
    assert len(files) == LATEST_VERSION, "keep one wallet file per schema version in tests/data"
    for source in files:
        copy = tmp_path / source.name
        copy.write_bytes(source.read_bytes())
        copy.chmod(0o600)
        with Wallet.open(copy, "coffer-fixture") as wallet:
            assert wallet.schema_version == LATEST_VERSION
            assert (
                wallet.account("bitcoin").receive_address()
                == "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
            )


def test_a_write_from_another_thread_waits_for_the_open_transaction(wallet_path: Path) -> None:
    import threading

    txid = "ab" * 32
    with Wallet.create(wallet_path, PASSWORD, ABANDON) as wallet:
        db = wallet.database
        inside = threading.Event()

        def other_thread() -> None:
            inside.wait()
            wallet.labels.set("tx", txid, "from the other thread")

        def write_then_fail() -> None:
            with db.transaction():
                db.set_meta("probe", "rolled back")
                inside.set()
                worker.join(timeout=0.5)
                # The worker's write waits for this transaction instead of joining it.
                assert worker.is_alive()
                raise RuntimeError("roll back")

        worker = threading.Thread(target=other_thread)
        worker.start()
        with pytest.raises(RuntimeError, match="roll back"):
            write_then_fail()
        worker.join()
        assert db.get_meta("probe") is None
        assert wallet.labels.get("tx", txid) == "from the other thread"
