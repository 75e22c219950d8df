"""The devnet's handle on libbitcoinkernel: a chainstate manager, its callbacks, its shutdown.

The kernel reports a block's verdict through the ``block_checked`` validation callback and
its reject reason ("bad-cb-amount", "high-hash") only through its log, so the devnet listens
to both. Both land on a ``KernelProbe`` rather than on the devnet, so that nothing the kernel
holds keeps the devnet alive; an unreferenced devnet is then finalised and the kernel shut
down.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pbk

from chains.utxo.devnet.blocks import ParsedBlock, parse_block
from chains.utxo.devnet.index import ChainIndex
from chains.utxo.errors import BlockRejected

__all__ = [
    "KernelHandle",
    "KernelProbe",
    "follow_active_chain",
    "open_kernel",
    "read_legacy_chain",
    "rejection",
    "submit_blocks",
]

# Where the kernel's log names the reason of a refused block (Bitcoin Core validation.cpp).
_REASON_PATTERNS = (
    re.compile(r"AcceptBlock FAILED \((.+)\)\s*$"),
    re.compile(r"ConnectBlock [0-9a-f]{64} failed, (.+?)\s*$"),
    re.compile(r"Block validation error: (.+?)\s*$"),
)


class KernelProbe:
    """Collect the kernel's block verdicts and, while a block is processed, its log lines."""

    __slots__ = ("checked", "lines", "thread")

    def __init__(self) -> None:
        self.checked: dict[bytes, tuple[str, str]] = {}
        """Block hash (internal order) to (validation mode, validation result) names."""
        self.lines: list[str] = []
        self.thread: int | None = None

    def on_block_checked(self, _user_data: object, block: Any, state: Any) -> None:
        """Record a verdict (kernel callback: it must not raise into C)."""
        with contextlib.suppress(Exception):
            mode = pbk.ValidationMode(state.validation_mode).name
            result = pbk.BlockValidationResult(state.block_validation_result).name
            self.checked[bytes(block.block_hash)] = (mode, result)

    def on_log(self, message: str) -> None:
        """Keep a log line emitted on the thread that is processing a block.

        The kernel's log is process-wide: filtering by thread keeps another devnet's lines
        (processed on another thread) out of this one's reasons.
        """
        if self.thread == threading.get_ident():
            self.lines.append(message)

    def begin(self) -> None:
        """Start collecting for a block processed on the calling thread."""
        self.lines.clear()
        self.thread = threading.get_ident()

    def end(self) -> None:
        """Stop collecting."""
        self.thread = None

    def reason(self) -> str | None:
        """Return the last reject reason the kernel logged since ``begin``, if any."""
        for line in reversed(self.lines):
            for pattern in _REASON_PATTERNS:
                match = pattern.search(line.strip())
                if match:
                    return match.group(1)
        return None


@dataclass(slots=True)
class KernelHandle:
    """The kernel objects one devnet owns; ``release`` frees them exactly once.

    Attributes:
        chainman: the kernel's ``ChainstateManager``.
        logs: the logging connection feeding the probe.
        temp_dir: the scratch directory to delete on release (the devnet made it), or ``None``.
    """

    chainman: Any
    logs: Any
    temp_dir: Path | None

    def release(self) -> None:
        """Shut the kernel down, then delete its scratch directory."""
        for obj in (self.chainman, self.logs):
            if obj is not None:
                obj.__exit__(None, None, None)  # pbk's way to free a kernel object now
        self.chainman = self.logs = None
        if self.temp_dir is not None:
            shutil.rmtree(self.temp_dir, ignore_errors=True)
            self.temp_dir = None


