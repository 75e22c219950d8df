"""The wallet file is never lost: other processes, damaged logs, wrong passwords, other users.

Issue 14, items 1 to 6 and 9. Every test here failed before its fix; each names the item.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from tests.conftest import ABANDON, PASSWORD
from tests.integration.wallet_processes import (
    COMMIT_LABELS,
    HOLD_OPEN,
    RAW_WAL_WRITER,
    child,
    coffer,
    run_to_end,
    snapshot,
)
from wallet import Wallet
from wallet.errors import UnsafeWalletFile, WalletCorrupt, WalletInUse, WrongPassword

NEW = "a new password"


def _make(path: Path) -> str:
    with Wallet.create(path, PASSWORD, ABANDON) as wallet:
        address = wallet.account("bitcoin").receive_address()
        for i in range(30):
            wallet.labels.set("tx", f"{i:064x}", f"payment {i}")
    return address


def _tx_labels(wallet: Wallet) -> dict[str, str]:
    return {label.ref: label.label for label in wallet.labels.all() if label.type == "tx"}


def _opens_with_exactly_one(path: Path, address: str) -> str:
    """Return which password opens ``path`` (checking it is exactly one and the address)."""
    opened = []
    for password in (PASSWORD, NEW):
        try:
            with Wallet.open(path, password) as wallet:
                assert wallet.account("bitcoin").receive_address() == address
                opened.append(password)
        except WrongPassword:
            pass
    assert len(opened) == 1, opened
    return opened[0]


# -- item 1: change-password while another process has the wallet open ----------------------


def test_change_password_is_refused_while_another_process_has_the_wallet_open(
    wallet_path: Path,
) -> None:
    address = _make(wallet_path)
    with child(HOLD_OPEN, str(wallet_path), PASSWORD):
        with Wallet.open(wallet_path, PASSWORD) as wallet:
            with pytest.raises(WalletInUse, match="open in another program; close it first"):
                wallet.change_password(PASSWORD, NEW)
            # refused, not half done: this session goes on with the old password
            wallet.labels.set("addr", address, "still writable")
            assert wallet.reveal_mnemonic(PASSWORD) == ABANDON
        result = coffer(wallet_path, "change-password", password=PASSWORD, COFFER_NEW_PASSWORD=NEW)
        assert result.returncode == 6
        assert re.fullmatch(r"error: [^\n]+\n", result.stderr), result.stderr
        assert "Password changed" not in result.stdout
    assert _opens_with_exactly_one(wallet_path, address) == PASSWORD
    # alone, it works
    result = coffer(wallet_path, "change-password", password=PASSWORD, COFFER_NEW_PASSWORD=NEW)
    assert result.returncode == 0, result.stderr
    assert _opens_with_exactly_one(wallet_path, address) == NEW
    with Wallet.open(wallet_path, NEW) as wallet:
        assert wallet.labels.get("addr", address) == "still writable"
        assert _tx_labels(wallet)[f"{29:064x}"] == "payment 29"


def test_an_open_waiting_for_a_password_change_opens_the_new_file(wallet_path: Path) -> None:
    address = _make(wallet_path)
    with Wallet.open(wallet_path, PASSWORD) as wallet:
        wallet.change_password(PASSWORD, NEW)
        # the same session keeps working on the new file, and another process sees it
        wallet.labels.set("addr", address, "after the change")
        with child(HOLD_OPEN, str(wallet_path), NEW):
            pass
    with Wallet.open(wallet_path, NEW) as wallet:
        assert wallet.labels.get("addr", address) == "after the change"
    assert _opens_with_exactly_one(wallet_path, address) == NEW


# -- item 2: a damaged -wal must not drop committed changes silently -------------------------


def test_a_damaged_log_of_a_killed_writer_loses_nothing(wallet_path: Path) -> None:
    _make(wallet_path)
    with child(COMMIT_LABELS, str(wallet_path), PASSWORD, "20") as writer:
        writer.kill()  # after 20 commits were reported saved
    wal = wallet_path.with_name(wallet_path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 64:
        data = bytearray(wal.read_bytes())
        data[len(data) // 2] ^= 0x01
        wal.write_bytes(bytes(data))
    with Wallet.open(wallet_path, PASSWORD) as wallet:
        labels = _tx_labels(wallet)
        assert [labels[f"{i:064x}"] for i in range(20)] == [f"saved {i}" for i in range(20)]
        assert wallet.warnings == ()


def test_a_log_whose_commits_sqlite_drops_is_reported(wallet_path: Path) -> None:
    _make(wallet_path)
    run_to_end(RAW_WAL_WRITER, str(wallet_path), PASSWORD, "20")
    wal = wallet_path.with_name(wallet_path.name + "-wal")
    data = bytearray(wal.read_bytes())
    assert len(data) > 10 * 4096
    data[len(data) // 2] ^= 0x01
    wal.write_bytes(bytes(data))
    with Wallet.open(wallet_path, PASSWORD) as wallet:
        kept = sum(label.startswith("raw ") for label in _tx_labels(wallet).values())
        assert kept < 20  # SQLite replayed the log only up to the damaged frame
        assert any("were lost" in line for line in wallet.warnings), wallet.warnings
    result = coffer(wallet_path, "accounts", password=PASSWORD)
    assert result.returncode == 0  # said once, at the open that found it; the file is whole now


def test_an_intact_log_of_a_crash_is_replayed_without_a_warning(wallet_path: Path) -> None:
    _make(wallet_path)
    run_to_end(RAW_WAL_WRITER, str(wallet_path), PASSWORD, "20")
    with Wallet.open(wallet_path, PASSWORD) as wallet:
        labels = _tx_labels(wallet)
        assert [labels[f"{i:064x}"] for i in range(20)] == [f"raw {i}" for i in range(20)]
        assert wallet.warnings == ()


# -- item 3: a wrong password leaves every file byte-identical -------------------------------


def test_a_wrong_password_after_a_crash_changes_no_byte(wallet_path: Path) -> None:
    _make(wallet_path)
    run_to_end(RAW_WAL_WRITER, str(wallet_path), PASSWORD, "5")
    before = snapshot(wallet_path)
    assert before["-wal"] is not None
    with pytest.raises(WrongPassword):
        Wallet.open(wallet_path, "wrong")
    result = coffer(wallet_path, "accounts", password="wrong")
    assert result.returncode == 3
    assert snapshot(wallet_path) == before


def test_a_wrong_password_while_the_wallet_is_open_elsewhere_changes_no_byte(
    wallet_path: Path,
) -> None:
    _make(wallet_path)
    with child(COMMIT_LABELS, str(wallet_path), PASSWORD, "3"):
        before = snapshot(wallet_path)
        assert before["-shm"] is not None
        with pytest.raises(WrongPassword):
            Wallet.open(wallet_path, "wrong")
        assert coffer(wallet_path, "accounts", password="wrong").returncode == 3
        assert snapshot(wallet_path) == before
        with Wallet.open(wallet_path, PASSWORD) as wallet:
            before = snapshot(wallet_path)
            with pytest.raises(WrongPassword):
                wallet.reveal_mnemonic("wrong")
            with pytest.raises(WrongPassword):
                wallet.change_password("wrong", NEW)
            assert snapshot(wallet_path) == before


# -- item 4: other users' hands --------------------------------------------------------------


def test_permissions_that_let_others_in_give_warnings(wallet_path: Path) -> None:
    _make(wallet_path)
    with Wallet.open(wallet_path, PASSWORD) as wallet:
        assert wallet.warnings == ()
    wallet_path.chmod(0o644)
    wallet_path.parent.chmod(0o777)
    try:
        with Wallet.open(wallet_path, PASSWORD) as wallet:
            assert len(wallet.warnings) == 2
            assert "can be read by other users" in wallet.warnings[0]
            assert "can be changed by other users" in wallet.warnings[1]
        result = coffer(wallet_path, "accounts", password=PASSWORD)
        assert result.returncode == 0
        warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
        assert len(warnings) == 2, result.stderr
    finally:
        wallet_path.parent.chmod(0o700)


def test_logs_deleted_after_a_crash_lose_nothing_committed(wallet_path: Path) -> None:
    # Another local user in a world-writable folder, or a cleaning tool, removes them.
    _make(wallet_path)
    with child(COMMIT_LABELS, str(wallet_path), PASSWORD, "10") as writer:
        writer.kill()
    for suffix in ("-wal", "-shm"):
        wallet_path.with_name(wallet_path.name + suffix).unlink(missing_ok=True)
    with Wallet.open(wallet_path, PASSWORD) as wallet:
        labels = _tx_labels(wallet)
        assert [labels[f"{i:064x}"] for i in range(10)] == [f"saved {i}" for i in range(10)]


@pytest.mark.parametrize("suffix", ["-wal", "-shm"])
@pytest.mark.parametrize("how", ["other-owner", "symlink"])
def test_a_log_that_is_not_the_owners_is_refused(wallet_path: Path, suffix: str, how: str) -> None:
    address = _make(wallet_path)
    side = wallet_path.with_name(wallet_path.name + suffix)
    if how == "other-owner":
        if os.geteuid() != 0:
            pytest.skip("only root can give a file to another user")
        side.write_bytes(b"")
        os.chown(side, 65534, 65534)
    else:
        target = wallet_path.parent / "elsewhere"
        target.write_bytes(b"")
        side.symlink_to(target)
    before = snapshot(wallet_path)
    with pytest.raises(UnsafeWalletFile, match="not a file of yours"):
        Wallet.open(wallet_path, PASSWORD)
    result = coffer(wallet_path, "accounts", password=PASSWORD)
    assert result.returncode != 0
    assert re.fullmatch(r"error: [^\n]+\n", result.stderr), result.stderr
    assert snapshot(wallet_path) == before
    side.unlink()
    with Wallet.open(wallet_path, PASSWORD) as wallet:
        assert wallet.account("bitcoin").receive_address() == address


# -- item 5: change-password on a symlinked wallet -------------------------------------------


def test_change_password_through_a_symlink_changes_the_real_file(tmp_path: Path) -> None:
    real = tmp_path / "real" / "w.coffer"
    address = _make(real)
    link = tmp_path / "link.coffer"
    link.symlink_to(real)
    with Wallet.open(link, PASSWORD) as wallet:
        assert wallet.path == link
        wallet.change_password(PASSWORD, NEW)
    assert link.is_symlink()
    assert link.resolve() == real
    assert _opens_with_exactly_one(real, address) == NEW
    assert _opens_with_exactly_one(link, address) == NEW
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert not [p for p in real.parent.iterdir() if ".rekey" in p.name]


# -- item 6: leftovers of a killed change-password -------------------------------------------


def test_the_next_open_removes_the_copies_of_killed_password_changes(wallet_path: Path) -> None:
    address = _make(wallet_path)
    folder = wallet_path.parent
    leftovers = [
        folder / f".{wallet_path.name}.0badc0de.rekey",
        folder / f".{wallet_path.name}.0badc0de.rekey-journal",
        folder / f".{wallet_path.name}.12345678.rekey",
    ]
    unrelated = [folder / f".{wallet_path.name}.notes", folder / ".other.coffer.0badc0de.rekey"]
    with child(HOLD_OPEN, str(wallet_path), PASSWORD):
        for path in (*leftovers, *unrelated):
            path.write_bytes(b"a re-keyed copy")
        with Wallet.open(wallet_path, PASSWORD):
            pass  # not alone: a password change elsewhere could be writing its copy now
        assert all(path.exists() for path in leftovers)
    with Wallet.open(wallet_path, PASSWORD) as wallet:
        assert wallet.account("bitcoin").receive_address() == address
    assert not any(path.exists() for path in leftovers)
    assert all(path.exists() for path in unrelated)


# -- item 9: KDF parameters out of range are a damaged file ----------------------------------


@pytest.mark.parametrize(("offset", "value"), [(2, 24), (2, 255), (3, 255)])
def test_a_header_asking_for_huge_kdf_costs_is_a_damaged_file(
    wallet_path: Path, offset: int, value: int
) -> None:
    _make(wallet_path)
    data = bytearray(wallet_path.read_bytes())
    data[offset] = value
    wallet_path.write_bytes(bytes(data))
    with pytest.raises(WalletCorrupt, match="not a Coffer wallet file, or it is damaged"):
        Wallet.open(wallet_path, PASSWORD)
    result = coffer(wallet_path, "accounts", password=PASSWORD)
    assert result.returncode == 5
    assert re.fullmatch(r"error: [^\n]+\n", result.stderr), result.stderr


def test_a_password_change_still_writes_the_default_costs(wallet_path: Path) -> None:
    _make(wallet_path)
    with Wallet.open(wallet_path, PASSWORD) as wallet:
        wallet.change_password(PASSWORD, NEW)
    assert wallet_path.read_bytes()[:4] == bytes([0xC0, 0x14, 16, 3])


def test_files_of_every_schema_version_open_without_warnings(tmp_path: Path) -> None:
    sources = sorted((Path(__file__).parents[1] / "data").glob("wallet-v*.coffer"))
    assert sources
    for source in sources:
        copy = tmp_path / source.name
        copy.write_bytes(source.read_bytes())
        copy.chmod(0o600)
        with Wallet.open(copy, "coffer-fixture") as wallet:
            assert wallet.warnings == ()
        assert not copy.with_name(copy.name + "-wal").exists()
