"""PSBT roles after creation (BIP-174 "Roles"): the Signer's checks, Combiner, Finalizer, Extractor.

``spend_info`` performs the checks BIP-174 lists under "Data Signers Check For" and says what
signing an input means (which output it spends, which script runs, which sighash algorithm).
``finalize`` builds final scriptSigs and witnesses for P2PKH, P2WPKH, P2SH-P2WPKH, taproot key
path and ``OP_CHECKMULTISIG`` scripts (bare in P2SH, P2WSH or P2SH-P2WSH); other templates add
a function to ``_FINALIZERS``. ``extract`` turns a finalized PSBT into the network transaction.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from primitives import _psbt_encode as codec
from primitives.hashes import hash160
from primitives.psbt import Psbt, PsbtError, PsbtInput
from primitives.script import (
    p2pkh_script,
    p2sh_script,
    parse_multisig,
    push_data,
    witness_program,
)
from primitives.tx import Transaction, TxIn, TxOut

__all__ = [
    "PsbtCombineError",
    "PsbtExtractError",
    "PsbtFinalizeError",
    "PsbtSignerCheckFailed",
    "SpendInfo",
    "SpendKind",
    "combine",
    "extract",
    "finalize",
    "finalize_input",
    "spend_info",
]


class PsbtSignerCheckFailed(PsbtError):
    """An input's UTXO, redeem script or witness script do not fit together (BIP-174 Signer)."""


class PsbtFinalizeError(PsbtError):
    """An input cannot be finalized: a signature or script is missing, or a sighash differs."""


class PsbtExtractError(PsbtError):
    """The PSBT cannot become a network transaction: an input is not finalized."""


class PsbtCombineError(PsbtError):
    """The PSBTs to combine are not for the same transaction."""


class SpendKind(enum.Enum):
    """How an input's spent output is satisfied."""

    P2PKH = "p2pkh"
    P2SH = "p2sh"
    P2WPKH = "p2wpkh"
    P2SH_P2WPKH = "p2sh-p2wpkh"
    P2WSH = "p2wsh"
    P2SH_P2WSH = "p2sh-p2wsh"
    P2TR = "p2tr"
    LEGACY_OTHER = "legacy"


@dataclass(frozen=True, slots=True)
class SpendInfo:
    """What signing one input means.

    Attributes:
        spent: the output the input spends.
        kind: the spending template.
        script_code: the script a signature commits to: for legacy inputs the scriptPubKey or
            redeem script, for P2WPKH the P2PKH script of the key hash (BIP-143), for P2WSH
            the witness script; empty for taproot.
        key_hash: the 20-byte key hash of P2PKH and P2WPKH spends, else ``None``.
        witness_version: ``None`` for legacy inputs, 0 or 1 for segwit.
    """

    spent: TxOut
    kind: SpendKind
    script_code: bytes
    key_hash: bytes | None
    witness_version: int | None


def _fail(message: str, index: int) -> PsbtSignerCheckFailed:
    return PsbtSignerCheckFailed(message, "input", index)


def spend_info(psbt: Psbt, index: int) -> SpendInfo:
    """Check input ``index`` as BIP-174's Signer must, and describe how it is spent.

    Raises:
        PsbtSignerCheckFailed: no UTXO; a witness UTXO for a non-witness output; a non-witness
            UTXO that is not the spent transaction; a redeem or witness script that does not
            hash to what the output (or redeem script) commits to.
    """
    inp = psbt.inputs[index]
    nwu = inp.non_witness_utxo
    if nwu is not None:
        if nwu.txid_bytes != inp.prevout.txid or inp.prevout.vout >= len(nwu.outputs):
            raise _fail("the non-witness UTXO is not the transaction this input spends", index)
        spent = nwu.outputs[inp.prevout.vout]
        if inp.witness_utxo is not None and inp.witness_utxo != spent:
            raise _fail("the witness UTXO disagrees with the non-witness UTXO", index)
    elif inp.witness_utxo is not None:
        spent = inp.witness_utxo
    else:
        raise _fail("the input has neither a witness nor a non-witness UTXO", index)
    script = spent.script_pubkey
    nested = inp.redeem_script is not None
    if inp.redeem_script is not None:
        if p2sh_script(hash160(inp.redeem_script)) != script:
            utxo = "witness" if nwu is None else "non-witness"
            raise _fail(f"the redeemScript does not match the {utxo} UTXO's scriptPubKey", index)
        script = inp.redeem_script
    program = witness_program(script)
    if program is None:
        if nwu is None:
            raise _fail("a witness UTXO is given for an output that is not segwit", index)
        if inp.witness_script is not None:
            raise _fail("a witnessScript is given for an input that is not segwit", index)
        if len(script) == 25 and script == p2pkh_script(script[3:23]):
            return SpendInfo(spent, SpendKind.P2PKH, script, script[3:23], None)
        kind = SpendKind.P2SH if nested else SpendKind.LEGACY_OTHER
        return SpendInfo(spent, kind, script, None, None)
    version, data = program
    if version == 0 and len(data) == 20:
        if inp.witness_script is not None:
            raise _fail("a witnessScript is given for a P2WPKH output", index)
        kind = SpendKind.P2SH_P2WPKH if nested else SpendKind.P2WPKH
        return SpendInfo(spent, kind, p2pkh_script(data), data, 0)
    if version == 0 and len(data) == 32:
        if inp.witness_script is None:
            raise _fail("a P2WSH output needs its witnessScript", index)
        if hashlib.sha256(inp.witness_script).digest() != data:
            where = "redeemScript" if nested else "witness UTXO"
            raise _fail(f"the witnessScript does not match the {where}", index)
        kind = SpendKind.P2SH_P2WSH if nested else SpendKind.P2WSH
        return SpendInfo(spent, kind, inp.witness_script, None, 0)
    if version == 1 and len(data) == 32 and not nested:
        return SpendInfo(spent, SpendKind.P2TR, b"", None, 1)
    raise _fail(f"witness version {version} with a {len(data)}-byte program is unknown", index)


