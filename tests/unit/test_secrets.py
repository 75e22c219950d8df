"""A planted canary mnemonic never shows in logs, errors, reprs or the wallet file."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from keystore.bip32 import ExtendedPrivateKey
from keystore.mnemonic import parse_mnemonic
from tests.conftest import CANARY, PASSWORD
from wallet import Wallet
from wallet.errors import WalletError


def _needles() -> list[str]:
    phrase = parse_mnemonic(CANARY)
    seed = phrase.to_seed().reveal()
    root = ExtendedPrivateKey.from_seed(seed)
    words = CANARY.split()
    return [
        CANARY,
        seed.hex(),
        root.private_key.hex(),
        root.serialize(0x0488ADE4),
        *(" ".join(words[i : i + 3]) for i in range(len(words) - 2)),
    ]


def test_canary_never_leaks(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    path = tmp_path / "canary.coffer"
    with Wallet.create(path, PASSWORD, CANARY) as wallet:
        texts.append(repr(wallet))
        for name in ("bitcoin", "litecoin", "dogecoin", "ethereum"):
            account = wallet.account(name)
            texts += [repr(account), str(account), repr(account.record)]
        signer = wallet.signer()
        texts += [repr(signer), str(signer), repr(signer.info)]
        keystore = wallet._unsealed()
        texts += [repr(keystore), str(keystore)]
        for bad in (
            lambda: wallet.accounts_book.verify_address("bitcoin", CANARY),
            lambda: wallet.account("bitcoin", path=CANARY),
            lambda: wallet.accounts_book.import_xpub("bitcoin", CANARY),
            lambda: wallet.accounts_book.import_descriptor("bitcoin", f"wpkh({CANARY})"),
            lambda: Wallet.restore(tmp_path / "x", PASSWORD, CANARY.replace("file", "fiel")),
            lambda: Wallet.restore(tmp_path / "y", PASSWORD, CANARY.rsplit(" ", 1)[0]),
            lambda: wallet.change_password("wrong", "x"),
        ):
            with pytest.raises(WalletError) as info:
                bad()
            texts += [str(info.value), repr(info.value), repr(info.value.args)]
    with pytest.raises(WalletError) as info:
        Wallet.open(path, "wrong password")
    texts.append(str(info.value))
    texts += [record.getMessage() for record in caplog.records]
    blob = "\n".join(texts)
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
    for needle in _needles():
        assert needle not in blob, needle
        assert needle.encode() not in raw, needle
