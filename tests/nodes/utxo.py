"""Pytest plugin: a real Litecoin Core regtest node and ElectrumX over it, for UTXO tests.

Fixtures:
    litecoind_binary: the ``litecoind`` executable (skips, or fails under
        ``COFFER_REQUIRE_NODES=1``, when it is missing; ``scripts/setup-nodes.sh`` installs it).
    electrumx_binary: ``.venv-electrumx/bin/electrumx_server`` (same rule).
    litecoind: a session-wide ``litecoind -regtest`` in a temporary datadir on free loopback
        ports, with a funded node wallet ``w`` (mined past coinbase maturity, far below the
        MWEB activation height 432).
    electrumx: a session-wide ElectrumX (TCP and TLS with a self-signed certificate) over it.
    electrumx_factory: more ElectrumX servers over the same node, stopped after the test
        (``factory(limits=CostLimits(...))`` starts one that throttles sessions early).

``LitecoinNode`` and ``ElectrumXServer`` carry the helpers tests need: ``mine``, ``fund``,
``reorg`` (``invalidateblock`` then a longer chain: ElectrumX only notices a reorg once the
chain grows past its old tip), ``wait_for_height`` / ``wait_for_tx`` (poll, never sleep a
fixed time) and ``stop`` / ``start`` for a server that goes away and comes back.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chains.addresses import output_address
from chains.registry import UtxoNetwork, get_network
from chains.utxo.backend import BlockRef, scripthash
from chains.utxo.electrum.connection import Call, ElectrumConnection, RpcFailure, ServerAddress
from tests.nodes.evm import free_port, missing_node

ROOT = Path(__file__).resolve().parents[2]
ELECTRUMX_IN_VENV = ROOT / ".venv-electrumx/bin/electrumx_server"
STARTUP_SECONDS = 60.0
WAIT_SECONDS = 60.0
MATURE_HEIGHT = 110
MWEB_HEIGHT = 432


def litecoin_regtest() -> UtxoNetwork:
    """Return the ``litecoin-regtest`` network."""
    net = get_network("litecoin-regtest")
    assert isinstance(net, UtxoNetwork)
    return net


def to_coins(sats: int) -> str:
    """Return an amount in base units as the decimal coin string nodes take."""
    return str(Decimal(sats) / 100_000_000)


class RpcError(Exception):
    """The node refused an RPC; ``code`` and ``message`` are its own."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass
class LitecoinNode:
    """A running ``litecoind -regtest`` with an RPC helper and chain helpers."""

    process: subprocess.Popen[bytes]
    datadir: Path
    rpc_port: int
    p2p_port: int
    user: str = "u"
    password: str = "p"
    mining_address: str = ""
    network: UtxoNetwork = field(default_factory=litecoin_regtest)

    @property
    def url(self) -> str:
        """Return the RPC URL without credentials."""
        return f"http://127.0.0.1:{self.rpc_port}/"

    @property
    def url_with_auth(self) -> str:
        """Return the RPC URL with user and password (for ElectrumX's DAEMON_URL)."""
        return f"http://{self.user}:{self.password}@127.0.0.1:{self.rpc_port}/"

    def rpc(self, method: str, *params: Any, wallet: str | None = "w", timeout: float = 60) -> Any:
        """Call an RPC (on wallet ``w`` by default) and return its result."""
        path = f"wallet/{wallet}" if wallet else ""
        body = json.dumps({"jsonrpc": "1.0", "id": 1, "method": method, "params": list(params)})
        auth = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        req = urllib.request.Request(  # noqa: S310 - a loopback URL we built
            self.url + path,
            body.encode(),
            {"Content-Type": "application/json", "Authorization": f"Basic {auth}"},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
                answer = json.loads(resp.read(), parse_float=Decimal)
        except urllib.error.HTTPError as e:
            answer = json.loads(e.read() or b"{}", parse_float=Decimal)
            if not answer.get("error"):
                raise
        if answer.get("error"):
            raise RpcError(answer["error"]["code"], answer["error"]["message"])
        return answer["result"]

    def answers(self) -> bool:
        """Return whether RPC answers (the node has finished starting)."""
        try:
            self.rpc("getblockcount", wallet=None, timeout=2)
        except (OSError, RpcError, ValueError):
            return False
        return True

    def height(self) -> int:
        """Return the node's block count."""
        return int(self.rpc("getblockcount", wallet=None))

    def tip(self) -> BlockRef:
        """Return the node's tip."""
        best = self.rpc("getbestblockhash", wallet=None)
        return BlockRef(int(self.rpc("getblockheader", best, wallet=None)["height"]), best)

    def address_of(self, script: bytes) -> str:
        """Return the regtest address of an output script."""
        address = output_address(self.network, script)
        assert address is not None, f"no address for script {script.hex()}"
        return address

    def new_script(self) -> bytes:
        """Return the output script of a fresh node-wallet address (the node can spend it)."""
        address = self.rpc("getnewaddress", "", "bech32")
        return bytes.fromhex(self.rpc("getaddressinfo", address)["scriptPubKey"])

    def mine(self, n: int = 1, address: str | None = None) -> list[str]:
        """Mine ``n`` blocks to ``address`` (the node wallet's by default); return hashes."""
        if self.height() + n >= MWEB_HEIGHT:
            raise RuntimeError("the test chain would reach MWEB activation (height 432)")
        hashes: list[str] = self.rpc(
            "generatetoaddress", n, address or self.mining_address, wallet=None
        )
        return hashes

    def fund(self, address: str, sats: int) -> str:
        """Send ``sats`` from the node wallet to ``address`` (unconfirmed); return the txid."""
        txid: str = self.rpc("sendtoaddress", address, to_coins(sats))
        return txid

    def signed_payment(self, address: str, sats: int, *, rbf: bool = False) -> bytes:
        """Return a signed, valid, not broadcast transaction paying ``sats`` to ``address``."""
        raw = self.rpc("createrawtransaction", [], {address: to_coins(sats)}, 0, rbf)
        funded = self.rpc("fundrawtransaction", raw, {"replaceable": rbf})["hex"]
        signed = self.rpc("signrawtransactionwithwallet", funded)
        assert signed["complete"], signed
        return bytes.fromhex(signed["hex"])

    def reorg(self, depth: int, *, keep_txs: bool = True) -> list[str]:
        """Replace the last ``depth`` blocks by ``depth + 1`` new ones; return the new hashes.

        With ``keep_txs`` the new blocks are empty (``generateblock`` with no transactions),
        so the orphaned blocks' transactions go back to the mempool, unconfirmed; without it
        they are mined again (``generatetoaddress``) at other heights.
        """
        height = self.height()
        first = self.rpc("getblockhash", height - depth + 1, wallet=None)
        self.rpc("invalidateblock", first, wallet=None)
        if not keep_txs:
            return self.mine(depth + 1)
        return [
            self.rpc("generateblock", self.mining_address, [], wallet=None)["hash"]
            for _ in range(depth + 1)
        ]

    def stop(self) -> None:
        """Stop the node and remove its datadir."""
        if self.process.poll() is None:
            try:
                self.rpc("stop", wallet=None, timeout=10)
            except (OSError, RpcError, ValueError):
                self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.datadir, ignore_errors=True)


def find_litecoind() -> Path | None:
    """Return ``litecoind`` from ``$COFFER_LITECOIND`` or the PATH."""
    env = os.environ.get("COFFER_LITECOIND")
    if env and Path(env).is_file():
        return Path(env)
    found = shutil.which("litecoind")
    return Path(found) if found else None


