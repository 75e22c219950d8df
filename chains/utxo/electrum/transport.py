"""The byte stream under an Electrum connection: plain TCP, or TLS safe across threads.

A part of ``connection``: one thread reads while others write.

Why TLS is done over memory BIOs here rather than with ``ssl.SSLSocket``: the connection has a
reader thread that waits in ``recv`` while callers send from their own threads, and OpenSSL
forbids calling ``SSL_read`` and ``SSL_write`` on the same ``SSL`` object at the same time
(openssl/openssl#20446: "you can't be reading and writing to the same SSL object at the same
time"). ``SSLSocket`` releases the GIL inside both, so the two threads did exactly that: a
request sent while the reader was taking in the server's TLS 1.3 session tickets came out
corrupted now and then, and the server dropped the connection or never answered. Here only
the plain socket is shared between threads (which the kernel allows); the ``ssl.SSLObject``
is used under one lock, never while blocked on the network.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import ssl
import threading

from chains.errors import BackendProtocolError, BackendUnavailable

__all__ = ["PlainTransport", "TlsTransport", "Transport", "connect_transport"]

_CHUNK = 1 << 16

_TlsSession = tuple[ssl.SSLObject, ssl.MemoryBIO, ssl.MemoryBIO]
"""A TLS session after its handshake: the object, its incoming and its outgoing BIO."""


class PlainTransport:
    """TCP without TLS: the socket is used as it is."""

    def __init__(self, sock: socket.socket, server: str) -> None:
        """Wrap a connected socket."""
        self._sock = sock
        self.server = server
        self._send_lock = threading.Lock()

    def recv(self) -> bytes | None:
        """Wait for bytes (up to the socket's timeout); ``None`` at the end of the stream.

        Raises:
            TimeoutError: nothing arrived within the timeout.
            OSError: the connection broke.
        """
        chunk = self._sock.recv(_CHUNK)
        return chunk if chunk else None

    def sendall(self, data: bytes) -> None:
        """Send every byte (one sender at a time).

        Raises:
            OSError: the connection broke or the send timed out.
        """
        with self._send_lock:
            self._sock.sendall(data)

    def shutdown(self) -> None:
        """End traffic both ways (wakes a blocked ``recv``) without freeing the descriptor."""
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Free the socket; only the reader thread calls this, after its last ``recv``."""
        with self._send_lock:
            self._sock.close()


class TlsTransport(PlainTransport):
    """TLS over memory BIOs: thread-safe for one reader and any number of senders.

    Records leave in the order OpenSSL produced them: whoever sends holds the send lock from
    taking bytes out of the outgoing BIO until they are on the wire.
    """

    def __init__(self, sock: socket.socket, server: str, session: _TlsSession) -> None:
        """Wrap a connected socket whose TLS handshake ``session`` has completed."""
        super().__init__(sock, server)
        self._tls, self._incoming, self._outgoing = session
        self._tls_lock = threading.Lock()

    def recv(self) -> bytes | None:
        """Wait for records and return the bytes they carry (``b""`` for records of TLS only).

        Raises:
            TimeoutError: nothing arrived within the timeout.
            OSError: the connection broke or a record does not decrypt (``ssl.SSLError``).
        """
        raw = self._sock.recv(_CHUNK)
        out = bytearray()
        ended = not raw
        with self._tls_lock:
            if raw:
                self._incoming.write(raw)
            else:
                self._incoming.write_eof()
            try:
                while True:
                    out += self._tls.read(_CHUNK)
            except ssl.SSLWantReadError:
                pass
            except (ssl.SSLZeroReturnError, ssl.SSLEOFError):  # close_notify, or a bare close
                ended = True
            answer_pending = self._outgoing.pending > 0
        # What reading produced (a key update's answer) goes out now unless a sender is busy;
        # that sender sends it right after its own records.
        if answer_pending and self._send_lock.acquire(blocking=False):
            try:
                self._flush()
            finally:
                self._send_lock.release()
        if out:
            return bytes(out)  # the end, if it came too, shows on the next call
        return None if ended else b""

    def sendall(self, data: bytes) -> None:
        """Encrypt and send every byte.

        Raises:
            OSError: the connection broke or the send timed out.
        """
        with self._send_lock:
            with self._tls_lock:
                self._tls.write(data)
            self._flush()

    def _flush(self) -> None:
        """Send what the outgoing BIO holds; the caller holds the send lock."""
        while True:
            with self._tls_lock:
                pending = self._outgoing.read()
            if not pending:
                return
            self._sock.sendall(pending)


Transport = PlainTransport
"""A connected byte stream (``PlainTransport`` or its TLS subclass)."""


def connect_transport(
    host: str,
    port: int,
    *,
    tls: bool,
    timeout: float,
    server: str,
    fingerprint: str | None = None,
    ca_file: str | None = None,
) -> Transport:
    """Connect, shake hands for TLS, check a pinned certificate; return the stream.

    Args:
        host: host name or address.
        port: TCP port.
        tls: speak TLS.
        timeout: seconds to connect, for each read during the handshake, and for sends.
        server: the server's name for messages.
        fingerprint: SHA-256 (hex) of the certificate to accept instead of consulting CAs.
        ca_file: a CA bundle instead of the system's.

    Raises:
        BackendUnavailable: refused, unreachable, timed out, or TLS not trusted.
        BackendProtocolError: the certificate does not match the pinned fingerprint.
    """
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except TimeoutError as e:
        raise BackendUnavailable(f"The server {server} did not answer in time.", server) from e
    except OSError as e:
        raise BackendUnavailable(f"The server {server} cannot be reached.", server) from e
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if not tls:
        return PlainTransport(sock, server)
    try:
        session = _handshake(sock, host, _context(fingerprint, ca_file))
    except ssl.SSLCertVerificationError as e:
        sock.close()
        raise BackendUnavailable(
            f"The server {server} presented a certificate that is not trusted.", server
        ) from e
    except TimeoutError as e:
        sock.close()
        raise BackendUnavailable(f"The server {server} did not answer in time.", server) from e
    except (OSError, EOFError) as e:  # ssl.SSLError is an OSError
        sock.close()
        raise BackendUnavailable(f"The TLS handshake with {server} failed.", server) from e
    if fingerprint is not None:
        der = session[0].getpeercert(binary_form=True) or b""
        if hashlib.sha256(der).hexdigest() != fingerprint.replace(":", "").lower():
            sock.close()
            raise BackendProtocolError(
                f"The server {server} presented a certificate other than the pinned one.", server
            )
    return TlsTransport(sock, server, session)


def _context(fingerprint: str | None, ca_file: str | None) -> ssl.SSLContext:
    if fingerprint is not None:
        # Pinned: the fingerprint is the trust anchor, so a self-signed certificate works.
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    return ssl.create_default_context(cafile=ca_file)


def _handshake(sock: socket.socket, host: str, ctx: ssl.SSLContext) -> _TlsSession:
    """Run the TLS handshake over memory BIOs on a blocking socket (with its timeout).

    Raises:
        ssl.SSLError: the handshake failed (``SSLCertVerificationError``: not trusted).
        TimeoutError, OSError: the network failed.
        EOFError: the server closed the connection during the handshake.
    """
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_hostname=host)
    while True:
        try:
            obj.do_handshake()
            done = True
        except ssl.SSLWantReadError:
            done = False
        pending = outgoing.read()
        if pending:
            sock.sendall(pending)
        if done:
            break
        chunk = sock.recv(_CHUNK)
        if not chunk:
            raise EOFError("closed during the TLS handshake")
        incoming.write(chunk)
    return obj, incoming, outgoing