# -- finalizer -------------------------------------------------------------------------------

_Final = tuple[bytes | None, tuple[bytes, ...] | None]  # final scriptSig, final witness


def _not_final(message: str, index: int) -> PsbtFinalizeError:
    return PsbtFinalizeError(message, "input", index)


def _single_key_sig(inp: PsbtInput, info: SpendInfo, index: int) -> tuple[bytes, bytes]:
    for pubkey, sig in inp.partial_sigs.items():
        if hash160(pubkey) == info.key_hash:
            return sig, pubkey
    raise _not_final("no signature for the key this output pays", index)


def _final_p2pkh(inp: PsbtInput, info: SpendInfo, index: int) -> _Final:
    sig, pubkey = _single_key_sig(inp, info, index)
    return push_data(sig) + push_data(pubkey), None


def _final_p2wpkh(inp: PsbtInput, info: SpendInfo, index: int) -> _Final:
    sig, pubkey = _single_key_sig(inp, info, index)
    script_sig = push_data(inp.redeem_script) if inp.redeem_script is not None else None
    return script_sig, (sig, pubkey)


def _final_p2tr(inp: PsbtInput, info: SpendInfo, index: int) -> _Final:
    if inp.tap_key_sig is None:
        raise _not_final("a taproot key-path spend needs PSBT_IN_TAP_KEY_SIG", index)
    return None, (inp.tap_key_sig,)


def _final_multisig(inp: PsbtInput, info: SpendInfo, index: int) -> _Final:
    parsed = parse_multisig(info.script_code)
    if parsed is None:
        raise _not_final("this script is not one the finalizer knows how to satisfy", index)
    required, pubkeys = parsed
    sigs = [inp.partial_sigs[k] for k in pubkeys if k in inp.partial_sigs][:required]
    if len(sigs) < required:
        raise _not_final(f"{len(sigs)} of the {required} signatures needed are present", index)
    # OP_CHECKMULTISIG pops one element too many (the NULLDUMMY, BIP-147: empty).
    if info.kind is SpendKind.P2SH:
        return b"\x00" + b"".join(push_data(s) for s in sigs) + push_data(info.script_code), None
    assert inp.witness_script is not None  # noqa: S101 - spend_info requires it
    witness = (b"", *sigs, inp.witness_script)
    if info.kind is SpendKind.P2SH_P2WSH:
        assert inp.redeem_script is not None  # noqa: S101 - nested means a redeem script
        return push_data(inp.redeem_script), witness
    return None, witness


_FINALIZERS: dict[SpendKind, Callable[[PsbtInput, SpendInfo, int], _Final]] = {
    SpendKind.P2PKH: _final_p2pkh,
    SpendKind.P2WPKH: _final_p2wpkh,
    SpendKind.P2SH_P2WPKH: _final_p2wpkh,
    SpendKind.P2TR: _final_p2tr,
    SpendKind.P2SH: _final_multisig,
    SpendKind.P2WSH: _final_multisig,
    SpendKind.P2SH_P2WSH: _final_multisig,
}


def _check_sighash_types(inp: PsbtInput, index: int) -> None:
    if inp.sighash_type is None:
        return
    for sig in inp.partial_sigs.values():
        if sig[-1] != inp.sighash_type:
            raise _not_final(
                f"a signature uses sighash 0x{sig[-1]:02x}, the input asks for "
                f"0x{inp.sighash_type:02x}",
                index,
            )
    if inp.tap_key_sig is not None:
        used = inp.tap_key_sig[64] if len(inp.tap_key_sig) == 65 else 0
        if used != inp.sighash_type:
            raise _not_final(
                f"the taproot signature uses sighash 0x{used:02x}, the input asks for "
                f"0x{inp.sighash_type:02x}",
                index,
            )


