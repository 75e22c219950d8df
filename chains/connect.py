"""Server specifications and the backend factories, one explicit table per chain family.

A server is configured as text, the way a user types it in settings:

========================================  ==============================================
``tcp://host:50001``                       Electrum protocol, plain TCP (UTXO)
``ssl://host:50002``                       Electrum protocol over TLS (UTXO)
``ssl://host:50002?fingerprint=HEX``       ...pinned to one certificate (SHA-256, self-signed OK)
``core://user:password@host:port``         Bitcoin Core / Litecoin Core JSON-RPC (UTXO)
``http(s)://host[:port]/path``             Ethereum JSON-RPC over HTTP (EVM)
``ws(s)://host[:port]/path``               Ethereum JSON-RPC over WebSocket (EVM)
``embedded``                               the in-process devnet of the network
========================================  ==============================================

Factories import their backend module only when called, so importing this module stays
cheap, and nothing registers itself at import time: the tables below are the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from chains.errors import Unsupported
from chains.evm.backend import EvmBackend
from chains.registry import EvmNetwork, UtxoNetwork
from chains.utxo.backend import UtxoBackend

__all__ = [
    "EVM_FACTORIES",
    "UTXO_FACTORIES",
    "InvalidServer",
    "ServerSpec",
    "connect_evm",
    "connect_utxo",
    "default_servers",
    "parse_server",
]

_UTXO_SCHEMES = ("tcp", "ssl", "core", "embedded")
_EVM_SCHEMES = ("http", "https", "ws", "wss", "embedded")


class InvalidServer(Unsupported, ValueError):
    """A server specification cannot be used for the network (bad form or wrong family)."""


@dataclass(frozen=True, slots=True, repr=False)
class ServerSpec:
    """A parsed server specification.

    Attributes:
        text: the specification as given (it may hold credentials: never shown in messages).
        scheme: ``tcp``, ``ssl``, ``core``, ``http``, ``https``, ``ws``, ``wss`` or
            ``embedded``.
        host: the host name, empty for ``embedded``.
        port: the port, or ``None`` for the scheme's default.
        user: the RPC user (``core://``), if given.
        password: the RPC password (``core://``), if given.
        fingerprint: for ``ssl://``, the SHA-256 (lowercase hex) of the one certificate to
            accept (a self-signed server's); ``None`` verifies against the system's CAs.
    """

    text: str
    scheme: str
    host: str = ""
    port: int | None = None
    user: str | None = None
    password: str | None = None
    fingerprint: str | None = None

    @property
    def display(self) -> str:
        """Return the server without credentials or path: what messages may show."""
        if self.scheme == "embedded":
            return "embedded"
        port = f":{self.port}" if self.port else ""
        return f"{self.scheme}://{self.host}{port}"

    def __repr__(self) -> str:
        return f"ServerSpec({self.display!r})"


def parse_server(text: str) -> ServerSpec:
    """Parse a server specification (see the module docstring).

    Raises:
        InvalidServer: not one of the forms above.
    """
    stripped = text.strip()
    if not stripped.isprintable() or not stripped.isascii():
        # Lone surrogates (undecodable bytes of argv) and control characters included: a host
        # name is ASCII (IDNA), and such text cannot be stored or sent.
        raise InvalidServer("A server is written in printable ASCII characters.")
    if stripped == "embedded":
        return ServerSpec(stripped, "embedded")
    try:
        parts = urlsplit(stripped)
        hostname = parts.hostname
    except ValueError as err:  # an unclosed "[" of an IPv6 address, for one
        raise InvalidServer(
            "The server is not a valid URL (an IPv6 address goes in brackets: ssl://[::1]:50002)."
        ) from err
    scheme = parts.scheme.lower()
    if scheme not in _UTXO_SCHEMES + _EVM_SCHEMES or not hostname:
        raise InvalidServer(
            "A server is tcp://HOST:PORT, ssl://HOST:PORT, core://USER:PASSWORD@HOST:PORT, "
            "an http(s):// or ws(s):// URL, or 'embedded'."
        )
    try:
        port = parts.port
    except ValueError:
        raise InvalidServer("The server's port is not a number from 1 to 65535.") from None
    if scheme in ("tcp", "ssl", "core") and port is None:
        raise InvalidServer(f"A {scheme}:// server needs a port.")
    return ServerSpec(
        stripped,
        scheme,
        hostname,
        port,
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
        _fingerprint(scheme, parts.query) if scheme in ("tcp", "ssl", "core") else None,
    )


def _fingerprint(scheme: str, query: str) -> str | None:
    """Read ``fingerprint=HEX`` from an Electrum server's query (``ssl://`` only)."""
    if not query:
        return None
    fields = parse_qs(query, keep_blank_values=True, strict_parsing=False)
    if scheme != "ssl" or set(fields) != {"fingerprint"} or len(fields["fingerprint"]) != 1:
        raise InvalidServer(
            "The only option of an Electrum server is ?fingerprint=SHA256 of its certificate, "
            "and only for ssl:// servers."
        )
    value = fields["fingerprint"][0].replace(":", "").strip().lower()
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise InvalidServer("A certificate fingerprint is its SHA-256: 64 hexadecimal digits.")
    return value


def default_servers(network: UtxoNetwork | EvmNetwork) -> tuple[str, ...]:
    """Return the servers a network uses until the user configures others."""
    if network.name in ("bitcoin-regtest", "evm-embedded"):
        return ("embedded",)
    if isinstance(network, EvmNetwork):
        return network.rpc_urls
    return tuple(
        f"{'ssl' if s.tls else 'tcp'}://{s.host}:{s.port}" for s in network.electrum_servers
    )


@dataclass(frozen=True, slots=True)
class LocalData:
    """Where a backend that keeps data of its own (an embedded devnet) keeps it.

    Attributes:
        folder: a folder of the wallet's own.
        key: the key (16 bytes or more) that seals what is kept there; its owner keeps it.
    """

    folder: Path
    key: bytes = field(repr=False)


UtxoFactory = Callable[[UtxoNetwork, Sequence[ServerSpec], LocalData], UtxoBackend]
EvmFactory = Callable[[EvmNetwork, Sequence[ServerSpec], LocalData], EvmBackend]


def _json_rpc(network: EvmNetwork, specs: Sequence[ServerSpec], _local: LocalData) -> EvmBackend:
    from chains.evm.jsonrpc import JsonRpcBackend

    return JsonRpcBackend(network, [s.text for s in specs])


def _evm_embedded(
    network: EvmNetwork, _specs: Sequence[ServerSpec], local: LocalData
) -> EvmBackend:
    """The in-process EVM chain, kept sealed in the wallet's own folder across processes."""
    from chains.evm.embedded import EmbeddedBackend

    return EmbeddedBackend(network, local.folder, storage_key=local.key)


def _electrum(network: UtxoNetwork, specs: Sequence[ServerSpec], _local: LocalData) -> UtxoBackend:
    from chains.utxo.electrum import ElectrumBackend, ServerAddress

    servers = []
    for spec in specs:
        assert spec.port is not None  # noqa: S101 - parse_server requires one for tcp/ssl
        servers.append(ServerAddress(spec.host, spec.port, spec.scheme == "ssl", spec.fingerprint))
    try:
        return ElectrumBackend(network, servers)
    except ValueError as err:
        raise InvalidServer(str(err)) from None


def _core_rpc(network: UtxoNetwork, specs: Sequence[ServerSpec], _local: LocalData) -> UtxoBackend:
    """Connect to the first Core node that answers (several are tried in order)."""
    from chains.errors import BackendUnavailable
    from chains.utxo.corerpc import CoreRpcBackend

    last: BackendUnavailable | None = None
    for spec in specs:
        if spec.user is None or spec.password is None:
            raise InvalidServer(
                f"{spec.display} needs the RPC user and password: core://USER:PASSWORD@HOST:PORT."
            )
        try:
            return CoreRpcBackend(
                network,
                f"http://{spec.host}:{spec.port}",
                user=spec.user,
                password=spec.password,
            )
        except BackendUnavailable as err:
            last = err
        except ValueError as err:
            raise InvalidServer(f"{spec.display}: {err}") from None
    assert last is not None  # noqa: S101 - _group refuses an empty list
    raise last


def _utxo_embedded(
    network: UtxoNetwork, _specs: Sequence[ServerSpec], local: LocalData
) -> UtxoBackend:
    """The in-process Bitcoin regtest devnet, its chain sealed in the wallet's own folder."""
    from chains.utxo.devnet import BitcoinDevnet

    return BitcoinDevnet(network, datadir=local.folder, storage_key=local.key)


UTXO_FACTORIES: dict[str, UtxoFactory] = {
    "tcp": _electrum,
    "core": _core_rpc,
    "embedded": _utxo_embedded,
}
"""UTXO backend factories by scheme; every spec given to one factory shares its scheme.

``ssl`` servers go to the ``tcp`` factory (``connect_utxo``): Electrum over TCP and TLS mix
freely for failover. ``embedded`` is the Bitcoin regtest devnet (``BitcoinDevnet``), which
keeps its chain in ``LocalData.folder`` (the wallet's own), sealed with ``LocalData.key``, and
refuses other networks.
"""

EVM_FACTORIES: dict[str, EvmFactory] = {
    "http": _json_rpc,
    "https": _json_rpc,
    "ws": _json_rpc,
    "wss": _json_rpc,
    "embedded": _evm_embedded,
}
"""EVM backend factories by scheme (http, https, ws and wss mix freely for failover).

``embedded`` is the in-process eth-tester chain (``EmbeddedBackend``), which keeps its blocks
in ``LocalData.folder`` (the wallet's own), sealed with ``LocalData.key``.
"""


def _group(specs: Sequence[ServerSpec], allowed: tuple[str, ...], title: str) -> str:
    if not specs:
        raise InvalidServer(f"No server is configured for {title}.")
    for spec in specs:
        if spec.scheme not in allowed:
            raise InvalidServer(f"{spec.display} is not a kind of server {title} can use.")
    kinds = {"json-rpc" if s.scheme in ("http", "https", "ws", "wss") else s.scheme for s in specs}
    kinds = {"electrum" if k in ("tcp", "ssl") else k for k in kinds}
    if len(kinds) > 1:
        raise InvalidServer(
            f"The servers of {title} mix kinds ({', '.join(sorted(kinds))}); use one kind."
        )
    return specs[0].scheme


def connect_utxo(
    network: UtxoNetwork, specs: Sequence[ServerSpec], local: LocalData
) -> UtxoBackend:
    """Return a backend for a UTXO network from its configured servers.

    Args:
        network: the network.
        specs: its servers, all of one kind (Electrum servers fail over in order).
        local: a folder of the wallet's own where an embedded devnet may keep its chain,
            and the key that seals it.

    Raises:
        InvalidServer: no server, a server of the wrong family, or mixed kinds.
        BackendUnavailable: no server could be reached.
        WrongServerNetwork: the server serves another network.
    """
    scheme = _group(specs, _UTXO_SCHEMES, network.title)
    factory = UTXO_FACTORIES.get("tcp" if scheme == "ssl" else scheme)
    if factory is None:
        raise InvalidServer(f"{network.title} cannot use {scheme} servers yet.")
    return factory(network, specs, local)


def connect_evm(network: EvmNetwork, specs: Sequence[ServerSpec], local: LocalData) -> EvmBackend:
    """Return a backend for an EVM network from its configured nodes (see ``connect_utxo``).

    Raises:
        InvalidServer: no node, a server of the wrong family, or mixed kinds.
        BackendUnavailable: no node could be reached.
        WrongServerNetwork: the node serves another chain id.
    """
    scheme = _group(specs, _EVM_SCHEMES, network.title)
    return EVM_FACTORIES[scheme](network, specs, local)
