"""Benchmark (a): sign 1,000 EIP-1559 transactions.

Three ways, same transactions, same key, one process:

- the limit: raw coincurve ``sign_recoverable`` over the keccak of a payload RLP-encoded by
  hand inline (no checks, no review), then the signed serialisation;
- Coffer: ``keystore.signers.evm_signer.sign_evm_with_key`` with the wallet's signing
  context (the network's chain id and the expected summary, which the signer recomputes and
  compares), and through the hot signer (BIP-32 derivation of the key per transaction);
- eth-account: ``Account.sign_transaction``.

Every implementation must produce byte-identical signed transactions (RFC 6979 makes the
signatures deterministic); then rates and ratios are printed. Issue target: Coffer at least
2x eth-account's rate. Exits 1 if an output differs or the target is missed.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from coincurve import PrivateKey
from eth_account import Account
from eth_utils import to_checksum_address

from keystore.keystore import Keystore
from keystore.mnemonic import parse_mnemonic
from keystore.signers.base import SigningContext
from keystore.signers.evm_signer import sign_evm_with_key, summarize
from keystore.types import EvmParams, EvmTxRequest
from primitives.hashes import keccak256

COUNT = 1000
REPEAT = 3
MNEMONIC = "test test test test test test test test test test test junk"
PATH = (44 + 2**31, 60 + 2**31, 2**31, 0, 0)
NETWORK = EvmParams("ethereum", "Ethereum", "ETH", 1)


def best(fn: Callable[[], list[bytes]]) -> tuple[float, list[bytes]]:
    times, out = [], []
    for _ in range(REPEAT):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def transactions() -> list[EvmTxRequest]:
    rng = os.urandom
    out = []
    for i in range(COUNT):
        to = "0x" + rng(20).hex()
        out.append(
            EvmTxRequest(
                chain_id=1,
                nonce=i,
                to=to,
                value=int.from_bytes(rng(8), "big"),
                data=b"",
                gas=21000,
                max_fee_per_gas=30 * 10**9 + i,
                max_priority_fee_per_gas=10**9 + i,
            )
        )
    return out


def _int(n: int) -> bytes:
    if n == 0:
        return b"\x80"
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 + len(raw)]) + raw


def _list(payload: bytes) -> bytes:
    n = len(payload)
    if n < 56:
        return bytes([0xC0 + n]) + payload
    size = (n.bit_length() + 7) // 8
    return bytes([0xF7 + size]) + n.to_bytes(size, "big") + payload


def raw_limit(key: bytes, txs: list[EvmTxRequest]) -> list[bytes]:
    pk = PrivateKey(key)
    out = []
    for tx in txs:
        assert tx.max_fee_per_gas is not None
        assert tx.max_priority_fee_per_gas is not None
        assert tx.to is not None
        fields = (
            _int(tx.chain_id)
            + _int(tx.nonce)
            + _int(tx.max_priority_fee_per_gas)
            + _int(tx.max_fee_per_gas)
            + _int(tx.gas)
            + b"\x94"
            + bytes.fromhex(tx.to[2:])
            + _int(tx.value)
            + b"\x80\xc0"
        )
        sig = pk.sign_recoverable(keccak256(b"\x02" + _list(fields)), hasher=None)
        r = sig[:32].lstrip(b"\x00")
        s = sig[32:64].lstrip(b"\x00")
        tail = _int(sig[64]) + bytes([0x80 + len(r)]) + r + bytes([0x80 + len(s)]) + s
        out.append(b"\x02" + _list(fields + tail))
    return out


def main() -> int:
    keystore = Keystore(parse_mnemonic(MNEMONIC))
    signer = keystore.signer()
    key = bytes.fromhex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
    txs = transactions()
    sender = Account.from_key(key).address
    ctxs = [SigningContext(NETWORK, PATH, expected=summarize(tx, NETWORK, sender)) for tx in txs]
    dicts = [
        {
            "chainId": tx.chain_id,
            "nonce": tx.nonce,
            "to": to_checksum_address(str(tx.to)),
            "value": tx.value,
            "gas": tx.gas,
            "maxFeePerGas": tx.max_fee_per_gas,
            "maxPriorityFeePerGas": tx.max_priority_fee_per_gas,
        }
        for tx in txs
    ]
    t_raw, raw = best(lambda: raw_limit(key, txs))
    t_coffer, coffer = best(
        lambda: [sign_evm_with_key(key, tx, c).raw for tx, c in zip(txs, ctxs, strict=True)]
    )
    t_hot, hot = best(lambda: [signer.sign_evm(tx, c).raw for tx, c in zip(txs, ctxs, strict=True)])
    t_eth, eth = best(
        lambda: [bytes(Account.sign_transaction(d, key).raw_transaction) for d in dicts]
    )

    same = raw == coffer == hot == eth
    print(f"{COUNT} EIP-1559 transactions, best of {REPEAT}; outputs identical: {same}")
    rows = [
        ("raw coincurve (the limit)", t_raw),
        ("Coffer sign_evm_with_key", t_coffer),
        ("Coffer HotSigner (derives the key)", t_hot),
        ("eth-account sign_transaction", t_eth),
    ]
    print(f"{'implementation':38} {'tx/s':>10} {'x limit':>8}")
    for name, t in rows:
        print(f"{name:38} {COUNT / t:10.0f} {t_raw / t:8.3f}")
    ratio = t_eth / t_coffer
    print(f"Coffer / eth-account: {ratio:.2f}x (target: at least 2x)")
    if not same:
        print("FAIL: the implementations disagree")
        return 1
    if ratio < 2:
        print("FAIL: Coffer is below 2x eth-account")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
