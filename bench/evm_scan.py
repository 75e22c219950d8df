"""Benchmark (c): derive 1,000 EVM accounts and scan them for activity, against anvil.

Coffer: the addresses of accounts ``m/44'/60'/0'/0/0..999`` from the wallet's stored xpub
(``wallet.derive.derive_addresses``: BIP-32 public derivation on libsecp256k1, Keccak,
EIP-55), then every balance and nonce in batched JSON-RPC (``wallet.evm.discovery``).
The peer: eth-account ``Account.from_mnemonic(..., account_path=...)`` per index (the
documented way to get account i), then one ``eth_getBalance`` and one
``eth_getTransactionCount`` per account through web3.py.

The limit of derivation is raw coincurve from the same xpub (HMAC-SHA512, one point
addition, Keccak) with a minimal EIP-55 encoder. Both sides must find the same addresses and
the same used accounts (a few are funded first). Prints rates, round trips and ratios.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coincurve import PublicKey
from eth_account import Account
from web3 import HTTPProvider, Web3

from chains.evm.jsonrpc import JsonRpcBackend
from chains.registry import EvmNetwork, get_network
from keystore.bip32 import ExtendedPublicKey
from primitives.hashes import keccak256
from tests.nodes.evm import AnvilDevnet, find_anvil, start_anvil
from wallet import EvmAccount, Wallet
from wallet.derive import derive_addresses

COUNT = 1000
USED = (0, 7, 321, 999)
MNEMONIC = "legal winner thank year wave sausage worth useful legal winner thank yellow"
PASSWORD = "bench password"  # noqa: S105 - a throwaway wallet in a temp folder

Account.enable_unaudited_hdwallet_features()


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Return the best time of ``repeat`` runs and the last run's output."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


class CountingProvider(HTTPProvider):
    """web3's HTTP provider, counting requests sent."""

    round_trips = 0

    def make_request(self, method, params):  # type: ignore[no-untyped-def]
        CountingProvider.round_trips += 1
        return super().make_request(method, params)


_DIGITS = b"0123456789abcdef"
_HIGH = bytes.maketrans(_DIGITS, b"\x00" * 8 + b"\x20" * 8)
_LETTER = bytes.maketrans(_DIGITS, b"\x00" * 10 + b"\x20" * 6)


def raw_limit(xpub: ExtendedPublicKey, count: int) -> list[str]:
    """The practical limit: CKDpub with prepared HMAC pads, Keccak, EIP-55 by bit flips."""
    key = xpub.chain_code.ljust(128, b"\0")
    inner = hashlib.sha512(bytes(b ^ 0x36 for b in key)).copy
    outer = hashlib.sha512(bytes(b ^ 0x5C for b in key)).copy
    parent = xpub.public_key
    add = PublicKey(parent).add
    out = []
    for i in range(count):
        h = inner()
        h.update(parent + i.to_bytes(4, "big"))
        o = outer()
        o.update(h.digest())
        lower = keccak256(add(o.digest()[:32]).format(compressed=False)[1:])[12:].hex().encode()
        flips = int.from_bytes(
            keccak256(lower).hex().encode()[:40].translate(_HIGH), "big"
        ) & int.from_bytes(lower.translate(_LETTER), "big")
        out.append("0x" + (int.from_bytes(lower, "big") ^ flips).to_bytes(40, "big").decode())
    return out


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
    with tempfile.TemporaryDirectory() as tmp:
        wallet = Wallet.create(Path(tmp) / "bench.coffer", PASSWORD, MNEMONIC)
        wallet.backends.set_servers("evm-local", [url])
        account = wallet.account("evm-local")
        assert isinstance(account, EvmAccount)
        xpub = account.record.xpub
        assert xpub is not None
        for i in USED:
            devnet.fund(wallet.account("evm-local", i).receive_address(), 10**15 + i)

        t_limit, limit = timed(lambda: raw_limit(xpub, COUNT), 3)
        t_derive, derived = timed(lambda: derive_addresses(local, xpub, None, 0, 0, COUNT), 3)
        pool = wallet.backends.evm(local)
        before = getattr(pool, "round_trips", 0)
        t_coffer, found = timed(lambda: account.scan_accounts(COUNT))
        coffer_trips = getattr(pool, "round_trips", 0) - before
        wallet.close()

    def peer_derive() -> list[str]:
        return [
            Account.from_mnemonic(MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").address
            for i in range(COUNT)
        ]

    w3 = Web3(CountingProvider(url))
    w3.eth.chain_id  # noqa: B018 - warm the provider's connection up
    t_peer_derive, peer_addresses = timed(peer_derive)

    def peer_scan() -> list[tuple[int, int]]:
        return [(w3.eth.get_balance(a), w3.eth.get_transaction_count(a)) for a in peer_addresses]

    CountingProvider.round_trips = 0
    t_peer_scan, peer_activity = timed(peer_scan)
    peer_trips = CountingProvider.round_trips
    backend.close()

    coffer_used = [i for i, a in found if a.used]
    peer_used = [i for i, (bal, n) in enumerate(peer_activity) if bal or n]
    same = limit == derived == peer_addresses == [
        a.address for _, a in found
    ] and coffer_used == peer_used == list(USED)
    t_peer = t_peer_derive + t_peer_scan
    print(f"{COUNT} EVM accounts m/44'/60'/0'/0/i, anvil; same addresses and used set: {same}")
    print(f"{'':44} {'accounts/s':>11} {'x limit':>8} {'round trips':>12}")
    print(f"{'derivation limit: raw coincurve':44} {COUNT / t_limit:11.0f} {1:8.3f} {'':>12}")
    print(
        f"{'Coffer derive_addresses':44} {COUNT / t_derive:11.0f} "
        f"{t_limit / t_derive:8.3f} {'':>12}"
    )
    print(
        f"{'eth-account from_mnemonic per index':44} {COUNT / t_peer_derive:11.0f} "
        f"{t_limit / t_peer_derive:8.3f} {'':>12}"
    )
    print(
        f"{'Coffer derive + batched scan':44} {COUNT / t_coffer:11.0f} {'':>8} {coffer_trips:>12}"
    )
    peer_name = "eth-account + web3 call per account"
    print(f"{peer_name:44} {COUNT / t_peer:11.0f} {'':>8} {peer_trips:>12}")
    print(f"Coffer / peer, derive and scan: {t_peer / t_coffer:.1f}x")
    print(f"Coffer / peer, derivation only: {t_peer_derive / t_derive:.1f}x")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
