"""An own transaction the node lost is sent again by the next sync: the embedded chain.

The embedded chain mines every transaction at once, so it cannot drop one from a pool (the
anvil tests in ``test_evm_replacement.py`` do, with ``anvil_dropTransaction``). What it can
show is the fail-over case: the transaction went to another node of the network, which then
went away; the node the wallet uses now has never seen it, its nonce is unused there, and
the sync sends it there.
"""

from __future__ import annotations

from pathlib import Path

from eth_account import Account

from chains.evm.embedded import EmbeddedBackend
from chains.registry import EvmNetwork, get_network
from tests.conftest import PASSWORD
from wallet import EvmAccount, Wallet
from wallet.types import TxStatus

ETH = 10**18


def test_a_transaction_another_node_lost_is_sent_again(tmp_path: Path) -> None:
    network = get_network("evm-embedded")
    assert isinstance(network, EvmNetwork)
    staying, leaving = EmbeddedBackend(network), EmbeddedBackend(network)
    with Wallet.create(tmp_path / "w.coffer", PASSWORD) as wallet:
        account = wallet.account("evm-embedded")
        assert isinstance(account, EvmAccount)
        for chain in (staying, leaving):
            chain.fund(account.address, ETH)
        friend = Account.create().address
        wallet.backends.use("evm-embedded", leaving)
        lost = account.broadcast(wallet.sign(account.prepare_send(friend, "0.1")))
        assert leaving.get_receipt(lost) is not None
        wallet.backends.use("evm-embedded", staying)  # the first node is gone
        assert staying.get_transaction(lost) is None
        report = account.sync()
        assert report.warnings == ()
        assert [(s.tx_hash, s.status) for s in account.sent_transactions()] == [
            (lost, TxStatus.PENDING)
        ]
        receipt = staying.get_receipt(lost)  # sent again, and mined at once
        assert receipt is not None
        assert receipt.success
        assert staying.get_balance(friend) == ETH // 10
        account.sync()
        [sent] = account.sent_transactions()
        assert (sent.tx_hash, sent.status, sent.fee) == (lost, TxStatus.CONFIRMED, receipt.fee)
    staying.close()
    leaving.close()
