"""The embedded EVM chain kept on disk: same blocks on reopen, sealed, owner-only, locked."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from chains.devnet_storage import CHAIN_FILE, LOCK_FILE, erase_devnet
from chains.errors import BackendUnavailable, DevnetStorageError
from chains.evm.embedded import EmbeddedBackend
from chains.registry import EvmNetwork, get_network

ROOT = Path(__file__).resolve().parents[2]
KEY = b"the owner's evm devnet key......"
NETWORK = get_network("evm-embedded")
assert isinstance(NETWORK, EvmNetwork)
PAYEE = "0x000000000000000000000000000000000000c0fe"


def _chain(folder: Path, key: bytes = KEY) -> EmbeddedBackend:
    return EmbeddedBackend(NETWORK, folder, storage_key=key)


def test_reopened_chain_has_the_same_blocks_and_balances(tmp_path: Path) -> None:
    folder = tmp_path / "evm-embedded"
    with_blocks = _chain(folder)
    with_blocks.fund(PAYEE, 3 * 10**18)
    with_blocks.mine_blocks(2)
    tip = with_blocks.get_block("latest")
    assert tip is not None
    with_blocks.close()

    again = _chain(folder)
    try:
        assert again.block_number() == tip.number == 3
        reopened_tip = again.get_block("latest")
        assert reopened_tip is not None
        assert reopened_tip.hash == tip.hash  # the same chain, not a look-alike: no reorg
        assert again.get_balance(PAYEE) == 3 * 10**18
        again.fund(PAYEE, 1)  # and it goes on from there
        assert again.block_number() == 4
    finally:
        again.close()


def test_a_chain_in_memory_keeps_nothing(tmp_path: Path) -> None:
    chain = EmbeddedBackend(NETWORK)
    chain.fund(PAYEE, 10**18)
    assert chain.datadir is None
    chain.close()
    assert EmbeddedBackend(NETWORK).get_balance(PAYEE) == 0


def test_files_are_sealed_and_owner_only(tmp_path: Path) -> None:
    folder = tmp_path / "evm-embedded"
    old = os.umask(0)
    try:
        chain = _chain(folder)
        chain.fund(PAYEE, 10**18)
        chain.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in (CHAIN_FILE, LOCK_FILE):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    raw = (folder / CHAIN_FILE).read_bytes()
    assert bytes.fromhex(PAYEE[2:]) not in raw
    assert PAYEE[2:].encode() not in raw


def test_another_key_is_refused_and_the_file_left_as_it_was(tmp_path: Path) -> None:
    folder = tmp_path / "evm-embedded"
    chain = _chain(folder)
    chain.fund(PAYEE, 10**18)
    chain.close()
    before = (folder / CHAIN_FILE).read_bytes()
    with pytest.raises(DevnetStorageError, match="cannot be opened with this key"):
        _chain(folder, b"another wallet's key............")
    assert (folder / CHAIN_FILE).read_bytes() == before
    reopened = _chain(folder)  # the lock was released by the refused open
    assert reopened.get_balance(PAYEE) == 10**18
    reopened.close()


def test_one_process_at_a_time(tmp_path: Path) -> None:
    folder = tmp_path / "evm-embedded"
    chain = _chain(folder)
    try:
        with pytest.raises(BackendUnavailable, match="another process"):
            _chain(folder)
        with pytest.raises(BackendUnavailable, match="nothing was removed"):
            erase_devnet(folder)
        assert (folder / CHAIN_FILE).exists()
    finally:
        chain.close()
    assert erase_devnet(folder)
    assert not folder.exists()
    assert not erase_devnet(folder)


def test_a_kill_loses_nothing_already_mined(tmp_path: Path) -> None:
    folder = tmp_path / "evm-embedded"
    script = textwrap.dedent(
        f"""
        import os, sys
        from pathlib import Path
        from chains.evm.embedded import EmbeddedBackend
        from chains.registry import get_network
        chain = EmbeddedBackend(get_network("evm-embedded"), Path(sys.argv[1]),
                                storage_key={KEY!r})
        chain.fund({PAYEE!r}, 5)
        chain.mine_blocks(2)
        os._exit(0)  # no close: as a crash
        """
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", script, str(folder)], check=True, env=env, cwd=ROOT)
    chain = _chain(folder)
    try:
        assert chain.block_number() == 3
        assert chain.get_balance(PAYEE) == 5
    finally:
        chain.close()


def test_a_torn_last_block_is_dropped(tmp_path: Path) -> None:
    folder = tmp_path / "evm-embedded"
    chain = _chain(folder)
    chain.fund(PAYEE, 7)
    chain.mine_blocks(1)
    chain.close()
    path = folder / CHAIN_FILE
    path.write_bytes(path.read_bytes()[:-10])  # the last block's record cut short
    chain = _chain(folder)
    try:
        assert chain.block_number() == 1
        assert chain.get_balance(PAYEE) == 7
    finally:
        chain.close()


def test_erase_refuses_a_folder_that_is_not_a_devnets(tmp_path: Path) -> None:
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "keep.txt").write_text("mine")
    with pytest.raises(DevnetStorageError, match="nothing was removed"):
        erase_devnet(tmp_path / "other")
    assert (tmp_path / "other" / "keep.txt").read_text() == "mine"
