"""One Electrum-protocol connection: JSON-RPC 2.0, one JSON value per line, over TCP or TLS.

Electrum protocol, protocol-basics, "Message Stream": every request and response is a JSON
object (or a JSON array for a batch) followed by a newline. A reader thread owns the socket's
input: it matches responses to waiting callers by id and hands notifications (subscription
updates) to a callback, so a caller may wait with its own deadline and live updates arrive
while nobody is asking.

Every failure becomes ``BackendUnavailable`` (refused, reset, timed out, TLS not trusted)
or ``BackendProtocolError`` (not JSON, wrong shapes) naming the server; no socket, ssl or json
exception leaves this module.
"""

from __future__ import annotations

import enum
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from chains.errors import BackendProtocolError, BackendUnavailable
from chains.utxo.electrum.transport import Transport, connect_transport

__all__ = [
    "BatchMode",
    "Call",
    "ElectrumConnection",
    "JsonValue",
    "RpcFailure",
    "ServerAddress",
]

_log = logging.getLogger(__name__)

JsonValue = None | bool | int | Decimal | str | list["JsonValue"] | dict[str, "JsonValue"]
"""A parsed JSON value; numbers with a fraction are ``Decimal`` (amounts are never float)."""

_MAX_LINE = 64 * 1024 * 1024  # a line longer than this is not a sane response


@dataclass(frozen=True, slots=True)
class Call:
    """One JSON-RPC request: method and positional parameters."""

    method: str
    params: tuple[JsonValue, ...] = ()


@dataclass(frozen=True, slots=True)
class RpcFailure:
    """A JSON-RPC error answer to one request."""

    code: int
    message: str


class BatchMode(enum.Enum):
    """How several requests share one round trip.

    ``ARRAY`` sends them as JSON-RPC batches (arrays); ``PIPELINE`` writes each request on its
    own line, all before reading. Both cost one round trip; ``bench/electrum_sync.py``
    measures them against ElectrumX.
    """

    ARRAY = "array"
    PIPELINE = "pipeline"


@dataclass(frozen=True, slots=True)
class ServerAddress:
    """Where an Electrum server listens.

    Attributes:
        host: host name or IP address.
        port: TCP port.
        tls: whether to speak TLS (``ssl://``), verified against the system's CAs (or
            ``ca_file``) unless ``fingerprint`` pins the certificate.
        fingerprint: SHA-256 of the server certificate (DER), hex: when set, exactly that
            certificate is accepted (a self-signed one included) and no CA is consulted.
    """

    host: str
    port: int
    tls: bool = True
    fingerprint: str | None = None

    @property
    def name(self) -> str:
        """Return ``ssl://host:port`` or ``tcp://host:port``: how messages name the server."""
        return f"{'ssl' if self.tls else 'tcp'}://{self.host}:{self.port}"

    @classmethod
    def parse(cls, text: str, fingerprint: str | None = None) -> ServerAddress:
        """Parse ``tcp://host:port``, ``ssl://host:port`` or Electrum's ``host:port:t|s``.

        Raises:
            ValueError: none of these forms.
        """
        if "://" in text:
            parts = urlsplit(text)
            if parts.scheme not in ("tcp", "ssl", "tls") or not parts.hostname or not parts.port:
                raise ValueError(f"{text!r} is not tcp://HOST:PORT or ssl://HOST:PORT")
            return cls(parts.hostname, parts.port, parts.scheme != "tcp", fingerprint)
        host, _, rest = text.rpartition(":")
        if rest in ("t", "s"):
            host, _, port = host.rpartition(":")
            tls = rest == "s"
        else:
            port, tls = rest, True
        if not host or not port.isdigit():
            raise ValueError(f"{text!r} is not HOST:PORT[:t|s]")
        return cls(host.strip("[]"), int(port), tls, fingerprint)


