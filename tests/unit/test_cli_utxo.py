"""The UTXO commands of ``coffer``: send, bump (RBF and CPFP), utxos, one-line errors.

The wallet's ``bitcoin-regtest`` server is its default, ``embedded``: the in-process Bitcoin
devnet. A real node outlives the wallets that connect to it, while the wallet closes its
embedded devnet with itself (and the devnet keeps no mempool across restarts), so the tests
point the ``embedded`` factory at one live devnet for the whole test; every call reaches it
unchanged, and only the wallet's ``close`` is not passed on.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chains import connect
from chains.addresses import parse_address
from chains.registry import UtxoNetwork
from chains.utxo.devnet import BitcoinDevnet
from tests.conftest import ABANDON, PASSWORD
from wallet import UtxoAccount, Wallet
from wallet.amounts import format_amount
from wallet.cli import cli

NET = "bitcoin-regtest"
EXTERNAL = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
REWARD = 5_000_000_000  # the regtest block subsidy below height 150


class _Outlives:
    """The test's devnet as the wallet's embedded server; the wallet's close leaves it running."""

    def __init__(self, devnet: BitcoinDevnet) -> None:
        self._devnet = devnet

    def __getattr__(self, name: str) -> Any:
        return getattr(self._devnet, name)

    def close(self) -> None:
        """A wallet closing its connection does not stop the node."""


@dataclass
class Env:
    path: Path
    devnet: BitcoinDevnet
    receive: list[str]

    def run(self, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, ["--wallet", str(self.path), *args], input=stdin)
        return result.exit_code, result.stdout, result.stderr

    def json(self, *args: str) -> Any:
        code, out, err = self.run("--json", *args)
        assert code == 0, err + out
        return json.loads(out)

    def error(self, *args: str) -> str:
        code, out, err = self.run(*args)
        assert code == 1, out
        assert err.startswith("error: ")
        assert err.count("\n") == 1
        return err

    def account(self) -> tuple[Wallet, UtxoAccount]:
        wallet = Wallet.open(self.path, PASSWORD)
        wallet.backends.use(NET, self.devnet)
        account = wallet.account(NET)
        assert isinstance(account, UtxoAccount)
        return wallet, account


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    monkeypatch.setenv("COFFER_PASSWORD", PASSWORD)
    monkeypatch.delenv("COFFER_WALLET", raising=False)
    path = tmp_path / "w.coffer"
    with Wallet.create(path, PASSWORD, ABANDON) as wallet:
        account = wallet.account(NET)
        assert isinstance(account, UtxoAccount)
        network: UtxoNetwork = account.utxo_network
        receive = [a.address for a in account.addresses(3)]
    with BitcoinDevnet() as devnet:
        for address in receive[:2]:
            devnet.mine(1, parse_address(network, address).script_pubkey)
        devnet.mine(100)  # both rewards mature
        monkeypatch.setitem(
            connect.UTXO_FACTORIES, "embedded", lambda _net, _specs, _data: _Outlives(devnet)
        )
        yield Env(path, devnet, receive)


