"""EVM settings kept in the wallet file: the explorer API key (and URL) of each network.

An Etherscan-compatible API key is a credential: it lives in the encrypted database with
the other settings, never in a log or an error message.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from chains.registry import EvmNetwork
from wallet.errors import WalletError
from wallet.evm.store import EvmStore
from wallet.storage import WalletDatabase

__all__ = ["explorer_key", "explorer_url", "set_explorer_key", "set_explorer_url"]


def explorer_key(db: WalletDatabase, network: EvmNetwork) -> str | None:
    """Return the explorer API key set for a network, if any."""
    return EvmStore(db).setting(f"explorer-key:{network.name}")


def set_explorer_key(db: WalletDatabase, network: EvmNetwork, key: str | None) -> None:
    """Set (or with ``None`` clear) the explorer API key of a network.

    Raises:
        WalletError: the key is empty or holds spaces or control characters.
    """
    if key is not None:
        key = key.strip()
        if not key or not key.isascii() or not key.isprintable() or " " in key:
            raise WalletError("An explorer API key is one word of printable characters.")
    EvmStore(db).set_setting(f"explorer-key:{network.name}", key)


def explorer_url(db: WalletDatabase, network: EvmNetwork) -> str | None:
    """Return the Etherscan-compatible API URL of a network: the user's, or the registry's."""
    return EvmStore(db).setting(f"explorer-url:{network.name}") or network.explorer_api


def set_explorer_url(db: WalletDatabase, network: EvmNetwork, url: str | None) -> None:
    """Use another Etherscan-compatible API for a network (``None``: the registry's).

    Raises:
        WalletError: not an http(s) URL.
    """
    if url is not None and not _http_url(url):
        raise WalletError("An explorer API URL starts with http:// or https://.")
    EvmStore(db).set_setting(f"explorer-url:{network.name}", url)


def _http_url(url: str) -> bool:
    if not url.isascii() or not url.isprintable() or "://" not in url:
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an unclosed "[" of an IPv6 address, for one
        return False
