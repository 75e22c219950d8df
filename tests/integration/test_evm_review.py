"""Know before you sign, on anvil: clear signing, eth_simulateV1 asset changes, reconciliation.

ERC-20, ERC-721 and a minimal Permit2 (``contracts/Permit2.vy``, placed at Permit2's canonical
address with ``anvil_setCode``) are deployed on a real anvil; drafts are prepared through the
public API; each review's intent (read with the ERC-7730 descriptors the signer carries) and
simulation (``eth_simulateV1``) are checked, then the node judges what was signed. A token
that does more than its calls say (``contracts/DeceptiveToken.vy``) must be blocked; a call
no descriptor reads is blind and needs an explicit override. The embedded chain has no
``eth_simulateV1``: its reviews say so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from chains.evm.abi import encode_call
from chains.evm.embedded import EmbeddedBackend
from chains.evm.jsonrpc import JsonRpcBackend
from chains.registry import EvmNetwork, get_network
from keystore.clearsign import NativeAsset, TokenMeta, interpret_typed_data, load_registry
from tests.conftest import PASSWORD
from tests.nodes.evm import AnvilDevnet, AnvilNode, EvmChain, anvil, anvil_binary
from wallet import EvmAccount, EvmDraft, Wallet
from wallet.errors import InvalidTransactionField, ReviewBlocked

__all__ = ["anvil", "anvil_binary"]  # fixtures used from the node plugin

ETH = 10**18
FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
PERMIT2 = "0x000000000022D473030F116dDEE9F6B43aC78BA3"
# anvil's second prefunded account (the public "test test ... junk" mnemonic), to sign a permit.
OWNER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
FAR_FUTURE = 4102444800  # 2100-01-01 00:00 UTC
MAX_UINT = 2**256 - 1


@dataclass
class Setup:
    chain: EvmChain
    wallet: Wallet
    account: EvmAccount

    def send(self, draft: EvmDraft) -> Any:
        """Sign with the wallet's keys, broadcast, wait for the receipt."""
        signed = self.wallet.sign(draft)
        tx_hash = self.account.broadcast(signed)
        return self.chain.devnet.wait_for_receipt(tx_hash)

    def token(self, symbol: str, contract: str = "ERC20", decimals: int = 18) -> str:
        """Deploy a token, mint 1,000 to the account, and let the wallet know it."""
        address = self.chain.deploy(
            contract, ("string", "string", "uint8"), (f"{symbol} token", symbol, decimals)
        )
        self.chain.send(address, "mint(address,uint256)", self.account.address, 1000 * ETH)
        self.account.tokens.add(address)
        return address

    def call(self, contract: str, signature: str, *args: Any) -> bytes:
        return bytes(self.chain.backend.call(contract, encode_call(signature, *args)))


@pytest.fixture
def setup(anvil: AnvilNode, tmp_path: Path) -> Iterator[Setup]:
    network = get_network("evm-local")
    assert isinstance(network, EvmNetwork)
    backend = JsonRpcBackend(network, [anvil.http_url])
    chain = EvmChain("anvil", backend, AnvilDevnet(backend))
    wallet = Wallet.create(tmp_path / "review.coffer", PASSWORD)
    wallet.backends.use("evm-local", backend)
    account = wallet.account("evm-local")
    assert isinstance(account, EvmAccount)
    chain.devnet.fund(account.address, 10 * ETH)
    yield Setup(chain, wallet, account)
    wallet.close()
    backend.close()


@pytest.fixture
def permit2(setup: Setup) -> str:
    """Place the minimal Permit2's runtime code at Permit2's canonical address."""
    deployed = setup.chain.deploy("Permit2")
    code = setup.chain.backend.get_code(deployed)
    setup.chain.backend.request("anvil_setCode", PERMIT2, "0x" + code.hex())
    return PERMIT2


def test_a_native_send_shows_its_intent_and_the_coins_that_leave(setup: Setup) -> None:
    acct = setup.account
    draft = acct.prepare_send(FRIEND, Decimal("0.25"))
    review = draft.review
    assert review is not None
    assert review.intent is not None
    assert review.intent.text == f"Send 0.25 ETH to {FRIEND}"
    assert review.simulated
    assert not review.blocked
    [change] = review.changes
    assert (change.standard, change.amount, change.recipient, change.outgoing) == (
        "native",
        ETH // 4,
        FRIEND,
        True,
    )
    assert change.text == f"-0.25 ETH to {FRIEND}"
    assert setup.send(draft).success


