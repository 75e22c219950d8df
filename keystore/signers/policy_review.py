"""Review and sign a PSBT of a policy account (multisig, miniscript) against its descriptor.

The signer is given the registered descriptor (``SigningContext.policy``) and trusts nothing
else the PSBT says about scripts:

- an input is signed only when one of its key origins names this signer's fingerprint under
  a key of the policy, and the descriptor derived at that origin's ``(branch, index)`` gives
  exactly the script the input spends (and the PSBT's witness script, when present, is that
  derived script): a PSBT carrying a witness script of its own making, or a path that derives
  another script, is refused;
- P2WSH inputs are signed with ECDSA over BIP-143 with the derived witness script as script
  code, once per key of this signer in the script; tapscript leaves with BIP-340 over the
  BIP-342 message of that leaf (``PSBT_IN_TAP_SCRIPT_SIG`` keyed (x-only key, leaf hash));
- amounts are proven as for single-key accounts: the previous transaction for P2WSH, or a
  taproot signature that commits to every spent output (BIP-341);
- an output is shown as the policy's own only when the descriptor derives its script at the
  ``(branch, index)`` its key origins name; an output that names a key of this policy but
  pays another script is refused (its address was swapped).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from keystore.bip32 import HARDENED, ExtendedPrivateKey, format_path
from keystore.errors import (
    ForeignKeyPath,
    InvalidPsbt,
    KeyMismatch,
    NothingToSign,
    SigningCancelled,
    SigningRefused,
    UnprovenInput,
    UnsupportedInput,
    UnsupportedSighash,
    WrongNetwork,
)
from keystore.signers.base import SigningContext
from keystore.signers.utxo_review import summarize_psbt
from keystore.types import TxSummary, UtxoParams
from primitives.descriptors import (
    BITCOIN_MAINNET_XPUBS,
    BITCOIN_TESTNET_XPUBS,
    LITECOIN_MAINNET_XPUBS,
    LITECOIN_TESTNET_XPUBS,
    DerivedOutput,
    Descriptor,
    DescriptorError,
    ExtendedKey,
    ParseOptions,
)
from primitives.psbt import KeySource, Psbt, PsbtError, PsbtInput, PsbtOutput
from primitives.psbt_types import TX_MODIFIABLE_INPUTS, TX_MODIFIABLE_OUTPUTS
from primitives.secp256k1 import (
    SignatureVerificationFailed,
    ecdsa_sign,
    ecdsa_verify,
    is_strict_der,
    pubkey_from_secret,
    schnorr_sign,
    schnorr_sign_taproot,
)
from primitives.sighash import SIGHASH_ALL, SIGHASH_DEFAULT, SighashCache
from primitives.tx import TxOut

__all__ = [
    "PolicyInputToSign",
    "PolicyReview",
    "accept_added_signatures",
    "confirm_policy_review",
    "own_policy_keys",
    "read_policy",
    "review_policy_psbt",
    "sign_policy_psbt",
]

_ALL_VERSIONS = (
    BITCOIN_MAINNET_XPUBS | BITCOIN_TESTNET_XPUBS | LITECOIN_MAINNET_XPUBS | LITECOIN_TESTNET_XPUBS
)


@dataclass(frozen=True, slots=True)
class PolicyInputToSign:
    """One signature this signer adds to a policy input.

    Attributes:
        index: the input's index.
        path: the key's full derivation path from the master key.
        pubkey: the key in the script: 33 bytes (P2WSH) or 32 x-only (tapscript).
        script_code: the witness script (P2WSH); empty for tapscript.
        amount: the spent amount, in base units.
        leaf_hash: the tapscript leaf's hash (BIP-341), ``None`` for P2WSH and key paths.
        sighash_type: the sighash type to sign with.
        key_path: a taproot key-path signature by the internal key (a policy whose internal
            key is a person's, such as a recovery wallet's owner), tweaked with the tree.
        merkle_root: for a key path, the script tree's root the key is tweaked with.
        output_key: for a key path, the x-only output key the spent script pays.
    """

    index: int
    path: tuple[int, ...]
    pubkey: bytes
    script_code: bytes
    amount: int
    leaf_hash: bytes | None
    sighash_type: int
    key_path: bool = False
    merkle_root: bytes | None = None
    output_key: bytes = b""


@dataclass(frozen=True, slots=True)
class PolicyReview:
    """The outcome of a policy review: summary, signatures to add, proven spent outputs."""

    summary: TxSummary
    to_sign: tuple[PolicyInputToSign, ...]
    spent: tuple[TxOut, ...]


def _network(ctx: SigningContext) -> UtxoParams:
    if not isinstance(ctx.network, UtxoParams):
        raise WrongNetwork("A PSBT is a UTXO-family transaction; the account is on an EVM network.")
    return ctx.network


def read_policy(ctx: SigningContext) -> Descriptor:
    """Parse the registered policy of ``ctx`` (``SigningContext.policy``) for its network.

    Raises:
        WrongNetwork: the context is for an EVM network.
        UnsupportedInput: the policy cannot be read, or lacks receive and change branches.
    """
    return _policy(ctx, _network(ctx))


def own_policy_keys(descriptor: Descriptor, fingerprint: bytes) -> list[ExtendedKey]:
    """Return the policy's extended keys whose origin names ``fingerprint`` (each once)."""
    return _own_keys(descriptor, fingerprint)


