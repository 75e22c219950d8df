"""Onboarding and settings, offscreen: create (words asked back), restore (completion, live
checksum), watch-only (a bad key leaves no file), settings saved or refused as a whole."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from gui.main_window import MainWindow
from tests.conftest import ABANDON, PASSWORD

GOOD_PASSWORD = "correct horse battery staple violin 1987!"
ZPUB = (
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgD"
    "Kf31mGDtKsAYz2oz2AGutZYs"
)


def _window(qtbot, tmp_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(tmp_path / "none.coffer", live_updates=False)
    qtbot.addWidget(window)
    window.show()
    window.new_button.click()
    assert window.stack.currentIndex() == 2
    return window


def _password(fields, text: str = GOOD_PASSWORD) -> None:  # type: ignore[no-untyped-def]
    fields.password.setText(text)
    fields.again.setText(text)


def test_create_shows_words_then_asks_some_back(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path)
    flow = window.onboarding
    flow.findChild(type(window.new_button), "startCreate").click()
    assert flow.steps.currentIndex() == 1
    words = [w.split("</b>")[0] for w in flow.words.text().split("<b>")[1:]]
    assert len(words) == 12
    flow.create_path.setText(str(tmp_path / "new.coffer"))
    _password(flow.create_password, "short")
    assert "too short" in flow.create_password.feedback.text()
    assert flow.create_password.meter.value() == 0
    flow._to_quiz()
    assert flow.steps.currentIndex() == 1  # refused: the password is too short
    _password(flow.create_password)
    assert flow.create_password.meter.value() == 4
    flow._to_quiz()
    assert flow.steps.currentIndex() == 2
    assert flow.words.text() == ""  # the words are out of sight while asked back
    positions = flow.quiz_positions()
    for edit in flow.quiz_edits:
        edit.setText("zoo")
    flow._create()
    assert "does not match" in flow.quiz_error.text()
    for edit, position in zip(flow.quiz_edits, positions, strict=True):
        edit.setText(words[position - 1].upper())
    flow._create()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=60_000)
    wallet = window.session.require()
    assert wallet.check_backup_words({p: words[p - 1] for p in positions})
    assert [a.network.name for a in wallet.accounts()] == ["bitcoin", "ethereum"]
    window.close()


def test_restore_completes_words_and_checks_them_as_typed(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path)
    flow = window.onboarding
    flow._go(3)
    edit = flow.restore_words
    words = ABANDON.split()
    for word in words[:11]:
        edit.setText(edit.text() + word + " ")
    assert flow.restore_feedback.text() == "11 words so far."
    edit.setText(edit.text() + "abou")
    flow._complete_last_word(edit.text())  # as textEdited does on a key press
    assert edit.text().endswith("about ")
    assert flow.restore_feedback.text() == "The words and their checksum are valid."
    edit.setText(" ".join([*words[:11], "abandon"]))
    assert "checksum" in flow.restore_feedback.text().lower()
    edit.setText("abandon abandn " + " ".join(words[2:]))
    assert flow.restore_feedback.text().startswith("Word 2 is not in the English BIP-39 word list")
    edit.setText(ABANDON)
    flow.passphrase.setText("TREZOR")
    flow.restore_path.setText(str(tmp_path / "restored.coffer"))
    _password(flow.restore_password)
    flow._restore()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=60_000)
    wallet = window.session.require()
    # The passphrase changes the keys: not the passphrase-less first address.
    assert wallet.account("bitcoin").receive_address() != (
        "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
    )
    assert edit.text() == flow.passphrase.text() == ""  # forgotten once used
    window.close()


def test_watch_only_refuses_a_bad_key_and_leaves_no_file(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, tmp_path)
    flow = window.onboarding
    flow._go(4)
    target = tmp_path / "watch.coffer"
    flow.watch_path.setText(str(target))
    _password(flow.watch_password)
    flow.watch_key.setText(ZPUB[:-1] + "X")
    flow._watch()
    qtbot.waitUntil(lambda: "Making" not in flow.watch_error.text(), timeout=60_000)
    assert flow.watch_error.text()
    assert not target.exists()
    flow.watch_key.setText(ZPUB)
    _password(flow.watch_password)
    flow._watch()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=60_000)
    wallet = window.session.require()
    assert wallet.is_watch_only
    assert wallet.account("bitcoin").receive_address() == (
        "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
    )
    window.close()


def test_settings_save_as_a_whole_or_not_at_all(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from wallet import Wallet

    path = tmp_path / "s.coffer"
    Wallet.create(path, PASSWORD, ABANDON, accounts=("bitcoin", "ethereum")).close()
    window = MainWindow(path, live_updates=False)
    qtbot.addWidget(window)
    window.password_edit.setText(PASSWORD)
    window.unlock()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=60_000)
    page = window.settings_page
    page.autolock.setValue(3)
    page.theme.setCurrentIndex(page.theme.findData("dark"))
    page.currency.setCurrentText("XYZ")
    assert not page.apply()
    assert "Nothing was saved" in page.status.text()
    assert page.currency_error.text()
    wallet = window.session.require()
    assert wallet.settings.display.autolock_minutes == 10  # unchanged
    page.currency.setCurrentText("eur")
    # Saved without asking it (this machine has no network): the person turned the check off.
    page.check_servers.setChecked(False)
    page.server_edits["bitcoin"].setText("ssl://electrum.example.org:50002")
    assert page.apply()
    assert wallet.settings.base_currency == "EUR"
    assert wallet.settings.display.autolock_minutes == 3
    assert wallet.settings.display.theme == "dark"
    assert wallet.backends.servers("bitcoin") == ("ssl://electrum.example.org:50002",)
    assert window.autolock.minutes == 3
    window.close()


def test_watch_a_signers_export_read_from_its_qr_code(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from wallet import Wallet
    from wallet.transport import write_png

    with Wallet.create(tmp_path / "signer.coffer", PASSWORD, ABANDON) as signer:
        export = signer.export_account("bitcoin", fmt="ur-account")
        first = signer.account("bitcoin").receive_address()
    image = tmp_path / "export.png"
    write_png(export, image)
    window = _window(qtbot, tmp_path)
    flow = window.onboarding
    flow._go(4)
    flow.read_watch_qr(str(tmp_path / "missing.png"))
    qtbot.waitUntil(lambda: bool(flow.watch_error.text()), timeout=60_000)
    flow.watch_error.clear()
    flow.read_watch_file(str(tmp_path / "missing.json"))  # said, not a silent failure
    qtbot.waitUntil(lambda: "cannot be read" in flow.watch_error.text(), timeout=60_000)
    flow.read_watch_qr(str(image))
    qtbot.waitUntil(lambda: flow.watch_key.text().startswith("ur:crypto-account/"), timeout=60_000)
    target = tmp_path / "watch.coffer"
    flow.watch_path.setText(str(target))
    _password(flow.watch_password)
    flow._watch()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=60_000)
    wallet = window.session.require()
    assert wallet.is_watch_only
    assert wallet.account("bitcoin").receive_address() == first
    window.close()


@pytest.mark.nodes
def test_a_server_of_another_network_is_said_next_to_its_field(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, anvil
) -> None:
    from wallet import Wallet

    path = tmp_path / "s.coffer"
    Wallet.create(path, PASSWORD, ABANDON, accounts=("bitcoin", "ethereum")).close()
    window = MainWindow(path, live_updates=False)
    qtbot.addWidget(window)
    window.password_edit.setText(PASSWORD)
    window.unlock()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=60_000)
    page = window.settings_page
    wallet = window.session.require()
    before = wallet.backends.servers("ethereum")
    page.autolock.setValue(4)
    page.server_edits["ethereum"].setText(anvil.http_url)  # a node of chain id 31337
    with qtbot.waitSignal(page.saved, timeout=120_000) as saved:
        assert page.apply() is None  # asked off the GUI thread
    assert saved.args == [False]
    assert "31337" in page.server_errors["ethereum"].text()
    assert "Nothing was saved" in page.status.text()
    assert wallet.backends.servers("ethereum") == before
    assert wallet.settings.display.autolock_minutes == 10
    window.close()
