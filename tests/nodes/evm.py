"""Pytest plugin: a real anvil node (npm ``@foundry-rs/anvil-linux-amd64``) for EVM tests.

Fixtures:
    anvil_binary: the path of the anvil executable (skips, or fails under
        ``COFFER_REQUIRE_NODES=1``, when it is missing).
    anvil: a session-wide anvil with chain id 31337 on a free loopback port.
    evm_chain: parametrized over the embedded chain and anvil, with devnet helpers.
    anvil_factory: starts more anvil nodes (another ``--chain-id``, one to kill) and stops
        them at the end of the test.

``AnvilDevnet`` gives an anvil the same devnet-only methods as ``EmbeddedBackend`` (``fund``,
``transact``, ``deploy_contract``, ``mine_blocks``), through anvil's unlocked prefunded
accounts, so tests can run one body against either chain.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from chains.errors import BackendProtocolError
from chains.evm import _parse as p
from chains.evm.abi import encode_call
from chains.evm.backend import JsonValue, Receipt
from chains.evm.contracts import compile_contract
from chains.evm.embedded import EmbeddedBackend
from chains.evm.jsonrpc import JsonRpcBackend
from chains.registry import EvmNetwork, get_network

ROOT = Path(__file__).resolve().parents[2]
ANVIL_IN_TOOLS = ROOT / ".tools/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
STARTUP_SECONDS = 30.0


def find_anvil() -> Path | None:
    """Return anvil from ``$COFFER_ANVIL``, ``.tools`` (scripts/setup-anvil.sh) or the PATH."""
    env = os.environ.get("COFFER_ANVIL")
    if env and Path(env).is_file():
        return Path(env)
    if ANVIL_IN_TOOLS.is_file():
        return ANVIL_IN_TOOLS
    found = shutil.which("anvil")
    return Path(found) if found else None


def missing_node(reason: str) -> None:
    """Skip a test for a missing node, or fail it when ``COFFER_REQUIRE_NODES=1``."""
    if os.environ.get("COFFER_REQUIRE_NODES") == "1":
        pytest.fail(f"{reason} (COFFER_REQUIRE_NODES=1 requires every node)")
    pytest.skip(reason)


def free_port() -> int:
    """Return a loopback TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _chain_id(url: str) -> int | None:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []})
    req = urllib.request.Request(  # noqa: S310 - a loopback http URL we built
        url, body.encode(), {"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=2) as resp:  # noqa: S310
            return int(json.loads(resp.read())["result"], 16)
    except (OSError, urllib.error.URLError, ValueError, KeyError):
        return None


@dataclass
class AnvilNode:
    """A running anvil process."""

    process: subprocess.Popen[bytes]
    port: int
    chain_id: int
    workdir: Path

    @property
    def http_url(self) -> str:
        """Return the node's HTTP JSON-RPC URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        """Return the node's WebSocket JSON-RPC URL."""
        return f"ws://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Stop the node and wait for it to exit."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_anvil(
    binary: Path, chain_id: int = 31337, *extra: str, port: int | None = None
) -> AnvilNode:
    """Start anvil on a free loopback port (or ``port``) and wait until ``eth_chainId`` answers.

    Raises:
        RuntimeError: the node exited or did not answer within 30 seconds.
    """
    port = free_port() if port is None else port
    workdir = Path(tempfile.mkdtemp(prefix="coffer-anvil-"))
    log = (workdir / "anvil.log").open("wb")
    proc = subprocess.Popen(
        [
            str(binary),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--chain-id",
            str(chain_id),
            "--silent",
            *extra,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=workdir,
    )
    node = AnvilNode(proc, port, chain_id, workdir)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            text = (workdir / "anvil.log").read_text(errors="replace")[-2000:]
            node.stop()
            raise RuntimeError(f"anvil exited with {proc.returncode}: {text}")
        if _chain_id(node.http_url) == chain_id:
            return node
        time.sleep(0.05)
    node.stop()
    raise RuntimeError("anvil did not answer eth_chainId within 30 seconds")


class AnvilDevnet:
    """Devnet-only helpers on anvil, matching those of ``EmbeddedBackend``."""

    def __init__(self, backend: JsonRpcBackend) -> None:
        self.backend = backend

    def prefunded_accounts(self) -> tuple[str, ...]:
        result = p.array(self.backend.request("eth_accounts"), "anvil", "accounts")
        return tuple(p.address(a, "anvil") for a in result)

    def transact(
        self, to: str | None, data: bytes, value: int = 0, sender: str | None = None
    ) -> Receipt:
        tx: dict[str, JsonValue] = {
            "from": sender or self.prefunded_accounts()[0],
            "data": "0x" + data.hex(),
            "value": hex(value),
        }
        if to is not None:
            tx["to"] = to
        tx_hash = p.hash32(self.backend.request("eth_sendTransaction", tx), "anvil")
        return self.wait_for_receipt(tx_hash)

    def wait_for_receipt(self, tx_hash: str) -> Receipt:
        """Poll until anvil has mined a transaction (automine answers before it mines)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            receipt = self.backend.get_receipt(tx_hash)
            if receipt is not None:
                return receipt
            time.sleep(0.01)
        raise BackendProtocolError("anvil did not mine the transaction", "anvil")

    def wait_for_fee_history(self) -> None:
        """Poll until anvil's ``eth_feeHistory`` covers its latest block.

        anvil fills its fee history from a background task that hears of each new block after
        the block is mined: right after ``evm_mine`` or a receipt, ``eth_feeHistory`` may still
        answer without the newest block (no rows at all for ``blockCount`` 1), and a fee
        estimate then falls back to the node's idle-chain tip.
        """
        latest = self.backend.block_number()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            history = self.backend.fee_history(1, latest, [])
            if history.oldest_block == latest and len(history.gas_used_ratio) == 1:
                return
            time.sleep(0.01)
        raise BackendProtocolError("anvil's fee history never covered its latest block", "anvil")

    def fund(self, address: str, wei: int) -> Receipt:
        return self.transact(address, b"", value=wei)

    def deploy_contract(self, initcode: bytes, sender: str | None = None) -> str:
        receipt = self.transact(None, initcode, sender=sender)
        assert receipt.contract_address is not None
        return receipt.contract_address

    def mine_blocks(self, count: int = 1) -> None:
        self.backend.request("anvil_mine", hex(count))


@pytest.fixture(scope="session")
def anvil_binary() -> Path:
    """Return the anvil executable, or skip (fail under COFFER_REQUIRE_NODES=1)."""
    found = find_anvil()
    if found is None:
        missing_node("anvil is not installed: run scripts/setup-anvil.sh")
    assert found is not None
    return found


@pytest.fixture(scope="session")
def anvil(anvil_binary: Path) -> Iterator[AnvilNode]:
    """Run one anvil (chain id 31337) for the whole session."""
    node = start_anvil(anvil_binary)
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def anvil_factory(anvil_binary: Path) -> Iterator[Callable[..., AnvilNode]]:
    """Start extra anvil nodes (``factory(chain_id, *args)``); all stop after the test."""
    started: list[AnvilNode] = []

    def factory(chain_id: int = 31337, *extra: str, port: int | None = None) -> AnvilNode:
        node = start_anvil(anvil_binary, chain_id, *extra, port=port)
        started.append(node)
        return node

    try:
        yield factory
    finally:
        for node in started:
            node.stop()


@dataclass
class EvmChain:
    """A backend with its devnet helpers: the embedded chain or anvil."""

    name: str
    backend: Any
    devnet: Any

    def deploy(self, contract: str, types: tuple[str, ...] = (), args: tuple[Any, ...] = ()) -> str:
        """Compile (cached) and deploy ``contracts/<contract>.vy``; return its address."""
        compiled = compile_contract(contract)
        address: str = self.devnet.deploy_contract(compiled.initcode(types, args))
        return address

    def deploy_token(self, symbol: str = "CFT", decimals: int = 18, name: str = "") -> str:
        """Deploy an ERC-20 test token (the first prefunded account is its minter)."""
        return self.deploy(
            "ERC20", ("string", "string", "uint8"), (name or f"{symbol} token", symbol, decimals)
        )

    def send(self, to: str, signature: str, *args: Any, sender: str | None = None) -> Receipt:
        """Send a contract call from a prefunded account and return the receipt."""
        receipt: Receipt = self.devnet.transact(to, encode_call(signature, *args), sender=sender)
        assert receipt.success
        return receipt


@pytest.fixture(params=["embedded", "anvil"])
def evm_chain(request: pytest.FixtureRequest) -> Iterator[EvmChain]:
    """Yield each chain in turn: the embedded eth-tester chain, then anvil (HTTP)."""
    if request.param == "embedded":
        network = get_network("evm-embedded")
        assert isinstance(network, EvmNetwork)
        embedded = EmbeddedBackend(network)
        yield EvmChain("embedded", embedded, embedded)
        embedded.close()
        return
    node: AnvilNode = request.getfixturevalue("anvil")
    network = get_network("evm-local")
    assert isinstance(network, EvmNetwork)
    backend = JsonRpcBackend(network, [node.http_url])
    yield EvmChain("anvil", backend, AnvilDevnet(backend))
    backend.close()
