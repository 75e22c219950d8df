"""Decoding PSBTs: every field of BIP-174, BIP-370, BIP-371 and BIP-373, checked as Core does.

Checks follow Bitcoin Core's ``psbt.h`` (``PSBTInput::Unserialize`` and friends) and the
BIPs' own rules where Core is laxer (hash preimages must hash to their key, an xpub's path
length must match its depth). Every failure is a ``PsbtError`` subclass; nothing else
escapes, whatever the bytes. The result is a ``DecodedPsbt``, from which
``primitives.psbt.Psbt`` is built (this module does not import it: ``Psbt.parse`` calls here).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping
from dataclasses import dataclass

from primitives import psbt_types as _p
from primitives._psbt_records import (
    TAPROOT_MAX_DEPTH,
    Field,
    Record,
    read_map,
    read_tap_tree,
    txout,
)
from primitives.hashes import hash160, ripemd160, sha256d
from primitives.psbt_types import (
    KeySource,
    PsbtCountMismatch,
    PsbtDecodeError,
    PsbtFieldNotAllowed,
    PsbtInput,
    PsbtMissingField,
    PsbtOutput,
    PsbtUtxoMismatch,
    PsbtVersionError,
    TapKeySource,
    TapLeaf,
    TapTreeLeaf,
)
from primitives.secp256k1 import is_strict_der, is_valid_pubkey
from primitives.tx import OutPoint, Transaction, TxDecodeError, TxIn, TxOut, parse_tx_no_witness

__all__ = ["DecodedPsbt", "decode"]

_PREIMAGES = {
    _p.I_RIPEMD160: (20, ripemd160, "RIPEMD160"),
    _p.I_SHA256: (32, lambda b: hashlib.sha256(b).digest(), "SHA256"),
    _p.I_HASH160: (20, hash160, "HASH160"),
    _p.I_HASH256: (32, sha256d, "HASH256"),
}


@dataclass(frozen=True, slots=True)
class DecodedPsbt:
    """The checked parts of a parsed PSBT, field for field those of ``primitives.psbt.Psbt``."""

    version: int
    tx_version: int
    fallback_locktime: int | None
    inputs: tuple[PsbtInput, ...]
    outputs: tuple[PsbtOutput, ...]
    xpubs: Mapping[bytes, KeySource]
    tx_modifiable: int | None
    unknown: Mapping[bytes, bytes]
    key_order: tuple[bytes, ...]


_V2_INPUT_FIELDS = (
    _p.I_PREVIOUS_TXID,
    _p.I_OUTPUT_INDEX,
    _p.I_SEQUENCE,
    _p.I_TIME_LOCKTIME,
    _p.I_HEIGHT_LOCKTIME,
)


class _Global:
    __slots__ = (
        "fallback",
        "input_count",
        "keys",
        "modifiable",
        "output_count",
        "tx",
        "tx_version",
        "unknown",
        "version",
        "xpubs",
    )

    def __init__(self) -> None:
        self.tx: Transaction | None = None
        self.version: int | None = None
        self.tx_version: int | None = None
        self.fallback: int | None = None
        self.input_count: int | None = None
        self.output_count: int | None = None
        self.modifiable: int | None = None
        self.xpubs: dict[bytes, KeySource] = {}
        self.unknown: dict[bytes, bytes] = {}
        self.keys: tuple[bytes, ...] = ()


def _decode_global(records: list[Record]) -> _Global:
    g = _Global()
    g.keys = tuple(r[0] for r in records)
    for key, key_type, keydata, value in records:
        name = _p.GLOBAL_NAMES.get(key_type)
        if name is None:
            g.unknown[key] = value
            continue
        f = Field("global", None, key_type, name)
        if key_type == _p.G_XPUB:
            f.keydata_size(keydata, 78)
            if keydata[45] not in (2, 3) or not is_valid_pubkey(keydata[45:]):
                raise f.key_error("the extended key does not hold a valid compressed public key")
            source = f.key_source(value)
            if len(source.path) != keydata[4]:
                raise f.value_error(
                    f"the path has {len(source.path)} steps but the key is at depth {keydata[4]}"
                )
            g.xpubs[keydata] = source
            continue
        f.no_keydata(keydata)
        if key_type == _p.G_UNSIGNED_TX:
            try:
                g.tx = parse_tx_no_witness(value)
            except TxDecodeError as err:
                raise f.value_error(
                    f"not a transaction in the non-witness serialisation ({err})"
                ) from None
            if any(i.script_sig for i in g.tx.inputs):
                raise f.value_error("the unsigned transaction has a non-empty scriptSig")
        elif key_type == _p.G_TX_VERSION:
            g.tx_version = f.i32(value)
        elif key_type == _p.G_FALLBACK_LOCKTIME:
            g.fallback = f.u32(value)
        elif key_type == _p.G_INPUT_COUNT:
            g.input_count = f.compact_exact(value)
        elif key_type == _p.G_OUTPUT_COUNT:
            g.output_count = f.compact_exact(value)
        elif key_type == _p.G_TX_MODIFIABLE:
            g.modifiable = f.exact(value, 1)[0]
        else:
            g.version = f.u32(value)
            if g.version > 2:
                raise PsbtVersionError(
                    f"PSBT version {g.version} is not supported", key_type=_p.G_VERSION
                )
            if g.version == 1:
                raise PsbtVersionError("there is no PSBT version 1", key_type=_p.G_VERSION)
    version = g.version or 0
    if version == 0:
        if g.tx is None:
            raise PsbtMissingField(
                "a v0 PSBT needs PSBT_GLOBAL_UNSIGNED_TX", key_type=_p.G_UNSIGNED_TX
            )
        for key_type, value_set in (
            (_p.G_TX_VERSION, g.tx_version),
            (_p.G_FALLBACK_LOCKTIME, g.fallback),
            (_p.G_INPUT_COUNT, g.input_count),
            (_p.G_OUTPUT_COUNT, g.output_count),
            (_p.G_TX_MODIFIABLE, g.modifiable),
        ):
            if value_set is not None:
                raise PsbtFieldNotAllowed(
                    f"{_p.GLOBAL_NAMES[key_type]} is not allowed in a v0 PSBT", key_type=key_type
                )
        g.tx_version = g.tx.version
        g.fallback = g.tx.locktime
        g.input_count = len(g.tx.inputs)
        g.output_count = len(g.tx.outputs)
    else:
        if g.tx is not None:
            raise PsbtFieldNotAllowed(
                "PSBT_GLOBAL_UNSIGNED_TX is not allowed in a v2 PSBT", key_type=_p.G_UNSIGNED_TX
            )
        for key_type, value_got in (
            (_p.G_TX_VERSION, g.tx_version),
            (_p.G_INPUT_COUNT, g.input_count),
            (_p.G_OUTPUT_COUNT, g.output_count),
        ):
            if value_got is None:
                raise PsbtMissingField(
                    f"a v2 PSBT needs {_p.GLOBAL_NAMES[key_type]}", key_type=key_type
                )
    return g


def _decode_input(records: list[Record], version: int, index: int, base: TxIn | None) -> PsbtInput:
    scope = "input"
    nwu: Transaction | None = None
    wu: TxOut | None = None
    partial: dict[bytes, bytes] = {}
    sighash: int | None = None
    redeem: bytes | None = None
    witness_script: bytes | None = None
    bip32: dict[bytes, KeySource] = {}
    final_sig: bytes | None = None
    final_wit: tuple[bytes, ...] | None = None
    preimages: dict[int, dict[bytes, bytes]] = {}
    prev_txid: bytes | None = None
    prev_index: int | None = None
    sequence: int | None = None
    time_lock: int | None = None
    height_lock: int | None = None
    tap_key_sig: bytes | None = None
    tap_script_sigs: dict[tuple[bytes, bytes], bytes] = {}
    tap_leaves: dict[bytes, TapLeaf] = {}
    tap_bip32: dict[bytes, TapKeySource] = {}
    tap_internal: bytes | None = None
    tap_root: bytes | None = None
    musig_keys: dict[bytes, tuple[bytes, ...]] = {}
    musig_nonces: dict[tuple[bytes, bytes, bytes], bytes] = {}
    musig_psigs: dict[tuple[bytes, bytes, bytes], bytes] = {}
    unknown: dict[bytes, bytes] = {}
    for key, key_type, keydata, value in records:
        # Fast paths for the records nearly every input carries; anything irregular goes on
        # to the general code below, which names the precise error.
        if (
            key_type == _p.I_BIP32
            and len(keydata) == 33
            and value
            and not len(value) % 4
            and is_valid_pubkey(keydata)
        ):
            bip32[keydata] = KeySource.parse(value)
            continue
        if (
            key_type == _p.I_WITNESS_UTXO
            and not keydata
            and len(value) >= 9
            and value[8] < 0xFD
            and len(value) == 9 + value[8]
        ):
            wu = TxOut(int.from_bytes(value[:8], "little", signed=True), value[9:])
            continue
        name = _p.INPUT_NAMES.get(key_type)
        if name is None:
            unknown[key] = value
            continue
        f = Field(scope, index, key_type, name)
        if version == 0 and key_type in _V2_INPUT_FIELDS:
            raise PsbtFieldNotAllowed(f"{name} is not allowed in a v0 PSBT", scope, index, key_type)
        if key_type == _p.I_PARTIAL_SIG:
            pub = f.pubkey(keydata)
            if not value or not is_strict_der(value) or not 1 <= (value[-1] & 0x7F) <= 3:
                raise f.value_error("not a strict-DER signature with a defined sighash type")
            partial[pub] = value
        elif key_type == _p.I_BIP32:
            bip32[f.pubkey(keydata)] = f.key_source(value)
        elif key_type in _PREIMAGES:
            size, hasher, label = _PREIMAGES[key_type]
            f.keydata_size(keydata, size)
            if hasher(value) != keydata:
                raise f.value_error(f"the preimage does not {label}-hash to its key")
            preimages.setdefault(key_type, {})[keydata] = value
        elif key_type == _p.I_TAP_SCRIPT_SIG:
            f.keydata_size(keydata, 64)
            tap_script_sigs[(keydata[:32], keydata[32:])] = f.schnorr_sig(value)
        elif key_type == _p.I_TAP_LEAF_SCRIPT:
            size = len(keydata)
            if size < 33 or (size - 33) % 32 or size > 33 + 32 * TAPROOT_MAX_DEPTH:
                raise f.key_error(f"a control block has 33 + 32m bytes (m <= 128), not {size}")
            if not value:
                raise f.value_error("the leaf script value needs at least its leaf-version byte")
            tap_leaves[keydata] = TapLeaf(value[:-1], value[-1])
        elif key_type == _p.I_TAP_BIP32:
            tap_bip32[f.keydata_size(keydata, 32)] = f.tap_key_source(value)
        elif key_type == _p.I_MUSIG2_PARTICIPANTS:
            aggregate, participants = f.musig2_participants(keydata, value)
            musig_keys[aggregate] = participants
        elif key_type == _p.I_MUSIG2_PUB_NONCE:
            # Only the size is checked: a nonce that is not two points is an invalid
            # contribution that MuSig2's NonceAgg attributes to its signer, not a bad PSBT.
            musig_nonces[f.musig2_key(keydata)] = f.exact(value, 66)
        elif key_type == _p.I_MUSIG2_PARTIAL_SIG:
            musig_psigs[f.musig2_key(keydata)] = f.exact(value, 32)
        else:
            f.no_keydata(keydata)
            if key_type == _p.I_NON_WITNESS_UTXO:
                try:
                    nwu = Transaction.parse(value)
                except TxDecodeError as err:
                    raise f.value_error(f"not a transaction ({err})") from None
            elif key_type == _p.I_WITNESS_UTXO:
                wu = txout(f, value)
            elif key_type == _p.I_SIGHASH:
                sighash = f.u32(value)
            elif key_type == _p.I_REDEEM_SCRIPT:
                redeem = value
            elif key_type == _p.I_WITNESS_SCRIPT:
                witness_script = value
            elif key_type == _p.I_FINAL_SCRIPTSIG:
                final_sig = value
            elif key_type == _p.I_FINAL_WITNESS:
                final_wit = f.script_list(value)
            elif key_type == _p.I_PREVIOUS_TXID:
                prev_txid = f.exact(value, 32)
            elif key_type == _p.I_OUTPUT_INDEX:
                prev_index = f.u32(value)
            elif key_type == _p.I_SEQUENCE:
                sequence = f.u32(value)
            elif key_type == _p.I_TIME_LOCKTIME:
                time_lock = f.u32(value)
                if time_lock < _p.LOCKTIME_THRESHOLD:
                    raise f.value_error("a time-based locktime is at least 500000000")
            elif key_type == _p.I_HEIGHT_LOCKTIME:
                height_lock = f.u32(value)
                if not 0 < height_lock < _p.LOCKTIME_THRESHOLD:
                    raise f.value_error("a height-based locktime is between 1 and 499999999")
            elif key_type == _p.I_TAP_KEY_SIG:
                tap_key_sig = f.schnorr_sig(value)
            elif key_type == _p.I_TAP_INTERNAL_KEY:
                tap_internal = f.exact(value, 32)
            else:
                tap_root = f.exact(value, 32)
    if base is not None:
        prevout, sequence = base.prevout, base.sequence
    else:
        if prev_txid is None:
            raise PsbtMissingField("a v2 PSBT input needs PSBT_IN_PREVIOUS_TXID", scope, index)
        if prev_index is None:
            raise PsbtMissingField("a v2 PSBT input needs PSBT_IN_OUTPUT_INDEX", scope, index)
        prevout = OutPoint(prev_txid, prev_index)
    if nwu is not None:
        if nwu.txid_bytes != prevout.txid:
            raise PsbtUtxoMismatch(
                f"the non-witness UTXO is transaction {nwu.txid}, but the input spends "
                f"{prevout.txid_hex}",
                scope,
                index,
                _p.I_NON_WITNESS_UTXO,
            )
        if prevout.vout >= len(nwu.outputs):
            raise PsbtUtxoMismatch(
                f"the input spends output {prevout.vout}, which its non-witness UTXO lacks",
                scope,
                index,
                _p.I_NON_WITNESS_UTXO,
            )
        if wu is not None and wu != nwu.outputs[prevout.vout]:
            raise PsbtUtxoMismatch(
                "the witness UTXO is not the output the non-witness UTXO shows",
                scope,
                index,
                _p.I_WITNESS_UTXO,
            )
    return PsbtInput(
        prevout=prevout,
        sequence=sequence,
        non_witness_utxo=nwu,
        witness_utxo=wu,
        partial_sigs=partial,
        sighash_type=sighash,
        redeem_script=redeem,
        witness_script=witness_script,
        bip32_derivations=bip32,
        final_script_sig=final_sig,
        final_script_witness=final_wit,
        ripemd160_preimages=preimages.get(_p.I_RIPEMD160, {}),
        sha256_preimages=preimages.get(_p.I_SHA256, {}),
        hash160_preimages=preimages.get(_p.I_HASH160, {}),
        hash256_preimages=preimages.get(_p.I_HASH256, {}),
        required_time_locktime=time_lock,
        required_height_locktime=height_lock,
        tap_key_sig=tap_key_sig,
        tap_script_sigs=tap_script_sigs,
        tap_leaf_scripts=tap_leaves,
        tap_bip32_derivations=tap_bip32,
        tap_internal_key=tap_internal,
        tap_merkle_root=tap_root,
        musig2_participants=musig_keys,
        musig2_pub_nonces=musig_nonces,
        musig2_partial_sigs=musig_psigs,
        unknown=unknown,
        key_order=tuple(r[0] for r in records),
    )


def _decode_output(
    records: list[Record], version: int, index: int, base: TxOut | None
) -> PsbtOutput:
    scope = "output"
    redeem: bytes | None = None
    witness_script: bytes | None = None
    bip32: dict[bytes, KeySource] = {}
    amount: int | None = None
    script: bytes | None = None
    tap_internal: bytes | None = None
    tap_tree: tuple[TapTreeLeaf, ...] | None = None
    tap_bip32: dict[bytes, TapKeySource] = {}
    musig_keys: dict[bytes, tuple[bytes, ...]] = {}
    unknown: dict[bytes, bytes] = {}
    for key, key_type, keydata, value in records:
        name = _p.OUTPUT_NAMES.get(key_type)
        if name is None:
            unknown[key] = value
            continue
        f = Field(scope, index, key_type, name)
        if version == 0 and key_type in (_p.O_AMOUNT, _p.O_SCRIPT):
            raise PsbtFieldNotAllowed(f"{name} is not allowed in a v0 PSBT", scope, index, key_type)
        if key_type == _p.O_BIP32:
            bip32[f.pubkey(keydata)] = f.key_source(value)
        elif key_type == _p.O_TAP_BIP32:
            tap_bip32[f.keydata_size(keydata, 32)] = f.tap_key_source(value)
        elif key_type == _p.O_MUSIG2_PARTICIPANTS:
            aggregate, participants = f.musig2_participants(keydata, value)
            musig_keys[aggregate] = participants
        else:
            f.no_keydata(keydata)
            if key_type == _p.O_REDEEM_SCRIPT:
                redeem = value
            elif key_type == _p.O_WITNESS_SCRIPT:
                witness_script = value
            elif key_type == _p.O_AMOUNT:
                amount = int(struct.unpack("<q", f.exact(value, 8))[0])
            elif key_type == _p.O_SCRIPT:
                script = value
            elif key_type == _p.O_TAP_INTERNAL_KEY:
                tap_internal = f.exact(value, 32)
            else:
                tap_tree = read_tap_tree(f, value)
    if base is not None:
        amount, script = base.value, base.script_pubkey
    elif amount is None:
        raise PsbtMissingField("a v2 PSBT output needs PSBT_OUT_AMOUNT", scope, index)
    elif script is None:
        raise PsbtMissingField("a v2 PSBT output needs PSBT_OUT_SCRIPT", scope, index)
    return PsbtOutput(
        amount=amount,
        script=script,
        redeem_script=redeem,
        witness_script=witness_script,
        bip32_derivations=bip32,
        tap_internal_key=tap_internal,
        tap_tree=tap_tree,
        tap_bip32_derivations=tap_bip32,
        musig2_participants=musig_keys,
        unknown=unknown,
        key_order=tuple(r[0] for r in records),
    )


def decode(data: bytes, input_ends: list[int] | None = None) -> DecodedPsbt:
    """Parse a binary PSBT into its checked parts; see ``Psbt.parse``.

    Args:
        data: the binary PSBT.
        input_ends: if given, receives the offset of each input map's 0x00 separator.

    Raises:
        PsbtError: a subclass naming what is wrong and where.
    """
    if data[:5] != _p.PSBT_MAGIC:
        raise PsbtDecodeError("the data does not start with the PSBT magic bytes 'psbt' 0xff")
    records, pos = read_map(data, 5, "global", None)
    g = _decode_global(records)
    version = g.version or 0
    assert g.input_count is not None  # noqa: S101 - _decode_global sets or requires it
    assert g.output_count is not None  # noqa: S101
    assert g.tx_version is not None  # noqa: S101 - _decode_global sets or requires it
    inputs = []
    for index in range(g.input_count):
        if pos >= len(data):
            raise PsbtCountMismatch(
                f"the transaction has {g.input_count} inputs but the PSBT only {index} input maps"
            )
        base = g.tx.inputs[index] if g.tx is not None else None
        records, pos = read_map(data, pos, "input", index)
        if input_ends is not None:
            input_ends.append(pos - 1)
        inputs.append(_decode_input(records, version, index, base))
    outputs = []
    for index in range(g.output_count):
        if pos >= len(data):
            raise PsbtCountMismatch(
                f"the transaction has {g.output_count} outputs but the PSBT only {index} "
                "output maps"
            )
        out_base = g.tx.outputs[index] if g.tx is not None else None
        records, pos = read_map(data, pos, "output", index)
        outputs.append(_decode_output(records, version, index, out_base))
    if pos != len(data):
        raise PsbtDecodeError(f"{len(data) - pos} bytes follow the last output map")
    return DecodedPsbt(
        version=version,
        tx_version=g.tx_version,
        fallback_locktime=g.fallback,
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        xpubs=g.xpubs,
        tx_modifiable=g.modifiable,
        unknown=g.unknown,
        key_order=g.keys,
    )
