"""The EVM commands of ``coffer`` that need no node: token lists, the explorer key, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.cli import cli

KEY = "MYEXPLORERKEY0123456789"


@pytest.fixture
def wallet_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COFFER_PASSWORD", PASSWORD)
    monkeypatch.delenv("COFFER_WALLET", raising=False)
    path = tmp_path / "w.coffer"
    Wallet.create(path, PASSWORD, ABANDON).close()
    return path


def run(path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--wallet", str(path), *args])
    return result.exit_code, result.stdout, result.stderr


def test_tokens_list_shows_the_bundled_list(wallet_file: Path) -> None:
    code, out, err = run(wallet_file, "--json", "tokens", "list", "ethereum", "--all")
    assert code == 0, err
    rows = {r["symbol"]: r for r in json.loads(out)}
    usdc = rows["USDC"]
    assert (usdc["contract"], usdc["decimals"], usdc["custom"]) == (
        "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48",
        6,
        False,
    )
    assert usdc["logo_uri"]
    assert usdc["balance"] is None  # never synced
    code, out, _ = run(wallet_file, "--json", "tokens", "list", "ethereum")
    assert json.loads(out) == []  # by default only what the account holds or added
    code, _, err = run(wallet_file, "tokens", "list", "bitcoin")
    assert code == 1
    assert "not an EVM network" in err


def test_explorer_key_is_stored_and_never_printed(wallet_file: Path) -> None:
    code, out, err = run(wallet_file, "--json", "explorer-key", "ethereum", KEY)
    assert code == 0, err
    assert json.loads(out) == {
        "network": "ethereum",
        "key_set": True,
        "url": "https://api.etherscan.io/v2/api",
    }
    assert KEY not in out + err
    code, out, _ = run(wallet_file, "explorer-key", "ethereum")
    assert "API key set" in out
    assert KEY not in out
    code, out, _ = run(wallet_file, "--json", "explorer-key", "ethereum", "--clear")
    assert json.loads(out)["key_set"] is False
    code, _, err = run(wallet_file, "explorer-key", "ethereum", "two words")
    assert code == 1
    code, _, err = run(wallet_file, "explorer-key", "ethereum", "--url", "ftp://x")
    assert code == 1
    assert "http" in err
    assert KEY.encode() not in wallet_file.read_bytes()  # encrypted at rest


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--to", "0x" + "11" * 20, "--to", "0x" + "22" * 20, "--amount", "1", "--amount", "2"),
            "one recipient",
        ),
        (("--to", "0x" + "11" * 20, "--nft", "nonsense"), "CONTRACT:TOKEN_ID"),
        (("--to", "0x" + "11" * 20, "--amount", "1", "--utxo", "ab:0"), "coin control"),
        (("--to", "0x" + "11" * 20, "--max", "--token", "USDC"), "own coin"),
        (("--to", "0x" + "11" * 20, "--amount", "1", "--fee-rate", "0.0000000001"), "gwei"),
    ],
    ids=["two-recipients", "bad-nft", "utxo", "max-token", "fee-rate-decimals"],
)
def test_send_refuses_options_evm_cannot_use(
    wallet_file: Path, args: tuple[str, ...], message: str
) -> None:
    code, _, err = run(wallet_file, "send", "ethereum", *args, "--yes")
    assert code == 1
    assert message in err
    assert err.count("\n") == 1


def test_replacing_an_unknown_transaction_and_empty_lists(wallet_file: Path) -> None:
    code, _, err = run(wallet_file, "speedup", "0x" + "ab" * 32, "--yes")
    assert code == 1
    assert "no transaction" in err
    code, _, err = run(wallet_file, "cancel", "0x" + "ab" * 32, "--yes")
    assert code == 1
    code, out, _ = run(wallet_file, "--json", "nfts", "ethereum")
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = run(wallet_file, "--json", "balance", "ethereum")
    assert code == 0
    # The account exists now (nfts derived it); never synced, its balance is not known yet.
    assert [(r["symbol"], r["display"]) for r in json.loads(out)] == [("ETH", "not synced (ETH)")]
