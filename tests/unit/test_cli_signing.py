"""``coffer export-account``, ``import-watch``, ``psbt ...`` and ``coffer signer``, in process.

The round trip on the embedded Bitcoin regtest devnet (no node needed): the seed's wallet
exports, a watch-only wallet imports and writes a PSBT, the offline signer signs it (here in
this process: its network guard is armed for the command and inert after it), the watch-only
wallet shows, finalises and broadcasts. Then the bad input that is this area's: each gives
one ``error:`` line, exit 1 (2 for a mistyped option), and leaves files as they were.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.cli import cli

NET = "bitcoin-regtest"
OTHER_SEED = "legal winner thank year wave sausage worth useful legal winner thank yellow"


class Folder:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.seed = root / "seed.coffer"
        self.watch = root / "watch.coffer"
        with Wallet.create(self.seed, PASSWORD, ABANDON) as hot:
            hot.account(NET)
            self.to = hot.account(NET).addresses(1, 12)[0].address
        Wallet.create_watch_only(self.watch, PASSWORD).close()

    def run(self, wallet: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, ["--wallet", str(wallet), *args], input=stdin)
        return result.exit_code, result.stdout, result.stderr

    def ok(self, wallet: Path, *args: str) -> str:
        code, out, err = self.run(wallet, *args)
        assert code == 0, err
        assert "Traceback" not in err
        return out

    def refused(self, wallet: Path, *args: str, code: int = 1) -> str:
        got, out, err = self.run(wallet, *args)
        assert got == code, (out, err)
        assert "Traceback" not in err
        lines = [line for line in err.splitlines() if line.startswith("error:")]
        assert len(lines) == 1, err
        return lines[0]


@pytest.fixture
def folder(tmp_path: Path, runner: CliRunner) -> Folder:
    del runner  # sets COFFER_PASSWORD
    return Folder(tmp_path)


def _funded(folder: Folder) -> Path:
    """Import the seed's export into the watch-only wallet, fund it, write a PSBT."""
    folder.ok(folder.seed, "export-account", NET, "--out", str(folder.root / "acct.txt"))
    folder.ok(folder.watch, "import-watch", NET, str(folder.root / "acct.txt"))
    folder.ok(folder.watch, "devnet", "fund", NET, "1")
    folder.ok(folder.watch, "sync")
    request = folder.root / "send.psbt"
    folder.ok(
        folder.watch, "psbt", "create", NET, "--to", folder.to, "--amount", "0.2",
        "--fee-rate", "2", "--out", str(request),
    )  # fmt: skip
    return request


def test_round_trip_through_files(folder: Folder) -> None:
    request = _funded(folder)
    shown = folder.ok(folder.watch, "psbt", "show", str(request))
    assert "send" in shown
    assert "change" in shown
    signed = folder.root / "signed.psbt"
    folder.ok(folder.seed, "signer", str(request), "--out", str(signed), "--yes")
    raw = folder.ok(folder.watch, "psbt", "finalize", str(signed)).strip()
    assert len(bytes.fromhex(raw)) > 100
    txid = folder.ok(folder.watch, "psbt", "broadcast", str(signed)).strip()
    assert len(txid) == 64


def test_round_trip_through_qr_images_and_pasted_base64(folder: Folder) -> None:
    request = _funded(folder)
    gif = folder.root / "request.gif"
    folder.ok(
        folder.watch, "psbt", "create", NET, "--to", folder.to, "--amount", "0.1",
        "--fee-rate", "2", "--out", str(gif),
    )  # fmt: skip
    frames = folder.root / "signed"
    folder.ok(folder.seed, "signer", str(gif), "--out", f"{frames}/", "--yes")
    pngs = sorted(str(p) for p in frames.glob("*.png"))
    assert len(pngs) > 1
    assert "fee" in folder.ok(folder.watch, "psbt", "show", *pngs)
    pasted = base64.b64encode(request.read_bytes()).decode()
    code, out, err = folder.run(folder.seed, "signer", "-", "--yes", stdin=pasted + "\n")
    assert code == 0, err
    assert base64.b64decode(out.strip())[:5] == b"psbt\xff"


def test_a_corrupt_psbt(folder: Folder) -> None:
    bad = folder.root / "bad.psbt"
    bad.write_bytes(b"psbt\xff\x01\x00garbage")
    assert "PSBT" in folder.refused(folder.seed, "signer", str(bad), "--yes")
    assert "PSBT" in folder.refused(folder.watch, "psbt", "show", str(bad))


def test_a_psbt_with_no_input_of_this_wallet(folder: Folder, tmp_path: Path) -> None:
    request = _funded(folder)
    other = tmp_path / "other.coffer"
    Wallet.create(other, PASSWORD, OTHER_SEED).close()
    err = folder.refused(other, "signer", str(request), "--yes")
    assert "No input of this PSBT is this wallet's" in err


def test_a_descriptor_with_a_bad_checksum_and_an_xpub_of_another_network(
    folder: Folder,
) -> None:
    descriptor = folder.ok(folder.seed, "export-account", NET).strip()
    body, _, checksum = descriptor.partition("#")
    broken = body + "#" + checksum[::-1]
    assert "checksum" in folder.refused(folder.watch, "import-watch", NET, broken)
    mainnet = folder.ok(folder.seed, "export-account", "bitcoin", "--format", "xpub").strip()
    assert "another network" in folder.refused(folder.watch, "import-watch", NET, mainnet)
    with Wallet.open(folder.watch, PASSWORD) as watch:
        assert watch.accounts() == []


def test_an_existing_output_file_is_never_replaced(folder: Folder) -> None:
    request = _funded(folder)
    out = folder.root / "kept.psbt"
    out.write_bytes(b"keep me")
    assert "exists already" in folder.refused(
        folder.seed, "signer", str(request), "--out", str(out), "--yes"
    )
    assert out.read_bytes() == b"keep me"


def test_missing_files_and_empty_requests(folder: Folder) -> None:
    assert "There is no request" in folder.refused(folder.seed, "signer", "nope.psbt", "--yes")
    assert "empty" in folder.refused(folder.seed, "signer", "-", "--yes")
    assert "two or more" in folder.refused(folder.seed, "psbt", "combine", "one.psbt")
