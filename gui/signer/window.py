"""The offline signer's window: open the wallet, read a request, show, ask, sign, save.

Everything it shows comes from the signer's own reading of the request (the summary the
hot signer recomputed: every output with amount and address, change, fee and rate,
network; for EVM the recipient, value, call, chain id, nonce and maximum fee). Opening the
wallet (the KDF) and signing run on a worker thread; the signer's question comes back to
the GUI thread by signal (``GuiPrompt``), and the worker waits for the person's answer.
"""

from __future__ import annotations

import base64
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.workers import run_task
from wallet import Wallet
from wallet.cli.signing import format_summary
from wallet.networks import network_info
from wallet.signing.offline import request_kind, sign_eth_request, sign_message_request
from wallet.transport import PayloadKind, decode_frames, read_qr_images

__all__ = ["GuiPrompt", "SignerWindow", "read_request"]

_IMAGES = (".png", ".gif", ".jpg", ".jpeg", ".webp", ".bmp")


def read_request(paths: list[Path], pasted: str) -> tuple[str, bytes]:
    """Return the request's kind (``psbt``, ``message``, ``eth``) and bytes.

    Raises:
        WalletError: the images or text hold no request (``NoQrCode``, ``QrPayloadError``...).
    """
    if paths and all(p.suffix.lower() in _IMAGES for p in paths):
        payload = decode_frames(read_qr_images(paths))
        if payload.kind is PayloadKind.ETH_SIGN_REQUEST:
            return "eth", payload.data
        return "psbt", payload.data
    data = paths[0].read_bytes() if paths else pasted.strip().encode()
    lines = data.decode("ascii", "replace").split()
    if lines and all(line[:3].lower() == "ur:" for line in lines):
        payload = decode_frames(lines)
        return ("eth" if payload.kind is PayloadKind.ETH_SIGN_REQUEST else "psbt"), payload.data
    return request_kind(data), data


class GuiPrompt(QObject):
    """The signer's questions, asked on the GUI thread; the worker waits for the answer."""

    asked = Signal(str)

    def __init__(self) -> None:
        """Start with no question pending."""
        super().__init__()
        self._answer = False
        self._answered = threading.Event()

    def _ask(self, text: str) -> bool:
        self._answered.clear()
        self.asked.emit(text)
        self._answered.wait()
        return self._answer

    def answer(self, approve: bool) -> None:
        """Give the person's answer to the pending question (GUI thread)."""
        self._answer = approve
        self._answered.set()

    def confirm_transaction(self, summary: Any) -> bool:
        """Show the signer's own summary; return the person's answer."""
        info = network_info(summary.network)
        return self._ask("\n".join(format_summary(summary, info.symbol, info.decimals)))

    def confirm_message(self, request: Any) -> bool:
        """Show the message and the address; return the person's answer."""
        text = request.message.decode("utf-8", "replace")
        return self._ask(f"Sign this message as {request.address}:\n\n{text}")


