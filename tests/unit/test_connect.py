"""Server specifications as a user types them: forms, refusals, certificate pins."""

from __future__ import annotations

import pytest

from chains.connect import InvalidServer, parse_server

PIN = "ab" * 32


def test_forms() -> None:
    electrum = parse_server("ssl://electrum.example:50002")
    assert (electrum.scheme, electrum.host, electrum.port, electrum.fingerprint) == (
        "ssl",
        "electrum.example",
        50002,
        None,
    )
    pinned = parse_server(f"ssl://10.0.0.2:50002?fingerprint={PIN.upper()}")
    assert pinned.fingerprint == PIN
    colons = ":".join(PIN[i : i + 2] for i in range(0, 64, 2))
    assert parse_server(f"ssl://10.0.0.2:50002?fingerprint={colons}").fingerprint == PIN
    core = parse_server("core://user:p%40ss@127.0.0.1:9332")
    assert (core.user, core.password, core.port) == ("user", "p@ss", 9332)
    assert "p@ss" not in repr(core)
    assert core.display == "core://127.0.0.1:9332"
    assert parse_server("https://rpc.example/v2/KEY?x=1").fingerprint is None
    assert parse_server("embedded").scheme == "embedded"


@pytest.mark.parametrize(
    "text",
    [
        "electrum.example:50002",
        "tcp://electrum.example",
        "ssl://electrum.example:99999",
        f"tcp://electrum.example:50001?fingerprint={PIN}",
        "ssl://electrum.example:50002?fingerprint=abc",
        f"ssl://electrum.example:50002?fingerprint={'zz' * 32}",
        f"ssl://electrum.example:50002?pin={PIN}",
        f"ssl://electrum.example:50002?fingerprint={PIN}&fingerprint={PIN}",
        "ftp://example:21",
        "ssl://[::1",
        "http://[::1/x",
        "tcp://\udcff:50001",
        "tcp://ho\nst:50001",
        "tcp://host\x00:50001",
    ],
    ids=[
        "no-scheme",
        "no-port",
        "port-out-of-range",
        "pin-on-plain-tcp",
        "short-pin",
        "pin-not-hex",
        "unknown-option",
        "two-pins",
        "unknown-scheme",
        "unclosed-ipv6-bracket",
        "unclosed-ipv6-bracket-http",
        "lone-surrogate",
        "inner-newline",
        "nul",
    ],
)
def test_refusals(text: str) -> None:
    with pytest.raises(InvalidServer):
        parse_server(text)
