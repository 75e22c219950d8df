"""A Coffer signer's two MuSig2 rounds on a PSBT, with the review any signature gets.

Round 1 (:func:`musig_round1`) adds this signer's public nonces: nothing is signed, so nothing
needs approving, but the nonces are stored before they are returned (``NonceStore``). Round 2
(:func:`musig_round2`) is a signature: the summary is recomputed from the PSBT itself (what
it pays, to which addresses, which outputs are change of the account, the fee), compared
with what the online side showed, capped, and shown to the person, exactly as for a
single-key spend; only then are the partial signatures made.

Change is proven the way the account registered it: the caller (the wallet, from its stored
descriptor, never from the PSBT) passes the scripts of the account's change addresses.
"""

from __future__ import annotations

from collections.abc import Collection

from keystore.errors import (
    FeeAboveCap,
    InvalidPsbt,
    NothingToSign,
    OutputNotForNetwork,
    SigningCancelled,
    UnprovenInput,
    UnsupportedSighash,
    WrongNetwork,
)
from keystore.signers.base import SigningContext
from keystore.signers.musig_psbt import add_musig_nonces, add_musig_partial_sigs, key_path_sessions
from keystore.signers.musig_session import MissingParticipantNonce, MusigSigner
from keystore.signers.utxo_review import compare_summaries
from keystore.types import SummaryOutput, TxSummary, UtxoParams
from primitives.psbt import Psbt, PsbtError
from primitives.script import AddressError, output_text
from primitives.sighash import SIGHASH_ALL, SIGHASH_DEFAULT

__all__ = ["musig_round1", "musig_round2", "review_musig_psbt"]

# A key-path signature of SIGHASH_DEFAULT or ALL commits to every input's amount and script
# (BIP-341), so a witness UTXO that lies makes the aggregate signature invalid.
_COMMITTING = (None, SIGHASH_DEFAULT, SIGHASH_ALL)


def _network(ctx: SigningContext) -> UtxoParams:
    if not isinstance(ctx.network, UtxoParams):
        raise WrongNetwork("A MuSig2 PSBT is a Bitcoin-family transaction, not an EVM one.")
    return ctx.network


def review_musig_psbt(
    psbt: Psbt, signer: MusigSigner, ctx: SigningContext, change_scripts: Collection[bytes]
) -> TxSummary:
    """Recompute the summary of a PSBT this signer co-signs by MuSig2 key path.

    Args:
        psbt: the PSBT, parsed from the bytes received.
        signer: the participant; at least one input must be a MuSig2 key-path spend of it.
        ctx: the network, expected summary, fee cap (the account path is not used).
        change_scripts: output scripts that are the account's own change.

    Raises:
        NothingToSign: no input is a MuSig2 spend this signer takes part in.
        UnprovenInput: an input without its spent output.
        UnsupportedSighash: a sighash type that does not commit to every amount.
        OutputNotForNetwork: an output without an address on the network.
        InvalidPsbt: outputs above inputs, or a negative amount.
        FeeAboveCap, SummaryMismatch, WrongNetwork: as for any PSBT review.
        MusigSessionError: an input's MuSig2 keys do not give the key it spends.
    """
    network = _network(ctx)
    if not key_path_sessions(psbt, signer.pubkey):
        raise NothingToSign("No input of this PSBT is a MuSig2 spend of this wallet's key.")
    try:
        tx = psbt.unsigned_tx()
    except PsbtError as err:
        raise InvalidPsbt(f"The PSBT's transaction cannot be built: {err}.") from None
    spent_total = 0
    for index, inp in enumerate(psbt.inputs):
        out = inp.spent_output()
        if out is None:
            raise UnprovenInput(f"Input {index} does not say what it spends.", index)
        if inp.sighash_type not in _COMMITTING:
            raise UnsupportedSighash(
                f"Input {index} asks for sighash type {inp.sighash_type}; only DEFAULT or ALL "
                "are signed."
            )
        spent_total += out.value
    change = frozenset(change_scripts)
    outputs = []
    for index, output in enumerate(psbt.outputs):
        if output.amount < 0:
            raise InvalidPsbt(f"Output {index} has a negative amount.")
        try:
            address = output_text(output.script, network)
        except AddressError as err:
            raise OutputNotForNetwork(
                f"Output {index} pays a script with no address on {network.title}: {err}", index
            ) from None
        outputs.append(SummaryOutput(address, output.amount, output.script in change))
    fee = spent_total - sum(o.amount for o in psbt.outputs)
    if fee < 0:
        raise InvalidPsbt("The outputs pay more than the inputs spend.")
    if ctx.max_fee is not None and fee > ctx.max_fee:
        raise FeeAboveCap(
            f"The fee is {fee} base units of {network.symbol}, above the cap of {ctx.max_fee}."
        )
    summary = TxSummary(
        network=network.name, outputs=tuple(outputs), fee=fee, replaceable=tx.signals_rbf()
    )
    if ctx.expected is not None:
        compare_summaries(summary, ctx.expected, network)
    return summary


def musig_round1(psbt: Psbt, signer: MusigSigner) -> Psbt:
    """Add this signer's public nonce to every input it co-signs (BIP-373 round 1).

    Raises:
        NothingToSign: no input is a MuSig2 spend of this signer.
        MusigSessionError: as ``add_musig_nonces``.
    """
    if not key_path_sessions(psbt, signer.pubkey):
        raise NothingToSign("No input of this PSBT is a MuSig2 spend of this wallet's key.")
    return add_musig_nonces(psbt, signer)


def musig_round2(
    psbt: Psbt, signer: MusigSigner, ctx: SigningContext, change_scripts: Collection[bytes]
) -> tuple[Psbt, TxSummary]:
    """Review, ask, then add this signer's partial signatures (BIP-373 round 2).

    Returns:
        The PSBT with the partial signatures, and the summary the person approved.

    Raises:
        SigningCancelled: the person declined; no nonce was used.
        MissingParticipantNonce: a participant's nonce is not there yet (round 1 first).
        NonceMissing, NonceAlreadyUsed, NonceMismatch: this signer's nonce is not one it
            issued and has not used.
        (and what :func:`review_musig_psbt` raises)
    """
    summary = review_musig_psbt(psbt, signer, ctx, change_scripts)
    # Every participant's nonce before the person is asked: a "yes" that cannot sign yet
    # would have to be asked again.
    for session in key_path_sessions(psbt, signer.pubkey):
        nonces = psbt.inputs[session.index].musig2_pub_nonces
        for participant in session.plan.participants:
            if (participant, session.aggregate, b"") not in nonces:
                raise MissingParticipantNonce(participant)
    if ctx.prompt is not None and not ctx.prompt.confirm_transaction(summary):
        raise SigningCancelled("The MuSig2 signature was declined.")
    return add_musig_partial_sigs(psbt, signer), summary
