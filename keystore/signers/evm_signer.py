"""EVM transaction signing: EIP-1559 (type 2) and legacy EIP-155, with the signer's own review.

The signer trusts nothing it is told. Before it signs it:

1. checks the request's chain id against the network it was given (EIP-155 replay
   protection; a transaction for another chain is refused, the chain id is never chosen or
   changed here);
2. checks every field's type and range (EIP-2681 caps the nonce at 2**64 - 1);
3. recomputes the human summary from the transaction itself: the recipient and value, token
   transfers decoded from the call data (ERC-20 ``transfer``, ERC-721 ``safeTransferFrom`` /
   ``transferFrom``, ERC-1155 ``safeTransferFrom``), an ``approve``, or any other call in
   words, and the maximum fee (gas limit times the fee cap);
4. refuses a mismatch with the summary the online side showed (``ctx.expected``);
5. asks the person (``ctx.prompt``); a "no" is ``SigningCancelled``.

Then it signs the Keccak-256 digest of the EIP-2718 payload with libsecp256k1 (RFC 6979
nonces, low-s as EIP-2 requires) and returns the serialised transaction and its hash.
The hot path is RLP, one Keccak and one ``sign_recoverable``: nothing else heavy runs.
EIP-191 ``personal_sign`` message signing is here too (``sign_personal_message``).
"""

from __future__ import annotations

from coincurve import PrivateKey

from keystore.errors import SigningCancelled, SigningRefused
from keystore.signers.base import SigningContext
from keystore.signers.evm_summary import check_chain, review, summarize
from keystore.signers.evm_tx import (
    HALF_ORDER,
    decode_signed,
    encoded_fields,
    signed_payload,
    signing_hash,
    unsigned_payload,
)
from keystore.types import EvmParams, EvmTxRequest, SignedEvmTx
from primitives.evm_address import evm_address_from_pubkey
from primitives.hashes import keccak256
from primitives.signmessage import eip191_hash

__all__ = [
    "decode_signed",
    "personal_message_hash",
    "sign_evm_with_key",
    "sign_personal_message",
    "signing_hash",
    "summarize",
]


# -- signing -----------------------------------------------------------------------------------


def sign_evm_with_key(private_key: bytes, tx: EvmTxRequest, ctx: SigningContext) -> SignedEvmTx:
    """Review and sign an EVM transaction with one private key.

    Args:
        private_key: the 32-byte secp256k1 key (from the keystore; never leaves it).
        tx: the unsigned request.
        ctx: the network (``EvmParams``), the expected summary and the prompt.

    Returns:
        The serialised transaction (EIP-2718 type 2, or legacy with EIP-155 ``v``), its hash
        and its sender.

    Raises:
        SigningRefused: not an EVM network, another chain id, invalid fields, or a summary
            that does not match ``ctx.expected``.
        SigningCancelled: the person declined.
    """
    network = ctx.network
    if not isinstance(network, EvmParams):
        raise SigningRefused("An EVM transaction can only be signed for an EVM network.")
    check_chain(tx, network)
    fields, _to = encoded_fields(tx)
    key = PrivateKey(private_key)
    sender = evm_address_from_pubkey(key.public_key.format(compressed=False))
    if ctx.expected is not None or ctx.prompt is not None:
        summary = review(tx, network, sender, ctx.expected)
        if ctx.prompt is not None and not ctx.prompt.confirm_transaction(summary):
            raise SigningCancelled("You declined to sign the transaction.")
    signature = key.sign_recoverable(keccak256(unsigned_payload(tx, fields)), hasher=None)
    r, s, recid = signature[:32], signature[32:64], signature[64]
    if int.from_bytes(s, "big") > HALF_ORDER:  # pragma: no cover - libsecp256k1 signs low-s
        raise SigningRefused("The signature is not in low-s form (EIP-2).")
    raw = signed_payload(tx, fields, recid, r, s)
    return SignedEvmTx(raw, "0x" + keccak256(raw).hex(), sender)


# -- EIP-191 messages --------------------------------------------------------------------------


def personal_message_hash(message: bytes) -> bytes:
    """Return the EIP-191 version 0x45 digest (``primitives.signmessage.eip191_hash``)."""
    return eip191_hash(message)


def sign_personal_message(private_key: bytes, message: bytes) -> bytes:
    """Sign a message as ``personal_sign`` does (EIP-191 version 0x45).

    Returns:
        65 bytes: ``r``, ``s`` and ``v`` (27 or 28).
    """
    signature = PrivateKey(private_key).sign_recoverable(
        personal_message_hash(message), hasher=None
    )
    return signature[:64] + bytes([27 + signature[64]])
