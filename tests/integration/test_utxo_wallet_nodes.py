"""UTXO accounts synced end to end through the public API, on litecoind and ElectrumX.

Every test drives ``Wallet`` / ``UtxoAccount`` only (``sync``, ``balance``, ``history``,
``coins``, ``view``) against a real Litecoin Core regtest node, through ElectrumX and through
the node's own RPC, and checks the result against what the node itself says. Failures come
from a loopback relay in front of ElectrumX that cuts, stalls or rewrites the real server's
answers (``Relay`` below); after each, the wallet file reopens with all it had.

The funding plan puts coins beyond the first gap window on both chains (receive 0, 7, 19,
38, 55; change 4, 23, 42), so discovery has to follow the gap limit for three windows. The
addresses are taken from a separate wallet file with the same seed, so the synced wallets
derive nothing beyond the gap before they sync.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chains.utxo.backend import SyncRequest, SyncUpdate, UtxoBackend
from chains.utxo.corerpc import CoreRpcBackend
from chains.utxo.electrum import ElectrumBackend, ServerAddress
from tests.conftest import PASSWORD
from tests.nodes.utxo import ElectrumXServer, LitecoinNode, litecoin_regtest, to_coins
from wallet import Wallet
from wallet.accounts import UtxoAccount
from wallet.errors import BackendUnavailable, NetworkMismatch
from wallet.types import TxStatus

pytestmark = pytest.mark.nodes

NET = "litecoin-regtest"
KINDS = ("p2wpkh", "p2sh-p2wpkh", "p2tr", "p2pkh")
RECEIVE_USED = (0, 7, 19, 38, 55)
CHANGE_USED = (4, 23, 42)
COIN = 100_000_000


# -- a relay that fails like real servers fail ------------------------------------------------

Rewrite = Callable[[str, Any], Any]
"""Given a request's method and the result the server gave, return the result to forward."""


