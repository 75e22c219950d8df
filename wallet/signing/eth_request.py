"""An EVM draft of a watch-only account through the air gap (EIP-4527), in two steps.

The UTXO round trip needs nothing more than the draft's PSBT; an EVM account watched from
a ``crypto-hdkey`` (with its key origin) sends its draft out as an ``eth-sign-request`` and
takes back the offline signer's ``eth-signature``, as Keystone-style signers do with
MetaMask::

    request = eth_sign_request(acct, draft)             # CBOR: encode_frames / a GIF
    ...                                                   # coffer signer on the offline side
    signed = import_eth_signature(acct, draft, request, answer)
    acct.broadcast(signed)

The host trusts nothing in the answer but the signature: the transaction is rebuilt from its
own request, the answer must carry that request's id, and the account's ``import_signed``
checks that the result is the draft's transaction from the account's own address.
"""

from __future__ import annotations

from keystore.signers.airgap_evm import (
    read_eth_sign_request,
    read_eth_signature,
    sign_request_for,
    signed_from_answer,
)
from wallet.accounts import EvmAccount
from wallet.errors import SigningRefused, WalletError, WatchOnly, translate_errors
from wallet.evm.types import EvmDraft
from wallet.types import Draft, SignedTransaction

__all__ = ["eth_sign_request", "import_eth_signature"]


def _check(account: EvmAccount, draft: Draft) -> EvmDraft:
    if not isinstance(draft, EvmDraft) or draft.account_id != account.id:
        raise WalletError("That draft was not prepared by this EVM account.")
    return draft


def eth_sign_request(account: EvmAccount, draft: Draft) -> bytes:
    """Return the ``eth-sign-request`` (CBOR) of a draft, for the offline signer.

    It names the key's full path with the master fingerprint and the account's address;
    each call gives a fresh request id (keep the bytes: ``import_eth_signature`` needs them).

    Raises:
        WalletError: a draft of another account.
        WatchOnly: an account watched by address only (no key origin to sign with).
    """
    evm = _check(account, draft)
    path = account.key_path_indexes
    fingerprint = account.record.fingerprint
    if path is None or fingerprint is None:
        raise WatchOnly(
            "This account is watched by address only: its signer needs the key's origin "
            "(import the signer's crypto-hdkey export instead)."
        )
    with translate_errors():
        request = sign_request_for(evm.request, path, fingerprint, account.address)
    return request.cbor()


def import_eth_signature(
    account: EvmAccount, draft: Draft, request: bytes, answer: bytes
) -> SignedTransaction:
    """Rebuild the signed transaction from this host's request and the signer's answer.

    Args:
        account: the account that prepared ``draft``.
        draft: the draft the request was made of.
        request: the bytes ``eth_sign_request`` returned for it.
        answer: the ``eth-signature`` CBOR the offline signer wrote.

    Raises:
        SigningRefused: a malformed answer, an answer to another request, a request of
            another draft, or a signature that is not the account's key's on this
            transaction. Nothing is stored.
    """
    evm = _check(account, draft)
    with translate_errors():
        sent, tx, _ = read_eth_sign_request(request)
        if tx != evm.request:
            raise SigningRefused(
                "That eth-sign-request was made of another draft; nothing was accepted."
            )
        signed = signed_from_answer(sent, evm.request, read_eth_signature(answer))
    return account.import_signed(evm, signed.raw)
