"""Sign a PSBT with keys derived from the master key, the way a hardware wallet does.

1. Parse the PSBT from its bytes here, never accept an object: the review and the signatures
   must be about exactly the bytes that came in, whatever the online side believes they say.
2. Derive the account key once (the hardened steps are the expensive ones), review the PSBT
   with its public key (``utxo_review``): summary, change, fee, network, paths, sighash types,
   proven amounts, the expected summary.
3. Ask the person (``ctx.prompt``); a "no" raises ``SigningCancelled``.
4. For each input to sign, derive its key below the cached receive/change chain key, compute
   the sighash from one ``SighashCache`` (per-transaction hashes once), sign (ECDSA with
   Bitcoin Core's low-R grinding, or BIP-340 with the BIP-86 tweak) and verify. The ECDSA
   signature is verified against the key the script pays, and the taproot key's tweaked
   output key is compared with the spent script: either proves that the derived key is the
   key the input spends, so a PSBT naming a path whose key is not the spent one is refused.
5. Add the signatures (``PSBT_IN_PARTIAL_SIG``, ``PSBT_IN_TAP_KEY_SIG``) and return the bytes.
"""

from __future__ import annotations

import hmac
from dataclasses import replace

from keystore.bip32 import ExtendedPrivateKey, format_path
from keystore.errors import InvalidPsbt, KeyMismatch, SigningCancelled, UnprovenInput
from keystore.signers.base import SigningContext
from keystore.signers.policy_review import (
    confirm_policy_review,
    review_policy_psbt,
    sign_policy_psbt,
)
from keystore.signers.utxo_review import InputToSign, PsbtReview, review_psbt
from primitives.psbt import (
    PSBT_MAGIC,
    Psbt,
    PsbtError,
    PsbtInput,
    PsbtLayout,
    PsbtUtxoMismatch,
)
from primitives.psbt_roles import SpendKind
from primitives.psbt_types import (
    I_PARTIAL_SIG,
    I_TAP_KEY_SIG,
    TX_MODIFIABLE_INPUTS,
    TX_MODIFIABLE_OUTPUTS,
)
from primitives.secp256k1 import (
    CURVE_ORDER,
    Secp256k1Error,
    SignatureVerificationFailed,
    ecdsa_sign,
    schnorr_sign_taproot,
)
from primitives.sighash import SIGHASH_DEFAULT, SighashCache

__all__ = ["sign_psbt_with_root", "sign_reviewed"]

_INPUTS_AND_OUTPUTS = TX_MODIFIABLE_INPUTS | TX_MODIFIABLE_OUTPUTS


class _ChildSecrets:
    """Private keys of the account's receive and change chains (BIP-32 CKDpriv).

    The chain keys are derived once per PSBT; each input's key is then one HMAC-SHA512 and
    one addition modulo n, with no public key computed: the signature's verification against
    the key the script pays takes its place (see the module docstring).
    """

    __slots__ = ("_account", "_chains")

    def __init__(self, account: ExtendedPrivateKey) -> None:
        self._account = account
        self._chains: dict[int, tuple[int, bytes, bytes]] = {}

    def __repr__(self) -> str:
        return "<_ChildSecrets redacted>"

    def secret(self, chain: int, index: int) -> bytes:
        parent = self._chains.get(chain)
        if parent is None:
            key = self._account.child(chain)
            public = key.public()
            parent = (int.from_bytes(key.private_key, "big"), public.public_key, public.chain_code)
            self._chains[chain] = parent
        parent_int, parent_pub, chain_code = parent
        digest = hmac.digest(chain_code, parent_pub + index.to_bytes(4, "big"), "sha512")
        tweak = int.from_bytes(digest[:32], "big")
        child = (tweak + parent_int) % CURVE_ORDER
        if tweak >= CURVE_ORDER or child == 0:  # pragma: no cover - probability 2^-127
            raise KeyMismatch(f"Key {index} of chain {chain} does not exist (BIP-32).")
        return child.to_bytes(32, "big")


def _parse(psbt_bytes: bytes) -> tuple[Psbt, PsbtLayout]:
    try:
        if psbt_bytes[:5] != PSBT_MAGIC:
            psbt_bytes = Psbt.from_base64(psbt_bytes.decode("ascii")).serialize()
        return Psbt.parse_with_layout(psbt_bytes)
    except UnicodeDecodeError:
        raise InvalidPsbt("The data is neither a binary PSBT nor Base64 text.") from None
    except PsbtUtxoMismatch as err:
        raise UnprovenInput(
            f"An input's previous transaction is not the one it spends: {err}.", err.index
        ) from None
    except PsbtError as err:
        raise InvalidPsbt(f"The PSBT cannot be read: {err}.") from None