def finalize_input(psbt: Psbt, index: int) -> PsbtInput:
    """Return input ``index`` finalized (BIP-174 Input Finalizer).

    The final scriptSig and witness are set (each only if non-empty), and everything but the
    UTXOs, the outpoint fields and unknown records is cleared.

    Raises:
        PsbtFinalizeError: signatures or scripts are missing, a signature's sighash type is
            not the input's, or the script is of a kind no finalizer handles.
        PsbtSignerCheckFailed: the UTXO and scripts do not fit together.
    """
    inp = psbt.inputs[index]
    info = spend_info(psbt, index)
    _check_sighash_types(inp, index)
    finalizer = _FINALIZERS.get(info.kind)
    if finalizer is None:
        raise _not_final("this script is not one the finalizer knows how to satisfy", index)
    script_sig, witness = finalizer(inp, info, index)
    return PsbtInput(
        prevout=inp.prevout,
        sequence=inp.sequence,
        non_witness_utxo=inp.non_witness_utxo,
        witness_utxo=inp.witness_utxo,
        final_script_sig=script_sig or None,
        final_script_witness=witness or None,
        required_time_locktime=inp.required_time_locktime,
        required_height_locktime=inp.required_height_locktime,
        unknown=inp.unknown,
        key_order=inp.key_order,
    )


def finalize(psbt: Psbt, *, partial: bool = False) -> Psbt:
    """Finalize every input that is not final yet.

    Args:
        psbt: the signed PSBT.
        partial: leave inputs that cannot be finalized as they are instead of raising.

    Raises:
        PsbtFinalizeError: an input cannot be finalized (unless ``partial``).
        PsbtSignerCheckFailed: an input's UTXO and scripts do not fit (unless ``partial``).
    """
    inputs = []
    for index, inp in enumerate(psbt.inputs):
        if inp.is_finalized:
            inputs.append(inp)
            continue
        try:
            inputs.append(finalize_input(psbt, index))
        except (PsbtFinalizeError, PsbtSignerCheckFailed):
            if not partial:
                raise
            inputs.append(inp)
    return replace(psbt, inputs=tuple(inputs))


def extract(psbt: Psbt) -> Transaction:
    """Return the network transaction of a finalized PSBT (BIP-174 Transaction Extractor).

    Raises:
        PsbtExtractError: an input has neither a final scriptSig nor a final witness.
        PsbtLocktimeConflict: v2 inputs need incompatible locktimes.
    """
    for index, inp in enumerate(psbt.inputs):
        if not inp.is_finalized:
            raise PsbtExtractError("the input is not finalized", "input", index)
    tx = psbt.unsigned_tx()
    inputs = [
        TxIn(
            txin.prevout,
            inp.final_script_sig or b"",
            txin.sequence,
            inp.final_script_witness or (),
        )
        for txin, inp in zip(tx.inputs, psbt.inputs, strict=True)
    ]
    return tx.replace(inputs=inputs)


# -- combiner --------------------------------------------------------------------------------


def combine(psbts: Sequence[Psbt]) -> Psbt:
    """Merge PSBTs of one transaction into one holding every record (BIP-174 Combiner).

    Where two PSBTs hold different values for one key, the first PSBT's value is kept. The
    result's records are in Bitcoin Core's order (lexicographic, partial signatures by key
    hash), so combining is commutative.

    Raises:
        PsbtCombineError: no PSBTs, or PSBTs of different transactions or versions.
        PsbtError: the merged records do not form a valid PSBT.
    """
    if not psbts:
        raise PsbtCombineError("there are no PSBTs to combine")
    first = psbts[0]
    identity = first.unique_id()
    for other in psbts[1:]:
        if (
            other.version != first.version
            or len(other.inputs) != len(first.inputs)
            or len(other.outputs) != len(first.outputs)
            or other.unique_id() != identity
        ):
            raise PsbtCombineError("the PSBTs are not for the same transaction")

    def merged(maps: list[dict[bytes, bytes]], input_map: bool = False) -> bytes:
        out: dict[bytes, bytes] = {}
        for records in maps:
            for key, value in records.items():
                out.setdefault(key, value)
        return codec.write_map(out, (), input_map)

    parts = [codec.PSBT_MAGIC, merged([codec.global_records(p) for p in psbts])]
    for i in range(len(first.inputs)):
        parts.append(merged([codec.input_records(p.inputs[i], p.version, i) for p in psbts], True))
    for i in range(len(first.outputs)):
        parts.append(merged([codec.output_records(p.outputs[i], p.version, i) for p in psbts]))
    return Psbt.parse(b"".join(parts))
