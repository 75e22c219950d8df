"""BIP-322 generic signed messages: ``to_spend`` / ``to_sign``, simple and full, single keys.

A message is signed by spending a virtual output whose script is the address's
(``message_challenge``): ``to_spend`` (version 0, one input ``0000…:0xFFFFFFFF`` with
``scriptSig = OP_0 PUSH32[sha256_tag("BIP0322-signed-message", m)]``, one output of value 0
paying the challenge) and ``to_sign`` (version 0, spending ``to_spend:0``, one output of
value 0 to ``OP_RETURN``). A *simple* signature is ``to_sign``'s witness stack, a *full* one
the whole signed ``to_sign``; both are written in base64. P2PKH has no witness, so its
BIP-322 signature is always full.

This module builds the transactions, computes the signature hash a signer signs for each
single-key address kind (P2PKH legacy, P2SH-P2WPKH and P2WPKH with BIP-143, P2TR key path
with BIP-341) and verifies a signature of those kinds itself: the witness or scriptSig must
be exactly the template of the kind, ECDSA signatures strict DER with low S and
``SIGHASH_ALL``, Schnorr signatures with ``SIGHASH_DEFAULT`` or ``SIGHASH_ALL``. The wallet
runs libbitcoinkernel on the same pair of transactions on top.
"""

from __future__ import annotations

import base64
import binascii
import enum
from dataclasses import dataclass

from primitives.hashes import hash160, tagged_hash
from primitives.script import (
    KeyScriptKind,
    ScriptType,
    classify,
    iter_script,
    p2pkh_script,
    p2wpkh_script,
    push_data,
)
from primitives.secp256k1 import (
    ecdsa_verify,
    is_strict_der,
    is_valid_pubkey,
    schnorr_verify,
)
from primitives.sighash import SIGHASH_ALL, SIGHASH_DEFAULT, SighashCache
from primitives.tx import (
    OutPoint,
    Transaction,
    TxDecodeError,
    TxIn,
    TxOut,
    read_compact_size,
    write_compact_size,
)

__all__ = [
    "TAG",
    "Bip322Error",
    "Bip322Form",
    "Bip322Proof",
    "decode_signature",
    "encode_witness",
    "kind_of_challenge",
    "message_hash",
    "script_sig_for",
    "sighash",
    "to_sign",
    "to_spend",
    "verify_bip322",
]

TAG = "BIP0322-signed-message"
_OP_RETURN = b"\x6a"
_KINDS = {
    ScriptType.P2PKH: KeyScriptKind.P2PKH,
    ScriptType.P2SH: KeyScriptKind.P2SH_P2WPKH,
    ScriptType.P2WPKH: KeyScriptKind.P2WPKH,
    ScriptType.P2TR: KeyScriptKind.P2TR,
}


class Bip322Error(ValueError):
    """A BIP-322 signature that is malformed, of an unsupported kind, or invalid."""


class Bip322Form(enum.Enum):
    """The two BIP-322 encodings."""

    SIMPLE = "simple"
    FULL = "full"


@dataclass(frozen=True, slots=True)
class Bip322Proof:
    """A decoded BIP-322 signature: the ``to_spend`` / ``to_sign`` pair it stands for.

    Attributes:
        form: simple (a witness stack) or full (a transaction).
        to_spend: the virtual transaction paying the address's script.
        to_sign: the signed transaction spending it.
    """

    form: Bip322Form
    to_spend: Transaction
    to_sign: Transaction


def message_hash(message: bytes) -> bytes:
    """Return ``sha256_tag("BIP0322-signed-message", message)``."""
    return tagged_hash(TAG, message)


def to_spend(challenge: bytes, message: bytes) -> Transaction:
    """Return the virtual ``to_spend`` transaction for a script and a message."""
    script_sig = b"\x00\x20" + message_hash(message)
    prevout = OutPoint(bytes(32), 0xFFFFFFFF)
    return Transaction(0, (TxIn(prevout, script_sig, 0),), (TxOut(0, challenge),), 0)


