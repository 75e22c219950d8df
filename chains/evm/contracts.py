"""The test and demo contracts under ``contracts/``, compiled with vyper and cached.

The Vyper sources are in the repository; their bytecode is not. ``compile_contract`` compiles a
source on first use and caches the result under ``build/contracts/`` (or a directory given),
keyed by the source's hash and the compiler's version, so a changed source or compiler never
reuses stale bytecode. vyper is imported only here, only when something must be compiled.
"""

from __future__ import annotations

import decimal
import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eth_abi.abi import encode

__all__ = [
    "CONTRACTS_DIR",
    "CompiledContract",
    "ContractCompileError",
    "compile_contract",
]

CONTRACTS_DIR = Path(__file__).resolve().parents[2] / "contracts"
"""Where the Vyper sources live: ``contracts/`` at the repository root."""

_DEFAULT_CACHE = Path(__file__).resolve().parents[2] / "build" / "contracts"
_VYPER_DECIMAL_DIGITS = 78  # the precision vyper sets for itself on import


class ContractCompileError(RuntimeError):
    """A contract source is missing, or vyper is missing or refused it."""


@dataclass(frozen=True, slots=True)
class CompiledContract:
    """A compiled contract: its name, deployment bytecode and ABI (as JSON text)."""

    name: str
    bytecode: bytes
    abi_json: str

    def initcode(self, types: Sequence[str] = (), args: Sequence[object] = ()) -> bytes:
        """Return the deployment code with ABI-encoded constructor arguments appended."""
        return self.bytecode + (encode(list(types), list(args)) if types else b"")


def compile_contract(name: str, cache_dir: Path | None = None) -> CompiledContract:
    """Compile ``contracts/<name>.vy`` (or take it from the cache).

    Args:
        name: the source's file name without ``.vy``, for example ``"ERC20"``.
        cache_dir: where compiled artifacts are kept; ``build/contracts`` by default.

    Raises:
        ContractCompileError: the source is missing, vyper is not installed, or it failed.
    """
    source_path = CONTRACTS_DIR / f"{name}.vy"
    try:
        source = source_path.read_text()
    except OSError as e:
        raise ContractCompileError(f"There is no contract source {source_path}.") from e
    # vyper replaces the thread's Decimal context on import (78 digits, and it refuses fewer):
    # the caller's money arithmetic keeps its own context; vyper gets its 78 digits only while
    # it compiles.
    caller_context = decimal.getcontext()
    try:
        # A heavy, optional compiler: imported only when something must be compiled.
        import vyper
        from vyper import compile_code
        from vyper.exceptions import VyperException, VyperInternalException
    except ImportError as e:
        raise ContractCompileError("vyper is not installed: pip install vyper.") from e
    finally:
        decimal.setcontext(caller_context)
    digest = hashlib.sha256(f"{vyper.__version__}\0{source}".encode()).hexdigest()[:16]
    cache = cache_dir or _DEFAULT_CACHE
    artifact = cache / f"{name}-{digest}.json"
    if artifact.is_file():
        stored = json.loads(artifact.read_text())
        return CompiledContract(name, bytes.fromhex(stored["bytecode"]), stored["abi"])
    try:
        with decimal.localcontext(decimal.Context(prec=_VYPER_DECIMAL_DIGITS)):
            out = compile_code(source, output_formats=["bytecode", "abi"])
    except (VyperException, VyperInternalException) as e:
        raise ContractCompileError(f"vyper could not compile {name}.vy: {e}") from e
    compiled = CompiledContract(
        name, bytes.fromhex(str(out["bytecode"]).removeprefix("0x")), json.dumps(out["abi"])
    )
    cache.mkdir(parents=True, exist_ok=True)
    # Write then rename, so that parallel test processes never read half a file.
    fd, tmp = tempfile.mkstemp(dir=cache, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump({"bytecode": compiled.bytecode.hex(), "abi": compiled.abi_json}, f)
    Path(tmp).replace(artifact)
    return compiled
