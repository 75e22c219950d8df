"""The price settings of a wallet: the base currency and each provider's base URL.

Stored in the encrypted wallet file (``SettingsStore``), under ``prices:base`` and
``prices:url:NAME``. ``wallet.settings.WalletSettings`` exposes them to the API.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from wallet.errors import WalletError
from wallet.money.prices.currencies import currency, default_currency
from wallet.money.prices.providers import DEFAULT_URLS
from wallet.storage import WalletDatabase
from wallet.storage.settings import SettingsStore

__all__ = ["base_currency", "provider_url", "set_base_currency", "set_provider_url"]

_BASE = "prices:base"


def base_currency(database: WalletDatabase) -> str:
    """Return the wallet's base currency: the setting, else the locale's, else USD."""
    stored = SettingsStore(database).get(_BASE)
    return stored if stored else default_currency()


def set_base_currency(database: WalletDatabase, code: str | None) -> None:
    """Set the base currency (``None``: follow the locale again).

    Raises:
        UnknownCurrency: not an ISO 4217 code.
    """
    store = SettingsStore(database)
    if code is None:
        store.clear(_BASE)
    else:
        store.set(_BASE, currency(code).code)


def _check_provider(name: str) -> str:
    key = name.strip().lower() if isinstance(name, str) else ""
    if key not in DEFAULT_URLS:
        raise WalletError(
            f"{name[:40]!r} is not a price provider (known: {', '.join(sorted(DEFAULT_URLS))})."
        )
    return key


def provider_url(database: WalletDatabase, name: str) -> str:
    """Return a provider's base URL: the user's, else the public one.

    Raises:
        WalletError: not a provider's name.
    """
    key = _check_provider(name)
    return SettingsStore(database).get(f"prices:url:{key}") or DEFAULT_URLS[key]


def set_provider_url(database: WalletDatabase, name: str, url: str | None) -> None:
    """Point a provider at another base URL (a mirror, a replay, sample data); ``None`` resets.

    Raises:
        WalletError: not a provider's name, or not an http(s) URL.
    """
    key = _check_provider(name)
    store = SettingsStore(database)
    if url is None:
        store.clear(f"prices:url:{key}")
        return
    text = url.strip()
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
        _ = parts.port
    except ValueError:
        valid = False
    if not valid or any(c.isspace() for c in text) or not text.isprintable():
        raise WalletError(f"{url[:60]!r} is not an http(s) URL.")
    store.set(f"prices:url:{key}", text.rstrip("/"))
