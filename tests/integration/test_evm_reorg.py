"""Reorganisations on a real node: the stored history and own transactions follow the chain.

Each test runs its own anvil and rewrites its chain the two ways anvil offers:
``anvil_reorg`` (the last blocks replaced, a transaction put back in a later block) and
``evm_snapshot`` / ``evm_revert`` (blocks dropped, other blocks mined at their heights).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account

from chains.evm.jsonrpc import JsonRpcBackend
from chains.registry import EvmNetwork, get_network
from tests.conftest import PASSWORD
from tests.nodes.evm import AnvilDevnet, AnvilNode, anvil_binary, anvil_factory
from wallet import EvmAccount, Wallet
from wallet.types import TxStatus

__all__ = ["anvil_binary", "anvil_factory"]  # fixtures used from the node plugin

LOCAL = get_network("evm-local")
assert isinstance(LOCAL, EvmNetwork)
ETH = 10**18


@dataclass
class Chain:
    backend: JsonRpcBackend
    devnet: AnvilDevnet
    wallet: Wallet
    account: EvmAccount


@pytest.fixture
def chain(anvil_factory: Callable[..., AnvilNode], tmp_path: Path) -> Iterator[Chain]:
    anvil = anvil_factory(31337)
    backend = JsonRpcBackend(LOCAL, [anvil.http_url])
    wallet = Wallet.create(tmp_path / "w.coffer", PASSWORD)
    wallet.backends.set_servers("evm-local", [anvil.http_url])
    account = wallet.account("evm-local")
    assert isinstance(account, EvmAccount)
    yield Chain(backend, AnvilDevnet(backend), wallet, account)
    wallet.close()
    backend.close()


def test_an_own_transaction_moved_to_another_block(chain: Chain) -> None:
    acct, backend = chain.account, chain.backend
    chain.devnet.fund(acct.address, ETH)  # block 1
    signed = chain.wallet.sign(acct.prepare_send(Account.create().address, "0.1"))
    acct.broadcast(signed)
    chain.devnet.wait_for_receipt(signed.txid)  # block 2
    chain.devnet.mine_blocks(2)
    acct.sync()
    report = acct.sync()  # nothing changed: no warning, nothing new
    assert (report.warnings, report.new_transactions, report.updated_transactions) == ((), 0, 0)
    [sent] = acct.sent_transactions()
    assert (sent.status, sent.block_number) == (TxStatus.CONFIRMED, 2)

    # Blocks 2 to 4 are replaced; the payment is mined again, in block 4.
    backend.request("anvil_reorg", 3, [["0x" + signed.raw.hex(), 2]])
    receipt = backend.get_receipt(signed.txid)
    assert receipt is not None
    assert receipt.block_number == 4
    report = acct.sync()
    assert any("reorganised" in w for w in report.warnings)
    assert report.updated_transactions == 1
    [sent] = acct.sent_transactions()
    assert (sent.status, sent.block_number, sent.fee) == (TxStatus.CONFIRMED, 4, receipt.fee)
    history = acct.history()
    assert [(e.txid, e.height, e.fee) for e in history if e.amount < 0] == [
        (signed.txid, 4, receipt.fee)
    ]
    assert sum(e.amount for e in history) == acct.balance().confirmed
    assert acct.balance().confirmed == backend.get_balance(acct.address)


def test_blocks_that_are_gone_leave_the_history(chain: Chain) -> None:
    acct, backend, devnet = chain.account, chain.backend, chain.devnet
    devnet.fund(acct.address, 3 * ETH)  # block 1
    snapshot = backend.request("evm_snapshot")
    devnet.fund(acct.address, ETH)  # block 2: will be gone
    lost = chain.wallet.sign(acct.prepare_send(Account.create().address, "0.5"))
    acct.broadcast(lost)
    devnet.wait_for_receipt(lost.txid)  # block 3: will be gone
    acct.sync()
    assert len(acct.history()) == 3

    # The chain goes back to block 1 and grows past its old tip with other blocks.
    assert backend.request("evm_revert", snapshot) is True
    found = devnet.fund(acct.address, 2 * ETH)  # block 2 again, another transaction
    devnet.mine_blocks(3)
    report = acct.sync()
    assert any("reorganised" in w for w in report.warnings)
    assert report.new_transactions == 1
    # What the chain holds: the first funding and the new one; the lost payment is shown
    # dropped (it never happened here), the lost funding not at all.
    history = acct.history()
    assert [(e.txid, e.status, e.height) for e in history] == [
        (lost.txid, TxStatus.DROPPED, None),
        (found.transaction_hash, TxStatus.CONFIRMED, 2),
        (history[2].txid, TxStatus.CONFIRMED, 1),
    ]
    assert [e.amount for e in history[1:]] == [2 * ETH, 3 * ETH]
    assert acct.balance().confirmed == 5 * ETH == backend.get_balance(acct.address)
    # The payment whose block is gone is not on this chain: dropped, and its nonce is free.
    assert [(s.tx_hash, s.status) for s in acct.sent_transactions()] == [
        (lost.txid, TxStatus.DROPPED)
    ]
    assert acct.nonces().next_nonce == 0
    assert acct.prepare_send(Account.create().address, "0.5").request.nonce == 0


def test_a_public_network_notices_its_own_transaction_gone(
    anvil_factory: Callable[..., AnvilNode], tmp_path: Path
) -> None:
    ethereum = get_network("ethereum")
    assert isinstance(ethereum, EvmNetwork)
    node = anvil_factory(1)  # answers as Ethereum; no explorer key: history is own sends
    backend = JsonRpcBackend(ethereum, [node.http_url])
    devnet = AnvilDevnet(backend)
    wallet = Wallet.create(tmp_path / "w.coffer", PASSWORD)
    wallet.backends.set_servers("ethereum", [node.http_url])
    account = wallet.account("ethereum")
    assert isinstance(account, EvmAccount)
    devnet.fund(account.address, ETH)
    snapshot = backend.request("evm_snapshot")
    signed = wallet.sign(account.prepare_send(Account.create().address, "0.1"))
    account.broadcast(signed)
    devnet.wait_for_receipt(signed.txid)
    account.sync()
    assert [(e.txid, e.status) for e in account.history()] == [(signed.txid, TxStatus.CONFIRMED)]

    assert backend.request("evm_revert", snapshot) is True
    devnet.mine_blocks(3)
    report = account.sync()
    assert any("reorganised" in w for w in report.warnings)
    assert [(e.txid, e.status, e.height) for e in account.history()] == [
        (signed.txid, TxStatus.DROPPED, None)
    ]
    assert account.balance().confirmed == ETH
    assert account.prepare_send(Account.create().address, "0.1").request.nonce == 0
    wallet.close()
    backend.close()
