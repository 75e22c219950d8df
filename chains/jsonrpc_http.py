"""One keep-alive HTTP(S) connection for JSON-RPC servers: Core nodes and Ethereum nodes.

Both the Bitcoin Core RPC backend (``chains.utxo.corerpc``) and the Ethereum JSON-RPC backend
(``chains.evm.jsonrpc``) POST JSON bodies to one server and read the answer; this module does
that part once: one ``http.client`` connection reused across requests, a timeout on each,
one reconnect when the server has dropped an idle keep-alive connection, and every socket,
HTTP or JSON failure turned into ``BackendUnavailable`` or ``BackendProtocolError`` naming the
server. What an HTTP status means is the caller's to say (Core answers RPC errors with HTTP
404 and 500 and a JSON body; an Ethereum provider's 429 or 5xx means "try another node"), so
``post`` returns the status with the body.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from chains.errors import BackendProtocolError, BackendUnavailable

__all__ = ["HttpReply", "HttpTransport", "JsonValue", "decode_json"]

JsonValue = None | bool | int | Decimal | str | list["JsonValue"] | dict[str, "JsonValue"]
"""A decoded JSON value; numbers with a fraction are ``Decimal`` (never ``float``)."""

# What a server that closed an idle keep-alive connection looks like on its next use.
_DROPPED = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


@dataclass(frozen=True, slots=True)
class HttpReply:
    """An HTTP answer: its status and its body.

    Attributes:
        status: the HTTP status code.
        body: the body's bytes.
    """

    status: int
    body: bytes

    @property
    def looks_like_json(self) -> bool:
        """Return whether the body starts as a JSON object or array (an RPC answer)."""
        return self.body.lstrip().startswith((b"{", b"["))


class HttpTransport:
    """One keep-alive HTTP(S) connection to a JSON-RPC server; thread-safe.

    Args:
        url: ``http(s)://HOST[:PORT][/PATH]``; requests go to its path unless ``post`` names
            another one.
        server: the server as messages name it (never with credentials).
        timeout: seconds to connect and to wait for each answer.
        headers: extra request headers (``Authorization``, ``Accept``).

    Raises:
        ValueError: not an http(s) URL with a host.
    """

    def __init__(
        self,
        url: str,
        *,
        server: str,
        timeout: float,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{server} is not an http(s) URL")
        self.server = server
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._timeout = timeout
        self._headers = {"Content-Type": "application/json", **(headers or {})}
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()
        self.round_trips = 0
        """Requests answered so far."""

    def post(self, body: bytes, path: str | None = None) -> HttpReply:
        """POST ``body`` (JSON) and return the answer, whatever its status.

        A keep-alive connection the server closed while idle is opened again once.

        Raises:
            BackendUnavailable: the server cannot be reached, closed the connection or did
                not answer within the timeout.
        """
        target = self._path if path is None else path
        with self._lock:
            for _attempt in range(2):
                conn, reused = self._connection()
                try:
                    conn.request("POST", target, body, self._headers)
                    resp = conn.getresponse()
                    payload = resp.read()
                except TimeoutError as e:
                    self._drop()
                    raise BackendUnavailable(
                        f"The node {self.server} did not answer in time.", self.server
                    ) from e
                except _DROPPED as e:
                    self._drop()
                    if reused:  # the server dropped an idle keep-alive connection: reconnect
                        continue
                    raise BackendUnavailable(
                        f"The node {self.server} closed the connection.", self.server
                    ) from e
                except (OSError, http.client.HTTPException) as e:
                    self._drop()
                    if reused:
                        continue
                    raise BackendUnavailable(
                        f"The node {self.server} cannot be reached.", self.server
                    ) from e
                self.round_trips += 1
                return HttpReply(resp.status, payload)
        raise BackendUnavailable(f"The node {self.server} closed the connection.", self.server)

    def _connection(self) -> tuple[http.client.HTTPConnection, bool]:
        if self._conn is not None:
            return self._conn, True
        cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        self._conn = cls(self._host, self._port, timeout=self._timeout)
        return self._conn, False

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        """Close the connection (the next ``post`` opens a new one)."""
        with self._lock:
            self._drop()


def decode_json(body: bytes, server: str) -> JsonValue:
    """Decode a JSON answer, fractions as ``Decimal``.

    Raises:
        BackendProtocolError: the body is not JSON (naming ``server``).
    """
    try:
        value: JsonValue = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        raise BackendProtocolError(
            f"The node {server} answered something that is not JSON.", server
        ) from None
    return value
