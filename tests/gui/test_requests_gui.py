"""Payment requests in the GUI, offscreen on the embedded Bitcoin devnet.

The receive page asks for a payment (a fresh address, the amount, a label, an expiry) and
lists it; the send page reads that request's link (pasted, then from its QR image), fills the
form, pays it through ``prepare_payment``; once mined and synced the request shows as paid.
A link that is not one is said under the field; an expired link asks first.
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
from tests.conftest import ABANDON, PASSWORD
from wallet import PaymentLink, UtxoDraft, Wallet

NET = "bitcoin-regtest"


@pytest.fixture
def funded(tmp_path: Path) -> Path:
    path = tmp_path / "req.coffer"
    with Wallet.create(path, PASSWORD, ABANDON) as w:
        devnet = w.devnet(NET)
        devnet.fund(w.account(NET).receive_address(), Decimal("1"))
        devnet.mine(1)
    return path


def _open(qtbot, path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(path, live_updates=False)
    qtbot.addWidget(window)
    window.show()
    window.password_edit.setText(PASSWORD)
    window.unlock()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=60_000)
    window.sync()
    qtbot.waitUntil(lambda: not window.session.syncing, timeout=120_000)
    return window


def test_a_request_made_on_the_receive_page_is_paid_from_the_send_page(  # type: ignore[no-untyped-def]
    qtbot, funded: Path, tmp_path: Path
) -> None:
    window = _open(qtbot, funded)
    receive = window.receive_page
    window.nav.setCurrentRow(window.pages.indexOf(receive))
    receive.account.setCurrentIndex(
        next(i for i in range(receive.account.count()) if "regtest" in receive.account.itemText(i))
    )
    panel = receive.requests
    panel.amount.setText("0.125")
    panel.label.setText("Corner shop")
    panel.message.setText("Coffee beans")
    panel.create()
    qtbot.waitUntil(lambda: bool(panel.link.text()), timeout=60_000)
    link = panel.link.text()
    assert link.startswith("bitcoin:")
    assert "amount=0.125" in link
    assert not panel.qr.pixmap().isNull()
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=60_000)
    assert "unpaid" in panel.list.item(0).text()
    assert "Corner shop" in panel.list.item(0).text()
    # A request's address is never the one the page shows for plain receiving.
    assert receive.address.text() not in link

    send = window.send_page
    window.nav.setCurrentRow(window.pages.indexOf(send))
    send.pay_link.read_text("bitcoin:not-an-address?amount=1")
    assert send.pay_link.info.text()  # said under the field
    assert send.link is None
    send.pay_link.read_image(str(tmp_path / "missing.png"))
    qtbot.waitUntil(lambda: "cannot be read" in send.pay_link.info.text(), timeout=60_000)
    # The link, read from its QR image as a phone's screenshot would hold it.
    image = tmp_path / "request.png"
    account = window.session.require().account(NET)
    image.write_bytes(account.request_qr(account.requests()[0]))  # type: ignore[attr-defined]
    send.pay_link.read_image(str(image))
    qtbot.waitUntil(lambda: isinstance(send.link, PaymentLink), timeout=60_000)
    assert "regtest" in send.account.currentText()
    assert send.amount.text() == "0.125"
    assert send.recipient.text() == send.link.address  # type: ignore[union-attr]
    assert "Corner shop" in send.pay_link.info.text()
    send.prepare()
    qtbot.waitUntil(lambda: send.steps.currentIndex() == 1, timeout=60_000)
    draft = send.draft
    assert isinstance(draft, UtxoDraft)
    paid = [o for o in draft.summary.outputs if not o.is_change]
    assert [(o.address, o.amount) for o in paid] == [(send.link.address, 12_500_000)]  # type: ignore[union-attr]
    send.sign_and_send()
    qtbot.waitUntil(lambda: send.steps.currentIndex() == 2, timeout=60_000)
    wallet = window.session.require()
    wallet.devnet(NET).mine(1)
    window.sync()
    qtbot.waitUntil(lambda: not window.session.syncing, timeout=120_000)
    panel.refresh()
    qtbot.waitUntil(
        lambda: panel.list.count() == 1 and "unpaid" not in panel.list.item(0).text(),
        timeout=60_000,
    )
    assert "paid" in panel.list.item(0).text()
    window.close()


def test_an_expired_link_asks_before_it_is_paid(qtbot, funded: Path) -> None:  # type: ignore[no-untyped-def]
    window = _open(qtbot, funded)
    send = window.send_page
    window.nav.setCurrentRow(window.pages.indexOf(send))
    to = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
    asked: list[PaymentLink] = []

    def decline(link: PaymentLink) -> bool:
        asked.append(link)
        return False

    send.confirm_expired = decline
    send.pay_link.read_text(f"bitcoin:{to}?amount=0.01&time=1600000000&exp=3600")
    assert send.link is not None
    send.prepare()
    assert [a.address for a in asked] == [to]
    assert send.steps.currentIndex() == 0  # declined: nothing prepared
    asked.clear()
    send.confirm_expired = lambda link: asked.append(link) is None  # accepts
    send.prepare()
    qtbot.waitUntil(lambda: send.steps.currentIndex() == 1, timeout=60_000)
    assert len(asked) == 1
    window.close()