def test_an_erc20_approve_is_clear_signed_simulated_and_signed(setup: Setup, permit2: str) -> None:
    acct = setup.account
    token = setup.token("CFT")
    draft = acct.prepare_call(token, encode_call("approve(address,uint256)", permit2, 100 * ETH))
    review = draft.review
    assert review is not None
    assert review.intent is not None
    assert review.intent.text == f"Approve Permit2 ({permit2}) to spend 100 CFT"
    assert review.intent.descriptor == "ERC-20 token"
    [approval] = review.approvals
    assert (approval.standard, approval.spender, approval.contract, approval.amount) == (
        "erc20",
        permit2,
        token,
        100 * ETH,
    )
    assert not approval.unlimited
    assert not review.mismatches
    assert not review.blocked
    assert setup.send(draft).success
    allowance = setup.call(token, "allowance(address,address)", acct.address, permit2)
    assert int.from_bytes(allowance, "big") == 100 * ETH

    unlimited = acct.prepare_call(token, encode_call("approve(address,uint256)", FRIEND, MAX_UINT))
    assert unlimited.review is not None
    assert unlimited.review.intent is not None
    assert unlimited.review.intent.text == f"Approve {FRIEND} to spend Unlimited CFT"
    assert unlimited.review.approvals[0].unlimited
    assert "UNLIMITED" in unlimited.review.approvals[0].text
    assert not unlimited.review.blocked  # shown as unlimited, does unlimited: no mismatch


def test_an_erc20_transfer_shows_the_tokens_that_leave(setup: Setup) -> None:
    acct = setup.account
    token = setup.token("CFT", decimals=6)
    draft = acct.prepare_send(FRIEND, "12.5", token=token)
    review = draft.review
    assert review is not None
    assert review.intent is not None
    assert review.intent.text == f"Send 12.5 CFT to {FRIEND}"
    [change] = review.changes
    assert (change.standard, change.contract, change.amount) == ("erc20", token, 12_500_000)
    assert change.text == f"-12.5 CFT to {FRIEND}"
    assert not review.blocked
    assert setup.send(draft).success


def test_nft_transfer_and_operator_approval(setup: Setup) -> None:
    acct, chain = setup.account, setup.chain
    nft = chain.deploy("ERC721", ("string", "string"), ("Coffer Tickets", "CTK"))
    chain.send(nft, "mint(address,uint256,string)", acct.address, 7, "data:,seven")
    draft = acct.prepare_nft_transfer(FRIEND, nft, 7)
    review = draft.review
    assert review is not None
    assert review.intent is not None
    assert review.intent.text == f"Send item 7 of {nft} to {FRIEND}"
    [change] = review.changes
    assert (change.standard, change.contract, change.token_id, change.outgoing) == (
        "erc721",
        nft,
        7,
        True,
    )
    assert not review.blocked
    assert setup.send(draft).success
    owner = setup.call(nft, "ownerOf(uint256)", 7)
    assert owner[-20:] == bytes.fromhex(FRIEND[2:])

    approve_all = acct.prepare_call(
        nft, encode_call("setApprovalForAll(address,bool)", FRIEND, True)
    )
    review = approve_all.review
    assert review is not None
    assert review.intent is not None
    assert review.intent.text == f"Let {FRIEND} move every item: yes"
    [approval] = review.approvals
    assert (approval.standard, approval.spender, approval.approved) == ("operator", FRIEND, True)
    assert not review.blocked
    assert setup.send(approve_all).success


def test_single_item_approval_and_erc1155_items(setup: Setup) -> None:
    acct, chain = setup.account, setup.chain
    nft = chain.deploy("ERC721", ("string", "string"), ("Coffer Tickets", "CTK"))
    chain.send(nft, "mint(address,uint256,string)", acct.address, 8, "data:,eight")
    approve = acct.prepare_call(nft, encode_call("approve(address,uint256)", FRIEND, 8))
    review = approve.review
    assert review is not None
    assert review.intent is not None
    assert review.intent.text == f"Approve {FRIEND} to move item 8 of {nft}"
    [approval] = review.approvals
    assert (approval.standard, approval.spender, approval.token_id) == ("erc721", FRIEND, 8)
    assert not review.blocked
    assert setup.send(approve).success

    tickets = chain.deploy("ERC1155")
    chain.send(tickets, "mint(address,uint256,uint256,string)", acct.address, 2, 5, "")
    draft = acct.prepare_nft_transfer(FRIEND, tickets, 2, amount=3)
    review = draft.review
    assert review is not None
    assert review.intent is not None
    assert review.intent.text == f"Send 3 of item 2 of {tickets} to {FRIEND}"
    [change] = review.changes
    assert (change.standard, change.token_id, change.amount, change.outgoing) == (
        "erc1155",
        2,
        3,
        True,
    )
    assert not review.blocked
    assert setup.send(draft).success