class SignerWindow(QWidget):
    """Open a wallet with its seed, read a request, show what it does, ask, sign, save."""

    def __init__(self, wallet_path: Path | None = None) -> None:
        """Build the window (no wallet is open yet)."""
        super().__init__()
        self.setWindowTitle(self.tr("Coffer offline signer"))
        self.wallet: Wallet | None = None
        self.result: bytes | None = None
        self.result_kind = ""
        self.prompt = GuiPrompt()
        self.prompt.asked.connect(self._show_question)

        self.path_edit = QLineEdit(str(wallet_path or ""))
        self.path_edit.setObjectName("wallet_path")
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr("Password"))
        self.open_button = QPushButton(self.tr("Open wallet"))
        self.open_button.setObjectName("open_wallet")
        self.open_button.clicked.connect(self._open_wallet)
        self.request_button = QPushButton(self.tr("Read request (PSBT, QR images)..."))
        self.request_button.setObjectName("read_request")
        self.request_button.clicked.connect(self._choose_request)
        self.paste_edit = QPlainTextEdit()
        self.paste_edit.setObjectName("pasted")
        self.paste_edit.setPlaceholderText(self.tr("...or paste a Base64 PSBT or ur: frames"))
        self.summary = QPlainTextEdit()
        self.summary.setObjectName("summary")
        self.summary.setReadOnly(True)
        self.sign_button = QPushButton(self.tr("Sign"))
        self.sign_button.setObjectName("sign")
        self.decline_button = QPushButton(self.tr("Decline"))
        self.decline_button.setObjectName("decline")
        self.sign_button.clicked.connect(lambda: self._answer(True))
        self.decline_button.clicked.connect(lambda: self._answer(False))
        self.save_button = QPushButton(self.tr("Save signed result..."))
        self.save_button.setObjectName("save")
        self.save_button.clicked.connect(self._choose_save)
        self.status = QLabel(self.tr("This window never reaches the network."))
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        for button in (self.sign_button, self.decline_button, self.save_button):
            button.setEnabled(False)

        top = QHBoxLayout()
        for widget in (self.path_edit, self.password_edit, self.open_button):
            top.addWidget(widget)
        answer = QHBoxLayout()
        for widget in (self.sign_button, self.decline_button, self.save_button):
            answer.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.request_button)
        layout.addWidget(self.paste_edit)
        layout.addWidget(QLabel(self.tr("What the signer read (check it before signing):")))
        layout.addWidget(self.summary)
        layout.addLayout(answer)
        layout.addWidget(self.status)

    # -- opening ---------------------------------------------------------------------------

    def _open_wallet(self) -> None:
        path, password = Path(self.path_edit.text()), self.password_edit.text()
        self.status.setText(self.tr("Opening the wallet..."))
        self.open_button.setEnabled(False)
        run_task(lambda: Wallet.open(path, password), self._opened, self._failed)

    def _opened(self, wallet: Wallet) -> None:
        self.wallet = wallet
        self.password_edit.clear()
        self.status.setText(self.tr("Wallet open. Read a request to sign."))

    # -- reading and signing ---------------------------------------------------------------

    def _choose_request(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, self.tr("Request or QR images"))
        self.sign_request([Path(n) for n in names])

    def sign_request(self, paths: list[Path]) -> None:
        """Read the request (files, or the pasted text when ``paths`` is empty) and sign it.

        The signer's summary arrives by ``GuiPrompt.asked``; the result, once approved, is
        kept in ``result`` for ``save_result``.
        """
        wallet = self.wallet
        if wallet is None:
            self.status.setText(self.tr("Open the wallet first."))
            return
        pasted = self.paste_edit.toPlainText()
        self.result = None
        self.summary.clear()
        self.status.setText(self.tr("Reading the request..."))

        def work() -> tuple[str, bytes]:
            kind, data = read_request(paths, pasted)
            if kind == "message":
                return kind, sign_message_request(wallet.signer(), data, prompt=self.prompt)
            if kind == "eth":
                records = [a.record for a in wallet.accounts()]
                return kind, sign_eth_request(wallet.signer(), records, data, prompt=self.prompt)
            return kind, wallet.sign_psbt(data, prompt=self.prompt)

        run_task(work, self._signed, self._failed)

    def _show_question(self, text: str) -> None:
        self.summary.setPlainText(text)
        self.sign_button.setEnabled(True)
        self.decline_button.setEnabled(True)
        self.status.setText(self.tr("Check every line, then sign or decline."))

    def _answer(self, approve: bool) -> None:
        self.sign_button.setEnabled(False)
        self.decline_button.setEnabled(False)
        self.prompt.answer(approve)

    def _signed(self, outcome: tuple[str, bytes]) -> None:
        self.result_kind, self.result = outcome
        self.save_button.setEnabled(True)
        self.status.setText(self.tr("Signed. Save the result and carry it back."))

    def _failed(self, message: str) -> None:
        self.open_button.setEnabled(True)
        self.status.setText(message)

    # -- saving ------------------------------------------------------------------------------

    def _choose_save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Save the signed result"))
        if name:
            self.save_result(Path(name))

    def save_result(self, path: Path) -> None:
        """Write the result: a binary PSBT, or Base64 for ``.txt``; the signature files as is."""
        if self.result is None:
            return
        data = self.result
        if self.result_kind == "psbt" and path.suffix.lower() == ".txt":
            data = base64.b64encode(data)
        path.write_bytes(data)
        self.status.setText(self.tr("Saved to ") + str(path))

    def closeEvent(self, event: Any) -> None:
        """Close the wallet with the window."""
        if self.wallet is not None:
            self.wallet.close()
        super().closeEvent(event)
