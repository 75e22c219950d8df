"""secp256k1 for Bitcoin-family signatures, on libsecp256k1 through coincurve's bindings.

ECDSA signs as Bitcoin Core's ``CKey::Sign`` does: RFC 6979 nonces, and "low R" grinding that
re-signs with a 32-byte extra-entropy counter until R is below 2^255, so every signature is
deterministic and its DER form at most 70 bytes (71 with the sighash byte). Each signature is
verified right after it is made, as Core does, so a fault never leaves the process as a
signature. Schnorr signatures follow BIP-340; taproot key-path keys are tweaked per BIP-341
(``TapTweak``), with the even-y negation libsecp256k1's keypair API performs.

The functions call the C library directly (``coincurve._libsecp256k1``): coincurve's
``PrivateKey`` computes two public keys on construction, which would double the cost of the
signing hot path. Secrets are passed in by the keystore and never kept here.
"""

from __future__ import annotations

import os

from coincurve._libsecp256k1 import ffi, lib
from coincurve.context import GLOBAL_CONTEXT

from primitives.hashes import tagged_hash

__all__ = [
    "CURVE_ORDER",
    "InvalidPublicKey",
    "Secp256k1Error",
    "SignatureVerificationFailed",
    "ecdsa_sign",
    "ecdsa_verify",
    "is_strict_der",
    "is_valid_pubkey",
    "pubkey_from_secret",
    "schnorr_sign",
    "schnorr_sign_taproot",
    "schnorr_verify",
    "taproot_output_key",
    "taproot_tweak",
]

CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_CTX = GLOBAL_CONTEXT.ctx
_RFC6979 = lib.secp256k1_nonce_function_rfc6979
_NULL = ffi.NULL
_COMPRESSED = 0x102  # SECP256K1_EC_COMPRESSED
_UNCOMPRESSED = 0x2  # SECP256K1_EC_UNCOMPRESSED


class Secp256k1Error(ValueError):
    """A key, signature or tweak was refused by libsecp256k1."""


class InvalidPublicKey(Secp256k1Error):
    """Bytes that are not a public key on the curve (33 or 65 bytes, or 32 for x-only)."""


class SignatureVerificationFailed(Secp256k1Error):
    """A signature just made does not verify against the public key it was meant for."""


def is_valid_pubkey(pubkey: bytes) -> bool:
    """Return whether ``pubkey`` is a valid compressed or uncompressed point (``IsFullyValid``)."""
    if len(pubkey) not in (33, 65):
        return False
    point = ffi.new("secp256k1_pubkey *")
    return bool(lib.secp256k1_ec_pubkey_parse(_CTX, point, pubkey, len(pubkey)))


def pubkey_from_secret(secret: bytes, compressed: bool = True) -> bytes:
    """Return the public key of a 32-byte secret.

    Raises:
        Secp256k1Error: the secret is zero or not below the curve order.
    """
    point = ffi.new("secp256k1_pubkey *")
    if not lib.secp256k1_ec_pubkey_create(_CTX, point, secret):
        raise Secp256k1Error("the secret is not a valid private key")
    return _serialize_pubkey(point, compressed)


def _serialize_pubkey(point: object, compressed: bool) -> bytes:
    size = 33 if compressed else 65
    out = ffi.new("unsigned char[]", size)
    length = ffi.new("size_t *", size)
    lib.secp256k1_ec_pubkey_serialize(
        _CTX, out, length, point, _COMPRESSED if compressed else _UNCOMPRESSED
    )
    return bytes(ffi.buffer(out, size))


def _parse_pubkey(pubkey: bytes) -> object:
    point = ffi.new("secp256k1_pubkey *")
    if len(pubkey) not in (33, 65) or not lib.secp256k1_ec_pubkey_parse(
        _CTX, point, pubkey, len(pubkey)
    ):
        raise InvalidPublicKey("the public key is not a point on secp256k1")
    return point


