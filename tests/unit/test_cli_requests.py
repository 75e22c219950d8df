"""``coffer request create|list`` and ``coffer pay``: output, refusals, nothing changed on disk.

Paying for real (signing, broadcasting) is in the node-backed tests; here every ``pay`` is
refused before anything is sent or stored.
"""

from __future__ import annotations

import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from tests.conftest import ABANDON, PASSWORD
from tests.price_replay import ReplayServer
from tests.unit.test_prices import make_market
from wallet import Wallet
from wallet.cli import cli
from wallet.errors import InvalidAmount
from wallet.qr import qr_png
from wallet.requests import fx_quote, read_link_image

BTC = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"


@pytest.fixture
def wallet_file(tmp_path: Path) -> Path:
    path = tmp_path / "w.coffer"
    with Wallet.restore(path, PASSWORD, ABANDON) as wallet:
        wallet.account("bitcoin")
        wallet.account("ethereum")
    return path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(
    runner: CliRunner, wallet: Path, *args: str, stdin: str | None = None
) -> tuple[int, str, str]:
    result = runner.invoke(cli, ["--wallet", str(wallet), *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def _error(err: str) -> str:
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, err
    assert "Traceback" not in err
    return errors[0]


def test_create_and_list(runner: CliRunner, wallet_file: Path) -> None:
    code, out, _ = _run(
        runner,
        wallet_file,
        "request",
        "create",
        "btc",
        "--amount",
        "0.001",
        "--label",
        "Ann",
        "--message",
        "lunch",
        "--expires",
        "1h",
    )
    assert code == 0
    lines = out.splitlines()
    link = next(line for line in lines if line.startswith("bitcoin:"))
    assert "amount=0.001&label=Ann&message=lunch&time=" in link
    assert "\u2588" in out  # the QR code
    assert any(line.startswith("Request 1: 0.001 BTC to bc1q") for line in lines)
    code, out, _ = _run(
        runner, wallet_file, "request", "create", "eth", "--amount", "0.5", "--no-qr", "--json"
    )
    assert code == 0
    made = json.loads(out)
    assert made["link"].endswith("@1?value=0.5e18")
    assert made["status"] == "unpaid"
    code, out, _ = _run(runner, wallet_file, "request", "list", "--json")
    assert [r["id"] for r in json.loads(out)] == [2, 1]
    code, out, _ = _run(runner, wallet_file, "request", "list", "bitcoin", "--status", "paid")
    assert (code, out.strip()) == (0, "No payment requests with that status.")
    code, out, _ = _run(runner, wallet_file, "--wide", "request", "list")
    assert "unpaid" in out
    assert "0.5 ETH" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("request", "create", "btc", "--amount", "1e-3"), "character 'e'"),
        (("request", "create", "btc", "--amount", "-1"), "more than 0"),
        (("request", "create", "btc", "--amount", "0.000000001"), "8 decimal places"),
        (("request", "create", "btc", "--amount", "1", "--expires", "0s"), "1 second"),
        (("request", "create", "btc", "--amount", "1", "--expires", "\u0663h"), "duration"),
        (("request", "create", "ltc", "--amount", "1"), "no Litecoin account"),
        (("request", "create", "btc", "--amount", "1", "--token", "USDC"), "no tokens"),
        (("pay", "hello"), "not a payment link"),
        (("pay", f"bitcoin:{BTC}?amount=1&req-pop=x"), "req-pop"),
        (("pay", f"bitcoin:{BTC}?amount=1&amount=2"), "twice"),
        (("pay", f"bitcoin:{BTC[:-1]}5?amount=1"), "typo"),
        (("pay", "litecoin:ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9?amount=1"), "no Litecoin"),
        (("pay", "ethereum:0x8e23Ee67d1332aD560396262C48ffbB01F93D052@137?value=1"), "Polygon"),
    ],
    ids=lambda v: v if isinstance(v, str) else " ".join(v)[:40],
)
def test_refusals_are_one_line_and_change_nothing(
    runner: CliRunner, wallet_file: Path, args: tuple[str, ...], words: str
) -> None:
    before = _digest(wallet_file)
    code, _, err = _run(runner, wallet_file, *args)
    assert code == 1
    assert words in _error(err)
    assert _digest(wallet_file) == before


def test_pay_reads_an_image_and_refuses_what_it_cannot_pay(
    runner: CliRunner, wallet_file: Path, tmp_path: Path
) -> None:
    blank = tmp_path / "blank.png"
    Image.new("RGB", (120, 120), "white").save(blank)
    code, _, err = _run(runner, wallet_file, "pay", str(blank))
    assert code == 1
    assert "no QR code" in _error(err)
    other = tmp_path / "other.jpg"
    image = Image.open(io.BytesIO(qr_png("https://example.com"))).convert("RGB")
    image.save(other, "JPEG")
    code, _, err = _run(runner, wallet_file, "pay", str(other))
    assert "no payment link" in _error(err)
    doge = tmp_path / "doge.png"
    doge.write_bytes(qr_png("dogecoin:DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L?amount=5"))
    code, _, err = _run(runner, wallet_file, "pay", str(doge))
    assert "no Dogecoin account" in _error(err)


