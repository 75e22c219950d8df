"""Benchmark (b): first full sync of a wallet with 2,000 used addresses and 5,000 outputs.

Starts its own litecoind (regtest) and ElectrumX, pays 5,000 outputs to 2,000 addresses of
one BIP-84 account (1,500 receive, 500 change; ``sendmany`` of 250 outputs per
transaction, a block every two transactions, all confirmed), then times three clients of
the same local ElectrumX:

* **Coffer**: ``Wallet.restore`` (Argon2id, timed apart) and ``account.sync()`` through
  ``ElectrumBackend``: gap-limit discovery on both chains, histories, transactions, merkle
  proofs and headers checked, fees from parents, all stored in the SQLCipher wallet file.
* **the limit**: a script that knows the 2,000 addresses up front and sends only the
  minimum batched requests: one batch of histories, one of transactions, one of merkle
  branches and headers (nothing checked, nothing stored).
* **bitcoinlib** (``Wallet.scan``), whose ``electrumx`` provider talks to the same server:
  the bench adds a ``litecoin_regtest`` network (Litecoin's testnet prefixes with the
  ``rltc`` bech32 prefix, coin type 1, as Coffer's registry has it) and a provider entry to
  the definitions bitcoinlib reads from ``BCL_DATA_DIR``. bitcoinlib's client opens a
  connection per request (with ``aiorpcx``, a dev dependency; without it each request also
  sleeps 0.6 s), so it is run with a time budget (``--bitcoinlib-seconds``) and, when it
  runs out, its rate is extrapolated from the addresses it got through.

The server runs without ElectrumX's per-session cost throttling (``COST_SOFT_LIMIT=0``,
``COST_HARD_LIMIT=0``) and with a larger ``MAX_SEND``, for every client alike. Each of
Coffer and the limit runs twice (the server's caches are warm after the first run of
either); the best run of each counts.

Run: ``.venv/bin/python bench/utxo_sync.py`` (after ``scripts/setup-nodes.sh``).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _prepare_bitcoinlib_data() -> Path:
    """Lay out bitcoinlib's data dir with a ``litecoin_regtest`` network, before its import.

    bitcoinlib copies its definitions into ``BCL_DATA_DIR`` on first import (unless
    ``install.log`` is there) and reads networks from there once; providers are read from
    there whenever a service starts (written in ``run_bitcoinlib``).
    """
    spec = importlib.util.find_spec("bitcoinlib")
    assert spec is not None, "bitcoinlib is a dependency"
    assert spec.origin is not None
    data = Path(spec.origin).parent / "data"
    target = Path(tempfile.mkdtemp(prefix="coffer-bench-bcl-"))
    for file in data.iterdir():
        if file.suffix in (".ini", ".json"):
            shutil.copyfile(file, target / file.name)
    networks = json.loads((data / "networks.json").read_text())
    regtest = json.loads(json.dumps(networks["litecoin_testnet"]))
    regtest.update(
        description="Litecoin regtest",
        currency_name="litecoin-regtest",
        prefix_bech32="rltc",
        bip44_cointype=1,
        priority=0,
    )
    networks["litecoin_regtest"] = regtest
    (target / "networks.json").write_text(json.dumps(networks))
    (target / "install.log").write_text("prepared by bench/utxo_sync.py\n")
    os.environ["BCL_DATA_DIR"] = str(target)
    return target


_BCL_DIR = _prepare_bitcoinlib_data()  # before anything imports bitcoinlib

from chains.addresses import parse_address  # noqa: E402 - after the data dir
from chains.utxo.backend import scripthash  # noqa: E402
from chains.utxo.electrum import ElectrumBackend  # noqa: E402
from chains.utxo.electrum.connection import Call, ElectrumConnection, ServerAddress  # noqa: E402
from tests.nodes.utxo import (  # noqa: E402
    ELECTRUMX_IN_VENV,
    ElectrumXServer,
    LitecoinNode,
    find_litecoind,
    start_electrumx,
    start_litecoind,
    to_coins,
)
from wallet import Wallet  # noqa: E402
from wallet.accounts import UtxoAccount  # noqa: E402

MNEMONIC = (
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)
PASSWORD = "bench"  # noqa: S105 - a throwaway wallet
NET = "litecoin-regtest"
RECEIVE_USED = 1_500
CHANGE_USED = 500
OUTPUTS = 5_000
PER_TX = 250
OUTPUT_SATS = 20_000


def build_chain(node: LitecoinNode, workdir: Path) -> tuple[list[str], int]:
    """Pay OUTPUTS outputs to the account's first addresses; return them and the total."""
    with Wallet.restore(workdir / "ref.coffer", PASSWORD, MNEMONIC) as ref:
        account = ref.account(NET)
        addresses = [a.address for a in account.addresses(RECEIVE_USED)]
        addresses += [a.address for a in account.addresses(CHANGE_USED, change=True)]
    sent = 0
    for n, start in enumerate(range(0, OUTPUTS, PER_TX)):
        picks = [addresses[(start + k) % len(addresses)] for k in range(PER_TX)]
        node.rpc("sendmany", "", {a: to_coins(OUTPUT_SATS + n) for a in picks})
        sent += (OUTPUT_SATS + n) * PER_TX
        if n % 2 == 1:
            node.mine(1)
    node.mine(1)
    return addresses, sent


