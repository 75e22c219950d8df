"""Payment requests and links on real nodes: litecoind with ElectrumX, and anvil.

A request's status follows what the node does: ``sendtoaddress`` with the link's amount makes
it pending, a block makes it paid (after a sync, or the sync a watch event asks for); a
partial payment and an overpayment; an expired request paid late. A Coffer wallet pays
another's link with ``prepare_payment`` (the same draft as ``prepare_send``), signed by its
hot signer, judged by the node. On anvil, an EIP-681 ERC-20 transfer link is paid, and a
link to a contract that is no token is refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from chains.evm.jsonrpc import JsonRpcBackend
from chains.registry import EvmNetwork, get_network
from chains.utxo.electrum import ElectrumBackend
from tests.conftest import PASSWORD
from tests.nodes.evm import AnvilDevnet, AnvilNode, EvmChain, anvil, anvil_binary
from tests.nodes.utxo import ElectrumXServer, LitecoinNode, litecoin_regtest
from tests.unit.test_payment_link_codecs import reference_read
from wallet import EvmAccount, PaymentRequest, RequestStatus, UtxoAccount, Wallet
from wallet.errors import InvalidToken, NetworkMismatch, RequestExpired
from wallet.requests import parse_payment_link

__all__ = ["anvil", "anvil_binary"]  # fixtures of the node plugin

pytestmark = pytest.mark.nodes

NET = "litecoin-regtest"
RATE = Decimal(3)  # sat/vB: regtest has no estimates
RETURNS_42 = bytes.fromhex("600a600c600039600a6000f3602a60005260206000f3")


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    """Poll a condition (never a fixed sleep) until it holds, or fail naming it."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting until {what}")
        time.sleep(0.05)


@dataclass
class Shop:
    """A wallet that asks for payments on litecoin-regtest, and the node that pays them."""

    wallet: Wallet
    account: UtxoAccount
    node: LitecoinNode
    indexer: ElectrumXServer

    def pay(self, address: str, coins: str) -> str:
        txid: str = self.node.rpc("sendtoaddress", address, coins)
        self.indexer.wait_for_tx(txid)
        return txid

    def mine(self) -> None:
        self.node.mine(1)
        self.indexer.wait_synced()

    def status(self, req: PaymentRequest) -> PaymentRequest:
        self.account.sync()
        return self.account.payment_request(req.id)


def _wallet(path: Path, indexer: ElectrumXServer) -> tuple[Wallet, UtxoAccount, ElectrumBackend]:
    backend = ElectrumBackend(litecoin_regtest(), [indexer.tcp], timeout=15)
    wallet = Wallet.create(path, PASSWORD)
    wallet.backends.use(NET, backend)
    account = wallet.account(NET)
    assert isinstance(account, UtxoAccount)
    return wallet, account, backend


@pytest.fixture
def shop(tmp_path: Path, litecoind: LitecoinNode, electrumx: ElectrumXServer) -> Iterator[Shop]:
    electrumx.wait_synced()
    wallet, account, backend = _wallet(tmp_path / "shop.coffer", electrumx)
    try:
        yield Shop(wallet, account, litecoind, electrumx)
    finally:
        wallet.close()
        backend.close()


def test_a_request_paid_by_the_node_turns_pending_then_paid(shop: Shop) -> None:
    req = shop.account.request(Decimal("0.5"), label="Invoice 7", message="two chairs")
    link = parse_payment_link(req.link)
    assert (link.network, link.address, link.amount) == (NET, req.address, 50_000_000)
    # The node pays what an independent reader (written from BIP-321) finds in the link.
    scheme, address, params = reference_read(req.link)
    assert (scheme, params["label"], params["message"]) == ("litecoin", "Invoice 7", "two chairs")
    txid = shop.pay(address, params["amount"])
    pending = shop.status(req)
    assert pending.status is RequestStatus.PENDING
    assert (pending.received, pending.confirmed, pending.txids) == (50_000_000, 0, (txid,))
    shop.mine()
    paid = shop.status(req)
    assert paid.status is RequestStatus.PAID
    assert paid.confirmed == 50_000_000
    assert shop.wallet.labels.get("tx", txid) == "Invoice 7"
    assert shop.wallet.labels.get("addr", req.address) == "Invoice 7"
    exported = shop.wallet.labels.export_bip329()
    assert f'"ref": "{txid}"' in exported or f'"ref":"{txid}"' in exported
    assert shop.account.requests("paid")[0].id == req.id
    # The next request never gets that address, nor the one `receive` shows.
    again = shop.account.request("0.1")
    assert again.address not in (req.address, shop.account.receive_address())


def test_status_follows_a_watch_event(shop: Shop) -> None:
    req = shop.account.request("0.05", label="watched")
    with shop.wallet.watch(NET) as watcher:
        shop.pay(req.address, "0.05")
        seen: set[int] = set()

        def reported() -> bool:
            seen.update(watcher.wait(timeout=1).accounts)
            return shop.account.id in seen

        wait_until(reported, "the watcher reports the payment")
        shop.account.sync()  # what a watch event asks for
        assert shop.account.payment_request(req.id).status is RequestStatus.PENDING


