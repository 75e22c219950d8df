"""Benchmark: sign 1,000 EIP-712 documents (nested structs and arrays), Coffer vs eth-account.

Same documents (a Permit2-like ``PermitBatch`` with nested ``TokenPermissions[]`` and a
``Mail`` with a ``Person[]`` of arrays), same key, one process:

- Coffer: ``keystore.signers.message_signer.sign_message_with_key`` on the typed-data JSON
  (parsing, ``encodeType``, ``hashStruct``, the chain id check, then libsecp256k1), as the
  wallet's signer runs it;
- eth-account: ``Account.sign_message(encode_typed_data(full_message=...), key)``.

Every signature must be byte-identical (RFC 6979 makes them deterministic); then rates and
the ratio are printed. Issue target: Coffer at least 2x eth-account's rate. Exits 1 if an
output differs or the target is missed.

Run: ``.venv/bin/python bench/eip712.py``.
"""

from __future__ import annotations

import copy
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eth_account import Account
from eth_account.messages import encode_typed_data

from keystore.signers.base import SigningContext
from keystore.signers.message_signer import sign_message_with_key
from keystore.types import EvmParams, MessageFormat, MessageRequest

COUNT = 1000
REPEAT = 3
TARGET = 2.0
KEY = bytes.fromhex("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
ADDRESS = Account.from_key(KEY).address
NETWORK = EvmParams("ethereum", "Ethereum", "ETH", 1)

PERMIT_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "TokenPermissions": [
        {"name": "token", "type": "address"},
        {"name": "amount", "type": "uint256"},
    ],
    "PermitBatch": [
        {"name": "permitted", "type": "TokenPermissions[]"},
        {"name": "spender", "type": "address"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ],
}
MAIL_TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "Person": [{"name": "name", "type": "string"}, {"name": "wallets", "type": "address[]"}],
    "Mail": [
        {"name": "from", "type": "Person"},
        {"name": "to", "type": "Person[]"},
        {"name": "contents", "type": "string"},
        {"name": "tags", "type": "bytes32[2]"},
    ],
}


def _address(rng: random.Random) -> str:
    return "0x" + rng.randbytes(20).hex()


def documents() -> list[dict[str, Any]]:
    rng = random.Random(712)
    out: list[dict[str, Any]] = []
    for i in range(COUNT):
        if i % 2:
            out.append(
                {
                    "types": PERMIT_TYPES,
                    "primaryType": "PermitBatch",
                    "domain": {
                        "name": "Permit2",
                        "chainId": 1,
                        "verifyingContract": "0x000000000022D473030F116dDEE9F6B43aC78BA3",
                    },
                    "message": {
                        "permitted": [
                            {"token": _address(rng), "amount": rng.getrandbits(160)}
                            for _ in range(1 + i % 4)
                        ],
                        "spender": _address(rng),
                        "nonce": i,
                        "deadline": 1_900_000_000 + i,
                    },
                }
            )
        else:
            person = {"name": f"n{i}", "wallets": [_address(rng) for _ in range(1 + i % 3)]}
            out.append(
                {
                    "types": MAIL_TYPES,
                    "primaryType": "Mail",
                    "domain": {
                        "name": "Ether Mail",
                        "version": "1",
                        "chainId": 1,
                        "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
                    },
                    "message": {
                        "from": person,
                        "to": [person, {"name": "Bob ✓", "wallets": []}],
                        "contents": "Hello, Bob! " * (i % 5),
                        "tags": ["0x" + rng.randbytes(32).hex(), "0x" + bytes(32).hex()],
                    },
                }
            )
    return out


def best(fn: Callable[[], list[bytes]]) -> tuple[float, list[bytes]]:
    times, out = [], []
    for _ in range(REPEAT):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> int:
    docs = documents()
    texts = [json.dumps(doc).encode() for doc in docs]
    copies = [copy.deepcopy(doc) for doc in docs]  # eth-account may touch what it is given
    ctx = SigningContext(NETWORK, ())

    def coffer() -> list[bytes]:
        return [
            sign_message_with_key(
                KEY, MessageRequest(MessageFormat.EIP712, text, (), ADDRESS, "ethereum"), ctx
            ).signature
            for text in texts
        ]

    def eth_account() -> list[bytes]:
        return [
            bytes(Account.sign_message(encode_typed_data(full_message=doc), KEY).signature)
            for doc in copies
        ]

    coffer_s, ours = best(coffer)
    eth_s, theirs = best(eth_account)
    if ours != theirs:
        bad = next(i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b)
        print(f"FAIL: signature {bad} differs from eth-account's")
        return 1
    ratio = eth_s / coffer_s
    print(f"EIP-712 signing, {COUNT} documents (nested structs and arrays), best of {REPEAT}:")
    print(f"  Coffer       {COUNT / coffer_s:9.0f} /s")
    print(f"  eth-account  {COUNT / eth_s:9.0f} /s")
    print(f"  ratio        {ratio:9.1f}x (target >= {TARGET}x); signatures byte-identical")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
