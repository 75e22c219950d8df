"""EVM accounts end to end through the public API, on the embedded chain and on anvil.

Receive and send ETH, ERC-20 tokens and collectibles; stored, incremental history; every bad
input the issue names gets its clear error and the wallet reopens with all it had.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account

from tests.conftest import PASSWORD
from tests.nodes.evm import EvmChain, anvil, anvil_binary, evm_chain
from wallet import EvmAccount, Wallet
from wallet.amounts import format_amount
from wallet.errors import (
    AmountPrecisionError,
    FeeTooHigh,
    FloatAmountError,
    InsufficientFunds,
    InvalidAddress,
    InvalidAmount,
    InvalidRecipient,
    InvalidToken,
    InvalidTransactionField,
    NetworkMismatch,
    NonceConflict,
    UnknownToken,
)
from wallet.types import TxStatus

__all__ = ["anvil", "anvil_binary", "evm_chain"]  # fixtures used from the node plugin

ETH = 10**18
FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@dataclass
class Setup:
    chain: EvmChain
    wallet: Wallet
    account: EvmAccount
    path: Path

    def settle(self, tx_hash: str) -> Any:
        """Wait until the chain has mined a transaction; return its receipt."""
        if hasattr(self.chain.devnet, "wait_for_receipt"):
            return self.chain.devnet.wait_for_receipt(tx_hash)
        return self.chain.backend.get_receipt(tx_hash)

    def send(self, draft: Any) -> Any:
        """Sign with the wallet's keys, broadcast, wait for the receipt."""
        signed = self.wallet.sign(draft)
        tx_hash = self.account.broadcast(signed)
        assert tx_hash == signed.txid
        return self.settle(tx_hash)

    def reopen(self) -> EvmAccount:
        self.wallet.close()
        self.wallet = Wallet.open(self.path, PASSWORD)
        self.wallet.backends.use(self.chain.backend.network.name, self.chain.backend)
        account = self.wallet.account(self.chain.backend.network.name)
        assert isinstance(account, EvmAccount)
        self.account = account
        return account


@pytest.fixture
def setup(evm_chain: EvmChain, tmp_path: Path) -> Iterator[Setup]:
    path = tmp_path / "evm.coffer"
    wallet = Wallet.create(path, PASSWORD)  # a fresh seed: accounts no other test touches
    name = evm_chain.backend.network.name
    wallet.backends.use(name, evm_chain.backend)
    account = wallet.account(name)
    assert isinstance(account, EvmAccount)
    s = Setup(evm_chain, wallet, account, path)
    yield s
    s.wallet.close()


def snapshot(account: EvmAccount) -> tuple[object, ...]:
    return (
        account.balance(),
        account.history(),
        account.token_holdings(),
        account.nfts(),
        account.sent_transactions(),
    )


