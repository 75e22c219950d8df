"""``EvmAccount.fee_levels()``: the levels ``prepare_send`` uses, shown before any draft."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import ABANDON, PASSWORD
from wallet import EvmAccount, EvmFeeLevels, Wallet

FRIEND = "0x" + "5e" * 20


def test_levels_are_the_ones_a_draft_uses(tmp_path: Path) -> None:
    with Wallet.create(tmp_path / "f.coffer", PASSWORD, ABANDON) as w:
        acct = w.account("evm-embedded")
        assert isinstance(acct, EvmAccount)
        w.devnet("evm-embedded").fund(acct.receive_address(), Decimal(1))
        acct.sync()
        levels = acct.fee_levels()
        assert isinstance(levels, EvmFeeLevels)
        assert [level.level for level in levels.levels] == ["slow", "normal", "fast"]
        slow, normal, fast = levels.levels
        assert slow.fee_per_gas <= normal.fee_per_gas <= fast.fee_per_gas
        for level in levels.levels:
            assert level.transfer_fee == level.fee_per_gas * 21_000
            assert levels.legacy is (level.priority_fee_per_gas is None)
        draft = acct.prepare_send(FRIEND, "0.1", fee="normal")
        assert draft.request.max_fee_per_gas == normal.fee_per_gas
        assert draft.request.max_priority_fee_per_gas == normal.priority_fee_per_gas
        assert levels.level("fast") == fast
        with pytest.raises(KeyError):
            levels.level("custom")
