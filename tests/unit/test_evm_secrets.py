"""The canary seed never leaks from EVM work: drafts, signatures, errors, logs, the wallet file."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from chains.evm.embedded import EmbeddedBackend
from chains.registry import EvmNetwork, get_network
from keystore.bip32 import ExtendedPrivateKey
from keystore.mnemonic import parse_mnemonic
from keystore.types import TxSummary
from tests.conftest import CANARY, PASSWORD
from wallet import EvmAccount, Wallet
from wallet.errors import WalletError

EMBEDDED = get_network("evm-embedded")
assert isinstance(EMBEDDED, EvmNetwork)
FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


class No:
    def confirm_transaction(self, summary: TxSummary) -> bool:
        return False


def _needles() -> list[str]:
    seed = parse_mnemonic(CANARY).to_seed().reveal()
    root = ExtendedPrivateKey.from_seed(seed)
    key = root.derive_path((44 + 2**31, 60 + 2**31, 2**31, 0, 0)).private_key
    words = CANARY.split()
    return [
        CANARY,
        seed.hex(),
        root.private_key.hex(),
        key.hex(),
        key.hex()[:24],
        *(" ".join(words[i : i + 3]) for i in range(len(words) - 2)),
    ]


def test_evm_work_never_leaks_the_canary(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    chain = EmbeddedBackend(EMBEDDED)
    with Wallet.create(tmp_path / "canary.coffer", PASSWORD, CANARY) as wallet:
        wallet.backends.use("evm-embedded", chain)
        account = wallet.account("evm-embedded")
        assert isinstance(account, EvmAccount)
        chain.fund(account.address, 10**18)
        texts += [repr(account.sync()), repr(account.tokens), repr(account.balance())]
        draft = account.prepare_send(FRIEND, "0.1")
        signed = wallet.sign(draft)
        # Signed on the same nonce, it is refused once the first is mined.
        stale = wallet.sign(account.prepare_send(FRIEND, "0.2"))
        texts += [repr(draft), repr(signed), str(signed.raw.hex()), repr(stale)]
        tx_hash = account.broadcast(signed)
        account.sync()
        texts += [repr(account.history()), repr(account.sent_transactions()), tx_hash]
        failures: list[Callable[[], object]] = [
            lambda: account.prepare_send(FRIEND.lower()[:-1] + "g", "1"),
            lambda: account.prepare_send(FRIEND, "100"),
            lambda: account.prepare_send(FRIEND, "0.1", max_fee_per_gas=10**15),
            lambda: account.broadcast(stale),
            lambda: wallet.sign(account.prepare_send(FRIEND, "0.1"), No()),
            lambda: account.speed_up("0x" + "ab" * 32),
            lambda: account.tokens.add(FRIEND),
            lambda: account.prepare_send(FRIEND, "1", token="NOPE"),
        ]
        for bad in failures:
            with pytest.raises(WalletError) as info:
                bad()
            texts += [str(info.value), repr(info.value), repr(info.value.args)]
            cause = info.value.__cause__
            texts += [str(cause), repr(cause)]
    chain.close()
    texts += [record.getMessage() for record in caplog.records]
    blob = "\n".join(texts)
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    for needle in _needles():
        assert needle not in blob, needle
        assert needle.encode() not in raw, needle
        assert needle.encode().hex().encode() not in raw, needle
