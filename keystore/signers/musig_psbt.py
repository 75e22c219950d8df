"""MuSig2 in PSBTs (BIP-373): nonces, partial signatures and the final key-path signature.

Each participant runs :func:`add_musig_nonces` (round 1) on the PSBT, the PSBTs are combined,
each runs :func:`add_musig_partial_sigs` (round 2), and whoever holds all the partial
signatures runs :func:`aggregate_musig_signatures`, which puts the one 64-byte signature in
``PSBT_IN_TAP_KEY_SIG``. The nonces live in the signer's :class:`NonceStore`
(``keystore.signers.musig_session``), keyed by the PSBT's unique id and the input.

Only key-path spends are handled: the input's taproot internal key is the MuSig2 aggregate, or
a BIP-328 child of it named by ``PSBT_IN_TAP_BIP32_DERIVATION`` (fingerprint of the
aggregate, unhardened path), or the output key itself is the aggregate. The output key this
implies is compared with the spent script before anything is signed. This module does the
MuSig2 mechanics only: reviewing what the transaction pays (amounts, change, fee) is the
signing flow's job before round 2, as for any other signer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from keystore.signers.musig_session import (
    MusigSessionError,
    MusigSigner,
    NonceAlreadyUsed,
    NonceMissing,
    NonceSlot,
    SigningPlan,
)
from primitives.hashes import hash160
from primitives.musig2 import (
    InvalidContribution,
    MusigError,
    SessionContext,
    derive_child,
    key_agg_context,
    nonce_agg,
    partial_sig_agg,
)
from primitives.psbt import Psbt, PsbtInput
from primitives.secp256k1 import schnorr_verify, taproot_tweak
from primitives.sighash import SIGHASH_DEFAULT, SighashCache, SighashError

__all__ = [
    "MAX_ATTEMPTS",
    "KeyPathSession",
    "add_musig_nonces",
    "add_musig_partial_sigs",
    "aggregate_musig_signatures",
    "key_path_sessions",
]


@dataclass(frozen=True, slots=True)
class KeyPathSession:
    """A MuSig2 key-path spend found in one input.

    Attributes:
        index: the input.
        aggregate: the 33-byte plain aggregate key (BIP-373 key data).
        plan: the participants, tweaks (BIP-328 path, then taproot) and sighash.
        output_key: the x-only key of the spent output, which the signature must verify under.
    """

    index: int
    aggregate: bytes
    plan: SigningPlan
    output_key: bytes


def _path_tweaks(inp: PsbtInput, aggregate: bytes) -> tuple[bytes, ...] | None:
    """Return the BIP-328 tweaks from ``aggregate`` to the internal key, if it leads there."""
    internal = inp.tap_internal_key
    if internal is None:
        return None
    if aggregate[1:] == internal:
        return ()
    origin = inp.tap_bip32_derivations.get(internal)
    if origin is None or origin.source.fingerprint != hash160(aggregate)[:4]:
        return None
    try:
        child, tweaks = derive_child(aggregate, origin.source.path)
    except MusigError:
        return None
    return tweaks if child[1:] == internal else None


def key_path_sessions(psbt: Psbt, participant: bytes) -> list[KeyPathSession]:
    """Return every key-path MuSig2 spend of ``psbt`` in which ``participant`` takes part.

    Raises:
        MusigSessionError: an input names the participant but its keys, tweaks or spent
            output do not add up, or its sighash cannot be computed.
    """
    found: list[KeyPathSession] = []
    cache: SighashCache | None = None
    for index, inp in enumerate(psbt.inputs):
        spent = inp.spent_output()
        for aggregate, participants in inp.musig2_participants.items():
            if participant not in participants:
                continue
            if (
                spent is None
                or len(spent.script_pubkey) != 34
                or spent.script_pubkey[:2] != (b"\x51\x20")
            ):
                raise MusigSessionError(f"Input {index} does not spend a known taproot output.")
            output_key = spent.script_pubkey[2:]
            path = _path_tweaks(inp, aggregate)
            if path is not None:
                child_x = inp.tap_internal_key
                assert child_x is not None  # noqa: S101 - _path_tweaks checked it
                tweaks = (*path, taproot_tweak(child_x, inp.tap_merkle_root))
                flags = (*(False,) * len(path), True)
            elif aggregate[1:] == output_key:
                tweaks, flags = (), ()
            else:
                continue  # the aggregate is for a script leaf: not signed here
            try:
                final = key_agg_context(participants, tweaks, flags).xonly
            except MusigError as err:
                raise MusigSessionError(f"Input {index}: invalid MuSig2 keys ({err}).") from None
            if final != output_key:
                raise MusigSessionError(
                    f"Input {index}: the MuSig2 keys do not give the key of the spent output."
                )
            if cache is None:
                cache = SighashCache(psbt.unsigned_tx(), psbt.spent_outputs())
            try:
                hash_type = SIGHASH_DEFAULT if inp.sighash_type is None else inp.sighash_type
                msg = cache.taproot(index, hash_type)
            except SighashError as err:
                raise MusigSessionError(f"Input {index}: no taproot sighash ({err}).") from None
            plan = SigningPlan(participants, tweaks, flags, msg)
            found.append(KeyPathSession(index, aggregate, plan, output_key))
    return found


MAX_ATTEMPTS = 16
"""How many times one signer may start a PSBT's MuSig2 session over (each with a new nonce)."""


