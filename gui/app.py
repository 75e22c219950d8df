"""The Coffer desktop application: unlock a wallet, see its accounts."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.models import AccountRow, AccountsModel
from gui.workers import run_task
from wallet import Wallet

__all__ = ["MainWindow", "main"]


class MainWindow(QMainWindow):
    """Unlock page, then the accounts page."""

    def __init__(self, wallet_path: Path | None = None) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("Coffer"))
        self.resize(980, 560)
        self.wallet: Wallet | None = None
        self.accounts_model = AccountsModel(self)

        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)

        unlock = QWidget()
        layout = QVBoxLayout(unlock)
        self.path_edit = QLineEdit(str(wallet_path or ""))
        self.path_edit.setObjectName("walletPath")
        browse = QPushButton(self.tr("Browse..."))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit)
        row.addWidget(browse)
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr("Password"))
        self.unlock_button = QPushButton(self.tr("Unlock"))
        self.unlock_button.setObjectName("unlock")
        self.unlock_button.clicked.connect(self.unlock)
        self.password_edit.returnPressed.connect(self.unlock)
        self.status = QLabel("")
        self.status.setObjectName("status")
        layout.addStretch()
        layout.addWidget(QLabel(self.tr("<h2>Open a Coffer wallet</h2>")))
        layout.addLayout(row)
        layout.addWidget(self.password_edit)
        layout.addWidget(self.unlock_button)
        layout.addWidget(self.status)
        layout.addStretch()
        self.stack.addWidget(unlock)

        accounts = QWidget()
        accounts_layout = QVBoxLayout(accounts)
        self.title = QLabel("")
        accounts_layout.addWidget(self.title)
        self.warnings = QLabel("")
        self.warnings.setObjectName("warnings")
        self.warnings.setWordWrap(True)
        self.warnings.hide()
        accounts_layout.addWidget(self.warnings)
        self.accounts_view = QTableView()
        self.accounts_view.setObjectName("accounts")
        self.accounts_view.setModel(self.accounts_model)
        self.accounts_view.horizontalHeader().setStretchLastSection(True)
        accounts_layout.addWidget(self.accounts_view)
        self.stack.addWidget(accounts)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Wallet file"))
        if path:
            self.path_edit.setText(path)

    def unlock(self) -> None:
        """Open the wallet on a worker thread (Argon2id takes a moment), then show it."""
        path = Path(self.path_edit.text())
        password = self.password_edit.text()
        self.unlock_button.setEnabled(False)
        self.status.setText(self.tr("Unlocking..."))

        def work() -> tuple[Wallet, list[AccountRow]]:
            wallet = Wallet.open(path, password)
            return wallet, [AccountRow.of(a) for a in wallet.accounts()]

        run_task(work, self._opened, self._failed)

    def _opened(self, result: tuple[Wallet, list[AccountRow]]) -> None:
        self.wallet, rows = result
        self.password_edit.clear()
        self.accounts_model.set_rows(rows)
        self.title.setText(
            self.tr("<h2>Accounts</h2>") + f"<p>{self.wallet.path.name} - {len(rows)} accounts</p>"
        )
        # Risks the wallet found on opening (who else can read or change its files).
        self.warnings.setText("\n".join(self.wallet.warnings))
        self.warnings.setVisible(bool(self.wallet.warnings))
        self.stack.setCurrentIndex(1)
        self.unlock_button.setEnabled(True)

    def _failed(self, message: str) -> None:
        self.status.setText(message)
        self.unlock_button.setEnabled(True)

    def closeEvent(self, event: object) -> None:
        """Close the wallet with the window."""
        if self.wallet is not None:
            self.wallet.close()
            self.wallet = None
        super().closeEvent(event)  # type: ignore[arg-type]


def main() -> None:
    """Start the desktop application."""
    app = QApplication(sys.argv)
    window = MainWindow(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    window.show()
    sys.exit(app.exec())


if __name__ == "__main__":
    main()
