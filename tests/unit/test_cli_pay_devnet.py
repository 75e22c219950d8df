"""``coffer request create`` and ``coffer pay`` end to end on the in-process Bitcoin devnet.

One wallet asks (a request, its link, its QR code as a PNG file); another pays the picture:
``pay`` shows what the link says and the signer's summary, asks, signs with the hot signer,
broadcasts. Declining sends nothing. The request turns pending, then paid once mined.
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
from chains.registry import UtxoNetwork
from chains.utxo.devnet import BitcoinDevnet
from tests.conftest import ABANDON, PASSWORD
from tests.unit.test_cli_utxo import _Outlives
from wallet import UtxoAccount, Wallet
from wallet.cli import cli
from wallet.qr import qr_png
from wallet.requests import qr_form

NET = "bitcoin-regtest"


@dataclass
class Pair:
    shop: Path
    payer: Path
    devnet: BitcoinDevnet

    def run(self, path: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, ["--wallet", str(path), *args], input=stdin)
        return result.exit_code, result.stdout, result.stderr

    def json(self, path: Path, *args: str) -> Any:
        code, out, err = self.run(path, "--json", *args)
        assert code == 0, err + out
        return json.loads(out)


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pair]:
    monkeypatch.setenv("COFFER_PASSWORD", PASSWORD)
    monkeypatch.delenv("COFFER_WALLET", raising=False)
    shop, payer = tmp_path / "shop.coffer", tmp_path / "payer.coffer"
    with Wallet.create(shop, PASSWORD) as wallet:
        wallet.account(NET)
    with Wallet.create(payer, PASSWORD, ABANDON) as wallet:
        account = wallet.account(NET)
        assert isinstance(account, UtxoAccount)
        network: UtxoNetwork = account.utxo_network
        funded = account.receive_address()
    with BitcoinDevnet() as devnet:
        devnet.mine(1, parse_address(network, funded).script_pubkey)
        devnet.mine(100)  # the reward matures
        monkeypatch.setitem(
            connect.UTXO_FACTORIES, "embedded", lambda _net, _specs, _data: _Outlives(devnet)
        )
        yield Pair(shop, payer, devnet)


def test_pay_a_request_from_its_qr_picture(pair: Pair, tmp_path: Path) -> None:
    made = pair.json(
        pair.shop,
        "request",
        "create",
        NET,
        "--amount",
        "0.125",
        "--label",
        "Cafe",
        "--message",
        "two espressos",
        "--no-qr",
    )
    picture = tmp_path / "request.png"
    picture.write_bytes(qr_png(qr_form(made["link"])))
    pair.json(pair.payer, "sync", NET)

    code, _, err = pair.run(pair.payer, "pay", str(picture), stdin="n\n")
    assert code == 1
    assert "Not sent: you declined to sign." in err
    assert pair.devnet.mempool() == ()

    code, out, err = pair.run(pair.payer, "pay", str(picture), stdin="y\n")
    assert code == 0, err
    assert "  to      Cafe" in err
    assert "  for     two espressos" in err
    assert "Sign and send it?" in err
    assert f"0.125 rBTC  {made['address']}" in err  # the signer's own summary
    txid = out.strip().removeprefix("Paid: ")
    assert txid in pair.devnet.mempool()

    pair.json(pair.shop, "sync", NET)
    [pending] = pair.json(pair.shop, "request", "list", NET)
    assert (pending["status"], pending["txids"]) == ("pending", [txid])
    pair.devnet.mine(1)
    pair.json(pair.shop, "sync", NET)
    [paid] = pair.json(pair.shop, "request", "list", "--status", "paid")
    assert (paid["id"], paid["received"]) == (made["id"], "0.125")
