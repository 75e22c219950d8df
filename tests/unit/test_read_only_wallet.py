"""A healthy wallet in a folder that cannot be written (issue 13 item 2).

It is not reported as damaged: commands that only read open it read-only (with a warning),
the others say that the folder cannot be written; nothing is changed on disk.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.cli import cli
from wallet.errors import WalletReadOnly

BTC_0 = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"


@pytest.fixture
def read_only_wallet(tmp_path: Path) -> Iterator[Path]:
    """Yield a wallet file whose folder became read-only (mode 0555, or as root a tmpfs
    remounted read-only)."""
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "w.coffer"
    as_root = os.geteuid() == 0
    if as_root:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)],
            capture_output=True,
            check=False,
        )
        if mounted.returncode != 0:
            pytest.skip(f"root here cannot mount a tmpfs: {mounted.stderr!r}")
    try:
        with Wallet.restore(path, PASSWORD, ABANDON, accounts=("bitcoin", "ethereum")) as w:
            w.labels.set("addr", BTC_0, "savings")
        if as_root:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        else:
            folder.chmod(0o555)
        yield path
    finally:
        if as_root:
            subprocess.run(["umount", str(folder)], check=True)
        else:
            folder.chmod(0o755)


def test_the_api_says_what_is_wrong_and_opens_read_only(read_only_wallet: Path) -> None:
    before = read_only_wallet.read_bytes()
    with pytest.raises(WalletReadOnly, match="no write access to the folder"):
        Wallet.open(read_only_wallet, PASSWORD)
    with Wallet.open(read_only_wallet, PASSWORD, read_only=True) as wallet:
        assert "read-only" in wallet.warnings[0]
        assert wallet.labels.export_bip329().count("savings") == 1
        with pytest.raises(WalletReadOnly):
            wallet.labels.set("addr", BTC_0, "other")
    assert read_only_wallet.read_bytes() == before
    assert sorted(p.name for p in read_only_wallet.parent.iterdir()) == ["w.coffer"]


def test_reading_commands_work_and_writing_ones_say_why(
    runner: CliRunner, read_only_wallet: Path
) -> None:
    before = read_only_wallet.read_bytes()
    base = ["--wallet", str(read_only_wallet)]
    result = runner.invoke(cli, [*base, "--json", "balance"])
    assert result.exit_code == 0, result.stderr
    assert [r["network"] for r in json.loads(result.stdout)] == ["bitcoin", "ethereum"]
    assert "warning: The wallet is open read-only" in result.stderr
    result = runner.invoke(cli, [*base, "labels", "export", "-"])
    assert result.exit_code == 0, result.stderr
    assert "savings" in result.stdout
    result = runner.invoke(cli, [*base, "label", "set", BTC_0, "other"])
    assert result.exit_code == 4
    assert "damaged" not in result.stderr
    assert result.stderr == (
        f"error: You have no write access to the folder {read_only_wallet.parent}: "
        "the wallet can only be read there.\n"
    )
    assert read_only_wallet.read_bytes() == before
