"""UTXO backends against real nodes: ElectrumX over litecoind, and litecoind's own RPC.

Each backend runs the shared conformance suite (``utxo_conformance.py``); the tests below it
cover what only networked backends have: tampered answers (a loopback proxy that rewrites
ElectrumX's replies), silent and vanished servers, failover, reconnecting, TLS pinning, and
Electrum and Core RPC agreeing on the same chain.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from chains.registry import UtxoNetwork
from chains.utxo.backend import UtxoBackend
from chains.utxo.corerpc import CoreRpcBackend
from chains.utxo.electrum import ElectrumBackend
from tests.integration.utxo_conformance import UtxoBackendConformance, assert_unsupported
from tests.nodes.utxo import ElectrumXServer, LitecoinChain, LitecoinNode

pytestmark = pytest.mark.nodes


class TestElectrumConformance(UtxoBackendConformance):
    @pytest.fixture
    def chain(self, litecoind: LitecoinNode, electrumx: ElectrumXServer) -> LitecoinChain:
        electrumx.wait_synced()
        return LitecoinChain(litecoind, electrumx)

    @pytest.fixture
    def backend(
        self, chain: LitecoinChain, electrumx: ElectrumXServer
    ) -> Iterator[ElectrumBackend]:
        backend = ElectrumBackend(chain.network, [electrumx.tcp], timeout=15)
        yield backend
        backend.close()

    @pytest.fixture
    def connect(self, electrumx: ElectrumXServer) -> Iterator[Callable[[UtxoNetwork], UtxoBackend]]:
        made: list[ElectrumBackend] = []

        def connect(network: UtxoNetwork) -> UtxoBackend:
            backend = ElectrumBackend(network, [electrumx.tcp], timeout=15)
            made.append(backend)
            return backend

        yield connect
        for backend in made:
            backend.close()

    def test_test_accept(self, backend: UtxoBackend, chain: LitecoinChain) -> None:  # type: ignore[override]
        from tests.integration.utxo_conformance import random_script

        raw = chain.signed_payment(random_script(), 33_000)
        assert_unsupported(lambda: backend.test_accept(raw))


class TestCoreRpcConformance(UtxoBackendConformance):
    @pytest.fixture
    def chain(self, litecoind: LitecoinNode) -> LitecoinChain:
        return LitecoinChain(litecoind)

    @pytest.fixture
    def backend(self, chain: LitecoinChain, litecoind: LitecoinNode) -> Iterator[CoreRpcBackend]:
        backend = CoreRpcBackend(
            chain.network, litecoind.url, user="u", password="p", wallet=f"watch-{uuid.uuid4().hex}"
        )
        yield backend
        backend.close()

    @pytest.fixture
    def connect(self, litecoind: LitecoinNode) -> Callable[[UtxoNetwork], UtxoBackend]:
        def connect(network: UtxoNetwork) -> UtxoBackend:
            return CoreRpcBackend(network, litecoind.url, user="u", password="p", wallet="other")

        return connect

    def test_watch(self, backend: UtxoBackend, chain: LitecoinChain) -> None:  # type: ignore[override]
        from tests.integration.utxo_conformance import random_script

        assert_unsupported(lambda: backend.watch({(5, 0, 0): random_script()}))
        assert backend.events.empty()
