"""Keep the offline signer offline: refuse every socket while it runs.

``NetworkGuard`` adds a Python audit hook (PEP 578) that raises ``NetworkForbidden`` on
every ``socket.*`` event (creating a socket, connecting, binding, resolving a name) and on
``urllib.Request`` and ``http.client.connect``. Audit hooks cannot be removed, so the hook
holds its own switch: armed inside the ``with`` block, inert after it. A signer process
(``coffer signer``, ``python -m gui.signer``) arms it before it opens the wallet file and
keeps it armed until it exits; the seed never shares a process with a socket.
"""

from __future__ import annotations

import sys
from types import TracebackType

from wallet.errors import NetworkForbidden

__all__ = ["FORBIDDEN_EVENTS", "NetworkGuard"]

FORBIDDEN_EVENTS = ("socket.", "urllib.Request", "http.client.connect")
"""Audit events (prefixes) the guard refuses."""


class NetworkGuard:
    """A context manager during which no socket can be made or used in this process."""

    __slots__ = ("_armed",)

    def __init__(self) -> None:
        """Add the (inert) hook; ``__enter__`` arms it."""
        self._armed = False
        sys.addaudithook(self._hook)

    def _hook(self, event: str, args: tuple[object, ...]) -> None:
        if self._armed and event.startswith(FORBIDDEN_EVENTS):
            raise NetworkForbidden(
                f"The offline signer refused a network operation ({event}): it never "
                "reaches the network."
            )

    @property
    def armed(self) -> bool:
        """Return whether sockets are refused now."""
        return self._armed

    def __enter__(self) -> NetworkGuard:
        self._armed = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._armed = False