class Relay:
    """A loopback TCP relay in front of an Electrum server that can fail on demand.

    It forwards JSON lines both ways and can rewrite answers by method (a lying server), cut
    every connection when a request of some method arrives and refuse service afterwards (a
    server that goes away mid-sync), stall answers (a slow server), and come back.
    """

    def __init__(self, upstream: ServerAddress) -> None:
        self.upstream = upstream
        self.rewrite: Rewrite | None = None
        self.cut_on: str | None = None
        self.down = False
        self.stalled = False
        self.requests: list[str] = []
        self._methods: dict[int, str] = {}
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.address = ServerAddress("127.0.0.1", self._listener.getsockname()[1], tls=False)
        threading.Thread(target=self._accept, daemon=True).start()

    def count(self, method: str) -> int:
        """Return how many requests of ``method`` went through."""
        with self._lock:
            return self.requests.count(method)

    def go_away(self) -> None:
        """Drop every connection and refuse new ones."""
        self.down = True
        self._drop_all()

    def come_back(self) -> None:
        """Serve again, honestly."""
        self.down = self.stalled = False
        self.cut_on = None
        self.rewrite = None

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            try:
                server = socket.create_connection((self.upstream.host, self.upstream.port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._socks += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, requests: bool) -> None:
        buf = b""
        try:
            while chunk := src.recv(65536):
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if requests:
                        if self._note(line):
                            self.go_away()
                            return
                        dst.sendall(line + b"\n")
                    elif not self.stalled:
                        dst.sendall(self._answers(line) + b"\n")
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def _note(self, line: bytes) -> bool:
        """Record a line's requests; return whether it must cut the connection."""
        message = json.loads(line)
        items = message if isinstance(message, list) else [message]
        with self._lock:
            for item in items:
                self._methods[item["id"]] = item["method"]
                self.requests.append(item["method"])
        return self.cut_on is not None and any(i["method"] == self.cut_on for i in items)

    def _answers(self, line: bytes) -> bytes:
        rewrite = self.rewrite
        if rewrite is None:
            return line
        message = json.loads(line)
        for item in message if isinstance(message, list) else [message]:
            if "result" in item:
                item["result"] = rewrite(self._methods.get(item["id"], ""), item["result"])
        return json.dumps(message).encode()

    def _drop_all(self) -> None:
        with self._lock:
            socks, self._socks = self._socks, []
        for s in socks:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def close(self) -> None:
        """Stop listening and drop every connection."""
        self._listener.close()
        self._drop_all()


class Recorder:
    """A backend wrapper that keeps every sync request and update (it changes nothing)."""

    def __init__(self, inner: UtxoBackend) -> None:
        self.inner = inner
        self.requests: list[SyncRequest] = []
        self.updates: list[SyncUpdate] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def sync(self, request: SyncRequest) -> SyncUpdate:
        update = self.inner.sync(request)
        self.requests.append(request)
        self.updates.append(update)
        return update


# -- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture
def relay(electrumx: ElectrumXServer) -> Iterator[Relay]:
    relay = Relay(electrumx.tcp)
    yield relay
    relay.close()


def electrum(address: ServerAddress, **kwargs: Any) -> ElectrumBackend:
    kwargs.setdefault("timeout", 15)
    return ElectrumBackend(litecoin_regtest(), [address], **kwargs)


def core(node: LitecoinNode) -> CoreRpcBackend:
    return CoreRpcBackend(
        node.network, node.url, user="u", password="p", wallet=f"coffer-{uuid.uuid4().hex}"
    )


@dataclass
class Funded:
    """A seed whose account was paid by the node, and what the node says about it."""

    mnemonic: str
    kind: str
    receive: list[str]
    change: list[str]
    txids: list[str]
    confirmed: int
    unconfirmed: int


def fund_plan(node: LitecoinNode, indexer: ElectrumXServer, tmp_path: Path, kind: str) -> Funded:
    """Pay a fresh seed's account beyond the first gap window on both chains."""
    with Wallet.create(tmp_path / f"ref-{kind}.coffer", PASSWORD) as ref:
        mnemonic = ref.reveal_mnemonic(PASSWORD)
        account = ref.account(NET, kind=kind)
        receive = [a.address for a in account.addresses(80)]
        change = [a.address for a in account.addresses(80, change=True)]
    txids = [
        node.fund(receive[0], 150_000),
        node.rpc(
            "sendmany",
            "",
            {receive[7]: to_coins(200_000), change[4]: to_coins(300_000), receive[19]: "0.0011"},
        ),
    ]
    node.mine(1)
    txids.append(node.fund(change[23], 40_000))
    txids.append(node.fund(receive[38], 45_000))
    node.mine(1)
    txids.append(node.fund(change[42], 50_000))  # unconfirmed from here on
    txids.append(node.fund(receive[55], 60_000))
    indexer.wait_synced()
    confirmed = 150_000 + 200_000 + 300_000 + 110_000 + 40_000 + 45_000
    return Funded(mnemonic, kind, receive, change, txids, confirmed, 110_000)


def restore(tmp_path: Path, funded: Funded, name: str, backend: UtxoBackend) -> Wallet:
    wallet = Wallet.restore(tmp_path / f"{name}.coffer", PASSWORD, funded.mnemonic)
    wallet.backends.use(NET, backend)
    return wallet


def account_of(wallet: Wallet, kind: str) -> UtxoAccount:
    account = wallet.account(NET, kind=kind)
    assert isinstance(account, UtxoAccount)
    return account


def node_fee(node: LitecoinNode, txid: str) -> int:
    """The fee the node wallet paid for a transaction it sent (satoshis)."""
    return int(-Decimal(node.rpc("gettransaction", txid)["fee"]) * COIN)


def node_confirmations(node: LitecoinNode, txid: str) -> int:
    return int(node.rpc("getrawtransaction", txid, True, wallet=None).get("confirmations", 0))


def node_block_time(node: LitecoinNode, block_hash: str) -> int:
    return int(node.rpc("getblockheader", block_hash, True, wallet=None)["time"])


def snapshot(account: UtxoAccount) -> tuple[Any, ...]:
    """Everything an account shows, in a comparable form."""
    history = [
        # A pending entry's time is when this wallet first saw it: compare block times only.
        (h.txid, h.status, h.height, h.confirmations, h.amount, h.fee, h.height and h.timestamp)
        for h in account.history()
    ]
    coins = [(c.outpoint, c.value, c.address, c.chain, c.index) for c in account.coins()]
    fees = {t: s.fee for t, s in account.view().transactions.items()}
    return account.balance(), history, coins, fees


# -- sync through ElectrumX and Core RPC ----------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_electrum_and_core_rpc_show_the_same_account(
    kind: str, tmp_path: Path, litecoind: LitecoinNode, electrumx: ElectrumXServer
) -> None:
    funded = fund_plan(litecoind, electrumx, tmp_path, kind)
    via_electrum = restore(tmp_path, funded, "electrum", electrum(electrumx.tcp))
    via_core = restore(tmp_path, funded, "core", core(litecoind))
    try:
        a_e, a_c = account_of(via_electrum, kind), account_of(via_core, kind)
        report_e, report_c = a_e.sync(), a_c.sync()
        for report in (report_e, report_c):
            assert report.new_transactions == len(funded.txids)
            assert report.tip_height == litecoind.height()
        # Three windows of statuses, then transactions/proofs/headers, then fee parents.
        assert report_e.round_trips is not None
        assert report_e.round_trips <= 5
        assert snapshot(a_e) == snapshot(a_c)

        balance = a_e.balance()
        assert balance.confirmed == funded.confirmed
        assert balance.unconfirmed == funded.unconfirmed
        history = {h.txid: h for h in a_e.history()}
        assert set(history) == set(funded.txids)
        tip = litecoind.height()
        for txid in funded.txids:
            entry = history[txid]
            info = litecoind.rpc("getrawtransaction", txid, True, wallet=None)
            if info.get("blockhash"):
                height = int(
                    litecoind.rpc("getblockheader", info["blockhash"], wallet=None)["height"]
                )
                assert entry.status is TxStatus.CONFIRMED
                assert entry.height == height
                assert entry.timestamp == node_block_time(litecoind, info["blockhash"])
                assert (
                    entry.confirmations == tip - height + 1 == node_confirmations(litecoind, txid)
                )
            else:
                assert entry.status is TxStatus.PENDING
                assert entry.height is None
                assert entry.confirmations == 0
                assert entry.timestamp is not None  # when the wallet first saw it
            assert entry.amount > 0
            assert entry.fee is None  # the account did not pay it
        # The fee of every transaction, incoming ones too, from their parents.
        stored = a_e.view().transactions
        for txid in funded.txids:
            assert stored[txid].fee == node_fee(litecoind, txid)
        # Discovery followed the gap limit on both chains, and no further.
        for chain, used, addresses in (
            (0, RECEIVE_USED, funded.receive),
            (1, CHANGE_USED, funded.change),
        ):
            for index, address in enumerate(addresses[: max(used) + 1 + a_e.gap_limit]):
                info = a_e.find_address(address)
                assert info is not None, (chain, index)
                assert info.chain == chain
                assert info.used == (index in used)
        assert sum(c.value for c in a_e.coins()) == balance.total
    finally:
        via_electrum.close()
        via_core.close()


