"""Mine, fund, inspect and reset the wallet's embedded devnets (``wallet.devnet(network)``).

The embedded devnets are the networks whose server is ``embedded``: ``bitcoin-regtest``
(libbitcoinkernel in-process) and ``evm-embedded`` (eth-tester on py-evm). Each keeps its
chain sealed in the wallet's own folder (``<wallet>.d/<network>``), so what one process mines
or funds is there for the next. ``DevnetControl`` drives the live devnet of one network
through the wallet's backend pool; any other network is refused with ``NotADevnet``.

- ``mine(count, to=None)``: mine blocks. Bitcoin pays each block's reward to ``to`` (an
  address) or, by default, to the devnet's own faucet; EVM blocks pay no reward.
- ``fund(address, amount)``: pay an address from the devnet's own coins, confirmed in a new
  block. Bitcoin spends mature faucet coins (mining the 101 blocks that make the first
  one spendable when there are none yet); EVM sends from eth-tester's first prefunded
  account.
- ``status()``: tip height and hash, mempool size, the folder the chain is kept in.
- ``reset()``: close the devnet and remove its folder (the chain is gone for good).

The EVM devnet is recognised by its devnet-only methods (``EvmDevnet``), not by its class:
importing eth-tester and py-evm costs about a second, which ``import wallet`` should not pay.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Protocol, runtime_checkable

from chains.addresses import parse_address, parse_evm_address
from chains.devnet_storage import erase_devnet
from chains.evm.backend import Block, Receipt
from chains.registry import EvmNetwork, UtxoNetwork
from chains.utxo.devnet import BitcoinDevnet
from chains.utxo.devnet.blocks import subsidy
from chains.utxo.devnet.mempool import COINBASE_MATURITY
from chains.utxo.errors import FaucetEmpty
from chains.utxo.sizes import dust_policy
from wallet.amounts import Amount, to_base_units, to_decimal
from wallet.backends import BackendPool
from wallet.errors import (
    DustOutput,
    InsufficientFunds,
    NotADevnet,
    WalletError,
    translate_errors,
)

__all__ = ["DevnetControl", "DevnetFunding", "DevnetStatus", "EvmDevnet"]

_MAX_MINE = 10_000
"""The most blocks one ``mine`` call makes (a typo of a few zeros should not run for hours)."""


@runtime_checkable
class EvmDevnet(Protocol):
    """The devnet-only side of the embedded EVM chain (``chains.evm.embedded``) used here."""

    @property
    def datadir(self) -> Path | None:
        """Return the folder the chain is kept in (``None``: in memory)."""
        ...

    def block_number(self) -> int:
        """Return the number of the latest block."""
        ...

    def get_block(self, block: int | str, full: bool = False) -> Block | None:
        """Return a block, or ``None`` if it does not exist."""
        ...

    def mine_blocks(self, count: int = 1) -> None:
        """Mine empty blocks."""
        ...

    def fund(self, address: str, wei: int) -> Receipt:
        """Send wei from a prefunded account, mined at once."""
        ...


@dataclass(frozen=True, slots=True)
class DevnetStatus:
    """Where an embedded devnet stands.

    Attributes:
        network: the network's registry name.
        height: the tip's height.
        tip_hash: the tip's hash (hex; display byte order for Bitcoin).
        mempool_size: transactions waiting for a block (always 0 on the EVM chain, which
            mines each transaction as it arrives).
        folder: where its chain is kept, or ``None`` for a devnet in memory only.
    """

    network: str
    height: int
    tip_hash: str
    mempool_size: int
    folder: Path | None


@dataclass(frozen=True, slots=True)
class DevnetFunding:
    """A payment from a devnet's own coins, confirmed in a block.

    Attributes:
        network: the network's registry name.
        address: who was paid.
        amount: how much, in coins.
        txid: the payment's transaction id (hash).
        height: the block that confirmed it.
        blocks_mined: blocks mined for it (the confirming one, and on a fresh Bitcoin
            devnet the 101 that make the first faucet coin spendable).
    """

    network: str
    address: str
    amount: Decimal
    txid: str
    height: int
    blocks_mined: int


class DevnetControl:
    """The devnet-only operations of one embedded network (``Wallet.devnet`` makes one).

    Args:
        network: the network.
        backends: the wallet's backend pool (its live devnet is used, or connected).

    Raises:
        NotADevnet: the network's server is not ``embedded``.
    """

    def __init__(self, network: UtxoNetwork | EvmNetwork, backends: BackendPool) -> None:
        servers = backends.servers(network.name)
        if "embedded" not in (s.strip() for s in servers):
            raise NotADevnet(
                f"{network.name} is not an embedded devnet: mining, funding and resetting are "
                "only for networks on the embedded server, such as bitcoin-regtest and "
                "evm-embedded.",
                network.name,
            )
        self._network = network
        self._backends = backends

    def __repr__(self) -> str:
        return f"DevnetControl({self._network.name!r})"

    @property
    def network(self) -> str:
        """Return the network's registry name."""
        return self._network.name

    def _live(self) -> BitcoinDevnet | EvmDevnet:
        net = self._network
        live = self._backends.utxo(net) if isinstance(net, UtxoNetwork) else self._backends.evm(net)
        if not isinstance(live, BitcoinDevnet | EvmDevnet):
            raise NotADevnet(
                f"The backend in use for {net.name} is not an embedded devnet.", net.name
            )
        return live

    def status(self) -> DevnetStatus:
        """Return the tip, the mempool size and where the chain is kept.

        Raises:
            BackendUnavailable: the devnet could not open (another process has it).
        """
        with translate_errors():
            live = self._live()
            if isinstance(live, BitcoinDevnet):
                tip = live.tip()
                return DevnetStatus(
                    self.network, tip.height, tip.hash, len(live.mempool()), live.datadir
                )
            block = live.get_block("latest")
            tip_hash = "" if block is None else block.hash
            return DevnetStatus(self.network, live.block_number(), tip_hash, 0, live.datadir)

    def mine(self, count: int, to: str | None = None) -> tuple[str, ...]:
        """Mine ``count`` blocks; Bitcoin pays their rewards to ``to`` or the faucet.

        Args:
            count: how many blocks, 1 to 10,000.
            to: (Bitcoin) the address the block rewards pay; by default the devnet's
                faucet, which ``fund`` spends from.

        Returns:
            The new blocks' hashes, in height order.

        Raises:
            WalletError: ``count`` out of range, or ``to`` given on the EVM chain.
            InvalidAddress: ``to`` is not an address.
            NetworkMismatch: ``to`` is an address of another network.
        """
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= _MAX_MINE:
            raise WalletError(f"The number of blocks to mine is 1 to {_MAX_MINE:,}.")
        with translate_errors():
            live = self._live()
            if isinstance(live, BitcoinDevnet):
                assert isinstance(self._network, UtxoNetwork)  # noqa: S101 - a Bitcoin devnet
                script = None if to is None else parse_address(self._network, to).script_pubkey
                return tuple(live.mine(count, script))
            if to is not None:
                raise WalletError(
                    "Blocks of the embedded EVM chain pay no reward; a payee is only for "
                    "bitcoin-regtest."
                )
            first = live.block_number() + 1
            live.mine_blocks(count)
            hashes = []
            for number in range(first, live.block_number() + 1):
                block = live.get_block(number)
                if block is not None:
                    hashes.append(block.hash)
            return tuple(hashes)

    def fund(self, address: str, amount: Amount) -> DevnetFunding:
        """Pay ``amount`` coins to ``address`` from the devnet's own, and confirm it.

        Args:
            address: who to pay (for example an account's receive address).
            amount: coins as a ``Decimal`` or decimal text, or an ``int`` of base units.

        Returns:
            The payment: its transaction, the block that confirmed it, blocks mined.

        Raises:
            FloatAmountError: ``amount`` is a float.
            InvalidAmount: not a positive amount (or dust on Bitcoin).
            AmountPrecisionError: more decimal places than the coin has.
            InvalidAddress: ``address`` is not an address of the network.
            NetworkMismatch: an address of another network.
            InsufficientFunds: the devnet cannot spend that much (mine more blocks first).
        """
        net = self._network
        units = to_base_units(amount, net.decimals, net.symbol)
        with translate_errors():
            live = self._live()
            if not isinstance(live, BitcoinDevnet):
                receipt = live.fund(parse_evm_address(address, net), units)
                return DevnetFunding(
                    net.name,
                    receipt.to or address,
                    to_decimal(units, net.decimals),
                    receipt.transaction_hash,
                    receipt.block_number,
                    1,
                )
            assert isinstance(net, UtxoNetwork)  # noqa: S101 - a Bitcoin devnet
            script = parse_address(net, address).script_pubkey
            threshold = dust_policy(net).threshold(script)
            if units < threshold:  # refused before mining anything
                raise DustOutput(
                    f"{to_decimal(units, net.decimals)} {net.symbol} is below the dust limit of "
                    f"this address ({threshold} satoshis); nodes do not relay such an output.",
                    units,
                    threshold,
                    0,
                )
            txid, mined = self._faucet_pay(live, script, units)
            live.mine(1)
            return DevnetFunding(
                net.name,
                address,
                to_decimal(units, net.decimals),
                txid,
                live.tip().height,
                mined + 1,
            )

    def _faucet_pay(self, live: BitcoinDevnet, script: bytes, units: int) -> tuple[str, int]:
        """Pay from the faucet; with no spendable coin, first mine the blocks that make one."""
        net = self._network
        try:
            return live.fund(script, units), 0
        except FaucetEmpty as err:
            # A coinbase is spendable once 100 blocks are on top of it: mining 101 blocks
            # makes the next block's reward spendable. Refuse first (mining nothing) when
            # that reward would not be enough either.
            if err.available + subsidy(live.tip().height + 1) < err.needed:
                available = format(to_decimal(err.available, net.decimals), "f")
                raise InsufficientFunds(
                    f"The {net.name} devnet's faucet can spend {available} {net.symbol} now, "
                    "too little; mine more blocks first (each block's reward is spendable "
                    "100 blocks later).",
                    err.needed - err.available,
                ) from err
        mined = len(live.mine(COINBASE_MATURITY + 1))
        with translate_errors():
            return live.fund(script, units), mined

    def reset(self) -> bool:
        """Close the devnet and remove its folder: its chain is gone for good.

        The wallet's own records (history, labels) stay; the next sync of the network
        finds a fresh chain.

        Returns:
            Whether there was a kept chain to remove.

        Raises:
            BackendUnavailable: another process has the devnet open; nothing was removed.
        """
        self._backends.disconnect(self.network)
        with translate_errors():
            return erase_devnet(self._backends.devnet_folder(self.network))
