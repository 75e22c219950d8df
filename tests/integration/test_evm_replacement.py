"""Pending transactions on a real node: speed-up, cancel, nonce gaps, foreign and vanishing nodes.

Each test runs its own anvil (chain id 31337) with automine switched off where blocks must
wait (``evm_setAutomine false``, then ``evm_mine``), and reaches it the way a user does:
``wallet.backends.set_servers("evm-local", [url])``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from eth_account import Account

from chains.evm.jsonrpc import JsonRpcBackend
from chains.registry import EvmNetwork, get_network
from tests.conftest import PASSWORD
from tests.nodes.evm import AnvilDevnet, AnvilNode, anvil_binary, anvil_factory
from wallet import EvmAccount, Wallet
from wallet.cli.signing import format_draft
from wallet.errors import (
    BackendUnavailable,
    FeeTooLow,
    NetworkMismatch,
    NonceConflict,
    NotReplaceable,
    TransactionNotFound,
)
from wallet.types import TxStatus

__all__ = ["anvil_binary", "anvil_factory"]  # fixtures used from the node plugin

LOCAL = get_network("evm-local")
assert isinstance(LOCAL, EvmNetwork)
ETH = 10**18


@dataclass
class Node:
    anvil: AnvilNode
    state: Path  # anvil keeps its chain here when it stops (--state)
    backend: JsonRpcBackend
    devnet: AnvilDevnet
    wallet: Wallet
    account: EvmAccount

    def automine(self, on: bool) -> None:
        self.backend.request("evm_setAutomine", on)

    def mine(self) -> None:
        self.backend.request("evm_mine")

    def send(self, draft: object) -> str:
        return self.account.broadcast(self.wallet.sign(draft))  # type: ignore[arg-type]


@pytest.fixture
def node(anvil_factory: Callable[..., AnvilNode], tmp_path: Path) -> Iterator[Node]:
    state = tmp_path / "anvil-state.json"
    anvil = anvil_factory(31337, "--state", str(state))
    backend = JsonRpcBackend(LOCAL, [anvil.http_url])
    wallet = Wallet.create(tmp_path / "w.coffer", PASSWORD)
    wallet.backends.set_servers("evm-local", [anvil.http_url])
    account = wallet.account("evm-local")
    assert isinstance(account, EvmAccount)
    devnet = AnvilDevnet(backend)
    devnet.fund(account.address, ETH)
    account.sync()
    yield Node(anvil, state, backend, devnet, wallet, account)
    wallet.close()
    backend.close()


def statuses(account: EvmAccount) -> dict[str, TxStatus]:
    return {s.tx_hash: s.status for s in account.sent_transactions()}


def test_speed_up_replaces_a_pending_transaction(node: Node) -> None:
    acct = node.account
    node.automine(False)
    friend = Account.create().address
    slow = acct.prepare_send(friend, "0.1", fee="slow")
    first = node.send(slow)
    acct.sync()
    assert statuses(acct) == {first: TxStatus.PENDING}
    [pending] = [e for e in acct.history() if e.status is TxStatus.PENDING]
    assert (pending.txid, pending.amount, pending.replaceable) == (first, -(ETH // 10), True)
    assert acct.balance().unconfirmed < 0  # the node's pending state already pays it

    faster = acct.speed_up(first)
    assert format_draft(faster) == [
        f"Replaces {first} (the same nonce {faster.request.nonce}, higher fees)."
    ]
    r, old = faster.request, slow.request
    assert (faster.kind, faster.replaces, r.nonce, r.to, r.value) == (
        "speed-up",
        first,
        old.nonce,
        old.to,
        old.value,
    )
    assert r.max_fee_per_gas is not None
    assert old.max_fee_per_gas is not None
    assert r.max_fee_per_gas * 100 >= old.max_fee_per_gas * 110
    assert (r.max_priority_fee_per_gas or 0) * 100 >= (old.max_priority_fee_per_gas or 0) * 110
    second = node.send(faster)
    assert statuses(acct) == {first: TxStatus.REPLACED, second: TxStatus.PENDING}
    node.mine()
    acct.sync()
    assert statuses(acct) == {first: TxStatus.REPLACED, second: TxStatus.CONFIRMED}
    receipt = node.backend.get_receipt(second)
    assert receipt is not None
    assert acct.balance().confirmed == ETH - ETH // 10 - receipt.fee
    assert node.backend.get_balance(friend) == ETH // 10  # paid once, not twice
    mined = [e for e in acct.history() if e.txid == second]
    assert [(e.status, e.amount) for e in mined] == [
        (TxStatus.CONFIRMED, -(ETH // 10) - receipt.fee)
    ]
    assert [e.status for e in acct.history() if e.txid == first] == [TxStatus.REPLACED]
    with pytest.raises(NotReplaceable):
        acct.speed_up(second)
    with pytest.raises(NotReplaceable):
        acct.cancel(first)
    with pytest.raises(TransactionNotFound):
        acct.speed_up("0x" + "ab" * 32)


def test_cancel_sends_nothing_and_costs_only_the_fee(node: Node) -> None:
    acct = node.account
    node.automine(False)
    friend = Account.create().address
    original = node.send(acct.prepare_send(friend, "0.3"))
    draft = acct.cancel(original)
    assert draft.kind == "cancel"
    assert draft.request.to == acct.address
    assert (draft.request.value, draft.request.data, draft.request.gas) == (0, b"", 21000)
    assert draft.summary.outputs[0].address == acct.address
    assert format_draft(draft) == [  # what the CLI says before the review (issue 13 item 14)
        f"Cancels {original}: sends nothing to yourself with its nonce {draft.request.nonce}, "
        "so at most one of the two is mined."
    ]
    cancelled = node.send(draft)
    node.mine()
    acct.sync()
    assert statuses(acct) == {original: TxStatus.REPLACED, cancelled: TxStatus.CONFIRMED}
    receipt = node.backend.get_receipt(cancelled)
    assert receipt is not None
    assert node.backend.get_balance(friend) == 0
    assert acct.balance().confirmed == ETH - receipt.fee


def test_replacement_fees_must_rise_by_ten_percent(node: Node) -> None:
    acct = node.account
    node.automine(False)
    first = acct.prepare_send(Account.create().address, "0.1")
    tx_hash = node.send(first)
    cap = first.request.max_fee_per_gas
    tip = first.request.max_priority_fee_per_gas
    assert cap is not None
    assert tip is not None
    with pytest.raises(FeeTooLow, match="10%"):  # refused before anything is signed
        acct.speed_up(tx_hash, max_fee_per_gas=cap + 1, max_priority_fee_per_gas=tip + 1)
    # The node refuses an underpriced replacement too, and the wallet says so.
    same = acct.prepare_send(
        Account.create().address,
        "0.1",
        nonce=first.request.nonce,
        max_fee_per_gas=cap,
        max_priority_fee_per_gas=tip,
    )
    with pytest.raises(FeeTooLow, match="does not raise the fee enough"):
        node.send(same)
    assert statuses(acct) == {tx_hash: TxStatus.PENDING}


def test_a_nonce_gap_is_detected_and_filled(node: Node) -> None:
    acct = node.account
    node.automine(False)
    friend = Account.create().address
    # A transaction whose nonce skips one: it waits in the node's queue, behind the hole.
    ahead = node.send(acct.prepare_send(friend, "0.02", nonce=1))
    acct.sync()
    assert statuses(acct) == {ahead: TxStatus.PENDING}
    state = acct.nonces()
    assert (state.mined, state.pending, state.in_flight) == (0, 0, (1,))
    assert (state.gaps, state.stuck, state.next_nonce) == ((0,), (1,), 0)
    node.mine()
    assert node.backend.get_transaction_count(acct.address, "latest") == 0  # stuck behind it
    fill = acct.prepare_send(friend, "0.03")
    assert fill.request.nonce == 0
    assert fill.nonce_gaps == (0,)
    filled = node.send(fill)
    node.mine()
    acct.sync()
    assert statuses(acct) == {ahead: TxStatus.CONFIRMED, filled: TxStatus.CONFIRMED}
    assert node.backend.get_balance(friend) == ETH // 100 * 5  # 0.02 + 0.03: the gap is closed
    assert acct.nonces().gaps == ()
    assert acct.prepare_send(friend, "0.01").request.nonce == 2


def test_two_drafts_never_send_on_one_nonce(node: Node) -> None:
    acct = node.account
    node.automine(False)
    alice, bob, carol = (Account.create().address for _ in range(3))
    first = acct.prepare_send(alice, "0.1")
    # Prepared before the first is sent, the second takes the same nonce; it pays double,
    # so the node would take it as the first one's replacement: one payment would vanish.
    second = acct.prepare_send(
        bob,
        "0.2",
        max_fee_per_gas=2 * (first.request.max_fee_per_gas or 0),
        max_priority_fee_per_gas=2 * (first.request.max_priority_fee_per_gas or 0),
    )
    assert first.request.nonce == second.request.nonce == 0
    sent_first = node.send(first)
    signed_second = node.wallet.sign(second)
    with pytest.raises(NonceConflict, match="held by the pending transaction") as info:
        acct.broadcast(signed_second)
    assert info.value.nonce == 0
    assert node.backend.get_transaction(signed_second.txid) is None  # it never left
    assert statuses(acct) == {sent_first: TxStatus.PENDING}
    again = node.send(acct.prepare_send(bob, "0.2"))  # prepared again: the next nonce
    # A nonce chosen on purpose is a replacement of the pending transaction holding it.
    third = acct.prepare_send(carol, "0.3")
    sent_third = node.send(third)
    instead = acct.prepare_send(
        carol,
        "0.25",
        nonce=third.request.nonce,
        max_fee_per_gas=2 * (third.request.max_fee_per_gas or 0),
        max_priority_fee_per_gas=2 * (third.request.max_priority_fee_per_gas or 0),
    )
    assert instead.replaces == sent_third
    sent_instead = node.send(instead)
    node.mine()
    acct.sync()
    assert statuses(acct) == {
        sent_first: TxStatus.CONFIRMED,
        again: TxStatus.CONFIRMED,
        sent_third: TxStatus.REPLACED,
        sent_instead: TxStatus.CONFIRMED,
    }
    assert [node.backend.get_balance(a) for a in (alice, bob, carol)] == [
        ETH // 10,
        ETH // 5,
        ETH // 4,
    ]


def test_a_transaction_the_node_drops_is_sent_again(node: Node) -> None:
    acct = node.account
    node.automine(False)
    friend = Account.create().address
    first = node.send(acct.prepare_send(friend, "0.01"))
    second = node.send(acct.prepare_send(friend, "0.02"))
    node.backend.request("anvil_dropTransaction", first)  # anvil drops its dependants too
    assert node.backend.get_transaction(second) is None
    report = acct.sync()
    assert (report.warnings, report.updated_transactions) == ((), 0)
    assert statuses(acct) == {first: TxStatus.PENDING, second: TxStatus.PENDING}
    assert node.backend.get_transaction(first) is not None  # sent again, lowest nonce first
    assert node.backend.get_transaction(second) is not None
    assert acct.nonces().next_nonce == 2
    node.mine()
    acct.sync()
    assert statuses(acct) == {first: TxStatus.CONFIRMED, second: TxStatus.CONFIRMED}
    assert node.backend.get_balance(friend) == ETH // 100 * 3


def test_a_dropped_transaction_is_marked_and_its_nonce_reused(node: Node) -> None:
    acct = node.account
    node.automine(False)
    friend = Account.create().address
    first = node.send(acct.prepare_send(friend, "0.01"))
    second = node.send(acct.prepare_send(friend, "0.02"))
    assert acct.nonces().next_nonce == 2
    node.backend.request("anvil_dropTransaction", first)  # anvil drops its dependants too
    # Sent again after the sync, the first is refused (the account cannot pay it any more),
    # and the second, behind it, is not sent: both are dropped, the sync says why.
    node.backend.request("anvil_setBalance", acct.address, "0x0")
    report = acct.sync()
    refused, behind = report.warnings
    assert first in refused
    assert "cannot pay" in refused
    assert "nonce 0 goes to the next transaction" in refused
    assert second in behind
    assert "not sent again" in behind
    assert statuses(acct) == {first: TxStatus.DROPPED, second: TxStatus.DROPPED}
    assert acct.nonces().next_nonce == 0
    node.backend.request("anvil_setBalance", acct.address, hex(ETH))
    assert acct.sync().warnings == ()  # what is dropped stays dropped
    assert statuses(acct) == {first: TxStatus.DROPPED, second: TxStatus.DROPPED}
    again = node.send(acct.prepare_send(friend, "0.04"))
    node.mine()
    acct.sync()
    assert statuses(acct)[again] is TxStatus.CONFIRMED
    assert node.backend.get_balance(friend) == ETH // 100 * 4


def test_a_node_of_another_chain_is_refused(
    node: Node, anvil_factory: Callable[..., AnvilNode]
) -> None:
    acct = node.account
    before = (acct.balance(), acct.history())
    foreign = anvil_factory(1)  # Ethereum mainnet's chain id
    node.wallet.backends.set_servers("evm-local", [foreign.http_url])
    with pytest.raises(NetworkMismatch, match="chain id 1") as info:
        acct.sync()
    assert info.value.account_network == "31337"
    with pytest.raises(NetworkMismatch):
        acct.prepare_send(Account.create().address, "0.1")
    assert (acct.balance(), acct.history()) == before


def test_a_node_that_goes_away_and_comes_back(
    node: Node, anvil_factory: Callable[..., AnvilNode]
) -> None:
    acct = node.account
    before = (acct.balance(), acct.history())
    port = node.anvil.port
    node.anvil.stop()
    with pytest.raises(BackendUnavailable) as info:
        acct.sync()
    assert str(port) in info.value.server
    with pytest.raises(BackendUnavailable):
        acct.prepare_send(Account.create().address, Decimal("0.1"))
    assert (acct.balance(), acct.history()) == before
    # The node comes back with its chain (kept in its state file): all is as it was.
    back = anvil_factory(31337, "--state", str(node.state), port=port)
    report = acct.sync()
    assert (report.tip_height, report.warnings) == (1, ())
    assert (acct.balance(), acct.history()) == before
    # A fresh chain on that port instead (a devnet reset): the old chain's history goes,
    # since none of it happened on this one; the report says so.
    back.stop()
    anvil_factory(31337, port=port)
    report = acct.sync()
    assert report.tip_height == 0
    assert any("reorganised" in w for w in report.warnings)
    assert (acct.balance().total, acct.history()) == (0, [])


def test_several_servers_fail_over(node: Node, anvil_factory: Callable[..., AnvilNode]) -> None:
    acct = node.account
    first = anvil_factory(31337)  # an empty chain, first in the list
    node.wallet.backends.set_servers(
        "evm-local", ["ws://127.0.0.1:9", first.http_url, node.anvil.ws_url]
    )
    assert node.wallet.backends.servers("evm-local")[1] == first.http_url
    acct.sync()  # served by the first reachable node: its chain holds nothing of ours
    assert acct.balance().confirmed == 0
    first.stop()  # it goes away: the next one (over WebSocket) takes over
    acct.sync()
    assert acct.balance().confirmed == ETH
