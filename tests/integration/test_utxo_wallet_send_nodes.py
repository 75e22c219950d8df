"""Sending end to end on litecoind, through ElectrumX and Core RPC, with the public API only.

Each test funds a fresh seed from the node, syncs, prepares a draft on the account, signs it
with ``Wallet.sign``, broadcasts it with ``account.broadcast`` and lets Litecoin Core judge:
the transaction must be in the node's mempool (``getrawmempool``) and then in a block, and
each input is also checked with libbitcoinkernel's script interpreter (Litecoin's script
rules are Bitcoin's). Cases: an external address, the wallet itself, several recipients,
send-max, a 100-input consolidation, an RBF bump (the mempool takes the replacement and
drops the original) and CPFP (the package confirms).

The sending API is engineer H7's (``wallet/utxo/builder.py``, ``fees.py``, ``bump.py``,
``signing.py``): ``UtxoAccount.prepare_send(to, amount, fee, *, recipients, fee_rate,
send_max, ...)``, ``bump_fee(txid, fee_rate)`` and ``cpfp(txid, fee_rate)``, each returning
a draft for ``Wallet.sign``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chains.utxo.corerpc import CoreRpcBackend
from chains.utxo.electrum import ElectrumBackend
from chains.utxo.kernel import verify_transaction
from primitives.tx import Transaction, TxOut
from tests.conftest import PASSWORD
from tests.nodes.utxo import ElectrumXServer, LitecoinNode, litecoin_regtest
from wallet import Wallet
from wallet.accounts import UtxoAccount
from wallet.errors import NotReplaceable
from wallet.types import TxStatus

pytestmark = pytest.mark.nodes

NET = "litecoin-regtest"
COIN = 100_000_000
RATE = Decimal(3)  # sat/vB: regtest has no estimates, and 1 sat/vB is the relay minimum


class Sender:
    """A funded wallet on one backend, with the node to judge what it sends."""

    def __init__(self, wallet: Wallet, node: LitecoinNode, indexer: ElectrumXServer) -> None:
        self.wallet = wallet
        self.node = node
        self.indexer = indexer
        account = wallet.account(NET)
        assert isinstance(account, UtxoAccount)
        self.account = account

    def fund(self, *amounts: int) -> None:
        """Pay the account's receive addresses from the node, confirm, sync."""
        for n, sats in enumerate(amounts):
            address = self.account.addresses(1, n)[0].address
            self.node.fund(address, sats)
        self.node.mine(1)
        self.settle()

    def settle(self) -> None:
        self.indexer.wait_synced()
        self.account.sync()

    def send(self, draft: Any) -> str:
        """Sign, verify each input with libbitcoinkernel, broadcast; the node must have it."""
        signed = self.wallet.sign(draft)
        tx = Transaction.parse(signed.raw)
        verify_transaction(tx, [self._spent(i.prevout.txid_hex, i.prevout.vout) for i in tx.inputs])
        txid = self.account.broadcast(signed)
        assert txid == tx.txid
        assert txid in self.node.rpc("getrawmempool", wallet=None)
        return txid

    def _spent(self, txid: str, vout: int) -> TxOut:
        info = self.node.rpc("getrawtransaction", txid, True, wallet=None)
        out = info["vout"][vout]
        return TxOut(int(Decimal(out["value"]) * COIN), bytes.fromhex(out["scriptPubKey"]["hex"]))

    def confirm(self, txid: str) -> None:
        self.node.mine(1)
        self.settle()
        assert self.node.rpc("getrawtransaction", txid, True, wallet=None).get("blockhash")
        entry = {h.txid: h for h in self.account.history()}[txid]
        assert entry.status is TxStatus.CONFIRMED


@pytest.fixture(params=["electrum", "core"])
def sender(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    litecoind: LitecoinNode,
    electrumx: ElectrumXServer,
) -> Iterator[Sender]:
    if request.param == "electrum":
        backend: Any = ElectrumBackend(litecoin_regtest(), [electrumx.tcp], timeout=15)
    else:
        backend = CoreRpcBackend(
            litecoin_regtest(),
            litecoind.url,
            user="u",
            password="p",
            wallet=f"s-{uuid.uuid4().hex}",
        )
    electrumx.wait_synced()
    wallet = Wallet.create(tmp_path / "sender.coffer", PASSWORD)
    wallet.backends.use(NET, backend)
    try:
        yield Sender(wallet, litecoind, electrumx)
    finally:
        wallet.close()
        backend.close()


def _external(node: LitecoinNode) -> str:
    return str(node.rpc("getnewaddress", "", "bech32"))


