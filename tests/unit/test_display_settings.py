"""Display settings kept in the wallet file, and the password strength meter."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ABANDON, PASSWORD
from wallet import DisplaySettings, Wallet, password_strength
from wallet.errors import WalletError


def test_display_settings_round_trip_in_the_wallet_file(tmp_path: Path) -> None:
    path = tmp_path / "d.coffer"
    with Wallet.create(path, PASSWORD, ABANDON) as w:
        assert w.settings.display == DisplaySettings()
        w.settings.set_display(DisplaySettings(0, "dark", "zh_CN", hide_balances=True))
    with Wallet.open(path, PASSWORD) as w:
        assert w.settings.display == DisplaySettings(0, "dark", "zh_CN", True)
        for bad in (
            DisplaySettings(autolock_minutes=-1),
            DisplaySettings(autolock_minutes=1441),
            DisplaySettings(theme="neon"),
            DisplaySettings(language="xx"),
        ):
            with pytest.raises(WalletError):
                w.settings.set_display(bad)
        assert w.settings.display.theme == "dark"  # nothing changed by a refused value


def test_the_strength_meter() -> None:
    short = password_strength("abc")
    assert (short.score, short.acceptable) == (0, False)
    assert "too short" in short.warnings[0]
    weak = password_strength("password1")
    assert weak.acceptable
    assert weak.score < 3
    assert weak.warnings
    strong = password_strength("correct horse battery staple violin 1987!")
    assert strong.score == 4
    assert strong.warnings == ()