def test_sync_utxos_send_and_history(env: Env) -> None:
    assert env.json("sync", NET)[0]["tip"] == 102
    coins = env.json("utxos", NET)
    assert [(c["amount"], c["chain"], c["frozen"]) for c in coins] == [
        ("50", "receive", False),
        ("50", "receive", False),
    ]
    assert sorted(c["confirmations"] for c in coins) == [101, 102]
    code, out, err = env.run(
        "--json", "send", NET, "--to", EXTERNAL, "--amount", "1.5",
        "--to", env.receive[2], "--amount", "0.25", "--yes",
    )  # fmt: skip
    assert code == 0, err
    txid = json.loads(out)["txid"]
    assert "The signer checked this transaction:" in err
    assert f"1.5 rBTC  {EXTERNAL}" in err
    assert "replaceable (BIP-125)" in err
    assert txid in env.devnet.mempool()
    (row,) = [r for r in env.json("balance", NET) if r["network"] == NET]
    assert row["confirmed"] == "100"
    history = env.json("history", NET)
    assert (history[0]["txid"], history[0]["status"]) == (txid, "pending")
    assert history[0]["replaceable"] is True
    fee = history[0]["fee"]
    assert Decimal(history[0]["amount"]) == -(Decimal("1.5") + Decimal(fee).scaleb(-8))
    env.devnet.mine(1)
    env.json("sync", NET)
    history = env.json("history", NET)
    assert (history[0]["status"], history[0]["confirmations"]) == ("confirmed", 1)
    tip = env.devnet.tip().height
    block_time = int.from_bytes(env.devnet.raw_block(tip)[68:72], "little")
    assert history[0]["timestamp"] == block_time
    shown = dt.datetime.fromtimestamp(block_time, dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    assert shown in env.run("history", NET)[1]
    table = env.run("utxos", NET)[1]
    assert "0.25 rBTC" in table


def test_freeze_and_send_max_of_a_named_coin(env: Env) -> None:
    env.json("sync", NET)
    first, second = (c["outpoint"] for c in env.json("utxos", NET))
    frozen = env.json("utxos", NET, "--freeze", first)
    assert {c["outpoint"]: c["frozen"] for c in frozen} == {first: True, second: False}
    err = env.error("send", NET, "--to", EXTERNAL, "--amount", "60", "--yes")
    assert "frozen coins" in err
    sent = env.json("send", NET, "--to", EXTERNAL, "--max", "--utxo", first, "--yes")
    wallet, account = env.account()
    with wallet:
        (entry,) = [e for e in account.history() if e.txid == sent["txid"]]
        assert entry.amount == -REWARD
        assert [c.outpoint for c in account.coins()] == [second]
    thawed = env.json("utxos", NET, "--unfreeze", first)
    assert all(not c["frozen"] for c in thawed)
    assert {c["outpoint"]: c["spent_pending"] for c in thawed}[first] is True
    err = env.error("utxos", NET, "--freeze", "ab" * 32 + ":5")
    assert "not an unspent coin" in err
    assert all(not c["frozen"] for c in env.json("utxos", NET))  # nothing was changed


def test_bump_replaces_or_pays_with_a_child(env: Env) -> None:
    env.json("sync", NET)
    sent = env.json("send", NET, "--to", EXTERNAL, "--amount", "1", "--fee-rate", "2", "--yes")
    bumped = env.json("bump", sent["txid"], "--fee-rate", "10", "--yes")
    assert (bumped["method"], bumped["bumped"]) == ("rbf", sent["txid"])
    mempool = env.devnet.mempool()
    assert bumped["txid"] in mempool
    assert sent["txid"] not in mempool
    statuses = {h["txid"]: h["status"] for h in env.json("history", NET)}
    assert (statuses[sent["txid"]], statuses[bumped["txid"]]) == ("replaced", "pending")
    final = env.json(
        "send", NET, "--to", EXTERNAL, "--amount", "2", "--no-rbf", "--fee-rate", "1", "--yes"
    )
    child = env.json("bump", final["txid"], "--fee-rate", "15", "--allow-high-fee", "--yes")
    assert (child["method"], child["bumped"]) == ("cpfp", final["txid"])
    assert {final["txid"], child["txid"]} <= set(env.devnet.mempool())
    by_choice = env.json("bump", bumped["txid"], "--cpfp", "--fee-rate", "20", "--yes")
    assert by_choice["method"] == "cpfp"
    env.devnet.mine(1)
    env.json("sync", NET)
    statuses = {h["txid"]: h["status"] for h in env.json("history", NET)}
    for txid in (bumped["txid"], final["txid"], child["txid"], by_choice["txid"]):
        assert statuses[txid] == "confirmed"
    assert "already confirmed" in env.error("bump", final["txid"], "--yes")


def test_declining_sends_nothing(env: Env) -> None:
    env.json("sync", NET)
    before = env.json("history", NET)
    code, _, err = env.run("send", NET, "--to", EXTERNAL, "--amount", "1", stdin="n\n")
    assert code == 1
    assert "error: Not sent: you declined to sign." in err
    assert env.json("history", NET) == before
    assert env.devnet.mempool() == ()


def test_errors_are_one_line(env: Env) -> None:
    env.json("sync", NET)
    send = ("send", NET, "--to", EXTERNAL, "--yes")
    assert "8 decimal places" in env.error(*send, "--amount", "0.000000001")
    assert "dust limit" in env.error(*send, "--amount", "0.000001", "--allow-high-fee")
    assert "Not enough rBTC" in env.error(*send, "--amount", "101")
    assert "times the fast estimate" in env.error(*send, "--amount", "1", "--fee-rate", "900")
    assert "minimum relay fee" in env.error(*send, "--amount", "1", "--fee-rate", "0.5")
    assert "not a number" in env.error(*send, "--amount", "1", "--fee-rate", "fast")
    assert "EVM" in env.error(*send, "--amount", "1", "--token", "USDC")
    mainnet = ("send", NET, "--to", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "--amount", "1")
    assert "Bitcoin" in env.error(*mainnet, "--yes")
    code, out, _ = env.run("--json", *mainnet, "--yes")
    assert code == 1
    assert json.loads(out)["error"]["type"] == "NetworkMismatch"
    assert "is not a coin" in env.error(*send, "--amount", "1", "--utxo", "nope")
    assert "EVM network" in env.error("utxos", "ethereum")
    assert "64 hex digits" in env.error("bump", "xyz")
    assert "No UTXO account" in env.error("bump", "ab" * 32)
    assert env.devnet.mempool() == ()
    code, out, err = env.run(*send, "--amount", "1", "--fee-rate", "900", "--allow-high-fee")
    assert code == 0, err


def test_servers_per_network_reach_the_utxo_backends(env: Env) -> None:
    assert env.json("servers", NET) == {"network": NET, "servers": ["embedded"]}
    env.json("servers", NET, "--set", "tcp://127.0.0.1:1")
    assert "127.0.0.1:1" in env.error("sync", NET)
    env.json("servers", NET, "--set", "core://127.0.0.1:1")
    assert "needs the RPC user and password" in env.error("sync", NET)
    env.json("servers", NET, "--reset")
    assert env.json("sync", NET)[0]["tip"] == 102


def test_reviews_say_the_rate_the_change_and_what_a_bump_replaces(env: Env) -> None:
    # Issue 13 item 14: the fee rate the signer works out, the change it proved, what a
    # bump replaces and the rate it uses when BIP-125 raises the one asked for; replaced
    # transactions leave the top of the history.
    env.json("sync", NET)
    code, out, err = env.run(
        "--json", "send", NET, "--to", EXTERNAL, "--amount", "1", "--fee-rate", "2", "--yes"
    )
    assert code == 0, err
    sent = json.loads(out)["txid"]
    wallet, account = env.account()
    with wallet:
        (entry,) = [e for e in account.history() if e.txid == sent]
        assert entry.fee is not None
        change = [c for c in account.view().coins(include_spent_pending=True) if c.chain == 1]
    vsize = entry.fee // 2
    assert f"(2.00 sat/vB, {vsize} vB signed)" in err
    (change_coin,) = change
    assert f"change  {format_amount(change_coin.value, 8, 'rBTC'):>28}  " in err
    assert f"send    {'1 rBTC':>28}  {EXTERNAL}" in err
    code, out, err = env.run("--json", "bump", sent, "--fee-rate", "2.5", "--yes")
    assert code == 0, err
    bumped = json.loads(out)
    assert f"Replaces {sent} (BIP-125) at {bumped['fee_rate']} sat/vB" in err
    assert "raised from the 2.5 sat/vB asked: the least a replacement must pay." in err
    assert Decimal(bumped["fee_rate"]) > Decimal("2.5")
    history = env.json("history", NET)
    assert history[0]["txid"] == bumped["txid"]
    assert (history[-1]["txid"], history[-1]["status"]) == (sent, "replaced")


def test_utxos_marks_immature_rewards_and_a_high_fee_names_the_flag(env: Env) -> None:
    network = env.account()[1].utxo_network
    env.devnet.mine(1, parse_address(network, env.receive[2]).script_pubkey)
    env.json("sync", NET)
    coins = {c["address"]: c for c in env.json("utxos", NET)}
    assert coins[env.receive[2]]["immature"] is True
    assert coins[env.receive[0]]["immature"] is False
    assert env.run("utxos", NET)[1].count("immature") == 1  # the young reward's flags
    err = env.error("send", NET, "--to", EXTERNAL, "--amount", "1", "--fee-rate", "900", "--yes")
    assert err.rstrip().endswith("Pass --allow-high-fee to accept it.")


def test_send_shows_the_mempool_check_before_sending(env: Env) -> None:
    env.json("sync", NET)
    code, out, err = env.run(
        "send", NET, "--to", EXTERNAL, "--amount", "1", "--fee-rate", "2", "--yes"
    )
    assert code == 0, err
    [line] = [x for x in err.splitlines() if x.startswith("Mempool check")]
    assert line.startswith("Mempool check (testmempoolaccept): the node would accept it (")
    assert out.strip().split()[-1] in env.devnet.mempool()
