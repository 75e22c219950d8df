"""A way to stop long work between its steps: a sync of many accounts, an import, a refresh.

The person (or a script) holds a ``CancelToken`` and calls ``cancel``; the work checks it
between steps that each finish on their own (one account's sync, one page of a UTXO sync,
one price), so what was done stays stored and nothing is left half-written. A step that is
running (one server round trip, the KDF) is not interrupted.
"""

from __future__ import annotations

import threading

from wallet.errors import Cancelled

__all__ = ["CancelToken", "check_cancelled"]


class CancelToken:
    """Asks long work to stop at its next check; safe to use from any thread."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        """Make a token that has not been cancelled."""
        self._event = threading.Event()

    def __repr__(self) -> str:
        return f"<CancelToken {'cancelled' if self.cancelled else 'running'}>"

    def cancel(self) -> None:
        """Ask the work to stop at its next check."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Return whether ``cancel`` was called."""
        return self._event.is_set()

    def check(self, what: str = "The work") -> None:
        """Raise ``Cancelled`` if ``cancel`` was called.

        Args:
            what: what stops, for the message ("The sync").

        Raises:
            Cancelled: the token was cancelled.
        """
        if self._event.is_set():
            raise Cancelled(f"{what} was cancelled; what was finished before is kept.")


def check_cancelled(token: CancelToken | None, what: str = "The work") -> None:
    """Raise ``Cancelled`` when ``token`` is given and was cancelled (see ``CancelToken``).

    Raises:
        Cancelled: the token was cancelled.
    """
    if token is not None:
        token.check(what)
