"""JSON-RPC batches to a Bitcoin Core node over the shared keep-alive HTTP transport.

Core answers a batch with one JSON array (HTTP 200), a failed call inside it with an
``error`` member; an error for the whole request (a wallet path that is not loaded, a bad
method in JSON-RPC 1.0) comes back as one JSON object with HTTP 404 or 500. A 401 means the
credentials were refused.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from chains.errors import BackendProtocolError, BackendUnavailable
from chains.jsonrpc_http import HttpTransport, JsonValue, decode_json

__all__ = ["CoreRpcClient", "RpcFailure"]


@dataclass(frozen=True, slots=True)
class RpcFailure:
    """An error answer to one call.

    Attributes:
        code: the JSON-RPC error code (Core's ``RPCErrorCode``), 0 when missing.
        message: the node's message.
    """

    code: int
    message: str


class CoreRpcClient:
    """JSON-RPC 1.0/2.0 to one Core node over one keep-alive HTTP connection, with batches.

    Args:
        url: ``http(s)://HOST:PORT`` of the node's RPC.
        auth: the base64 of ``user:password`` for HTTP basic authentication.
        timeout: seconds per HTTP request.

    Raises:
        ValueError: not an http(s) URL with a host.
    """

    def __init__(self, url: str, auth: str, timeout: float) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("the Core RPC URL must be http(s)://HOST:PORT")
        self.server = f"{parts.scheme}://{parts.hostname}:{parts.port or 80}"
        self._http = HttpTransport(
            url, server=self.server, timeout=timeout, headers={"Authorization": f"Basic {auth}"}
        )
        self._lock = threading.Lock()
        self._next_id = 1

    @property
    def round_trips(self) -> int:
        """Return the HTTP requests answered so far (a batch counts once)."""
        return self._http.round_trips

    def close(self) -> None:
        """Close the connection."""
        self._http.close()

    def batch(
        self, path: str, calls: Sequence[tuple[str, tuple[JsonValue, ...]]]
    ) -> list[JsonValue | RpcFailure]:
        """Send calls in one HTTP request; return results or failures in order.

        Raises:
            BackendUnavailable: the node cannot be reached, refuses the credentials or
                answers an HTTP server error without JSON.
            BackendProtocolError: the node answered garbage.
        """
        if not calls:
            return []
        with self._lock:
            first = self._next_id
            self._next_id += len(calls)
            body = json.dumps(
                [
                    {"jsonrpc": "2.0", "id": first + k, "method": m, "params": list(p)}
                    for k, (m, p) in enumerate(calls)
                ],
                default=str,
            ).encode()
            payload = self._post(path, body)
        answer = decode_json(payload, self.server)
        if isinstance(answer, dict) and answer.get("error"):
            failure = _failure(answer["error"])
            return [failure] * len(calls)
        if not isinstance(answer, list):
            raise self._garbage("a batch answer that is not a list")
        by_id: dict[int, JsonValue | RpcFailure] = {}
        for item in answer:
            if not isinstance(item, dict) or not isinstance(item.get("id"), int):
                raise self._garbage("a batch item without an id")
            ident = item["id"]
            assert isinstance(ident, int)  # noqa: S101 - checked above
            err = item.get("error")
            by_id[ident] = _failure(err) if err else item.get("result")
        try:
            return [by_id[first + k] for k in range(len(calls))]
        except KeyError:
            raise self._garbage("a batch with answers missing") from None

    def _garbage(self, what: str) -> BackendProtocolError:
        return BackendProtocolError(f"The node {self.server} answered {what}.", self.server)

    def _post(self, path: str, body: bytes) -> bytes:
        reply = self._http.post(body, path)
        if reply.status == 401:
            raise BackendUnavailable(
                f"The node {self.server} refused the RPC credentials.", self.server
            )
        if reply.status >= 500 and not reply.looks_like_json:
            raise BackendUnavailable(
                f"The node {self.server} answered HTTP {reply.status}.", self.server
            )
        if reply.status not in (200, 404, 500):
            raise self._garbage(f"HTTP {reply.status}")
        return reply.body


def _failure(error: JsonValue) -> RpcFailure:
    if isinstance(error, dict):
        code, message = error.get("code"), error.get("message")
        return RpcFailure(
            code if isinstance(code, int) else 0, message if isinstance(message, str) else ""
        )
    return RpcFailure(0, str(error))
