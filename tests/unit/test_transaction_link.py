"""The explorer page of a transaction (``WalletSettings.transaction_link``), for fronts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.errors import InvalidTxHash, UnknownNetwork

TXID = "ab" * 32


def test_link_to_the_networks_explorer_or_none_on_a_devnet(tmp_path: Path) -> None:
    with Wallet.create(tmp_path / "l.coffer", PASSWORD, ABANDON) as w:
        links = w.settings
        assert links.transaction_link("bitcoin", TXID) == f"https://mempool.space/tx/{TXID}"
        assert links.transaction_link("litecoin", TXID) == f"https://litecoinspace.org/tx/{TXID}"
        assert links.transaction_link("ethereum", "0x" + TXID) == (
            f"https://etherscan.io/tx/0x{TXID}"
        )
        assert links.transaction_link("bitcoin-regtest", TXID) is None
        assert links.transaction_link("evm-embedded", "0x" + TXID) is None
        for bad in ("", TXID[:-1], TXID[:-1] + "g", TXID + "<script>"):
            with pytest.raises(InvalidTxHash):
                links.transaction_link("bitcoin", bad)
        with pytest.raises(UnknownNetwork):
            links.transaction_link("nowhere", TXID)
