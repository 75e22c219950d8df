"""Onboarding: create a wallet (words shown, then some asked back), restore one, or watch one.

Watching includes a hardware wallet's account (``HardwareStep``, gui/pages/hardware_step.py):
a watch-only wallet of an account the device exported; the device then signs for it.

Every check is the API's: ``password_strength`` for the meter, ``validate_mnemonic`` for the
words as they are typed (with ``complete_mnemonic_word`` for completion), the account book's
imports for watch-only keys (what a signer exported, in any form ``Wallet.create_watch_only``
reads: descriptor, xpub, Sparrow or Electrum JSON, BC-UR, typed, from a file or from a QR
image). Creating a file runs the KDF, so it runs off the GUI thread; Cancel stops waiting
for it (the wallet, when it comes, is closed). The words of a new wallet are shown in one
label and cleared as soon as the wallet is made; they are never put in a model.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui.pages.hardware_step import HardwareStep
from gui.pages.wallet_fields import PasswordFields, path_row
from gui.session import Session
from gui.theme import ERROR_STYLE, GOOD_STYLE
from wallet import (
    Wallet,
    complete_mnemonic_word,
    new_mnemonic,
    validate_mnemonic,
)
from wallet.errors import InvalidMnemonic, WalletError
from wallet.transport import PayloadKind, decode_frames, encode_frames, read_qr_images

__all__ = ["Onboarding", "PasswordFields"]

_MAX_EXPORT_BYTES = 1 << 20  # an export is a few KB; a larger file is something else
_QUIZ = 3
_FIRST_ACCOUNTS = ("bitcoin", "ethereum")
_HARDWARE_STEP = 5


def _close(result: object) -> None:
    """Close a wallet made for a wait that was abandoned (Cancel): its keys leave memory."""
    if isinstance(result, Wallet):
        result.close()


class Onboarding(QWidget):
    """Choose, then create, restore or watch; ``done`` carries the opened wallet."""

    done = Signal(object)  # Wallet
    back = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.steps = QStackedWidget()
        layout = QVBoxLayout(self)
        layout.addWidget(self.steps)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("cancelOnboarding")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(session.cancel)
        session.cancellable.connect(self.cancel_button.setVisible)
        layout.addWidget(self.cancel_button)
        self._words: list[str] = []
        self._quiz: list[int] = []
        self._build_choice()
        self._build_create()
        self._build_quiz()
        self._build_restore()
        self._build_watch()
        self.hardware = HardwareStep(session, self._run)
        self.hardware.back.connect(lambda: self.steps.setCurrentIndex(0))
        self.steps.addWidget(self.hardware)

    # -- pages ----------------------------------------------------------------------------

    def _page(self) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.steps.addWidget(page)
        return page, layout

    def _build_choice(self) -> None:
        _, layout = self._page()
        layout.addStretch()
        layout.addWidget(QLabel("<h2>" + self.tr("A new Coffer wallet") + "</h2>"))
        for name, text, target in (
            ("startCreate", self.tr("Create a new wallet"), 1),
            ("startRestore", self.tr("Restore from recovery words"), 3),
            ("startWatch", self.tr("Watch an account (no keys on this computer)"), 4),
            ("startHardware", self.tr("Connect a hardware wallet"), _HARDWARE_STEP),
        ):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(lambda _=False, t=target: self._go(t))
            layout.addWidget(button)
        back = QPushButton(self.tr("Open an existing wallet"))
        back.clicked.connect(self.back.emit)
        layout.addWidget(back)
        layout.addStretch()

    def _go(self, step: int) -> None:
        if step == 1:
            self._words = new_mnemonic(12).split()
            self.words.setText(
                "<ol>" + "".join(f"<li><b>{w}</b></li>" for w in self._words) + "</ol>"
            )
        self.steps.setCurrentIndex(step)

    def _build_create(self) -> None:
        _, layout = self._page()
        layout.addWidget(QLabel("<h2>" + self.tr("Write these words down") + "</h2>"))
        layout.addWidget(
            QLabel(
                self.tr(
                    "They are the only way back to your money if this computer is lost. "
                    "Write them on paper, in order; never photograph or type them anywhere."
                )
            )
        )
        self.words = QLabel("")
        self.words.setObjectName("newWords")
        self.words.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        layout.addWidget(self.words)
        form = QFormLayout()
        row, self.create_path = path_row(self, str(Path.home() / "wallet.coffer"))
        form.addRow(self.tr("Wallet file"), row)
        self.create_password = PasswordFields()
        form.addRow(self.create_password)
        layout.addLayout(form)
        go = QPushButton(self.tr("I have written them down"))
        go.setObjectName("wroteWords")
        go.clicked.connect(self._to_quiz)
        self.create_error = self._error("createError")
        layout.addWidget(go)
        layout.addWidget(self.create_error)
        layout.addStretch()

    def _to_quiz(self) -> None:
        if self.create_password.value() is None:
            self.create_error.setText(self.tr("Choose a password of 8 characters or more, twice."))
            return
        self._quiz = sorted(secrets.SystemRandom().sample(range(1, len(self._words) + 1), _QUIZ))
        for edit, position in zip(self.quiz_edits, self._quiz, strict=True):
            edit.clear()
            edit.setPlaceholderText(self.tr("Word %1").replace("%1", str(position)))
        self.words.clear()  # out of sight while asked back
        self.steps.setCurrentIndex(2)

    def _build_quiz(self) -> None:
        _, layout = self._page()
        layout.addWidget(QLabel("<h2>" + self.tr("Check your words") + "</h2>"))
        self.quiz_edits = []
        for i in range(_QUIZ):
            edit = QLineEdit()
            edit.setObjectName(f"quiz{i}")
            self.quiz_edits.append(edit)
            layout.addWidget(edit)
        self.quiz_error = self._error("quizError")
        create = QPushButton(self.tr("Create the wallet"))
        create.setObjectName("createWallet")
        create.clicked.connect(self._create)
        back = QPushButton(self.tr("Show the words again"))
        back.clicked.connect(lambda: self._show_words_again())
        layout.addWidget(create)
        layout.addWidget(back)
        layout.addWidget(self.quiz_error)
        layout.addStretch()

    def _show_words_again(self) -> None:
        self.words.setText("<ol>" + "".join(f"<li><b>{w}</b></li>" for w in self._words) + "</ol>")
        self.steps.setCurrentIndex(1)

    def quiz_positions(self) -> list[int]:
        """Return the 1-based positions asked back (tests answer them)."""
        return list(self._quiz)

    def _create(self) -> None:
        answers = [e.text().strip().lower() for e in self.quiz_edits]
        if any(self._words[p - 1] != a for p, a in zip(self._quiz, answers, strict=True)):
            self.quiz_error.setText(self.tr("A word does not match. Check your paper."))
            return
        password = self.create_password.value()
        assert password is not None  # noqa: S101 - checked before the quiz
        phrase = " ".join(self._words)
        path = Path(self.create_path.text())
        self._words = []

        def work() -> Wallet:
            return Wallet.create(path, password, phrase, accounts=_FIRST_ACCOUNTS)

        self._run(work, self.quiz_error)

    def _build_restore(self) -> None:
        _, layout = self._page()
        layout.addWidget(QLabel("<h2>" + self.tr("Restore from recovery words") + "</h2>"))
        self.restore_words = QLineEdit()
        self.restore_words.setObjectName("restoreWords")
        self.restore_words.setPlaceholderText(self.tr("12 or 24 words, separated by spaces"))
        self.restore_words.setEchoMode(QLineEdit.EchoMode.Normal)
        words = QStringListModel(list(complete_mnemonic_word("")), self)
        completer = QCompleter(words, self)
        completer.setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
        self._completer = completer
        self.restore_words.textEdited.connect(self._complete_last_word)
        self.restore_words.textChanged.connect(self._check_words)
        self.restore_feedback = QLabel("")
        self.restore_feedback.setObjectName("restoreFeedback")
        self.restore_feedback.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(self.tr("Optional BIP-39 passphrase"))
        form = QFormLayout()
        form.addRow(self.tr("Words"), self.restore_words)
        form.addRow("", self.restore_feedback)
        form.addRow(self.tr("Passphrase"), self.passphrase)
        row, self.restore_path = path_row(self, str(Path.home() / "restored.coffer"))
        form.addRow(self.tr("Wallet file"), row)
        self.restore_password = PasswordFields()
        form.addRow(self.restore_password)
        layout.addLayout(form)
        go = QPushButton(self.tr("Restore"))
        go.setObjectName("restoreWallet")
        go.clicked.connect(self._restore)
        self.restore_error = self._error("restoreError")
        layout.addWidget(go)
        layout.addWidget(self.restore_error)
        layout.addStretch()

    def _complete_last_word(self, text: str) -> None:
        last = text.split(" ")[-1]
        if len(last) < 3:
            return
        matches = complete_mnemonic_word(last.lower())
        if len(matches) == 1 and matches[0] != last:
            self.restore_words.setText(text[: len(text) - len(last)] + matches[0] + " ")

    def _check_words(self, text: str) -> None:
        words = text.split()
        if not words:
            self.restore_feedback.clear()
            return
        typing_last = not text.endswith(" ")
        try:
            validate_mnemonic(text)
        except InvalidMnemonic as err:
            still_typing = (err.reason == "word-count") or (
                err.reason == "unknown-word" and typing_last and err.position == len(words)
            )
            if still_typing:
                self.restore_feedback.setText(
                    self.tr("%1 words so far.").replace("%1", str(len(words)))
                )
                self.restore_feedback.setStyleSheet("")
            else:
                self.restore_feedback.setText(str(err))
                self.restore_feedback.setStyleSheet(ERROR_STYLE)
            return
        self.restore_feedback.setText(self.tr("The words and their checksum are valid."))
        self.restore_feedback.setStyleSheet(GOOD_STYLE)

    def _restore(self) -> None:
        text = " ".join(self.restore_words.text().split())
        password = self.restore_password.value()
        try:
            validate_mnemonic(text)
        except WalletError as err:
            self.restore_error.setText(str(err))
            return
        if password is None:
            self.restore_error.setText(self.tr("Choose a password of 8 characters or more, twice."))
            return
        passphrase = self.passphrase.text()
        path = Path(self.restore_path.text())

        def work() -> Wallet:
            return Wallet.restore(path, password, text, passphrase, accounts=_FIRST_ACCOUNTS)

        self.restore_words.clear()
        self.passphrase.clear()
        self._run(work, self.restore_error)

    def _build_watch(self) -> None:
        _, layout = self._page()
        layout.addWidget(QLabel("<h2>" + self.tr("Watch an account") + "</h2>"))
        form = QFormLayout()
        self.watch_network = QComboBox()
        self.watch_network.setObjectName("watchNetwork")
        for name in ("bitcoin", "litecoin", "dogecoin", "ethereum", "bitcoin-regtest"):
            self.watch_network.addItem(name, name)
        self.watch_kind = QComboBox()
        self.watch_kind.setObjectName("watchKind")
        for text, kind in (
            (self.tr("What a signer exported (any form)"), "export"),
            (self.tr("Extended public key (xpub, zpub...)"), "xpub"),
            (self.tr("Output descriptor"), "descriptor"),
            (self.tr("EVM address"), "evm"),
        ):
            self.watch_kind.addItem(text, kind)
        self.watch_key = QLineEdit()
        self.watch_key.setObjectName("watchKey")
        self.watch_key.setPlaceholderText(
            self.tr("A descriptor, an xpub, Sparrow or Electrum JSON, ur:crypto-account...")
        )
        key_row = QHBoxLayout()
        key_row.addWidget(self.watch_key, 1)
        from_file = QPushButton(self.tr("From a file…"))
        from_file.clicked.connect(self._watch_file)
        from_qr = QPushButton(self.tr("From a QR image…"))
        from_qr.clicked.connect(self._watch_qr)
        key_row.addWidget(from_file)
        key_row.addWidget(from_qr)
        form.addRow(self.tr("Network"), self.watch_network)
        form.addRow(self.tr("What"), self.watch_kind)
        form.addRow(self.tr("Key"), key_row)
        row, self.watch_path = path_row(self, str(Path.home() / "watch.coffer"))
        form.addRow(self.tr("Wallet file"), row)
        self.watch_password = PasswordFields()
        form.addRow(self.watch_password)
        layout.addLayout(form)
        go = QPushButton(self.tr("Watch"))
        go.setObjectName("watchWallet")
        go.clicked.connect(self._watch)
        self.watch_error = self._error("watchError")
        layout.addWidget(go)
        layout.addWidget(self.watch_error)
        layout.addStretch()

    def _watch(self) -> None:
        password = self.watch_password.value()
        if password is None:
            self.watch_error.setText(self.tr("Choose a password of 8 characters or more, twice."))
            return
        network = str(self.watch_network.currentData())
        kind = str(self.watch_kind.currentData())
        key = self.watch_key.text().strip()
        path = Path(self.watch_path.text())

        def work() -> Wallet:
            if kind == "export":  # read by the signer-export parser; no file left on refusal
                return Wallet.create_watch_only(path, password, imports=[(network, key)])
            wallet = Wallet.create_watch_only(path, password)
            try:
                book = wallet.accounts_book
                if kind == "xpub":
                    book.import_xpub(network, key)
                elif kind == "descriptor":
                    book.import_descriptor(network, key)
                else:
                    book.import_evm_address(network, key)
            except WalletError:
                wallet.close()
                path.unlink(missing_ok=True)  # nothing half-made is left behind
                raise
            return wallet

        self._run(work, self.watch_error)

    def _watch_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("A signer's export"))
        if path:
            self.read_watch_file(path)

    def read_watch_file(self, path: str) -> None:
        """Put the text of a signer's export file (JSON, descriptor, xpub) in the key field."""

        def work() -> str:
            try:
                data = Path(path).read_bytes()
            except OSError as err:
                raise WalletError(f"{path} cannot be read ({err.strerror or err}).") from None
            if len(data) > _MAX_EXPORT_BYTES:
                raise WalletError(f"{path} is too large to be an account export.")
            try:
                return data.decode("utf-8").strip()
            except UnicodeDecodeError:
                raise WalletError(f"{path} is not a text export.") from None

        self.session.run(
            work,
            self._watch_read,
            self._watch_refused,
            self.tr("Reading"),
            on_cancelled=lambda: self._watch_refused(self.tr("Cancelled.")),
        )

    def _watch_qr(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("A QR code of a signer's export"), "", "*.png *.gif *.jpg *.jpeg"
        )
        if path:
            self.read_watch_qr(path)

    def read_watch_qr(self, path: str) -> None:
        """Read a signer's export from QR images (BC-UR crypto-account or hdkey, or text)."""

        def work() -> str:
            texts = read_qr_images([path])
            if len(texts) == 1 and not texts[0].lower().startswith("ur:"):
                return texts[0].strip()  # a descriptor or an xpub as plain text
            payload = decode_frames(texts)
            if payload.kind in (PayloadKind.TEXT, PayloadKind.JSON):
                return payload.data.decode("utf-8").strip()
            # One UR text of the whole payload, as the export parser reads it.
            return encode_frames(payload, max_fragment_len=len(payload.data) + 64, count=1)[0]

        self.session.run(
            work,
            self._watch_read,
            self._watch_refused,
            self.tr("Reading"),
            on_cancelled=lambda: self._watch_refused(self.tr("Cancelled.")),
        )

    def _watch_read(self, text: str) -> None:
        self.watch_kind.setCurrentIndex(0)
        self.watch_key.setText(text)
        self.watch_error.clear()

    def _watch_refused(self, message: str) -> None:
        self.watch_error.setStyleSheet(ERROR_STYLE)
        self.watch_error.setText(message)

    # -- shared ---------------------------------------------------------------------------

    def _error(self, name: str) -> QLabel:
        label = QLabel("")
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setStyleSheet(ERROR_STYLE)
        return label

    def _run(self, work: Callable[[], Wallet], error: QLabel) -> None:
        error.setText(self.tr("Making the wallet file..."))
        error.setStyleSheet("")

        def failed(message: str) -> None:
            error.setStyleSheet(ERROR_STYLE)
            error.setText(message)

        def made(wallet: Wallet) -> None:
            error.clear()
            for fields in (
                self.create_password,
                self.restore_password,
                self.watch_password,
                self.hardware.password,
            ):
                fields.clear()
            self.steps.setCurrentIndex(0)
            self.done.emit(wallet)

        def cancelled() -> None:
            error.setStyleSheet(ERROR_STYLE)
            error.setText(
                self.tr(
                    "Cancelled. If the wallet file was made meanwhile, it is closed and stays "
                    "where you chose; open it with its password, or delete it."
                )
            )

        self.session.run(
            work,
            made,
            failed,
            self.tr("Making the wallet file"),
            on_cancelled=cancelled,
            discard=_close,
        )