def run_coffer(server: ServerAddress, workdir: Path, run: int) -> dict[str, Any]:
    """Restore the seed and sync it from scratch."""
    start = time.perf_counter()
    wallet = Wallet.restore(workdir / f"coffer-{run}.coffer", PASSWORD, MNEMONIC)
    restored = time.perf_counter()
    backend = ElectrumBackend(wallet_network(), [server], timeout=300)
    try:
        wallet.backends.use(NET, backend)
        account = wallet.account(NET)
        assert isinstance(account, UtxoAccount)
        synced_at = time.perf_counter()
        report = account.sync()
        done = time.perf_counter()
        balance = account.balance()
        history = account.history()
        coins = account.coins()
    finally:
        wallet.close()
        backend.close()
    return {
        "restore_s": restored - start,
        "sync_s": done - synced_at,
        "round_trips": report.round_trips,
        "balance": balance.total,
        "transactions": len(history),
        "coins": len(coins),
    }


def wallet_network() -> Any:
    """Return the litecoin-regtest network."""
    from tests.nodes.utxo import litecoin_regtest

    return litecoin_regtest()


def run_limit(server: ServerAddress, addresses: list[str]) -> dict[str, Any]:
    """The minimum: three batches, addresses known up front, nothing checked or stored."""
    network = wallet_network()
    hashes = [scripthash(parse_address(network, a).script_pubkey) for a in addresses]
    conn = ElectrumConnection(server, timeout=300)
    conn.open()
    try:
        conn.call_many([Call("server.version", ("bench-limit", ["1.4", "1.6"]))])
        before = conn.round_trips
        start = time.perf_counter()
        histories = conn.call_many(
            [Call("blockchain.scripthash.get_history", (h,)) for h in hashes]
        )
        heights: dict[str, int] = {}
        for history in histories:
            assert isinstance(history, list)
            for item in history:
                assert isinstance(item, dict)
                heights[str(item["tx_hash"])] = int(str(item["height"]))
        txids = sorted(heights)
        raws = conn.call_many([Call("blockchain.transaction.get", (t,)) for t in txids])
        levels = sorted({h for h in heights.values() if h > 0})
        proofs = conn.call_many(
            [Call("blockchain.transaction.get_merkle", (t, heights[t])) for t in txids]
            + [Call("blockchain.block.header", (h,)) for h in levels]
        )
        seconds = time.perf_counter() - start
        trips = conn.round_trips - before
    finally:
        conn.close()
    assert len(raws) == len(txids)
    assert len(proofs) == len(txids) + len(levels)
    return {"sync_s": seconds, "round_trips": trips, "transactions": len(txids)}


def _bitcoinlib_provider(server: ServerAddress) -> None:
    """Point bitcoinlib's only provider of litecoin_regtest at the local ElectrumX."""
    providers = {
        "electrumx.litecoin_regtest": {
            "provider": "electrumx",
            "network": "litecoin_regtest",
            "client_class": "ElectrumxClient",
            "provider_coin_id": "",
            "url": f"{server.host}:{server.port}",
            "api_key": "",
            "priority": 10,
            "denominator": 1,
            "network_overrides": None,
            "timeout": 300,
        }
    }
    (_BCL_DIR / "providers.json").write_text(json.dumps(providers))


def run_bitcoinlib(server: ServerAddress, workdir: Path, budget_s: float) -> dict[str, Any]:
    """bitcoinlib's wallet scan against the same server, within a time budget."""
    _bitcoinlib_provider(server)
    from bitcoinlib.services import electrumx as bcl_electrumx
    from bitcoinlib.wallets import Wallet as BclWallet

    requests = [0]
    original = bcl_electrumx.ElectrumxClient.compose_request

    def counted(self: Any, method: str, parameters: Any = None) -> Any:
        requests[0] += 1
        return original(self, method, parameters)

    bcl_electrumx.ElectrumxClient.compose_request = counted  # type: ignore[method-assign]
    db = f"sqlite:///{workdir / 'bitcoinlib.sqlite'}"
    cache = f"sqlite:///{workdir / 'bitcoinlib-cache.sqlite'}"
    result: dict[str, Any] = {}

    def scan() -> None:
        # bitcoinlib's SQLAlchemy session belongs to the thread that made the wallet.
        try:
            wallet = BclWallet.create(
                "bench",
                keys=MNEMONIC,
                network="litecoin_regtest",
                witness_type="segwit",
                db_uri=db,
                db_cache_uri=cache,
            )
            start = time.perf_counter()
            wallet.scan(scan_gap_limit=20)
            result["sync_s"] = time.perf_counter() - start
            result["balance"] = wallet.balance()
        except Exception as e:  # bitcoinlib raises many kinds; reported, the bench goes on
            result["error"] = repr(e)[:300]
        except asyncio.CancelledError:
            pass  # the budget ran out and the server was stopped under it

    start = time.perf_counter()
    worker = threading.Thread(target=scan, daemon=True)
    worker.start()
    worker.join(budget_s)
    elapsed = time.perf_counter() - start
    result["requests"] = requests[0]
    if worker.is_alive():
        result["stopped_after_s"] = elapsed
    return result


