"""Signing and broadcasting a UTXO account's drafts.

``sign`` hands the draft's PSBT to a signer with a ``SigningContext`` built from the registry
(the network's ``UtxoParams``), the account path, the draft's summary as ``expected`` (the
signer recomputes it from the PSBT and refuses any difference), the prompt and the fee cap.
The signed PSBT must still be the draft's transaction; it is then finalised and extracted
(BIP-174 Input Finalizer and Transaction Extractor), and every input is verified with
libbitcoinkernel, Bitcoin Core's own script interpreter (``chains.utxo.kernel``): DESIGN.md
has every Bitcoin transaction the wallet signs checked by it. Litecoin and Dogecoin drafts
are verified too: the kinds the wallet signs (P2PKH, P2SH-P2WPKH, P2WPKH, P2TR key path)
follow the same script rules on those chains.

``broadcast`` sends the transaction through the network's backend. A refusal becomes
``TransactionRefused`` (or ``FeeTooLow``) naming the node's reason in words, and nothing is
recorded; on success the store records it at once (``UtxoStore.record_broadcast``), so balance
and history show it pending before the next sync, and a bump marks what it replaces.
"""

from __future__ import annotations

from collections.abc import Callable

from chains.utxo.backend import TransactionRejected, Txid
from chains.utxo.kernel import ScriptVerificationFailed, verify_transaction
from keystore.bip32 import format_path
from keystore.signers.base import PromptHandler, Signer, SigningContext
from keystore.signers.musig_psbt import aggregate_musig_signatures
from primitives.psbt import Psbt, PsbtError
from primitives.psbt_roles import extract, finalize
from primitives.tx import Transaction
from wallet.errors import SigningRefused, WalletError, WatchOnly, translate_errors
from wallet.types import Draft, SignedTransaction
from wallet.utxo.builder import UtxoDraft, utxo_params
from wallet.utxo.context import UtxoContext
from wallet.utxo.policy_finalize import finalize_policy
from wallet.utxo.policy_scripts import PolicyScripts
from wallet.utxo.refusals import ALREADY_KNOWN, REASONS, refusal

__all__ = [
    "ALREADY_KNOWN",
    "REASONS",
    "accept_signed",
    "broadcast",
    "refusal",
    "sign",
    "signing_context",
]


def _draft_of(ctx: UtxoContext, draft: Draft) -> UtxoDraft:
    if not isinstance(draft, UtxoDraft) or draft.account_id != ctx.account_id:
        raise WalletError("That draft was not prepared by this account.")
    if draft.network != ctx.network.name:
        raise WalletError(f"That draft is for {draft.network}, not {ctx.network.title}.")
    return draft


def signing_context(
    ctx: UtxoContext, draft: Draft, prompt: PromptHandler | None = None
) -> SigningContext:
    """Return the ``SigningContext`` any signer of this account gets for ``draft``.

    The one place it is built, for the hot signer and for a hardware wallet alike: the
    network's parameters from the registry, the account path (a policy's signer finds its
    keys in the descriptor instead, ``SigningContext.policy``), the draft's summary as
    ``expected`` (the signer recomputes it from the PSBT and refuses any difference), the
    prompt and the draft's fee cap.

    Raises:
        WalletError: the draft is not this account's.
        WatchOnly: a single-key account imported without its key origin.
    """
    utxo_draft = _draft_of(ctx, draft)
    path = ctx.path
    if ctx.policy is not None:
        path = ()  # a policy's signer finds its keys in the descriptor (SigningContext.policy)
    if path is None:
        raise WatchOnly(
            "This account was imported without its key origin: export its draft "
            f"(PSBT) to the signer that holds the key ({utxo_draft.psbt_base64[:16]}...)."
        )
    return SigningContext(
        network=utxo_params(ctx.network),
        account_path=path,
        expected=utxo_draft.summary,
        prompt=prompt,
        max_fee=utxo_draft.fee_cap,
        policy=ctx.policy,
    )


def sign(
    ctx: UtxoContext, draft: Draft, signer: Signer, prompt: PromptHandler | None = None
) -> SignedTransaction:
    """Have ``signer`` review and sign a draft; finalise, extract and verify the result.

    Raises:
        see ``UtxoAccount.sign`` (the public entry point).
    """
    utxo_draft = _draft_of(ctx, draft)
    signing = signing_context(ctx, utxo_draft, prompt)
    with translate_errors():
        signed_bytes = signer.sign_psbt(utxo_draft.psbt, signing)
    return accept_signed(ctx, utxo_draft, signed_bytes)


