"""Message signing with one key: BIP-322, BIP-137 and Electrum's ``signmessage``, EIP-191/712.

The signer trusts nothing it is told. Before it signs it checks that the request is for the
network it was given, that the format belongs to that network's family, and that the key at
the request's path is the key of the request's address (it derives the address itself); then
it asks the person (``ctx.prompt.confirm_message``), and a "no" is ``SigningCancelled``.
"""

from __future__ import annotations

import base64

from coincurve import PrivateKey

from keystore.errors import SigningCancelled, SigningRefused
from keystore.signers.base import SigningContext
from keystore.types import (
    EvmParams,
    MessageFormat,
    MessageRequest,
    MessageSignature,
    UtxoParams,
)
from primitives.bip322 import (
    encode_witness,
    script_sig_for,
    sighash,
    to_sign,
    to_spend,
)
from primitives.eip712 import Eip712Error, parse_typed_data, typed_data_digest
from primitives.evm_address import evm_address_from_pubkey
from primitives.script import (
    AddressError,
    KeyScriptKind,
    ScriptType,
    address_to_script,
    classify,
    key_script,
    push_data,
)
from primitives.secp256k1 import Secp256k1Error, ecdsa_sign, schnorr_sign_taproot
from primitives.sighash import SIGHASH_ALL
from primitives.signmessage import (
    LegacyFormat,
    compact_header,
    eip191_hash,
    signmessage_hash,
)

__all__ = ["sign_message_with_key", "utxo_key_kind"]

_KIND_OF = {
    ScriptType.P2PKH: KeyScriptKind.P2PKH,
    ScriptType.P2SH: KeyScriptKind.P2SH_P2WPKH,
    ScriptType.P2WPKH: KeyScriptKind.P2WPKH,
    ScriptType.P2TR: KeyScriptKind.P2TR,
}


def utxo_key_kind(address: str, pubkey: bytes, network: UtxoParams) -> KeyScriptKind:
    """Return the single-key script kind by which ``pubkey`` owns ``address``.

    Raises:
        SigningRefused: the address is not one of ``network``, not a single-key kind, or
            the key is not the address's key.
    """
    try:
        script = address_to_script(address, network)
    except AddressError:
        raise SigningRefused(f"{address} is not a {network.title} address.") from None
    kind = _KIND_OF.get(classify(script))
    if kind is None or key_script(kind, pubkey) != script:
        raise SigningRefused(f"The key at the request's path is not the key of {address}.")
    return kind


def _check_network(request: MessageRequest, ctx: SigningContext) -> None:
    if request.network != ctx.network.name:
        raise SigningRefused(
            f"The request is for {request.network}; this signer was given {ctx.network.name}."
        )
    evm = isinstance(ctx.network, EvmParams)
    if request.format.is_evm != evm:
        family = "EVM" if evm else "Bitcoin-family"
        raise SigningRefused(
            f"A {request.format.value} signature is not made on a {family} network."
        )


def _ask(request: MessageRequest, ctx: SigningContext) -> None:
    if ctx.prompt is not None and not ctx.prompt.confirm_message(request):
        raise SigningCancelled("You declined to sign the message.")


def _sign_legacy(
    key: PrivateKey, request: MessageRequest, network: UtxoParams, kind: KeyScriptKind
) -> bytes:
    style = (
        LegacyFormat.ELECTRUM if request.format is MessageFormat.ELECTRUM else LegacyFormat.BIP137
    )
    if kind is KeyScriptKind.P2TR:
        raise SigningRefused("A taproot address has no legacy message signature; use BIP-322.")
    digest = signmessage_hash(request.message, network.message_magic)
    recoverable = key.sign_recoverable(digest, hasher=None)
    header = compact_header(recoverable[64], kind, style)
    return bytes([header]) + recoverable[:64]


