"""The OP Stack L1 data fee on a local chain: anvil with the GasPriceOracle predeploy.

``contracts/GasPriceOracle.vy`` implements the published L1-cost formulas (Ecotone's
``getL1Fee``, Fjord's ``getL1FeeUpperBound``); each test deploys it with chosen L1 prices,
copies its runtime code to the predeploy address with ``anvil_setCode``, and checks the
wallet against the formulas of ``chains.evm.l1fee`` (themselves checked against numbers
worked from the specs in ``tests/unit/test_evm_l1fee.py``). anvil itself charges no L1 fee:
what the node judges here is that the transaction is valid and pays for itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account

from chains.evm.contracts import compile_contract
from chains.evm.jsonrpc import JsonRpcBackend
from chains.evm.l1fee import (
    GAS_PRICE_ORACLE,
    L1FeeParams,
    ecotone_l1_fee,
    fjord_l1_fee_upper_bound,
    l1_fee,
    unsigned_bytes,
)
from chains.evm.transfers import UnsignedTx
from chains.registry import EvmNetwork, get_network
from tests.conftest import PASSWORD
from tests.nodes.evm import AnvilDevnet, AnvilNode, anvil_binary, anvil_factory
from wallet import EvmAccount, Wallet
from wallet.errors import InsufficientFunds

__all__ = ["anvil_binary", "anvil_factory"]  # fixtures used from the node plugin

ETH = 10**18
# L1 prices of a busy day (50 gwei, blobs at 3 gwei) with OP Mainnet's Ecotone scalars.
PARAMS = L1FeeParams(
    l1_base_fee=50 * 10**9,
    blob_base_fee=3 * 10**9,
    base_fee_scalar=5227,
    blob_base_fee_scalar=1_014_213,
)
OP_LOCAL = EvmNetwork("op-local", "An OP Stack devnet", "ETH", 31337, l1_fee=True)


def install_oracle(backend: JsonRpcBackend, *, fjord: bool) -> None:
    """Deploy the test oracle and put its code at the GasPriceOracle predeploy address."""
    compiled = compile_contract("GasPriceOracle")
    types = ("uint256", "uint256", "uint256", "uint256", "bool")
    args = (
        PARAMS.l1_base_fee,
        PARAMS.blob_base_fee,
        PARAMS.base_fee_scalar,
        PARAMS.blob_base_fee_scalar,
        fjord,
    )
    deployed = AnvilDevnet(backend).deploy_contract(compiled.initcode(types, args))
    code = backend.get_code(deployed)
    backend.request("anvil_setCode", GAS_PRICE_ORACLE, "0x" + code.hex())


def _transfer(nonce: int, value: int) -> UnsignedTx:
    to = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
    return UnsignedTx(31337, nonce, to, value, b"", 21000, 3 * 10**9, 10**9)


@pytest.mark.parametrize("fjord", [True, False], ids=["fjord-upper-bound", "ecotone-get-l1-fee"])
def test_the_oracle_answers_the_published_formula(
    anvil_factory: Callable[..., AnvilNode], fjord: bool
) -> None:
    node = anvil_factory(31337)
    backend = JsonRpcBackend(OP_LOCAL, [node.http_url])
    install_oracle(backend, fjord=fjord)
    tx = _transfer(3, ETH)
    unsigned = unsigned_bytes(tx)
    expected = (
        fjord_l1_fee_upper_bound(len(unsigned), PARAMS)
        if fjord
        else ecotone_l1_fee(unsigned, PARAMS)
    )
    assert expected > 0
    assert l1_fee(backend, tx) == expected
    # Sized for any nonce: the largest nonce encoding (2**64 - 2 takes 9 bytes, not 1, and
    # the list's length then takes a byte more).
    widest = unsigned_bytes(_transfer(2**64 - 2, ETH))
    assert len(widest) == len(unsigned) + 9
    any_nonce = (
        fjord_l1_fee_upper_bound(len(widest), PARAMS) if fjord else ecotone_l1_fee(widest, PARAMS)
    )
    assert l1_fee(backend, tx, any_nonce=True) == any_nonce >= expected  # (Fjord: both minimum)
    # A chain that is no OP Stack chain pays none, and the node is not asked.
    local = get_network("evm-local")
    assert isinstance(local, EvmNetwork)
    plain = JsonRpcBackend(local, [node.http_url])
    before = plain.round_trips
    assert l1_fee(plain, tx) == 0
    assert plain.round_trips == before
    plain.close()
    backend.close()


@dataclass
class OpChain:
    backend: JsonRpcBackend
    wallet: Wallet
    account: EvmAccount


@pytest.fixture
def op_chain(anvil_factory: Callable[..., AnvilNode], tmp_path: Path) -> Iterator[OpChain]:
    """An anvil answering as OP Mainnet (chain id 10), its oracle installed, a funded account."""
    optimism = get_network("optimism")
    assert isinstance(optimism, EvmNetwork)
    assert optimism.l1_fee  # the registry marks OP Mainnet (and Base) as OP Stack chains
    node = anvil_factory(10)
    backend = JsonRpcBackend(optimism, [node.http_url])
    install_oracle(backend, fjord=True)
    wallet = Wallet.create(tmp_path / "w.coffer", PASSWORD)
    wallet.backends.set_servers("optimism", [node.http_url])
    account = wallet.account("optimism")
    assert isinstance(account, EvmAccount)
    AnvilDevnet(backend).fund(account.address, ETH)
    yield OpChain(backend, wallet, account)
    wallet.close()
    backend.close()


def test_send_max_leaves_the_l1_fee_and_the_node_accepts_it(op_chain: OpChain) -> None:
    backend, acct = op_chain.backend, op_chain.account
    friend = Account.create().address
    draft = acct.send_max(friend)
    r = draft.request
    assert r.max_fee_per_gas is not None
    l2_fee = r.gas * r.max_fee_per_gas
    # The L1 fee left is the oracle's upper bound for the whole balance at any nonce.
    whole = UnsignedTx(
        10, 2**64 - 2, friend, ETH, b"", r.gas, r.max_fee_per_gas, r.max_priority_fee_per_gas
    )
    assert draft.l1_fee == fjord_l1_fee_upper_bound(len(unsigned_bytes(whole)), PARAMS) > 0
    assert ETH - r.value == draft.max_fee == l2_fee + draft.l1_fee
    assert draft.summary.fee == l2_fee  # what the signer checks: the gas alone
    tx_hash = acct.broadcast(op_chain.wallet.sign(draft))
    receipt = AnvilDevnet(backend).wait_for_receipt(tx_hash)
    assert receipt.success
    assert backend.get_balance(friend) == r.value
    assert backend.get_balance(acct.address) == ETH - r.value - receipt.fee


def test_a_send_that_leaves_no_l1_fee_is_short_by_it(op_chain: OpChain) -> None:
    acct = op_chain.account
    friend = Account.create().address
    probe = acct.prepare_send(friend, 1)  # the fees of a plain transfer now
    r = probe.request
    assert r.max_fee_per_gas is not None
    l2_fee = r.gas * r.max_fee_per_gas
    with pytest.raises(InsufficientFunds, match="L1 data fee") as info:
        acct.prepare_send(friend, ETH - l2_fee)
    tx = UnsignedTx(
        10, 0, friend, ETH - l2_fee, b"", r.gas, r.max_fee_per_gas, r.max_priority_fee_per_gas
    )
    assert info.value.shortfall == fjord_l1_fee_upper_bound(len(unsigned_bytes(tx)), PARAMS)