def _slot(psbt: Psbt, session: KeyPathSession, participant: bytes, attempt: int) -> NonceSlot:
    # Attempt 0 is the PSBT's unique id alone; a restart after a nonce was burnt (a signer
    # killed after marking it used, a session abandoned after round 2) takes the next
    # attempt, so the same transaction can be signed again with a fresh nonce. The slot
    # names this signer's nonce only: the other participants need not agree on the number.
    session_id = bytes.fromhex(psbt.unique_id()) + (bytes([attempt]) if attempt else b"")
    return NonceSlot(session_id, session.index, participant, session.aggregate)


def _round1(signer: MusigSigner, psbt: Psbt, session: KeyPathSession) -> bytes:
    """Return this signer's nonce of the first attempt whose nonce has not signed."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            return signer.round1(_slot(psbt, session, signer.pubkey, attempt), session.plan)
        except NonceAlreadyUsed:
            continue
    raise MusigSessionError(
        f"Input {session.index}: this signer has started this PSBT's MuSig2 session "
        f"{MAX_ATTEMPTS} times; make a new transaction."
    )


def _round2(
    signer: MusigSigner, psbt: Psbt, session: KeyPathSession, nonces: dict[bytes, bytes]
) -> bytes:
    """Sign with the nonce of the first attempt that has not signed (the one round 1 sent)."""
    used = False
    for attempt in range(MAX_ATTEMPTS):
        slot = _slot(psbt, session, signer.pubkey, attempt)
        try:
            return signer.round2(slot, session.plan, nonces)
        except NonceAlreadyUsed:
            used = True
            continue
        except NonceMissing:
            if used:
                raise NonceAlreadyUsed(
                    f"Input {session.index}: this signer's nonce in the PSBT has already "
                    "signed; run round 1 again on the PSBT for fresh nonces from everyone."
                ) from None
            raise
    raise MusigSessionError(
        f"Input {session.index}: this signer has started this PSBT's MuSig2 session "
        f"{MAX_ATTEMPTS} times; make a new transaction."
    )


def add_musig_nonces(psbt: Psbt, signer: MusigSigner) -> Psbt:
    """Round 1: add this signer's ``PSBT_IN_MUSIG2_PUB_NONCE`` to every input it co-signs.

    Each nonce is in the signer's store before it is put in the PSBT.

    Raises:
        MusigSessionError: as :func:`key_path_sessions`, or the store refuses the nonce.
    """
    me = signer.pubkey
    for session in key_path_sessions(psbt, me):
        pubnonce = _round1(signer, psbt, session)
        inp = psbt.inputs[session.index]
        key = (me, session.aggregate, b"")
        psigs = inp.musig2_partial_sigs
        nonces = dict(inp.musig2_pub_nonces)
        if nonces.get(key, pubnonce) != pubnonce:
            # A new attempt: the old session is dead. Its partial signatures are void, and
            # the others' nonces in this PSBT are of that session: each participant runs
            # round 1 again (an unused nonce comes back the same, a used one is replaced).
            agg = session.aggregate
            psigs = {k: v for k, v in psigs.items() if k[1] != agg or k[2]}
            nonces = {k: v for k, v in nonces.items() if k[1] != agg or k[2]}
        nonces[key] = pubnonce
        psbt = psbt.with_input(
            session.index, replace(inp, musig2_pub_nonces=nonces, musig2_partial_sigs=psigs)
        )
    return psbt


def add_musig_partial_sigs(psbt: Psbt, signer: MusigSigner) -> Psbt:
    """Round 2: add this signer's ``PSBT_IN_MUSIG2_PARTIAL_SIG`` to every input it co-signs.

    Inputs that already carry this signer's partial signature are left as they are.

    Raises:
        MusigSessionError: a participant's nonce is missing, this signer's nonce is missing,
            not its own or already used, or as :func:`key_path_sessions`.
    """
    me = signer.pubkey
    for session in key_path_sessions(psbt, me):
        inp = psbt.inputs[session.index]
        if (me, session.aggregate, b"") in inp.musig2_partial_sigs:
            continue  # signed in an earlier pass: the nonce is spent, the signature is here
        nonces = {
            p: n
            for (p, agg, leaf), n in inp.musig2_pub_nonces.items()
            if agg == session.aggregate and not leaf
        }
        psig = _round2(signer, psbt, session, nonces)
        psigs = {**inp.musig2_partial_sigs, (me, session.aggregate, b""): psig}
        psbt = psbt.with_input(session.index, replace(inp, musig2_partial_sigs=psigs))
    return psbt


def aggregate_musig_signatures(psbt: Psbt) -> Psbt:
    """Sum complete sets of partial signatures into ``PSBT_IN_TAP_KEY_SIG`` (BIP-373 signer).

    An input gets its signature only when every participant's nonce and partial signature
    are there and the sum verifies (BIP-340) under the spent output key; other inputs are left
    as they are.

    Raises:
        MusigSessionError: a complete set does not give a valid signature (names the input).
    """
    for index, inp in enumerate(psbt.inputs):
        if inp.tap_key_sig is not None:
            continue
        for aggregate, participants in inp.musig2_participants.items():
            keys = [(p, aggregate, b"") for p in participants]
            if not all(k in inp.musig2_pub_nonces and k in inp.musig2_partial_sigs for k in keys):
                continue
            sessions = [s for s in key_path_sessions(psbt, participants[0]) if s.index == index]
            if not sessions:
                continue
            plan = sessions[0].plan
            try:
                aggnonce = nonce_agg([inp.musig2_pub_nonces[k] for k in keys])
                ctx = SessionContext(
                    aggnonce, plan.participants, plan.tweaks, plan.is_xonly, plan.msg
                )
                sig = partial_sig_agg([inp.musig2_partial_sigs[k] for k in keys], ctx)
            except InvalidContribution as err:
                raise MusigSessionError(
                    f"Input {index}: participant {err.signer} sent an invalid {err.contrib}."
                ) from None
            if not schnorr_verify(sessions[0].output_key, plan.msg, sig):
                raise MusigSessionError(
                    f"Input {index}: the MuSig2 partial signatures do not add up to a valid "
                    "signature (a participant's partial signature is wrong)."
                )
            if inp.sighash_type not in (None, SIGHASH_DEFAULT):
                sig += bytes([inp.sighash_type])
            psbt = psbt.with_input(index, replace(inp, tap_key_sig=sig))
            break
    return psbt
