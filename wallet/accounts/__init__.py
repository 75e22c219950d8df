"""Accounts: one per network, index and kind, HD or watch-only."""

from wallet.accounts.base import Account, AccountRecord, AddressInfo, EvmLayout
from wallet.accounts.evm import EvmAccount
from wallet.accounts.utxo import UtxoAccount

__all__ = ["Account", "AccountRecord", "AddressInfo", "EvmAccount", "EvmLayout", "UtxoAccount"]
