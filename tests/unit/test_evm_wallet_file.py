"""The EVM rows of a wallet file written by schema v3 read back with the current code."""

from __future__ import annotations

from pathlib import Path

from wallet import EvmAccount, Wallet
from wallet.types import TxStatus

DATA = Path(__file__).parents[1] / "data"
TOKEN = "0x2946259E0334f33A064106302415aD3391BeD384"


def test_schema_v3_evm_rows_read_back(tmp_path: Path) -> None:
    copy = tmp_path / "wallet-v3.coffer"
    copy.write_bytes((DATA / "wallet-v3.coffer").read_bytes())
    copy.chmod(0o600)
    with Wallet.open(copy, "coffer-fixture") as wallet:
        account = wallet.account("evm-embedded")
        assert isinstance(account, EvmAccount)
        assert str(account.balance()) == "0.874982706350879 ETH"
        assert [(b.symbol, b.confirmed, b.token) for b in account.token_balances()] == [
            ("FIX", 1_234_567, TOKEN)
        ]
        assert [t.symbol for t in account.tokens.custom()] == ["FIX"]
        history = account.history()
        assert [(e.symbol, e.status) for e in history] == [
            ("ETH", TxStatus.CONFIRMED),
            ("FIX", TxStatus.CONFIRMED),
            ("ETH", TxStatus.CONFIRMED),
        ]
        assert history[0].amount == -125_000_000_000_000_000 - (history[0].fee or 0)
        [sent] = account.sent_transactions()
        assert sent.status is TxStatus.CONFIRMED
        assert sent.tx_hash == history[0].txid