def test_receive_and_send_eth_with_incremental_history(setup: Setup) -> None:
    acct, chain = setup.account, setup.chain
    funded = chain.devnet.fund(acct.address, 2 * ETH)
    report = acct.sync()
    assert report.new_transactions == 1
    assert acct.balance().confirmed == 2 * ETH
    assert acct.balance().total_decimal == Decimal(2)

    friend = Account.create().address
    draft = acct.prepare_send(friend.lower(), Decimal("0.25"))
    assert draft.summary.outputs[0].address == friend
    assert draft.summary.outputs[0].amount == ETH // 4
    assert draft.request.gas == 21000
    assert draft.request.chain_id == chain.backend.network.chain_id
    receipt = setup.send(draft)
    assert receipt.success

    report = acct.sync()
    assert report.new_transactions == 1
    assert report.updated_transactions == 1  # our own transaction: pending -> confirmed
    assert acct.balance().confirmed == 2 * ETH - ETH // 4 - receipt.fee
    assert chain.backend.get_balance(friend) == ETH // 4
    history = acct.history()
    assert [(e.status, e.amount, e.fee) for e in history] == [
        (TxStatus.CONFIRMED, -(ETH // 4) - receipt.fee, receipt.fee),
        (TxStatus.CONFIRMED, 2 * ETH, None),
    ]
    assert history[0].counterparties == (friend,)
    assert history[1].txid == funded.transaction_hash
    assert history[0].confirmations >= 1
    [sent] = acct.sent_transactions()
    assert (sent.status, sent.fee, sent.nonce) == (TxStatus.CONFIRMED, receipt.fee, 0)

    # Incremental: nothing new, then only what is new.
    assert acct.sync().new_transactions == 0
    chain.devnet.fund(acct.address, 3)
    assert acct.sync().new_transactions == 1
    assert len(acct.history()) == 3

    # Everything is stored: a reopened wallet shows it without a sync.
    before = snapshot(acct)
    again = setup.reopen()
    assert snapshot(again) == before


def test_send_max_leaves_only_unspent_fee_headroom(setup: Setup) -> None:
    acct, chain = setup.account, setup.chain
    chain.devnet.fund(acct.address, ETH)
    acct.sync()
    friend = Account.create().address
    draft = acct.send_max(friend)
    assert draft.request.value == ETH - draft.max_fee
    receipt = setup.send(draft)
    acct.sync()
    # EIP-1559 charges the effective price, not the cap: what stays is the cap's headroom.
    assert acct.balance().confirmed == draft.max_fee - receipt.fee
    assert chain.backend.get_balance(friend) == ETH - draft.max_fee


def test_erc20_tokens_custom_list_send_and_history(setup: Setup) -> None:
    acct, chain = setup.account, setup.chain
    chain.devnet.fund(acct.address, ETH)
    token = chain.deploy_token("CFT", 6, "Coffer Test")
    chain.send(token, "mint(address,uint256)", acct.address, 5_000_000)  # 5 CFT
    with pytest.raises(UnknownToken, match="add it by its contract address"):
        acct.prepare_send(FRIEND, "1", token="CFT")
    with pytest.raises(UnknownToken, match="own coin, not a token"):
        acct.prepare_send(FRIEND, "1", token="eth")  # not a token to look up by contract
    added = acct.tokens.add(token.lower())
    assert (added.symbol, added.decimals, added.contract, added.custom) == ("CFT", 6, token, True)
    acct.sync()
    assert [(b.symbol, b.confirmed, b.token) for b in acct.token_balances()] == [
        ("CFT", 5_000_000, token)
    ]
    assert [h.symbol for h in acct.tokens.custom()] == ["CFT"]

    friend = Account.create().address
    draft = acct.prepare_send(friend, "1.5", token="cft")
    out = draft.summary.outputs[0]
    assert (out.address, out.amount, out.asset, out.decimals, out.contract) == (
        friend,
        1_500_000,
        "CFT",
        6,
        token,
    )
    assert draft.request.to == token
    assert draft.request.value == 0
    receipt = setup.send(draft)
    by_address = acct.prepare_send(friend, Decimal("0.5"), token=token)
    in_units = acct.prepare_send(friend, 500_000, token=token)  # an int counts base units
    assert in_units.summary.outputs[0].amount == by_address.summary.outputs[0].amount == 500_000
    setup.send(by_address)
    acct.sync()
    assert acct.token_balances()[0].confirmed == 3_000_000
    tokens_sent = [e for e in acct.history() if e.token == token and e.amount < 0]
    assert [(e.symbol, e.amount, e.decimals) for e in tokens_sent] == [
        ("CFT", -500_000, 6),
        ("CFT", -1_500_000, 6),
    ]
    assert tokens_sent[1].fee == receipt.fee  # the fee shows on the token entry
    received = [e for e in acct.history() if e.token == token and e.amount > 0]
    assert [e.amount for e in received] == [5_000_000]

    # Bad token input: precise errors, nothing stored.
    before = snapshot(acct)
    with pytest.raises(AmountPrecisionError, match="6 decimal places") as info:
        acct.prepare_send(friend, "0.0000001", token="CFT")
    assert info.value.decimals == 6
    with pytest.raises(InvalidRecipient, match="own contract") as refused:
        acct.prepare_send(token, "1", token="CFT")
    assert refused.value.reason == "token-contract"
    with pytest.raises(InsufficientFunds) as short:
        acct.prepare_send(friend, "4", token="CFT")
    assert short.value.shortfall == 1_000_000
    assert "Not enough CFT: 1 CFT missing" in str(short.value)
    assert snapshot(acct) == before


@pytest.mark.parametrize("contract", ["BadToken", "GarbageToken"])
def test_tokens_with_broken_decimals_are_refused(setup: Setup, contract: str) -> None:
    acct, chain = setup.account, setup.chain
    chain.devnet.fund(acct.address, ETH)
    acct.sync()
    bad = chain.deploy(contract)
    before = snapshot(acct)
    with pytest.raises(InvalidToken, match="decimals") as info:
        acct.tokens.add(bad)
    assert info.value.function == "decimals()"
    assert info.value.contract == bad
    with pytest.raises(InvalidToken):
        acct.prepare_send(FRIEND, "1", token=bad)
    assert acct.tokens.custom() == []
    assert snapshot(setup.reopen()) == before


def b64_uri(doc: object) -> str:
    return "data:application/json;base64," + base64.b64encode(json.dumps(doc).encode()).decode()


def test_collectibles_and_tickets(setup: Setup) -> None:
    acct, chain = setup.account, setup.chain
    chain.devnet.fund(acct.address, ETH)
    art = chain.deploy("ERC721", ("string", "string"), ("Coffer Art", "ART"))
    doc = {"name": "Sunrise", "description": "Oil on canvas", "image": "ipfs://bafy/sun.png"}
    chain.send(art, "mint(address,uint256,string)", acct.address, 7, b64_uri(doc))
    tickets = chain.deploy("ERC1155")
    uri = "ipfs://bafkreib4pqtikzdjlj4zigobmd63lig7u6oxlug24snlr6atjlmlza45dq/{id}.json"
    chain.send(tickets, "mint(address,uint256,uint256,string)", acct.address, 3, 4, uri)
    acct.sync()
    items = {(c.contract, c.token_id): c for c in acct.nfts()}
    painting = items[(art, 7)]
    assert (painting.standard, painting.amount, painting.name, painting.image) == (
        "erc721",
        1,
        "Sunrise",
        "ipfs://bafy/sun.png",
    )
    ticket = items[(tickets, 3)]
    assert (ticket.standard, ticket.amount) == ("erc1155", 4)
    assert ticket.uri == uri.replace("{id}", f"{3:064x}")  # shown as such, never fetched
    assert ticket.name is None

    friend = Account.create().address
    setup.send(acct.prepare_nft_transfer(friend, art, 7))
    draft = acct.prepare_nft_transfer(friend, tickets, 3, amount=3)
    assert draft.summary.outputs[0].token_id == 3
    setup.send(draft)
    with pytest.raises(InsufficientFunds):
        acct.prepare_nft_transfer(friend, art, 7)  # not ours any more
    with pytest.raises(InvalidRecipient):
        acct.prepare_nft_transfer(tickets, tickets, 3)
    acct.sync()
    assert [(c.contract, c.token_id, c.amount) for c in acct.nfts()] == [(tickets, 3, 1)]
    moved = [(e.token, e.token_id, e.amount) for e in acct.history() if e.token_id is not None]
    assert moved == [(tickets, 3, -3), (art, 7, -1), (tickets, 3, 4), (art, 7, 1)]


def test_bad_input_gets_clear_errors_and_loses_nothing(setup: Setup) -> None:
    acct, chain = setup.account, setup.chain
    chain.devnet.fund(acct.address, ETH)
    acct.sync()
    before = snapshot(acct)
    typo = FRIEND[:-2] + FRIEND[-2].swapcase() + FRIEND[-1]  # ...79C8 -> ...79c8
    assert typo != FRIEND
    assert typo.lower() == FRIEND.lower()
    with pytest.raises(InvalidAddress, match="checksum"):
        acct.prepare_send(typo, "0.1")
    with pytest.raises(NetworkMismatch, match="Bitcoin"):
        acct.prepare_send("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "0.1")
    with pytest.raises(InvalidRecipient, match="zero address") as zero:
        acct.prepare_send("0x" + "0" * 40, "0.1")
    assert zero.value.reason == "zero-address"
    with pytest.raises(FloatAmountError):
        acct.prepare_send(FRIEND, 0.1)  # type: ignore[arg-type]
    with pytest.raises(AmountPrecisionError):
        acct.prepare_send(FRIEND, "0.0000000000000000001")
    with pytest.raises(InsufficientFunds) as short:
        acct.prepare_send(FRIEND, "1")
    draft = acct.prepare_send(FRIEND, "0.5")
    assert short.value.shortfall == draft.max_fee  # 1 ETH + the maximum fee, of 1 ETH held
    # In coin units, not wei (issue 13 item 14).
    assert f"{format_amount(draft.max_fee, 18, 'ETH')} missing" in str(short.value)
    assert "wei" not in str(short.value)
    # A fee far above the network's level is refused, and goes through when allowed.
    high = 1000 * draft.request.max_fee_per_gas  # type: ignore[operator]
    with pytest.raises(FeeTooHigh) as info:
        acct.prepare_send(FRIEND, "0.001", max_fee_per_gas=high)
    assert info.value.fee == 21000 * high
    assert info.value.cap < info.value.fee
    assert snapshot(acct) == before
    allowed = acct.prepare_send(FRIEND, "0.001", max_fee_per_gas=high // 20, allow_high_fee=True)
    assert setup.send(allowed).success


def test_a_used_nonce_is_a_clear_error_and_nothing_is_lost(setup: Setup) -> None:
    acct, chain = setup.account, setup.chain
    chain.devnet.fund(acct.address, ETH)
    acct.sync()
    first = acct.prepare_send(FRIEND, "0.01")
    second = acct.prepare_send(Account.create().address, "0.02")
    assert first.request.nonce == second.request.nonce == 0
    signed_second = setup.wallet.sign(second)
    setup.send(first)
    acct.sync()
    before = snapshot(acct)
    with pytest.raises(NonceConflict, match="already used") as info:
        acct.broadcast(signed_second)
    assert info.value.nonce == 0
    assert snapshot(acct) == before
    reopened = setup.reopen()
    assert snapshot(reopened) == before
    assert reopened.prepare_send(FRIEND, "0.01").request.nonce == 1


def test_first_scan_of_a_long_chain_is_bounded(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wallet.evm.sync

    monkeypatch.setattr(wallet.evm.sync, "FIRST_SCAN_BLOCKS", 5)
    acct, chain = setup.account, setup.chain
    old = chain.devnet.fund(acct.address, 1)
    chain.devnet.mine_blocks(10)
    new = chain.devnet.fund(acct.address, 2)
    report = acct.sync()
    assert report.warnings
    assert "history starts at block" in report.warnings[0]
    assert [e.txid for e in acct.history()] == [new.transaction_hash]
    assert old.transaction_hash not in {e.txid for e in acct.history()}
    assert acct.balance().confirmed == 3  # balances are never bounded
    assert acct.sync().warnings == ()  # later syncs go on from the cursor


def test_watch_only_accounts_prepare_drafts_but_cannot_sign(setup: Setup, tmp_path: Path) -> None:
    from keystore.signers.base import SigningContext
    from keystore.types import EvmParams
    from wallet.errors import SigningRefused, WatchOnly

    chain = setup.chain
    name = chain.backend.network.name
    chain.devnet.fund(setup.account.address, ETH)
    with Wallet.create_watch_only(tmp_path / "watch.coffer", PASSWORD) as watch:
        watch.backends.use(name, chain.backend)
        watched = watch.accounts_book.import_evm_address(name, setup.account.address.lower())
        watched.sync()
        assert watched.balance().confirmed == ETH
        draft = watched.prepare_send(FRIEND, "0.1")
        assert draft.summary.outputs[0].amount == ETH // 10
        with pytest.raises(WatchOnly):
            watch.sign(draft)
        # The air-gapped flow: the request goes to a signer holding the key, which reviews
        # it against the summary; its bytes come back and are checked against the draft.
        offline = setup.wallet.signer()
        params = EvmParams(name, "the chain", "ETH", chain.backend.network.chain_id)
        path = setup.account.key_path_indexes
        assert path is not None
        raw = offline.sign_evm(
            draft.request, SigningContext(params, path, expected=draft.summary)
        ).raw
        other = setup.account.prepare_send(FRIEND, "0.2")  # another request
        with pytest.raises(SigningRefused):
            watched.import_signed(draft, setup.wallet.sign(other).raw)
        with pytest.raises(SigningRefused):
            watched.import_signed(draft, raw[:-1] + bytes([raw[-1] ^ 1]))
        signed = watched.import_signed(draft, raw)
        assert watched.broadcast(signed) == signed.txid
        assert [s.status for s in watched.sent_transactions()] == [TxStatus.PENDING]


def test_a_transaction_that_reverts_is_failed_and_costs_its_fee(setup: Setup) -> None:
    acct, chain = setup.account, setup.chain
    chain.devnet.fund(acct.address, ETH)
    token = chain.deploy_token("REV", 0)
    chain.send(token, "mint(address,uint256)", acct.address, 5)
    acct.tokens.add(token)
    acct.sync()
    friend = Account.create().address
    first = acct.prepare_send(friend, 5, token="REV")
    # Prepared before the first is mined, the second still sees 5 tokens: it will revert.
    second = acct.prepare_send(friend, 5, token="REV", nonce=1)
    assert setup.send(first).success
    receipt = setup.send(second)
    assert not receipt.success
    acct.sync()
    sent = {s.tx_hash: s for s in acct.sent_transactions()}
    failed = sent[setup.wallet.sign(second).txid]
    assert (failed.status, failed.fee) == (TxStatus.FAILED, receipt.fee)
    [entry] = [e for e in acct.history() if e.txid == failed.tx_hash]
    assert (entry.status, entry.symbol, entry.amount, entry.fee) == (
        TxStatus.FAILED,
        "ETH",
        -receipt.fee,
        receipt.fee,
    )
    assert acct.token_balances()[0].confirmed == 0


def test_a_reverted_payment_moves_only_its_fee(setup: Setup) -> None:
    acct, chain = setup.account, setup.chain
    chain.devnet.fund(acct.address, ETH)
    contract = chain.deploy_token("NOPAY", 0)  # a contract without a payable default
    acct.sync()
    # The estimate would refuse it; with a gas limit of its own it goes out and reverts.
    draft = acct.prepare_send(contract, "0.25", gas_limit=100_000)
    receipt = setup.send(draft)
    assert not receipt.success
    acct.sync()
    assert acct.balance().confirmed == ETH - receipt.fee == chain.backend.get_balance(acct.address)
    [entry] = [e for e in acct.history() if e.txid == receipt.transaction_hash]
    assert (entry.status, entry.symbol, entry.amount, entry.fee) == (
        TxStatus.FAILED,
        "ETH",
        -receipt.fee,
        receipt.fee,
    )
    # Every entry is the net change of the balance: together they make the balance.
    assert sum(e.amount for e in acct.history()) == acct.balance().confirmed


def test_sending_the_same_transaction_again_is_safe(setup: Setup) -> None:
    acct, chain = setup.account, setup.chain
    chain.devnet.fund(acct.address, ETH)
    acct.sync()
    signed = setup.wallet.sign(acct.prepare_send(FRIEND, "0.1"))
    # The node took it (and mined it) but its answer never came back: nothing was recorded.
    chain.backend.send_raw_transaction(signed.raw)
    receipt = setup.settle(signed.txid)
    assert acct.sent_transactions() == []
    # The retry finds its own transaction on the node: it is sent, not "another" one.
    assert acct.broadcast(signed) == signed.txid
    acct.sync()
    [sent] = acct.sent_transactions()
    assert (sent.tx_hash, sent.status, sent.fee) == (signed.txid, TxStatus.CONFIRMED, receipt.fee)
    # Once more after the sync: still one transaction, still confirmed in its block.
    assert acct.broadcast(signed) == signed.txid
    assert acct.sent_transactions() == [sent]
    assert acct.prepare_send(FRIEND, "0.1").request.nonce == 1


def test_odd_numbers_get_typed_errors_and_no_draft(setup: Setup) -> None:
    acct, chain = setup.account, setup.chain
    chain.devnet.fund(acct.address, ETH)
    art = chain.deploy("ERC721", ("string", "string"), ("Coffer Art", "ART"))
    chain.send(art, "mint(address,uint256,string)", acct.address, 1, "")
    tickets = chain.deploy("ERC1155")
    chain.send(tickets, "mint(address,uint256,uint256,string)", acct.address, 1, 5, "")
    acct.sync()
    before = snapshot(acct)
    bad_items: list[tuple[str, int, Any, type[Exception]]] = [
        (art, -1, 1, InvalidTransactionField),
        (art, 2**256, 1, InvalidTransactionField),
        (art, True, 1, InvalidTransactionField),
        (tickets, -1, 1, InvalidTransactionField),
        (tickets, 1, -2, InvalidAmount),
        (tickets, 1, 0, InvalidAmount),
        (art, 1, 1.0, FloatAmountError),
    ]
    for contract, token_id, amount, error in bad_items:
        with pytest.raises(error):
            acct.prepare_nft_transfer(FRIEND, contract, token_id, amount)
    bad_fields: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"nonce": -1}, InvalidTransactionField, "nonce"),
        ({"nonce": 1.5}, InvalidTransactionField, "nonce"),
        ({"gas_limit": -5}, InvalidTransactionField, "gas_limit"),
        ({"gas_limit": 20_999}, InvalidTransactionField, "gas_limit"),
        ({"gas_limit": True}, InvalidTransactionField, "gas_limit"),
        ({"max_fee_per_gas": 1.5e9}, FloatAmountError, ""),
    ]
    for fields, error, field in bad_fields:
        with pytest.raises(error) as info:
            acct.prepare_send(FRIEND, "0.1", **fields)
        assert getattr(info.value, "field", "") == field
    assert snapshot(acct) == before
    # The same fields in range make drafts.
    assert acct.prepare_send(FRIEND, "0.1", nonce=0, gas_limit=21_000).request.gas == 21_000
    assert acct.prepare_nft_transfer(FRIEND, tickets, 1, 5).summary.outputs[0].amount == 5
