"""MuSig2 sessions in the keystore: nonces stored before they are sent, used at most once.

Includes a signer process SIGKILLed between round 1 and round 2, and one killed right after
its nonce was marked used, each with the file-based store: the restarted signer never signs
twice with one nonce.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from keystore.secrets import SecretBytes
from keystore.signers.musig_session import (
    AggregateMismatch,
    InvalidParticipantData,
    MissingParticipantNonce,
    MusigSessionError,
    MusigSigner,
    NonceAlreadyUsed,
    NonceMismatch,
    NonceMissing,
    NonceSlot,
    NonceStore,
    NotAParticipant,
    SigningPlan,
)
from primitives.musig2 import (
    SessionContext,
    derive_child,
    individual_pk,
    key_agg,
    nonce_agg,
    partial_sig_agg,
    partial_sig_verify,
)
from primitives.secp256k1 import schnorr_verify, taproot_output_key, taproot_tweak
from tests.musig_nonce_stores import FileNonceStore, MemoryNonceStore

ROOT = Path(__file__).parents[2]
SECRETS = (bytes(31) + b"\x11", bytes(31) + b"\x22")
PUBKEYS = tuple(individual_pk(s) for s in SECRETS)
AGGREGATE = key_agg(PUBKEYS)
CHILD, PATH_TWEAKS = derive_child(AGGREGATE, (0, 5))
MSG = bytes(range(32))
PLAN = SigningPlan(
    PUBKEYS,
    (*PATH_TWEAKS, taproot_tweak(CHILD[1:])),
    (False, False, True),
    MSG,
)
SESSION_ID = b"\xab" * 32


def _slot(i: int, input_index: int = 0) -> NonceSlot:
    return NonceSlot(SESSION_ID, input_index, PUBKEYS[i], AGGREGATE)


def _signers(stores: tuple[NonceStore, NonceStore]) -> tuple[MusigSigner, MusigSigner]:
    return (
        MusigSigner(SecretBytes(SECRETS[0]), stores[0]),
        MusigSigner(SecretBytes(SECRETS[1]), stores[1]),
    )


def test_stores_satisfy_the_protocol(tmp_path: Path) -> None:
    assert isinstance(MemoryNonceStore(), NonceStore)
    assert isinstance(FileNonceStore(tmp_path), NonceStore)


@pytest.mark.parametrize("kind", ["memory", "file"])
def test_two_of_two_key_path_spend_of_a_derived_child(kind: str, tmp_path: Path) -> None:
    stores: tuple[NonceStore, NonceStore] = (
        (MemoryNonceStore(), MemoryNonceStore())
        if kind == "memory"
        else (FileNonceStore(tmp_path / "a"), FileNonceStore(tmp_path / "b"))
    )
    a, b = _signers(stores)
    nonces = {a.pubkey: a.round1(_slot(0), PLAN), b.pubkey: b.round1(_slot(1), PLAN)}
    psigs = [a.round2(_slot(0), PLAN, nonces), b.round2(_slot(1), PLAN, nonces)]
    ordered = [nonces[p] for p in PUBKEYS]
    for i, psig in enumerate(psigs):
        assert partial_sig_verify(psig, ordered, PUBKEYS, PLAN.tweaks, PLAN.is_xonly, MSG, i)
    session = SessionContext(nonce_agg(ordered), PUBKEYS, PLAN.tweaks, PLAN.is_xonly, MSG)
    sig = partial_sig_agg(psigs, session)
    assert len(sig) == 64
    assert schnorr_verify(taproot_output_key(CHILD[1:]), MSG, sig)
    # Each nonce signed once; the second round 2 and a new round 1 in the slot are refused.
    with pytest.raises(NonceAlreadyUsed):
        a.round2(_slot(0), PLAN, nonces)
    with pytest.raises(NonceAlreadyUsed):
        a.round1(_slot(0), PLAN)


def test_round1_stores_before_returning_and_repeats_the_same_nonce() -> None:
    store = MemoryNonceStore()
    a = MusigSigner(SecretBytes(SECRETS[0]), store)
    pubnonce = a.round1(_slot(0), PLAN)
    assert store.issued[_slot(0).nonce_id][1] == pubnonce
    assert a.round1(_slot(0), PLAN) == pubnonce
    assert len(store.issued) == 1
    # Another input is another slot, with another nonce.
    assert a.round1(_slot(0, input_index=1), PLAN) != pubnonce


def test_round2_before_round1_is_refused() -> None:
    a, b = _signers((MemoryNonceStore(), MemoryNonceStore()))
    b_nonce = b.round1(_slot(1), PLAN)
    other = MusigSigner(SecretBytes(SECRETS[0]), MemoryNonceStore()).round1(_slot(0), PLAN)
    with pytest.raises(NonceMissing):
        a.round2(_slot(0), PLAN, {PUBKEYS[0]: other, PUBKEYS[1]: b_nonce})


def test_missing_participant_nonce_is_refused_without_using_the_nonce() -> None:
    store = MemoryNonceStore()
    a = MusigSigner(SecretBytes(SECRETS[0]), store)
    nonce = a.round1(_slot(0), PLAN)
    with pytest.raises(MissingParticipantNonce) as info:
        a.round2(_slot(0), PLAN, {PUBKEYS[0]: nonce})
    assert info.value.participant == PUBKEYS[1]
    assert not store.used


def test_a_nonce_that_is_not_ours_is_refused() -> None:
    a, b = _signers((MemoryNonceStore(), MemoryNonceStore()))
    a.round1(_slot(0), PLAN)
    b_nonce = b.round1(_slot(1), PLAN)
    with pytest.raises(NonceMismatch):
        a.round2(_slot(0), PLAN, {PUBKEYS[0]: b_nonce, PUBKEYS[1]: b_nonce})


def test_an_invalid_nonce_names_its_participant() -> None:
    a = MusigSigner(SecretBytes(SECRETS[0]), MemoryNonceStore())
    nonce = a.round1(_slot(0), PLAN)
    with pytest.raises(InvalidParticipantData) as info:
        a.round2(_slot(0), PLAN, {PUBKEYS[0]: nonce, PUBKEYS[1]: b"\x02" + bytes(65)})
    assert (info.value.participant, info.value.contrib) == (PUBKEYS[1], "pubnonce")


def test_wrong_slot_or_participants_are_refused() -> None:
    a = MusigSigner(SecretBytes(SECRETS[0]), MemoryNonceStore())
    with pytest.raises(NotAParticipant):
        a.round1(_slot(1), PLAN)
    with pytest.raises(AggregateMismatch):
        a.round1(NonceSlot(SESSION_ID, 0, PUBKEYS[0], CHILD), PLAN)
    stranger = individual_pk(bytes(31) + b"\x33")
    plan = SigningPlan((PUBKEYS[1], stranger), (), (), MSG)
    with pytest.raises(NotAParticipant):
        a.round1(NonceSlot(SESSION_ID, 0, PUBKEYS[0], key_agg(plan.participants)), plan)


def test_secrets_stay_out_of_reprs_and_errors() -> None:
    store = MemoryNonceStore()
    a = MusigSigner(SecretBytes(SECRETS[0]), store)
    a.round1(_slot(0), PLAN)
    secnonce = store.issued[_slot(0).nonce_id][0].reveal()
    text = repr(a) + repr(store.issued)
    assert SECRETS[0].hex() not in text
    assert secnonce[:32].hex() not in text


_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from keystore.secrets import SecretBytes
    from keystore.signers.musig_session import MusigSigner
    from tests.unit.test_musig2_session import PLAN, SECRETS, _slot
    from tests.musig_nonce_stores import FileNonceStore

    class PausingStore(FileNonceStore):
        def consume(self, nonce_id):
            secret = super().consume(nonce_id)
            print("CONSUMED", flush=True)
            time.sleep(60)
            return secret

    mode, directory = sys.argv[1], Path(sys.argv[2])
    store = PausingStore(directory) if mode == "round2" else FileNonceStore(directory)
    signer = MusigSigner(SecretBytes(SECRETS[0]), store)
    if mode == "round1":
        print("NONCE", signer.round1(_slot(0), PLAN).hex(), flush=True)
        time.sleep(60)
    else:
        pairs = (a.split("=") for a in sys.argv[3:])
        nonces = {bytes.fromhex(k): bytes.fromhex(v) for k, v in pairs}
        signer.round2(_slot(0), PLAN, nonces)
        print("SIGNED", flush=True)
    """
)


