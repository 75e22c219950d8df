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

from typing import TYPE_CHECKING

from chains.addresses import output_address
from chains.utxo.backend import TransactionRejected, Txid
from chains.utxo.kernel import ScriptVerificationFailed, verify_transaction
from keystore.signers.base import PromptHandler, Signer, SigningContext
from primitives.psbt import Psbt, PsbtError
from primitives.psbt_roles import extract, finalize
from primitives.tx import Transaction
from wallet.errors import (
    FeeTooLow,
    SigningRefused,
    TransactionRefused,
    WalletError,
    WatchOnly,
    translate_errors,
)
from wallet.types import Draft, SignedTransaction
from wallet.utxo.builder import UtxoDraft, utxo_params
from wallet.utxo.store import UtxoStore

if TYPE_CHECKING:
    from wallet.accounts.utxo import UtxoAccount

__all__ = ["ALREADY_KNOWN", "REASONS", "broadcast", "refusal", "sign"]

REASONS: dict[str, str] = {
    "txn-mempool-conflict": (
        "a coin it spends is already spent by another transaction in the node's mempool, "
        "which does not allow replacing it"
    ),
    "insufficient fee": (
        "as a replacement (BIP-125) it must pay more, in total and per vbyte, than what it replaces"
    ),
    "min relay fee not met": "its fee rate is below the node's minimum relay fee",
    "mempool min fee not met": "its fee rate is below what the node's full mempool accepts",
    "dust": "an output is below the dust limit",
    "bad-txns-inputs-missingorspent": "a coin it spends is already spent or unknown to the node",
    "missing-inputs": "a coin it spends is already spent or unknown to the node",
    "bad-txns-premature-spend-of-coinbase": (
        "it spends a mining reward that has not matured (100 blocks) yet"
    ),
    "non-final": "its locktime has not been reached yet",
    "bad-txns-in-belowout": "its outputs add up to more than its inputs",
    "too-long-mempool-chain": "too many of its ancestors are still unconfirmed",
    "replacement-adds-unconfirmed": "a replacement may not add unconfirmed inputs",
    "too many potential replacements": "it would replace too many transactions",
    "max-fee-exceeded": "its fee is above the node's own fee limit",
    "absurdly-high-fee": "its fee is above the node's own fee limit",
    "tx-size": "it is too large",
    "scriptpubkey": "an output script is non-standard",
}
"""The node's reject codes (Bitcoin Core's ``validation.cpp`` and ``policy``) in words."""

_FEE_REASONS = frozenset({"insufficient fee", "min relay fee not met", "mempool min fee not met"})
ALREADY_KNOWN = frozenset({"txn-already-in-mempool", "txn-already-known"})
"""Reject codes that mean the node has the transaction already: the broadcast reached it."""


def refusal(err: TransactionRejected, network_title: str) -> WalletError:
    """Return the public error for a node's refusal, its reason in words."""
    words = REASONS.get(err.reason)
    if words is None and "script-verify-flag" in err.reason:
        words = "a signature or script does not verify"
    text = words or f"the node says {err.detail}"
    message = (
        f"{network_title} refused the transaction ({err.reason}): {text}. Nothing was sent "
        "or recorded."
    )
    if err.reason in _FEE_REASONS:
        return FeeTooLow(message)
    return TransactionRefused(message, err.server, err.detail, err.reason)


def _draft_of(account: UtxoAccount, draft: Draft) -> UtxoDraft:
    if not isinstance(draft, UtxoDraft) or draft.account_id != account.id:
        raise WalletError("That draft was not prepared by this account.")
    if draft.network != account.utxo_network.name:
        raise WalletError(f"That draft is for {draft.network}, not {account.network.title}.")
    return draft


def sign(
    account: UtxoAccount, draft: Draft, signer: Signer, prompt: PromptHandler | None = None
) -> SignedTransaction:
    """Have ``signer`` review and sign a draft; finalise, extract and verify the result.

    Raises:
        WatchOnly: the account's key origin is unknown (an xpub imported without one).
        SigningRefused: the signer refused the draft, returned another transaction, or a
            signature does not verify in libbitcoinkernel.
        SigningCancelled: the person declined.
        FeeTooHigh: the fee is above the cap the signer was given.
    """
    utxo_draft = _draft_of(account, draft)
    path = account.record.path
    if path is None:
        raise WatchOnly(
            "This account was imported without its key origin: export its draft "
            f"(PSBT) to the signer that holds the key ({utxo_draft.psbt_base64[:16]}...)."
        )
    ctx = SigningContext(
        network=utxo_params(account.utxo_network),
        account_path=path,
        expected=utxo_draft.summary,
        prompt=prompt,
        max_fee=utxo_draft.fee_cap,
    )
    with translate_errors():
        signed_bytes = signer.sign_psbt(utxo_draft.psbt, ctx)
    try:
        signed = Psbt.from_text_or_bytes(signed_bytes)
        if signed.unsigned_tx().txid != Psbt.parse(utxo_draft.psbt).unsigned_tx().txid:
            raise SigningRefused("The signer returned another transaction than the draft's.")
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
        account_id=account.id,
        raw=tx.serialize(),
        txid=tx.txid,
        draft=utxo_draft,
    )


def broadcast(account: UtxoAccount, signed: SignedTransaction) -> str:
    """Send a signed transaction; record it as pending; return its txid.

    Raises:
        BackendUnavailable: the server cannot be reached (nothing was recorded).
        TransactionRefused: the node refused it (the error says why; nothing was recorded).
        FeeTooLow: the node wants a higher fee (a replacement raises it too little).
    """
    draft = _draft_of(account, signed.draft)
    network = account.utxo_network
    tx = Transaction.parse(signed.raw)
    if tx.txid != signed.txid:
        raise WalletError("The signed transaction's bytes do not match its txid.")
    with translate_errors():
        backend = account.wallet.backends.utxo(network)
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
    store = UtxoStore(account.wallet.database, network)
    store.record_broadcast(account.id, tx, draft.fee, replaces=draft.replaces)
    _mark_used(account, tx)
    return tx.txid


def _mark_used(account: UtxoAccount, tx: Transaction) -> None:
    """Mark the account's addresses the transaction pays as used (change is not reused)."""
    db = account.wallet.database
    addresses = [output_address(account.utxo_network, o.script_pubkey) for o in tx.outputs]
    with db.transaction():
        for address in addresses:
            if address is not None:
                db.execute(
                    "UPDATE addresses SET used = 1 WHERE account_id = ? AND address = ?",
                    (account.id, address),
                )
