"""``coffer`` shows the review before signing, and a blind call needs the word typed (anvil).

A blind call (no clear-signing descriptor reads it) is sent through the API with its risk
accepted and left pending (automine off); ``coffer speedup`` then drafts its replacement,
which is just as blind: the review is printed, ``--yes`` does not skip the typed
confirmation, and only typing ``blind`` signs it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from chains.evm.abi import encode_call
from chains.evm.contracts import compile_contract
from chains.evm.jsonrpc import JsonRpcBackend
from chains.registry import EvmNetwork, get_network
from tests.conftest import PASSWORD
from tests.nodes.evm import AnvilDevnet, AnvilNode, anvil_binary, anvil_factory
from wallet import EvmAccount, Wallet
from wallet.cli import cli

__all__ = ["anvil_binary", "anvil_factory"]  # fixtures used from the node plugin

FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_speedup_of_a_blind_call_prints_the_review_and_needs_the_word(
    anvil_factory: Callable[..., AnvilNode], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COFFER_PASSWORD", PASSWORD)
    network = get_network("evm-local")
    assert isinstance(network, EvmNetwork)
    node = anvil_factory(31337)
    backend = JsonRpcBackend(network, [node.http_url])
    devnet = AnvilDevnet(backend)
    token = devnet.deploy_contract(
        compile_contract("DeceptiveToken").initcode(
            ("string", "string", "uint8"), ("Open", "OPEN", 0)
        )
    )
    path = tmp_path / "review.coffer"
    with Wallet.create(path, PASSWORD) as wallet:
        wallet.backends.set_servers("evm-local", [node.http_url])
        account = wallet.account("evm-local")
        assert isinstance(account, EvmAccount)
        devnet.fund(account.address, 10**18)
        backend.request("evm_setAutomine", False)
        draft = account.prepare_call(token, encode_call("mint(address,uint256)", FRIEND, 7))
        assert draft.review is not None
        assert draft.review.blind
        tx_hash = account.broadcast(wallet.sign(draft.accept_risks(blind=True)))

    args = ["--wallet", str(path), "speedup", tx_hash, "--yes"]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 1, refused.output
    assert "  Intent: BLIND - no descriptor reads this call" in refused.stderr
    assert "Simulation (eth_simulateV1):" in refused.stderr
    assert f"+7 base units of {token}" not in refused.stderr  # the mint pays FRIEND, not us
    assert f"7 base units of {token} moves from" in refused.stderr
    assert refused.stderr.strip().splitlines()[-1] == (
        "error: Not signed: the review blocks it and blind was not typed."
    )
    wrong = CliRunner().invoke(cli, args, input="yes\n")
    assert wrong.exit_code == 1

    signed = CliRunner().invoke(cli, args, input="blind\n")
    assert signed.exit_code == 0, signed.output
    assert "Sped up" in signed.stdout
    backend.request("evm_mine")
    [replacement] = [
        line.split(": ")[-1] for line in signed.stdout.splitlines() if line.startswith("Sped up")
    ]
    assert devnet.wait_for_receipt(replacement).success
    backend.close()
