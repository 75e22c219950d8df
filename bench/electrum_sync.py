"""Benchmark: a whole-wallet sync over ElectrumX, batched vs one request per round trip.

Starts its own litecoind (regtest) and ElectrumX, pays 300 transactions to 200 scripts (most
confirmed, the last few unconfirmed), then syncs the 200 scripts from scratch with:

* ``ElectrumBackend`` in JSON-array mode with the filler that defeats ElectrumX's padding
  delay (the default),
* the same without the filler,
* pipelined lines (every request on its own line, all written before reading),
* one request per round trip (the same requests a sync makes, sent one by one, as a naive
  client would), which is stopped after ``NAIVE_SECONDS`` and extrapolated from the requests
  it got through.

Run: ``.venv/bin/python bench/electrum_sync.py`` (after ``scripts/setup-nodes.sh``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chains.utxo.backend import SyncRequest, scripthash
from chains.utxo.electrum import ElectrumBackend
from chains.utxo.electrum.connection import BatchMode, Call, ElectrumConnection
from tests.nodes.utxo import ELECTRUMX_IN_VENV, find_litecoind, start_electrumx, start_litecoind

SCRIPTS = 200
TXS = 300
NAIVE_SECONDS = 60.0


def main() -> None:
    binary = find_litecoind()
    if binary is None or not ELECTRUMX_IN_VENV.is_file():
        print("litecoind or ElectrumX missing: run scripts/setup-nodes.sh")
        return
    node = start_litecoind(binary)
    server = None
    try:
        server = start_electrumx(ELECTRUMX_IN_VENV, node)
        scripts = {(0, 0, i): node.new_script() for i in range(SCRIPTS)}
        keys = list(scripts)
        for n in range(TXS):
            node.fund(node.address_of(scripts[keys[n % SCRIPTS]]), 10_000 + n)
            if n % 20 == 19 and n < TXS - 10:
                node.mine(1)
        server.wait_synced()
        request = SyncRequest(node.network, scripts)
        results = []
        for label, kwargs in (
            ("batched (JSON array + filler)", {}),
            ("batched (JSON array, no filler)", {"flush_filler": False}),
            ("pipelined lines + filler", {"mode": BatchMode.PIPELINE}),
        ):
            backend = ElectrumBackend(node.network, [server.tcp], timeout=60, **kwargs)
            before = backend.round_trips
            start = time.perf_counter()
            update = backend.sync(request)
            seconds = time.perf_counter() - start
            trips = backend.round_trips - before
            backend.close()
            assert len(update.transactions) == TXS, len(update.transactions)
            results.append((label, trips, seconds))
        calls = _naive_calls(scripts, update)
        done, seconds = _naive(server.tcp, calls)
        per = seconds / done
        print(f"sync of {SCRIPTS} scripts holding {TXS} transactions, local ElectrumX 2.0")
        for label, trips, secs in results:
            print(f"  {label:34s} {trips:5d} round trips  {secs:8.3f} s")
        print(
            f"  {'one request per round trip':34s} {len(calls):5d} round trips  "
            f"{per * len(calls):8.1f} s (extrapolated: {done} requests took {seconds:.1f} s)"
        )
        best = results[0][2]
        print(f"  ratio one-per-round-trip / batched: {per * len(calls) / best:.0f}x")
    finally:
        if server is not None:
            server.cleanup()
        node.stop()


def _naive_calls(scripts: dict[tuple[int, ...], bytes], update: object) -> list[Call]:
    """The requests of a sync, as a client without batching sends them."""
    hashes = sorted({scripthash(s) for s in scripts.values()})
    calls = [Call("blockchain.headers.subscribe")]
    calls += [Call("blockchain.scripthash.subscribe", (h,)) for h in hashes]
    calls += [Call("blockchain.scripthash.get_history", (h,)) for h in hashes]
    histories = getattr(update, "histories", {})
    heights = {i.txid: i.height for h in histories.values() for i in h}
    calls += [Call("blockchain.transaction.get", (t,)) for t in sorted(heights)]
    calls += [
        Call("blockchain.transaction.get_merkle", (t, h))
        for t, h in sorted(heights.items())
        if h is not None
    ]
    calls += [Call("blockchain.block.header", (h,)) for h in sorted({*heights.values()} - {None})]
    return calls


def _naive(address: object, calls: list[Call]) -> tuple[int, float]:
    conn = ElectrumConnection(address, timeout=60)  # type: ignore[arg-type]
    conn.open()
    conn.call_many([Call("server.version", ("bench", ["1.4", "1.6"]))])
    start = time.perf_counter()
    done = 0
    for call in calls:
        conn.call_many([call])
        done += 1
        if time.perf_counter() - start > NAIVE_SECONDS:
            break
    seconds = time.perf_counter() - start
    conn.close()
    return done, seconds


if __name__ == "__main__":
    main()
