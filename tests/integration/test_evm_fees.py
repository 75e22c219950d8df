"""Fee levels, gas limits, legacy gas prices and account discovery on real chains.

Runs on the embedded chain and anvil (``evm_chain``), and on anvils of its own where blocks
must hold several transactions (automine off) or a network must price gas the legacy way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from eth_account import Account

from chains.evm.abi import encode_call
from chains.evm.activity import scan_activity
from chains.evm.backend import CallRequest
from chains.evm.fees import GAS_MARGIN_PERCENT, FeeQuote, estimate_fees, estimate_gas_limit
from chains.evm.jsonrpc import JsonRpcBackend
from chains.evm.transfers import build_transaction, erc20_transfer, native_transfer
from chains.registry import EvmNetwork, get_network
from keystore.signers.base import SigningContext
from keystore.signers.evm_signer import sign_evm_with_key
from keystore.types import EvmParams, EvmTxRequest
from tests.conftest import PASSWORD
from tests.nodes.evm import (
    AnvilDevnet,
    AnvilNode,
    EvmChain,
    anvil,
    anvil_binary,
    anvil_factory,
    evm_chain,
)
from wallet import Wallet

__all__ = ["anvil", "anvil_binary", "anvil_factory", "evm_chain"]  # node plugin fixtures

GWEI = 10**9
LOCAL = get_network("evm-local")
assert isinstance(LOCAL, EvmNetwork)


def _sign(key: bytes, tx: EvmTxRequest) -> bytes:
    network = EvmParams("net", "Net", "ETH", tx.chain_id)
    return sign_evm_with_key(key, tx, SigningContext(network, ())).raw


def _tip_tx(chain_id: int, nonce: int, tip: int, base: int) -> EvmTxRequest:
    return EvmTxRequest(
        chain_id, nonce, Account.create().address, 1, b"", 21000, 2 * base + tip, tip
    )


def test_levels_follow_the_tips_paid(evm_chain: EvmChain) -> None:
    backend = evm_chain.backend
    sender = Account.create()
    evm_chain.devnet.fund(sender.address, 10**18)
    base = backend.get_block("latest").base_fee_per_gas or 0
    hashes = []
    for nonce, tip in enumerate((GWEI, 2 * GWEI, 3 * GWEI)):
        raw = _sign(sender.key, _tip_tx(backend.network.chain_id, nonce, tip, base))
        hashes.append(backend.send_raw_transaction(raw))
    if evm_chain.name == "anvil":  # automine answers before it mines
        for h in hashes:
            evm_chain.devnet.wait_for_receipt(h)
        evm_chain.devnet.wait_for_fee_history()
    est = estimate_fees(backend, blocks=3)
    # One transaction per block on both devnets (automine): every percentile of a block is
    # its one tip, and each level is the median over the three blocks: 2 gwei.
    tips = [q.max_priority_fee_per_gas for q in (est.slow, est.normal, est.fast)]
    assert tips == [2 * GWEI] * 3
    assert est.normal.max_fee_per_gas == 2 * est.base_fee + 2 * GWEI
    assert est.base_fee == backend.fee_history(1, "latest", []).base_fee_per_gas[-1]


def test_percentiles_within_one_block(anvil_factory: Callable[..., AnvilNode]) -> None:
    node = anvil_factory(31337)
    backend = JsonRpcBackend(LOCAL, [node.http_url])
    devnet = AnvilDevnet(backend)
    sender = Account.create()
    devnet.fund(sender.address, 10**18)
    base = backend.get_block("latest").base_fee_per_gas or 0
    backend.request("evm_setAutomine", False)
    for nonce, tip in enumerate((GWEI, 2 * GWEI, 3 * GWEI)):
        backend.send_raw_transaction(_sign(sender.key, _tip_tx(31337, nonce, tip, base)))
    backend.request("evm_mine")
    # anvil records a block's tips for eth_feeHistory in a background task after mining it;
    # read too early, the answer lacks the block and every level falls back to 1 gwei.
    devnet.wait_for_fee_history()
    est = estimate_fees(backend, blocks=1)
    # geth's rule, which anvil follows: tips sorted, weighted by gas used, read at 10/50/90%.
    assert [q.max_priority_fee_per_gas for q in (est.slow, est.normal, est.fast)] == [
        GWEI,
        2 * GWEI,
        3 * GWEI,
    ]
    backend.close()


def test_gas_limits_exact_for_transfers_padded_for_calls(evm_chain: EvmChain) -> None:
    backend = evm_chain.backend
    me = evm_chain.devnet.prefunded_accounts()[0]
    token = evm_chain.deploy_token("GAS", 0)
    evm_chain.send(token, "mint(address,uint256)", me, 100)
    friend = Account.create().address
    transfer = CallRequest(to=friend, sender=me, value=1)
    assert estimate_gas_limit(backend, transfer) == 21000
    call = CallRequest(
        to=token, sender=me, data=encode_call("transfer(address,uint256)", friend, 5)
    )
    raw_estimate = backend.estimate_gas(call)
    padded = estimate_gas_limit(backend, call)
    assert padded == -(-raw_estimate * (100 + GAS_MARGIN_PERCENT) // 100)
    quote = FeeQuote("normal", 10 * GWEI, GWEI)
    tx = build_transaction(backend, me, erc20_transfer(token, friend, 5), quote, 0)
    assert tx.gas == padded
    assert build_transaction(backend, me, native_transfer(friend, 1), quote, 0).gas == 21000
    contract = build_transaction(backend, me, native_transfer(token, 1), quote, 0, gas=50_000)
    assert contract.gas == 50_000


def test_legacy_gas_price_network(anvil: AnvilNode) -> None:
    legacy = EvmNetwork("legacy-local", "A chain without EIP-1559", "ETH", 31337, eip1559=False)
    backend = JsonRpcBackend(legacy, [anvil.http_url])
    devnet = AnvilDevnet(backend)
    sender = Account.create()
    devnet.fund(sender.address, 10**18)
    est = estimate_fees(backend)
    assert est.legacy
    price = backend.gas_price()
    assert [q.gas_price for q in (est.slow, est.normal, est.fast)] == [
        price,
        -(-price * 110 // 100),
        -(-price * 125 // 100),
    ]
    friend = Account.create().address
    unsigned = build_transaction(backend, sender.address, native_transfer(friend, 7), est.normal, 0)
    assert unsigned.max_fee_per_gas is None
    tx = EvmTxRequest(31337, 0, unsigned.to, 7, b"", unsigned.gas, gas_price=unsigned.gas_price)
    tx_hash = backend.send_raw_transaction(_sign(sender.key, tx))
    receipt = devnet.wait_for_receipt(tx_hash)
    mined = backend.get_transaction(tx_hash)
    assert mined is not None
    assert mined.tx_type == 0
    assert mined.chain_id == 31337  # EIP-155: the chain id is in the signature
    assert receipt.effective_gas_price == est.normal.gas_price
    assert backend.get_balance(friend) == 7
    backend.close()


def test_account_discovery(evm_chain: EvmChain, tmp_path: Path) -> None:
    name = evm_chain.backend.network.name
    with Wallet.create(tmp_path / "d.coffer", PASSWORD) as wallet:
        wallet.backends.use(name, evm_chain.backend)
        used = {1: 5, 4: 10**9}
        for index, wei in used.items():
            evm_chain.devnet.fund(wallet.account(name, index).receive_address(), wei)
        found = wallet.account(name, 0).scan_accounts(8)
        assert [i for i, a in found if a.used] == [1, 4]
        assert [a.balance for i, a in found if a.used] == [5, 10**9]
        assert [a.address for _, a in found] == [
            wallet.account(name, i).receive_address() for i in range(8)
        ]
    sender = evm_chain.devnet.prefunded_accounts()[0]
    [one] = scan_activity(evm_chain.backend, [sender])
    assert one.nonce == evm_chain.backend.get_transaction_count(sender, "latest")