def _policy(ctx: SigningContext, network: UtxoParams) -> Descriptor:
    text = ctx.policy or ""
    options = ParseOptions(xpub_versions=network.xpub_versions or _ALL_VERSIONS)
    try:
        descriptor = Descriptor.parse(text, options)
    except DescriptorError as err:
        raise UnsupportedInput(f"The registered policy cannot be read: {err}") from None
    if descriptor.multipath_count != 2 or not descriptor.is_ranged:
        raise UnsupportedInput(
            "The registered policy needs receive and change branches (<0;1>, BIP-389)."
        )
    return descriptor


def _own_keys(descriptor: Descriptor, fingerprint: bytes) -> list[ExtendedKey]:
    return [
        k
        for k in dict.fromkeys(descriptor.keys())
        if isinstance(k, ExtendedKey)
        and k.origin is not None
        and k.origin.fingerprint == fingerprint
    ]


def _place(sources: list[KeySource], own: list[ExtendedKey]) -> tuple[int, int] | None:
    """Return the (branch, index) our key origins name under a key of the policy, if any.

    A path of our fingerprint outside the policy (a single-key account's) is not this
    policy's: the input or output is then simply not the policy's own.
    """
    for source in sources:
        for key in own:
            assert key.origin is not None  # noqa: S101 - _own_keys keeps keys with origins
            base = key.origin.path
            path = source.path
            if path[: len(base)] != base:
                continue
            rest = path[len(base) :]
            if len(rest) != len(key.steps) + 1 or rest[-1] >= HARDENED:
                continue
            branch_at = [i for i, s in enumerate(key.steps) if len(s) > 1]
            if not branch_at:
                continue
            at = branch_at[0]
            fixed = [s[0] for i, s in enumerate(key.steps) if i != at]
            plain = [rest[i] for i in range(len(key.steps)) if i != at]
            if plain == fixed and rest[at] in key.steps[at]:
                return key.steps[at].index(rest[at]), rest[-1]
    return None


def _our_sources(item: PsbtInput | PsbtOutput, fingerprint: bytes) -> list[KeySource]:
    found = [s for s in item.bip32_derivations.values() if s.fingerprint == fingerprint]
    found += [
        t.source for t in item.tap_bip32_derivations.values() if t.source.fingerprint == fingerprint
    ]
    return found


def _derive(descriptor: Descriptor, branch: int, index: int, what: str, at: int) -> DerivedOutput:
    try:
        return descriptor.derive(index, branch)
    except DescriptorError as err:
        raise ForeignKeyPath(f"{what} {at} cannot be derived from the policy: {err}", at) from None


def _sighash(inp: PsbtInput, taproot: bool, index: int) -> int:
    if taproot and inp.sighash_type in (None, SIGHASH_DEFAULT):
        return SIGHASH_DEFAULT
    if inp.sighash_type in (None, SIGHASH_ALL):
        return SIGHASH_ALL
    raise UnsupportedSighash(
        f"Input {index} asks for sighash type 0x{inp.sighash_type:02x}; this wallet signs only "
        "SIGHASH_ALL (and SIGHASH_DEFAULT for taproot), which commit to the whole transaction.",
        index,
    )


