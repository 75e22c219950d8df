"""An ERC-1155 item the EVM account finds, marked as a ticket (API and ``coffer tickets mark``).

Runs on the embedded eth-tester chain: the item is minted to the wallet's account, found by
its sync, then marked; the CLI reads only what the sync stored (no node behind it).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from chains.evm.embedded import EmbeddedBackend
from chains.registry import EvmNetwork, get_network
from tests.conftest import PASSWORD
from tests.nodes.evm import EvmChain
from wallet import EvmAccount, Wallet
from wallet.cli import cli
from wallet.errors import WalletError
from wallet.money.fiat import find_collectible

ETH = 10**18
URI = "ipfs://bafkreib4pqtikzdjlj4zigobmd63lig7u6oxlug24snlr6atjlmlza45dq/{id}.json"


@dataclass
class Held:
    path: Path
    network: str
    contract: str


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Held]:
    """A wallet whose EVM account holds 2 of ERC-1155 item 5, synced, then closed."""
    network = get_network("evm-embedded")
    assert isinstance(network, EvmNetwork)
    backend = EmbeddedBackend(network)
    chain = EvmChain("embedded", backend, backend)
    path = tmp_path / "tickets.coffer"
    try:
        with Wallet.create(path, PASSWORD) as wallet:
            wallet.backends.use(network.name, backend)
            account = wallet.account(network.name)
            assert isinstance(account, EvmAccount)
            chain.devnet.fund(account.address, ETH)
            contract = chain.deploy("ERC1155")
            chain.send(contract, "mint(address,uint256,uint256,string)", account.address, 5, 2, URI)
            account.sync()
            assert [(c.contract, c.token_id) for c in account.nfts()] == [(contract, 5)]
        yield Held(path, network.name, contract)
    finally:
        backend.close()


def test_find_collectible_names_what_is_wrong(held: Held) -> None:
    with Wallet.open(held.path, PASSWORD) as wallet:
        account = wallet.account(held.network)
        assert isinstance(account, EvmAccount)
        items = account.nfts()
        assert find_collectible(items, f"{held.contract.upper().replace('0X', '0x')}:5") == items[0]
        with pytest.raises(WalletError, match="No account held"):
            find_collectible(items, f"{held.contract}:6")
        for bad in ("", held.contract, f"{held.contract}:-1", "0x12:5", f"{held.contract}:1e3"):
            with pytest.raises(WalletError, match="CONTRACT:TOKEN_ID"):
                find_collectible(items, bad)
        with pytest.raises(WalletError, match="CONTRACT:TOKEN_ID"):
            find_collectible(items, f"{held.contract}:{2**256}")


def test_coffer_tickets_mark_lists_the_item_as_a_ticket(held: Held, runner: CliRunner) -> None:
    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(cli, ["--wallet", str(held.path), *args])
        return result.exit_code, result.stdout, result.stderr

    code, out, err = run(
        "--json",
        "tickets",
        "mark",
        held.network,
        f"{held.contract}:5",
        "Festival",
        "2027-07-01",
        "--venue",
        "Field",
        "--seat",
        "B12",
    )
    assert code == 0, err
    marked = json.loads(out)
    assert marked["nft"] == {
        "network": held.network,
        "contract": held.contract.lower(),
        "token_id": "5",
    }
    assert (marked["event"], marked["venue"], marked["seat"]) == ("Festival", "Field", "B12")

    code, out, err = run(
        "tickets", "mark", held.network, f"{held.contract}:5", "Again", "2027-07-01"
    )
    assert (code, out) == (1, "")
    assert err.strip().splitlines() == ["error: That collectible is already marked as a ticket."]

    code, out, err = run(
        "tickets", "mark", held.network, f"{held.contract}:9", "Other", "2027-07-01"
    )
    assert (code, out) == (1, "")
    assert len(err.strip().splitlines()) == 1
    assert "No account held" in err

    code, out, err = run(
        "tickets", "mark", "bitcoin-regtest", f"{held.contract}:5", "X", "2027-07-01"
    )
    assert (code, out) == (1, "")
    assert err.strip() == (
        "error: bitcoin-regtest is not an EVM network; collectibles are on EVM ones."
    )

    code, out, err = run("tickets", "mark", "sepolia", f"{held.contract}:5", "X", "2027-07-01")
    assert (code, out) == (1, "")
    assert err.strip() == "error: This wallet has no account on sepolia."

    with Wallet.open(held.path, PASSWORD) as wallet:
        (ticket,) = wallet.fiat.tickets.tickets()
    assert (ticket.event, ticket.starts, ticket.nft) == (
        "Festival",
        dt.date(2027, 7, 1),
        (held.network, held.contract.lower(), 5),
    )
