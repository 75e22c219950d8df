"""The offline signer window, offscreen: open, read a PSBT file, show, sign or decline, save.

The request is a real draft: a watch-only twin of the seed's account on the embedded
Bitcoin regtest devnet prepares it; the window signs it with the seed; the host finalises
it (libbitcoinkernel checks every input) and the devnet accepts it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from gui.signer.window import SignerWindow
from tests.conftest import ABANDON, PASSWORD
from wallet import UtxoAccount, UtxoDraft, Wallet

NET = "bitcoin-regtest"


@pytest.fixture
def request_file(tmp_path: Path) -> tuple[Path, Path, Wallet, UtxoAccount, UtxoDraft]:
    seed = tmp_path / "seed.coffer"
    with Wallet.create(seed, PASSWORD, ABANDON) as hot:
        hot.account(NET)
        export = hot.export_account(NET)
    watch = Wallet.create_watch_only(tmp_path / "watch.coffer", PASSWORD, imports=[(NET, export)])
    account = watch.account(NET)
    assert isinstance(account, UtxoAccount)
    watch.devnet(NET).fund(account.receive_address(), "0.5")
    account.sync()
    draft = account.prepare_send(account.addresses(1, 9)[0].address, "0.1", fee_rate="2")
    assert isinstance(draft, UtxoDraft)
    path = tmp_path / "request.psbt"
    path.write_bytes(draft.psbt)
    return seed, path, watch, account, draft


def _open(qtbot, seed: Path) -> SignerWindow:  # type: ignore[no-untyped-def]
    window = SignerWindow(seed)
    qtbot.addWidget(window)
    window.password_edit.setText(PASSWORD)
    window.open_button.click()
    qtbot.waitUntil(lambda: window.wallet is not None, timeout=30_000)
    return window


def test_read_show_sign_save(qtbot, request_file, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seed, path, watch, account, draft = request_file
    window = _open(qtbot, seed)
    window.sign_request([path])
    qtbot.waitUntil(window.sign_button.isEnabled, timeout=30_000)
    shown = window.summary.toPlainText()
    assert "Network: bitcoin-regtest" in shown
    assert "change" in shown
    assert "sat/vB" in shown
    window.sign_button.click()
    qtbot.waitUntil(window.save_button.isEnabled, timeout=30_000)
    out = tmp_path / "signed.psbt"
    window.save_result(out)
    signed = account.import_signed(draft, out.read_bytes())
    assert account.broadcast(signed) == draft.unsigned_txid
    window.close()
    watch.close()


def test_decline_signs_nothing(qtbot, request_file) -> None:  # type: ignore[no-untyped-def]
    seed, path, watch, _, _ = request_file
    window = _open(qtbot, seed)
    window.sign_request([path])
    qtbot.waitUntil(window.decline_button.isEnabled, timeout=30_000)
    window.decline_button.click()
    qtbot.waitUntil(lambda: "declin" in window.status.text().lower(), timeout=30_000)
    assert window.result is None
    assert not window.save_button.isEnabled()
    window.close()
    watch.close()


def test_a_corrupt_request_is_one_line(qtbot, request_file, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seed, _, watch, _, _ = request_file
    window = _open(qtbot, seed)
    bad = tmp_path / "bad.psbt"
    bad.write_bytes(b"this is not a psbt")
    window.sign_request([bad])
    qtbot.waitUntil(lambda: "PSBT" in window.status.text(), timeout=30_000)
    assert window.result is None
    window.close()
    watch.close()
