"""The embedded Bitcoin regtest devnet runs the UTXO backend conformance suite.

The devnet is in-process (libbitcoinkernel through py-bitcoinkernel): no binary to find, so
nothing here skips. Its ``ChainControl`` pays from the devnet's faucet, P2WSH(``OP_TRUE``)
coins that need only the witness script, so every payment is a real transaction the kernel
verifies; nothing is mocked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from chains.registry import UtxoNetwork, get_network
from chains.utxo.backend import BlockRef, Txid, UtxoBackend
from chains.utxo.devnet import FAUCET_SCRIPT, FAUCET_WITNESS_SCRIPT, BitcoinDevnet
from primitives.tx import OutPoint, Transaction, TxIn, TxOut
from tests.integration.utxo_conformance import UtxoBackendConformance

NO_RBF = 0xFFFFFFFE  # signed_payment must not signal BIP-125 (the suite expects a conflict)
PAYMENT_FEE = 2_000
MATURITY = 100


class DevnetChain:
    """The suite's ``ChainControl`` on a ``BitcoinDevnet``: everything it does is in-process.

    ``signed_payment`` reserves the faucet coin it spends, so two payments built before
    either is broadcast never spend the same coin.
    """

    def __init__(self, devnet: BitcoinDevnet) -> None:
        self.devnet = devnet
        self._reserved: set[OutPoint] = set()

    @property
    def network(self) -> UtxoNetwork:
        return self.devnet.network

    def tip(self) -> BlockRef:
        return self.devnet.tip()

    def mine(self, n: int = 1, script: bytes | None = None) -> list[str]:
        return self.devnet.mine(n, script)

    def fund(self, script: bytes, amount_sats: int) -> Txid:
        return self.devnet.fund(script, amount_sats)

    def signed_payment(self, script: bytes, amount_sats: int) -> bytes:
        next_height = self.devnet.tip().height + 1
        for coin in self.devnet.utxos(FAUCET_SCRIPT):
            if coin.height is None or coin.outpoint in self._reserved:
                continue
            if coin.coinbase and next_height - coin.height < MATURITY:
                continue
            self._reserved.add(coin.outpoint)
            change = coin.value - amount_sats - PAYMENT_FEE
            outputs = (TxOut(amount_sats, script), TxOut(change, FAUCET_SCRIPT))
            txin = TxIn(coin.outpoint, b"", NO_RBF, (FAUCET_WITNESS_SCRIPT,))
            return Transaction(2, (txin,), outputs).serialize()
        raise AssertionError("the devnet's faucet has no mature coin left")

    def double_spend(self, raw_tx: bytes, script: bytes) -> bytes:
        tx = Transaction.parse(raw_tx)
        parents = self.devnet.get_transactions(tuple({i.prevout.txid_hex for i in tx.inputs}))
        total = sum(
            Transaction.parse(parents[Txid(i.prevout.txid_hex)]).outputs[i.prevout.vout].value
            for i in tx.inputs
        )
        inputs = tuple(TxIn(i.prevout, b"", NO_RBF, (FAUCET_WITNESS_SCRIPT,)) for i in tx.inputs)
        return Transaction(2, inputs, (TxOut(total - 5_000, script),)).serialize()

    def wait_for_tx(self, txid: str) -> None:
        """Return at once: the devnet is its own index, there is nothing to wait for."""

    def reorg(self, depth: int) -> list[str]:
        return self.devnet.reorg(depth)

    def block_time(self, height: int) -> int:
        return int.from_bytes(self.devnet.raw_block(height)[68:72], "little")


class TestDevnetConformance(UtxoBackendConformance):
    @pytest.fixture
    def other_network(self) -> UtxoNetwork:
        net = get_network("litecoin-regtest")
        assert isinstance(net, UtxoNetwork)
        return net

    @pytest.fixture
    def backend(self) -> Iterator[BitcoinDevnet]:
        with BitcoinDevnet() as devnet:  # the registry's bitcoin-regtest
            devnet.mine(130)  # 30 mature coinbases in the faucet
            yield devnet

    @pytest.fixture
    def chain(self, backend: BitcoinDevnet) -> DevnetChain:
        return DevnetChain(backend)

    @pytest.fixture
    def connect(self, backend: BitcoinDevnet) -> Iterator[Callable[[UtxoNetwork], UtxoBackend]]:
        made: list[BitcoinDevnet] = []

        def connect(network: UtxoNetwork) -> UtxoBackend:
            # One process holds a datadir at a time: the "same server" is the devnet itself;
            # any other network gets a devnet of its own, which must refuse it.
            if network.genesis_hash == backend.network.genesis_hash:
                return backend
            devnet = BitcoinDevnet(network)
            made.append(devnet)
            return devnet

        yield connect
        for devnet in made:
            devnet.close()