def _input_signatures(
    psbt: Psbt,
    index: int,
    place: tuple[int, int],
    descriptor: Descriptor,
    fingerprint: bytes,
) -> list[PolicyInputToSign]:
    inp = psbt.inputs[index]
    spent = inp.spent_output()
    if spent is None:
        raise UnprovenInput(f"Input {index} does not say what output it spends.", index)
    branch, child = place
    derived = _derive(descriptor, branch, child, "Input", index)
    if derived.script_pubkey != spent.script_pubkey:
        raise KeyMismatch(
            f"Input {index} spends a script that the registered policy does not derive at "
            f"branch {branch}, index {child}: it is not this policy's coin.",
            index,
        )
    ours = [s for s in derived.key_sources if s.fingerprint == fingerprint]
    tap = derived.taproot
    if tap is None:
        if derived.witness_script is None:
            raise UnsupportedInput(
                f"Input {index} is not P2WSH or taproot; policy inputs of this kind are not "
                "signed here.",
                index,
            )
        if inp.witness_script is not None and inp.witness_script != derived.witness_script:
            raise KeyMismatch(
                f"Input {index} carries a witness script that is not the policy's: refused.",
                index,
            )
        if inp.non_witness_utxo is None:
            raise UnprovenInput(
                f"Input {index} comes without its previous transaction (non_witness_utxo): the "
                "amount it spends cannot be proven.",
                index,
            )
        sighash = _sighash(inp, False, index)
        return [
            PolicyInputToSign(
                index, s.path, s.pubkey, derived.witness_script, spent.value, None, sighash
            )
            for s in ours
        ]
    if inp.tap_merkle_root is not None and inp.tap_merkle_root != tap.merkle_root:
        raise KeyMismatch(f"Input {index} names a script tree that is not the policy's.", index)
    sighash = _sighash(inp, True, index)
    out = []
    for s in ours:
        if s.pubkey[-32:] == tap.internal_key:
            out.append(
                PolicyInputToSign(
                    index,
                    s.path,
                    tap.internal_key,
                    b"",
                    spent.value,
                    None,
                    sighash,
                    key_path=True,
                    merkle_root=tap.merkle_root,
                    output_key=spent.script_pubkey[2:],
                )
            )
    for leaf in tap.leaves:
        for s in ours:
            if s.pubkey in leaf.keys:
                out.append(
                    PolicyInputToSign(
                        index, s.path, s.pubkey, b"", spent.value, leaf.leaf_hash, sighash
                    )
                )
    return out


def _is_own_output(
    out: PsbtOutput,
    index: int,
    descriptor: Descriptor,
    own: list[ExtendedKey],
    fingerprint: bytes,
) -> bool:
    """Return whether the policy derives the output's script where its origins say.

    Raises:
        KeyMismatch: the output names a key of this policy but pays another script.
    """
    place = _place(_our_sources(out, fingerprint), own)
    if place is None:
        return False
    derived = _derive(descriptor, place[0], place[1], "Output", index)
    if derived.script_pubkey == out.script:
        return True
    raise KeyMismatch(
        f"Output {index} names a key of this policy but pays another script: its address was "
        "swapped after the PSBT was made. Nothing was signed.",
        index,
    )


