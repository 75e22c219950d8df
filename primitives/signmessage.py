r"""Recoverable message signatures: Bitcoin's ``signmessage`` (BIP-137, Electrum) and EIP-191.

Bitcoin Core's ``signmessage`` hashes ``compact_size(len(magic)) || magic ||
compact_size(len(message)) || message`` twice with SHA-256 (the magic is ``"Bitcoin Signed
Message:\n"``, ``"Litecoin Signed Message:\n"`` on Litecoin) and signs it with a recoverable
ECDSA signature: 65 bytes, a header byte then ``r`` and ``s``, written in base64. The header
says which of the four candidate keys is the signer's (the recovery id) and what address the
key stands for:

======== ===================================== ========================
header   BIP-137                               Electrum
======== ===================================== ========================
27-30    P2PKH, uncompressed key               same
31-34    P2PKH, compressed key                 every compressed key
35-38    P2SH-P2WPKH                           (not written)
39-42    P2WPKH                                (not written)
======== ===================================== ========================

Electrum writes 31-34 for segwit addresses too and, verifying, tries each single-key
script of the recovered key; so does ``verify_signmessage`` for a 31-34 header.

EIP-191 version 0x45 (``personal_sign``) hashes ``"\x19Ethereum Signed Message:\n" ||
decimal(len(message)) || message`` with Keccak-256; its signature is ``r || s || v`` with
``v`` 27 or 28.
"""

from __future__ import annotations

import base64
import binascii
import enum

from coincurve import PublicKey

from primitives.evm_address import evm_address_from_pubkey
from primitives.hashes import hash160, keccak256, sha256d
from primitives.script import (
    AddressFormat,
    KeyScriptKind,
    address_to_script,
    key_script,
    p2pkh_script,
)
from primitives.tx import write_compact_size

__all__ = [
    "BITCOIN_MAGIC",
    "LegacyFormat",
    "SignMessageError",
    "compact_header",
    "eip191_hash",
    "recover_eip191",
    "recover_evm_digest",
    "recover_pubkey",
    "signmessage_hash",
    "verify_signmessage",
]

BITCOIN_MAGIC = "Bitcoin Signed Message:\n"


class SignMessageError(ValueError):
    """A signature that cannot be read: wrong length, bad base64, a header out of range."""


class LegacyFormat(enum.Enum):
    """Which header convention a legacy signature uses."""

    BIP137 = "bip137"
    ELECTRUM = "electrum"


_FIRST_HEADER = {
    KeyScriptKind.P2PKH: 31,
    KeyScriptKind.P2SH_P2WPKH: 35,
    KeyScriptKind.P2WPKH: 39,
}


def signmessage_hash(message: bytes, magic: str = BITCOIN_MAGIC) -> bytes:
    """Return the double SHA-256 digest ``signmessage`` signs for ``message``."""
    prefix = magic.encode()
    return sha256d(
        write_compact_size(len(prefix)) + prefix + write_compact_size(len(message)) + message
    )


def eip191_hash(message: bytes) -> bytes:
    """Return the EIP-191 version 0x45 digest: keccak of the prefix, length and message."""
    return keccak256(b"\x19Ethereum Signed Message:\n" + str(len(message)).encode() + message)


def compact_header(recid: int, kind: KeyScriptKind, style: LegacyFormat) -> int:
    """Return the header byte of a compressed-key signature for an address kind.

    Raises:
        SignMessageError: a taproot address (the legacy formats have no header for it) or
            a recovery id out of 0..3.
    """
    if not 0 <= recid <= 3:
        raise SignMessageError("A recovery id is 0 to 3.")
    if kind is KeyScriptKind.P2TR:
        raise SignMessageError("A taproot address has no legacy message signature; use BIP-322.")
    if style is LegacyFormat.ELECTRUM:
        return 31 + recid
    return _FIRST_HEADER[kind] + recid


def recover_pubkey(signature: bytes, digest: bytes) -> tuple[bytes, int]:
    """Recover the compressed public key of a 65-byte ``header || r || s`` signature.

    Returns:
        The 33-byte compressed key and the header byte.

    Raises:
        SignMessageError: not 65 bytes, a header outside 27..42, or no key recovers.
    """
    if len(signature) != 65:
        raise SignMessageError(f"A message signature is 65 bytes; this one has {len(signature)}.")
    header = signature[0]
    if not 27 <= header <= 42:
        raise SignMessageError(f"The signature's header byte {header} is not 27 to 42.")
    recid = (header - 27) % 4
    try:
        key = PublicKey.from_signature_and_message(
            signature[1:] + bytes([recid]), digest, hasher=None
        )
    except ValueError:
        raise SignMessageError("No public key recovers from this signature.") from None
    compressed = key.format(compressed=True)
    if header < 31:
        return key.format(compressed=False), header
    return compressed, header


def _decode(text: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SignMessageError("The signature is not base64 text.") from None


def verify_signmessage(
    address: str,
    message: bytes,
    signature: str,
    network: AddressFormat,
    magic: str = BITCOIN_MAGIC,
) -> LegacyFormat:
    """Check a legacy ``signmessage`` signature (BIP-137 or Electrum's) for an address.

    Returns:
        The header convention the signature follows (a P2PKH signature with header 27-34 is
        both; it reads as BIP-137).

    Raises:
        SignMessageError: the signature cannot be read, or it is valid for another key or
            message than ``address`` and ``message`` (the two cannot be told apart).
        AddressError: ``address`` is not an address of ``network``.
    """
    raw = _decode(signature)
    script = address_to_script(address, network)
    pubkey, header = recover_pubkey(raw, signmessage_hash(message, magic))
    if header < 31:
        if p2pkh_script(hash160(pubkey)) == script:
            return LegacyFormat.BIP137
    elif header < 35:
        if key_script(KeyScriptKind.P2PKH, pubkey) == script:
            return LegacyFormat.BIP137
        for kind in (KeyScriptKind.P2WPKH, KeyScriptKind.P2SH_P2WPKH):
            if key_script(kind, pubkey) == script:
                return LegacyFormat.ELECTRUM
    else:
        kind = KeyScriptKind.P2SH_P2WPKH if header < 39 else KeyScriptKind.P2WPKH
        if key_script(kind, pubkey) == script:
            return LegacyFormat.BIP137
    raise SignMessageError(
        f"The signature does not match: it was made for another message or another "
        f"address than {address}."
    )


def recover_eip191(message: bytes, signature: bytes) -> str:
    """Return the EIP-55 address that signed ``message`` with ``personal_sign``.

    Raises:
        SignMessageError: not 65 bytes, a ``v`` other than 27/28 (or 0/1), or no key recovers.
    """
    return recover_evm_digest(eip191_hash(message), signature)


def recover_evm_digest(digest: bytes, signature: bytes) -> str:
    """Return the EIP-55 address whose key made a 65-byte ``r || s || v`` signature of digest.

    Raises:
        SignMessageError: not 65 bytes, a ``v`` other than 27/28 (or 0/1), or no key recovers.
    """
    if len(signature) != 65:
        raise SignMessageError(
            f"An EVM message signature is 65 bytes; this one has {len(signature)}."
        )
    v = signature[64]
    recid = v - 27 if v >= 27 else v
    if recid not in (0, 1):
        raise SignMessageError(f"The signature's v byte {v} is not 27 or 28.")
    try:
        key = PublicKey.from_signature_and_message(
            signature[:64] + bytes([recid]), digest, hasher=None
        )
    except ValueError:
        raise SignMessageError("No public key recovers from this signature.") from None
    return evm_address_from_pubkey(key.format(compressed=False))
