"""``BackendPool.check_servers``: a server is asked before it is saved, on real nodes.

ElectrumX over litecoind regtest answers for Litecoin regtest and is refused for Bitcoin
regtest (another genesis block); anvil answers for its own chain and is refused for Ethereum
(another chain id); a port where nothing listens is said to be unreachable. Nothing is saved.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ABANDON, PASSWORD
from tests.nodes.evm import AnvilNode
from tests.nodes.utxo import ElectrumXServer
from wallet import Wallet
from wallet.errors import BackendUnavailable, NetworkMismatch, WalletError

pytestmark = pytest.mark.nodes


def test_servers_are_asked_for_their_network(
    tmp_path: Path, electrumx: ElectrumXServer, anvil: AnvilNode
) -> None:
    server = f"tcp://127.0.0.1:{electrumx.tcp_port}"
    with Wallet.create(tmp_path / "w.coffer", PASSWORD, ABANDON) as w:
        before = w.backends.servers("litecoin-regtest")
        said = w.backends.check_servers("litecoin-regtest", [server])
        assert said.startswith(f"{server}") or "block" in said
        assert "block" in said
        with pytest.raises(NetworkMismatch):
            w.backends.check_servers("bitcoin-regtest", [server])
        assert "block" in w.backends.check_servers("evm-local", [anvil.http_url])
        with pytest.raises(NetworkMismatch, match="chain id 31337"):
            w.backends.check_servers("ethereum", [anvil.http_url])
        with pytest.raises(BackendUnavailable):
            w.backends.check_servers("litecoin-regtest", ["tcp://127.0.0.1:9"])
        with pytest.raises(WalletError):
            w.backends.check_servers("ethereum", [server])  # an Electrum server for an EVM chain
        assert w.backends.servers("litecoin-regtest") == before  # nothing saved
