"""MuSig2 signing sessions whose secret nonces survive a crash without ever being used twice.

A MuSig2 signer (BIP-327) signs in two rounds that may be hours apart, with the PSBT going
back and forth between machines (BIP-373): round 1 sends a public nonce, round 2 a partial
signature. The secret nonce behind a public nonce must sign **at most once**: two partial
signatures with one nonce over two different messages or aggregate nonces reveal the signing
key to anyone who sees both. So the nonce lives in a :class:`NonceStore` and follows one path:

1. round 1 draws a fresh nonce and has the store record it durably as *issued*, and only then
   returns the public nonce. A signer killed before that returns has sent nothing; one killed
   after it finds the same unused nonce on restart and sends the same public nonce again,
   which is harmless (only a second *signature* hurts).
2. round 2 checks everything it can first (every participant's nonce is there, its own public
   nonce is the one it issued, the keys aggregate to the key being signed for), then has the
   store mark the nonce *used* durably and hand back the secret, and only then signs. A
   signer killed after the mark has burnt the nonce: it refuses to sign with it again, and
   the session starts over with a new one.

The store is a protocol: the wallet implements it on its encrypted database; the tests have
an in-memory one and a file-based one. Nonces are named by a :class:`NonceSlot`: the session
(a PSBT's unsigned transaction id, say), the input, the participant and aggregate keys, and
the tapleaf hash (empty for a key-path spend), as BIP-373's ``PSBT_IN_MUSIG2_PUB_NONCE``
keys them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from keystore.errors import KeystoreError, SigningRefused
from keystore.secrets import SecretBytes
from primitives.hashes import tagged_hash
from primitives.musig2 import (
    InvalidContribution,
    MusigError,
    SecretNonce,
    SessionContext,
    individual_pk,
    key_agg,
    key_agg_context,
    nonce_agg,
    nonce_gen,
    sign,
)

__all__ = [
    "AggregateMismatch",
    "InvalidParticipantData",
    "MissingParticipantNonce",
    "MusigSessionError",
    "MusigSigner",
    "NonceAlreadyUsed",
    "NonceMismatch",
    "NonceMissing",
    "NonceSlot",
    "NonceStore",
    "NotAParticipant",
    "SigningPlan",
]


class MusigSessionError(SigningRefused):
    """A MuSig2 round was refused; nothing secret was used."""


class NonceMissing(MusigSessionError):
    """Round 2 for a nonce this signer never issued (or whose store was lost): round 1 first."""


class NonceAlreadyUsed(MusigSessionError):
    """The nonce of this slot has already signed once; a new session needs a new nonce."""


class NonceMismatch(MusigSessionError):
    """The public nonce given for this signer is not the one it issued for the slot."""


class NotAParticipant(MusigSessionError):
    """This signer's key is not among the participants of the aggregate key."""


class AggregateMismatch(MusigSessionError):
    """The participants' keys do not aggregate to the key named in the slot."""


class MissingParticipantNonce(MusigSessionError):
    """Round 2 without every participant's public nonce.

    Attributes:
        participant: the 33-byte key of (the first) participant whose nonce is missing.
    """

    def __init__(self, participant: bytes) -> None:
        """Name the participant."""
        super().__init__(f"There is no MuSig2 public nonce from participant {participant.hex()}.")
        self.participant = participant


class InvalidParticipantData(MusigSessionError):
    """A participant's public key or nonce, or the aggregate nonce, is invalid (BIP-327).

    Attributes:
        participant: the 33-byte key of the participant at fault, or ``None`` for the
            aggregate nonce.
        contrib: what was invalid (``"pubkey"``, ``"pubnonce"``, ``"aggnonce"``).
    """

    def __init__(self, participant: bytes | None, contrib: str) -> None:
        """Name who sent what."""
        who = "the aggregate" if participant is None else f"participant {participant.hex()}"
        super().__init__(f"MuSig2: {who} sent an invalid {contrib}.")
        self.participant = participant
        self.contrib = contrib


