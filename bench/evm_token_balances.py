"""Benchmark (b): balances of 200 ERC-20 tokens of one account, against anvil.

Compares Coffer's batching (one JSON-RPC batch; Multicall3 aggregate3) with one call per token
(web3.py 8 contract calls, the usual peer; and Coffer's own backend called once per token).
Prints round trips and seconds of each, and the ratios. Needs anvil (scripts/setup-anvil.sh)
and vyper.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eth_account import Account
from web3 import HTTPProvider, Web3

from chains.evm import _parse as p
from chains.evm.abi import encode_call
from chains.evm.backend import RpcCall
from chains.evm.balances import fetch_balances
from chains.evm.contracts import compile_contract
from chains.evm.jsonrpc import JsonRpcBackend
from chains.registry import EvmNetwork, get_network
from tests.nodes.evm import AnvilDevnet, find_anvil, start_anvil

TOKENS = 200
REPEAT = 5
BALANCE_OF_ABI = [
    {
        "name": "balanceOf",
        "type": "function",
        "stateMutability": "view",
        "inputs": [{"name": "a", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    }
]


class CountingProvider(HTTPProvider):
    """web3's HTTP provider, counting requests sent."""

    round_trips = 0

    def make_request(self, method, params):  # type: ignore[no-untyped-def]
        CountingProvider.round_trips += 1
        return super().make_request(method, params)


def best(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def send_all(backend: JsonRpcBackend, devnet: AnvilDevnet, calls: list[RpcCall]) -> list[str]:
    """Send transactions in one batch with automine off, then mine until all are in."""
    backend.request("evm_setAutomine", False)
    hashes = [p.hash32(h, "anvil") for h in backend.batch(calls)]
    for _ in range(100):
        backend.request("evm_mine")
        if backend.get_receipt(hashes[-1]) is not None:
            break
    backend.request("evm_setAutomine", True)
    return hashes


def main() -> int:
    binary = find_anvil()
    if binary is None:
        print("anvil is missing: run scripts/setup-anvil.sh")
        return 1
    node = start_anvil(binary)
    try:
        return run(node.http_url)
    finally:
        node.stop()


def run(url: str) -> int:
    local = get_network("evm-local")
    assert isinstance(local, EvmNetwork)
    backend = JsonRpcBackend(local, [url])
    devnet = AnvilDevnet(backend)
    minter = devnet.prefunded_accounts()[0]
    holder = Account.create().address
    devnet.fund(holder, 10**18)

    # Deploy 200 tokens and mint to the holder, each in one batch of eth_sendTransaction.
    erc20 = compile_contract("ERC20")
    # Explicit nonces: anvil handles the requests of a batch concurrently.
    nonce = backend.get_transaction_count(minter)
    deploys = [
        RpcCall(
            "eth_sendTransaction",
            (
                {
                    "from": minter,
                    "nonce": hex(nonce + i),
                    "data": "0x"
                    + erc20.initcode(
                        ("string", "string", "uint8"), (f"Token {i}", f"T{i}", 18)
                    ).hex(),
                },
            ),
        )
        for i in range(TOKENS)
    ]
    hashes = send_all(backend, devnet, deploys)
    tokens = []
    for h in hashes:
        receipt = devnet.wait_for_receipt(h)
        assert receipt.contract_address is not None
        tokens.append(receipt.contract_address)
    nonce = backend.get_transaction_count(minter)
    mints = [
        RpcCall(
            "eth_sendTransaction",
            (
                {
                    "from": minter,
                    "to": t,
                    "nonce": hex(nonce + i),
                    "data": "0x" + encode_call("mint(address,uint256)", holder, i + 1).hex(),
                },
            ),
        )
        for i, t in enumerate(tokens)
    ]
    for h in send_all(backend, devnet, mints):
        devnet.wait_for_receipt(h)
    multicall = devnet.deploy_contract(compile_contract("Multicall").initcode())

    expected = {t: i + 1 for i, t in enumerate(tokens)}

    def coffer_batch() -> None:
        (sheet,) = fetch_balances(backend, [holder], tokens, multicall=None)
        assert dict(sheet.tokens) == expected

    def coffer_multicall() -> None:
        (sheet,) = fetch_balances(backend, [holder], tokens, multicall=multicall)
        assert dict(sheet.tokens) == expected

    def coffer_per_token() -> None:
        backend.get_balance(holder)
        for t in tokens:
            backend.call(t, encode_call("balanceOf(address)", holder))

    w3 = Web3(CountingProvider(url))
    contracts = [w3.eth.contract(address=t, abi=BALANCE_OF_ABI) for t in tokens]

    def web3_per_token() -> None:
        w3.eth.get_balance(holder)
        got = {c.address: c.functions.balanceOf(holder).call() for c in contracts}
        assert got == expected

    rows = []
    for name, fn in (
        ("coffer, batched JSON-RPC", coffer_batch),
        ("coffer, Multicall3 aggregate3", coffer_multicall),
        ("coffer backend, one call per token", coffer_per_token),
    ):
        before = backend.round_trips
        fn()
        trips = backend.round_trips - before
        rows.append((name, trips, best(fn)))
    fn = web3_per_token
    fn()  # warm up web3's caches (chain id, contract ABI lookups)
    CountingProvider.round_trips = 0
    fn()
    rows.append(("web3.py 8, one call per token", CountingProvider.round_trips, best(fn)))

    print(f"balances of {TOKENS} ERC-20 tokens + native coin, one account, anvil 1.7.1")
    print(f"{'method':40} {'round trips':>12} {'seconds':>10}")
    for name, trips, secs in rows:
        print(f"{name:40} {trips:>12} {secs:>10.4f}")
    peer = rows[3][2]
    for name, _, secs in rows[:2]:
        print(f"ratio web3.py per token / {name}: {peer / secs:.1f}x")
    worst = max(rows[0][1], rows[1][1])
    print(f"Coffer round trips: {worst} (required: at most 2)")
    backend.close()
    return 0 if worst <= 2 else 1


if __name__ == "__main__":
    raise SystemExit(main())
