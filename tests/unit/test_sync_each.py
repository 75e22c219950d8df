"""A new wallet's first sync and balance (issue 13 items 5 and 12).

``coffer sync`` tries every network and reports each; an unreachable one fails the command
only after the others were synced. A network never synced shows "not synced", not 0, and the
account column is the account number, not a database id. Real parts only: the embedded
Bitcoin regtest devnet and the embedded EVM chain answer; the unreachable server is a closed
loopback port.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ABANDON, PASSWORD
from wallet import DEFAULT_ACCOUNT_NETWORKS, Wallet
from wallet.cli import cli
from wallet.errors import BackendUnavailable

_CLOSED = "tcp://127.0.0.1:1"  # nothing listens on port 1: the connection is refused


@pytest.fixture
def three_networks(tmp_path: Path) -> Path:
    """A wallet with an unreachable network first, then two embedded ones."""
    path = tmp_path / "w.coffer"
    with Wallet.restore(path, PASSWORD, ABANDON) as wallet:
        wallet.backends.set_servers("litecoin-regtest", [_CLOSED])
        wallet.account("litecoin-regtest")
        wallet.account("litecoin-regtest", 1)
        wallet.account("bitcoin-regtest", 3)
        wallet.backends.set_servers("bitcoin-regtest", ["embedded"])
        wallet.account("evm-embedded")
    return path


def test_sync_each_goes_on_past_a_network_that_fails(three_networks: Path) -> None:
    with Wallet.open(three_networks, PASSWORD) as wallet:
        outcomes = wallet.sync_each()
    assert [(o.network, o.account_index, o.ok) for o in outcomes] == [
        ("litecoin-regtest", 0, False),
        ("litecoin-regtest", 1, False),
        ("bitcoin-regtest", 3, True),
        ("evm-embedded", 0, True),
    ]
    assert isinstance(outcomes[0].error, BackendUnavailable)
    assert outcomes[1].error is outcomes[0].error  # the network was tried once
    assert outcomes[2].report is not None


def test_cli_sync_reports_every_network_then_fails(runner: CliRunner, three_networks: Path) -> None:
    result = runner.invoke(cli, ["--wallet", str(three_networks), "--json", "sync"])
    assert result.exit_code == 1
    rows = json.loads(result.stdout)
    assert [(r["network"], r["account"], r["ok"]) for r in rows] == [
        ("litecoin-regtest", 0, False),
        ("litecoin-regtest", 1, False),
        ("bitcoin-regtest", 3, True),
        ("evm-embedded", 0, True),
    ]
    last = result.stderr.splitlines()[-1]
    assert last.startswith("error: litecoin-regtest could not be synced (litecoin-regtest: ")
    assert "127.0.0.1:1" in last
    assert last.endswith("; 2 of 4 accounts were.")
    # What was synced is kept; what was not says so.
    result = runner.invoke(cli, ["--wallet", str(three_networks), "--json", "balance"])
    assert result.exit_code == 0, result.stderr
    shown = {(r["network"], r["account"]): r for r in json.loads(result.stdout)}
    assert shown["bitcoin-regtest", 3]["synced"] is True
    assert shown["bitcoin-regtest", 3]["total"] == "0"
    assert shown["litecoin-regtest", 1]["synced"] is False
    assert shown["litecoin-regtest", 1]["total"] is None
    result = runner.invoke(cli, ["--wallet", str(three_networks), "balance"])
    assert "not synced (rLTC)" in result.stdout


def test_a_new_wallet_has_the_usual_accounts_not_synced(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "w.coffer"
    result = runner.invoke(cli, ["--wallet", str(path), "restore"], input=ABANDON + "\n")
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(cli, ["--wallet", str(path), "--json", "accounts"])
    rows = json.loads(result.stdout)
    assert [(r["network"], r["index"]) for r in rows] == [(n, 0) for n in DEFAULT_ACCOUNT_NETWORKS]
    result = runner.invoke(cli, ["--wallet", str(path), "--json", "balance"])
    rows = json.loads(result.stdout)
    assert [(r["network"], r["account"], r["synced"]) for r in rows] == [
        (n, 0, False) for n in DEFAULT_ACCOUNT_NETWORKS
    ]
    result = runner.invoke(cli, ["--wallet", str(path), "balance"])
    assert "not synced (BTC)" in result.stdout
    assert "0 BTC" not in result.stdout