def start_litecoind(binary: Path) -> LitecoinNode:
    """Start a regtest node in a temporary datadir, create wallet ``w`` and mature coins.

    Raises:
        RuntimeError: the node exited or did not answer within a minute.
    """
    datadir = Path(tempfile.mkdtemp(prefix="coffer-ltc-"))
    rpc_port, p2p_port = free_port(), free_port()
    args = [
        str(binary),
        "-regtest",
        f"-datadir={datadir}",
        "-listen=0",
        "-txindex=1",
        "-mempoolreplacement=1",
        "-fallbackfee=0.0001",
        "-rpcuser=u",
        "-rpcpassword=p",
        f"-rpcport={rpc_port}",
        f"-port={p2p_port}",
        "-rpcbind=127.0.0.1",
        "-rpcallowip=127.0.0.1",
        "-rpcworkqueue=64",
        "-printtoconsole=0",
    ]
    log = (datadir / "stdout.log").open("wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    node = LitecoinNode(proc, datadir, rpc_port, p2p_port)
    deadline = time.monotonic() + STARTUP_SECONDS
    while not node.answers():
        if proc.poll() is not None or time.monotonic() > deadline:
            text = (datadir / "stdout.log").read_text(errors="replace")[-2000:]
            node.stop()
            raise RuntimeError(f"litecoind did not start: {text}")
        time.sleep(0.05)
    node.rpc("createwallet", "w", wallet=None)
    node.mining_address = node.rpc("getnewaddress", "", "bech32")
    node.mine(MATURE_HEIGHT)
    return node


def _self_signed_cert(workdir: Path) -> tuple[Path, Path]:
    """Write a self-signed certificate for 127.0.0.1 (ElectrumX's TLS service)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = workdir / "cert.pem", workdir / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def cert_fingerprint(cert_path: Path) -> str:
    """Return the SHA-256 fingerprint (hex) of a PEM certificate's DER form."""
    der = ssl.PEM_cert_to_DER_cert(cert_path.read_text())
    return hashlib.sha256(der).hexdigest()


@dataclass(frozen=True)
class CostLimits:
    """ElectrumX's per-session throttling, as its environment variables set it.

    ElectrumX (``server/env.py``, ``server/session.py``; aiorpcx ``SessionBase``) charges each
    session a cost per request and per byte (one per ``bandwidth_unit_cost`` bytes) that
    decays by ``hard / 10000`` per second. Above ``soft`` every request first sleeps up to
    ``request_sleep_ms`` in proportion to how far the cost is towards ``hard``, and fewer run
    at once (``initial_concurrent`` falling to none); a request not answered within
    ``request_timeout_s`` is answered "server busy" (which costs 100 more), and at ``hard``
    the session is refused ("excessive resource usage") and closed. ElectrumX's defaults
    are 1,000, 10,000, 2,500 ms, 30 s, 10 and 5,000.
    """

    soft: int = 1000
    hard: int = 10_000
    request_sleep_ms: int = 2500
    request_timeout_s: int = 30
    initial_concurrent: int = 10
    bandwidth_unit_cost: int = 5000

    def env(self) -> dict[str, str]:
        """Return the environment variables that set these limits."""
        return {
            "COST_SOFT_LIMIT": str(self.soft),
            "COST_HARD_LIMIT": str(self.hard),
            "REQUEST_SLEEP": str(self.request_sleep_ms),
            "REQUEST_TIMEOUT": str(self.request_timeout_s),
            "INITIAL_CONCURRENT": str(self.initial_concurrent),
            "BANDWIDTH_UNIT_COST": str(self.bandwidth_unit_cost),
        }


@dataclass
class ElectrumXServer:
    """An ElectrumX process over a ``LitecoinNode``; it can be stopped and started again."""

    binary: Path
    node: LitecoinNode
    workdir: Path
    tcp_port: int
    ssl_port: int
    cert: Path
    key: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    fingerprint: str = ""

    def __post_init__(self) -> None:
        self.fingerprint = cert_fingerprint(self.cert)

    @property
    def tcp(self) -> ServerAddress:
        """Return the plain TCP service."""
        return ServerAddress("127.0.0.1", self.tcp_port, tls=False)

    @property
    def ssl(self) -> ServerAddress:
        """Return the TLS service, pinned to its self-signed certificate."""
        return ServerAddress("127.0.0.1", self.ssl_port, True, self.fingerprint)

    def start(self) -> None:
        """Start (again, on the same ports and database) and wait until it has the node's tip.

        Raises:
            RuntimeError: it exited or did not catch up within a minute.
        """
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.workdir),
            "COIN": "Litecoin",
            "NET": "regtest",
            "DB_ENGINE": "leveldb",
            "DB_DIRECTORY": str(self.workdir / "db"),
            "DAEMON_URL": self.node.url_with_auth,
            "SERVICES": f"tcp://127.0.0.1:{self.tcp_port},ssl://127.0.0.1:{self.ssl_port}",
            "SSL_CERTFILE": str(self.cert),
            "SSL_KEYFILE": str(self.key),
            "ALLOW_ROOT": "1",
            "PEER_DISCOVERY": "off",
            "PEER_ANNOUNCE": "",
            "DAEMON_POLL_INTERVAL_BLOCKS": "100",
            "DAEMON_POLL_INTERVAL_MEMPOOL": "100",
            "CACHE_MB": "64",
            "LOG_LEVEL": "info",
            **self.extra_env,
        }
        (self.workdir / "db").mkdir(exist_ok=True)
        log = (self.workdir / "electrumx.log").open("ab")
        self.process = subprocess.Popen(
            [str(self.binary)], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if self.process.poll() is not None:
                text = (self.workdir / "electrumx.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"electrumx exited with {self.process.returncode}: {text}")
            height = self._height()
            if height is not None and height >= self.node.height():
                return
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("electrumx did not catch up with the node within a minute")
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the process (SIGINT, as ElectrumX expects) and wait for it."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    def request(self, *calls: Call) -> list[Any]:
        """Send requests on a fresh connection (answered at once: ElectrumX's padding only
        delays answers after a session's first KiB)."""
        conn = ElectrumConnection(self.tcp, timeout=10)
        conn.open()
        try:
            conn.call_many([Call("server.version", ("coffer-tests", "1.4"))])
            return conn.call_many(list(calls))
        finally:
            conn.close()

    def _height(self) -> int | None:
        try:
            (tip,) = self.request(Call("blockchain.headers.subscribe"))
        except (ConnectionError, OSError, ValueError):
            return None
        if isinstance(tip, RpcFailure):
            return None
        return int(tip["height"])

    def wait_for_height(self, height: int | None = None) -> None:
        """Poll until ElectrumX reports ``height`` (the node's height by default)."""
        target = self.node.height() if height is None else height
        deadline = time.monotonic() + WAIT_SECONDS
        while (self._height() or -1) < target:
            if time.monotonic() > deadline:
                raise TimeoutError(f"electrumx did not reach height {target}")
            time.sleep(0.05)

    def wait_for_tx(self, txid: str) -> None:
        """Poll until ElectrumX's index lists ``txid`` the way the node sees it now.

        A confirmed transaction must show at its block's height, a mempool one at 0/-1.
        """
        info = self.node.rpc("getrawtransaction", txid, True, wallet=None)
        confirmed = bool(info.get("blockhash"))
        script = bytes.fromhex(info["vout"][0]["scriptPubKey"]["hex"])
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            (history,) = self.request(
                Call("blockchain.scripthash.get_history", (scripthash(script),))
            )
            for item in history if isinstance(history, list) else []:
                if item["tx_hash"] == txid and (item["height"] > 0) == confirmed:
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"electrumx did not index {txid}")
            time.sleep(0.05)

    def wait_synced(self) -> None:
        """Poll until ElectrumX has the node's tip and every node mempool transaction."""
        self.wait_for_height()
        for txid in self.node.rpc("getrawmempool", wallet=None):
            self.wait_for_tx(txid)

    def log_text(self) -> str:
        """Return what the server logged so far."""
        return (self.workdir / "electrumx.log").read_text(errors="replace")

    def cleanup(self) -> None:
        """Stop and remove the working directory."""
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_electrumx(
    binary: Path, node: LitecoinNode, *, limits: CostLimits | None = None, **extra_env: str
) -> ElectrumXServer:
    """Start an ElectrumX over ``node`` on free loopback ports (TCP and TLS).

    ``limits`` sets its session cost throttling (its defaults otherwise); ``extra_env`` adds
    or overrides any other of its environment variables.
    """
    workdir = Path(tempfile.mkdtemp(prefix="coffer-electrumx-"))
    cert, key = _self_signed_cert(workdir)
    env = {**(limits.env() if limits is not None else {}), **extra_env}
    server = ElectrumXServer(binary, node, workdir, free_port(), free_port(), cert, key, env)
    try:
        server.start()
    except RuntimeError:
        server.cleanup()
        raise
    return server


@pytest.fixture(scope="session")
def litecoind_binary() -> Path:
    """Return the litecoind executable, or skip (fail under COFFER_REQUIRE_NODES=1)."""
    found = find_litecoind()
    if found is None:
        missing_node("litecoind is not installed: run scripts/setup-nodes.sh")
    assert found is not None
    return found


@pytest.fixture(scope="session")
def electrumx_binary() -> Path:
    """Return ElectrumX's server script, or skip (fail under COFFER_REQUIRE_NODES=1)."""
    env = os.environ.get("COFFER_ELECTRUMX")
    found = Path(env) if env else ELECTRUMX_IN_VENV
    if not found.is_file():
        missing_node("ElectrumX is not installed: run scripts/setup-nodes.sh")
    return found


@pytest.fixture(scope="session")
def litecoind(litecoind_binary: Path) -> Iterator[LitecoinNode]:
    """Run one regtest litecoind for the whole session."""
    node = start_litecoind(litecoind_binary)
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="session")
def electrumx(electrumx_binary: Path, litecoind: LitecoinNode) -> Iterator[ElectrumXServer]:
    """Run one ElectrumX over the session's litecoind."""
    server = start_electrumx(electrumx_binary, litecoind)
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def electrumx_factory(
    electrumx_binary: Path, litecoind: LitecoinNode
) -> Iterator[Callable[..., ElectrumXServer]]:
    """Start extra ElectrumX servers (``factory(limits=..., **env)``); all stop after the test."""
    started: list[ElectrumXServer] = []

    def factory(*, limits: CostLimits | None = None, **extra_env: str) -> ElectrumXServer:
        server = start_electrumx(electrumx_binary, litecoind, limits=limits, **extra_env)
        started.append(server)
        return server

    try:
        yield factory
    finally:
        for server in started:
            server.cleanup()


