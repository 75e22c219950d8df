"""Finalise a policy account's signed PSBT with the miniscript satisfier (BIP-379).

BIP-174's generic finalizer knows single-key scripts only. For a policy input the wallet
re-derives the output from its own descriptor at the coin's (chain, index) (the PSBT's
scripts are not trusted), reads the witness script or each tapscript leaf back as miniscript
and asks ``primitives.miniscript.satisfy`` for the cheapest non-malleable witness with the
signatures present (``partial_sigs``, or ``tap_script_sigs`` of that leaf), the preimages,
and the timelocks the transaction meets (``older`` from the input's nSequence and the
version, BIP-68/112; ``after`` from nLockTime, BIP-65). The witness script (P2WSH) or the
leaf script and control block (tapscript) end the witness.

When signatures are missing, ``SignaturesMissing`` says, for the path closest to complete,
how many more are needed and whose keys could give them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from primitives.descriptors import DerivedOutput
from primitives.hashes import hash160
from primitives.miniscript import (
    Miniscript,
    NotSatisfiable,
    locktime_satisfies,
    satisfy,
    sequence_satisfies,
    spending_paths,
)
from primitives.psbt import Psbt, PsbtInput
from primitives.script import push_data
from primitives.tx import Transaction
from wallet.errors import SignaturesMissing
from wallet.utxo.policy_scripts import PolicyScripts, decode_script

__all__ = ["finalize_policy"]


def _preimages(inp: PsbtInput) -> dict[bytes, bytes]:
    out: dict[bytes, bytes] = {}
    for table in (
        inp.sha256_preimages,
        inp.hash256_preimages,
        inp.ripemd160_preimages,
        inp.hash160_preimages,
    ):
        out.update(table)
    return out


def _missing(
    ms: Miniscript[bytes], signed: Mapping[bytes, bytes], names: Callable[[bytes], str]
) -> tuple[int, tuple[str, ...]]:
    """Return how many signatures the closest spending path still needs, and whose."""
    best: tuple[int, tuple[str, ...]] | None = None
    for path in spending_paths(ms):
        needed = 0
        who: list[str] = []
        for group in path.signers:
            have = sum(1 for k in group.keys if k in signed)
            if have < group.k:
                needed += group.k - have
                who += [names(k) for k in group.keys if k not in signed]
        if best is None or needed < best[0]:
            best = (needed, tuple(who))
    return best or (0, ())


def _witness(
    tx: Transaction,
    index: int,
    inp: PsbtInput,
    derived: DerivedOutput,
    names: Callable[[bytes], str],
) -> tuple[bytes, tuple[bytes, ...]]:
    sequence = inp.effective_sequence
    preimages = _preimages(inp)

    def older_ok(n: int) -> bool:
        return sequence_satisfies(n, sequence, tx.version)

    def after_ok(n: int) -> bool:
        return locktime_satisfies(n, tx.locktime, sequence)

    hashes = {hash160(s.pubkey): s.pubkey for s in derived.key_sources}
    tap = derived.taproot
    if tap is None:
        script = derived.witness_script
        assert script is not None  # noqa: S101 - PolicyScripts accepts P2WSH and taproot only
        ms = decode_script(script, False, hashes)
        try:
            stack = satisfy(ms, bytes, inp.partial_sigs, preimages, older_ok, after_ok)
        except NotSatisfiable:
            needed, who = _missing(ms, inp.partial_sigs, names)
            raise _refusal(index, needed, who) from None
        script_sig = b"" if derived.redeem_script is None else push_data(derived.redeem_script)
        return script_sig, (*stack, script)
    if inp.tap_key_sig is not None:
        return b"", (inp.tap_key_sig,)
    best: tuple[bytes, ...] | None = None
    closest: tuple[int, tuple[str, ...]] | None = None
    for leaf in tap.leaves:
        sigs = {k: v for (k, h), v in inp.tap_script_sigs.items() if h == leaf.leaf_hash}
        ms = decode_script(leaf.script, True, hashes)
        try:
            stack = satisfy(ms, bytes, sigs, preimages, older_ok, after_ok)
        except NotSatisfiable:
            gap = _missing(ms, sigs, names)
            if closest is None or gap[0] < closest[0]:
                closest = gap
            continue
        witness = (*stack, leaf.script, leaf.control_block)
        if best is None or sum(len(w) for w in witness) < sum(len(w) for w in best):
            best = witness
    if best is None:
        needed, who = closest or (0, ())
        raise _refusal(index, needed, who)
    return b"", best


def _refusal(index: int, needed: int, who: tuple[str, ...]) -> SignaturesMissing:
    if needed:
        plural = "signature" if needed == 1 else "signatures"
        text = (
            f"Input {index} needs {needed} more {plural}, from any of: {', '.join(who)}; "
            "have the other cosigners sign and combine their PSBTs."
        )
    else:
        text = (
            f"Input {index} cannot be finalised yet: its timelock or preimage is not met "
            "by this transaction."
        )
    return SignaturesMissing(text, index, needed, who)


def finalize_policy(
    psbt: Psbt,
    scripts: PolicyScripts,
    places: list[tuple[int, int]],
    names: Callable[[bytes], str],
) -> Psbt:
    """Return ``psbt`` with every input's final witness (and scriptSig for ``sh(wsh())``).

    Args:
        psbt: the signed (possibly combined) PSBT.
        scripts: the account's policy scripts.
        places: each input's (chain, index) in the account, in input order.
        names: a key's name in messages (its origin ``[fingerprint/path]``).

    Raises:
        SignaturesMissing: an input lacks signatures (how many, and whose keys could add them).
    """
    tx = psbt.unsigned_tx()
    inputs = []
    for index, (inp, (chain, child)) in enumerate(zip(psbt.inputs, places, strict=True)):
        if inp.is_finalized:
            inputs.append(inp)
            continue
        derived = scripts.derived(chain, child)
        script_sig, witness = _witness(tx, index, inp, derived, names)
        inputs.append(
            PsbtInput(
                prevout=inp.prevout,
                sequence=inp.sequence,
                non_witness_utxo=inp.non_witness_utxo,
                witness_utxo=inp.witness_utxo,
                final_script_sig=script_sig or None,
                final_script_witness=witness,
                required_time_locktime=inp.required_time_locktime,
                required_height_locktime=inp.required_height_locktime,
                unknown=inp.unknown,
            )
        )
    return replace(psbt, inputs=tuple(inputs))
