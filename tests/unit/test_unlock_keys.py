"""The key-handover entry an unlock agent needs: open a wallet file with kept keys, no KDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ABANDON, CANARY, PASSWORD
from wallet import Wallet
from wallet.errors import WrongPassword


def test_an_agent_key_handover_opens_the_file_and_foreign_keys_write_nothing(
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "a.coffer", tmp_path / "b.coffer"
    with Wallet.create(first, PASSWORD, CANARY) as wallet:
        keys = wallet.database.keys
        fingerprint = wallet.fingerprint
    Wallet.create(second, PASSWORD, ABANDON).close()
    with Wallet.open_unlocked(first, keys) as reopened:
        assert reopened.fingerprint == fingerprint
        assert reopened.account("bitcoin").receive_address()
    before = second.read_bytes()
    with pytest.raises(WrongPassword):
        Wallet.open_unlocked(second, keys)
    assert second.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.coffer", "b.coffer"]
