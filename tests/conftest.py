"""Shared fixtures: wallets on temporary paths, the canary mnemonic, node plugins."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

# bitcoinlib writes to ~/.bitcoinlib on import unless told otherwise; tests import it as a peer.
os.environ.setdefault("BCL_DATA_DIR", tempfile.mkdtemp(prefix="coffer-bcl-"))

from wallet import Wallet

pytest_plugins = ["tests.nodes.evm", "tests.nodes.utxo"]

ABANDON = (
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
)
"""The mnemonic of the BIP-44/49/84/86 test vectors."""

TEST_JUNK = "test test test test test test test test test test test junk"
"""The mnemonic of anvil's and Hardhat's prefunded accounts."""

CANARY = "where safe divide swing assume fine wing then cash clinic tiny file"
"""A mnemonic planted to prove it never leaks (entropy fa57c0ffee00deadbeef0123456789ab)."""

PASSWORD = "correct horse battery staple"


@pytest.fixture
def wallet_path(tmp_path: Path) -> Path:
    return tmp_path / "test.coffer"


@pytest.fixture
def abandon_wallet(wallet_path: Path) -> Iterator[Wallet]:
    with Wallet.create(wallet_path, PASSWORD, ABANDON) as wallet:
        yield wallet


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A click runner for ``coffer`` with the test password and no wallet from the env."""
    monkeypatch.setenv("COFFER_PASSWORD", PASSWORD)
    monkeypatch.delenv("COFFER_WALLET", raising=False)
    return CliRunner()