class ElectrumConnection:
    """A connection to one Electrum server with a reader thread.

    Args:
        address: the server.
        timeout: seconds for connecting and for each round trip's answers.
        on_notification: called from the reader thread with a notification's method and
            params (it must not block for long).
        on_lost: called from the reader thread once when the connection dies unexpectedly.
        mode: how batched requests go over the wire.
        max_batch: at most this many requests per JSON array (servers cap message sizes).
        ca_file: a CA bundle to verify TLS servers with, instead of the system's.
    """

    def __init__(
        self,
        address: ServerAddress,
        *,
        timeout: float,
        on_notification: Callable[[str, list[JsonValue]], None] | None = None,
        on_lost: Callable[[], None] | None = None,
        mode: BatchMode = BatchMode.ARRAY,
        max_batch: int = 200,
        ca_file: str | None = None,
    ) -> None:
        self.address = address
        self.server = address.name
        self._timeout = timeout
        self._on_notification = on_notification
        self._on_lost = on_lost
        self._mode = mode
        self._max_batch = max_batch
        self._ca_file = ca_file
        self._transport: Transport | None = None
        self._cv = threading.Condition()
        self._results: dict[int, JsonValue | RpcFailure] = {}
        self._waiting: set[int] = set()
        self._failure: BackendUnavailable | BackendProtocolError | None = None
        self._closing = False
        self._next_id = 1
        self.round_trips = 0

    # -- opening and closing ----------------------------------------------------------------

    def open(self) -> None:
        """Connect (and shake hands for TLS); start the reader thread.

        Raises:
            BackendUnavailable: refused, unreachable, timed out, or TLS not trusted.
            BackendProtocolError: the certificate does not match the pinned fingerprint.
        """
        addr = self.address
        # Sends give up after the timeout; the reader treats a timeout as "nothing yet" (an
        # idle connection is fine) while callers wait for answers with their own deadlines.
        transport = connect_transport(
            addr.host,
            addr.port,
            tls=addr.tls,
            timeout=self._timeout,
            server=self.server,
            fingerprint=addr.fingerprint,
            ca_file=self._ca_file,
        )
        self._transport = transport
        reader = threading.Thread(
            target=self._read_loop, args=(transport,), name=f"electrum {self.server}", daemon=True
        )
        reader.start()

    @property
    def alive(self) -> bool:
        """Return whether the connection is open and has not failed."""
        return self._transport is not None and self._failure is None and not self._closing

    def close(self) -> None:
        """Close the socket; waiting callers fail with ``BackendUnavailable``."""
        with self._cv:
            self._closing = True
            if self._failure is None:
                self._failure = BackendUnavailable(
                    f"The connection to {self.server} was closed.", self.server
                )
            self._cv.notify_all()
        transport, self._transport = self._transport, None
        if transport is not None:
            transport.shutdown()  # the reader thread closes it (see _read_loop)

    # -- reading ----------------------------------------------------------------------------

    def _read_loop(self, transport: Transport) -> None:
        try:
            self._read_until_failure(transport)
        finally:
            # Only the reader closes the socket, after its last ``recv``: closed from another
            # thread, its descriptor number could be reused by the next connection while
            # this thread still reads from it. Others only shut it down, which wakes ``recv``.
            transport.close()

    def _read_until_failure(self, transport: Transport) -> None:
        buf = bytearray()
        failure: BackendUnavailable | BackendProtocolError
        try:
            while True:
                try:
                    chunk = transport.recv()
                except TimeoutError:
                    if self._failure is not None:
                        return
                    continue
                if chunk is None:
                    failure = BackendUnavailable(
                        f"The server {self.server} closed the connection.", self.server
                    )
                    break
                buf += chunk
                while (end := buf.find(b"\n")) >= 0:
                    line = bytes(buf[:end])
                    del buf[: end + 1]
                    if line.strip():
                        self._dispatch(line)
                if len(buf) > _MAX_LINE:
                    raise BackendProtocolError(
                        f"The server {self.server} sent an endless line.", self.server
                    )
        except BackendProtocolError as e:
            failure = e
        except OSError as e:
            failure = BackendUnavailable(f"The connection to {self.server} broke.", self.server)
            failure.__cause__ = e
        self._fail(failure)

    def _fail(self, failure: BackendUnavailable | BackendProtocolError) -> None:
        """Record the first failure, wake every waiter, drop the socket, report the loss."""
        with self._cv:
            first = self._failure is None
            if first:
                self._failure = failure
            report = first and not self._closing
            self._cv.notify_all()
        if not first:
            return
        transport = self._transport
        if transport is not None:
            transport.shutdown()
        if report:
            _log.info("Electrum connection lost: %s", failure)
            if self._on_lost is not None:
                self._on_lost()

    def _dispatch(self, line: bytes) -> None:
        try:
            message = json.loads(line, parse_float=Decimal)
        except (ValueError, UnicodeDecodeError):
            raise BackendProtocolError(
                f"The server {self.server} sent something that is not JSON.", self.server
            ) from None
        items = message if isinstance(message, list) else [message]
        for item in items:
            if not isinstance(item, dict):
                raise BackendProtocolError(
                    f"The server {self.server} sent a message that is not a JSON object.",
                    self.server,
                )
            if "method" in item and item.get("id") is None:
                self._notify(item)
                continue
            self._answer(item)

    def _notify(self, item: dict[str, JsonValue]) -> None:
        method, params = item.get("method"), item.get("params")
        if not isinstance(method, str) or not isinstance(params, list):
            raise BackendProtocolError(
                f"The server {self.server} sent a malformed notification.", self.server
            )
        if self._on_notification is not None:
            self._on_notification(method, params)

    def _answer(self, item: dict[str, JsonValue]) -> None:
        ident = item.get("id")
        error = item.get("error")
        if ident is None and error is not None:  # a request or batch refused as a whole
            outcome = _failure_of(error, self.server)
            with self._cv:
                for waiting in self._waiting - self._results.keys():
                    self._results[waiting] = outcome
                self._cv.notify_all()
            return
        if not isinstance(ident, int) or isinstance(ident, bool):
            raise BackendProtocolError(
                f"The server {self.server} answered without a request id.", self.server
            )
        if error is not None:
            value: JsonValue | RpcFailure = _failure_of(error, self.server)
        elif "result" in item:
            value = item["result"]
        else:
            raise BackendProtocolError(
                f"The server {self.server} answered with neither result nor error.", self.server
            )
        with self._cv:
            if ident in self._waiting:
                self._results[ident] = value
                self._cv.notify_all()

    # -- requests ---------------------------------------------------------------------------

    def call_many(self, calls: Sequence[Call]) -> list[JsonValue | RpcFailure]:
        """Send requests in one round trip and return their answers in order.

        Raises:
            BackendUnavailable: the connection is down, breaks, or answers are late.
            BackendProtocolError: the server sent garbage (the connection is closed).
        """
        if not calls:
            return []
        with self._cv:
            if self._failure is not None:
                raise self._failure
            first = self._next_id
            self._next_id += len(calls)
            ids = range(first, first + len(calls))
            self._waiting.update(ids)
        try:
            self._write(self._encode(calls, first))
            return self._wait(ids)
        finally:
            with self._cv:
                self._waiting.difference_update(ids)
                for ident in ids:
                    self._results.pop(ident, None)

    def _encode(self, calls: Sequence[Call], first: int) -> bytes:
        requests = [
            {"jsonrpc": "2.0", "id": first + k, "method": c.method, "params": list(c.params)}
            for k, c in enumerate(calls)
        ]
        if self._mode is BatchMode.PIPELINE or len(requests) == 1:
            lines = [_dumps(r) for r in requests]
        else:
            step = self._max_batch
            lines = [_dumps(requests[i : i + step]) for i in range(0, len(requests), step)]
        return b"".join(line + b"\n" for line in lines)

    def _write(self, data: bytes) -> None:
        transport = self._transport
        if transport is None:
            raise BackendUnavailable(f"The connection to {self.server} is closed.", self.server)
        try:
            transport.sendall(data)
        except OSError as e:
            failure = BackendUnavailable(f"The connection to {self.server} broke.", self.server)
            self._fail(failure)
            raise failure from e
        self.round_trips += 1

    def _wait(self, ids: range) -> list[JsonValue | RpcFailure]:
        deadline = time.monotonic() + self._timeout
        with self._cv:
            while True:
                if all(i in self._results for i in ids):
                    return [self._results[i] for i in ids]
                if self._failure is not None:
                    raise self._failure
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cv.wait(left)
        # A late answer would be read as the answer to nothing; the server is too slow.
        failure = BackendUnavailable(
            f"The server {self.server} did not answer in time.", self.server
        )
        self._fail(failure)
        raise failure


def _dumps(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _failure_of(error: JsonValue, server: str) -> RpcFailure:
    if isinstance(error, dict):
        code = error.get("code")
        message = error.get("message")
        return RpcFailure(
            code if isinstance(code, int) and not isinstance(code, bool) else 0,
            message if isinstance(message, str) else "",
        )
    if isinstance(error, str):
        return RpcFailure(0, error)
    raise BackendProtocolError(f"The server {server} sent a malformed error.", server)
