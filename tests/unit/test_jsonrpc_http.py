"""The shared keep-alive HTTP JSON-RPC transport against a real HTTP server on loopback."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from chains.errors import BackendProtocolError, BackendUnavailable
from chains.jsonrpc_http import HttpTransport, decode_json


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.ports.append(self.client_address[1])  # type: ignore[attr-defined]
        status = 503 if body == b"busy" else 200
        answer = b'{"echo": 1.5}' if status == 200 else b"Service Unavailable"
        self.send_response(status)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)
        if body == b"then close":
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.ports = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _url(httpd: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}/"


def test_requests_reuse_one_connection(server: ThreadingHTTPServer) -> None:
    http = HttpTransport(_url(server), server="s", timeout=5)
    for _ in range(3):
        reply = http.post(b"{}")
        assert reply.status == 200
        assert reply.looks_like_json
    assert http.round_trips == 3
    assert len(set(server.ports)) == 1  # type: ignore[attr-defined]
    http.close()


def test_a_connection_the_server_closed_is_opened_again(server: ThreadingHTTPServer) -> None:
    http = HttpTransport(_url(server), server="s", timeout=5)
    assert http.post(b"then close").status == 200
    assert http.post(b"{}").status == 200  # the idle connection was gone: one reconnect
    assert len(set(server.ports)) == 2  # type: ignore[attr-defined]
    http.close()


def test_the_status_is_the_callers_to_judge(server: ThreadingHTTPServer) -> None:
    http = HttpTransport(_url(server), server="s", timeout=5)
    reply = http.post(b"busy")
    assert (reply.status, reply.looks_like_json) == (503, False)
    http.close()


def test_a_refused_connection_is_unavailable_naming_the_server() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    http = HttpTransport(f"http://127.0.0.1:{port}", server="node-a", timeout=5)
    with pytest.raises(BackendUnavailable, match="cannot be reached") as info:
        http.post(b"{}")
    assert info.value.server == "node-a"


def test_a_silent_server_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        http = HttpTransport(url, server="quiet", timeout=0.3)
        with pytest.raises(BackendUnavailable, match="did not answer in time"):
            http.post(b"{}")


def test_bad_json_is_a_protocol_error_and_numbers_are_decimal() -> None:
    with pytest.raises(BackendProtocolError, match="not JSON") as info:
        decode_json(b"<html>", "s")
    assert info.value.server == "s"
    assert str(decode_json(b'{"a": 0.1}', "s")) == "{'a': Decimal('0.1')}"


def test_only_http_urls() -> None:
    with pytest.raises(ValueError, match="not an http"):
        HttpTransport("ftp://example.org", server="ftp://example.org", timeout=1)
