"""The 2-of-2 MuSig2 account's PSBT flow: fields, the two rounds, aggregation and finalisation.

The account is ``tr(musig(A,B)/<0;1>/*,and_v(v:pk(A/<0;1>/*),older(N)))`` (BIP-390): the key
path is the MuSig2 aggregate of both participants' keys, derived by BIP-328; the one leaf lets
A alone spend once the coin is N blocks old (BIP-112 relative lock time).

Everything a signer checks comes from the account's registered descriptor, not from the PSBT:
which of its keys take part (this wallet's, by fingerprint), that every MuSig2 input it signs
spends a script of the account (a PSBT of another wallet, even one sharing a key, is
refused), and which outputs are change. The PSBT's BIP-373 fields are only a means to find
them; the keystore checks once more that the keys give the spent output key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from keystore.errors import NothingToSign
from keystore.signers.base import PromptHandler, SigningContext
from keystore.signers.hot import HotSigner
from keystore.signers.musig_psbt import aggregate_musig_signatures
from keystore.signers.musig_rounds import musig_round1, musig_round2
from keystore.signers.musig_session import MusigSessionError, MusigSigner, NonceStore
from keystore.types import TxSummary, UtxoParams
from primitives.descriptors import DerivedOutput, Descriptor, DescriptorError
from primitives.hashes import hash160
from primitives.psbt import Psbt, PsbtError, TapKeySource
from primitives.psbt_roles import extract, finalize_input
from primitives.tx import Transaction
from wallet.errors import MusigRefused, SigningRefused
from wallet.musig.fields import musig_participants

__all__ = [
    "ForeignMusigPsbt",
    "MusigAccountKeys",
    "change_scripts",
    "musig_descriptor",
    "musig_finalize",
    "musig_nonces",
    "musig_sign",
]


class ForeignMusigPsbt(MusigRefused):
    """A PSBT whose MuSig2 inputs are not this account's: another wallet's, or tampered."""

    def __init__(self, message: str) -> None:
        """Say which input."""
        super().__init__(message, "foreign")


def musig_descriptor(own_key: str, other_key: str, fallback_after: int) -> str:
    """Return ``tr(musig(A,B)/<0;1>/*,and_v(v:pk(A/<0;1>/*),older(N)))`` without checksum.

    Args:
        own_key: A, ``[fingerprint/path]xpub`` of this wallet (it alone spends the leaf).
        other_key: B, the other participant's key expression.
        fallback_after: N, blocks (1 to 65535, BIP-68 height lock) before A alone may spend.
    """
    return (
        f"tr(musig({own_key},{other_key})/<0;1>/*,"
        f"and_v(v:pk({own_key}/<0;1>/*),older({fallback_after})))"
    )


@dataclass(frozen=True, slots=True)
class MusigAccountKeys:
    """A MuSig2 account as its signer sees it: the registered descriptor and this seed.

    Attributes:
        network: the network's parameters.
        descriptor: the account's multipath descriptor (receive ``0``, change ``1``).
        fingerprint: this wallet's master key fingerprint.
    """

    network: UtxoParams
    descriptor: Descriptor
    fingerprint: bytes

    def own_paths(self) -> tuple[tuple[int, ...], ...]:
        """Return the full paths of this wallet's participant keys in the descriptor."""
        try:
            derived = self.descriptor.derive(0, 0)
        except DescriptorError as err:
            raise ForeignMusigPsbt(f"The account's descriptor cannot be derived: {err}") from None
        found = musig_participants(derived)
        if found is None:
            return ()
        return tuple(
            s.path
            for s in derived.key_sources
            if s.pubkey in found[1] and s.fingerprint == self.fingerprint
        )

    def derive(self, branch: int, index: int) -> DerivedOutput:
        """Return the account's output at ``branch``/``index``."""
        try:
            return self.descriptor.derive(index, branch)
        except DescriptorError as err:
            raise ForeignMusigPsbt(f"The account's descriptor cannot be derived: {err}") from None


def _aggregate_path(
    fields_tap: Mapping[bytes, TapKeySource], internal: bytes | None, aggregate: bytes
) -> tuple[int, int] | None:
    if internal is None:
        return None
    source = fields_tap.get(internal)
    if source is None or source.source.fingerprint != hash160(aggregate)[:4]:
        return None
    path = source.source.path
    if len(path) != 2 or path[0] not in (0, 1):
        return None
    return path[0], path[1]


def _check_inputs(psbt: Psbt, keys: MusigAccountKeys, own: set[bytes]) -> None:
    """Refuse a PSBT with no input of the account, or a MuSig2 input of this key not of it."""
    ours = 0
    for index, inp in enumerate(psbt.inputs):
        for aggregate, participants in inp.musig2_participants.items():
            if not own & set(participants):
                continue
            spent = inp.spent_output()
            where = _aggregate_path(inp.tap_bip32_derivations, inp.tap_internal_key, aggregate)
            if spent is None or where is None:
                raise ForeignMusigPsbt(
                    f"Input {index} is a MuSig2 spend of this wallet's key that does not say "
                    "which address of the account it spends."
                )
            if keys.derive(*where).script_pubkey != spent.script_pubkey:
                raise ForeignMusigPsbt(
                    f"Input {index} spends a MuSig2 output of this wallet's key that is not an "
                    "address of this account (a PSBT of another wallet?)."
                )
            ours += 1
    if not ours:
        raise NothingToSign("No input of this PSBT is a MuSig2 spend of this account.")


def change_scripts(psbt: Psbt, keys: MusigAccountKeys) -> frozenset[bytes]:
    """Return the output scripts of ``psbt`` that are the account's change, derived again."""
    found = set()
    for output in psbt.outputs:
        for source in output.tap_bip32_derivations.values():
            path = source.source.path
            if (
                len(path) == 2
                and path[0] == 1
                and keys.derive(1, path[1]).script_pubkey == output.script
            ):
                found.add(output.script)
    return frozenset(found)


def _signers(keys: MusigAccountKeys, signer: HotSigner, store: NonceStore) -> list[MusigSigner]:
    paths = keys.own_paths()
    if not paths:
        raise NothingToSign("This wallet's key is not a participant of the account.")
    return [signer.musig_signer(path, store) for path in paths]


def musig_nonces(psbt: Psbt, keys: MusigAccountKeys, signer: HotSigner, store: NonceStore) -> Psbt:
    """Round 1: add this wallet's public nonces (stored first) to the account's inputs.

    Raises:
        NothingToSign: no input of the account, or the wallet's key is not a participant.
        ForeignMusigPsbt: a MuSig2 input of this key that is not the account's.
        MusigSessionError: as ``keystore.signers.musig_rounds.musig_round1``.
    """
    participants = _signers(keys, signer, store)
    _check_inputs(psbt, keys, {p.pubkey for p in participants})
    for participant in participants:
        psbt = musig_round1(psbt, participant)
    return psbt


def musig_sign(
    psbt: Psbt,
    keys: MusigAccountKeys,
    signer: HotSigner,
    store: NonceStore,
    prompt: PromptHandler | None = None,
    expected: TxSummary | None = None,
    max_fee: int | None = None,
) -> tuple[Psbt, TxSummary]:
    """Round 2: review, ask, then add this wallet's partial signatures.

    Raises:
        MissingParticipantNonce: a participant's nonce is not in the PSBT yet.
        NonceMissing, NonceAlreadyUsed, NonceMismatch: this wallet's nonce in the PSBT is
            not one it issued and has not used.
        SigningCancelled: the person declined (no nonce used).
        ForeignMusigPsbt, NothingToSign: as :func:`musig_nonces`.
        PsbtRefused: the review refused it (fee cap, expected summary, sighash type...).
    """
    participants = _signers(keys, signer, store)
    _check_inputs(psbt, keys, {p.pubkey for p in participants})
    ctx = SigningContext(keys.network, (), expected, prompt, max_fee)
    change = change_scripts(psbt, keys)
    summary: TxSummary | None = None
    for participant in participants:
        psbt, summary = musig_round2(psbt, participant, ctx, change)
    assert summary is not None  # noqa: S101 - _signers returns at least one
    return psbt, summary


def musig_finalize(psbt: Psbt) -> tuple[Psbt, Transaction]:
    """Aggregate complete sets of partial signatures, finalise and extract the transaction.

    Each MuSig2 input's witness becomes the one 64-byte BIP-340 signature (key path).

    Raises:
        MusigSessionError: partial signatures that do not add up (names the input).
        SigningRefused: an input still lacks signatures or nonces.
    """
    psbt = aggregate_musig_signatures(psbt)
    for index, inp in enumerate(psbt.inputs):
        if inp.is_finalized:
            continue
        if inp.tap_key_sig is None:
            missing = [
                p.hex()
                for agg, parts in inp.musig2_participants.items()
                for p in parts
                if (p, agg, b"") not in inp.musig2_partial_sigs
            ]
            raise SigningRefused(
                f"Input {index} is not signed yet: partial signatures missing from "
                f"{', '.join(missing) or 'its participants'}."
            )
        try:
            psbt = psbt.with_input(index, finalize_input(psbt, index))
        except PsbtError as err:
            raise MusigSessionError(f"Input {index} cannot be finalised: {err}") from None
    try:
        return psbt, extract(psbt)
    except PsbtError as err:
        raise SigningRefused(f"The transaction cannot be extracted: {err}") from None
