"""``coffer`` on a real anvil: sync, balance, send coins, tokens and NFTs, speedup, cancel."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from eth_account import Account

from chains.evm.abi import encode_call
from chains.evm.contracts import compile_contract
from chains.evm.jsonrpc import JsonRpcBackend
from chains.registry import EvmNetwork, get_network
from tests.conftest import PASSWORD
from tests.nodes.evm import AnvilDevnet, AnvilNode, anvil_binary, anvil_factory
from wallet import Wallet
from wallet.cli import cli

__all__ = ["anvil_binary", "anvil_factory"]  # fixtures used from the node plugin

LOCAL = get_network("evm-local")
assert isinstance(LOCAL, EvmNetwork)


class Cli:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self, *args: str, ok: bool = True) -> Any:
        result = CliRunner().invoke(cli, ["--wallet", str(self.path), "--json", *args])
        if ok:
            assert result.exit_code == 0, result.stdout + result.stderr
            return json.loads(result.stdout)
        assert result.exit_code != 0
        return json.loads(result.stdout)["error"]


def test_cli_end_to_end(
    anvil_factory: Callable[..., AnvilNode], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COFFER_PASSWORD", PASSWORD)
    node = anvil_factory(31337)
    backend = JsonRpcBackend(LOCAL, [node.http_url])
    devnet = AnvilDevnet(backend)
    path = tmp_path / "cli.coffer"
    with Wallet.create(path, PASSWORD) as wallet:
        me = wallet.account("evm-local").receive_address()
    coffer = Cli(path)
    coffer("servers", "evm-local", "--set", node.http_url)
    devnet.fund(me, 10**18)
    token = devnet.deploy_contract(
        compile_contract("ERC20").initcode(("string", "string", "uint8"), ("Cli", "CLI", 2))
    )
    devnet.transact(token, encode_call("mint(address,uint256)", me, 10_000))  # 100.00 CLI
    added = coffer("tokens", "add", "evm-local", token)
    assert (added["symbol"], added["decimals"]) == ("CLI", 2)
    art = devnet.deploy_contract(
        compile_contract("ERC721").initcode(("string", "string"), ("Art", "ART"))
    )
    uri = "data:application/json;base64," + base64.b64encode(b'{"name": "Dawn"}').decode()
    devnet.transact(art, encode_call("mint(address,uint256,string)", me, 5, uri))
    tickets = devnet.deploy_contract(compile_contract("ERC1155").initcode())
    devnet.transact(tickets, encode_call("mint(address,uint256,uint256,string)", me, 2, 4, ""))

    [synced] = coffer("sync", "evm-local")
    assert synced["new"] >= 1
    rows = {r["symbol"]: r for r in coffer("balance", "evm-local")}
    assert rows["ETH"]["display"] == "1 ETH"
    assert rows["CLI"]["display"] == "100 CLI"
    assert [(r["symbol"], r["balance"]) for r in coffer("tokens", "list", "evm-local")] == [
        ("CLI", "100")
    ]
    assert sorted((n["token_id"], n["name"] or "") for n in coffer("nfts", "evm-local")) == [
        ("2", ""),
        ("5", "Dawn"),
    ]

    friend = Account.create().address
    sent = coffer("send", "evm-local", "--to", friend, "--amount", "0.25", "--yes")
    devnet.wait_for_receipt(sent["txid"])
    tok = coffer("send", "evm-local", "--to", friend, "--amount", "12.5", "--token", "CLI", "--yes")
    devnet.wait_for_receipt(tok["txid"])
    nft = coffer("send", "evm-local", "--to", friend, "--nft", f"{art}:5", "--yes")
    devnet.wait_for_receipt(nft["txid"])
    three = ("--nft", f"{tickets}:2", "--amount", "3", "--yes")
    devnet.wait_for_receipt(coffer("send", "evm-local", "--to", friend, *three)["txid"])
    held = backend.call(tickets, encode_call("balanceOf(address,uint256)", friend, 2))
    assert int.from_bytes(held, "big") == 3  # the three tickets asked for, not one
    error = coffer(
        "send",
        "evm-local",
        "--to",
        friend,
        "--amount",
        "0.001",
        "--token",
        "CLI",
        "--yes",
        ok=False,
    )
    assert error["type"] == "AmountPrecisionError"
    error = coffer(
        "send",
        "evm-local",
        "--to",
        friend,
        "--amount",
        "0.01",
        "--fee-rate",
        "5000",
        "--yes",
        ok=False,
    )
    assert error["type"] == "FeeTooHigh"
    coffer("sync", "evm-local")
    assert backend.get_balance(friend) == 10**18 // 4
    rows = {r["symbol"]: r for r in coffer("balance", "evm-local")}
    assert rows["CLI"]["display"] == "87.5 CLI"
    assert [(n["token_id"], n["amount"]) for n in coffer("nfts", "evm-local")] == [("2", 1)]
    history = coffer("history", "evm-local")
    assert {h["txid"] for h in history} >= {sent["txid"], tok["txid"], nft["txid"]}

    # Speed-up and cancel of pending transactions.
    backend.request("evm_setAutomine", False)
    slow = coffer("send", "evm-local", "--to", friend, "--amount", "0.1", "--fee", "slow", "--yes")
    fast = coffer("speedup", slow["txid"], "--yes")
    assert fast["replaces"] == slow["txid"]
    other = coffer("send", "evm-local", "--to", friend, "--amount", "0.2", "--yes")
    stopped = coffer("cancel", other["txid"], "--yes")
    assert stopped["replaces"] == other["txid"]
    backend.request("evm_mine")
    coffer("sync", "evm-local")
    status = {h["txid"]: h["status"] for h in coffer("history", "evm-local")}
    assert (status[slow["txid"]], status[fast["txid"]]) == ("replaced", "confirmed")
    assert (status[other["txid"]], status[stopped["txid"]]) == ("replaced", "confirmed")
    assert backend.get_balance(friend) == 10**18 // 4 + 10**17  # 0.25 + 0.1, not the 0.2
    error = coffer("speedup", fast["txid"], "--yes", ok=False)
    assert error["type"] == "NotReplaceable"
    backend.close()
