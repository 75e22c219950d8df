"""Fields every way of making a wallet file asks for: a new password, and where the file goes."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QWidget,
)

from gui.theme import ERROR_STYLE, GOOD_STYLE
from wallet import password_strength

__all__ = ["PasswordFields", "path_row"]


class PasswordFields(QWidget):
    """A new password twice, with a strength meter that says why a password is weak."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.password = QLineEdit()
        self.password.setObjectName("newPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.again = QLineEdit()
        self.again.setObjectName("newPasswordAgain")
        self.again.setEchoMode(QLineEdit.EchoMode.Password)
        self.meter = QProgressBar()
        self.meter.setObjectName("strength")
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)
        self.feedback = QLabel("")
        self.feedback.setObjectName("strengthFeedback")
        self.feedback.setWordWrap(True)
        form.addRow(self.tr("Password"), self.password)
        form.addRow(self.tr("Again"), self.again)
        form.addRow(self.tr("Strength"), self.meter)
        form.addRow("", self.feedback)
        self.password.textChanged.connect(self._rate)
        self.again.textChanged.connect(self._rate)

    def _rate(self) -> None:
        reading = password_strength(self.password.text())
        self.meter.setValue(reading.score)
        problems = list(reading.warnings)
        if self.again.text() and self.again.text() != self.password.text():
            problems.append(self.tr("The two passwords differ."))
        self.feedback.setText(" ".join(problems))
        self.feedback.setStyleSheet(ERROR_STYLE if problems else GOOD_STYLE)

    def value(self) -> str | None:
        """Return the password when it is long enough and typed the same twice."""
        text = self.password.text()
        if not password_strength(text).acceptable or text != self.again.text():
            return None
        return text

    def clear(self) -> None:
        """Forget what was typed."""
        self.password.clear()
        self.again.clear()


def path_row(parent: QWidget, default: str) -> tuple[QHBoxLayout, QLineEdit]:
    """Return a row with a new wallet file's path and a "Browse..." button, and its field."""
    row = QHBoxLayout()
    edit = QLineEdit(default)
    # One context of their own: ``parent.tr`` would look them up under the parent's class.
    browse = QPushButton(QCoreApplication.translate("WalletFields", "Browse..."))

    def pick() -> None:
        title = QCoreApplication.translate("WalletFields", "New wallet file")
        path, _ = QFileDialog.getSaveFileName(parent, title, edit.text())
        if path:
            edit.setText(path)

    browse.clicked.connect(pick)
    row.addWidget(edit, 1)
    row.addWidget(browse)
    return row, edit
