"""web3.py signs with a Coffer account where it expects a local account, on anvil.

A transaction dict from ``contract.functions.approve(...).build_transaction()`` and a plain
transfer are signed by ``w.messages.local_account`` (the wallet's signer and its review)
and sent with ``w3.eth.send_raw_transaction``; anvil mines both. EIP-191 and EIP-712
signatures recover, with eth-account's own functions, to the account's address. A
transaction for another chain id, a decline, and a bare hash are refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data
from web3 import Web3

from chains.evm.jsonrpc import JsonRpcBackend
from chains.registry import EvmNetwork, get_network
from tests.conftest import PASSWORD
from tests.nodes.evm import AnvilDevnet, AnvilNode, EvmChain
from wallet import EvmAccount, Wallet
from wallet.errors import SigningCancelled, SigningRefused
from wallet.messages import Web3Account

pytestmark = pytest.mark.nodes

NET = "evm-local"
FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
APPROVE_ABI = [
    {
        "name": "approve",
        "type": "function",
        "stateMutability": "nonpayable",
        "inputs": [{"name": "spender", "type": "address"}, {"name": "amount", "type": "uint256"}],
        "outputs": [{"name": "", "type": "bool"}],
    },
    {
        "name": "allowance",
        "type": "function",
        "stateMutability": "view",
        "inputs": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    },
]
MAIL = {
    "types": {
        "EIP712Domain": [
            {"name": "name", "type": "string"},
            {"name": "version", "type": "string"},
            {"name": "chainId", "type": "uint256"},
            {"name": "verifyingContract", "type": "address"},
        ],
        "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
        "Mail": [
            {"name": "from", "type": "Person"},
            {"name": "to", "type": "Person"},
            {"name": "contents", "type": "string"},
        ],
    },
    "primaryType": "Mail",
    "domain": {
        "name": "Ether Mail",
        "version": "1",
        "chainId": 31337,
        "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
    },
    "message": {
        "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
        "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
        "contents": "Hello, Bob!",
    },
}


class No:
    def confirm_transaction(self, summary: object) -> bool:
        return False

    def confirm_message(self, request: object) -> bool:
        return False


@pytest.fixture
def setup(tmp_path: Path, anvil: AnvilNode) -> Iterator[tuple[Web3, Web3Account, EvmChain, Wallet]]:
    network = get_network(NET)
    assert isinstance(network, EvmNetwork)
    backend = JsonRpcBackend(network, [anvil.http_url])
    chain = EvmChain("anvil", backend, AnvilDevnet(backend))
    wallet = Wallet.create(tmp_path / "w.coffer", PASSWORD)  # a fresh seed
    evm = wallet.account(NET)
    assert isinstance(evm, EvmAccount)
    account = wallet.messages.local_account(evm)
    chain.devnet.fund(account.address, 10**18)
    w3 = Web3(Web3.HTTPProvider(anvil.http_url))
    try:
        yield w3, account, chain, wallet
    finally:
        wallet.close()
        backend.close()


def _send(w3: Web3, raw: bytes) -> dict[str, object]:
    return dict(w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(raw)))


def _fees(w3: Web3) -> dict[str, int]:
    base = w3.eth.get_block("latest")["baseFeePerGas"]
    return {"maxFeePerGas": 2 * base + 10**9, "maxPriorityFeePerGas": 10**9}


def test_web3_sends_what_a_coffer_account_signed(setup) -> None:  # type: ignore[no-untyped-def]
    w3, account, chain, _ = setup
    transfer = {
        "to": FRIEND,
        "value": 10**17,
        "gas": 21_000,
        "chainId": 31337,
        "nonce": w3.eth.get_transaction_count(account.address),
        **_fees(w3),
    }
    signed = account.sign_transaction(transfer)
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(signed.raw_transaction)
    )
    assert receipt["status"] == 1
    assert receipt["from"] == account.address

    token = w3.eth.contract(address=chain.deploy_token("WEB"), abi=APPROVE_ABI)
    built = token.functions.approve(FRIEND, 5).build_transaction(
        {"from": account.address, "nonce": w3.eth.get_transaction_count(account.address)}
    )
    signed = account.sign_transaction(built)
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(signed.raw_transaction)
    )
    assert receipt["status"] == 1
    assert token.functions.allowance(account.address, FRIEND).call() == 5


def test_messages_recover_to_the_account(setup) -> None:  # type: ignore[no-untyped-def]
    _, account, _, _ = setup
    personal = account.sign_message(encode_defunct(text="I am me"))
    assert (
        Account.recover_message(encode_defunct(text="I am me"), signature=personal.signature)
        == account.address
    )
    typed = account.sign_typed_data(full_message=MAIL)
    assert (
        Account.recover_message(encode_typed_data(full_message=MAIL), signature=typed.signature)
        == account.address
    )
    parts = account.sign_typed_data(
        MAIL["domain"],
        {k: v for k, v in MAIL["types"].items() if k != "EIP712Domain"},
        MAIL["message"],
    )
    assert parts.signature == typed.signature


def test_refusals(setup) -> None:  # type: ignore[no-untyped-def]
    w3, account, _, wallet = setup
    tx = {"to": FRIEND, "value": 1, "gas": 21_000, "chainId": 1, "nonce": 0, **_fees(w3)}
    with pytest.raises(SigningRefused, match="chain id"):
        account.sign_transaction(tx)
    with pytest.raises(SigningRefused, match="bare hash"):
        account.unsafe_sign_hash(b"\x00" * 32)
    evm = wallet.account(NET)
    assert isinstance(evm, EvmAccount)
    shy = wallet.messages.local_account(evm, prompt=No())
    with pytest.raises(SigningCancelled):
        shy.sign_transaction({**tx, "chainId": 31337})
