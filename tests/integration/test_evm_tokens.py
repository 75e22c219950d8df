"""ERC-20 tokens: bundled lists, custom tokens read on chain, balances in one or two round trips.

Runs on the embedded chain and on anvil; the contracts are the Vyper sources in contracts/.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from eth_account import Account

from chains.errors import MalformedAddress
from chains.evm.abi import selector
from chains.evm.balances import fetch_balances
from chains.evm.errors import ExecutionReverted, InvalidTokenContract
from chains.evm.jsonrpc import JsonRpcBackend
from chains.evm.tokens import bundled_tokens, decode_text, read_token
from chains.registry import EvmNetwork, all_networks, get_network
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
from wallet import EvmAccount, Wallet
from wallet.errors import InvalidToken

__all__ = ["anvil", "anvil_binary", "anvil_factory", "evm_chain"]  # fixtures of the node plugin

FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"

LOCAL = get_network("evm-local")
assert isinstance(LOCAL, EvmNetwork)
RETURNS_42 = bytes.fromhex("600a600c600039600a6000f3602a60005260206000f3")


@pytest.mark.parametrize(
    "network", [n for n in all_networks() if isinstance(n, EvmNetwork)], ids=lambda n: n.name
)
def test_bundled_lists_load(network: EvmNetwork) -> None:
    tokens = bundled_tokens(network)
    if network.name in ("evm-local", "evm-embedded"):
        assert tokens == ()
        return
    assert tokens, f"{network.name} has no bundled tokens"
    assert all(t.chain_id == network.chain_id for t in tokens)
    assert len({t.address for t in tokens}) == len(tokens)
    assert all(0 <= t.decimals <= 36 and t.symbol for t in tokens)


def test_bundled_ethereum_usdc() -> None:
    eth = get_network("ethereum")
    assert isinstance(eth, EvmNetwork)
    usdc = {t.symbol: t for t in bundled_tokens(eth)}["USDC"]
    assert usdc.address == "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
    assert usdc.decimals == 6
    assert usdc.logo_uri is not None


def test_decode_text_forms() -> None:
    assert decode_text(b"MKR".ljust(32, b"\0")) == "MKR"  # bytes32 symbols of old tokens
    assert decode_text(b"") is None
    assert decode_text(b"\x01\x02") is None


def test_read_custom_token(evm_chain: EvmChain) -> None:
    token = evm_chain.deploy_token("CFT", 6, "Coffer Test")
    info = read_token(evm_chain.backend, token.lower())
    assert (info.address, info.symbol, info.name, info.decimals) == (
        token,
        "CFT",
        "Coffer Test",
        6,
    )
    assert info.chain_id == evm_chain.backend.network.chain_id


def test_token_whose_decimals_reverts(evm_chain: EvmChain) -> None:
    bad = evm_chain.deploy("BadToken")
    with pytest.raises(InvalidTokenContract, match="reverted decimals") as info:
        read_token(evm_chain.backend, bad)
    assert info.value.function == "decimals()"
    assert info.value.contract == bad


def test_revert_reason_is_decoded(evm_chain: EvmChain) -> None:
    bad = evm_chain.deploy("BadToken")
    with pytest.raises(ExecutionReverted) as info:
        evm_chain.backend.call(bad, selector("decimals()"))
    assert info.value.reason == "no decimals here"
    assert "no decimals here" in str(info.value)


def test_token_whose_decimals_is_garbage(evm_chain: EvmChain) -> None:
    garbage = evm_chain.deploy("GarbageToken")
    with pytest.raises(InvalidTokenContract, match="not a number of decimals"):
        read_token(evm_chain.backend, garbage)


def test_contract_that_is_no_token(evm_chain: EvmChain) -> None:
    other = evm_chain.devnet.deploy_contract(RETURNS_42)  # answers 42 to everything
    with pytest.raises(InvalidTokenContract, match="42 decimals"):
        read_token(evm_chain.backend, other)


def test_address_without_contract(evm_chain: EvmChain) -> None:
    with pytest.raises(InvalidTokenContract, match="no contract"):
        read_token(evm_chain.backend, Account.create().address)
    with pytest.raises(MalformedAddress):
        read_token(evm_chain.backend, "0xnope")


def _setup_holdings(chain: EvmChain) -> tuple[str, list[str], str]:
    holder = Account.create().address
    chain.devnet.fund(holder, 3 * 10**17)
    tokens = [chain.deploy_token(f"T{i}", 18) for i in range(4)]
    for i, t in enumerate(tokens):
        if i != 2:
            chain.send(t, "mint(address,uint256)", holder, (i + 1) * 1000)
    bad = chain.deploy("BadToken")  # its balanceOf works; decimals does not
    return holder, [*tokens, bad, Account.create().address], bad


def test_balances_by_plain_batch(evm_chain: EvmChain) -> None:
    holder, tokens, bad = _setup_holdings(evm_chain)
    other = Account.create().address
    sheets = fetch_balances(evm_chain.backend, [holder, other], tokens)
    assert [s.account for s in sheets] == [holder, other]
    mine = sheets[0]
    assert mine.native == 3 * 10**17
    assert [mine.tokens.get(t) for t in tokens[:4]] == [1000, 2000, 0, 4000]
    assert mine.tokens[bad] == 0
    assert mine.failed == (tokens[5],)  # an address without code answers no uint256
    assert sheets[1].native == 0
    assert set(sheets[1].tokens.values()) == {0}


def test_balances_by_multicall(evm_chain: EvmChain) -> None:
    holder, tokens, _ = _setup_holdings(evm_chain)
    multicall = evm_chain.deploy("Multicall")
    (sheet,) = fetch_balances(evm_chain.backend, [holder], tokens, multicall=multicall)
    assert sheet.native == 3 * 10**17
    assert [sheet.tokens.get(t) for t in tokens[:4]] == [1000, 2000, 0, 4000]
    assert sheet.failed == (tokens[5],)


def test_multicall_address_without_contract(evm_chain: EvmChain) -> None:
    holder, tokens, _ = _setup_holdings(evm_chain)
    nowhere = Account.create().address
    (sheet,) = fetch_balances(evm_chain.backend, [holder], tokens, multicall=nowhere)
    assert sheet.native == 3 * 10**17
    assert sheet.tokens[tokens[1]] == 2000


def test_round_trips_on_anvil(anvil: AnvilNode) -> None:
    url = anvil.http_url
    plain = JsonRpcBackend(LOCAL, [url])
    chain = EvmChain("anvil", plain, AnvilDevnet(plain))
    holder, tokens, _ = _setup_holdings(chain)
    before = plain.round_trips
    fetch_balances(plain, [holder], tokens)
    assert plain.round_trips - before == 1
    multicall = chain.deploy("Multicall")
    with_mc = JsonRpcBackend(dataclasses.replace(plain.network, multicall3=multicall), [url])
    before = with_mc.round_trips
    fetch_balances(with_mc, [holder], tokens)
    assert with_mc.round_trips - before == 1
    nowhere = JsonRpcBackend(
        dataclasses.replace(plain.network, multicall3=Account.create().address), [url]
    )
    before = nowhere.round_trips
    (sheet,) = fetch_balances(nowhere, [holder], tokens)
    assert nowhere.round_trips - before == 2  # aggregate3 at an empty address, then plain
    assert sheet.tokens[tokens[1]] == 2000
    for b in (plain, with_mc, nowhere):
        b.close()


def test_the_native_coin_is_never_a_token_too(
    anvil_factory: Callable[..., AnvilNode], tmp_path: Path
) -> None:
    polygon = get_network("polygon")
    assert isinstance(polygon, EvmNetwork)
    pol_contract = "0x0000000000000000000000000000000000001010"  # Polygon's MRC20 POL
    node = anvil_factory(polygon.chain_id)  # a node that answers as Polygon does
    wallet = Wallet.create(tmp_path / "w.coffer", PASSWORD)
    wallet.backends.set_servers("polygon", [node.http_url])
    account = wallet.account("polygon")
    assert isinstance(account, EvmAccount)
    # Its balanceOf is the native balance: as a token it would count POL twice.
    assert pol_contract not in {h.contract for h in account.token_holdings()}
    with pytest.raises(InvalidToken, match="own coin"):
        account.tokens.add(pol_contract)
    with pytest.raises(InvalidToken, match="own coin"):
        account.prepare_send(FRIEND, "1", token=pol_contract)
    assert account.tokens.custom() == []
    wallet.close()


def test_a_token_without_name_is_named_by_its_symbol(evm_chain: EvmChain) -> None:
    nameless = evm_chain.deploy("NamelessToken")
    with pytest.raises(ExecutionReverted):
        evm_chain.backend.call(nameless, selector("name()"))
    info = read_token(evm_chain.backend, nameless)
    assert (info.symbol, info.name, info.decimals) == ("ANON", "ANON", 2)