def test_partial_and_overpaid_requests(shop: Shop) -> None:
    short = shop.account.request("0.5")
    over = shop.account.request("0.25")
    shop.pay(short.address, "0.2")
    shop.pay(over.address, "0.3")
    shop.mine()
    partial = shop.status(short)
    assert partial.status is RequestStatus.PARTIAL
    assert partial.missing == 30_000_000
    assert shop.status(over).status is RequestStatus.OVERPAID
    assert shop.account.payment_request(over.id).excess == 5_000_000
    shop.pay(short.address, "0.3")
    assert shop.status(short).status is RequestStatus.PENDING
    shop.mine()
    assert shop.status(short).status is RequestStatus.PAID


def test_an_expired_request_paid_late(shop: Shop) -> None:
    req = shop.account.request("0.1", label="late", expires_in=1)
    assert req.expires_at == req.created_at + 1
    wait_until(
        lambda: shop.account.payment_request(req.id).status is RequestStatus.EXPIRED,
        "the request has expired",
    )
    with pytest.raises(RequestExpired):
        shop.account.prepare_payment(req.link)
    shop.pay(req.address, "0.1")
    shop.mine()
    assert shop.status(req).status is RequestStatus.PAID_LATE


def test_a_coffer_wallet_pays_a_link(shop: Shop, tmp_path: Path) -> None:
    payer_wallet, payer, backend = _wallet(tmp_path / "payer.coffer", shop.indexer)
    try:
        shop.pay(payer.receive_address(), "1")
        shop.mine()
        payer.sync()
        req = shop.account.request("0.125", label="Coffee shop", message="two espressos")
        payment = payer.prepare_payment(req.link, fee="normal")
        plain = payer.prepare_send(req.address, Decimal("0.125"))
        # The same draft as prepare_send's (output order is shuffled, so compare as sets).
        assert set(payment.draft.summary.outputs) == set(plain.summary.outputs)
        assert payment.draft.summary.fee == plain.summary.fee
        assert (payment.label, payment.message, payment.amount) == (
            "Coffee shop",
            "two espressos",
            12_500_000,
        )
        assert "  for     two espressos" in payment.summary_lines()
        signed = payer_wallet.sign(payment.draft)
        txid = payer.broadcast(signed)
        assert txid in shop.node.rpc("getrawmempool", wallet=None)
        shop.indexer.wait_for_tx(txid)
        assert shop.status(req).status is RequestStatus.PENDING
        shop.mine()
        assert shop.status(req).status is RequestStatus.PAID
    finally:
        payer_wallet.close()
        backend.close()


# -- EIP-681 on anvil ------------------------------------------------------------------------


@pytest.fixture
def chain(anvil: AnvilNode) -> Iterator[EvmChain]:
    network = get_network("evm-local")
    assert isinstance(network, EvmNetwork)
    backend = JsonRpcBackend(network, [anvil.http_url])
    yield EvmChain("anvil", backend, AnvilDevnet(backend))
    backend.close()


def _evm_wallet(path: Path, chain: EvmChain) -> tuple[Wallet, EvmAccount]:
    wallet = Wallet.create(path, PASSWORD)
    wallet.backends.use("evm-local", chain.backend)
    account = wallet.account("evm-local")
    assert isinstance(account, EvmAccount)
    return wallet, account


def test_an_erc20_link_paid_on_anvil(chain: EvmChain, tmp_path: Path) -> None:
    token = chain.deploy_token("CFT", 6, "Coffer Test")
    shop_wallet, shop_acct = _evm_wallet(tmp_path / "shop.coffer", chain)
    payer_wallet, payer = _evm_wallet(tmp_path / "payer.coffer", chain)
    try:
        shop_acct.tokens.add(token)
        chain.devnet.fund(payer.address, 10**18)
        chain.send(token, "mint(address,uint256)", payer.address, 10_000_000)
        req = shop_acct.request("2.5", label="T-shirt", token="CFT")
        assert (
            req.link == f"ethereum:{token}@31337/transfer?address={shop_acct.address}&uint256=2.5e6"
        )
        payer.sync()
        payment = payer.prepare_payment(req.link)
        out = payment.draft.summary.outputs[0]
        assert (out.address, out.amount, out.contract) == (shop_acct.address, 2_500_000, token)
        signed = payer_wallet.sign(payment.draft)
        chain.devnet.wait_for_receipt(payer.broadcast(signed))
        shop_acct.sync()
        paid = shop_acct.payment_request(req.id)
        assert paid.status is RequestStatus.PAID
        assert paid.txids == (signed.txid,)

        # A link to a contract that is no token, and one of another chain: refused, nothing sent.
        not_token = chain.devnet.deploy_contract(RETURNS_42)
        with pytest.raises(InvalidToken):
            payer.prepare_payment(
                f"ethereum:{not_token}@31337/transfer?address={shop_acct.address}&uint256=1"
            )
        with pytest.raises(NetworkMismatch, match="chain id 1"):
            payer.prepare_payment(f"ethereum:{shop_acct.address}@1?value=1e15")
        native = shop_acct.request("0.01")
        payer.sync()
        chain.devnet.wait_for_receipt(
            payer.broadcast(payer_wallet.sign(payer.prepare_payment(native.link).draft))
        )
        shop_acct.sync()
        assert shop_acct.payment_request(native.id).status is RequestStatus.PAID
    finally:
        shop_wallet.close()
        payer_wallet.close()
