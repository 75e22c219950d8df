"""Benchmark: one MuSig2 nonce's durable life cycle in the wallet file, against a file store.

A nonce's life cycle is what a signer's store does for one input: ``issue`` (the secret nonce
sealed and committed before the public nonce leaves), ``issued_pubnonce`` (round 2 looks it
up) and ``consume`` (marked used in the ledger beside the file and in the database, the
secret erased, before the partial signature exists). Coffer's ``WalletNonceStore`` (SQLCipher,
``synchronous=FULL``, the log folded after each commit, the ledger fsynced) runs against the
test suite's ``FileNonceStore`` (one file per nonce, fsync and an atomic rename per step), the
plainest durable store. Wall-clock time, because the fsyncs are the cost; best of 3 rounds.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from keystore.secrets import SecretBytes  # noqa: E402
from keystore.signers.musig_session import NonceStore  # noqa: E402
from tests.musig_nonce_stores import FileNonceStore  # noqa: E402
from wallet import Wallet  # noqa: E402
from wallet.musig import LEDGER_NAME, WalletNonceStore  # noqa: E402

NONCES = 40
ROUNDS = 3
SECRET = SecretBytes(bytes(range(97)))
PUBNONCE = bytes(66)


def life_cycles(store: NonceStore, prefix: bytes) -> float:
    start = time.perf_counter()
    for n in range(NONCES):
        nonce_id = prefix + n.to_bytes(4, "big") + bytes(27)
        store.issue(nonce_id, SECRET, PUBNONCE)
        store.issued_pubnonce(nonce_id)
        store.consume(nonce_id)
    return (time.perf_counter() - start) / NONCES


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="coffer-bench-") as folder:
        path = Path(folder) / "bench.coffer"
        best = {"wallet": float("inf"), "file": float("inf")}
        with Wallet.create_watch_only(path, "bench password") as wallet:
            ledger = path.with_name(path.name + ".d") / LEDGER_NAME
            ours = WalletNonceStore(wallet.database, wallet.wallet_id, ledger)
            theirs = FileNonceStore(Path(folder) / "files")
            for r in range(ROUNDS):
                best["wallet"] = min(best["wallet"], life_cycles(ours, bytes([r, 0])))
                best["file"] = min(best["file"], life_cycles(theirs, bytes([r, 1])))
        print("One MuSig2 nonce, issued, looked up and consumed, each step durable:")
        print(f"  Coffer WalletNonceStore (SQLCipher + ledger): {best['wallet'] * 1000:.2f} ms")
        print(f"  FileNonceStore (one file per nonce, fsync):   {best['file'] * 1000:.2f} ms")
        print(f"  ratio (wallet / file): {best['wallet'] / best['file']:.2f}")
        print(f"  ({os.cpu_count()} CPUs; fsync cost depends on the disk)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