def _sign_bip322(
    secret: bytes, pubkey: bytes, request: MessageRequest, kind: KeyScriptKind
) -> bytes:
    """Sign BIP-322's ``to_sign``; return the witness stack (simple) or the transaction (full)."""
    if kind is KeyScriptKind.P2PKH and request.format is MessageFormat.BIP322_SIMPLE:
        raise SigningRefused(
            "A P2PKH address has no simple BIP-322 signature; use the full form (or BIP-137)."
        )
    challenge = key_script(kind, pubkey)
    spend = to_spend(challenge, request.message)
    script_sig = script_sig_for(kind, pubkey)
    digest = sighash(to_sign(spend, script_sig), challenge, kind, pubkey, SIGHASH_ALL)
    try:
        if kind is KeyScriptKind.P2TR:
            signature, output_key = schnorr_sign_taproot(secret, digest)
            if output_key != challenge[2:]:  # pragma: no cover - key_script made challenge
                raise SigningRefused("The taproot output key is not the address's.")
            witness: tuple[bytes, ...] = (signature + bytes([SIGHASH_ALL]),)
        else:
            der = ecdsa_sign(secret, digest, pubkey) + bytes([SIGHASH_ALL])
            witness = (der, pubkey)
    except Secp256k1Error as err:  # pragma: no cover - a derived key is always valid
        raise SigningRefused(f"The message could not be signed: {err}.") from None
    if kind is KeyScriptKind.P2PKH:
        script_sig, witness = push_data(witness[0]) + push_data(pubkey), ()
    if request.format is MessageFormat.BIP322_SIMPLE:
        return encode_witness(witness)
    return to_sign(spend, script_sig, witness).serialize()


def _sign_utxo(
    key: PrivateKey, request: MessageRequest, network: UtxoParams, kind: KeyScriptKind
) -> MessageSignature:
    if request.format in (MessageFormat.BIP137, MessageFormat.ELECTRUM):
        signature = _sign_legacy(key, request, network, kind)
    else:
        pubkey = key.public_key.format(compressed=True)
        signature = _sign_bip322(key.secret, pubkey, request, kind)
    text = base64.b64encode(signature).decode()
    return MessageSignature(request.format, signature, text, request.address)


def _evm_address(key: PrivateKey, request: MessageRequest) -> str:
    address = evm_address_from_pubkey(key.public_key.format(compressed=False))
    if request.address.lower() != address.lower():
        raise SigningRefused(f"The key at the request's path is not the key of {request.address}.")
    return address


def _evm_digest(request: MessageRequest, network: EvmParams) -> bytes:
    """Return what an EVM message signature signs; typed data must name this chain, if any."""
    if request.format is MessageFormat.EIP191:
        return eip191_hash(request.message)
    try:
        data = parse_typed_data(request.message)
        digest = typed_data_digest(data)
        chain_id = data.chain_id
    except Eip712Error as err:
        raise SigningRefused(f"The typed data is malformed: {err}") from None
    if chain_id is not None and chain_id != network.chain_id:
        raise SigningRefused(
            f"The typed data is for chain id {chain_id}; this signer was given "
            f"{network.title} (chain id {network.chain_id})."
        )
    return digest


def _sign_evm(
    key: PrivateKey, digest: bytes, request: MessageRequest, address: str
) -> MessageSignature:
    recoverable = key.sign_recoverable(digest, hasher=None)
    signature = recoverable[:64] + bytes([27 + recoverable[64]])
    return MessageSignature(request.format, signature, "0x" + signature.hex(), address)


def sign_message_with_key(
    private_key: bytes, request: MessageRequest, ctx: SigningContext
) -> MessageSignature:
    """Check a message request against the key and network, ask, and sign it.

    Args:
        private_key: the 32-byte key at ``request.path`` (from the keystore; never leaves it).
        request: what to sign, in which format, for which address.
        ctx: the network the signer was given and the prompt.

    Raises:
        SigningRefused: another network, a format of the other family, an address that is
            not the key's, or a format the address kind has not (legacy for taproot).
        SigningCancelled: the person declined.
    """
    _check_network(request, ctx)
    network = ctx.network
    key = PrivateKey(private_key)
    if isinstance(network, EvmParams):
        address = _evm_address(key, request)
        digest = _evm_digest(request, network)
        _ask(request, ctx)
        return _sign_evm(key, digest, request, address)
    kind = utxo_key_kind(request.address, key.public_key.format(compressed=True), network)
    if kind is KeyScriptKind.P2TR and request.format in (
        MessageFormat.BIP137,
        MessageFormat.ELECTRUM,
    ):
        raise SigningRefused("A taproot address has no legacy message signature; use BIP-322.")
    if kind is KeyScriptKind.P2PKH and request.format is MessageFormat.BIP322_SIMPLE:
        raise SigningRefused(
            "A P2PKH address has no simple BIP-322 signature; use the full form (or BIP-137)."
        )
    _ask(request, ctx)
    return _sign_utxo(key, request, network, kind)