def to_sign(
    spend: Transaction, script_sig: bytes = b"", witness: tuple[bytes, ...] = ()
) -> Transaction:
    """Return ``to_sign`` spending ``spend``'s output, with a scriptSig and witness set."""
    txin = TxIn(spend.outpoint(0), script_sig, 0, witness)
    return Transaction(0, (txin,), (TxOut(0, _OP_RETURN),), 0)


def kind_of_challenge(challenge: bytes) -> KeyScriptKind:
    """Return the single-key kind of an address script (P2SH is taken as P2SH-P2WPKH).

    Raises:
        Bip322Error: a script kind this module does not sign or verify.
    """
    kind = _KINDS.get(classify(challenge))
    if kind is None:
        raise Bip322Error(
            "BIP-322 is supported here for P2PKH, P2SH-P2WPKH, P2WPKH and P2TR addresses."
        )
    return kind


def script_sig_for(kind: KeyScriptKind, pubkey: bytes) -> bytes:
    """Return the scriptSig ``to_sign`` carries besides signatures: the P2SH redeem script."""
    if kind is KeyScriptKind.P2SH_P2WPKH:
        return push_data(p2wpkh_script(hash160(pubkey)))
    return b""


def sighash(
    sign_tx: Transaction,
    challenge: bytes,
    kind: KeyScriptKind,
    pubkey: bytes | None,
    hash_type: int = SIGHASH_ALL,
) -> bytes:
    """Return the digest a key signs for the first input of ``to_sign``.

    Args:
        sign_tx: ``to_sign`` (its witness is ignored).
        challenge: the address's output script.
        kind: the address's single-key kind.
        pubkey: the 33-byte key (for the P2PKH / P2WPKH script code); unused for P2TR.
        hash_type: the sighash type; ``SIGHASH_DEFAULT`` or ``SIGHASH_ALL`` for P2TR.
    """
    cache = SighashCache(sign_tx, [TxOut(0, challenge)])
    if kind is KeyScriptKind.P2TR:
        return cache.taproot(0, hash_type)
    if pubkey is None:
        raise Bip322Error("An ECDSA signature hash needs the public key.")
    if kind is KeyScriptKind.P2PKH:
        return cache.legacy(0, challenge, hash_type)
    return cache.segwit_v0(0, p2pkh_script(hash160(pubkey)), 0, hash_type)


def encode_witness(stack: tuple[bytes, ...]) -> bytes:
    """Return a witness stack in consensus encoding (a vector of byte vectors)."""
    out = write_compact_size(len(stack))
    for item in stack:
        out += write_compact_size(len(item)) + item
    return out


def _decode_witness(raw: bytes) -> tuple[bytes, ...]:
    try:
        count, pos = read_compact_size(raw, 0)
        items = []
        for _ in range(count):
            size, pos = read_compact_size(raw, pos)
            if pos + size > len(raw):
                raise Bip322Error("The witness stack is cut short.")
            items.append(raw[pos : pos + size])
            pos += size
    except (TxDecodeError, IndexError):
        raise Bip322Error("The signature is not a witness stack.") from None
    if pos != len(raw):
        raise Bip322Error("The signature has bytes after its witness stack.")
    return tuple(items)


def decode_signature(challenge: bytes, message: bytes, signature: str) -> Bip322Proof:
    """Decode a base64 BIP-322 signature into its ``to_spend`` / ``to_sign`` pair.

    A signature that parses as a whole transaction spending this ``to_spend`` is full;
    otherwise it must be a witness stack (simple).

    Raises:
        Bip322Error: not base64, neither a witness stack nor a ``to_sign`` of this message
            and address, or a full signature whose fields differ from BIP-322's.
    """
    try:
        raw = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise Bip322Error("The signature is not base64 text.") from None
    spend = to_spend(challenge, message)
    try:
        full = Transaction.parse(raw)
    except (TxDecodeError, ValueError, IndexError):
        full = None
    if full is not None and full.inputs and full.inputs[0].prevout == spend.outpoint(0):
        _check_full(full)
        return Bip322Proof(Bip322Form.FULL, spend, full)
    if full is not None and full.inputs and full.outputs == (TxOut(0, _OP_RETURN),):
        raise Bip322Error(
            "The signature does not match: it was made for another message or another address."
        )
    stack = _decode_witness(raw)
    script_sig = b""
    if classify(challenge) is ScriptType.P2SH and len(stack) == 2:
        # A simple signature carries the witness only; P2SH-P2WPKH's scriptSig (the push of
        # its redeem script) follows from the key in it.
        script_sig = script_sig_for(KeyScriptKind.P2SH_P2WPKH, stack[1])
    return Bip322Proof(Bip322Form.SIMPLE, spend, to_sign(spend, script_sig, stack))