def test_send_to_an_external_address(sender: Sender) -> None:
    sender.fund(500_000)
    to = _external(sender.node)
    txid = sender.send(sender.account.prepare_send(to, Decimal("0.002"), fee_rate=RATE))
    sender.settle()
    entry = {h.txid: h for h in sender.account.history()}[txid]
    assert entry.status is TxStatus.PENDING
    assert entry.fee is not None
    assert entry.amount == -(200_000 + entry.fee)
    assert to in entry.counterparties
    sender.confirm(txid)
    assert sender.account.balance().total == 500_000 - 200_000 - entry.fee
    received = sender.node.rpc("getreceivedbyaddress", to, 0)
    assert int(Decimal(received) * COIN) == 200_000


def test_send_to_itself(sender: Sender) -> None:
    sender.fund(400_000)
    own = sender.account.receive_address()
    txid = sender.send(sender.account.prepare_send(own, Decimal("0.001"), fee_rate=RATE))
    sender.confirm(txid)
    entry = {h.txid: h for h in sender.account.history()}[txid]
    assert entry.fee is not None
    assert entry.amount == -entry.fee  # only the fee left the wallet
    assert sender.account.balance().total == 400_000 - entry.fee


def test_send_to_several_recipients(sender: Sender) -> None:
    sender.fund(300_000, 300_000)
    recipients = [(_external(sender.node), Decimal("0.0005") * (k + 2)) for k in range(3)]
    txid = sender.send(sender.account.prepare_send(None, recipients=recipients, fee_rate=RATE))
    decoded = sender.node.rpc("getrawtransaction", txid, True, wallet=None)
    paid = {
        o["scriptPubKey"]["addresses"][0]: Decimal(o["value"])
        for o in decoded["vout"]
        if "addresses" in o["scriptPubKey"]
    }
    for address, amount in recipients:
        assert paid[address] == amount
    sender.confirm(txid)


def test_send_max_empties_the_account(sender: Sender) -> None:
    sender.fund(120_000, 80_000, 50_000)
    to = _external(sender.node)
    txid = sender.send(sender.account.prepare_send(to, send_max=True, fee_rate=RATE))
    decoded = sender.node.rpc("getrawtransaction", txid, True, wallet=None)
    assert len(decoded["vin"]) == 3
    assert len(decoded["vout"]) == 1  # no change
    sender.confirm(txid)
    assert sender.account.balance().total == 0
    assert sender.account.coins() == []


def test_consolidation_of_100_inputs(sender: Sender) -> None:
    node = sender.node
    addresses = [a.address for a in sender.account.addresses(100)]
    for start in range(0, 100, 50):
        node.rpc("sendmany", "", {a: "0.0002" for a in addresses[start : start + 50]})
    node.mine(1)
    sender.settle()
    assert len(sender.account.coins()) == 100
    own = sender.account.change_address()
    txid = sender.send(sender.account.prepare_send(own, send_max=True, fee_rate=RATE))
    assert len(node.rpc("getrawtransaction", txid, True, wallet=None)["vin"]) == 100
    sender.confirm(txid)
    assert len(sender.account.coins()) == 1


def test_rbf_bump_replaces_the_original_in_the_mempool(sender: Sender) -> None:
    sender.fund(600_000)
    to = _external(sender.node)
    original = sender.send(sender.account.prepare_send(to, Decimal("0.001"), fee_rate=RATE))
    sender.settle()
    bumped = sender.send(sender.account.bump_fee(original, RATE * 3))
    pool = sender.node.rpc("getrawmempool", wallet=None)
    assert bumped in pool
    assert original not in pool
    sender.confirm(bumped)
    statuses = {h.txid: h.status for h in sender.account.history()}
    assert statuses[bumped] is TxStatus.CONFIRMED
    assert statuses.get(original, TxStatus.REPLACED) is TxStatus.REPLACED


def test_cpfp_confirms_the_package(sender: Sender) -> None:
    sender.fund(700_000)
    to = _external(sender.node)
    parent = sender.send(sender.account.prepare_send(to, Decimal("0.001"), fee_rate=Decimal(1)))
    sender.settle()
    child = sender.send(sender.account.cpfp(parent, RATE * 4))
    entry = sender.node.rpc("getmempoolentry", child, wallet=None)
    assert parent in entry["depends"]
    sender.confirm(child)
    assert {h.txid: h.status for h in sender.account.history()}[parent] is TxStatus.CONFIRMED


def test_a_transaction_just_sent_is_not_abandoned(sender: Sender) -> None:
    # Issue 13 item 7: no sync has reported it yet, but the server's node has it.
    sender.fund(400_000)
    to = _external(sender.node)
    txid = sender.send(sender.account.prepare_send(to, Decimal("0.001"), fee_rate=RATE))
    with pytest.raises(NotReplaceable, match="still has"):
        sender.account.abandon(txid)
    assert txid in sender.node.rpc("getrawmempool", wallet=None)
    sender.confirm(txid)
