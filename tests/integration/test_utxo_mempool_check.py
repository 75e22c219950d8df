"""The UTXO review's last step on litecoind: ``testmempoolaccept`` before anything is sent.

A Core RPC backend asks the node whether its mempool would take the signed transaction: a
good one is accepted with its size, a second spend of a coin the mempool already holds
spent is refused with the node's reason in words, and nothing reaches the mempool either
way. ElectrumX has no such call: the check says it is unavailable.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from chains.utxo.corerpc import CoreRpcBackend
from chains.utxo.electrum import ElectrumBackend
from primitives.tx import Transaction
from tests.conftest import PASSWORD
from tests.nodes.utxo import ElectrumXServer, LitecoinNode, litecoin_regtest
from wallet import Wallet
from wallet.accounts import UtxoAccount
from wallet.errors import WalletError

pytestmark = pytest.mark.nodes

NET = "litecoin-regtest"
RATE = Decimal(3)


@pytest.fixture
def core_wallet(
    tmp_path: Path, litecoind: LitecoinNode, electrumx: ElectrumXServer
) -> Iterator[tuple[Wallet, UtxoAccount]]:
    backend = CoreRpcBackend(
        litecoin_regtest(), litecoind.url, user="u", password="p", wallet=f"m-{uuid.uuid4().hex}"
    )
    wallet = Wallet.create(tmp_path / "mempool.coffer", PASSWORD)
    wallet.backends.use(NET, backend)
    account = wallet.account(NET)
    assert isinstance(account, UtxoAccount)
    try:
        yield wallet, account
    finally:
        wallet.close()
        backend.close()


def test_core_says_whether_its_mempool_would_take_the_transaction(
    core_wallet: tuple[Wallet, UtxoAccount], litecoind: LitecoinNode
) -> None:
    wallet, account = core_wallet
    litecoind.fund(account.addresses(1, 0)[0].address, 500_000)  # one coin only
    litecoind.mine(1)
    account.sync()
    first = wallet.sign(
        account.prepare_send(str(litecoind.rpc("getnewaddress")), "0.002", fee_rate=RATE)
    )
    second = wallet.sign(
        account.prepare_send(str(litecoind.rpc("getnewaddress")), "0.003", fee_rate=RATE)
    )
    check = account.check_mempool(first)
    assert check.available
    assert check.allowed is True
    assert check.vsize == Transaction.parse(first.raw).vsize
    assert check.line().endswith(f"the node would accept it ({check.vsize} vB)")
    assert first.txid not in litecoind.rpc("getrawmempool", wallet=None)  # only asked

    account.broadcast(first)
    refused = account.check_mempool(second)  # the same coin, already spent in the mempool
    assert refused.available
    assert refused.allowed is False
    assert refused.reason in {"insufficient fee", "txn-mempool-conflict"}
    assert refused.explanation is not None
    assert "would REFUSE it" in refused.line()
    assert second.txid not in litecoind.rpc("getrawmempool", wallet=None)


def test_a_transaction_of_another_account_is_refused(
    core_wallet: tuple[Wallet, UtxoAccount], litecoind: LitecoinNode
) -> None:
    wallet, account = core_wallet
    litecoind.fund(account.addresses(1, 0)[0].address, 300_000)
    litecoind.mine(1)
    account.sync()
    signed = wallet.sign(
        account.prepare_send(str(litecoind.rpc("getnewaddress")), "0.001", fee_rate=RATE)
    )
    other = wallet.account(NET, 1)
    assert isinstance(other, UtxoAccount)
    with pytest.raises(WalletError, match="not signed for this account"):
        other.check_mempool(signed)


def test_electrum_has_no_mempool_check(
    tmp_path: Path, litecoind: LitecoinNode, electrumx: ElectrumXServer
) -> None:
    backend = ElectrumBackend(litecoin_regtest(), [electrumx.tcp], timeout=15)
    electrumx.wait_synced()
    wallet = Wallet.create(tmp_path / "electrum.coffer", PASSWORD)
    try:
        wallet.backends.use(NET, backend)
        account = wallet.account(NET)
        assert isinstance(account, UtxoAccount)
        litecoind.fund(account.addresses(1, 0)[0].address, 300_000)
        litecoind.mine(1)
        electrumx.wait_synced()
        account.sync()
        signed = wallet.sign(
            account.prepare_send(str(litecoind.rpc("getnewaddress")), "0.001", fee_rate=RATE)
        )
        check = account.check_mempool(signed)
        assert not check.available
        assert check.allowed is None
        assert check.line().startswith("Mempool check: unavailable: ")
        assert "testmempoolaccept" in check.line()
    finally:
        wallet.close()
        backend.close()
