"""MuSig2 multi-signatures for BIP-340 keys (BIP-327), and the aggregate as an xpub (BIP-328).

MuSig2 lets ``u`` signers make one 64-byte BIP-340 Schnorr signature for an aggregate key
``Q = a_1*P_1 + ... + a_u*P_u``. Signing takes two rounds: each signer publishes a public
nonce (two points), the nonces are summed into an aggregate nonce, and then each signer sends a
32-byte partial signature; the partial signatures add up to the final signature.

The names and the order of operations follow BIP-327's algorithms (``KeyAgg``,
``ApplyTweak``, ``NonceGen``, ``NonceAgg``, ``Sign``, ``PartialSigVerify``,
``PartialSigAgg``, ``DeterministicSign``), and every official vector passes. The point
arithmetic runs in libsecp256k1 through coincurve's cffi bindings (``ec_pubkey_combine``,
``tweak_mul``, ``negate``): coincurve's bundled library has no ``musig`` module. libsecp256k1
cannot represent the point at infinity, so this module uses ``None`` for it, as the reference
does.

Two kinds of failure are kept apart, as BIP-327 asks:

* :class:`InvalidContribution` names the signer (by index in the list given, or ``None`` for
  the nonce aggregator) whose public key, public nonce or partial signature is invalid, so a
  coordinator can hold that party accountable;
* :class:`MusigError` (a ``ValueError``) is any other bad argument. Its messages are the ones
  BIP-327's reference implementation raises where the vectors check them.

Secrets (signing keys, secret nonces) are passed in by the keystore and never kept here, except
inside a :class:`SecretNonce`, which hides its bytes from ``repr``/``str`` and can be used for
signing only once. Reusing a secret nonce for two different messages reveals the signing key:
persisting and consuming nonces safely is the job of ``keystore.signers.musig_session``.
"""

from __future__ import annotations

from primitives.musig2._core import InvalidContribution, MusigError
from primitives.musig2.keys import (
    MUSIG_CHAIN_CODE,
    KeyAggContext,
    apply_tweak,
    derive_child,
    individual_pk,
    key_agg,
    key_agg_coeff,
    key_agg_context,
    key_sort,
    synthetic_xpub,
    synthetic_xpub_string,
)
from primitives.musig2.signing import (
    SecretNonce,
    SessionContext,
    deterministic_sign,
    nonce_agg,
    nonce_gen,
    nonce_gen_with_rand_unsafe,
    partial_sig_agg,
    partial_sig_verify,
    partial_sig_verify_internal,
    sign,
)

__all__ = [
    "MUSIG_CHAIN_CODE",
    "InvalidContribution",
    "KeyAggContext",
    "MusigError",
    "SecretNonce",
    "SessionContext",
    "apply_tweak",
    "derive_child",
    "deterministic_sign",
    "individual_pk",
    "key_agg",
    "key_agg_coeff",
    "key_agg_context",
    "key_sort",
    "nonce_agg",
    "nonce_gen",
    "nonce_gen_with_rand_unsafe",
    "partial_sig_agg",
    "partial_sig_verify",
    "partial_sig_verify_internal",
    "sign",
    "synthetic_xpub",
    "synthetic_xpub_string",
]
