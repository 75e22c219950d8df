"""Encoding PSBTs: each map's records, in the order they were read or in Bitcoin Core's.

It reads a PSBT through the ``PsbtData`` protocol, so it does not import ``primitives.psbt``
(whose ``Psbt.serialize`` calls it).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence

from primitives.hashes import hash160
from primitives.psbt_types import (
    G_FALLBACK_LOCKTIME,
    G_INPUT_COUNT,
    G_OUTPUT_COUNT,
    G_TX_MODIFIABLE,
    G_TX_VERSION,
    G_UNSIGNED_TX,
    G_VERSION,
    G_XPUB,
    I_BIP32,
    I_FINAL_SCRIPTSIG,
    I_FINAL_WITNESS,
    I_HASH160,
    I_HASH256,
    I_HEIGHT_LOCKTIME,
    I_MUSIG2_PARTIAL_SIG,
    I_MUSIG2_PARTICIPANTS,
    I_MUSIG2_PUB_NONCE,
    I_NON_WITNESS_UTXO,
    I_OUTPUT_INDEX,
    I_PARTIAL_SIG,
    I_PREVIOUS_TXID,
    I_REDEEM_SCRIPT,
    I_RIPEMD160,
    I_SEQUENCE,
    I_SHA256,
    I_SIGHASH,
    I_TAP_BIP32,
    I_TAP_INTERNAL_KEY,
    I_TAP_KEY_SIG,
    I_TAP_LEAF_SCRIPT,
    I_TAP_MERKLE_ROOT,
    I_TAP_SCRIPT_SIG,
    I_TIME_LOCKTIME,
    I_WITNESS_SCRIPT,
    I_WITNESS_UTXO,
    O_AMOUNT,
    O_BIP32,
    O_MUSIG2_PARTICIPANTS,
    O_REDEEM_SCRIPT,
    O_SCRIPT,
    O_TAP_BIP32,
    O_TAP_INTERNAL_KEY,
    O_TAP_TREE,
    O_WITNESS_SCRIPT,
    PSBT_MAGIC,
    PsbtData,
    PsbtDuplicateKey,
    PsbtInput,
    PsbtOutput,
    TapKeySource,
)
from primitives.tx import write_compact_size as _cs

__all__ = [
    "PSBT_MAGIC",
    "canonical_key",
    "encode",
    "encode_record",
    "global_records",
    "input_records",
    "ordered_keys",
    "output_records",
    "write_map",
]


def canonical_key(key: bytes) -> bytes:
    """Return the sort key of a record key in Bitcoin Core's order.

    Core keeps most fields in maps sorted by key bytes, but partial signatures by the key's
    HASH160 (its ``CKeyID``); the BIP-174 Combiner vector shows that order.
    """
    if key[0] == I_PARTIAL_SIG and len(key) in (34, 66):
        return key[:1] + hash160(key[1:])
    return key


def ordered_keys(present: Iterable[bytes], hint: Sequence[bytes], input_map: bool) -> list[bytes]:
    """Return the keys of a map in the order to write them.

    Keys keep the order they were parsed in (``hint``); keys added since go after them, or
    into canonical position when the parsed order was canonical anyway.
    """
    sort_key = canonical_key if input_map else None
    keys = set(present)
    kept = [k for k in hint if k in keys]
    if len(kept) == len(keys):
        return kept
    if kept == sorted(kept, key=sort_key):
        return sorted(keys, key=sort_key)
    kept_set = set(kept)
    return kept + sorted((k for k in keys if k not in kept_set), key=sort_key)


def encode_record(key: bytes, value: bytes) -> bytes:
    """Return one key-value record: the key (type and key data) and value, each length-prefixed."""
    return _cs(len(key)) + key + _cs(len(value)) + value


def _k(key_type: int, keydata: bytes = b"") -> bytes:
    return _cs(key_type) + keydata


def _put(
    records: dict[bytes, bytes], key: bytes, value: bytes, scope: str, index: int | None
) -> None:
    if key in records:
        raise PsbtDuplicateKey(f"the key {key.hex()} would be written twice", scope, index)
    records[key] = value


def write_map(records: dict[bytes, bytes], hint: Sequence[bytes], input_map: bool = False) -> bytes:
    """Return one map: its records in order (see ``ordered_keys``) and the separator."""
    parts = []
    for key in ordered_keys(records, hint, input_map):
        value = records[key]
        parts += [_cs(len(key)), key, _cs(len(value)), value]
    parts.append(b"\x00")
    return b"".join(parts)


def _tap_source_bytes(source: TapKeySource) -> bytes:
    return _cs(len(source.leaf_hashes)) + b"".join(source.leaf_hashes) + source.source.serialize()


def global_records(p: PsbtData) -> dict[bytes, bytes]:
    rec: dict[bytes, bytes] = {}
    if p.version == 0:
        rec[_k(G_UNSIGNED_TX)] = p.unsigned_tx().serialize(include_witness=False)
    for xpub, source in p.xpubs.items():
        rec[_k(G_XPUB, xpub)] = source.serialize()
    if p.version == 2:
        rec[_k(G_TX_VERSION)] = struct.pack("<i", p.tx_version)
        if p.fallback_locktime is not None:
            rec[_k(G_FALLBACK_LOCKTIME)] = struct.pack("<I", p.fallback_locktime)
        rec[_k(G_INPUT_COUNT)] = _cs(len(p.inputs))
        rec[_k(G_OUTPUT_COUNT)] = _cs(len(p.outputs))
        if p.tx_modifiable is not None:
            rec[_k(G_TX_MODIFIABLE)] = bytes([p.tx_modifiable])
    version_key = _k(G_VERSION)
    if p.version > 0 or version_key in p.key_order:
        rec[version_key] = struct.pack("<I", p.version)
    for key, value in p.unknown.items():
        _put(rec, key, value, "global", None)
    return rec


def input_records(inp: PsbtInput, version: int, index: int) -> dict[bytes, bytes]:
    rec: dict[bytes, bytes] = {}
    if inp.non_witness_utxo is not None:
        rec[_k(I_NON_WITNESS_UTXO)] = inp.non_witness_utxo.serialize()
    if inp.witness_utxo is not None:
        rec[_k(I_WITNESS_UTXO)] = inp.witness_utxo.serialize()
    for pub, sig in inp.partial_sigs.items():
        rec[_k(I_PARTIAL_SIG, pub)] = sig
    if inp.sighash_type is not None:
        rec[_k(I_SIGHASH)] = struct.pack("<I", inp.sighash_type)
    if inp.redeem_script is not None:
        rec[_k(I_REDEEM_SCRIPT)] = inp.redeem_script
    if inp.witness_script is not None:
        rec[_k(I_WITNESS_SCRIPT)] = inp.witness_script
    for pub, source in inp.bip32_derivations.items():
        rec[_k(I_BIP32, pub)] = source.serialize()
    if inp.final_script_sig is not None:
        rec[_k(I_FINAL_SCRIPTSIG)] = inp.final_script_sig
    if inp.final_script_witness is not None:
        items = inp.final_script_witness
        rec[_k(I_FINAL_WITNESS)] = _cs(len(items)) + b"".join(_cs(len(i)) + i for i in items)
    for key_type, mapping in (
        (I_RIPEMD160, inp.ripemd160_preimages),
        (I_SHA256, inp.sha256_preimages),
        (I_HASH160, inp.hash160_preimages),
        (I_HASH256, inp.hash256_preimages),
    ):
        for digest, preimage in mapping.items():
            rec[_k(key_type, digest)] = preimage
    if version == 2:
        rec[_k(I_PREVIOUS_TXID)] = inp.prevout.txid
        rec[_k(I_OUTPUT_INDEX)] = struct.pack("<I", inp.prevout.vout)
        if inp.sequence is not None:
            rec[_k(I_SEQUENCE)] = struct.pack("<I", inp.sequence)
        if inp.required_time_locktime is not None:
            rec[_k(I_TIME_LOCKTIME)] = struct.pack("<I", inp.required_time_locktime)
        if inp.required_height_locktime is not None:
            rec[_k(I_HEIGHT_LOCKTIME)] = struct.pack("<I", inp.required_height_locktime)
    if inp.tap_key_sig is not None:
        rec[_k(I_TAP_KEY_SIG)] = inp.tap_key_sig
    for (xonly, leaf_hash), sig in inp.tap_script_sigs.items():
        rec[_k(I_TAP_SCRIPT_SIG, xonly + leaf_hash)] = sig
    for control, leaf in inp.tap_leaf_scripts.items():
        rec[_k(I_TAP_LEAF_SCRIPT, control)] = leaf.script + bytes([leaf.leaf_version])
    for xonly, tap_source in inp.tap_bip32_derivations.items():
        rec[_k(I_TAP_BIP32, xonly)] = _tap_source_bytes(tap_source)
    if inp.tap_internal_key is not None:
        rec[_k(I_TAP_INTERNAL_KEY)] = inp.tap_internal_key
    if inp.tap_merkle_root is not None:
        rec[_k(I_TAP_MERKLE_ROOT)] = inp.tap_merkle_root
    for aggregate, participants in inp.musig2_participants.items():
        rec[_k(I_MUSIG2_PARTICIPANTS, aggregate)] = b"".join(participants)
    for (participant, aggregate, leaf_hash), nonce in inp.musig2_pub_nonces.items():
        rec[_k(I_MUSIG2_PUB_NONCE, participant + aggregate + leaf_hash)] = nonce
    for (participant, aggregate, leaf_hash), psig in inp.musig2_partial_sigs.items():
        rec[_k(I_MUSIG2_PARTIAL_SIG, participant + aggregate + leaf_hash)] = psig
    for key, value in inp.unknown.items():
        _put(rec, key, value, "input", index)
    return rec


def output_records(out: PsbtOutput, version: int, index: int) -> dict[bytes, bytes]:
    rec: dict[bytes, bytes] = {}
    if out.redeem_script is not None:
        rec[_k(O_REDEEM_SCRIPT)] = out.redeem_script
    if out.witness_script is not None:
        rec[_k(O_WITNESS_SCRIPT)] = out.witness_script
    for pub, source in out.bip32_derivations.items():
        rec[_k(O_BIP32, pub)] = source.serialize()
    if version == 2:
        rec[_k(O_AMOUNT)] = struct.pack("<q", out.amount)
        rec[_k(O_SCRIPT)] = out.script
    if out.tap_internal_key is not None:
        rec[_k(O_TAP_INTERNAL_KEY)] = out.tap_internal_key
    if out.tap_tree is not None:
        rec[_k(O_TAP_TREE)] = b"".join(
            bytes([leaf.depth, leaf.leaf_version]) + _cs(len(leaf.script)) + leaf.script
            for leaf in out.tap_tree
        )
    for xonly, tap_source in out.tap_bip32_derivations.items():
        rec[_k(O_TAP_BIP32, xonly)] = _tap_source_bytes(tap_source)
    for aggregate, participants in out.musig2_participants.items():
        rec[_k(O_MUSIG2_PARTICIPANTS, aggregate)] = b"".join(participants)
    for key, value in out.unknown.items():
        _put(rec, key, value, "output", index)
    return rec


def encode(p: PsbtData) -> bytes:
    """Return the binary serialisation of ``p``; see ``Psbt.serialize``.

    Raises:
        PsbtDuplicateKey: an unknown record repeats the key of a known field.
        PsbtLocktimeConflict: v0 conversion needs a locktime the inputs cannot agree on.
    """
    parts = [PSBT_MAGIC, write_map(global_records(p), p.key_order)]
    parts += [
        write_map(input_records(inp, p.version, i), inp.key_order, True)
        for i, inp in enumerate(p.inputs)
    ]
    parts += [
        write_map(output_records(out, p.version, i), out.key_order)
        for i, out in enumerate(p.outputs)
    ]
    return b"".join(parts)