def _check_full(sign_tx: Transaction) -> None:
    if sign_tx.outputs != (TxOut(0, _OP_RETURN),):
        raise Bip322Error("A full BIP-322 signature has one output: 0 to OP_RETURN.")
    if len(sign_tx.inputs) != 1:
        raise Bip322Error(
            "This signature proves funds with more inputs; that needs the UTXO set and is "
            "not checked here."
        )
    if sign_tx.version not in (0, 2):
        raise Bip322Error("A BIP-322 to_sign transaction has version 0 or 2.")


def _ecdsa_ok(pubkey: bytes, digest_of: bytes, sig: bytes) -> bool:
    """Strict DER plus SIGHASH_ALL (BIP-66); ``ecdsa_verify`` refuses a high S (LOW_S)."""
    if not sig or sig[-1] != SIGHASH_ALL or not is_strict_der(sig):
        return False
    return ecdsa_verify(pubkey, digest_of, sig[:-1])


def _verify_input(proof: Bip322Proof, challenge: bytes) -> None:
    kind = kind_of_challenge(challenge)
    txin = proof.to_sign.inputs[0]
    bad = Bip322Error(
        "The signature does not match: it was made for another message or another address."
    )
    if kind is KeyScriptKind.P2TR:
        if txin.script_sig or len(txin.witness) != 1 or len(txin.witness[0]) not in (64, 65):
            raise bad
        sig = txin.witness[0]
        hash_type = sig[64] if len(sig) == 65 else SIGHASH_DEFAULT
        if hash_type != SIGHASH_ALL and len(sig) == 65:
            raise Bip322Error("A BIP-322 signature must use SIGHASH_ALL.")
        digest = sighash(proof.to_sign, challenge, kind, None, hash_type)
        if not schnorr_verify(challenge[2:], digest, sig[:64]):
            raise bad
        return
    if kind is KeyScriptKind.P2PKH:
        if txin.witness:
            raise bad
        try:
            pushes = [data for _op, data in iter_script(txin.script_sig)]
        except ValueError:
            raise bad from None
        if len(pushes) != 2 or pushes[0] is None or pushes[1] is None:
            raise bad
        sig, pubkey = pushes[0], pushes[1]
        if push_data(sig) + push_data(pubkey) != txin.script_sig:
            raise bad  # MINIMALDATA
    else:
        if len(txin.witness) != 2:
            raise bad
        sig, pubkey = txin.witness
        if kind is KeyScriptKind.P2SH_P2WPKH and txin.script_sig != script_sig_for(kind, pubkey):
            raise bad
        if kind is KeyScriptKind.P2WPKH and txin.script_sig:
            raise bad
    if len(pubkey) != 33 or not is_valid_pubkey(pubkey):
        raise bad
    from_key = {
        KeyScriptKind.P2PKH: p2pkh_script(hash160(pubkey)),
        KeyScriptKind.P2WPKH: p2wpkh_script(hash160(pubkey)),
    }
    expected = from_key.get(kind)
    if kind is KeyScriptKind.P2SH_P2WPKH:
        expected = b"\xa9\x14" + hash160(p2wpkh_script(hash160(pubkey))) + b"\x87"
    if expected != challenge:
        raise bad
    if not _ecdsa_ok(pubkey, sighash(proof.to_sign, challenge, kind, pubkey), sig):
        raise bad


def verify_bip322(challenge: bytes, message: bytes, signature: str) -> Bip322Proof:
    """Verify a simple or full BIP-322 signature of ``message`` for an address's script.

    Returns:
        The decoded proof (its form, and the two transactions for a script interpreter).

    Raises:
        Bip322Error: malformed, an unsupported address kind, or not valid for this message
            and address.
    """
    proof = decode_signature(challenge, message, signature)
    _verify_input(proof, challenge)
    return proof