def test_permit2_approve_permit_and_transfer(setup: Setup, permit2: str) -> None:
    acct, chain = setup.account, setup.chain
    token = setup.token("CFT")
    approve = acct.prepare_call(
        permit2,
        encode_call("approve(address,address,uint160,uint48)", token, FRIEND, 3 * ETH, FAR_FUTURE),
    )
    review = approve.review
    assert review is not None
    assert review.intent is not None
    assert review.intent.text == (
        f"Approve {FRIEND} to spend 3 CFT through Permit2 until 2100-01-01 00:00 UTC"
    )
    assert review.intent.descriptor == "Permit2"
    [approval] = review.approvals
    assert (approval.standard, approval.spender, approval.contract, approval.amount) == (
        "permit2",
        FRIEND,
        token,
        3 * ETH,
    )
    assert not review.blocked
    assert setup.send(approve).success

    # Another owner signs a PermitSingle off chain for this account as the spender.
    owner = Account.from_key(OWNER_KEY)
    chain.send(token, "mint(address,uint256)", owner.address, 50 * ETH)
    chain.send(token, "approve(address,uint256)", permit2, MAX_UINT, sender=owner.address)
    typed: dict[str, Any] = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "PermitDetails": [
                {"name": "token", "type": "address"},
                {"name": "amount", "type": "uint160"},
                {"name": "expiration", "type": "uint48"},
                {"name": "nonce", "type": "uint48"},
            ],
            "PermitSingle": [
                {"name": "details", "type": "PermitDetails"},
                {"name": "spender", "type": "address"},
                {"name": "sigDeadline", "type": "uint256"},
            ],
        },
        "primaryType": "PermitSingle",
        "domain": {"name": "Permit2", "chainId": 31337, "verifyingContract": permit2},
        "message": {
            "details": {"token": token, "amount": 20 * ETH, "expiration": FAR_FUTURE, "nonce": 0},
            "spender": acct.address,
            "sigDeadline": FAR_FUTURE,
        },
    }
    tokens = {token: TokenMeta(token, "CFT", 18)}
    intent = interpret_typed_data(typed, load_registry(), tokens, NativeAsset("ETH"))
    assert intent is not None
    assert intent.text == f"Permit {acct.address} to spend 20 CFT until 2100-01-01 00:00 UTC"
    signature = Account.sign_typed_data(OWNER_KEY, full_message=typed).signature

    permit = acct.prepare_call(
        permit2,
        encode_call(
            "permit(address,((address,uint160,uint48,uint48),address,uint256),bytes)",
            owner.address,
            ((token, 20 * ETH, FAR_FUTURE, 0), acct.address, FAR_FUTURE),
            bytes(signature),
        ),
    )
    review = permit.review
    assert review is not None
    assert review.intent is not None
    assert review.intent.text == (
        f"Permit {acct.address} to spend 20 CFT of {owner.address} until 2100-01-01 00:00 UTC"
    )
    [approval] = review.approvals
    assert (approval.owner, approval.spender, approval.amount) == (
        owner.address,
        acct.address,
        20 * ETH,
    )
    assert not review.blocked  # the owner's approval, not this account's
    assert setup.send(permit).success

    payee = Account.create().address
    pull = acct.prepare_call(
        permit2,
        encode_call(
            "transferFrom(address,address,uint160,address)", owner.address, payee, 5 * ETH, token
        ),
    )
    review = pull.review
    assert review is not None
    assert review.intent is not None
    assert review.intent.text == (f"Send 5 CFT from {owner.address} to {payee} through Permit2")
    [change] = review.changes
    assert (change.sender, change.recipient, change.amount, change.outgoing) == (
        owner.address,
        payee,
        5 * ETH,
        False,
    )
    assert not review.blocked
    assert setup.send(pull).success
    balance = setup.call(token, "balanceOf(address)", payee)
    assert int.from_bytes(balance, "big") == 5 * ETH


