"""A Coffer account where web3.py expects a local account, on anvil.

web3.py builds an ERC-20 ``transfer`` with ``contract.functions...build_transaction()``; the
Coffer account signs it through its signer (the prompt sees the summary the signer decoded:
the token transfer), web3.py sends the raw transaction and anvil mines it. A key imported
from a key file does the same, and typed data it signs verifies.
"""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account
from web3 import Web3

from chains.evm.jsonrpc import JsonRpcBackend
from chains.registry import EvmNetwork, get_network
from keystore.types import MessageRequest, TxSummary
from tests.conftest import PASSWORD, TEST_JUNK
from tests.nodes.evm import AnvilDevnet, AnvilNode, EvmChain
from tests.unit.test_eip712 import MAIL
from wallet import EvmAccount, Wallet

ERC20_ABI = [
    {
        "name": "transfer",
        "type": "function",
        "stateMutability": "nonpayable",
        "inputs": [{"name": "to", "type": "address"}, {"name": "amount", "type": "uint256"}],
        "outputs": [{"name": "", "type": "bool"}],
    },
    {
        "name": "balanceOf",
        "type": "function",
        "stateMutability": "view",
        "inputs": [{"name": "owner", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    },
]
FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


class Yes:
    """Approve everything, keeping what was shown."""

    def __init__(self) -> None:
        self.summaries: list[TxSummary] = []
        self.messages: list[MessageRequest] = []

    def confirm_transaction(self, summary: TxSummary) -> bool:
        self.summaries.append(summary)
        return True

    def confirm_message(self, request: MessageRequest) -> bool:
        self.messages.append(request)
        return True


def test_build_transaction_signed_by_coffer_is_mined(anvil: AnvilNode, tmp_path: Path) -> None:
    network = get_network("evm-local")
    assert isinstance(network, EvmNetwork)
    backend = JsonRpcBackend(network, [anvil.http_url])
    chain = EvmChain("anvil", backend, AnvilDevnet(backend))
    w3 = Web3(Web3.HTTPProvider(anvil.http_url))
    with Wallet.restore(tmp_path / "w.coffer", PASSWORD, TEST_JUNK) as w:
        account = w.account("evm-local")
        assert isinstance(account, EvmAccount)
        keyfile = tmp_path / "key.json"
        imported_key = Account.create()
        keyfile.write_text(
            json.dumps(Account.encrypt(imported_key.key, "kf", kdf="pbkdf2", iterations=1000))
        )
        imported = w.messages.import_keystore("evm-local", keyfile, "kf")
        chain.devnet.fund(imported.address, 10**18)
        token_address = chain.deploy_token("WEB3", 18)
        token = w3.eth.contract(address=Web3.to_checksum_address(token_address), abi=ERC20_ABI)
        for owner in (account, imported):
            chain.send(token_address, "mint(address,uint256)", owner.address, 1000)
            prompt = Yes()
            local = w.messages.local_account(owner, prompt)
            tx = token.functions.transfer(FRIEND, 25).build_transaction(
                {"from": local.address, "nonce": w3.eth.get_transaction_count(local.address)}
            )
            signed = local.sign_transaction(tx)
            tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
            assert bytes(tx_hash) == signed.hash
            receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30)
            assert receipt["status"] == 1
            assert receipt["from"] == local.address
            (summary,) = prompt.summaries
            assert summary.chain_id == 31337
            assert [(o.address, o.amount, o.contract) for o in summary.outputs] == [
                (FRIEND, 25, Web3.to_checksum_address(token_address))
            ]
            typed = dict(MAIL, domain=dict(MAIL["domain"], chainId=31337))
            signature = local.sign_typed_data(full_message=typed)
            check = w.messages.verify(
                "evm-local", local.address, typed, "0x" + signature.signature.hex()
            )
            assert check.format.value == "eip712"
        assert token.functions.balanceOf(FRIEND).call() == 50
    backend.close()