@dataclass(frozen=True, slots=True)
class NonceSlot:
    """What one secret nonce is for; it never serves anything else.

    Attributes:
        session_id: the signing session, e.g. the txid of the PSBT's unsigned transaction.
        input_index: the transaction input.
        participant: this signer's 33-byte public key.
        aggregate: the 33-byte plain aggregate key (BIP-373 key data; untweaked).
        leaf_hash: the BIP-341 tapleaf hash, or ``b""`` for a key-path spend.
    """

    session_id: bytes
    input_index: int
    participant: bytes
    aggregate: bytes
    leaf_hash: bytes = b""

    @property
    def nonce_id(self) -> bytes:
        """Return the 32-byte name of this slot's nonce in a :class:`NonceStore`."""
        return tagged_hash(
            "Coffer/musig2-nonce-slot",
            len(self.session_id).to_bytes(2, "big")
            + self.session_id
            + self.input_index.to_bytes(4, "big")
            + self.participant
            + self.aggregate
            + self.leaf_hash,
        )


@runtime_checkable
class NonceStore(Protocol):
    """Durable storage of secret nonces, each issued once and consumed at most once.

    Every method must have reached durable storage (fsync or a committed transaction) when
    it returns, and ``consume`` must be atomic: of two concurrent calls for one id, one
    returns the secret and the other raises :class:`NonceAlreadyUsed`.
    """

    def issue(self, nonce_id: bytes, secnonce: SecretBytes, pubnonce: bytes) -> None:
        """Record a new secret nonce and its public nonce as issued.

        Raises:
            NonceAlreadyUsed: ``nonce_id`` is already known (issued or used).
        """
        ...

    def issued_pubnonce(self, nonce_id: bytes) -> bytes | None:
        """Return the public nonce of an issued, unused nonce; ``None`` if there is none.

        Raises:
            NonceAlreadyUsed: the nonce has been consumed.
        """
        ...

    def consume(self, nonce_id: bytes) -> SecretBytes:
        """Mark the nonce used, durably, then return its secret (97 bytes, BIP-327 form).

        Raises:
            NonceMissing: no nonce was issued under ``nonce_id``.
            NonceAlreadyUsed: it was consumed before.
        """
        ...


@dataclass(frozen=True, slots=True)
class SigningPlan:
    """What is signed in a slot: the participants, the tweaks and the message.

    Attributes:
        participants: the 33-byte keys in aggregation order (BIP-373
            ``PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS``).
        tweaks: 32-byte tweaks: BIP-328 derivation steps (plain), then the taproot tweak
            (x-only) for a key-path spend.
        is_xonly: for each tweak, whether it is x-only.
        msg: the message: the BIP-341 sighash of the input.
    """

    participants: tuple[bytes, ...]
    tweaks: tuple[bytes, ...]
    is_xonly: tuple[bool, ...]
    msg: bytes