def test_pay_reads_a_link_from_standard_input(runner: CliRunner, wallet_file: Path) -> None:
    code, _, err = _run(runner, wallet_file, "pay", "-", stdin="")
    assert "No payment link on standard input" in _error(err)
    link = "ethereum:0x8e23Ee67d1332aD560396262C48ffbB01F93D052@137?value=1\n"
    code, _, err = _run(runner, wallet_file, "pay", "-", stdin=link)
    assert code == 1
    assert "no Polygon account" in _error(err)


def test_an_expired_request_asks_first(runner: CliRunner, wallet_file: Path) -> None:
    before = _digest(wallet_file)
    link = f"bitcoin:{BTC}?amount=0.001&time=1000&exp=60"
    code, _, err = _run(runner, wallet_file, "pay", link, stdin="n\n")
    assert code == 1
    assert "expired on 1970-01-01 00:17 UTC" in err
    assert "Pay it anyway?" in err
    assert "Not paid: the request had expired." in _error(err)
    assert _digest(wallet_file) == before


def test_fiat_amounts_at_the_price_services_rate(
    runner: CliRunner, wallet_file: Path, tmp_path: Path
) -> None:
    # The price providers are a local replay of their documented formats (tests/price_replay).
    replay = ReplayServer(make_market())
    try:
        with Wallet.open(wallet_file, PASSWORD) as w:
            for name in ("coingecko", "cryptocompare", "ecb"):
                w.settings.set_price_provider_url(name, replay.url(name))
            quote = fx_quote(w.prices, w.account("bitcoin").network, "EUR")
            assert (quote.asset, quote.currency, quote.rate) == ("BTC", "EUR", Decimal("61750.25"))
            assert quote.source == "coingecko"
            with pytest.raises(InvalidAmount, match="have no price"):
                fx_quote(w.prices, w.account("bitcoin-regtest").network, "EUR")
        code, out, _ = _run(
            runner,
            wallet_file,
            "request",
            "create",
            "btc",
            "--amount",
            "20",
            "--currency",
            "eur",
            "--json",
        )
        assert code == 0
        made = json.loads(out)
        assert made["amount"] == "0.00032389"  # 20 / 61750.25, rounded half up to a satoshi
        assert made["fiat_amount"] == "20.00"
        assert made["rate"].startswith("1 BTC = 61750.25 EUR (coingecko, ")
    finally:
        replay.close()


def test_pay_finds_the_account_of_a_shared_test_address(runner: CliRunner, tmp_path: Path) -> None:
    # tb1 addresses are both testnet and signet's: a signet wallet pays a tb1 link.
    path = tmp_path / "signet.coffer"
    with Wallet.restore(path, PASSWORD, ABANDON) as wallet:
        address = wallet.account("bitcoin-signet").receive_address()
    before = _digest(path)
    link = f"bitcoin:{address}?amount=0.001&time=1000&exp=60"
    code, _, err = _run(runner, path, "pay", link, stdin="n\n")
    assert code == 1
    assert "Pay it anyway?" in err  # past choosing the account: it asks about the expiry
    assert "Not paid: the request had expired." in _error(err)
    assert _digest(path) == before


def test_show_a_request_and_save_its_qr(
    runner: CliRunner, wallet_file: Path, tmp_path: Path
) -> None:
    code, out, _ = _run(
        runner, wallet_file, "--json", "request", "create", "btc", "--amount", "0.002"
    )
    made = json.loads(out)
    picture = tmp_path / "req.png"
    code, out, err = _run(
        runner, wallet_file, "request", "show", str(made["id"]), "--png", str(picture)
    )
    assert code == 0, err
    assert made["link"] in out.splitlines()
    assert "Status: unpaid (as of the last sync)" in out
    assert f"QR code written to {picture}" in out
    assert read_link_image(picture.read_bytes()).lower() == made["link"].lower()
    result = runner.invoke(
        cli, ["--wallet", str(wallet_file), "request", "show", str(made["id"]), "--png", "-"]
    )
    assert result.stdout_bytes.startswith(b"\x89PNG")
    before = _digest(wallet_file)
    code, _, err = _run(
        runner, wallet_file, "request", "show", "1", "--png", str(tmp_path / "no" / "x.png")
    )
    assert "Cannot write" in _error(err)
    code, _, err = _run(runner, wallet_file, "request", "show", "99")
    assert code == 1
    assert "no payment request 99" in _error(err)
    assert _digest(wallet_file) == before
