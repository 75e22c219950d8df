"""Signing elsewhere: hand a draft to an air-gapped signer or a hardware wallet, take it back.

A watch-only account cannot sign here. Its draft (from the send page's "Sign elsewhere", or a
PSBT opened from a file) is shown with the same review as the send page, written as a PSBT
file (binary or Base64, as Core, Sparrow and Electrum read it) or shown as an animated BC-UR
QR code (also saved as a GIF). The signed answer comes back from a file, QR images (PNG or
GIF, frames in any order) or pasted text; ``import_signed`` checks that it signs this very
draft before anything can be broadcast. What can sign is listed: this wallet's own keys, and
the hardware wallets HWI finds (``Session.hardware``). A listed device that holds a key of the
draft's account gets a "Sign on <device>" button (``wallet.sign_on_device``): its signed PSBT
goes through the same ``import_signed`` as one read from a file; for a multisig, what is
still missing is said, and the signatures of the other cosigners' PSBTs read next are added to
the device's. Files, QR decoding, devices and the network run off the GUI thread.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from gui.pages.receive import qr_pixmap
from gui.pages.review import review_html
from gui.session import Session
from gui.theme import ERROR_STYLE
from wallet import (
    Account,
    HardwareWallet,
    SignedTransaction,
    UtxoAccount,
    UtxoDraft,
    devices_for_account,
    sign_on_device,
)
from wallet.errors import SignaturesMissing, WalletError
from wallet.transport import (
    IMAGE_SUFFIXES,
    FrameFormat,
    Payload,
    PayloadKind,
    PsbtEncoding,
    decode_frames,
    encode_frames,
    frame_texts,
    psbt_of_payload,
    qr_text,
    read_psbt,
    read_psbt_file,
    read_qr_images,
    write_gif,
    write_psbt_file,
)

__all__ = ["SigningPage", "read_psbt_input"]

_FRAME_MS = 300


def read_psbt_input(paths: list[str] | None = None, text: str = "") -> bytes:
    """Return the binary PSBT in files (PSBT files or QR images) or in pasted text.

    Pasted text may be Base64 or hex, or the texts of QR frames (``ur:crypto-psbt/...`` or
    BBQr ``B$...``), one per line.

    Raises:
        WalletError: nothing to read, not a PSBT, QR frames missing or of another kind.
    """
    if paths:
        if all(p.lower().endswith(IMAGE_SUFFIXES) for p in paths):
            payload = decode_frames(read_qr_images(paths))
        elif len(paths) == 1:
            return read_psbt_file(paths[0])[0]
        else:
            raise WalletError("Choose one PSBT file, or QR images only.")
    else:
        if not text.strip():
            raise WalletError("Paste the signed PSBT, or open a file.")
        frames = frame_texts(text)
        if frames is None:
            return read_psbt("".join(text.split()))[0]
        payload = decode_frames(frames)
    return psbt_of_payload(payload)


class SigningPage(QWidget):
    """The draft, its export (file, animated QR), the signed answer, the broadcast."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.account: UtxoAccount | None = None
        self.draft: UtxoDraft | None = None
        self.signed: SignedTransaction | None = None
        self.devices: list[HardwareWallet] = []  # what "Look for hardware wallets" found
        self.partial: bytes | None = None  # a device's signatures, a multisig still lacking
        self.device_buttons: list[QPushButton] = []
        self.frames: tuple[str, ...] = ()
        self._frame = 0
        self._pixmaps: dict[int, QPixmap] = {}
        # In a scroll area: on a small window nothing (above all the QR code) is squeezed.
        content = QWidget()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        layout = QVBoxLayout(content)
        layout.addWidget(QLabel("<h2>" + self.tr("Sign elsewhere") + "</h2>"))
        intro = QLabel(
            self.tr(
                "A watch-only account prepares a transaction here; an air-gapped signer or a "
                "hardware wallet checks and signs it. Hand it over as a PSBT file or QR codes, "
                "then bring the signed one back."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)

        signers = QGroupBox(self.tr("Signers"))
        signers_layout = QHBoxLayout(signers)
        self.signers = QLabel("")
        self.signers.setObjectName("signersState")
        self.signers.setWordWrap(True)
        self.look = QPushButton(self.tr("Look for hardware wallets"))
        self.look.clicked.connect(self.look_for_devices)
        signers_layout.addWidget(self.signers, 1)
        signers_layout.addWidget(self.look)
        layout.addWidget(signers)

        tx = QGroupBox(self.tr("1. The transaction"))
        tx_layout = QVBoxLayout(tx)
        self.review = QLabel("")
        self.review.setObjectName("signingReview")
        self.review.setWordWrap(True)
        tx_layout.addWidget(self.review)
        self.open_button = QPushButton(self.tr("Open a PSBT…"))
        self.open_button.clicked.connect(self._choose_psbt)
        open_row = QHBoxLayout()
        open_row.addWidget(self.open_button)
        open_row.addStretch()
        tx_layout.addLayout(open_row)
        layout.addWidget(tx)

        out = QGroupBox(self.tr("2. Hand it to the signer"))
        out_layout = QHBoxLayout(out)
        self.qr = QLabel("")
        self.qr.setObjectName("signingQr")
        out_layout.addWidget(self.qr)
        out_buttons = QVBoxLayout()
        self.save_button = QPushButton(self.tr("Save PSBT file…"))
        self.save_button.clicked.connect(self._choose_save)
        self.gif_button = QPushButton(self.tr("Save animated QR (GIF)…"))
        self.gif_button.clicked.connect(self._choose_gif)
        self.frame_info = QLabel("")
        out_buttons.addWidget(self.save_button)
        out_buttons.addWidget(self.gif_button)
        out_buttons.addWidget(self.frame_info)
        self.device_row = QVBoxLayout()
        out_buttons.addLayout(self.device_row)
        out_buttons.addStretch()
        out_layout.addLayout(out_buttons, 1)
        layout.addWidget(out)

        back = QGroupBox(self.tr("3. The signed transaction"))
        back_layout = QVBoxLayout(back)
        self.paste = QPlainTextEdit()
        self.paste.setObjectName("signedPaste")
        self.paste.setPlaceholderText(
            self.tr("Paste the signed PSBT (Base64) or the texts of its QR codes")
        )
        self.paste.setMaximumHeight(56)
        back_layout.addWidget(self.paste)
        back_buttons = QHBoxLayout()
        self.read_button = QPushButton(self.tr("Read what is pasted"))
        self.read_button.clicked.connect(lambda: self.read_signed(text=self.paste.toPlainText()))
        self.open_signed_button = QPushButton(self.tr("Open signed PSBT or QR images…"))
        self.open_signed_button.clicked.connect(self._choose_signed)
        self.broadcast_button = QPushButton(self.tr("Broadcast"))
        self.broadcast_button.setObjectName("signingBroadcast")
        self.broadcast_button.clicked.connect(self.broadcast)
        back_buttons.addWidget(self.read_button)
        back_buttons.addWidget(self.open_signed_button)
        back_buttons.addStretch()
        back_buttons.addWidget(self.broadcast_button)
        back_layout.addLayout(back_buttons)
        self.error = QLabel("")
        self.error.setObjectName("signingError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        back_layout.addWidget(self.error)
        self.result = QLabel("")
        self.result.setObjectName("signingResult")
        self.result.setWordWrap(True)
        self.result.setOpenExternalLinks(True)
        back_layout.addWidget(self.result)
        layout.addWidget(back)
        layout.addStretch()

        self.timer = QTimer(self)
        self.timer.setInterval(_FRAME_MS)
        self.timer.timeout.connect(self._next_frame)
        session.opened.connect(self._opened)
        session.locked.connect(self.clear)
        session.privacy.changed.connect(lambda _hidden: self._show_review())
        self.clear()

    # -- state ---------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget the draft and what was signed (also when the wallet locks)."""
        self.timer.stop()
        self.account = None
        self.draft = None
        self.signed = None
        self.partial = None
        self.frames = ()
        self._pixmaps.clear()
        self.qr.clear()
        self.qr.setFixedSize(0, 0)
        self.frame_info.clear()
        self.paste.clear()
        self.error.clear()
        self.result.clear()
        self.review.setText(
            self.tr(
                "No transaction yet: prepare one on the Send page and choose “Sign elsewhere”, "
                "or open a PSBT."
            )
        )
        self._enable()

    def _enable(self) -> None:
        has_draft = self.draft is not None
        for button in (self.save_button, self.gif_button, self.read_button):
            button.setEnabled(has_draft)
        self.open_signed_button.setEnabled(has_draft)
        self.broadcast_button.setEnabled(self.signed is not None)
        self._device_buttons()

    def _device_buttons(self) -> None:
        """Offer "Sign on <device>" for each listed device holding a key of the draft's account."""
        for button in self.device_buttons:
            self.device_row.removeWidget(button)
            button.deleteLater()
        self.device_buttons = []
        if self.account is None or self.draft is None or self.signed is not None:
            return
        for device in devices_for_account(self.account, self.devices):
            button = QPushButton(self.tr("Sign on %1").replace("%1", device.title))
            button.setObjectName("signOnDevice")
            button.clicked.connect(lambda _checked=False, d=device: self.sign_on(d))
            self.device_row.addWidget(button)
            self.device_buttons.append(button)

    def _opened(self) -> None:
        self.clear()
        wallet = self.session.require()
        if wallet.is_watch_only:
            self.signers.setText(
                self.tr("This wallet is watch-only: it holds no key, another device signs.")
            )
        else:
            self.signers.setText(
                self.tr("This wallet's own keys sign here; an exported PSBT can go elsewhere too.")
            )

    def set_draft(self, account: Account, draft: UtxoDraft) -> None:
        """Show a draft to sign elsewhere and start its animated QR code."""
        if not isinstance(account, UtxoAccount):
            return
        self.clear()
        self.account = account
        self.draft = draft
        self._show_review()
        self.frames = encode_frames(Payload(PayloadKind.PSBT, draft.psbt), FrameFormat.UR)
        self._frame = 0
        count = len(self.frames)
        self.frame_info.setText(
            self.tr("%n QR code(s), shown in turn: scan until the signer has it all.", "", count)
        )
        self._next_frame()
        if len(self.frames) > 1:
            self.timer.start()
        self._enable()

    def _show_review(self) -> None:
        if self.account is None or self.draft is None:
            return
        self.review.setText(review_html(self.account, self.draft, self.session.privacy, []))

    def _next_frame(self) -> None:
        if not self.frames:
            return
        number = self._frame % len(self.frames)
        pixmap = self._pixmaps.get(number)
        if pixmap is None:
            pixmap = qr_pixmap(qr_text(self.frames[number]), scale=3)
            self._pixmaps[number] = pixmap
        self.qr.setFixedSize(pixmap.size())  # a QR code is never cropped: it would not scan
        self.qr.setPixmap(pixmap)
        self._frame += 1

    # -- opening a PSBT ------------------------------------------------------------------

    def _choose_psbt(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Open a PSBT"), "", self.tr("PSBT or QR images (*)")
        )
        if paths:
            self.open_psbt(paths)

    def open_psbt(self, paths: list[str]) -> None:
        """Read a PSBT of this wallet from files (off the GUI thread) and show it."""
        wallet = self.session.require()

        def work() -> tuple[UtxoAccount, UtxoDraft]:
            return wallet.draft_of_psbt(read_psbt_input(paths))

        def done(result: tuple[UtxoAccount, UtxoDraft]) -> None:
            self.set_draft(*result)

        self.session.run(work, done, self._failed, self.tr("Reading the PSBT"))

    # -- handing it over -----------------------------------------------------------------

    def _choose_save(self) -> None:
        path, chosen = QFileDialog.getSaveFileName(
            self,
            self.tr("Save the PSBT"),
            "unsigned.psbt",
            self.tr("PSBT, binary (*.psbt);;PSBT, Base64 text (*.txt)"),
        )
        if path:
            self.save_psbt(path, base64=chosen.endswith("(*.txt)") or path.endswith(".txt"))

    def save_psbt(self, path: str, *, base64: bool = False) -> None:
        """Write the draft's PSBT to ``path`` (binary, or Base64 text)."""
        if self.draft is None:
            return
        encoding = PsbtEncoding.BASE64 if base64 else PsbtEncoding.BINARY
        # With a device's signatures (a multisig still lacking some), the next cosigner
        # gets them too.
        psbt = self.draft.psbt if self.partial is None else self.partial
        try:
            written = write_psbt_file(path, psbt, encoding)
        except WalletError as err:
            self._failed(str(err))
            return
        self.error.clear()
        self.result.setText(self.tr("Saved to %1.").replace("%1", escape(str(written))))

    def _choose_gif(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save the animated QR code"), "unsigned.gif", "GIF (*.gif)"
        )
        if path:
            self.save_gif(path)

    def save_gif(self, path: str) -> None:
        """Write the draft's QR frames as an animated GIF (off the GUI thread)."""
        frames = self.frames

        def work() -> str:
            return str(write_gif(frames, Path(path)))

        def done(written: str) -> None:
            self.error.clear()
            self.result.setText(self.tr("Saved to %1.").replace("%1", escape(written)))

        self.session.run(work, done, self._failed, self.tr("Writing the QR codes"))

    # -- the answer ----------------------------------------------------------------------

    def _choose_signed(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Open the signed PSBT"), "", self.tr("PSBT or QR images (*)")
        )
        if paths:
            self.read_signed(paths=paths)

    def read_signed(self, paths: list[str] | None = None, text: str = "") -> None:
        """Read the signer's answer and check that it signs this draft (off the GUI thread)."""
        account, draft = self.account, self.draft
        if account is None or draft is None:
            return

        partial = () if self.partial is None else (self.partial,)

        def work() -> SignedTransaction:
            return account.import_signed(draft, read_psbt_input(paths, text), *partial)

        self.signed = None
        self._enable()
        self.session.run(work, self._accepted, self._failed, self.tr("Checking the signed PSBT"))

    def _accepted(self, signed: SignedTransaction) -> None:
        self.signed = signed
        self.error.clear()
        self.result.setText(
            self.tr("Signed and complete. Transaction id:") + f"<br><tt>{escape(signed.txid)}</tt>"
        )
        self.timer.stop()
        self._enable()

    def broadcast(self) -> None:
        """Send the signed transaction to the network (off the GUI thread)."""
        account, signed = self.account, self.signed
        if account is None or signed is None:
            return
        settings = self.session.require().settings

        def done(txid: str) -> None:
            link = settings.transaction_link(account.network.name, txid)
            where = (
                f' <a href="{escape(link)}">' + self.tr("See it on the explorer") + "</a>"
                if link
                else ""
            )
            self.result.setText(
                self.tr("Sent. Transaction id:") + f"<br><tt>{escape(txid)}</tt>" + where
            )
            self.signed = None
            self.draft = None
            self._enable()

        self.broadcast_button.setEnabled(False)
        self.session.run(
            lambda: account.broadcast(signed), done, self._failed, self.tr("Broadcasting")
        )

    def sign_on(self, device: HardwareWallet) -> None:
        """Have ``device`` sign the draft (off the GUI thread; Cancel abandons the wait).

        The device shows the transaction on its own screen and asks; its PSBT then goes
        through ``import_signed`` like one read from a file. A multisig still lacking
        signatures keeps the device's: the page says what is missing, and the other
        cosigners' PSBTs read next are combined with it.
        """
        account, draft = self.account, self.draft
        if account is None or draft is None:
            return
        open_client = self.session.hardware.open_client
        partial = () if self.partial is None else (self.partial,)

        def work() -> tuple[bytes, SignedTransaction | None, str]:
            psbt = sign_on_device(account, draft, None, [device], open_client=open_client)
            try:
                return psbt, account.import_signed(draft, psbt, *partial), ""
            except SignaturesMissing as err:
                return psbt, None, str(err)

        def done(result: tuple[bytes, SignedTransaction | None, str]) -> None:
            psbt, signed, missing = result
            self.error.clear()
            if signed is None:
                self.partial = psbt
                self.result.setText(
                    escape(self.tr("Signed on %1.").replace("%1", device.title))
                    + "<br>"
                    + escape(missing)
                    + "<br>"
                    + escape(
                        self.tr(
                            "Save the PSBT (it carries this signature) for the other "
                            "cosigners, then read their signed PSBTs here."
                        )
                    )
                )
                self._enable()
                return
            self._accepted(signed)

        def cancelled() -> None:
            self._failed(self.tr("Cancelled."))

        for button in self.device_buttons:
            button.setEnabled(False)
        self.session.run(
            work,
            done,
            self._failed,
            self.tr("Signing on %1").replace("%1", device.title),
            on_cancelled=cancelled,
        )

    def look_for_devices(self) -> None:
        """Ask HWI which hardware wallets are connected (off the GUI thread)."""

        def done(found: object) -> None:
            devices = found if isinstance(found, list) else []
            self.devices = devices
            self._enable()
            if not devices:
                self.signers.setText(
                    self.signers.text().split("\n")[0]
                    + "\n"
                    + self.tr("No hardware wallet is connected.")
                )
                return
            names = ", ".join(
                f"{d.model or d.kind}" + (f" ({d.fingerprint})" if d.fingerprint else "")
                for d in devices
            )
            self.signers.setText(
                self.signers.text().split("\n")[0]
                + "\n"
                + self.tr("Hardware wallets: %1").replace("%1", names)
            )

        def failed(message: str) -> None:
            self.signers.setText(self.signers.text().split("\n")[0] + "\n" + message)

        self.session.run(
            self.session.hardware.find, done, failed, self.tr("Looking for hardware wallets")
        )

    def _failed(self, message: str) -> None:
        self.error.setText(message)
        self._enable()