class MusigSigner:
    """One participant's two MuSig2 rounds, with nonces kept in a :class:`NonceStore`.

    The signing key stays in this object (redacted); the store holds secret nonces.
    """

    __slots__ = ("_pubkey", "_secret", "_store")

    def __init__(self, secret: SecretBytes, store: NonceStore) -> None:
        """Hold a 32-byte signing key and the store of its nonces.

        Raises:
            KeystoreError: the key is not a valid secp256k1 secret.
        """
        try:
            self._pubkey = individual_pk(secret.reveal())
        except MusigError:
            raise KeystoreError("The MuSig2 signing key is not a valid private key.") from None
        self._secret = secret
        self._store = store

    def __repr__(self) -> str:
        return f"<MusigSigner {self._pubkey.hex()}>"

    @property
    def pubkey(self) -> bytes:
        """Return this participant's 33-byte public key."""
        return self._pubkey

    def _check(self, slot: NonceSlot, plan: SigningPlan) -> bytes:
        """Check the slot and plan against each other; return the final x-only key."""
        if slot.participant != self._pubkey:
            raise NotAParticipant("The nonce slot is for another participant's key.")
        if self._pubkey not in plan.participants:
            raise NotAParticipant("This signer's key is not a participant of the aggregate.")
        try:
            if key_agg(plan.participants) != slot.aggregate:
                raise AggregateMismatch("The participants do not aggregate to the slot's key.")
            return key_agg_context(plan.participants, plan.tweaks, plan.is_xonly).xonly
        except InvalidContribution as err:
            raise _blame(err, plan.participants) from None
        except MusigError as err:
            raise MusigSessionError(f"The MuSig2 session is invalid: {err}") from None

    def round1(self, slot: NonceSlot, plan: SigningPlan) -> bytes:
        """Return this signer's 66-byte public nonce for ``slot``, stored before it is returned.

        Called again for a slot whose nonce is issued but unused (a restart after a crash),
        it returns the same public nonce: sending it twice is safe, signing twice is not.

        Raises:
            NonceAlreadyUsed: the slot's nonce has already signed.
            NotAParticipant, AggregateMismatch, InvalidParticipantData: a wrong slot or plan.
        """
        aggpk = self._check(slot, plan)
        nonce_id = slot.nonce_id
        existing = self._store.issued_pubnonce(nonce_id)
        if existing is not None:
            return existing
        secnonce, pubnonce = nonce_gen(
            self._pubkey,
            secret=self._secret.reveal(),
            aggpk=aggpk,
            msg=plan.msg,
            extra_in=nonce_id,
        )
        # Durable before the public nonce leaves: a nonce the others may use must exist.
        self._store.issue(nonce_id, SecretBytes(secnonce.reveal_for_storage()), pubnonce)
        return pubnonce

    def round2(self, slot: NonceSlot, plan: SigningPlan, pubnonces: Mapping[bytes, bytes]) -> bytes:
        """Return this signer's 32-byte partial signature, consuming the slot's nonce.

        Args:
            slot: the slot of round 1.
            plan: the same plan as in round 1 (the message may not change: the other
                signers' partial signatures would not add up otherwise).
            pubnonces: participant key -> 66-byte public nonce, for every participant.

        Raises:
            MissingParticipantNonce: a participant has no public nonce.
            NonceMissing: round 1 never ran for this slot in this store.
            NonceMismatch: the nonce given for this signer is not the one it issued.
            NonceAlreadyUsed: the nonce has already signed.
            InvalidParticipantData: a public nonce is invalid (names the participant).
            NotAParticipant, AggregateMismatch: a wrong slot or plan.
        """
        self._check(slot, plan)
        for participant in plan.participants:
            if participant not in pubnonces:
                raise MissingParticipantNonce(participant)
        nonce_id = slot.nonce_id
        issued = self._store.issued_pubnonce(nonce_id)
        if issued is None:
            raise NonceMissing("No MuSig2 nonce was issued for this input: run round 1 first.")
        if pubnonces[self._pubkey] != issued:
            raise NonceMismatch("The public nonce given for this signer is not the one it sent.")
        ordered = [pubnonces[p] for p in plan.participants]
        try:
            aggnonce = nonce_agg(ordered)
        except InvalidContribution as err:
            raise _blame(err, plan.participants) from None
        session = SessionContext(aggnonce, plan.participants, plan.tweaks, plan.is_xonly, plan.msg)
        # Marked used (durably) before the secret is even read: from here on, whatever
        # happens, this nonce never signs again.
        secret_nonce = SecretNonce(self._store.consume(nonce_id).reveal())
        try:
            return sign(secret_nonce, self._secret.reveal(), session)
        except InvalidContribution as err:
            raise _blame(err, plan.participants) from None
        except MusigError as err:
            raise MusigSessionError(f"MuSig2 signing failed: {err}") from None


def _blame(err: InvalidContribution, participants: Sequence[bytes]) -> InvalidParticipantData:
    if err.signer is None or err.signer >= len(participants):
        return InvalidParticipantData(None, err.contrib)
    return InvalidParticipantData(participants[err.signer], err.contrib)
