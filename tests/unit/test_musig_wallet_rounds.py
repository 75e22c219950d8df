"""Two Coffer wallets co-sign a tr(musig(A,B)/<0;1>/*,{and_v(v:pk(A),older(N))}) spend.

Each wallet is its own file with its own nonce store (``WalletNonceStore``); the PSBT goes
between them as bytes. The spend's witness is one 64-byte signature, and libbitcoinkernel
accepts it. Out-of-order rounds, a missing nonce, a nonce reused, a PSBT of another wallet
and a declined review are each a clear error with nothing lost; a session whose nonce was
burnt starts over with fresh nonces.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from chains.utxo.kernel import verify_transaction
from keystore.errors import NothingToSign, SigningCancelled
from keystore.signers.musig_session import (
    MissingParticipantNonce,
    NonceAlreadyUsed,
    NonceMismatch,
)
from keystore.types import TxSummary
from primitives.psbt import Psbt
from primitives.psbt_roles import combine
from primitives.tx import OutPoint
from tests.conftest import ABANDON, PASSWORD, TEST_JUNK
from tests.musig_wallets import account_keys, participant_key, spend_psbt
from wallet import Wallet
from wallet.musig import LEDGER_NAME, WalletNonceStore
from wallet.musig.rounds import (
    ForeignMusigPsbt,
    MusigAccountKeys,
    change_scripts,
    musig_finalize,
    musig_nonces,
    musig_sign,
)

A = participant_key(ABANDON)
B = participant_key(TEST_JUNK)
OTHER = participant_key(TEST_JUNK, account=1)
KEYS_A = account_keys(ABANDON, A, B)
KEYS_B = account_keys(TEST_JUNK, A, B)  # the same descriptor: A holds the leaf
PAY_TO = b"\x00\x14" + bytes(range(20))


class Party:
    """One signer: its wallet file, open for one step at a time."""

    def __init__(self, path: Path, mnemonic: str, keys: MusigAccountKeys) -> None:
        self.path = path
        self.keys = keys
        Wallet.create(path, PASSWORD, mnemonic).close()

    def _run(self, step: str, psbt: bytes, **kwargs: object) -> bytes:
        with Wallet.open(self.path, PASSWORD) as wallet:
            store = WalletNonceStore(
                wallet.database,
                wallet.wallet_id,
                self.path.with_name(self.path.name + ".d") / LEDGER_NAME,
            )
            parsed = Psbt.parse(psbt)
            if step == "nonces":
                return musig_nonces(parsed, self.keys, wallet.signer(), store).serialize()
            signed, _summary = musig_sign(
                parsed,
                self.keys,
                wallet.signer(),
                store,
                **kwargs,  # type: ignore[arg-type]
            )
            return signed.serialize()

    def nonces(self, psbt: bytes) -> bytes:
        return self._run("nonces", psbt)

    def sign(self, psbt: bytes, **kwargs: object) -> bytes:
        return self._run("sign", psbt, **kwargs)


@pytest.fixture
def parties(tmp_path: Path) -> tuple[Party, Party]:
    return (
        Party(tmp_path / "a.coffer", ABANDON, KEYS_A),
        Party(tmp_path / "b.coffer", TEST_JUNK, KEYS_B),
    )


def _participant(keys: MusigAccountKeys) -> bytes:
    return next(
        s.pubkey
        for s in keys.derive(0, 0).key_sources
        if len(s.pubkey) == 33 and s.fingerprint == keys.fingerprint
    )


def _base(change: int | None = None) -> bytes:
    return spend_psbt(
        KEYS_A, OutPoint(b"\x42" * 32, 0), 100_000, 3, PAY_TO, 90_000, change_index=change
    ).serialize()


def _combine(*items: bytes) -> bytes:
    return combine([Psbt.parse(i) for i in items]).serialize()


def test_both_descriptors_give_the_same_addresses() -> None:
    assert KEYS_A.derive(0, 7).script_pubkey == KEYS_B.derive(0, 7).script_pubkey
    assert len(KEYS_A.own_paths()) == 1
    assert len(KEYS_B.own_paths()) == 1


def test_two_wallets_spend_by_key_path_with_one_signature(parties: tuple[Party, Party]) -> None:
    a, b = parties
    base = _base(change=2)
    r1 = _combine(a.nonces(base), b.nonces(base))
    r2 = _combine(a.sign(r1), b.sign(r1))
    done, tx = musig_finalize(Psbt.parse(r2))
    assert len(tx.inputs[0].witness) == 1
    assert len(tx.inputs[0].witness[0]) == 64
    spent = done.inputs[0].spent_output()
    assert spent is not None
    verify_transaction(tx, [spent])
    # The change output was proven from the descriptor, not taken from the PSBT.
    assert change_scripts(Psbt.parse(base), KEYS_A) == {KEYS_A.derive(1, 2).script_pubkey}


def test_review_shows_the_summary_and_a_no_uses_no_nonce(parties: tuple[Party, Party]) -> None:
    a, b = parties
    base = _base(change=2)
    r1 = _combine(a.nonces(base), b.nonces(base))
    seen: list[TxSummary] = []

    class No:
        def confirm_transaction(self, summary: TxSummary) -> bool:
            seen.append(summary)
            return False

        def confirm_message(self, request: object) -> bool:
            return False

    with pytest.raises(SigningCancelled):
        a.sign(r1, prompt=No())
    (summary,) = seen
    assert [(o.amount, o.is_change) for o in summary.outputs] == [(90_000, False), (9_500, True)]
    assert summary.fee == 500
    # Declined before the nonce was touched: the same round 1 still signs.
    r2 = _combine(a.sign(r1), b.sign(r1))
    musig_finalize(Psbt.parse(r2))


def test_round2_before_round1_and_with_a_missing_nonce_are_refused(
    parties: tuple[Party, Party],
) -> None:
    a, b = parties
    base = _base()
    with pytest.raises(MissingParticipantNonce):
        a.sign(base)
    only_a = a.nonces(base)
    with pytest.raises(MissingParticipantNonce) as info:
        a.sign(only_a)
    assert info.value.participant == _participant(KEYS_B)
    # B never ran round 1: B's round 2 on a PSBT with a nonce of B's that it never issued.
    r1 = _combine(only_a, a.nonces(base))
    with pytest.raises(MissingParticipantNonce):
        b.sign(r1)
    # Nothing lost: the rounds in order still spend.
    r1 = _combine(only_a, b.nonces(base))
    musig_finalize(Psbt.parse(_combine(a.sign(r1), b.sign(r1))))


def test_a_nonce_reused_is_refused_and_the_session_restarts_fresh(
    parties: tuple[Party, Party],
) -> None:
    a, b = parties
    base = _base()
    r1 = _combine(a.nonces(base), b.nonces(base))
    a_signed = a.sign(r1)
    # A's round 2 again on the round-1 PSBT: the nonce has signed.
    with pytest.raises(NonceAlreadyUsed):
        a.sign(r1)
    # Say A's partial signature was lost (A killed before sending it): round 1 again gives
    # A a fresh nonce; B's unused nonce is the same; the new session signs.
    again = _combine(a.nonces(r1), b.nonces(r1))
    a_nonce = Psbt.parse(again).inputs[0].musig2_pub_nonces
    assert a_nonce != Psbt.parse(r1).inputs[0].musig2_pub_nonces
    r2 = _combine(a.sign(again), b.sign(again))
    _done, tx = musig_finalize(Psbt.parse(r2))
    assert len(tx.inputs[0].witness[0]) == 64
    # The old PSBT with A's first partial signature cannot mix with the new session.
    with pytest.raises(NonceAlreadyUsed):
        b.sign(r1)
    assert a_signed


def test_a_nonce_swapped_for_another_is_refused(parties: tuple[Party, Party]) -> None:
    a, b = parties
    base = _base()
    r1 = Psbt.parse(_combine(a.nonces(base), b.nonces(base)))
    inp = r1.inputs[0]
    a_key = next(k for k in inp.musig2_pub_nonces if k[0] == _participant(KEYS_A))
    other = next(k for k in inp.musig2_pub_nonces if k != a_key)
    swapped = {a_key: inp.musig2_pub_nonces[other], other: inp.musig2_pub_nonces[other]}
    bad = r1.with_input(0, replace(inp, musig2_pub_nonces=swapped)).serialize()
    # A's slot now holds B's nonce: A refuses (not the nonce it sent), and nothing is used.
    with pytest.raises(NonceMismatch):
        a.sign(bad)
    musig_finalize(Psbt.parse(_combine(a.sign(r1.serialize()), b.sign(r1.serialize()))))


def test_a_psbt_of_another_wallet_is_refused(parties: tuple[Party, Party]) -> None:
    a, _b = parties
    # Another MuSig2 wallet of the same key A (with another cosigner): A's key takes part,
    # but the coin is not this account's.
    foreign_keys = account_keys(ABANDON, A, OTHER)
    foreign = spend_psbt(foreign_keys, OutPoint(b"\x43" * 32, 0), 50_000, 0, PAY_TO, 40_000)
    with pytest.raises(ForeignMusigPsbt):
        a.nonces(foreign.serialize())
    # A PSBT of no MuSig2 account of A at all.
    stranger = account_keys(TEST_JUNK, OTHER, participant_key(TEST_JUNK, account=2))
    plain = spend_psbt(stranger, OutPoint(b"\x44" * 32, 0), 50_000, 0, PAY_TO, 40_000)
    with pytest.raises(NothingToSign):
        a.nonces(plain.serialize())
