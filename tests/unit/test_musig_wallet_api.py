"""The public MuSig2 API: ``create_musig_wallet``, ``musig_nonces``, ``musig_sign``.

Two wallets (two files) make the same 2-of-2 account from each other's keys, then run both
rounds on a PSBT of one of its coins through the public methods only; the refusals come as
``MusigRefused`` with a reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from keystore.types import TxSummary
from primitives.psbt import Psbt
from primitives.psbt_roles import combine
from primitives.tx import OutPoint
from tests.conftest import ABANDON, PASSWORD, TEST_JUNK
from tests.musig_wallets import NETWORK, spend_psbt
from wallet import Wallet
from wallet.accounts import UtxoAccount
from wallet.errors import InvalidPolicy, MusigRefused, SigningCancelled
from wallet.musig.book import MusigBook
from wallet.musig.rounds import musig_finalize

PAY_TO = b"\x00\x14" + bytes(range(20))


def _pair(tmp_path: Path, fallback: int = 10) -> tuple[Path, Path, str]:
    a_path, b_path = tmp_path / "a.coffer", tmp_path / "b.coffer"
    with (
        Wallet.create(a_path, PASSWORD, ABANDON) as a,
        Wallet.create(b_path, PASSWORD, TEST_JUNK) as b,
    ):
        a_key = a.custody.cosigner_key(NETWORK, 0, "tr")
        b_key = b.custody.cosigner_key(NETWORK, 0, "tr")
        acct_a = a.custody.create_musig_wallet(NETWORK, b_key, fallback, "shared")
        acct_b = b.custody.create_musig_wallet(
            NETWORK, a_key, fallback, "shared", fallback_key="other"
        )
        assert acct_a.descriptor() == acct_b.descriptor()
        assert acct_a.receive_address() == acct_b.receive_address()
        assert acct_a.receive_address().startswith("rltc1p")
        return a_path, b_path, acct_a.descriptor()


def _keys(path: Path):  # type: ignore[no-untyped-def]
    with Wallet.open(path, PASSWORD) as wallet:
        (account,) = [
            a for a in wallet.accounts(NETWORK) if isinstance(a, UtxoAccount) and a.is_policy
        ]
        keys = MusigBook._keys(wallet.custody._musig, account)
        assert keys is not None
        return keys


def _step(path: Path, step: str, psbt: bytes, **kwargs: object) -> bytes:
    with Wallet.open(path, PASSWORD) as wallet:
        if step == "nonces":
            return wallet.custody.musig_nonces(psbt)
        return wallet.custody.musig_sign(psbt, **kwargs)  # type: ignore[arg-type]


def _combine(*items: bytes) -> bytes:
    return combine([Psbt.parse(i) for i in items]).serialize()


def test_two_wallets_make_the_same_account_and_sign_by_key_path(tmp_path: Path) -> None:
    a, b, descriptor = _pair(tmp_path)
    assert "musig(" in descriptor
    assert "older(10)" in descriptor
    keys = _keys(a)
    base = spend_psbt(keys, OutPoint(b"\x42" * 32, 0), 100_000, 1, PAY_TO, 90_000, change_index=0)
    # The PSBT fields PolicyScripts gives carry the BIP-373 participants.
    r1 = _combine(_step(a, "nonces", base.serialize()), _step(b, "nonces", base.serialize()))
    seen: list[TxSummary] = []

    class Yes:
        def confirm_transaction(self, summary: TxSummary) -> bool:
            seen.append(summary)
            return True

        def confirm_message(self, request: object) -> bool:
            return False

    r2 = _combine(_step(a, "sign", r1, prompt=Yes()), _step(b, "sign", r1))
    _done, tx = musig_finalize(Psbt.parse(r2))
    assert [len(w) for w in tx.inputs[0].witness] == [64]
    assert [o.is_change for o in seen[0].outputs] == [False, True]
    with pytest.raises(MusigRefused) as info:
        _step(a, "sign", r1)
    assert info.value.reason == "nonce-used"


def test_refusals_carry_their_reason(tmp_path: Path) -> None:
    a, b, _descriptor = _pair(tmp_path)
    keys = _keys(a)
    base = spend_psbt(keys, OutPoint(b"\x42" * 32, 0), 100_000, 1, PAY_TO, 90_000).serialize()
    with pytest.raises(MusigRefused) as info:
        _step(a, "sign", base)
    assert info.value.reason == "participant-nonce"
    assert info.value.participant is not None
    only_a = _step(a, "nonces", base)

    class No:
        def confirm_transaction(self, summary: TxSummary) -> bool:
            return False

        def confirm_message(self, request: object) -> bool:
            return False

    r1 = _combine(only_a, _step(b, "nonces", base))
    with pytest.raises(SigningCancelled):
        _step(a, "sign", r1, prompt=No())
    # Declined: nothing used, the same PSBT still signs.
    musig_finalize(Psbt.parse(_combine(_step(a, "sign", r1), _step(b, "sign", r1))))


def test_bad_fallback_and_own_key_are_refused(tmp_path: Path) -> None:
    with Wallet.create(tmp_path / "a.coffer", PASSWORD, ABANDON) as a:
        own = a.custody.cosigner_key(NETWORK, 0, "tr")
        for n in (0, 65536, True):
            with pytest.raises(InvalidPolicy):
                a.custody.create_musig_wallet(NETWORK, own.replace("/0h/", "/1h/"), n)  # type: ignore[arg-type]
        with pytest.raises(InvalidPolicy):
            a.custody.create_musig_wallet(NETWORK, own, 10)
