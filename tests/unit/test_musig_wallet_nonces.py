"""The wallet's MuSig2 nonce store on the encrypted file: durable, used once, never rolled back.

The same MuSig2 sessions as ``test_musig2_session`` run with ``WalletNonceStore`` on real
wallet files, closed and reopened between the rounds; a wallet file restored from a copy
taken between round 1 and round 2 refuses the nonce that signed after the copy.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from keystore.secrets import SecretBytes
from keystore.signers.musig_session import (
    MusigSigner,
    NonceAlreadyUsed,
    NonceMissing,
    NonceSlot,
    NonceStore,
    SigningPlan,
)
from primitives.musig2 import (
    SessionContext,
    individual_pk,
    key_agg,
    nonce_agg,
    partial_sig_agg,
)
from primitives.secp256k1 import schnorr_verify, taproot_output_key, taproot_tweak
from tests.conftest import PASSWORD
from tests.musig_nonce_stores import MemoryNonceStore
from wallet import Wallet
from wallet.musig import LEDGER_NAME, WalletNonceStore

SECRETS = (bytes(31) + b"\x11", bytes(31) + b"\x22")
PUBKEYS = tuple(individual_pk(s) for s in SECRETS)
AGGREGATE = key_agg(PUBKEYS)
MSG = bytes(range(32))
PLAN = SigningPlan(PUBKEYS, (taproot_tweak(AGGREGATE[1:]),), (True,), MSG)
SLOT = NonceSlot(b"\xab" * 32, 0, PUBKEYS[0], AGGREGATE)


def _ledger(path: Path) -> Path:
    return path.with_name(path.name + ".d") / LEDGER_NAME


def _store(wallet: Wallet) -> WalletNonceStore:
    return WalletNonceStore(wallet.database, wallet.wallet_id, _ledger(wallet.path))


@pytest.fixture
def wallet_file(tmp_path: Path) -> Path:
    path = tmp_path / "a.coffer"
    Wallet.create_watch_only(path, PASSWORD).close()
    return path


def _other_nonce() -> tuple[MusigSigner, bytes]:
    b = MusigSigner(SecretBytes(SECRETS[1]), MemoryNonceStore())
    return b, b.round1(NonceSlot(SLOT.session_id, 0, PUBKEYS[1], AGGREGATE), PLAN)


def test_the_wallet_store_satisfies_the_protocol(wallet_file: Path) -> None:
    with Wallet.open(wallet_file, PASSWORD) as wallet:
        store = _store(wallet)
        assert isinstance(store, NonceStore)
        assert "secnonce" not in repr(store)


def test_rounds_across_reopening_sign_once_and_erase_the_secret(wallet_file: Path) -> None:
    with Wallet.open(wallet_file, PASSWORD) as wallet:
        sent = MusigSigner(SecretBytes(SECRETS[0]), _store(wallet)).round1(SLOT, PLAN)
    b, b_nonce = _other_nonce()
    nonces = {PUBKEYS[0]: sent, PUBKEYS[1]: b_nonce}
    with Wallet.open(wallet_file, PASSWORD) as wallet:
        store = _store(wallet)
        a = MusigSigner(SecretBytes(SECRETS[0]), store)
        # The nonce was committed before round 1 returned: the reopened file has it.
        assert a.round1(SLOT, PLAN) == sent
        assert store.counts() == {"issued": 1, "used": 0}
        psig_a = a.round2(SLOT, PLAN, nonces)
        rows = wallet.database.query("SELECT state, secnonce, used_at FROM musig_nonces")
        assert [(r[0], r[1]) for r in rows] == [("used", None)]
        assert rows[0][2]
        with pytest.raises(NonceAlreadyUsed):
            a.round2(SLOT, PLAN, nonces)
        with pytest.raises(NonceAlreadyUsed):
            a.round1(SLOT, PLAN)
    psig_b = b.round2(NonceSlot(SLOT.session_id, 0, PUBKEYS[1], AGGREGATE), PLAN, nonces)
    session = SessionContext(nonce_agg([sent, b_nonce]), PUBKEYS, PLAN.tweaks, PLAN.is_xonly, MSG)
    sig = partial_sig_agg([psig_a, psig_b], session)
    assert schnorr_verify(taproot_output_key(AGGREGATE[1:]), MSG, sig)
    with Wallet.open(wallet_file, PASSWORD) as wallet, pytest.raises(NonceAlreadyUsed):
        MusigSigner(SecretBytes(SECRETS[0]), _store(wallet)).round2(SLOT, PLAN, nonces)


def test_round2_without_round1_and_issue_twice_are_refused(wallet_file: Path) -> None:
    with Wallet.open(wallet_file, PASSWORD) as wallet:
        store = _store(wallet)
        with pytest.raises(NonceMissing):
            store.consume(b"\x01" * 32)
        store.issue(b"\x02" * 32, SecretBytes(b"\x05" * 97), b"\x03" * 66)
        with pytest.raises(NonceAlreadyUsed):
            store.issue(b"\x02" * 32, SecretBytes(b"\x06" * 97), b"\x04" * 66)
        assert store.issued_pubnonce(b"\x02" * 32) == b"\x03" * 66
        assert store.consume(b"\x02" * 32).reveal() == b"\x05" * 97
        with pytest.raises(NonceAlreadyUsed):
            store.consume(b"\x02" * 32)
        with pytest.raises(NonceAlreadyUsed):
            store.issued_pubnonce(b"\x02" * 32)


def test_the_secret_nonce_is_sealed_and_the_file_holds_no_plaintext(wallet_file: Path) -> None:
    secret = bytes(range(97))
    with Wallet.open(wallet_file, PASSWORD) as wallet:
        _store(wallet).issue(b"\x07" * 32, SecretBytes(secret), b"\x03" * 66)
        sealed = wallet.database.query("SELECT secnonce FROM musig_nonces")[0][0]
        assert secret not in bytes(sealed)
    assert secret[:32] not in wallet_file.read_bytes()
    assert not _ledger(wallet_file).exists()  # the ledger gets tags of used nonces only


def test_a_restored_copy_of_the_file_refuses_a_nonce_that_signed_after_it(
    wallet_file: Path, tmp_path: Path
) -> None:
    """The backup-rollback case of ADR 0012, covered by the ledger beside the file."""
    with Wallet.open(wallet_file, PASSWORD) as wallet:
        sent = MusigSigner(SecretBytes(SECRETS[0]), _store(wallet)).round1(SLOT, PLAN)
    backup = tmp_path / "backup.coffer"
    shutil.copy2(wallet_file, backup)  # taken between round 1 and round 2
    _b, b_nonce = _other_nonce()
    nonces = {PUBKEYS[0]: sent, PUBKEYS[1]: b_nonce}
    with Wallet.open(wallet_file, PASSWORD) as wallet:
        MusigSigner(SecretBytes(SECRETS[0]), _store(wallet)).round2(SLOT, PLAN, nonces)
    shutil.copy2(backup, wallet_file)  # the restore
    with Wallet.open(wallet_file, PASSWORD) as wallet:
        store = _store(wallet)
        assert store.counts() == {"issued": 1, "used": 0}  # the file alone says "issued"
        a = MusigSigner(SecretBytes(SECRETS[0]), store)
        with pytest.raises(NonceAlreadyUsed):
            a.round2(SLOT, PLAN, nonces)
        with pytest.raises(NonceAlreadyUsed):
            a.round1(SLOT, PLAN)
    # The ledger holds tags, not nonce ids: nothing in it names the session.
    assert SLOT.nonce_id not in _ledger(wallet_file).read_bytes()
    assert len(_ledger(wallet_file).read_bytes()) == 16


def test_not_covered_restoring_the_ledger_too_brings_the_nonce_back(
    wallet_file: Path, tmp_path: Path
) -> None:
    """Documents the limit (ADR 0012): a snapshot of file *and* ``.d`` folder is a rollback."""
    with Wallet.open(wallet_file, PASSWORD) as wallet:
        MusigSigner(SecretBytes(SECRETS[0]), _store(wallet)).round1(SLOT, PLAN)
    backup = tmp_path / "backup.coffer"
    shutil.copy2(wallet_file, backup)
    _b, b_nonce = _other_nonce()
    with Wallet.open(wallet_file, PASSWORD) as wallet:
        store = _store(wallet)
        MusigSigner(SecretBytes(SECRETS[0]), store).round2(
            SLOT, PLAN, {PUBKEYS[0]: store_pub(wallet), PUBKEYS[1]: b_nonce}
        )
    shutil.copy2(backup, wallet_file)
    _ledger(wallet_file).unlink()  # as if the .d folder came back from the same backup
    with Wallet.open(wallet_file, PASSWORD) as wallet:
        assert _store(wallet).issued_pubnonce(SLOT.nonce_id) is not None


def store_pub(wallet: Wallet) -> bytes:
    rows = wallet.database.query("SELECT pubnonce FROM musig_nonces")
    return bytes(rows[0][0])


def test_a_nonce_issued_before_a_password_change_is_burnt_not_used(wallet_file: Path) -> None:
    with Wallet.open(wallet_file, PASSWORD) as wallet:
        _store(wallet).issue(b"\x09" * 32, SecretBytes(b"\x05" * 97), b"\x03" * 66)
        wallet.change_password(PASSWORD, "another password")
        store = _store(wallet)
        with pytest.raises(NonceMissing, match="password"):
            store.consume(b"\x09" * 32)
        with pytest.raises(NonceAlreadyUsed):
            store.consume(b"\x09" * 32)


def test_secret_nonces_stay_out_of_logs_reprs_and_errors(
    wallet_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with Wallet.open(wallet_file, PASSWORD) as wallet:
        store = _store(wallet)
        a = MusigSigner(SecretBytes(SECRETS[0]), store)
        sent = a.round1(SLOT, PLAN)
        secret = store.consume(SLOT.nonce_id).reveal()
        texts = [caplog.text, repr(store), repr(a), repr(wallet)]
        for call in (lambda: store.consume(SLOT.nonce_id), lambda: a.round1(SLOT, PLAN)):
            with pytest.raises(NonceAlreadyUsed) as info:
                call()
            texts.append(f"{info.value!s} {info.value!r}")
    assert sent
    for text in texts:
        assert secret[:32].hex() not in text
        assert secret[32:64].hex() not in text
        assert SECRETS[0].hex() not in text