@pytest.mark.parametrize("server", ["electrum", "core"])
def test_second_sync_is_incremental(
    server: str, tmp_path: Path, litecoind: LitecoinNode, electrumx: ElectrumXServer
) -> None:
    funded = fund_plan(litecoind, electrumx, tmp_path, "p2wpkh")
    inner: UtxoBackend = electrum(electrumx.tcp) if server == "electrum" else core(litecoind)
    backend = Recorder(inner)
    wallet = restore(tmp_path, funded, server, backend)  # type: ignore[arg-type]
    try:
        account = account_of(wallet, "p2wpkh")
        account.sync()
        before = snapshot(account)

        again = account.sync()
        assert again.new_transactions == 0
        assert again.updated_transactions == 0
        assert again.round_trips == 1
        assert backend.updates[-1].transactions == {}
        assert backend.updates[-1].histories == {}
        assert snapshot(account) == before

        # One new payment to a used address, and a block confirming the pending ones.
        new = litecoind.fund(funded.receive[7], 70_000)
        litecoind.mine(1)
        electrumx.wait_synced()
        third = account.sync()
        assert third.new_transactions == 1
        assert third.updated_transactions == 2  # the two pending ones confirmed
        request, update = backend.requests[-1], backend.updates[-1]
        assert set(request.known_txids) >= set(funded.txids)
        assert set(update.transactions) == {new}  # nothing known was downloaded again
        assert third.round_trips is not None
        assert third.round_trips <= 4
        assert account.balance().confirmed == funded.confirmed + funded.unconfirmed + 70_000
        assert account.balance().unconfirmed == 0
        assert account.view().transactions[new].fee == node_fee(litecoind, new)
    finally:
        wallet.close()
        inner.close()