def review_policy_psbt(psbt: Psbt, fingerprint: bytes, ctx: SigningContext) -> PolicyReview:
    """Recompute the summary of a policy account's PSBT and decide which inputs to sign.

    Raises:
        WrongNetwork, ForeignKeyPath, KeyMismatch, UnsupportedInput, UnsupportedSighash,
        UnprovenInput, OutputNotForNetwork, InvalidPsbt, FeeAboveCap, SummaryMismatch,
        NothingToSign: as ``utxo_review.review_psbt``, with scripts re-derived from
        ``ctx.policy`` instead of one account key.
    """
    network = _network(ctx)
    descriptor = _policy(ctx, network)
    own = _own_keys(descriptor, fingerprint)
    if not own:
        raise NothingToSign(
            f"The registered policy holds no key of this signer (fingerprint {fingerprint.hex()})."
        )
    try:
        tx = psbt.unsigned_tx()
    except PsbtError as err:
        raise InvalidPsbt(f"The PSBT's transaction cannot be built: {err}.") from None
    to_sign: list[PolicyInputToSign] = []
    for index, inp in enumerate(psbt.inputs):
        if inp.is_finalized:
            continue
        place = _place(_our_sources(inp, fingerprint), own)
        if place is not None:
            to_sign += _input_signatures(psbt, index, place, descriptor, fingerprint)
    if not to_sign:
        raise NothingToSign(
            f"No input of this PSBT is signed by this wallet (master key fingerprint "
            f"{fingerprint.hex()}) under the registered policy, or all of them are final."
        )
    taproot_commits = any(t.leaf_hash is not None or t.key_path for t in to_sign)
    spent: list[TxOut] = []
    for index, inp in enumerate(psbt.inputs):
        out = inp.spent_output()
        if out is None or (inp.non_witness_utxo is None and not taproot_commits):
            raise UnprovenInput(
                f"The amount input {index} spends is not proven: its previous transaction "
                "(non_witness_utxo) is missing.",
                index,
            )
        spent.append(out)
    summary = summarize_psbt(
        psbt,
        tx,
        spent,
        ctx,
        lambda index, output: _is_own_output(output, index, descriptor, own, fingerprint),
        None,
    )
    return PolicyReview(summary, tuple(to_sign), tuple(spent))


def confirm_policy_review(review: PolicyReview, ctx: SigningContext) -> None:
    """Show the recomputed summary to the person (``ctx.prompt``) and require approval.

    Raises:
        SigningCancelled: the person declined.
    """
    if ctx.prompt is not None and not ctx.prompt.confirm_transaction(review.summary):
        raise SigningCancelled("The transaction was not approved, so nothing was signed.")


def accept_added_signatures(sent: Psbt, back: Psbt, review: PolicyReview, who: str) -> Psbt:
    """Take from ``back`` only the signatures ``review`` asked for, each one verified.

    An external signer (a hardware wallet) signs the PSBT it was sent on its own; the host
    reviewed that PSBT (``review_policy_psbt``) and knows which key signs which P2WSH input.
    Every signature record the signer added or changed must be one of those: a valid ECDSA
    signature (strict DER, low S, the reviewed sighash type) by that key over that input's
    BIP-143 message with the derived witness script. Anything else (another key, another
    input, a taproot record, another transaction) refuses the whole answer: a signer that
    signs what it was not asked to is not trusted with the rest. Every other field stays as
    sent.

    Args:
        sent: the PSBT the signer was given (as reviewed).
        back: what the signer returned.
        review: the host's review of ``sent`` (ECDSA inputs only).
        who: how the signer is named in messages.

    Returns:
        ``sent`` with the verified signatures added.

    Raises:
        SigningRefused: another transaction, a signature not asked for or not valid, or no
            signature at all.
    """
    try:
        same = back.unsigned_tx().txid == sent.unsigned_tx().txid
    except PsbtError as err:
        raise InvalidPsbt(f"The PSBT {who} returned cannot be read: {err}.") from None
    if not same or len(back.inputs) != len(sent.inputs):
        raise SigningRefused(f"{who} returned another transaction than the one sent.")
    expected: dict[tuple[int, bytes], PolicyInputToSign] = {}
    for todo in review.to_sign:
        if todo.leaf_hash is not None or todo.key_path:
            raise UnsupportedInput(
                f"Input {todo.index} is a taproot input; {who} is checked for P2WSH only.",
                todo.index,
            )
        expected[(todo.index, todo.pubkey)] = todo
    cache = SighashCache(sent.unsigned_tx(), review.spent)
    inputs = list(sent.inputs)
    kept = 0
    for index, (was, now) in enumerate(zip(sent.inputs, back.inputs, strict=True)):
        if now.tap_key_sig != was.tap_key_sig or now.tap_script_sigs != was.tap_script_sigs:
            raise SigningRefused(
                f"{who} added a taproot signature to input {index}, which it was not asked "
                "for: its answer is refused."
            )
        added = {k: v for k, v in now.partial_sigs.items() if was.partial_sigs.get(k) != v}
        for pubkey, sig in added.items():
            asked = expected.get((index, pubkey))
            if asked is None:
                raise SigningRefused(
                    f"{who} signed input {index} with a key it was not asked to sign with "
                    f"({pubkey.hex()}): its answer is refused."
                )
            digest = cache.segwit_v0(index, asked.script_code, asked.amount, asked.sighash_type)
            if (
                sig[-1:] != bytes([asked.sighash_type])
                or not is_strict_der(sig)
                or not ecdsa_verify(pubkey, digest, sig[:-1])
            ):
                raise SigningRefused(
                    f"{who} returned a signature for input {index} that is not a valid "
                    f"signature by its key at {format_path(asked.path)} over that input "
                    "(BIP-143): its answer is refused."
                )
        if added:
            inputs[index] = replace(was, partial_sigs={**was.partial_sigs, **added})
            kept += len(added)
    if not kept:
        raise SigningRefused(f"{who} returned the PSBT without a signature.")
    return replace(sent, inputs=tuple(inputs))


