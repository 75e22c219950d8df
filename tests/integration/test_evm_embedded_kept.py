"""The wallet's embedded EVM chain outlives the process that funded it (issue 13, item 3).

Before, every process started an empty chain: a second process's sync reported the funds
as reorganised away. Only names that existed before the fix are used here.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from tests.conftest import ABANDON, PASSWORD
from tests.integration.wallet_processes import coffer, run_to_end
from wallet import Wallet

FUND = """
import sys
from wallet import Wallet
from chains.registry import get_network
with Wallet.open(sys.argv[1], sys.argv[2]) as w:
    me = w.account("evm-embedded").receive_address()
    w.backends.evm(get_network("evm-embedded")).fund(me, 3 * 10**18)
    w.sync("evm-embedded")
"""


def test_a_second_process_still_sees_the_funds(tmp_path: Path) -> None:
    path = tmp_path / "kept.coffer"
    Wallet.create(path, PASSWORD, ABANDON).close()
    run_to_end(FUND, str(path), PASSWORD)

    synced = coffer(path, "--json", "sync", "evm-embedded", password=PASSWORD)
    assert synced.returncode == 0, synced.stderr
    assert json.loads(synced.stdout)[0]["warnings"] == []
    with Wallet.open(path, PASSWORD) as wallet:
        account = wallet.account("evm-embedded")
        assert account.balance().confirmed == 3 * 10**18
        assert [e.status.value for e in account.history()] == ["confirmed"]
        assert Decimal(str(account.balance()).split()[0]) == Decimal(3)
