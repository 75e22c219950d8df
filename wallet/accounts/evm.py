"""EVM accounts: one address each, the same on every EVM chain."""

from __future__ import annotations

from functools import cached_property

from chains.registry import EvmNetwork
from keystore.bip32 import format_path
from wallet.accounts.base import Account, AddressInfo, EvmLayout
from wallet.derive import derive_addresses

__all__ = ["EvmAccount"]


class EvmAccount(Account):
    """An account on an EVM network: standard (``m/44'/60'/0'/0/i``) or Ledger Live layout."""

    @property
    def evm_network(self) -> EvmNetwork:
        """Return the account's network."""
        network = self._record.network
        assert isinstance(network, EvmNetwork)  # noqa: S101 - guaranteed by the wallet
        return network

    @property
    def layout(self) -> EvmLayout | None:
        """Return the derivation layout, or ``None`` for a watched address."""
        return None if self._record.xpub is None else EvmLayout(self._record.kind)

    @cached_property
    def address(self) -> str:
        """Return the account's address, EIP-55 checksummed."""
        record = self._record
        if record.xpub is None:
            assert record.watch_address is not None  # noqa: S101 - watch-only EVM accounts
            return record.watch_address
        child = record.evm_child or 0
        return derive_addresses(self.evm_network, record.xpub, None, 0, child, 1)[0]

    @property
    def key_path(self) -> str | None:
        """Return the full derivation path of the address's key, if known."""
        record = self._record
        if record.path is None or record.evm_child is None:
            return None
        return format_path((*record.path, record.evm_child))

    @property
    def path(self) -> str | None:
        """Return the full derivation path of the address's key (``m/44'/60'/0'/0/3``)."""
        return self.key_path

    def receive_address(self) -> str:
        """Return the account's address (EVM accounts have one)."""
        return self.address

    def addresses(self, count: int = 1, start: int = 0, change: bool = False) -> list[AddressInfo]:
        """Return the account's one address (EVM accounts have no chains of addresses)."""
        if change or start > 0 or count < 1:
            return []
        return [AddressInfo(self.address, self.key_path, 0, self._record.evm_child or 0)]
