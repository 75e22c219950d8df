"""Verifying a signed message for an address: every format Coffer signs, and what others write.

Bitcoin-family signatures are BIP-322 (simple or full) or the legacy ``signmessage`` forms
(BIP-137 and Electrum's): a base64 text of 65 bytes with a header byte 27-42 is legacy, any
other is BIP-322. A BIP-322 signature is checked twice: by ``primitives.bip322`` (the
single-key templates, strictly) and by libbitcoinkernel, Bitcoin Core's own interpreter, on
the same ``to_spend`` / ``to_sign`` pair. EVM signatures are 65 bytes in hex: EIP-712 when
the format says so (or the message is a typed-data document and no format is given), else
EIP-191 ``personal_sign``.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from chains.registry import EvmNetwork, UtxoNetwork, get_network
from chains.utxo.kernel import ScriptVerificationFailed, verify_transaction
from keystore.types import MessageFormat
from primitives.bip322 import Bip322Error, Bip322Form, verify_bip322
from primitives.eip712 import Eip712Error, parse_typed_data, typed_data_digest
from primitives.signmessage import (
    LegacyFormat,
    SignMessageError,
    recover_eip191,
    recover_evm_digest,
    verify_signmessage,
)
from wallet.addresses import check_address
from wallet.errors import InvalidSignature, InvalidTypedData, translate_errors
from wallet.messages.sign import MessageInput, message_bytes, message_format, utxo_message_params

__all__ = ["MessageCheck", "verify_message"]


@dataclass(frozen=True, slots=True)
class MessageCheck:
    """A signature that verified.

    Attributes:
        network: the registry name of the network.
        address: the address that signed, in canonical form.
        format: the format the signature is in.
    """

    network: str
    address: str
    format: MessageFormat


def _legacy_bytes(signature: str) -> bytes | None:
    try:
        raw = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 65 and 27 <= raw[0] <= 42 else None


def _verify_utxo(
    net: UtxoNetwork,
    address: str,
    script: bytes,
    message: bytes,
    signature: str,
    fmt: MessageFormat | None,
) -> MessageFormat:
    legacy = fmt in (MessageFormat.BIP137, MessageFormat.ELECTRUM)
    if fmt is None:
        legacy = _legacy_bytes(signature) is not None
    if legacy:
        params = utxo_message_params(net)
        try:
            style = verify_signmessage(address, message, signature, params, params.message_magic)
        except SignMessageError as err:
            raise InvalidSignature(str(err)) from None
        return MessageFormat.ELECTRUM if style is LegacyFormat.ELECTRUM else MessageFormat.BIP137
    try:
        proof = verify_bip322(script, message, signature)
    except Bip322Error as err:
        raise InvalidSignature(str(err)) from None
    try:
        verify_transaction(proof.to_sign, [proof.to_spend.outputs[0]])
    except ScriptVerificationFailed as err:  # pragma: no cover - both checks agree
        raise InvalidSignature(
            f"Bitcoin Core's script check refuses the signature: {err}"
        ) from None
    return (
        MessageFormat.BIP322_SIMPLE
        if proof.form is Bip322Form.SIMPLE
        else MessageFormat.BIP322_FULL
    )


def _evm_signature(signature: str) -> bytes:
    text = signature.strip()
    try:
        raw = bytes.fromhex(text[2:] if text[:2] in ("0x", "0X") else text)
    except ValueError:
        raise InvalidSignature("An EVM message signature is 0x and 130 hex digits.") from None
    if len(raw) != 65:
        raise InvalidSignature(f"An EVM message signature is 65 bytes; this one has {len(raw)}.")
    return raw


def _verify_evm(
    address: str, message: bytes, signature: str, fmt: MessageFormat | None
) -> MessageFormat:
    raw = _evm_signature(signature)
    tries: list[MessageFormat] = [fmt] if fmt is not None else []
    if fmt is None:
        try:
            parse_typed_data(message)
            tries.append(MessageFormat.EIP712)
        except Eip712Error:
            pass
        tries.append(MessageFormat.EIP191)
    for candidate in tries:
        try:
            if candidate is MessageFormat.EIP712:
                signer = recover_evm_digest(typed_data_digest(parse_typed_data(message)), raw)
            else:
                signer = recover_eip191(message, raw)
        except Eip712Error as err:
            raise InvalidTypedData(f"The typed data is malformed: {err}") from None
        except SignMessageError as err:
            raise InvalidSignature(str(err)) from None
        if signer.lower() == address.lower():
            return candidate
    raise InvalidSignature(
        f"The signature does not match: it was made for another message or another address "
        f"than {address}."
    )


def verify_message(
    network: str,
    address: str,
    message: MessageInput,
    signature: str,
    fmt: str | MessageFormat | None = None,
) -> MessageCheck:
    """Check that ``signature`` signs ``message`` for ``address`` (see ``Wallet``)."""
    with translate_errors():
        net = get_network(network)
    checked = check_address(net, address)
    chosen = message_format(fmt)
    if chosen is not None and chosen.is_evm != isinstance(net, EvmNetwork):
        raise InvalidSignature(f"A {chosen.value} signature is not made on {net.title}.")
    raw = message_bytes(message, None)
    if isinstance(net, UtxoNetwork):
        found = _verify_utxo(
            net, checked.address, bytes.fromhex(checked.script_pubkey), raw, signature, chosen
        )
    else:
        found = _verify_evm(checked.address, raw, signature, chosen)
    return MessageCheck(net.name, checked.address, found)
