"""``coffer musig key|create|nonces|sign``: two wallets, one 2-of-2 account, PSBT files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from primitives.psbt import Psbt
from primitives.psbt_roles import combine
from primitives.tx import OutPoint
from tests.conftest import ABANDON, PASSWORD, TEST_JUNK
from tests.musig_wallets import NETWORK, account_keys, participant_key, spend_psbt
from wallet import Wallet
from wallet.cli import cli
from wallet.musig.rounds import musig_finalize


def _run(runner: CliRunner, wallet: Path, *args: str) -> str:
    result = runner.invoke(cli, ["--wallet", str(wallet), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_two_wallets_make_the_account_and_sign_through_the_cli(
    runner: CliRunner, tmp_path: Path
) -> None:
    a, b = tmp_path / "a.coffer", tmp_path / "b.coffer"
    Wallet.create(a, PASSWORD, ABANDON).close()
    Wallet.create(b, PASSWORD, TEST_JUNK).close()
    a_key = json.loads(_run(runner, a, "--json", "musig", "key", NETWORK))["key"]
    b_key = _run(runner, b, "musig", "key", NETWORK).strip()
    assert a_key == participant_key(ABANDON)
    made_a = json.loads(
        _run(runner, a, "--json", "musig", "create", NETWORK, b_key, "--after", "10")
    )
    made_b = json.loads(
        _run(
            runner,
            b,
            "--json",
            "musig",
            "create",
            NETWORK,
            a_key,
            "--after",
            "10",
            "--fallback",
            "other",
        )
    )
    assert made_a["descriptor"] == made_b["descriptor"]
    assert made_a["address"] == made_b["address"]
    keys = account_keys(ABANDON, a_key, b_key)
    base = tmp_path / "base.psbt"
    base.write_bytes(
        spend_psbt(
            keys, OutPoint(b"\x42" * 32, 0), 100_000, 0, b"\x00\x14" + bytes(20), 90_000
        ).serialize()
    )
    for who, wallet in (("a", a), ("b", b)):
        _run(runner, wallet, "musig", "nonces", str(base), "--out", str(tmp_path / f"{who}1"))
    r1 = tmp_path / "r1.psbt"
    r1.write_bytes(
        combine([Psbt.parse((tmp_path / w).read_bytes()) for w in ("a1", "b1")]).serialize()
    )
    shown = _run(runner, a, "musig", "sign", str(r1), "--yes", "--out", str(tmp_path / "a2"))
    assert "checked this transaction" in shown
    _run(runner, b, "musig", "sign", str(r1), "--yes", "--out", str(tmp_path / "b2"))
    r2 = combine([Psbt.parse((tmp_path / w).read_bytes()) for w in ("a2", "b2")])
    _done, tx = musig_finalize(r2)
    assert [len(w) for w in tx.inputs[0].witness] == [64]
    # A second round 2 on the same PSBT: refused, exit code 1, one line.
    again = runner.invoke(cli, ["--wallet", str(a), "musig", "sign", str(r1), "--yes"])
    assert again.exit_code == 1
    assert "signed" in again.output


@pytest.mark.parametrize("after", ["0", "65536"])
def test_fallback_out_of_range_is_a_usage_error(
    runner: CliRunner, tmp_path: Path, after: str
) -> None:
    a = tmp_path / "a.coffer"
    Wallet.create(a, PASSWORD, ABANDON).close()
    result = runner.invoke(
        cli,
        [
            "--wallet",
            str(a),
            "musig",
            "create",
            NETWORK,
            participant_key(TEST_JUNK),
            "--after",
            after,
        ],
    )
    assert result.exit_code == 2
