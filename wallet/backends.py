"""The wallet's connections to chain servers: which servers each network uses, and live backends.

Servers per network are settings stored in the wallet file (they may carry RPC credentials,
so they stay inside the encrypted database); until the user sets some, a network uses its
registry defaults. A backend is connected on first use and kept until the wallet closes.
Tests and the demo can hand in a live backend (an embedded devnet) with ``use``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Sequence
from pathlib import Path

from chains.connect import (
    LocalData,
    ServerSpec,
    connect_evm,
    connect_utxo,
    default_servers,
    parse_server,
)
from chains.evm.backend import EvmBackend
from chains.registry import EvmNetwork, UtxoNetwork, get_network
from chains.utxo.backend import UtxoBackend
from wallet.errors import NetworkMismatch, WalletError, translate_errors
from wallet.storage import WalletDatabase
from wallet.storage.settings import SettingsStore

__all__ = ["BackendPool"]


class BackendPool:
    """Live backends per network, connected from the wallet's server settings on first use."""

    def __init__(self, database: WalletDatabase, data_dir: Path) -> None:
        """Bind to the wallet database; ``data_dir`` is where embedded devnets keep chains."""
        self._settings = SettingsStore(database)
        self._data_dir = data_dir
        self._live: dict[str, UtxoBackend | EvmBackend] = {}
        self._borrowed: set[str] = set()
        self._lock = threading.Lock()

    def servers(self, network: str) -> tuple[str, ...]:
        """Return the servers configured for a network, or its defaults.

        Raises:
            UnknownNetwork: no such network.
        """
        with translate_errors():
            net = get_network(network)
        stored = self._settings.get(f"servers:{net.name}")
        if stored is None:
            return default_servers(net)
        return tuple(str(s) for s in json.loads(stored))

    def set_servers(self, network: str, servers: Sequence[str]) -> None:
        """Configure the servers of a network (an empty list restores the defaults).

        Each is checked for form before anything is saved; the live backend of the network,
        if any, is closed so that the next use connects to the new servers.

        Raises:
            UnknownNetwork: no such network.
            WalletError: a server specification that is malformed or of the wrong family.
        """
        net, specs = self._specs(network, servers)
        if specs:
            self._settings.set(f"servers:{net.name}", json.dumps([s.text for s in specs]))
        else:
            self._settings.clear(f"servers:{net.name}")
        with self._lock:
            self._drop(net.name)

    def _specs(
        self, network: str, servers: Sequence[str]
    ) -> tuple[UtxoNetwork | EvmNetwork, list[ServerSpec]]:
        with translate_errors():
            net = get_network(network)
            specs = [parse_server(s) for s in servers]
        evm = isinstance(net, EvmNetwork)
        for spec in specs:
            is_evm_scheme = spec.scheme in ("http", "https", "ws", "wss")
            if spec.scheme != "embedded" and is_evm_scheme != evm:
                raise WalletError(f"{spec.display} is not a kind of server {net.title} can use.")
        return net, specs

    def check_servers(self, network: str, servers: Sequence[str]) -> str:
        """Ask servers (not saved, not kept) whether they answer for a network; say who did.

        What a settings form calls before ``set_servers``: one round trip, which checks the
        network too (an Electrum server's genesis block, a node's chain id). An embedded
        devnet needs no check.

        Returns:
            The server that answered and its tip (``"tcp://host:50001: block 812345"``).

        Raises:
            UnknownNetwork: no such network.
            WalletError: a server specification that is malformed or of the wrong family.
            BackendUnavailable: no server answered (the message names them).
            NetworkMismatch: a server serves another network (the message says which).
        """
        net, specs = self._specs(network, servers)
        if not specs or all(s.scheme == "embedded" for s in specs):
            return f"{net.title}: the embedded devnet"
        with translate_errors():
            local = LocalData(self._data_dir / net.name, b"")
            if isinstance(net, UtxoNetwork):
                utxo = connect_utxo(net, specs, local)
                try:
                    return f"{utxo.server_name}: block {utxo.tip().height}"
                finally:
                    utxo.close()
            evm = connect_evm(net, specs, local)
            try:
                chain_id = evm.chain_id()
                if chain_id != net.chain_id:
                    raise NetworkMismatch(
                        f"{evm.server} serves chain id {chain_id}, not {net.title} "
                        f"(chain id {net.chain_id}).",
                        account_network=net.name,
                    )
                return f"{evm.server}: block {evm.block_number()}"
            finally:
                evm.close()

    def use(self, network: str, backend: UtxoBackend | EvmBackend) -> None:
        """Use a live backend for a network from now on (an embedded devnet, a test node).

        The pool does not close a backend handed in this way: its owner does.
        """
        with translate_errors():
            net = get_network(network)
        if backend.network.name != net.name:
            raise WalletError(f"That backend serves {backend.network.title}, not {net.title}.")
        with self._lock:
            self._drop(net.name)
            self._live[net.name] = backend
            self._borrowed.add(net.name)

    def utxo(self, network: UtxoNetwork) -> UtxoBackend:
        """Return the backend of a UTXO network, connecting it on first use.

        Raises:
            BackendUnavailable: no server of the network could be reached.
            NetworkMismatch: a server serves another network.
        """
        live = self._get(network)
        if not isinstance(live, UtxoBackend):
            raise WalletError(f"The backend of {network.title} is not a UTXO backend.")
        return live

    def evm(self, network: EvmNetwork) -> EvmBackend:
        """Return the backend of an EVM network, connecting it on first use.

        Raises:
            BackendUnavailable: no node of the network could be reached.
            NetworkMismatch: a node serves another chain id.
        """
        live = self._get(network)
        if not isinstance(live, EvmBackend):
            raise WalletError(f"The backend of {network.title} is not an EVM backend.")
        return live

    def _get(self, network: UtxoNetwork | EvmNetwork) -> UtxoBackend | EvmBackend:
        with self._lock:
            live = self._live.get(network.name)
            if live is not None:
                return live
            with translate_errors():
                specs = [parse_server(s) for s in self.servers(network.name)]
                data_dir = self._data_dir / network.name
                embedded = any(s.scheme == "embedded" for s in specs)
                key = self.devnet_key(network.name) if embedded else b""
                local = LocalData(data_dir, key)
                backend: UtxoBackend | EvmBackend = (
                    connect_utxo(network, specs, local)
                    if isinstance(network, UtxoNetwork)
                    else connect_evm(network, specs, local)
                )
            self._live[network.name] = backend
            return backend

    def devnet_key(self, network: str) -> bytes:
        """Return the key that seals a network's embedded devnet files in the wallet's folder.

        Derived (HMAC-SHA256, the network's name as message) from a random key made once and
        kept in the encrypted wallet database, so it survives password changes. For tools
        and tests that open that devnet themselves.
        """
        stored = self._settings.get_or_set("devnet_key", secrets.token_hex(32))
        return hmac.new(bytes.fromhex(stored), network.encode(), hashlib.sha256).digest()

    def devnet_folder(self, network: str) -> Path:
        """Return the folder of the wallet's own where a network's embedded devnet keeps its chain.

        Raises:
            UnknownNetwork: no such network.
        """
        with translate_errors():
            net = get_network(network)
        return self._data_dir / net.name

    def disconnect(self, network: str) -> None:
        """Close the live backend of a network, if any; the next use connects again.

        A backend handed in with ``use`` is forgotten, not closed (its owner closes it).

        Raises:
            UnknownNetwork: no such network.
        """
        with translate_errors():
            net = get_network(network)
        with self._lock:
            self._drop(net.name)

    def _drop(self, name: str) -> None:
        old = self._live.pop(name, None)
        if old is not None and name not in self._borrowed:
            old.close()
        self._borrowed.discard(name)

    def close(self) -> None:
        """Close every backend the pool connected itself."""
        with self._lock:
            for name in list(self._live):
                self._drop(name)