def test_known_confirmed_transactions_are_not_proven_again(
    tmp_path: Path, litecoind: LitecoinNode, electrumx: ElectrumXServer, relay: Relay
) -> None:
    funded = fund_plan(litecoind, electrumx, tmp_path, "p2wpkh")
    backend = electrum(relay.address)
    wallet = restore(tmp_path, funded, "proofs", backend)
    try:
        account = account_of(wallet, "p2wpkh")
        account.sync()
        proofs = relay.count("blockchain.transaction.get_merkle")
        assert proofs == 4  # the four confirmed transactions, once each
        # A new confirmed payment to a script whose history holds a confirmed transaction.
        new = litecoind.fund(funded.receive[0], 33_000)
        litecoind.mine(1)
        electrumx.wait_synced()
        account.sync()
        # Only the new one and the two that just confirmed are proven.
        assert relay.count("blockchain.transaction.get_merkle") - proofs == 3
        assert new in {h.txid for h in account.history() if h.status is TxStatus.CONFIRMED}
    finally:
        wallet.close()
        backend.close()


# -- reorgs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("server", ["electrum", "core"])
def test_reorg_sends_a_transaction_back_to_pending_or_away(
    server: str, tmp_path: Path, litecoind: LitecoinNode, electrumx: ElectrumXServer
) -> None:
    node = litecoind
    with Wallet.create(tmp_path / "reorg.coffer", PASSWORD) as wallet:
        backend: UtxoBackend = electrum(electrumx.tcp) if server == "electrum" else core(node)
        wallet.backends.use(NET, backend)
        account = account_of(wallet, "p2wpkh")
        first, second = account.addresses(2)
        kept = node.fund(first.address, 80_000)
        # Replaceable, so that it can be double-spent once its block is gone.
        doomed = node.rpc("sendtoaddress", second.address, to_coins(90_000), "", "", False, True)
        (block,) = node.mine(1)
        height = node.height()
        electrumx.wait_synced()
        account.sync()
        assert account.balance().confirmed == 170_000
        assert {h.txid: h.height for h in account.history()} == {kept: height, doomed: height}

        # Orphan the block: both go back to the mempool (generateblock with no transactions).
        node.reorg(1)
        electrumx.wait_synced()
        report = account.sync()
        assert report.updated_transactions == 2
        statuses = {h.txid: (h.status, h.height, h.confirmations) for h in account.history()}
        assert statuses == {
            kept: (TxStatus.PENDING, None, 0),
            doomed: (TxStatus.PENDING, None, 0),
        }
        assert account.balance().confirmed == 0
        assert account.balance().unconfirmed == 170_000

        # Double-spend one of them while it is unconfirmed, and mine both outcomes.
        raw = node.rpc("getrawtransaction", doomed, wallet=None)
        conflict = _double_spend(node, raw)
        node.rpc("sendrawtransaction", conflict, wallet=None)
        node.mine(1)
        electrumx.wait_synced()
        report = account.sync()
        assert report.updated_transactions == 2  # one confirmed, one gone
        history = {h.txid: h for h in account.history()}
        assert set(history) == {kept}  # the double-spent one disappeared
        assert history[kept].status is TxStatus.CONFIRMED
        assert history[kept].height == node.height()
        # Its time is the new block's, not the orphaned one's.
        assert history[kept].timestamp == node_block_time(node, node.tip().hash)
        assert node.rpc("getblockhash", height, wallet=None) != block
        assert account.balance().confirmed == 80_000
        assert account.balance().unconfirmed == 0
        backend.close()


