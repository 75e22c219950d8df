"""The embedded devnets from the command line: state kept between processes, and refusals.

Each ``coffer`` call here runs in a process of its own (``wallet_processes.coffer``), as a
person's commands do: what one mines or funds, the next must find (issue 13, items 3 and 4).
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chains.devnet_storage import CHAIN_FILE
from tests.conftest import ABANDON, PASSWORD
from tests.integration.wallet_processes import ROOT, child_env, coffer
from wallet import DevnetStatus, Wallet
from wallet.errors import (
    DustOutput,
    FloatAmountError,
    InsufficientFunds,
    InvalidAddress,
    NetworkMismatch,
    NotADevnet,
    UnknownNetwork,
)

CLI = "from wallet.cli import main; main()"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    wallet_path = tmp_path / "devnet.coffer"
    Wallet.create(wallet_path, PASSWORD, ABANDON).close()
    return wallet_path


def _json(path: Path, *args: str) -> Any:
    done = coffer(path, "--json", *args, password=PASSWORD)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def _refused(path: Path, *args: str) -> str:
    done = coffer(path, *args, password=PASSWORD)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # one line, no traceback
    assert lines[0].startswith("error: ")
    return lines[0]


def _balance(path: Path, network: str) -> dict[str, Any]:
    rows = [r for r in _json(path, "balance", network) if r["token"] is None]
    assert len(rows) == 1
    return dict(rows[0])


@pytest.mark.parametrize(
    ("network", "amount", "symbol"),
    [("evm-embedded", "2.5", "ETH"), ("bitcoin-regtest", "1.25", "rBTC")],
    ids=["evm", "bitcoin"],
)
def test_fund_then_a_new_process_syncs_and_sees_it(
    path: Path, network: str, amount: str, symbol: str
) -> None:
    funded = _json(path, "devnet", "fund", network, amount)
    assert funded["network"] == network
    assert Decimal(funded["amount"]) == Decimal(amount)

    synced = _json(path, "sync", network)  # a new process, a chain replayed from disk
    assert synced[0]["new"] == 1
    assert synced[0]["warnings"] == []
    assert Decimal(_balance(path, network)["confirmed"]) == Decimal(amount)

    again = _json(path, "sync", network)  # and once more: nothing reorganised away
    assert again[0]["warnings"] == []
    assert again[0]["tip"] == synced[0]["tip"] == funded["height"]
    assert Decimal(_balance(path, network)["total"]) == Decimal(amount)
    assert symbol in _balance(path, network)["display"]

    status = _json(path, "devnet", "status", network)
    assert status[0]["height"] == funded["height"]
    assert status[0]["mempool"] == 0
    assert status[0]["folder"] == str(path.with_name(path.name + ".d") / network)


def test_mine_to_an_account_then_status_and_reset(path: Path) -> None:
    mined = _json(path, "devnet", "mine", "101", "--account", "0")
    assert mined["mined"] == 101
    assert mined["height"] == 101
    assert _json(path, "sync", "bitcoin-regtest")[0]["tip"] == 101
    assert Decimal(_balance(path, "bitcoin-regtest")["total"]) == 101 * Decimal(50)

    evm = _json(path, "devnet", "mine", "3", "--network", "evm-embedded")
    assert evm["height"] == 3
    heights = {r["network"]: r["height"] for r in _json(path, "devnet", "status")}
    assert heights == {"bitcoin-regtest": 101, "evm-embedded": 3}

    folder = path.with_name(path.name + ".d") / "bitcoin-regtest"
    env = child_env()
    env["COFFER_PASSWORD"] = PASSWORD
    declined = subprocess.run(
        [sys.executable, "-c", CLI, "--wallet", str(path), "devnet", "reset", "bitcoin-regtest"],
        input="n\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert declined.returncode == 1
    assert f"Remove the bitcoin-regtest devnet's chain in {folder}?" in declined.stderr
    assert declined.stderr.strip().endswith("error: Nothing was removed.")
    assert (folder / CHAIN_FILE).exists()

    done = _json(path, "devnet", "reset", "bitcoin-regtest", "--yes")
    assert done == {"network": "bitcoin-regtest", "removed": True, "folder": str(folder)}
    assert not folder.exists()
    heights = {r["network"]: r["height"] for r in _json(path, "devnet", "status")}
    assert heights == {"bitcoin-regtest": 0, "evm-embedded": 3}


def test_bad_input_is_one_line_and_changes_nothing(path: Path) -> None:
    _json(path, "devnet", "fund", "evm-embedded", "1")
    chain_file = path.with_name(path.name + ".d") / "evm-embedded" / CHAIN_FILE
    before = chain_file.read_bytes()
    for args, words in [
        (("devnet", "fund", "bitcoin", "1"), "bitcoin is not an embedded devnet"),
        (("devnet", "mine", "1", "--network", "ethereum"), "ethereum is not an embedded devnet"),
        (("devnet", "reset", "litecoin-regtest", "--yes"), "not an embedded devnet"),
        (("devnet", "status", "nosuchnet"), "nosuchnet"),
        (("devnet", "fund", "evm-embedded", "-1"), "amount"),
        (("devnet", "fund", "evm-embedded", "lots"), "amount"),
        (("devnet", "fund", "evm-embedded", "0.0000000000000000001"), "decimal"),
        (("devnet", "mine", "many", "--network", "evm-embedded"), "not a number of blocks"),
        (("devnet", "mine", "0", "--network", "evm-embedded"), "1 to 10,000"),
        (("devnet", "mine", "-1", "--network", "evm-embedded"), "1 to 10,000"),
        (("devnet", "mine", "1", "--network", "evm-embedded", "--to", "0x01"), "no reward"),
        (("devnet", "mine", "1", "--to", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"), "Bitcoin"),
    ]:
        assert words.lower() in _refused(path, *args).lower(), args
    assert chain_file.read_bytes() == before
    assert not (path.with_name(path.name + ".d") / "bitcoin").exists()


def test_the_api_refuses_other_networks_with_a_typed_error(path: Path) -> None:
    with Wallet.open(path, PASSWORD) as wallet:
        for network in ("bitcoin", "ethereum", "evm-local", "litecoin-regtest"):
            with pytest.raises(NotADevnet) as info:
                wallet.devnet(network)
            assert info.value.network == network
            assert network in str(info.value)
        with pytest.raises(UnknownNetwork):
            wallet.devnet("nosuchnet")
        wallet.backends.set_servers("evm-embedded", ["http://127.0.0.1:9"])
        with pytest.raises(NotADevnet):
            wallet.devnet("evm-embedded")  # configured away from the embedded server


def test_the_api_across_two_opens(path: Path) -> None:
    with Wallet.open(path, PASSWORD) as wallet:
        evm = wallet.devnet("evm-embedded")
        me = wallet.account("evm-embedded").receive_address()
        paid = evm.fund(me, Decimal("0.75"))
        assert paid.blocks_mined == 1
        with pytest.raises(InvalidAddress):
            evm.fund("0x1234", 1)
        with pytest.raises(FloatAmountError):
            evm.fund(me, 0.5)  # type: ignore[arg-type]  # a float, refused
        btc = wallet.devnet("bitcoin-regtest")
        mine = wallet.account("bitcoin-regtest").receive_address()
        with pytest.raises(InsufficientFunds, match="mine more blocks"):
            btc.fund(mine, Decimal(1000))
        with pytest.raises(DustOutput):
            btc.fund(mine, 100)  # satoshis: below the dust limit
        with pytest.raises(NetworkMismatch):
            btc.fund("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", 1000)
        assert btc.status().height == 0  # each refused before mining anything
        paid_btc = btc.fund(wallet.account("bitcoin-regtest").receive_address(), "0.5")
        assert paid_btc.blocks_mined == 102  # 101 to make a faucet coin spendable, 1 to confirm
    with Wallet.open(path, PASSWORD) as wallet:
        status = wallet.devnet("evm-embedded").status()
        assert isinstance(status, DevnetStatus)
        assert status.height == 1
        wallet.sync()
        assert wallet.account("evm-embedded").balance().confirmed == 75 * 10**16
        assert wallet.account("bitcoin-regtest").balance().confirmed == 50_000_000
