"""Benchmark: opening the embedded devnets kept on disk (their chains replayed on open).

Every ``coffer`` command that touches ``evm-embedded`` or ``bitcoin-regtest`` opens that
devnet, which replays its sealed chain (``chains/evm/embedded_files.py``,
``chains/devnet_storage.py``). Rows, for BLOCKS blocks:

- EVM, peer: eth-tester making the same chain in memory (one ETH transfer per block, from a
  prefunded account), as every process did before the chain was kept.
- EVM, Coffer: reopening that chain from its sealed file (py-evm imports every block with
  full validation); the ratio is to the peer's row.
- EVM, empty blocks: making BLOCKS empty blocks in memory, and reopening them.
- Bitcoin, Coffer: reopening BLOCKS empty regtest blocks (libbitcoinkernel validates each),
  against mining them (the peer row: the same devnet mining, fsync included).

Each row runs once (the chains are a few hundred blocks; a row takes seconds).

Run: ``.venv/bin/python bench/devnet_replay.py [BLOCKS]`` (also run by ``make bench``).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from chains.evm.embedded import EmbeddedBackend
from chains.registry import EvmNetwork, UtxoNetwork, get_network
from chains.utxo.devnet import BitcoinDevnet

KEY = b"benchmark devnet storage key...."
PAYEE = "0x000000000000000000000000000000000000c0fe"


def _timed(label: str, seconds: float, blocks: int, base: float | None) -> None:
    ratio = "" if base is None else f"  x{seconds / base:.2f}"
    print(f"  {label:52} {seconds:7.2f} s  {seconds / blocks * 1000:6.1f} ms/block{ratio}")


def _evm(folder: Path, blocks: int, transfers: bool) -> None:
    network = get_network("evm-embedded")
    assert isinstance(network, EvmNetwork)
    kind = "one transfer each" if transfers else "empty"
    print(f"EVM, {blocks} blocks ({kind}):")
    chain = EmbeddedBackend(network)
    start = time.perf_counter()
    for _ in range(blocks if transfers else 0):
        chain.fund(PAYEE, 1)
    if not transfers:
        chain.mine_blocks(blocks)
    made = time.perf_counter() - start
    chain.close()
    _timed("eth-tester makes them in memory (peer)", made, blocks, None)

    kept = EmbeddedBackend(network, folder, storage_key=KEY)
    for _ in range(blocks if transfers else 0):
        kept.fund(PAYEE, 1)
    if not transfers:
        kept.mine_blocks(blocks)
    kept.close()
    start = time.perf_counter()
    reopened = EmbeddedBackend(network, folder, storage_key=KEY)
    opened = time.perf_counter() - start
    assert reopened.block_number() == blocks
    reopened.close()
    _timed("Coffer reopens them from the sealed file", opened, blocks, made)


def _bitcoin(folder: Path, blocks: int) -> None:
    network = get_network("bitcoin-regtest")
    assert isinstance(network, UtxoNetwork)
    print(f"Bitcoin regtest, {blocks} empty blocks:")
    devnet = BitcoinDevnet(network, folder, storage_key=KEY)
    start = time.perf_counter()
    devnet.mine(blocks)
    made = time.perf_counter() - start
    devnet.close()
    _timed("the devnet mines them, fsync per block (peer)", made, blocks, None)
    start = time.perf_counter()
    reopened = BitcoinDevnet(network, folder, storage_key=KEY)
    opened = time.perf_counter() - start
    assert reopened.tip().height == blocks
    reopened.close()
    _timed("Coffer reopens them from the sealed file", opened, blocks, made)


def main() -> None:
    """Print the rows above."""
    blocks = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory(prefix="coffer-bench-devnet-") as tmp:
        base = Path(tmp)
        _evm(base / "evm-transfers", blocks, transfers=True)
        _evm(base / "evm-empty", blocks, transfers=False)
        _bitcoin(base / "bitcoin", blocks)


if __name__ == "__main__":
    main()