def _double_spend(node: LitecoinNode, raw_hex: str) -> str:
    """A node-wallet transaction spending ``raw_hex``'s inputs to the node's own address."""
    decoded = node.rpc("decoderawtransaction", raw_hex, wallet=None)
    total = 0
    for vin in decoded["vin"]:
        parent = node.rpc("getrawtransaction", vin["txid"], True, wallet=None)
        total += int(Decimal(parent["vout"][vin["vout"]]["value"]) * COIN)
    inputs = [{"txid": v["txid"], "vout": v["vout"]} for v in decoded["vin"]]
    outputs = {node.rpc("getnewaddress", "", "bech32"): to_coins(total - 20_000)}
    signed = node.rpc(
        "signrawtransactionwithwallet", node.rpc("createrawtransaction", inputs, outputs)
    )
    assert signed["complete"], signed
    return str(signed["hex"])


# -- servers that fail ----------------------------------------------------------------------


def _synced_then_paid(
    tmp_path: Path, node: LitecoinNode, electrumx: ElectrumXServer, relay: Relay, name: str
) -> tuple[Path, Funded, tuple[Any, ...], str]:
    """A wallet synced through the relay, then a new payment it has not seen yet."""
    funded = fund_plan(node, electrumx, tmp_path, "p2wpkh")
    path = tmp_path / f"{name}.coffer"
    backend = electrum(relay.address, timeout=3, retries=1, backoff=0.05)
    with Wallet.restore(path, PASSWORD, funded.mnemonic) as wallet:
        wallet.backends.use(NET, backend)
        account = account_of(wallet, "p2wpkh")
        account.sync()
        before = snapshot(account)
    backend.close()
    new = node.fund(funded.receive[19], 25_000)
    node.mine(1)
    electrumx.wait_synced()
    return path, funded, before, new


def _reopened(path: Path) -> tuple[Any, ...]:
    with Wallet.open(path, PASSWORD) as wallet:
        return snapshot(account_of(wallet, "p2wpkh"))


