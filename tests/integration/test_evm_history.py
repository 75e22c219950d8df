"""History by scanning blocks and logs (local and embedded chains): native and token transfers.

Runs on the embedded chain and on anvil; outgoing transactions are signed with eth-account
and broadcast raw, as the wallet does.
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from chains.evm.abi import encode_call
from chains.evm.backend import Receipt
from chains.evm.history import TransferKind, scan_history
from tests.nodes.evm import EvmChain, anvil, anvil_binary, evm_chain

__all__ = ["anvil", "anvil_binary", "evm_chain"]  # fixtures used from the node plugin


def send_signed(chain: EvmChain, acct: LocalAccount, to: str, data: bytes, value: int) -> Receipt:
    backend: Any = chain.backend
    latest = backend.get_block("latest")
    tx = {
        "chainId": backend.network.chain_id,
        "nonce": backend.get_transaction_count(acct.address),
        "to": to,
        "value": value,
        "data": data,
        "gas": 200_000,
        "maxFeePerGas": 2 * (latest.base_fee_per_gas or 0) + 10**9,
        "maxPriorityFeePerGas": 10**9,
    }
    tx_hash = backend.send_raw_transaction(acct.sign_transaction(tx).raw_transaction)
    if hasattr(chain.devnet, "wait_for_receipt"):
        receipt: Receipt = chain.devnet.wait_for_receipt(tx_hash)
    else:
        receipt = backend.get_receipt(tx_hash)
    return receipt


def test_scan_native_and_token_transfers(evm_chain: EvmChain) -> None:
    me = Account.create()
    friend = Account.create().address
    start = evm_chain.backend.block_number() + 1
    funded = evm_chain.devnet.fund(me.address, 10**18)
    token = evm_chain.deploy_token("HST", 6)
    minted = evm_chain.send(token, "mint(address,uint256)", me.address, 500)
    paid = send_signed(evm_chain, me, friend, b"", 12345)
    sent_tokens = send_signed(
        evm_chain, me, token, encode_call("transfer(address,uint256)", friend, 200), 0
    )
    nft = evm_chain.deploy("ERC721", ("string", "string"), ("Tickets", "TIX"))
    evm_chain.send(nft, "mint(address,uint256,string)", me.address, 42, "ipfs://x")
    multi = evm_chain.deploy("ERC1155")
    evm_chain.send(multi, "mintBatch(address,uint256[],uint256[])", me.address, [1, 2], [3, 4])

    page = scan_history(evm_chain.backend, [me.address], start)
    assert page.next_block == evm_chain.backend.block_number() + 1
    got = [(r.kind, r.sender, r.recipient, r.amount, r.contract, r.token_id) for r in page.records]
    prefunded = funded.sender
    assert got == [
        (TransferKind.NATIVE, prefunded, me.address, 10**18, None, None),
        (TransferKind.ERC20, "0x" + "0" * 40, me.address, 500, token, None),
        (TransferKind.NATIVE, me.address, friend, 12345, None, None),
        (TransferKind.NATIVE, me.address, token, 0, None, None),
        (TransferKind.ERC20, me.address, friend, 200, token, None),
        (TransferKind.ERC721, "0x" + "0" * 40, me.address, 1, nft, 42),
        (TransferKind.ERC1155, "0x" + "0" * 40, me.address, 3, multi, 1),
        (TransferKind.ERC1155, "0x" + "0" * 40, me.address, 4, multi, 2),
    ]
    by_hash = {r.tx_hash: r for r in page.records if r.kind is TransferKind.NATIVE}
    assert by_hash[paid.transaction_hash].fee == paid.fee
    assert by_hash[paid.transaction_hash].success
    assert by_hash[funded.transaction_hash].fee is None  # incoming: someone else paid
    assert all(r.timestamp for r in page.records)
    assert page.records[1].tx_hash == minted.transaction_hash
    assert page.records[4].tx_hash == sent_tokens.transaction_hash

    # Incremental: from the stored cursor, only what is new.
    again = send_signed(evm_chain, me, friend, b"", 1)
    newer = scan_history(evm_chain.backend, [me.address], page.next_block)
    assert [r.tx_hash for r in newer.records] == [again.transaction_hash]
    assert scan_history(evm_chain.backend, [me.address], newer.next_block).records == ()


def test_scan_is_bounded_per_call(evm_chain: EvmChain) -> None:
    me = Account.create().address
    start = evm_chain.backend.block_number() + 1
    for _ in range(3):
        evm_chain.devnet.fund(me, 1)
    first = scan_history(evm_chain.backend, [me], start, max_blocks=2)
    assert first.next_block == start + 2
    rest = scan_history(evm_chain.backend, [me], first.next_block)
    assert len(first.records) + len(rest.records) == 3


def test_scan_reads_blocks_in_batches(anvil: Any) -> None:
    from chains.evm.jsonrpc import JsonRpcBackend
    from chains.registry import get_network
    from tests.nodes.evm import AnvilDevnet

    network = get_network("evm-local")
    backend = JsonRpcBackend(network, [anvil.http_url])  # type: ignore[arg-type]
    me = Account.create().address
    start = backend.block_number() + 1
    devnet = AnvilDevnet(backend)
    devnet.fund(me, 1)
    devnet.mine_blocks(150)
    devnet.fund(me, 2)
    before = backend.round_trips
    page = scan_history(backend, [me], start)
    assert [r.amount for r in page.records] == [1, 2]
    # 152 blocks in two batches, the tip, and four log queries (no receipts: all incoming).
    assert backend.round_trips - before <= 2 + 1 + 4
    backend.close()