def open_kernel(datadir: Path, probe: KernelProbe, temp_dir: Path | None) -> KernelHandle:
    """Create a regtest chainstate in ``datadir`` with the probe attached.

    The block index and the chainstate are kept in memory: the devnet keeps its chain in its
    own sealed file and replays it on open (``storage``), so only the kernel's block files
    reach ``datadir``.

    Raises:
        RuntimeError: the kernel could not use the directory.
    """
    callbacks = pbk.ValidationInterfaceCallbacks(block_checked=probe.on_block_checked)
    logs = pbk.LoggingConnection(probe.on_log)
    try:
        context = pbk.make_context(pbk.ChainType.REGTEST, validation_callbacks=callbacks)
        options = pbk.ChainstateManagerOptions(
            context, str(datadir.absolute()), str((datadir / "blocks").absolute())
        )
        options.update_block_tree_db_in_memory(True)
        options.update_chainstate_db_in_memory(True)
        chainman = pbk.ChainstateManager(options)
    except Exception:
        logs.__exit__(None, None, None)
        raise
    return KernelHandle(chainman, logs, temp_dir)


def read_legacy_chain(datadir: Path) -> list[bytes] | None:
    """Return the active chain's blocks (genesis left out) a kernel of old kept in ``datadir``.

    Earlier devnets let the kernel keep its block files and indexes in ``datadir`` itself
    (``blocks/``, ``chainstate/``); their chain is read once to be kept sealed instead.

    Returns:
        The raw blocks in height order, or ``None`` when ``datadir`` holds no such chain.

    Raises:
        RuntimeError: the kernel could not open it (in use, or damaged).
    """
    if not (datadir / "blocks").is_dir():
        return None
    chainman = pbk.load_chainman(datadir, pbk.ChainType.REGTEST)
    try:
        entries = chainman.get_active_chain().block_tree_entries
        return [bytes(chainman.blocks[entries[h]]) for h in range(1, len(entries))]
    finally:
        chainman.__exit__(None, None, None)  # pbk's way to free a kernel object now


def rejection(probe: KernelProbe, block: ParsedBlock, result: str) -> BlockRejected:
    """Return the error for a refused block, with the reason the kernel logged, if any."""
    shown = block.hash[::-1].hex()
    logged = probe.reason()
    return BlockRejected(
        f"libbitcoinkernel refused block {shown}: {logged or result}.",
        shown,
        result,
        (logged or result).split(",")[0],
    )


def submit_blocks(chainman: Any, probe: KernelProbe, blocks: Sequence[ParsedBlock]) -> None:
    """Hand blocks to the kernel in order and check every verdict it gave.

    A block on a branch with less work is only stored; the kernel validates it fully when
    its branch becomes the best one, which for a competing branch happens at its last block.

    Raises:
        BlockRejected: the kernel refused a block (its header or its contents).
    """
    probe.checked.clear()
    try:
        for block in blocks:
            probe.begin()
            try:
                chainman.process_block(pbk.Block(block.raw))
            except pbk.ProcessBlockException:
                raise rejection(probe, block, "INVALID") from None
            finally:
                probe.end()
            for earlier in blocks:
                verdict = probe.checked.get(earlier.hash)
                if verdict is not None and verdict[0] != "VALID":
                    raise rejection(probe, earlier, verdict[1])  # lines of this call kept
    finally:
        probe.checked.clear()


def follow_active_chain(
    chainman: Any, index: ChainIndex, built: dict[bytes, ParsedBlock]
) -> tuple[list[ParsedBlock], list[ParsedBlock]]:
    """Make ``index`` match the kernel's active chain.

    Args:
        chainman: the kernel's chainstate manager.
        index: the devnet's index, moved to the kernel's best chain.
        built: blocks the devnet just built, by hash (saves reading them back from disk).

    Returns:
        The blocks disconnected (in chain order) and the blocks connected.
    """
    chain = chainman.get_active_chain()
    entries = chain.block_tree_entries
    height = chain.height
    fork = min(index.height, height)
    while fork > 0 and bytes(entries[fork].block_hash) != index.hash_at(fork):
        fork -= 1
    orphaned: list[ParsedBlock] = []
    while index.height > fork:
        orphaned.append(index.disconnect())
    connected: list[ParsedBlock] = []
    for h in range(fork + 1, height + 1):
        entry = entries[h]
        block = built.get(bytes(entry.block_hash))
        if block is None:
            block = parse_block(bytes(chainman.blocks[entry]))
        index.connect(block)
        connected.append(block)
    return orphaned[::-1], connected