@pytest.mark.parametrize(
    "failure",
    ["goes-away-mid-sync", "stalls", "lies-about-a-transaction", "lies-about-a-proof"],
)
def test_a_failing_server_loses_nothing_and_the_next_sync_completes(
    failure: str,
    tmp_path: Path,
    litecoind: LitecoinNode,
    electrumx: ElectrumXServer,
    relay: Relay,
) -> None:
    path, funded, before, new = _synced_then_paid(tmp_path, litecoind, electrumx, relay, failure)
    with Wallet.open(path, PASSWORD) as wallet:
        backend = electrum(relay.address, timeout=3, retries=1, backoff=0.05)
        wallet.backends.use(NET, backend)
        account = account_of(wallet, "p2wpkh")
        if failure == "goes-away-mid-sync":
            relay.cut_on = "blockchain.transaction.get"  # after the statuses and histories
            words = "broke|closed|cannot be reached|did not answer"
        elif failure == "stalls":
            relay.stalled = True
            words = "did not answer in time"
        elif failure == "lies-about-a-transaction":
            relay.rewrite = _tampered_tx
            words = "when asked for"
        else:
            relay.rewrite = _tampered_branch
            words = "merkle proof fails"
        with pytest.raises(BackendUnavailable, match=words) as info:
            account.sync()
        assert info.value.server == relay.address.name
        assert snapshot(account) == before  # nothing of the failed sync was stored
        if failure == "goes-away-mid-sync":
            assert relay.count("blockchain.transaction.get") >= 1
        backend.close()
    assert _reopened(path) == before

    relay.come_back()
    with Wallet.open(path, PASSWORD) as wallet:
        backend = electrum(relay.address)
        wallet.backends.use(NET, backend)
        account = account_of(wallet, "p2wpkh")
        report = account.sync()
        assert report.new_transactions == 1
        assert new in {h.txid for h in account.history()}
        assert account.balance().confirmed == funded.confirmed + funded.unconfirmed + 25_000
        backend.close()


def test_a_server_that_comes_back_serving_another_network_is_refused(
    tmp_path: Path, litecoind: LitecoinNode, electrumx: ElectrumXServer, relay: Relay
) -> None:
    path, _funded, before, _new = _synced_then_paid(
        tmp_path, litecoind, electrumx, relay, "other-network"
    )
    with Wallet.open(path, PASSWORD) as wallet:
        backend = electrum(relay.address, timeout=5, retries=1, backoff=0.05)
        wallet.backends.use(NET, backend)
        account = account_of(wallet, "p2wpkh")
        # The server reconnects as one whose genesis block is another network's.
        relay.rewrite = _other_genesis
        relay.go_away()
        relay.down = False
        with pytest.raises(NetworkMismatch) as info:
            account.sync()
        assert info.value.account_network == litecoin_regtest().genesis_hash
        assert snapshot(account) == before
        backend.close()
    assert _reopened(path) == before


def _tampered_tx(method: str, result: Any) -> Any:
    if method == "blockchain.transaction.get" and isinstance(result, str):
        digit = "0" if result[-1] != "0" else "1"
        return result[:-1] + digit  # another locktime: still a transaction, another txid
    return result


def _tampered_branch(method: str, result: Any) -> Any:
    if method == "blockchain.transaction.get_merkle":
        return {**result, "merkle": ["11" * 32 for _ in result["merkle"]] or ["11" * 32]}
    return result


def _other_genesis(method: str, result: Any) -> Any:
    if method == "blockchain.block.header" and isinstance(result, str):
        digit = "0" if result[150] != "0" else "1"
        return result[:150] + digit + result[151:]  # another time: another genesis hash
    return result


# -- the embedded devnet follows the same discovery rules ----------------------------------


def test_devnet_discovery_and_incremental_sync(tmp_path: Path) -> None:
    """Bitcoin regtest in-process: the devnet answers ``more_scripts`` as the servers do."""
    from chains.addresses import parse_address
    from chains.utxo.devnet import BitcoinDevnet

    devnet = BitcoinDevnet(
        datadir=tmp_path / "devnet", storage_key=b"devnet storage key of this test"
    )
    try:
        devnet.mine(101)
        with Wallet.create(tmp_path / "ref.coffer", PASSWORD) as ref:
            mnemonic = ref.reveal_mnemonic(PASSWORD)
            account = account_of_network(ref, "bitcoin-regtest")
            receive = [a.address for a in account.addresses(80)]
            change = [a.address for a in account.addresses(80, change=True)]
        paid = [(receive, i, 10_000 + i) for i in RECEIVE_USED] + [
            (change, i, 20_000 + i) for i in CHANGE_USED
        ]
        for addresses, index, sats in paid:
            devnet.fund(parse_address(devnet.network, addresses[index]).script_pubkey, sats)
        devnet.mine(1)
        backend = Recorder(devnet)
        with Wallet.restore(tmp_path / "w.coffer", PASSWORD, mnemonic) as wallet:
            wallet.backends.use("bitcoin-regtest", backend)  # type: ignore[arg-type]
            synced = account_of_network(wallet, "bitcoin-regtest")
            report = synced.sync()
            assert report.new_transactions == len(paid)
            assert synced.balance().confirmed == sum(sats for _, _, sats in paid)
            assert len(backend.requests) == 1  # one backend sync did all the discovery
            for addresses, index, _ in paid:
                info = synced.find_address(addresses[index])
                assert info is not None
                assert info.used
            again = synced.sync()
            assert again.new_transactions == 0
            assert backend.updates[-1].histories == {}
    finally:
        devnet.close()


