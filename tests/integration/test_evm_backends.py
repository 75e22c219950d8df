"""One conformance suite for every EvmBackend: JSON-RPC on anvil (HTTP and WebSocket), embedded.

The contracts here are hand-assembled EVM bytecode (a few opcodes each) so that the suite
needs no compiler; token contracts compiled from Vyper are tested in test_evm_tokens.py.
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from chains.errors import (
    BackendProtocolError,
    BackendUnavailable,
    InvalidAddressChecksum,
    MalformedAddress,
    WrongServerNetwork,
)
from chains.evm.backend import CallRequest, EvmBackend, JsonValue, LogFilter, RpcCall, RpcError
from chains.evm.embedded import EmbeddedBackend
from chains.evm.errors import (
    ExecutionReverted,
    InsufficientFundsForGas,
    InvalidTxHash,
    NonceTooLow,
)
from chains.evm.fees import estimate_fees
from chains.evm.jsonrpc import JsonRpcBackend
from chains.evm.snapshot import account_snapshot
from chains.registry import EvmNetwork, get_network
from tests.conftest import PASSWORD
from tests.nodes.evm import (
    AnvilDevnet,
    AnvilNode,
    anvil,
    anvil_binary,
    anvil_factory,
    free_port,
    missing_node,
)
from wallet import EvmAccount, Wallet
from wallet.errors import BackendUnavailable as WalletBackendUnavailable

__all__ = ["anvil", "anvil_binary", "anvil_factory"]  # fixtures used from the node plugin

LOCAL = get_network("evm-local")
EMBEDDED = get_network("evm-embedded")
assert isinstance(LOCAL, EvmNetwork)
assert isinstance(EMBEDDED, EvmNetwork)


def deployer(runtime: bytes) -> bytes:
    """Return initcode that deploys ``runtime`` (CODECOPY it to memory, RETURN it)."""
    n = len(runtime)
    assert n < 256
    return bytes.fromhex(f"60{n:02x}600c60003960{n:02x}6000f3") + runtime


RETURNS_42 = bytes.fromhex("602a60005260206000f3")  # MSTORE 42 at 0; RETURN 32 bytes
REVERTS = bytes.fromhex("60006000fd")  # REVERT with no data
TOPIC = bytes.fromhex("c0ffee" + "00" * 29)
EMITS_LOG1 = bytes.fromhex("7f") + TOPIC + bytes.fromhex("60006000a100")  # LOG1(TOPIC); STOP


class EvmBackendConformance:
    """What every EvmBackend must do; subclasses provide ``backend`` and ``devnet``."""

    network: EvmNetwork

    @pytest.fixture
    def backend(self) -> Iterator[EvmBackend]:
        raise NotImplementedError

    @pytest.fixture
    def devnet(self, backend: EvmBackend) -> Any:
        raise NotImplementedError

    def test_satisfies_protocol(self, backend: EvmBackend) -> None:
        assert isinstance(backend, EvmBackend)
        assert backend.network == self.network

    def test_chain_id(self, backend: EvmBackend) -> None:
        assert backend.chain_id() == self.network.chain_id

    def test_balance_and_block_number(self, backend: EvmBackend, devnet: Any) -> None:
        who = Account.create().address
        before = backend.block_number()
        assert backend.get_balance(who) == 0
        receipt = devnet.fund(who, 12345)
        assert backend.get_balance(who) == 12345
        assert backend.get_balance(who, receipt.block_number - 1) == 0
        assert backend.block_number() > before

    def test_bad_addresses_are_refused(self, backend: EvmBackend) -> None:
        with pytest.raises(MalformedAddress):
            backend.get_balance("0x1234")
        good = Account.create().address
        typo = good[:2] + good[2:].swapcase() if good[2:].swapcase() != good[2:] else None
        mixed = "0x" + "aB" * 20
        with pytest.raises(InvalidAddressChecksum):
            backend.get_balance(mixed)
        if typo is not None and typo[2:] not in (typo[2:].lower(), typo[2:].upper()):
            with pytest.raises(InvalidAddressChecksum):
                backend.get_balance(typo)

    def test_code_and_call(self, backend: EvmBackend, devnet: Any) -> None:
        contract = devnet.deploy_contract(deployer(RETURNS_42))
        assert backend.get_code(contract) == RETURNS_42
        assert backend.get_code(Account.create().address) == b""
        assert backend.call(contract, b"") == (42).to_bytes(32, "big")

    def test_call_that_reverts(self, backend: EvmBackend, devnet: Any) -> None:
        contract = devnet.deploy_contract(deployer(REVERTS))
        with pytest.raises(ExecutionReverted) as info:
            backend.call(contract, b"\x01\x02\x03\x04")
        assert info.value.data == b""

    def test_estimate_gas_of_a_transfer(self, backend: EvmBackend, devnet: Any) -> None:
        sender = devnet.prefunded_accounts()[0]
        req = CallRequest(to=Account.create().address, sender=sender, value=1)
        assert backend.estimate_gas(req) == 21000

    def test_fees(self, backend: EvmBackend, devnet: Any) -> None:
        devnet.fund(Account.create().address, 1)
        history = backend.fee_history(2, "latest", [10, 50, 90])
        blocks = len(history.gas_used_ratio)
        assert 1 <= blocks <= 2
        assert len(history.base_fee_per_gas) == blocks + 1
        assert all(len(row) == 3 for row in history.reward)
        assert backend.gas_price() > 0
        assert backend.max_priority_fee() >= 0

    def test_send_raw_transaction(self, backend: EvmBackend, devnet: Any) -> None:
        acct = Account.create()
        devnet.fund(acct.address, 10**18)
        to = Account.create().address
        nonce = backend.get_transaction_count(acct.address)
        assert nonce == 0
        base = backend.get_block("latest")
        assert base is not None
        fee_cap = 2 * (base.base_fee_per_gas or 0) + 10**9
        tx = {
            "chainId": self.network.chain_id,
            "nonce": nonce,
            "to": to,
            "value": 777,
            "gas": 21000,
            "maxFeePerGas": fee_cap,
            "maxPriorityFeePerGas": 10**9,
        }
        signed = acct.sign_transaction(tx)
        tx_hash = backend.send_raw_transaction(signed.raw_transaction)
        assert tx_hash == "0x" + signed.hash.hex().removeprefix("0x")
        devnet.mine_blocks(1)
        receipt = backend.get_receipt(tx_hash)
        assert receipt is not None
        assert receipt.success
        assert receipt.gas_used == 21000
        assert receipt.fee == 21000 * receipt.effective_gas_price
        got = backend.get_transaction(tx_hash)
        assert got is not None
        assert (got.sender, got.to, got.value, got.nonce) == (acct.address, to, 777, 0)
        assert got.tx_type == 2
        assert got.block_number == receipt.block_number
        assert backend.get_balance(to) == 777
        assert backend.get_transaction_count(acct.address, "latest") == 1
        block = backend.get_block(receipt.block_number, full=True)
        assert block is not None
        assert tx_hash in block.transaction_hashes
        assert any(t.hash == tx_hash for t in block.transactions)
        again = acct.sign_transaction({**tx, "value": 778})
        with pytest.raises(NonceTooLow):
            backend.send_raw_transaction(again.raw_transaction)

    def test_insufficient_funds(self, backend: EvmBackend) -> None:
        broke = Account.create()
        tx = {
            "chainId": self.network.chain_id,
            "nonce": 0,
            "to": Account.create().address,
            "value": 1,
            "gas": 21000,
            "maxFeePerGas": 10**11,
            "maxPriorityFeePerGas": 10**9,
        }
        with pytest.raises(InsufficientFundsForGas):
            backend.send_raw_transaction(broke.sign_transaction(tx).raw_transaction)

    def test_unknown_things_are_none(self, backend: EvmBackend) -> None:
        unknown = "0x" + "ab" * 32
        assert backend.get_transaction(unknown) is None
        assert backend.get_receipt(unknown) is None
        assert backend.get_block(10**9) is None
        with pytest.raises(InvalidTxHash):
            backend.get_receipt("0x1234")

    def test_logs(self, backend: EvmBackend, devnet: Any) -> None:
        contract = devnet.deploy_contract(deployer(EMITS_LOG1))
        receipt = devnet.transact(contract, b"")
        assert len(receipt.logs) == 1
        flt = LogFilter(receipt.block_number, receipt.block_number, (contract,), ((TOPIC,),))
        logs = backend.get_logs(flt)
        assert [(x.address, x.topics, x.transaction_hash) for x in logs] == [
            (contract, (TOPIC,), receipt.transaction_hash)
        ]
        other = LogFilter(0, "latest", (contract,), ((b"\x01" * 32,),))
        assert backend.get_logs(other) == ()

    def test_batch(self, backend: EvmBackend, devnet: Any) -> None:
        who = Account.create().address
        devnet.fund(who, 5)
        out = backend.batch(
            [
                RpcCall("eth_chainId"),
                RpcCall("eth_getBalance", (who, "latest")),
                RpcCall("coffer_noSuchMethod"),
            ]
        )
        assert out[0] == hex(self.network.chain_id)
        assert out[1] == "0x5"
        assert isinstance(out[2], RpcError)
        assert out[2].code in (-32601, -32602)  # anvil over WS says "invalid params"
        assert backend.batch([]) == ()

    def test_account_snapshot(self, backend: EvmBackend, devnet: Any) -> None:
        who = Account.create().address
        devnet.fund(who, 12345)
        tip = backend.get_block("latest")
        assert tip is not None
        snap = account_snapshot(backend, who, [], (tip.number, tip.hash))
        assert snap.balances.native == 12345
        assert snap.pending_balance == 12345
        assert (snap.nonce_mined, snap.nonce_pending) == (0, 0)
        assert snap.tip.number >= tip.number
        assert not snap.reorganised
        other_hash = "0x" + ("11" if tip.hash[2:4] != "11" else "22") * 32
        assert account_snapshot(backend, who, [], (tip.number, other_hash)).reorganised
        assert account_snapshot(backend, who, [], (snap.tip.number + 1000, tip.hash)).reorganised
        assert not account_snapshot(backend, who, [], None).reorganised

    def test_closed_backend_is_unavailable(self, backend: EvmBackend) -> None:
        backend.close()
        with pytest.raises(BackendUnavailable):
            backend.block_number()


class TestEmbeddedBackend(EvmBackendConformance):
    network = EMBEDDED

    @pytest.fixture
    def backend(self) -> Iterator[EvmBackend]:
        b = EmbeddedBackend(EMBEDDED)
        yield b
        b.close()

    @pytest.fixture
    def devnet(self, backend: EmbeddedBackend) -> EmbeddedBackend:
        return backend

    def test_refuses_another_network(self) -> None:
        with pytest.raises(WrongServerNetwork) as info:
            EmbeddedBackend(LOCAL)
        assert info.value.actual == str(EMBEDDED.chain_id)


class TestJsonRpcHttp(EvmBackendConformance):
    network = LOCAL

    @pytest.fixture
    def backend(self, anvil: AnvilNode) -> Iterator[EvmBackend]:
        b = JsonRpcBackend(LOCAL, [anvil.http_url], timeout=10)
        yield b
        b.close()

    @pytest.fixture
    def devnet(self, backend: JsonRpcBackend) -> AnvilDevnet:
        return AnvilDevnet(backend)

    def test_batch_is_one_round_trip(self, backend: JsonRpcBackend) -> None:
        before = backend.round_trips
        backend.batch([RpcCall("eth_blockNumber")] * 50)
        assert backend.round_trips == before + 1


class TestJsonRpcWebSocket(TestJsonRpcHttp):
    @pytest.fixture
    def backend(self, anvil: AnvilNode) -> Iterator[EvmBackend]:
        b = JsonRpcBackend(LOCAL, [anvil.ws_url], timeout=10)
        yield b
        b.close()


def test_missing_node_skips_or_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COFFER_REQUIRE_NODES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="anvil is not installed"):
        missing_node("anvil is not installed")
    monkeypatch.setenv("COFFER_REQUIRE_NODES", "1")
    with pytest.raises(pytest.fail.Exception, match="COFFER_REQUIRE_NODES=1"):
        missing_node("anvil is not installed")


def dead_url() -> str:
    return f"http://127.0.0.1:{free_port()}"


class TestJsonRpcConnections:
    def test_node_of_another_chain_is_refused(
        self, anvil_factory: Callable[..., AnvilNode]
    ) -> None:
        mainnet_id = anvil_factory(1)
        with pytest.raises(WrongServerNetwork) as info:
            JsonRpcBackend(LOCAL, [mainnet_id.http_url])
        assert (info.value.expected, info.value.actual) == ("31337", "1")
        assert "chain id 1" in str(info.value)

    def test_fails_over_past_dead_and_foreign_nodes(
        self, anvil: AnvilNode, anvil_factory: Callable[..., AnvilNode]
    ) -> None:
        foreign = anvil_factory(5)
        b = JsonRpcBackend(LOCAL, [dead_url(), foreign.ws_url, anvil.http_url], timeout=5)
        assert b.server == f"http://127.0.0.1:{anvil.port}"
        assert b.chain_id() == 31337
        b.close()

    def test_no_node_reachable(self) -> None:
        with pytest.raises(BackendUnavailable):
            JsonRpcBackend(LOCAL, [dead_url()], timeout=2)
        with pytest.raises(BackendUnavailable) as info:
            JsonRpcBackend(LOCAL, [dead_url(), "ws://127.0.0.1:1"], timeout=2)
        assert "None of the 2 nodes" in str(info.value)

    def test_node_that_goes_away(self, anvil_factory: Callable[..., AnvilNode]) -> None:
        node = anvil_factory(31337)
        for url in (node.http_url, node.ws_url):
            b = JsonRpcBackend(LOCAL, [url], timeout=3)
            assert b.block_number() == 0
            b.close()
        b_http = JsonRpcBackend(LOCAL, [node.http_url], timeout=3)
        b_ws = JsonRpcBackend(LOCAL, [node.ws_url], timeout=3)
        node.stop()
        with pytest.raises(BackendUnavailable):
            b_http.block_number()
        with pytest.raises(BackendUnavailable):
            b_ws.block_number()

    def test_fails_over_when_the_node_in_use_goes_away(
        self, anvil: AnvilNode, anvil_factory: Callable[..., AnvilNode]
    ) -> None:
        first = anvil_factory(31337)
        b = JsonRpcBackend(LOCAL, [first.http_url, anvil.http_url], timeout=3)
        assert b.server.endswith(f":{first.port}")
        first.stop()
        assert b.chain_id() == 31337
        assert b.server.endswith(f":{anvil.port}")

    def test_silent_node_times_out(self) -> None:
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts connections, never answers
        try:
            with pytest.raises(BackendUnavailable, match="did not answer in time"):
                JsonRpcBackend(LOCAL, [f"http://127.0.0.1:{silent.getsockname()[1]}"], timeout=0.5)
        finally:
            silent.close()

    def test_credentials_never_show(self) -> None:
        url = f"http://user:s3cret@127.0.0.1:{free_port()}/v3/APIKEY123"
        with pytest.raises(BackendUnavailable) as info:
            JsonRpcBackend(LOCAL, [url], timeout=2)
        assert "s3cret" not in str(info.value)
        assert "APIKEY123" not in str(info.value)
        assert "s3cret" not in info.value.server

    def test_unsupported_scheme(self) -> None:
        with pytest.raises(ValueError, match="only http"):
            JsonRpcBackend(LOCAL, ["ftp://127.0.0.1:1"])
        with pytest.raises(ValueError, match="No JSON-RPC URL"):
            JsonRpcBackend(EMBEDDED)


class Garbler:
    """A loopback HTTP proxy to a real node that answers one method with garbage.

    Every request goes to the node; in its answer the ``result`` of each call of ``method``
    is replaced by ``garbage`` (a node or a middlebox answering nonsense).
    """

    def __init__(self, upstream: str, method: str, garbage: JsonValue) -> None:
        self.upstream, self.method, self.garbage = upstream, method, garbage
        garbler = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                payload = garbler.forward(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def forward(self, body: bytes) -> bytes:
        """Send a request to the node; return its answer with the garbage put in."""
        request = json.loads(body)
        calls = request if isinstance(request, list) else [request]
        targets = {c["id"] for c in calls if c["method"] == self.method}
        upstream = urllib.request.Request(  # noqa: S310 - the loopback anvil
            self.upstream, body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(upstream, timeout=10) as resp:  # noqa: S310
            answer = json.loads(resp.read())
        for item in answer if isinstance(answer, list) else [answer]:
            if item.get("id") in targets:
                item["result"] = self.garbage
        return json.dumps(answer).encode()

    def __enter__(self) -> Garbler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


FUNDED = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  # anvil's first prefunded account


@pytest.mark.parametrize("garbage", ["0x-1", "0x1_0", "0x10 ", "0x+1", "0x", "12"])
def test_a_garbage_quantity_is_refused(anvil: AnvilNode, garbage: str) -> None:
    with Garbler(anvil.http_url, "eth_getBalance", garbage) as proxy:
        backend = JsonRpcBackend(LOCAL, [proxy.url])
        with pytest.raises(BackendProtocolError, match="not a hex quantity"):
            backend.get_balance(FUNDED)
        direct = JsonRpcBackend(LOCAL, [anvil.http_url])
        assert backend.get_transaction_count(FUNDED) == direct.get_transaction_count(FUNDED)
        direct.close()
        backend.close()


@pytest.mark.parametrize("garbage", ["0x60 00 ", "0x6", "0x60_0", "60"])
def test_garbage_data_is_refused(anvil: AnvilNode, garbage: str) -> None:
    with Garbler(anvil.http_url, "eth_getCode", garbage) as proxy:
        backend = JsonRpcBackend(LOCAL, [proxy.url])
        with pytest.raises(BackendProtocolError, match="not hex data"):
            backend.get_code(FUNDED)
        backend.close()


def test_a_fee_history_without_its_percentiles_is_refused(anvil: AnvilNode) -> None:
    short = {
        "oldestBlock": "0x0",
        "baseFeePerGas": ["0x3b9aca00", "0x3b9aca00"],
        "gasUsedRatio": [0.5],
        "reward": [["0x1"]],  # one tip where three percentiles were asked for
    }
    with Garbler(anvil.http_url, "eth_feeHistory", short) as proxy:
        backend = JsonRpcBackend(LOCAL, [proxy.url])
        with pytest.raises(BackendProtocolError, match="without the percentiles"):
            estimate_fees(backend)
        backend.close()


def test_a_node_answering_a_negative_balance_changes_nothing(
    anvil: AnvilNode, tmp_path: Path
) -> None:
    wallet = Wallet.create(tmp_path / "w.coffer", PASSWORD)
    wallet.backends.set_servers("evm-local", [anvil.http_url])
    account = wallet.account("evm-local")
    assert isinstance(account, EvmAccount)
    AnvilDevnet(JsonRpcBackend(LOCAL, [anvil.http_url])).fund(account.address, 10**18)
    account.sync()
    before = (account.balance(), account.history())
    with Garbler(anvil.http_url, "eth_getBalance", "0x-de0b6b3a7640000") as proxy:
        wallet.backends.set_servers("evm-local", [proxy.url])
        with pytest.raises(WalletBackendUnavailable, match="not a hex quantity"):
            account.sync()
    assert (account.balance(), account.history()) == before
    wallet.close()