def _sign_one(todo: PolicyInputToSign, secret: bytes, cache: SighashCache) -> bytes:
    if todo.key_path:
        digest = cache.taproot(todo.index, todo.sighash_type)
        sig, output_key = schnorr_sign_taproot(secret, digest, todo.merkle_root)
        if output_key != todo.output_key:
            raise KeyMismatch(
                f"The key this wallet derives at {format_path(todo.path)}, tweaked with the "
                f"policy's script tree, is not the key input {todo.index} pays.",
                todo.index,
            )
        return sig if todo.sighash_type == SIGHASH_DEFAULT else sig + bytes([todo.sighash_type])
    if todo.leaf_hash is not None:
        if pubkey_from_secret(secret)[1:] != todo.pubkey:
            raise KeyMismatch(
                f"The key this wallet derives at {format_path(todo.path)} is not the key "
                f"input {todo.index}'s leaf names.",
                todo.index,
            )
        digest = cache.taproot_script(todo.index, todo.leaf_hash, todo.sighash_type)
        sig = schnorr_sign(secret, digest)
        return sig if todo.sighash_type == SIGHASH_DEFAULT else sig + bytes([todo.sighash_type])
    digest = cache.segwit_v0(todo.index, todo.script_code, todo.amount, todo.sighash_type)
    try:
        der = ecdsa_sign(secret, digest, todo.pubkey)
    except SignatureVerificationFailed:
        raise KeyMismatch(
            f"The key this wallet derives at {format_path(todo.path)} is not the key input "
            f"{todo.index} names.",
            todo.index,
        ) from None
    return der + bytes([todo.sighash_type])


def sign_policy_psbt(psbt: Psbt, review: PolicyReview, root: ExtendedPrivateKey) -> Psbt:
    """Add this signer's signatures to every input the review approved.

    Each key is derived from the master key at its full path; the ECDSA signature is verified
    against the key in the script and the x-only key compared, so a wrong path is refused.

    Raises:
        KeyMismatch: a derived key is not the key in the script.
    """
    cache = SighashCache(psbt.unsigned_tx(), review.spent)
    parents: dict[tuple[int, ...], ExtendedPrivateKey] = {}
    inputs = list(psbt.inputs)
    for todo in review.to_sign:
        parent_path = todo.path[:-1]
        parent = parents.get(parent_path)
        if parent is None:
            parent = parents[parent_path] = root.derive_path(parent_path)
        secret = parent.child(todo.path[-1]).private_key
        sig = _sign_one(todo, secret, cache)
        inp = inputs[todo.index]
        if todo.key_path:
            inputs[todo.index] = replace(inp, tap_key_sig=sig)
        elif todo.leaf_hash is None:
            partial = dict(inp.partial_sigs)
            partial[todo.pubkey] = sig
            inputs[todo.index] = replace(inp, partial_sigs=partial)
        else:
            script_sigs = dict(inp.tap_script_sigs)
            script_sigs[(todo.pubkey, todo.leaf_hash)] = sig
            inputs[todo.index] = replace(inp, tap_script_sigs=script_sigs)
    modifiable = psbt.tx_modifiable
    if modifiable is not None:
        modifiable &= ~(TX_MODIFIABLE_INPUTS | TX_MODIFIABLE_OUTPUTS)
    return replace(psbt, inputs=tuple(inputs), tx_modifiable=modifiable)