def account_of_network(wallet: Wallet, network: str) -> UtxoAccount:
    account = wallet.account(network)
    assert isinstance(account, UtxoAccount)
    return account


def test_sync_reports_count_transactions_not_the_addresses_they_touch(tmp_path: Path) -> None:
    """One transaction paying five addresses is one new, then one updated transaction."""
    from chains.addresses import parse_address
    from chains.utxo.devnet import FAUCET_SCRIPT, FAUCET_WITNESS_SCRIPT, BitcoinDevnet
    from primitives.tx import Transaction, TxIn, TxOut

    with BitcoinDevnet() as devnet, Wallet.create(tmp_path / "w.coffer", PASSWORD) as wallet:
        devnet.mine(101)
        wallet.backends.use("bitcoin-regtest", devnet)
        account = account_of_network(wallet, "bitcoin-regtest")
        scripts = [
            parse_address(devnet.network, a.address).script_pubkey for a in account.addresses(5)
        ]
        coin = next(u for u in devnet.utxos(FAUCET_SCRIPT) if u.height == 1)
        payments = [TxOut(100_000, script) for script in scripts]
        change = TxOut(coin.value - 500_000 - 2_000, FAUCET_SCRIPT)
        spend = TxIn(coin.outpoint, b"", 0xFFFFFFFD, (FAUCET_WITNESS_SCRIPT,))
        tx = Transaction(2, (spend,), (*payments, change), 0)
        devnet.broadcast(tx.serialize())
        report = account.sync()
        assert (report.new_transactions, report.updated_transactions) == (1, 0)
        devnet.mine(1)
        assert account.sync().updated_transactions == 1  # confirmed
        devnet.reorg(1)  # its block orphaned: back in the mempool
        assert account.sync().updated_transactions == 1
        assert [h.status for h in account.history()] == [TxStatus.PENDING]
        bare = Transaction(2, (spend,), (TxOut(coin.value - 50_000, FAUCET_SCRIPT),), 0)
        devnet.reorg(1, txs=[bare.serialize()])  # double-spent in a longer branch: gone
        assert account.sync().updated_transactions == 1
        assert account.history() == []
        assert account.balance().total == 0


def test_a_self_signed_electrum_server_is_used_only_when_pinned(
    electrumx: ElectrumXServer, litecoind: LitecoinNode, tmp_path: Path
) -> None:
    with Wallet.create(tmp_path / "pinned.coffer", PASSWORD) as wallet:
        account = wallet.account("litecoin-regtest")
        unpinned = f"ssl://127.0.0.1:{electrumx.ssl_port}"
        wallet.backends.set_servers("litecoin-regtest", [unpinned])
        with pytest.raises(BackendUnavailable):
            account.sync()
        pinned = f"{unpinned}?fingerprint={electrumx.fingerprint.upper()}"
        wallet.backends.set_servers("litecoin-regtest", [pinned])
        assert wallet.backends.servers("litecoin-regtest") == (pinned,)
        report = account.sync()
        assert report.tip_height == litecoind.rpc("getblockcount", wallet=None)