def _signature(todo: InputToSign, secret: bytes, cache: SighashCache) -> tuple[bytes, bytes]:
    """Return the signature record (raw key, value) for one input."""
    if todo.kind is SpendKind.P2TR:
        digest = cache.taproot(todo.index, todo.sighash_type)
        sig, output_key = schnorr_sign_taproot(secret, digest)
        if output_key != todo.output_key:
            raise KeyMismatch(
                f"The key this wallet derives at {format_path(todo.path)} is not the key "
                f"input {todo.index} spends.",
                todo.index,
            )
        if todo.sighash_type != SIGHASH_DEFAULT:
            sig += bytes([todo.sighash_type])
        return bytes([I_TAP_KEY_SIG]), sig
    if todo.kind is SpendKind.P2PKH:
        digest = cache.legacy(todo.index, todo.script_code, todo.sighash_type)
    else:
        digest = cache.segwit_v0(todo.index, todo.script_code, todo.amount, todo.sighash_type)
    try:
        der = ecdsa_sign(secret, digest, todo.pubkey)
    except SignatureVerificationFailed:
        raise KeyMismatch(
            f"The key this wallet derives at {format_path(todo.path)} is not the key input "
            f"{todo.index} spends.",
            todo.index,
        ) from None
    return bytes([I_PARTIAL_SIG]) + todo.pubkey, der + bytes([todo.sighash_type])


def _signatures(
    psbt: Psbt, review: PsbtReview, account: ExtendedPrivateKey
) -> list[tuple[InputToSign, bytes, bytes]]:
    cache = SighashCache(psbt.unsigned_tx(), review.spent)
    secrets = _ChildSecrets(account)
    out = []
    for todo in review.to_sign:
        try:
            secret = secrets.secret(todo.path[-2], todo.path[-1])
            key, value = _signature(todo, secret, cache)
        except Secp256k1Error as err:  # pragma: no cover - invalid key material, 2^-127
            raise KeyMismatch(f"Input {todo.index} cannot be signed: {err}.", todo.index) from None
        out.append((todo, key, value))
    return out


def _with_signature(inp: PsbtInput, todo: InputToSign, value: bytes) -> PsbtInput:
    if todo.kind is SpendKind.P2TR:
        return replace(inp, tap_key_sig=value)
    partial = dict(inp.partial_sigs)
    partial[todo.pubkey] = value
    return replace(inp, partial_sigs=partial)


def sign_reviewed(psbt: Psbt, review: PsbtReview, account: ExtendedPrivateKey) -> Psbt:
    """Sign the inputs a review approved, with keys below the account key.

    Args:
        psbt: the reviewed PSBT.
        review: ``review_psbt``'s result for it.
        account: the extended private key at the account path the review used.

    Raises:
        KeyMismatch: a derived key is not the key its input spends.
    """
    return _apply(psbt, _signatures(psbt, review, account))


def _apply(psbt: Psbt, sigs: list[tuple[InputToSign, bytes, bytes]]) -> Psbt:
    inputs = list(psbt.inputs)
    for todo, _, value in sigs:
        inputs[todo.index] = _with_signature(inputs[todo.index], todo, value)
    modifiable = psbt.tx_modifiable
    if modifiable is not None:
        # BIP-370 Signer: SIGHASH_ALL fixes the inputs and the outputs.
        modifiable &= ~_INPUTS_AND_OUTPUTS
    return replace(psbt, inputs=tuple(inputs), tx_modifiable=modifiable)


def _spliced(psbt: Psbt, layout: PsbtLayout, sigs: list[tuple[InputToSign, bytes, bytes]]) -> bytes:
    """Return the given bytes with the signature records added, or ``b""`` if that cannot be.

    Adding records leaves every byte the online side sent as it was. It is not possible when a
    signature record is already there (a re-sign), or when v2 modifiable flags must change.
    """
    if psbt.tx_modifiable is not None and psbt.tx_modifiable & _INPUTS_AND_OUTPUTS:
        return b""
    additions: dict[int, list[tuple[bytes, bytes]]] = {}
    for todo, key, value in sigs:
        inp = psbt.inputs[todo.index]
        if inp.tap_key_sig is not None or todo.pubkey in inp.partial_sigs:
            return b""
        additions.setdefault(todo.index, []).append((key, value))
    return layout.with_input_records(additions)


def sign_psbt_with_root(root: ExtendedPrivateKey, psbt_bytes: bytes, ctx: SigningContext) -> bytes:
    """Review and sign a PSBT with keys derived from ``root`` (see the module docstring).

    Args:
        root: the BIP-32 master private key.
        psbt_bytes: the PSBT, binary (or Base64 text as bytes).
        ctx: network, account path, expected summary, prompt and fee cap.

    Returns:
        The binary PSBT with this wallet's signatures added.

    Raises:
        PsbtRefused: a subclass saying why the PSBT was refused (see ``review_psbt``),
            ``InvalidPsbt`` when it cannot be read.
        SigningCancelled: the person declined.
    """
    psbt, layout = _parse(psbt_bytes)
    if ctx.policy is not None:
        # A policy account: scripts are re-derived from the registered descriptor, never
        # taken from the PSBT (``policy_review``).
        policy_review = review_policy_psbt(psbt, root.fingerprint, ctx)
        confirm_policy_review(policy_review, ctx)
        return sign_policy_psbt(psbt, policy_review, root).serialize()
    account = root.derive_path(ctx.account_path)
    review = review_psbt(psbt, root.fingerprint, account.public(), ctx)
    if ctx.prompt is not None and not ctx.prompt.confirm_transaction(review.summary):
        raise SigningCancelled("The transaction was not approved, so nothing was signed.")
    sigs = _signatures(psbt, review, account)
    return _spliced(psbt, layout, sigs) or _apply(psbt, sigs).serialize()