def test_an_approve_shown_as_100_that_is_unlimited_is_blocked(setup: Setup) -> None:
    acct = setup.account
    evil = setup.token("EVIL", "DeceptiveToken")
    draft = acct.prepare_call(evil, encode_call("approve(address,uint256)", FRIEND, 100 * ETH))
    review = draft.review
    assert review is not None
    assert review.intent is not None
    assert review.intent.text == f"Approve {FRIEND} to spend 100 EVIL"
    assert review.approvals[0].unlimited
    [mismatch] = review.mismatches
    assert mismatch.startswith("an approval the intent does not show")
    assert "UNLIMITED" in mismatch
    assert review.blocked
    nonce = acct.nonces().next_nonce
    with pytest.raises(ReviewBlocked) as caught:
        setup.wallet.sign(draft)
    assert caught.value.mismatches == review.mismatches
    assert not caught.value.blind
    assert acct.nonces().next_nonce == nonce
    assert acct.sent_transactions() == []
    with pytest.raises(ReviewBlocked):
        setup.wallet.sign(draft.accept_risks(blind=True))  # the wrong override
    assert setup.send(draft.accept_risks(mismatch=True)).success  # the person insisted


def test_an_outgoing_transfer_the_intent_did_not_show_is_blocked(setup: Setup) -> None:
    acct = setup.account
    evil = setup.token("EVIL", "DeceptiveToken")
    draft = acct.prepare_send(FRIEND, "5", token=evil)
    review = draft.review
    assert review is not None
    assert review.intent is not None
    assert review.intent.text == f"Send 5 EVIL to {FRIEND}"
    assert len(review.changes) == 2  # the deployer is paid too
    [mismatch] = review.mismatches
    assert mismatch.startswith("outgoing transfers the intent does not show")
    with pytest.raises(ReviewBlocked):
        setup.wallet.sign(draft)
    assert acct.sent_transactions() == []


def test_a_call_without_descriptor_is_blind_and_needs_confirmation(setup: Setup) -> None:
    acct = setup.account
    token = setup.token("OPEN", "DeceptiveToken")  # its mint is open to anyone
    draft = acct.prepare_call(token, encode_call("mint(address,uint256)", acct.address, 1))
    review = draft.review
    assert review is not None
    assert review.intent is None
    assert review.blind
    assert review.blocked
    assert review.lines()[0] == "Intent: BLIND - no descriptor reads this call"
    [change] = review.changes  # the simulation still shows what it does
    assert change.incoming
    assert change.amount == 1
    with pytest.raises(ReviewBlocked) as caught:
        setup.wallet.sign(draft)
    assert caught.value.blind
    assert acct.sent_transactions() == []
    assert setup.send(draft.accept_risks(blind=True)).success


def test_call_data_that_is_not_hex_is_a_clear_error(setup: Setup) -> None:
    with pytest.raises(InvalidTransactionField, match="hex"):
        setup.account.prepare_call(FRIEND, "0xzz")
    with pytest.raises(InvalidTransactionField, match="hex"):
        setup.account.prepare_call(FRIEND, "approve")


def test_the_embedded_chain_says_simulation_is_unavailable(tmp_path: Path) -> None:
    network = get_network("evm-embedded")
    assert isinstance(network, EvmNetwork)
    backend = EmbeddedBackend(network)
    wallet = Wallet.create(tmp_path / "embedded.coffer", PASSWORD)
    try:
        wallet.backends.use("evm-embedded", backend)
        account = wallet.account("evm-embedded")
        assert isinstance(account, EvmAccount)
        backend.fund(account.address, ETH)
        draft = account.prepare_send(FRIEND, Decimal("0.1"))
        review = draft.review
        assert review is not None
        assert review.intent is not None
        assert not review.simulated
        assert review.changes == ()
        assert review.simulation_note is not None
        assert review.simulation_note.startswith("simulation unavailable: ")
        assert "eth_simulateV1" in review.simulation_note
        assert not review.blocked  # the intent stands; nothing pretends to be simulated
        assert review.lines()[1] == f"Simulation: {review.simulation_note}"
    finally:
        wallet.close()
        backend.close()
