"""Words the GUI shows for the API's values (statuses), translated when shown."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from wallet.types import TxStatus

__all__ = ["status_text"]

_STATUS = {
    TxStatus.PENDING: QT_TRANSLATE_NOOP("Status", "pending"),
    TxStatus.CONFIRMED: QT_TRANSLATE_NOOP("Status", "confirmed"),
    TxStatus.REPLACED: QT_TRANSLATE_NOOP("Status", "replaced"),
    TxStatus.DROPPED: QT_TRANSLATE_NOOP("Status", "dropped"),
    TxStatus.FAILED: QT_TRANSLATE_NOOP("Status", "failed"),
}


def status_text(status: TxStatus) -> str:
    """Return a transaction status in the interface's language."""
    return QCoreApplication.translate("Status", _STATUS[status])