def ecdsa_sign(
    secret: bytes, digest: bytes, pubkey: bytes | None = None, *, grind: bool = True
) -> bytes:
    """Sign a 32-byte digest; return the DER signature (without a sighash byte).

    Args:
        secret: the 32-byte private key.
        digest: the 32-byte message hash (a sighash).
        pubkey: the public key the signature must verify against; ``None`` computes it from
            ``secret``. Passing the key a script commits to makes the verification also prove
            that ``secret`` is that key's.
        grind: grind for a low R as Bitcoin Core does (``CKey::Sign(..., grind=true)``);
            ``False`` gives plain RFC 6979 signatures (older wallets, the BIP-143 examples).

    Raises:
        Secp256k1Error: the secret or digest is invalid.
        InvalidPublicKey: ``pubkey`` is not a point.
        SignatureVerificationFailed: the signature does not verify against ``pubkey``.
    """
    if len(digest) != 32 or len(secret) != 32:
        raise Secp256k1Error("ECDSA signs a 32-byte digest with a 32-byte key")
    point = _parse_pubkey(pubkey) if pubkey is not None else None
    sig = ffi.new("secp256k1_ecdsa_signature *")
    if not lib.secp256k1_ecdsa_sign(_CTX, sig, digest, secret, _RFC6979, _NULL):
        raise Secp256k1Error("the secret is not a valid private key")
    if grind:
        compact = ffi.new("unsigned char[64]")
        lib.secp256k1_ecdsa_signature_serialize_compact(_CTX, compact, sig)
        counter = 0
        # R below 2^255 <=> the first byte of R's 32-byte big-endian form is below 0x80.
        while compact[0] >= 0x80:
            counter += 1
            extra = counter.to_bytes(4, "little") + bytes(28)  # WriteLE32(extra_entropy, n)
            lib.secp256k1_ecdsa_sign(_CTX, sig, digest, secret, _RFC6979, extra)
            lib.secp256k1_ecdsa_signature_serialize_compact(_CTX, compact, sig)
    if point is None:
        point = ffi.new("secp256k1_pubkey *")
        lib.secp256k1_ec_pubkey_create(_CTX, point, secret)
    if not lib.secp256k1_ecdsa_verify(_CTX, sig, digest, point):
        raise SignatureVerificationFailed("the signature does not verify against the public key")
    der = ffi.new("unsigned char[72]")
    length = ffi.new("size_t *", 72)
    lib.secp256k1_ecdsa_signature_serialize_der(_CTX, der, length, sig)
    return bytes(ffi.buffer(der, length[0]))


def ecdsa_verify(pubkey: bytes, digest: bytes, der: bytes) -> bool:
    """Return whether a DER signature (no sighash byte) is valid for ``digest`` and ``pubkey``.

    As in libsecp256k1, a signature with a high S value does not verify (BIP-62 LOW_S).
    """
    if len(digest) != 32:
        return False
    try:
        point = _parse_pubkey(pubkey)
    except InvalidPublicKey:
        return False
    sig = ffi.new("secp256k1_ecdsa_signature *")
    if not lib.secp256k1_ecdsa_signature_parse_der(_CTX, sig, der, len(der)):
        return False
    return bool(lib.secp256k1_ecdsa_verify(_CTX, sig, digest, point))


def is_strict_der(sig: bytes) -> bool:
    """Return whether ``sig`` (DER plus one sighash byte) is strict DER, as BIP-66 defines it.

    This is Bitcoin Core's ``IsValidSignatureEncoding``.
    """
    n = len(sig)
    if n < 9 or n > 73 or sig[0] != 0x30 or sig[1] != n - 3:
        return False
    len_r = sig[3]
    if 5 + len_r >= n:
        return False
    len_s = sig[5 + len_r]
    if len_r + len_s + 7 != n or sig[2] != 0x02 or len_r == 0 or sig[4] & 0x80:
        return False
    if len_r > 1 and sig[4] == 0 and not sig[5] & 0x80:
        return False
    if sig[len_r + 4] != 0x02 or len_s == 0 or sig[len_r + 6] & 0x80:
        return False
    return not (len_s > 1 and sig[len_r + 6] == 0 and not sig[len_r + 7] & 0x80)


def taproot_tweak(internal_key: bytes, merkle_root: bytes | None = None) -> bytes:
    """Return the BIP-341 tweak ``hash_TapTweak(P || merkle_root)`` of an x-only internal key.

    With no script tree (BIP-86 key-path-only outputs) the tweak hashes the key alone.
    """
    return tagged_hash("TapTweak", internal_key + (merkle_root or b""))


def taproot_output_key(internal_key: bytes, merkle_root: bytes | None = None) -> bytes:
    """Return the x-only output key ``Q = P + t*G`` for an x-only internal key (BIP-341).

    Raises:
        InvalidPublicKey: ``internal_key`` is not the x coordinate of a curve point.
        Secp256k1Error: the tweak is out of range (probability below 2^-127).
    """
    xonly = ffi.new("secp256k1_xonly_pubkey *")
    if len(internal_key) != 32 or not lib.secp256k1_xonly_pubkey_parse(_CTX, xonly, internal_key):
        raise InvalidPublicKey("the internal key is not an x-only public key")
    tweaked = ffi.new("secp256k1_pubkey *")
    tweak = taproot_tweak(internal_key, merkle_root)
    if not lib.secp256k1_xonly_pubkey_tweak_add(_CTX, tweaked, xonly, tweak):
        raise Secp256k1Error("the taproot tweak is out of range")
    out_xonly = ffi.new("secp256k1_xonly_pubkey *")
    lib.secp256k1_xonly_pubkey_from_pubkey(_CTX, out_xonly, _NULL, tweaked)
    return _serialize_xonly(out_xonly)


