"""Signing an EVM draft and broadcasting it: the signer's output is checked, then recorded.

Whatever signs (the hot signer, an air-gapped or hardware signer), its result is parsed back
(``keystore.signers.evm_signer.decode_signed``) and must be the very request of the draft,
from the account's own address. A broadcast records the transaction only once the node
accepted it, so a refused or failed broadcast leaves the wallet as it was.

Two drafts prepared before either is sent take the same nonce; sending the second would
make the node replace the first (when it pays 10% more) and one payment would silently
vanish. So a transaction whose nonce a pending transaction of this wallet holds is refused
before it reaches the node, unless the draft says it replaces that one (a speed-up, a
cancel, or a send with that nonce chosen on purpose). Sending the very same transaction
again (a retry after a lost answer) is not a conflict: when the node already knows its hash,
it is recorded as sent.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict

from chains.evm.backend import EvmBackend
from chains.evm.errors import AlreadyKnown
from keystore.signers.base import PromptHandler, Signer, SigningContext
from keystore.signers.evm_signer import decode_signed
from primitives.hashes import keccak256
from wallet.errors import NonceConflict, SigningRefused, WalletError, WatchOnly, translate_errors
from wallet.evm.context import EvmContext
from wallet.evm.review import check_review, review_for
from wallet.evm.store import EvmStore
from wallet.evm.types import EvmDraft, SentTransaction
from wallet.types import SignedTransaction, TxStatus

__all__ = ["broadcast", "import_signed", "sign"]


def sign(
    ctx: EvmContext, draft: EvmDraft, signer: Signer, prompt: PromptHandler | None
) -> SignedTransaction:
    """Have a signer review and sign a draft, and check what it returns. See ``EvmAccount``."""
    if not isinstance(draft, EvmDraft) or draft.account_id != ctx.account_id:
        raise WalletError("That draft was not prepared by this EVM account.")
    path = ctx.key_path
    if path is None:
        raise WatchOnly(
            "This account is watched by address only: sign the draft with its own signer."
        )
    review = draft.review if draft.review is not None else review_for(ctx, draft.request)
    check_review(review, draft.allow_blind, draft.allow_mismatch)
    signing = SigningContext(ctx.signer_params(), path, expected=draft.summary, prompt=prompt)
    with translate_errors():
        signed = signer.sign_evm(draft.request, signing)
    return import_signed(ctx, draft, signed.raw)


def import_signed(ctx: EvmContext, draft: EvmDraft, raw: bytes) -> SignedTransaction:
    """Accept a signed transaction for a draft (from any signer: air-gapped, hardware...).

    Raises:
        SigningRefused: the bytes are not a valid signed transaction, or not this draft's
            request signed by this account.
    """
    if not isinstance(draft, EvmDraft) or draft.account_id != ctx.account_id:
        raise WalletError("That draft was not prepared by this EVM account.")
    with translate_errors():
        # Whatever signed it (hot, air-gapped, hardware), the result must be this very
        # request, from this account: the signer's output is checked, not trusted.
        request, sender = decode_signed(raw, draft.request.chain_id)
    if request != draft.request or sender != ctx.address:
        raise SigningRefused(
            "The signed transaction is not the one prepared (or not from this account); it "
            "was not sent."
        )
    return SignedTransaction(
        ctx.network.name, ctx.account_id, raw, "0x" + keccak256(raw).hex(), draft
    )


def broadcast(ctx: EvmContext, signed: SignedTransaction) -> str:
    """Send a signed transaction and record it as pending. See ``EvmAccount.broadcast``."""
    draft = signed.draft
    if not isinstance(draft, EvmDraft) or signed.account_id != ctx.account_id:
        raise WalletError("That transaction was not prepared by this EVM account.")
    r = draft.request
    store = ctx.store
    _check_nonce_free(store, ctx.account_id, r.nonce, signed.txid, draft.replaces)
    backend = ctx.backend()
    try:
        # AlreadyKnown: the node has it already (a retry after a lost answer): it is sent.
        with translate_errors(), contextlib.suppress(AlreadyKnown):
            backend.send_raw_transaction(signed.raw)
    except NonceConflict as err:
        # The nonce may be taken by this very transaction: sent before, its answer lost
        # (a timeout, a failover), and mined since. Then it is sent, not in conflict.
        if not _node_knows(backend, signed.txid):
            raise NonceConflict(
                f"Nonce {r.nonce} is already used by another transaction of this "
                "account; nothing was sent. Sync and prepare the transaction again.",
                r.nonce,
            ) from err
    sent = SentTransaction(
        tx_hash=signed.txid,
        nonce=r.nonce,
        kind=draft.kind,
        status=TxStatus.PENDING,
        replaces=draft.replaces,
        block_number=None,
        fee=None,
        to=r.to,
        value=r.value,
        max_fee=draft.max_fee,
    )
    store.record_sent(
        ctx.account_id,
        sent,
        signed.raw,
        (r.max_fee_per_gas, r.max_priority_fee_per_gas, r.gas_price),
        r.gas,
        [asdict(o) for o in draft.summary.outputs],
    )
    return signed.txid


def _check_nonce_free(
    store: EvmStore, account_id: int, nonce: int, tx_hash: str, replaces: str | None
) -> None:
    """Refuse a transaction whose nonce a pending own transaction holds, unless it replaces it.

    Raises:
        NonceConflict: another pending transaction of this wallet has the nonce.
    """
    for row in store.sent(account_id):
        s = row.sent
        if s.status is not TxStatus.PENDING or s.nonce != nonce or s.tx_hash == tx_hash:
            continue
        if s.tx_hash == replaces:
            continue
        raise NonceConflict(
            f"Nonce {nonce} is held by the pending transaction {s.tx_hash} of this account: "
            "sending this one would replace it. Nothing was sent; prepare the transaction "
            "again (it takes the next nonce), or speed up or cancel the pending one.",
            nonce,
        )


def _node_knows(backend: EvmBackend, tx_hash: str) -> bool:
    """Return whether the node knows a transaction (pending or mined); ``False`` if unsure."""
    try:
        with translate_errors():
            return backend.get_transaction(tx_hash) is not None
    except WalletError:
        return False
