"""Signing elsewhere from the GUI: a watch-only wallet's payment goes to another signer and back.

On the embedded Bitcoin regtest devnet, offscreen: a watch-only wallet (the seed wallet's
export imported) prepares a payment on the send page, hands it over ("Sign elsewhere"): the
review, a PSBT file, animated QR codes; the seed's wallet signs what was saved; a signature of
another draft is refused next to the field; the signed PSBT read back from QR images is
broadcast, and the node mines it.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from gui.main_window import MainWindow
from gui.pages.signing import read_psbt_input
from tests.conftest import ABANDON, PASSWORD
from wallet import UtxoDraft, Wallet
from wallet.errors import WalletError
from wallet.transport import FrameFormat, Payload, PayloadKind, encode_frames, write_gif

NET = "bitcoin-regtest"
EXTERNAL_BTC = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"


@pytest.fixture
def wallets(tmp_path: Path) -> tuple[Path, Path]:
    seed, watch = tmp_path / "seed.coffer", tmp_path / "watch.coffer"
    with Wallet.create(seed, PASSWORD, ABANDON) as hot:
        export = hot.export_account(NET)
    with Wallet.create_watch_only(watch, PASSWORD, imports=[(NET, export)]) as w:
        devnet = w.devnet(NET)
        devnet.fund(w.account(NET).receive_address(), Decimal("0.5"))
        devnet.mine(1)
    return seed, watch


def test_a_watch_only_payment_is_signed_elsewhere_and_broadcast(  # type: ignore[no-untyped-def]
    qtbot, wallets: tuple[Path, Path], tmp_path: Path
) -> None:
    seed, watch = wallets
    window = MainWindow(watch, live_updates=False)
    qtbot.addWidget(window)
    window.show()
    window.password_edit.setText(PASSWORD)
    window.unlock()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=60_000)
    window.sync()
    qtbot.waitUntil(lambda: not window.session.syncing, timeout=120_000)
    send = window.send_page
    window.nav.setCurrentRow(window.pages.indexOf(send))
    send.account.setCurrentIndex(
        next(i for i in range(send.account.count()) if "regtest" in send.account.itemText(i))
    )
    send.recipient.setText(EXTERNAL_BTC)
    send.amount.setText("0.1")
    send.prepare()
    qtbot.waitUntil(lambda: send.steps.currentIndex() == 1, timeout=60_000)
    assert send.elsewhere_button.isVisibleTo(window)
    assert not send.send_button.isVisibleTo(window)  # watch-only: no key here
    send.elsewhere_button.click()
    page = window.signing_page
    assert window.pages.currentWidget() is page
    draft = page.draft
    assert isinstance(draft, UtxoDraft)
    assert EXTERNAL_BTC in page.review.text()
    assert "change" in page.review.text()
    assert page.qr.pixmap() is not None
    assert not page.qr.pixmap().isNull()
    assert page.frames
    assert "watch-only" in page.signers.text()

    # Handed over as a Base64 file; the seed's wallet signs it.
    saved = tmp_path / "unsigned.txt"
    page.save_psbt(str(saved), base64=True)
    assert saved.read_text().startswith("cHNidP")
    with Wallet.open(seed, PASSWORD) as hot:
        signed_psbt = hot.sign_psbt(saved.read_text())
        other = (
            window.session.require()
            .account(NET)
            .prepare_send(EXTERNAL_BTC, Decimal("0.2"), fee_rate=2)
        )
        wrong = hot.sign_psbt(other.psbt)
    # Another draft's signature is refused next to the field; nothing can be broadcast.
    page.paste.setPlainText(Payload(PayloadKind.PSBT, wrong).data.hex())
    page.read_signed(text=page.paste.toPlainText())
    qtbot.waitUntil(lambda: bool(page.error.text()), timeout=60_000)
    assert not page.broadcast_button.isEnabled()
    # The right answer comes back as an animated QR code (a GIF).
    gif = tmp_path / "signed.gif"
    write_gif(encode_frames(Payload(PayloadKind.PSBT, signed_psbt), FrameFormat.UR), gif)
    page.read_signed(paths=[str(gif)])
    qtbot.waitUntil(lambda: page.broadcast_button.isEnabled(), timeout=60_000)
    assert page.error.text() == ""
    assert page.signed is not None
    txid = page.signed.txid
    assert txid in page.result.text()
    page.broadcast()
    qtbot.waitUntil(lambda: "Sent" in page.result.text() or bool(page.error.text()), timeout=60_000)
    assert page.error.text() == ""
    wallet = window.session.require()
    wallet.devnet(NET).mine(1)
    wallet.sync_each(NET)
    mined = {r.txid: r.confirmations for r in wallet.history.iter_rows()}
    assert mined[txid] == 1
    window.close()


def test_what_is_not_a_psbt_is_said() -> None:
    with pytest.raises(WalletError):
        read_psbt_input(text="")
    with pytest.raises(WalletError):
        read_psbt_input(text="not a psbt")
    with pytest.raises(WalletError):
        read_psbt_input(text="ur:crypto-psbt/1-3/lpadaxcfaxhhcyzoedhkoeaxhhyaeoeeoe")
