"""Run wallet work (KDF, network, signing) off the GUI thread; results come back by signal."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from wallet.errors import WalletError

__all__ = ["Task", "run_task"]

_log = logging.getLogger(__name__)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(str)


class Task(QRunnable):
    """A call run on the thread pool; ``done`` carries its result, ``failed`` the error text."""

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.signals = _Signals()
        self._work = work

    def run(self) -> None:
        """Run the work; a ``WalletError`` is shown to the person in its own words.

        Anything else is a defect: it is logged with its traceback (the library configures no
        handler) and the page is told, by the error's type only, so it never waits forever.
        """
        try:
            result = self._work()
        except WalletError as err:
            self.signals.failed.emit(str(err))
            return
        except Exception as err:  # a defect must not leave the page waiting
            _log.exception("background work failed")
            self.signals.failed.emit(
                f"Something went wrong ({type(err).__name__}); nothing more was done."
            )
            return
        self.signals.done.emit(result)


def run_task(
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[str], None],
    pool: QThreadPool | None = None,
) -> Task:
    """Start ``work`` on ``pool`` (the global pool by default) and wire its signals."""
    task = Task(work)
    task.signals.done.connect(on_done)
    task.signals.failed.connect(on_failed)
    (pool or QThreadPool.globalInstance()).start(task)
    return task
