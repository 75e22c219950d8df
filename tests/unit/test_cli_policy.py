"""``coffer policy``, ``multisig`` and ``recovery``: JSON output, and one-line refusals.

Two wallet files (the owner's and the heir's) share one in-process Bitcoin devnet as their
``embedded`` server, as in test_cli_utxo.py. Spending that needs signatures of a policy is
tested against litecoind (tests/integration/test_recovery_litecoind.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chains import connect
from chains.addresses import parse_address
from chains.registry import get_network
from chains.utxo.devnet import BitcoinDevnet
from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.cli import cli

NET = "bitcoin-regtest"
HEIR_WORDS = "legal winner thank year wave sausage worth useful legal winner thank yellow"
THIRD_WORDS = "letter advice cage absurd amount doctor acoustic avoid letter advice cage above"
EXTERNAL = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"


class _Outlives:
    def __init__(self, devnet: BitcoinDevnet) -> None:
        self._devnet = devnet

    def __getattr__(self, name: str) -> Any:
        return getattr(self._devnet, name)

    def close(self) -> None:
        """A wallet closing its connection does not stop the node."""


@dataclass
class Env:
    owner: Path
    heir: Path
    third: Path
    devnet: BitcoinDevnet
    tmp: Path

    def run(self, wallet: Path, *args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, ["--wallet", str(wallet), *args])
        return result.exit_code, result.stdout, result.stderr

    def json(self, wallet: Path, *args: str) -> Any:
        code, out, err = self.run(wallet, "--json", *args)
        assert code == 0, err + out
        return json.loads(out)

    def error(self, wallet: Path, *args: str, code: int = 1) -> str:
        got, out, err = self.run(wallet, *args)
        assert got == code, out + err
        assert err.startswith("error: ")
        assert err.count("\n") == 1
        return err


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    monkeypatch.setenv("COFFER_PASSWORD", PASSWORD)
    monkeypatch.delenv("COFFER_WALLET", raising=False)
    paths = [tmp_path / f"{name}.coffer" for name in ("owner", "heir", "third")]
    for path, words in zip(paths, (ABANDON, HEIR_WORDS, THIRD_WORDS), strict=True):
        Wallet.create(path, PASSWORD, words).close()
    with BitcoinDevnet() as devnet:
        devnet.mine(101)
        monkeypatch.setitem(
            connect.UTXO_FACTORIES, "embedded", lambda _net, _specs, _data: _Outlives(devnet)
        )
        yield Env(*paths, devnet, tmp_path)


def _recovery(env: Env, *extra: str) -> dict[str, Any]:
    heir_key = env.json(env.heir, "policy", "key", NET)["key"]
    return env.json(
        env.owner, "recovery", "create", NET, "--heir", heir_key, "--after", "10", *extra
    )


def test_recovery_create_show_export_import_and_status(env: Env) -> None:
    made = _recovery(env, "--label", "for Alice")
    assert made["label"] == "for Alice"
    assert made["descriptor"].startswith("wsh(or_d(pk([")
    assert [p["name"] for p in made["paths"]] == ["owner", "recovery"]
    assert made["paths"][1]["older_blocks"] == 10
    assert "after 10 blocks" in made["paths"][1]["description"]
    shown = env.json(env.owner, "policy", "show", NET)
    assert shown["descriptor"] == made["descriptor"]
    exported = env.tmp / "recovery.txt"
    env.json(env.owner, "policy", "export", NET, "--out", str(exported))
    theirs = env.json(env.heir, "policy", "import", NET, str(exported))
    assert theirs["receive_address"] == made["receive_address"]
    assert env.json(env.heir, "policy", "verify", NET, str(exported))["same_policy"]
    env.devnet.fund(
        parse_address(get_network(NET), made["receive_address"]).script_pubkey, 1_000_000
    )
    env.devnet.mine(3)
    status = env.json(env.owner, "recovery", "status", NET)
    assert status["after_blocks"] == 10
    (coin,) = status["coins"]
    assert (coin["confirmations"], coin["blocks_left"], coin["warning"]) == (3, 7, False)
    assert coin["days_left"] == round(7 * 600 / 86400, 2)
    code, out, err = env.run(env.owner, "recovery", "status", NET, "--no-sync")
    assert code == 0, err
    assert "opens in 7 blocks" in out
    # the heir's spend is refused before anything is signed: the coin is 3 blocks old
    env.json(env.heir, "sync", NET)
    err = env.error(
        env.heir, "send", NET, "--kind", "policy", "--path", "recovery",
        "--to", EXTERNAL, "--amount", "0.001", "--yes",
    )  # fmt: skip
    assert "No coin is old enough for the recovery path" in err
    err = env.error(
        env.heir, "send", NET, "--kind", "policy", "--path", "heir",
        "--to", EXTERNAL, "--amount", "0.001", "--yes",
    )  # fmt: skip
    assert "no 'heir' spending path; it has owner, recovery" in err


def test_taproot_recovery_and_multisig(env: Env) -> None:
    made = _recovery(env, "--taproot")
    assert made["descriptor"].startswith("tr([")
    assert made["paths"][0]["key_path"] is True
    keys = [env.json(w, "policy", "key", NET)["key"] for w in (env.owner, env.heir, env.third)]
    args = [a for k in keys for a in ("--cosigner", k)]
    multi = env.json(env.owner, "multisig", "create", NET, "2", *args)
    assert multi["kind"].startswith("2-of-3")
    assert multi["account"] == 1  # the second policy account of the wallet
    shown = env.json(env.owner, "policy", "show", NET, "--account", "1")
    assert shown["threshold"] == 2
    coldcard = env.json(
        env.owner, "policy", "export", NET, "--account", "1", "--format", "coldcard"
    )
    assert "Policy: 2 of 3" in coldcard["text"]


def test_refusals_are_one_line(env: Env) -> None:
    heir_key = env.json(env.heir, "policy", "key", NET)["key"]
    err = env.error(env.owner, "recovery", "create", NET, "--heir", heir_key, "--after", "0")
    assert "1 to 65535 blocks" in err
    err = env.error(env.owner, "recovery", "create", NET, "--heir", heir_key, "--after", "65536")
    assert "16 bits" in err
    mainnet_key = env.json(env.heir, "policy", "key", "bitcoin")["key"]
    err = env.error(env.owner, "recovery", "create", NET, "--heir", mainnet_key, "--after", "9")
    assert "another network" in err
    own = env.json(env.owner, "policy", "key", NET)["key"]
    desc = f"wsh(pk({own}/<0;1>/*))#qqqqqqqq"
    assert "checksum" in env.error(env.owner, "policy", "create", NET, desc)
    insane = f"wsh(or_d(pk({own}/<0;1>/*),older(10)))"  # no signature after 10 blocks
    assert "cannot be used" in env.error(env.owner, "policy", "create", NET, insane)
    missing = env.tmp / "nothing.txt"
    assert "Cannot read" in env.error(env.owner, "policy", "import", NET, str(missing))
    assert "no policy account 0" in env.error(env.owner, "recovery", "status", NET, "--no-sync")
    _recovery(env)
    other = env.tmp / "other.txt"
    keys = [own, heir_key, env.json(env.third, "policy", "key", NET)["key"]]
    multi = env.json(
        env.third, "multisig", "create", NET, "2", *[a for k in keys for a in ("--cosigner", k)]
    )
    other.write_text(multi["descriptor"], encoding="utf-8")
    assert "another policy" in env.error(env.owner, "policy", "verify", NET, str(other))
    err = env.error(
        env.owner,
        "send",
        "ethereum",
        "--to",
        "0x" + "11" * 20,
        "--amount",
        "1",
        "--path",
        "recovery",
    )
    assert "--path is UTXO" in err
    code, out, _ = env.run(
        env.owner, "--json", "recovery", "create", NET, "--heir", "x", "--after", "5"
    )
    assert code == 1
    assert json.loads(out)["error"]["type"] == "InvalidPolicy"


def test_help_texts_name_the_commands(env: Env) -> None:
    for group in ("policy", "multisig", "recovery"):
        code, out, _ = env.run(env.owner, group, "--help")
        assert code == 0
        assert "Exit codes" in out
    code, out, _ = env.run(env.owner, "send", "--help")
    assert "--path" in out


def test_refresh_and_the_heirs_send(env: Env) -> None:
    made = _recovery(env)
    exported = env.tmp / "recovery.txt"
    env.json(env.owner, "policy", "export", NET, "--out", str(exported))
    env.json(env.heir, "policy", "import", NET, str(exported))
    script = parse_address(get_network(NET), made["receive_address"]).script_pubkey
    env.devnet.fund(script, 1_000_000)
    env.devnet.mine(9)
    code, out, err = env.run(
        env.owner, "--json", "recovery", "refresh", NET, "--fee-rate", "2", "--yes"
    )
    assert code == 0, err
    refreshed = json.loads(out)
    assert len(refreshed["coins"]) == 1
    assert refreshed["txid"] in env.devnet.mempool()
    env.devnet.mine(1)
    (coin,) = env.json(env.owner, "recovery", "status", NET)["coins"]
    assert (coin["confirmations"], coin["blocks_left"]) == (1, 9)
    env.devnet.mine(9)
    env.json(env.heir, "sync", NET)
    code, out, err = env.run(
        env.heir, "--json", "send", NET, "--kind", "policy", "--path", "recovery",
        "--to", EXTERNAL, "--amount", "0.001", "--fee-rate", "2", "--yes",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["txid"] in env.devnet.mempool()