def _bitcoinlib_progress(workdir: Path) -> int:
    """Count the addresses bitcoinlib has scanned and found used (its own database)."""
    import sqlite3

    conn = sqlite3.connect(workdir / "bitcoinlib.sqlite", timeout=30)
    try:
        rows = conn.execute("SELECT COUNT(*) FROM keys WHERE used = 1").fetchall()
        return int(rows[0][0])
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bitcoinlib-seconds", type=float, default=600.0)
    args = parser.parse_args()
    binary = find_litecoind()
    if binary is None or not ELECTRUMX_IN_VENV.is_file():
        print("litecoind or ElectrumX missing: run scripts/setup-nodes.sh")
        return
    workdir = Path(tempfile.mkdtemp(prefix="coffer-bench-"))
    node = start_litecoind(binary)
    server: ElectrumXServer | None = None
    try:
        t0 = time.perf_counter()
        addresses, total = build_chain(node, workdir)
        server = start_electrumx(
            ELECTRUMX_IN_VENV,
            node,
            COST_SOFT_LIMIT="0",
            COST_HARD_LIMIT="0",
            MAX_SEND="50000000",
        )
        server.wait_synced()
        print(
            f"chain: {len(addresses)} addresses, {OUTPUTS} outputs, "
            f"built in {time.perf_counter() - t0:.1f} s"
        )
        limits, coffers = [], []
        for run in range(2):
            limits.append(run_limit(server.tcp, addresses))
            coffers.append(run_coffer(server.tcp, workdir, run))
        for c in coffers:
            assert c["balance"] == total, (c["balance"], total)
            assert c["coins"] == OUTPUTS, c["coins"]
        limit = min(limits, key=lambda r: r["sync_s"])
        coffer = min(coffers, key=lambda r: r["sync_s"])
        bcl = run_bitcoinlib(server.tcp, workdir, args.bitcoinlib_seconds)
        used = _bitcoinlib_progress(workdir)
        _report(limits, coffers, limit, coffer, bcl, used, len(addresses))
    finally:
        if server is not None:
            server.cleanup()
        node.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(_BCL_DIR, ignore_errors=True)


def _report(
    limits: list[dict[str, Any]],
    coffers: list[dict[str, Any]],
    limit: dict[str, Any],
    coffer: dict[str, Any],
    bcl: dict[str, Any],
    bcl_used: int,
    addresses: int,
) -> None:
    print(f"first full sync of {addresses} used addresses, {OUTPUTS} outputs, local ElectrumX")
    for k, r in enumerate(limits):
        print(f"  limit run {k + 1}:   {r['round_trips']:3d} round trips  {r['sync_s']:7.3f} s")
    for k, r in enumerate(coffers):
        print(
            f"  Coffer run {k + 1}:  {r['round_trips']:3d} round trips  {r['sync_s']:7.3f} s "
            f"(+ restore {r['restore_s']:.2f} s; {r['transactions']} txs, {r['coins']} coins)"
        )
    ratio = coffer["sync_s"] / limit["sync_s"]
    print(f"  Coffer / limit: {ratio:.2f}x (target <= 2x)")
    if "sync_s" in bcl:
        seconds = bcl["sync_s"]
        print(f"  bitcoinlib scan: {bcl['requests']} requests  {seconds:.1f} s ({bcl_used} used)")
    elif "error" in bcl:
        print(f"  bitcoinlib scan failed after {bcl['requests']} requests: {bcl['error']}")
        return
    else:
        spent = bcl["stopped_after_s"]
        per = spent / max(bcl_used, 1)
        seconds = per * addresses
        print(
            f"  bitcoinlib scan: stopped after {spent:.0f} s with {bcl_used} of {addresses} "
            f"used addresses found ({bcl['requests']} requests); extrapolated {seconds:.0f} s"
        )
    print(f"  bitcoinlib / Coffer: {seconds / coffer['sync_s']:.0f}x (target >= 5x)")


if __name__ == "__main__":
    main()