def _serialize_xonly(xonly: object) -> bytes:
    out = ffi.new("unsigned char[32]")
    lib.secp256k1_xonly_pubkey_serialize(_CTX, out, xonly)
    return bytes(ffi.buffer(out, 32))


def _aux(aux_rand: bytes | None) -> bytes:
    if aux_rand is None:
        # BIP-340 recommends fresh auxiliary randomness against side channels.
        return os.urandom(32)
    if len(aux_rand) != 32:
        raise Secp256k1Error("BIP-340 auxiliary randomness has 32 bytes")
    return aux_rand


def _keypair(secret: bytes) -> object:
    keypair = ffi.new("secp256k1_keypair *")
    if len(secret) != 32 or not lib.secp256k1_keypair_create(_CTX, keypair, secret):
        raise Secp256k1Error("the secret is not a valid private key")
    return keypair


def _sign_keypair(keypair: object, digest: bytes, aux_rand: bytes | None) -> tuple[bytes, bytes]:
    if len(digest) != 32:
        raise Secp256k1Error("BIP-340 signs a 32-byte message here")
    sig = ffi.new("unsigned char[64]")
    if not lib.secp256k1_schnorrsig_sign32(_CTX, sig, digest, keypair, _aux(aux_rand)):
        raise Secp256k1Error("Schnorr signing failed")
    xonly = ffi.new("secp256k1_xonly_pubkey *")
    lib.secp256k1_keypair_xonly_pub(_CTX, xonly, _NULL, keypair)
    if not lib.secp256k1_schnorrsig_verify(_CTX, sig, digest, 32, xonly):
        raise SignatureVerificationFailed("the Schnorr signature does not verify")
    return bytes(ffi.buffer(sig, 64)), _serialize_xonly(xonly)


def schnorr_sign(secret: bytes, digest: bytes, aux_rand: bytes | None = None) -> bytes:
    """Return the BIP-340 signature of a 32-byte message with an untweaked key.

    Args:
        secret: the 32-byte private key.
        digest: the 32-byte message.
        aux_rand: 32 bytes of auxiliary randomness; ``None`` draws fresh randomness.

    Raises:
        Secp256k1Error: invalid secret, message or randomness.
        SignatureVerificationFailed: the signature does not verify (a fault).
    """
    return _sign_keypair(_keypair(secret), digest, aux_rand)[0]


def schnorr_sign_taproot(
    secret: bytes,
    digest: bytes,
    merkle_root: bytes | None = None,
    aux_rand: bytes | None = None,
) -> tuple[bytes, bytes]:
    """Sign a taproot key-path sighash with the BIP-341-tweaked key of an internal key.

    The internal key is made even-y first (BIP-340 x-only keys), then tweaked with
    ``hash_TapTweak(P || merkle_root)`` (BIP-86 when there is no script tree).

    Args:
        secret: the 32-byte private key of the internal key.
        digest: the BIP-341 signature hash.
        merkle_root: the script tree root, or ``None`` for a key-path-only output.
        aux_rand: 32 bytes of auxiliary randomness; ``None`` draws fresh randomness.

    Returns:
        The 64-byte signature and the 32-byte x-only output key it verifies against; the
        caller compares that key with the output script being spent.

    Raises:
        Secp256k1Error: invalid secret, message, randomness, or an out-of-range tweak.
        SignatureVerificationFailed: the signature does not verify (a fault).
    """
    keypair = _keypair(secret)
    xonly = ffi.new("secp256k1_xonly_pubkey *")
    lib.secp256k1_keypair_xonly_pub(_CTX, xonly, _NULL, keypair)
    tweak = taproot_tweak(_serialize_xonly(xonly), merkle_root)
    if not lib.secp256k1_keypair_xonly_tweak_add(_CTX, keypair, tweak):
        raise Secp256k1Error("the taproot tweak is out of range")
    return _sign_keypair(keypair, digest, aux_rand)


def schnorr_verify(xonly_pubkey: bytes, digest: bytes, sig: bytes) -> bool:
    """Return whether a 64-byte BIP-340 signature is valid for a 32-byte message and key."""
    xonly = ffi.new("secp256k1_xonly_pubkey *")
    if len(xonly_pubkey) != 32 or len(sig) != 64:
        return False
    if not lib.secp256k1_xonly_pubkey_parse(_CTX, xonly, xonly_pubkey):
        return False
    return bool(lib.secp256k1_schnorrsig_verify(_CTX, sig, digest, len(digest), xonly))