def _run_until(args: list[str], marker: str) -> str:
    """Start the child signer, wait for the line starting with ``marker``, SIGKILL it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith(marker), line + (proc.stderr.read() if proc.stderr else "")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    return line.split()[-1]


def test_killed_after_round1_the_restarted_signer_signs_once(tmp_path: Path) -> None:
    store_dir = tmp_path / "a"
    sent = bytes.fromhex(_run_until(["round1", str(store_dir)], "NONCE"))
    # Restarted: round 1 again gives the nonce already sent, not a new one.
    a = MusigSigner(SecretBytes(SECRETS[0]), FileNonceStore(store_dir))
    assert a.round1(_slot(0), PLAN) == sent
    b = MusigSigner(SecretBytes(SECRETS[1]), MemoryNonceStore())
    nonces = {PUBKEYS[0]: sent, PUBKEYS[1]: b.round1(_slot(1), PLAN)}
    psigs = [a.round2(_slot(0), PLAN, nonces), b.round2(_slot(1), PLAN, nonces)]
    ordered = [nonces[p] for p in PUBKEYS]
    session = SessionContext(nonce_agg(ordered), PUBKEYS, PLAN.tweaks, PLAN.is_xonly, MSG)
    assert schnorr_verify(taproot_output_key(CHILD[1:]), MSG, partial_sig_agg(psigs, session))
    with pytest.raises(NonceAlreadyUsed):
        a.round2(_slot(0), PLAN, nonces)


def test_killed_after_marking_the_nonce_used_it_never_signs_again(tmp_path: Path) -> None:
    store_dir = tmp_path / "a"
    a = MusigSigner(SecretBytes(SECRETS[0]), FileNonceStore(store_dir))
    b = MusigSigner(SecretBytes(SECRETS[1]), MemoryNonceStore())
    nonces = {PUBKEYS[0]: a.round1(_slot(0), PLAN), PUBKEYS[1]: b.round1(_slot(1), PLAN)}
    args = [f"{k.hex()}={v.hex()}" for k, v in nonces.items()]
    _run_until(["round2", str(store_dir), *args], "CONSUMED")
    # The child died between marking the nonce used and returning a signature.
    restarted = MusigSigner(SecretBytes(SECRETS[0]), FileNonceStore(store_dir))
    with pytest.raises(NonceAlreadyUsed):
        restarted.round2(_slot(0), PLAN, nonces)
    with pytest.raises(NonceAlreadyUsed):
        restarted.round1(_slot(0), PLAN)
    # The secret nonce is gone from disk too.
    assert all(p.stat().st_size == 0 for p in store_dir.glob("*.used"))


def test_errors_never_carry_the_key_or_the_nonce() -> None:
    store = MemoryNonceStore()
    a = MusigSigner(SecretBytes(SECRETS[0]), store)
    nonce = a.round1(_slot(0), PLAN)
    secnonce = store.issued[_slot(0).nonce_id][0].reveal()
    messages = []
    for nonces in (
        {PUBKEYS[0]: nonce},
        {PUBKEYS[0]: nonce, PUBKEYS[1]: b"\x02" + bytes(65)},
        {PUBKEYS[0]: b"\x02" * 66, PUBKEYS[1]: nonce},
    ):
        with pytest.raises(MusigSessionError) as info:
            a.round2(_slot(0), PLAN, nonces)
        messages.append(f"{info.value!s} {info.value!r}")
    for text in messages:
        assert SECRETS[0].hex() not in text
        assert secnonce[:32].hex() not in text
        assert secnonce[32:64].hex() not in text
