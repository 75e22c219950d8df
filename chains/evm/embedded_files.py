"""The embedded EVM chain on disk: its blocks, sealed, replayed into a fresh py-evm on open.

eth-tester keeps its chain in memory, so a chain that must outlive the process (the wallet's
``evm-embedded`` network, used from one CLI command to the next) is rebuilt on open from a
record of it kept in the wallet's own folder with ``chains.devnet_storage.DevnetStore``:
sealed with AES-256-GCM under a key the owner gives, owner-only (0700 folder, 0600 files),
locked with ``flock`` for one process, appended and fsync-ed after every block.

Record 0 of ``coffer-chain.dat`` is the genesis: a tag, its timestamp (the only parameter of
eth-tester's genesis that changes from run to run) and its hash. Each later record is one
block, RLP-encoded as py-evm stores it (random ``mix_hash`` included), in height order. On
open a ``PyEVMBackend`` is made from the same genesis and every block is imported with
py-evm's full validation (state root, receipts, gas), so the chain has the very same
block hashes as before and the wallet sees no reorganisation. A crash loses at most the
block being written.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

import rlp
from eth.abc import MiningChainAPI
from eth_tester import PyEVMBackend
from eth_tester.backends.pyevm.main import get_default_genesis_params
from eth_typing import BlockNumber
from eth_utils.exceptions import ValidationError as EvmValidationError

from chains.devnet_storage import CHAIN_FILE, DevnetStore
from chains.errors import DevnetStorageError

__all__ = ["EmbeddedChainFiles", "new_tester_backend"]

_GENESIS_TAG = b"coffer-evm-genesis/1"


def _chain(backend: PyEVMBackend) -> MiningChainAPI:
    return cast(MiningChainAPI, backend.chain)


def new_tester_backend(genesis_timestamp: int | None = None) -> PyEVMBackend:
    """Return a fresh eth-tester chain; its genesis at ``genesis_timestamp`` (default: now)."""
    stamp = int(time.time()) if genesis_timestamp is None else genesis_timestamp
    return PyEVMBackend(genesis_parameters=get_default_genesis_params({"timestamp": stamp}))


class EmbeddedChainFiles:
    """The sealed record of one embedded EVM chain in a folder of its owner's.

    Args:
        directory: the folder (created 0700 when missing).
        key: the owner's storage key (at least 16 bytes).

    Raises:
        ValueError: a key shorter than 16 bytes.
        BackendUnavailable: another process has the folder open.
    """

    def __init__(self, directory: Path, key: bytes) -> None:
        self._store = DevnetStore(directory, key)
        self._kept = 0  # blocks above genesis on disk

    @property
    def directory(self) -> Path:
        """Return the folder the chain is kept in."""
        return self._store.directory

    def open_backend(self) -> PyEVMBackend:
        """Return a py-evm backend holding the kept chain (a new chain when none is kept).

        Raises:
            DevnetStorageError: the files do not open with this key, or a kept block is
                refused by py-evm (damage, or a py-evm that computes another state).
        """
        path = str(self._store.directory / CHAIN_FILE)
        try:
            records = self._store.read_blocks()
            if not records:
                backend = new_tester_backend()
                genesis = _chain(backend).get_canonical_block_by_number(BlockNumber(0)).header
                self._store.append_blocks([_genesis_record(genesis.timestamp, genesis.hash)])
                return backend
            stamp, genesis_hash = _parse_genesis(records[0], path)
            backend = new_tester_backend(stamp)
            chain = _chain(backend)
            if chain.get_canonical_block_by_number(BlockNumber(0)).hash != genesis_hash:
                raise DevnetStorageError(
                    "The kept embedded EVM chain has another genesis than this py-evm makes.",
                    path,
                )
            for number, raw in enumerate(records[1:], start=1):
                block_class = chain.get_vm_class_for_block_number(
                    BlockNumber(number)
                ).get_block_class()
                chain.import_block(rlp.decode(raw, sedes=block_class))
        except DevnetStorageError:
            self._store.close()
            raise
        except (rlp.DecodingError, EvmValidationError, ValueError) as err:
            self._store.close()
            raise DevnetStorageError(
                f"The kept embedded EVM chain in {self._store.directory} is damaged ({err}).", path
            ) from err
        self._kept = len(records) - 1
        return backend

    def record(self, backend: PyEVMBackend) -> None:
        """Append the blocks mined since the last call and fsync them.

        Raises:
            OSError: the disk refused the write.
        """
        head = _chain(backend).get_canonical_head().block_number
        if head <= self._kept:
            return
        chain = _chain(backend)
        blocks = [
            rlp.encode(chain.get_canonical_block_by_number(BlockNumber(n)))
            for n in range(self._kept + 1, head + 1)
        ]
        self._store.append_blocks(blocks)
        self._kept = head

    def close(self) -> None:
        """Close the chain file and release the folder."""
        self._store.close()


def _genesis_record(timestamp: int, genesis_hash: bytes) -> bytes:
    return _GENESIS_TAG + timestamp.to_bytes(8, "big") + genesis_hash


def _parse_genesis(record: bytes, path: str) -> tuple[int, bytes]:
    tag = len(_GENESIS_TAG)
    if not record.startswith(_GENESIS_TAG) or len(record) != tag + 8 + 32:
        raise DevnetStorageError("The kept chain is not an embedded EVM chain.", path)
    return int.from_bytes(record[tag : tag + 8], "big"), record[tag + 8 :]
