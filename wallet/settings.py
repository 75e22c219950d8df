"""A wallet's settings as one group: ``wallet.settings.max_fee_share`` and the rest.

The settings live in the encrypted wallet file; each family keeps the rules of its own
(``wallet.utxo.fees`` the fee caps, ``wallet.evm.settings`` the explorer keys), and this
class gathers them where a script looks for them.
"""

from __future__ import annotations

from decimal import Decimal

from chains.registry import EvmNetwork, get_network
from wallet.errors import WalletError, translate_errors
from wallet.evm import settings as evm_settings
from wallet.money.prices import settings as price_settings
from wallet.storage import WalletDatabase
from wallet.utxo import fees as utxo_fees

__all__ = ["WalletSettings"]


class WalletSettings:
    """The settings of an open wallet (``Wallet.settings``)."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._db = database

    @property
    def max_fee_share(self) -> Decimal:
        """Return the largest fee a UTXO draft may pay as a share of the amount sent."""
        return utxo_fees.load_policy(self._db).max_share

    def set_max_fee_share(self, share: Decimal | str | None) -> None:
        """Set the largest fee a UTXO draft may pay as a share of the amount sent.

        ``Decimal("0.05")`` refuses fees above 5% of the amount (``FeeTooHigh``, unless a
        draft overrides it with ``allow_high_fee``); ``None`` restores the default of 10%.

        Raises:
            InvalidAmount: not a number above 0 and at most 1.
            FloatAmountError: a float.
        """
        utxo_fees.set_max_fee_share(self._db, share)

    def explorer_key_set(self, network: str) -> bool:
        """Return whether an explorer API key is set for an EVM network (never the key).

        Raises:
            UnknownNetwork: no such network.
            WalletError: not an EVM network.
        """
        return evm_settings.explorer_key(self._db, self._evm(network)) is not None

    def set_explorer_key(self, network: str, key: str | None) -> None:
        """Set (or with ``None`` clear) the Etherscan-compatible API key of an EVM network.

        The key stays inside the encrypted wallet file; history on public networks is read
        from the explorer with it.

        Raises:
            UnknownNetwork: no such network.
            WalletError: not an EVM network, or a key that is not one printable word.
        """
        evm_settings.set_explorer_key(self._db, self._evm(network), key)

    def explorer_url(self, network: str) -> str | None:
        """Return the Etherscan-compatible API URL of an EVM network (the user's or the default).

        Raises:
            UnknownNetwork: no such network.
            WalletError: not an EVM network.
        """
        return evm_settings.explorer_url(self._db, self._evm(network))

    def set_explorer_url(self, network: str, url: str | None) -> None:
        """Use another Etherscan-compatible API URL for an EVM network (``None``: the default).

        Raises:
            UnknownNetwork: no such network.
            WalletError: not an EVM network, or not an http(s) URL.
        """
        evm_settings.set_explorer_url(self._db, self._evm(network), url)

    @property
    def base_currency(self) -> str:
        """Return the currency values are shown in: the setting, else the locale's, else USD."""
        return price_settings.base_currency(self._db)

    def set_base_currency(self, code: str | None) -> None:
        """Set the base currency (an ISO 4217 code, any case); ``None`` follows the locale again.

        Raises:
            UnknownCurrency: not an ISO 4217 code.
        """
        price_settings.set_base_currency(self._db, code)

    def price_provider_url(self, provider: str) -> str:
        """Return the base URL of a price provider (``coingecko``, ``cryptocompare``, ``ecb``).

        Raises:
            WalletError: not a provider's name.
        """
        return price_settings.provider_url(self._db, provider)

    def set_price_provider_url(self, provider: str, url: str | None) -> None:
        """Point a price provider at another base URL (a mirror, a replay); ``None`` resets.

        Raises:
            WalletError: not a provider's name, or not an http(s) URL.
        """
        price_settings.set_provider_url(self._db, provider, url)

    @staticmethod
    def _evm(network: str) -> EvmNetwork:
        with translate_errors():
            net = get_network(network)
        if not isinstance(net, EvmNetwork):
            raise WalletError(f"{net.title} has no explorer API key: it is not an EVM network.")
        return net