class LitecoinChain:
    """The conformance suite's ``ChainControl`` on litecoind (and ElectrumX, when indexed).

    With ``indexer`` set, every change waits until ElectrumX has seen it.
    """

    def __init__(self, node: LitecoinNode, indexer: ElectrumXServer | None = None) -> None:
        self.node = node
        self.indexer = indexer

    @property
    def network(self) -> UtxoNetwork:
        return self.node.network

    def tip(self) -> BlockRef:
        return self.node.tip()

    def mine(self, n: int = 1, script: bytes | None = None) -> list[str]:
        address = None if script is None else self.node.address_of(script)
        hashes = self.node.mine(n, address)
        self._wait_height()
        return hashes

    def fund(self, script: bytes, amount_sats: int) -> str:
        txid = self.node.fund(self.node.address_of(script), amount_sats)
        self.wait_for_tx(txid)
        return txid

    def signed_payment(self, script: bytes, amount_sats: int) -> bytes:
        return self.node.signed_payment(self.node.address_of(script), amount_sats)

    def double_spend(self, raw_tx: bytes, script: bytes) -> bytes:
        from primitives.tx import Transaction

        tx = Transaction.parse(raw_tx)
        total = 0
        for txin in tx.inputs:
            parent = self.node.rpc("getrawtransaction", txin.prevout.txid_hex, True, wallet=None)
            total += int(Decimal(parent["vout"][txin.prevout.vout]["value"]) * 100_000_000)
        inputs = [{"txid": i.prevout.txid_hex, "vout": i.prevout.vout} for i in tx.inputs]
        outputs = {self.node.address_of(script): to_coins(total - 5_000)}
        raw = self.node.rpc("createrawtransaction", inputs, outputs)
        signed = self.node.rpc("signrawtransactionwithwallet", raw)
        assert signed["complete"], signed
        return bytes.fromhex(signed["hex"])

    def wait_for_tx(self, txid: str) -> None:
        if self.indexer is not None:
            self.indexer.wait_for_tx(txid)

    def reorg(self, depth: int) -> list[str]:
        hashes = self.node.reorg(depth)
        self._wait_height()
        return hashes

    def block_time(self, height: int) -> int:
        block_hash = self.node.rpc("getblockhash", height, wallet=None)
        return int(self.node.rpc("getblockheader", block_hash, True, wallet=None)["time"])

    def _wait_height(self) -> None:
        if self.indexer is not None:
            self.indexer.wait_synced()