def accept_signed(ctx: UtxoContext, draft: Draft, signed_bytes: bytes) -> SignedTransaction:
    """Check that a signed PSBT is the draft's transaction; finalise, extract and verify it.

    A signer outside this process (air-gapped, hardware, another wallet) returns bytes the
    host did not make: they must be the draft's very transaction, and every input must
    satisfy the script it spends in libbitcoinkernel, before anything is broadcast.

    Raises:
        SigningRefused: another transaction, a PSBT that cannot be finalised (signatures
            missing), or a signature libbitcoinkernel refuses.
    """
    utxo_draft = _draft_of(ctx, draft)
    try:
        signed = Psbt.from_text_or_bytes(signed_bytes)
        if signed.unsigned_tx().txid != Psbt.parse(utxo_draft.psbt).unsigned_tx().txid:
            raise SigningRefused("The signer returned another transaction than the draft's.")
        scripts = ctx.scripts
        if isinstance(scripts, PolicyScripts):
            # MuSig2 key paths: complete sets of partial signatures become each input's one
            # 64-byte signature (BIP-373), checked against the spent output key.
            with translate_errors():
                signed = aggregate_musig_signatures(signed)
            places = _places(utxo_draft, signed)
            tx = extract(finalize_policy(signed, scripts, places, _key_names(signed)))
        else:
            tx = extract(finalize(signed))
    except PsbtError as err:
        raise SigningRefused(f"The signed PSBT cannot be finalised: {err}.") from None
    try:
        verify_transaction(tx, utxo_draft.spent_outputs)
    except ScriptVerificationFailed as err:
        raise SigningRefused(
            f"libbitcoinkernel refused input {err.input_index} of the signed transaction: "
            "its signature does not satisfy the script it spends. Nothing was sent."
        ) from err
    return SignedTransaction(
        network=utxo_draft.network,
        account_id=ctx.account_id,
        raw=tx.serialize(),
        txid=tx.txid,
        draft=utxo_draft,
    )


def _places(draft: UtxoDraft, psbt: Psbt) -> list[tuple[int, int]]:
    """Return each input's (chain, index) from the draft's own coins, in input order."""
    coins = {c.outpoint: c for c in draft.inputs}
    places = []
    for inp in psbt.inputs:
        coin = coins.get(inp.prevout)
        if coin is None:
            raise SigningRefused("An input of the signed PSBT is not a coin of the draft.")
        places.append((coin.chain, coin.index))
    return places


def _key_names(psbt: Psbt) -> Callable[[bytes], str]:
    """Return a key's name for messages: its origin ``[fingerprint/path]`` from the PSBT."""
    names: dict[bytes, str] = {}
    for inp in psbt.inputs:
        for key, source in inp.bip32_derivations.items():
            names[key] = f"[{source.fingerprint.hex()}{format_path(source.path)[1:]}]"
        for xonly, tap in inp.tap_bip32_derivations.items():
            src = tap.source
            names[xonly] = f"[{src.fingerprint.hex()}{format_path(src.path)[1:]}]"

    def name(key: bytes) -> str:
        return names.get(key, key.hex()[:16])

    return name


def broadcast(ctx: UtxoContext, signed: SignedTransaction) -> str:
    """Send a signed transaction; record it as pending; return its txid.

    Raises:
        see ``UtxoAccount.broadcast`` (the public entry point).
    """
    draft = _draft_of(ctx, signed.draft)
    network = ctx.network
    tx = Transaction.parse(signed.raw)
    if tx.txid != signed.txid:
        raise WalletError("The signed transaction's bytes do not match its txid.")
    with translate_errors():
        backend = ctx.backend()
    with translate_errors():
        try:
            txid = backend.broadcast(signed.raw)
        except TransactionRejected as err:
            if err.reason not in ALREADY_KNOWN:
                raise refusal(err, network.title) from err
            txid = Txid(tx.txid)  # the node has it already: the broadcast reached its goal
    if txid != tx.txid:
        raise WalletError(
            f"The server answered the broadcast with {txid}, not the transaction's {tx.txid}."
        )
    ctx.store.record_broadcast(ctx.account_id, tx, draft.fee, replaces=draft.replaces)
    return tx.txid
