"""Signing an EVM draft and broadcasting it: the signer's output is checked, then recorded.

Whatever signs (the hot signer, an air-gapped or hardware signer), its result is parsed back
(``keystore.signers.evm_signer.decode_signed``) and must be the very request of the draft,
from the account's own address. A broadcast records the transaction only once the node
accepted it, so a refused or failed broadcast leaves the wallet as it was.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict
from typing import TYPE_CHECKING

from chains.evm.errors import AlreadyKnown
from keystore.signers.base import PromptHandler, Signer, SigningContext
from keystore.signers.evm_signer import decode_signed
from primitives.hashes import keccak256
from wallet.errors import NonceConflict, SigningRefused, WalletError, WatchOnly, translate_errors
from wallet.evm.drafting import backend_of, signer_params
from wallet.evm.store import EvmStore
from wallet.evm.types import EvmDraft, SentTransaction
from wallet.types import SignedTransaction, TxStatus

if TYPE_CHECKING:
    from wallet.accounts.evm import EvmAccount

__all__ = ["broadcast", "import_signed", "sign"]


def sign(
    account: EvmAccount, draft: EvmDraft, signer: Signer, prompt: PromptHandler | None
) -> SignedTransaction:
    """Have a signer review and sign a draft, and check what it returns. See ``EvmAccount``."""
    if not isinstance(draft, EvmDraft) or draft.account_id != account.id:
        raise WalletError("That draft was not prepared by this EVM account.")
    path = account.key_path_indexes
    if path is None:
        raise WatchOnly(
            "This account is watched by address only: sign the draft with its own signer."
        )
    ctx = SigningContext(signer_params(account), path, expected=draft.summary, prompt=prompt)
    with translate_errors():
        signed = signer.sign_evm(draft.request, ctx)
    return import_signed(account, draft, signed.raw)


def import_signed(account: EvmAccount, draft: EvmDraft, raw: bytes) -> SignedTransaction:
    """Accept a signed transaction for a draft (from any signer: air-gapped, hardware...).

    Raises:
        SigningRefused: the bytes are not a valid signed transaction, or not this draft's
            request signed by this account.
    """
    if not isinstance(draft, EvmDraft) or draft.account_id != account.id:
        raise WalletError("That draft was not prepared by this EVM account.")
    with translate_errors():
        # Whatever signed it (hot, air-gapped, hardware), the result must be this very
        # request, from this account: the signer's output is checked, not trusted.
        request, sender = decode_signed(raw, draft.request.chain_id)
    if request != draft.request or sender != account.address:
        raise SigningRefused(
            "The signed transaction is not the one prepared (or not from this account); it "
            "was not sent."
        )
    return SignedTransaction(
        account.evm_network.name, account.id, raw, "0x" + keccak256(raw).hex(), draft
    )


def broadcast(account: EvmAccount, signed: SignedTransaction) -> str:
    """Send a signed transaction and record it as pending. See ``EvmAccount.broadcast``."""
    draft = signed.draft
    if not isinstance(draft, EvmDraft) or signed.account_id != account.id:
        raise WalletError("That transaction was not prepared by this EVM account.")
    backend = backend_of(account)
    try:
        # AlreadyKnown: the node has it already (a retry after a lost answer): it is sent.
        with translate_errors(), contextlib.suppress(AlreadyKnown):
            backend.send_raw_transaction(signed.raw)
    except NonceConflict as err:
        raise NonceConflict(
            f"Nonce {draft.request.nonce} is already used by another transaction of this "
            "account; nothing was sent. Sync and prepare the transaction again.",
            draft.request.nonce,
        ) from err
    r = draft.request
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
    EvmStore(account.wallet.database).record_sent(
        account.id,
        sent,
        signed.raw,
        (r.max_fee_per_gas, r.max_priority_fee_per_gas, r.gas_price),
        r.gas,
        [asdict(o) for o in draft.summary.outputs],
    )
    return signed.txid
