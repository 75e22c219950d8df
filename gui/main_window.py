"""The main window: the lock screen, then the pages of an open wallet beside a sidebar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from gui.autolock import AutoLock
from gui.pages.accounts import AccountsPage
from gui.pages.dashboard import DashboardPage
from gui.pages.history import HistoryPage
from gui.pages.onboarding import Onboarding
from gui.pages.receive import ReceivePage
from gui.pages.send import SendPage
from gui.pages.settings import SettingsPage
from gui.pages.signing import SigningPage
from gui.session import Session
from gui.theme import apply_theme
from wallet import Account, DisplaySettings, Draft, UtxoAccount, UtxoDraft, Valuation, Wallet

__all__ = ["MainWindow"]

DEFAULT_AUTOLOCK_MINUTES = 10


def _close(result: object) -> None:
    """Close a wallet that was opened for a wait that was abandoned (its keys leave memory)."""
    if isinstance(result, Wallet):
        result.close()


class MainWindow(QMainWindow):
    """Unlock, then Accounts, Send, Receive and History; lock by hand or when idle."""

    def __init__(self, wallet_path: Path | None = None, *, live_updates: bool = True) -> None:
        super().__init__()
        self.setWindowTitle(self.tr("Coffer"))
        self.resize(1100, 680)
        self.session = Session(self)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.stack.addWidget(self._lock_page(wallet_path))

        shell = QWidget()
        row = QHBoxLayout(shell)
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(170)
        self.pages = QStackedWidget()
        self.dashboard_page = DashboardPage(self.session)
        self.accounts_page = AccountsPage(self.session)
        self.send_page = SendPage(self.session)
        self.receive_page = ReceivePage(self.session)
        self.history_page = HistoryPage(self.session)
        self.signing_page = SigningPage(self.session)
        self.settings_page = SettingsPage(self.session)
        for title, page in (
            (self.tr("Dashboard"), self.dashboard_page),
            (self.tr("Accounts"), self.accounts_page),
            (self.tr("Send"), self.send_page),
            (self.tr("Receive"), self.receive_page),
            (self.tr("History"), self.history_page),
            (self.tr("Sign elsewhere"), self.signing_page),
            (self.tr("Settings"), self.settings_page),
        ):
            self.nav.addItem(title)
            self.pages.addWidget(page)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.history_page.review_requested.connect(self._review_replacement)
        self.send_page.sign_elsewhere.connect(self._sign_elsewhere)
        row.addWidget(self.nav)
        row.addWidget(self.pages, 1)
        self.stack.addWidget(shell)
        self.onboarding = Onboarding(self.session)
        self.onboarding.done.connect(self._opened)
        self.onboarding.back.connect(lambda: self.stack.setCurrentIndex(0))
        self.stack.addWidget(self.onboarding)
        # Older names the tests and screenshots use.
        self.accounts_model = self.accounts_page.model
        self.accounts_view = self.accounts_page.view
        self.warnings = self.accounts_page.warnings

        self.toolbar = QToolBar(self.tr("Wallet"))
        self.toolbar.setObjectName("toolbar")
        self.toolbar.setMovable(False)
        self.addToolBar(self.toolbar)
        self.sync_action = QAction(self.tr("Sync"), self)
        self.sync_action.triggered.connect(self.sync)
        self.hide_action = QAction(self.tr("Hide balances"), self)
        self.hide_action.setCheckable(True)
        self.hide_action.toggled.connect(self.session.privacy.set_hidden)
        self.lock_action = QAction(self.tr("Lock"), self)
        self.lock_action.triggered.connect(self.lock)
        for action in (self.sync_action, self.hide_action, self.lock_action):
            self.toolbar.addAction(action)
        self.activity = QLabel("")
        self.activity.setObjectName("activity")
        self.toolbar.addWidget(self.activity)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("cancelWork")
        self.cancel_button.setToolTip(self.tr("Stop the sync or the refresh that is running"))
        self.cancel_button.clicked.connect(self.session.cancel)
        self.cancel_action = self.toolbar.addWidget(self.cancel_button)
        self.cancel_action.setVisible(False)
        self.session.cancellable.connect(self.cancel_action.setVisible)
        self.toolbar.hide()
        self.session.busy.connect(self._busy)
        self.session.synced.connect(lambda _changes: self._sync_done())
        self._watch_text = ""  # what live updates do; shown again when a task ends
        self._note = ""  # how the last sync ended, when it failed or was cancelled
        self.session.watching.connect(self._watching)
        self.live_updates = live_updates
        """Follow the networks live after unlocking (``Session.start_watching``)."""
        self.session.display_changed.connect(self._apply_display)

        self.autolock = AutoLock(DEFAULT_AUTOLOCK_MINUTES, self)
        self.autolock.expired.connect(self.lock)
        self.autolock.pause()
        app = QApplication.instance()
        if isinstance(app, QObject):
            app.installEventFilter(self.autolock)

    # -- the lock screen -------------------------------------------------------------------

    def _lock_page(self, wallet_path: Path | None) -> QWidget:
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
        layout.addWidget(QLabel("<h2>" + self.tr("Open a Coffer wallet") + "</h2>"))
        layout.addLayout(row)
        layout.addWidget(self.password_edit)
        layout.addWidget(self.unlock_button)
        self.cancel_unlock = QPushButton(self.tr("Cancel"))
        self.cancel_unlock.setObjectName("cancelUnlock")
        self.cancel_unlock.clicked.connect(self.session.cancel)
        self.cancel_unlock.hide()
        layout.addWidget(self.cancel_unlock)
        layout.addWidget(self.status)
        self.new_button = QPushButton(self.tr("Create, restore or watch a wallet..."))
        self.new_button.setObjectName("newWallet")
        self.new_button.clicked.connect(lambda: self.stack.setCurrentIndex(2))
        layout.addWidget(self.new_button)
        layout.addStretch()
        return unlock

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Wallet file"))
        if path:
            self.path_edit.setText(path)

    def unlock(self) -> None:
        """Open the wallet on a worker thread (the KDF takes a moment), then show it."""
        path = Path(self.path_edit.text())
        password = self.password_edit.text()
        self.unlock_button.setEnabled(False)
        self.cancel_unlock.show()
        self.status.setText(self.tr("Unlocking..."))
        self.session.run(
            lambda: Wallet.open(path, password),
            self._opened,
            self._failed,
            self.tr("Unlocking"),
            on_cancelled=self._unlock_cancelled,
            discard=_close,
        )

    def _unlock_cancelled(self) -> None:
        # The KDF cannot be stopped: its wallet, when it comes, is closed (``_close``).
        self.cancel_unlock.hide()
        self.unlock_button.setEnabled(True)
        self.status.setText(self.tr("Cancelled: the wallet stays locked."))

    def _opened(self, wallet: Wallet) -> None:
        self.password_edit.clear()
        self.status.clear()
        self.cancel_unlock.hide()
        self.unlock_button.setEnabled(True)
        self.session.set_wallet(wallet)
        self.setWindowTitle(f"Coffer - {wallet.path.name}")
        self.toolbar.show()
        self.nav.setCurrentRow(0)
        self.stack.setCurrentIndex(1)
        display = wallet.settings.display
        self.hide_action.setChecked(display.hide_balances)
        self._apply_display(display)
        if self.live_updates:
            self.session.start_watching()

    def _failed(self, message: str) -> None:
        self.status.setText(message)
        self.cancel_unlock.hide()
        self.unlock_button.setEnabled(True)

    # -- open wallet ----------------------------------------------------------------------

    def sync(self) -> None:
        """Sync every network off the GUI thread; the pages update what changed."""
        self.sync_action.setEnabled(False)
        self._note = ""

        def failed(message: str) -> None:
            self.sync_action.setEnabled(True)
            self._note = message  # stays in the busy area until the next sync
            self.activity.setText(message)

        self.session.sync(failed)

    def _review_replacement(
        self, acct: object, draft: object, warnings: object, fee: object
    ) -> None:
        # A bump, speed-up or cancel from the history: the send page's review, then w.sign.
        if isinstance(acct, Account) and isinstance(draft, Draft) and isinstance(warnings, list):
            fee_value = fee if isinstance(fee, Valuation) else None
            self.send_page.show_review(acct, draft, [str(w) for w in warnings], None, fee_value)
            self.nav.setCurrentRow(self.pages.indexOf(self.send_page))

    def _sign_elsewhere(self, acct: object, draft: object) -> None:
        if isinstance(acct, UtxoAccount) and isinstance(draft, UtxoDraft):
            self.signing_page.set_draft(acct, draft)
            self.nav.setCurrentRow(self.pages.indexOf(self.signing_page))

    def _apply_display(self, display: object) -> None:
        if not isinstance(display, DisplaySettings):
            return
        self.autolock.set_minutes(display.autolock_minutes)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, display.theme)

    def _sync_done(self) -> None:
        if not self.session.syncing:
            self.sync_action.setEnabled(True)

    def _busy(self, what: str) -> None:
        self.activity.setText(what + "..." if what else self._note or self._watch_text)

    def _watching(self, text: str) -> None:
        self._watch_text = text
        self.activity.setText(text)

    def lock(self) -> None:
        """Close the wallet and show the lock screen; nothing it showed stays in the pages."""
        if self.session.wallet is None:
            return
        self.session.lock()
        self._watch_text = ""
        self._note = ""
        self.autolock.pause()
        self.toolbar.hide()
        self.hide_action.setChecked(False)
        self.setWindowTitle(self.tr("Coffer"))
        self.stack.setCurrentIndex(0)
        self.status.setText(self.tr("Locked."))

    def closeEvent(self, event: QCloseEvent) -> None:
        """Close the wallet with the window."""
        self.session.lock()
        app = QApplication.instance()
        if isinstance(app, QObject):
            app.removeEventFilter(self.autolock)
        super().closeEvent(event)
