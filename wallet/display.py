"""How a front shows the wallet: auto-lock, theme, language, hidden balances.

These preferences live in the encrypted wallet file (nothing is written outside the wallet's
own folder); ``WalletSettings`` reads and writes them through ``SettingsStore``.
"""

from __future__ import annotations

from dataclasses import dataclass

from wallet.errors import WalletError
from wallet.storage import WalletDatabase
from wallet.storage.settings import SettingsStore

__all__ = ["THEMES", "DisplaySettings"]

THEMES = ("system", "light", "dark")
LANGUAGES = ("system", "en", "zh_CN")
_MAX_AUTOLOCK_MINUTES = 24 * 60
_DEFAULT_AUTOLOCK_MINUTES = 10


@dataclass(frozen=True, slots=True)
class DisplaySettings:
    """What a front needs before it shows anything.

    Attributes:
        autolock_minutes: lock after this many idle minutes; 0 never.
        theme: ``system``, ``light`` or ``dark``.
        language: ``system``, ``en`` or ``zh_CN``.
        hide_balances: start with balances hidden.
    """

    autolock_minutes: int = _DEFAULT_AUTOLOCK_MINUTES
    theme: str = "system"
    language: str = "system"
    hide_balances: bool = False


def read_display(database: WalletDatabase) -> DisplaySettings:
    """Return the stored display settings, defaults where unset."""
    store = SettingsStore(database)
    minutes = store.get("display:autolock_minutes")
    return DisplaySettings(
        autolock_minutes=_DEFAULT_AUTOLOCK_MINUTES if minutes is None else int(minutes),
        theme=store.get("display:theme") or "system",
        language=store.get("display:language") or "system",
        hide_balances=store.get("display:hide_balances") == "1",
    )


def write_display(database: WalletDatabase, display: DisplaySettings) -> None:
    """Store display settings after checking each.

    Raises:
        WalletError: an idle time outside 0 to 1,440 minutes, an unknown theme or language.
    """
    if not 0 <= display.autolock_minutes <= _MAX_AUTOLOCK_MINUTES:
        raise WalletError("Auto-lock takes 0 (never) to 1,440 minutes.")
    if display.theme not in THEMES:
        raise WalletError(f"Themes are {', '.join(THEMES)}; not {display.theme!r}.")
    if display.language not in LANGUAGES:
        raise WalletError(f"Languages are {', '.join(LANGUAGES)}; not {display.language!r}.")
    store = SettingsStore(database)
    with database.transaction():
        store.set("display:autolock_minutes", str(display.autolock_minutes))
        store.set("display:theme", display.theme)
        store.set("display:language", display.language)
        store.set("display:hide_balances", "1" if display.hide_balances else "0")
