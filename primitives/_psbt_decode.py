"""Decoding PSBTs: every field of BIP-174, BIP-370 and BIP-371, checked as Core checks it.

Checks follow Bitcoin Core's ``psbt.h`` (``PSBTInput::Unserialize`` and friends) and the
BIPs' own rules where Core is laxer (hash preimages must hash to their key, an xpub's path
length must match its depth). Every failure is a ``PsbtError`` subclass; nothing else
escapes, whatever the bytes.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence

from primitives import psbt as _p
from primitives.hashes import hash160, ripemd160, sha256d
from primitives.psbt import (
    KeySource,
    Psbt,
    PsbtCountMismatch,
    PsbtDecodeError,
    PsbtDuplicateKey,
    PsbtFieldNotAllowed,
    PsbtInput,
    PsbtInvalidKey,
    PsbtInvalidValue,
    PsbtMissingField,
    PsbtOutput,
    PsbtUtxoMismatch,
    PsbtVersionError,
    TapKeySource,
    TapLeaf,
    TapTreeLeaf,
)
from primitives.secp256k1 import is_strict_der, is_valid_pubkey
from primitives.tx import OutPoint, Transaction, TxDecodeError, TxIn, TxOut, read_compact_size

__all__ = ["decode", "parse_tx_no_witness"]

_Record = tuple[bytes, int, bytes, bytes]  # key, key type, key data, value
_TAPROOT_MAX_DEPTH = 128  # TAPROOT_CONTROL_MAX_NODE_COUNT
_PREIMAGES = {
    _p.I_RIPEMD160: (20, ripemd160, "RIPEMD160"),
    _p.I_SHA256: (32, lambda b: hashlib.sha256(b).digest(), "SHA256"),
    _p.I_HASH160: (20, hash160, "HASH160"),
    _p.I_HASH256: (32, sha256d, "HASH256"),
}


_PROPRIETARY = 0xFC


def _check_proprietary(keydata: bytes, scope: str, index: int | None) -> None:
    # <compact identifier length> <identifier> <compact subtype> <key data> (BIP-174)
    try:
        size, pos = read_compact_size(keydata, 0)
        if pos + size > len(keydata):
            raise TxDecodeError("the identifier runs past the key")
        read_compact_size(keydata, pos + size)
    except TxDecodeError:
        raise PsbtInvalidKey(
            "a proprietary key (type 0xfc) needs an identifier and a subtype",
            scope,
            index,
            _PROPRIETARY,
        ) from None


def _compact(data: bytes, pos: int, what: str, scope: str, index: int | None) -> tuple[int, int]:
    first = data[pos]
    if first < 0xFD:
        return first, pos + 1
    try:
        return read_compact_size(data, pos)
    except TxDecodeError as err:
        raise PsbtDecodeError(f"{what}: {err}", scope, index) from None


def _read_map(data: bytes, pos: int, scope: str, index: int | None) -> tuple[list[_Record], int]:
    """Read one map's records from ``pos``; return them and the position after its separator.

    This is the parser's hot loop (a PSBT of n inputs has n + outputs + 1 maps), so the
    common one-byte lengths and key types are read inline.
    """
    where = "the global map" if scope == "global" else f"{scope} map {index}"
    records: list[_Record] = []
    seen: set[bytes] = set()
    size = len(data)
    while True:
        if pos >= size:
            raise PsbtDecodeError(f"{where} is not closed by a 0x00 separator", scope, index)
        key_len, pos = _compact(data, pos, f"a key length in {where}", scope, index)
        if key_len == 0:
            return records, pos
        end = pos + key_len
        if end > size:
            raise PsbtDecodeError(f"the data ends inside a key in {where}", scope, index)
        key = data[pos:end]
        pos = end
        if key in seen:
            raise PsbtDuplicateKey(f"the key {key.hex()} appears twice", scope, index, key[0])
        seen.add(key)
        key_type = key[0]
        start = 1
        if key_type >= 0xFD:
            try:
                key_type, start = read_compact_size(key, 0)
            except TxDecodeError:
                raise PsbtInvalidKey(
                    f"the key {key.hex()} has a malformed or non-minimal key type", scope, index
                ) from None
        elif key_type == _PROPRIETARY:
            _check_proprietary(key[1:], scope, index)
        if pos >= size:
            raise PsbtDecodeError(f"the data ends before a value in {where}", scope, index)
        value_len, pos = _compact(data, pos, f"a value length in {where}", scope, index)
        end = pos + value_len
        if end > size:
            raise PsbtDecodeError(f"the data ends inside a value in {where}", scope, index)
        records.append((key, key_type, key[start:], data[pos:end]))
        pos = end


class _Field:
    """Decoding context of one record: where it is and what it is, for error messages."""

    __slots__ = ("index", "key_type", "name", "scope")

    def __init__(self, scope: str, index: int | None, key_type: int, name: str) -> None:
        self.scope = scope
        self.index = index
        self.key_type = key_type
        self.name = name

    def key_error(self, message: str) -> PsbtInvalidKey:
        return PsbtInvalidKey(f"{self.name}: {message}", self.scope, self.index, self.key_type)

    def value_error(self, message: str) -> PsbtInvalidValue:
        return PsbtInvalidValue(f"{self.name}: {message}", self.scope, self.index, self.key_type)

    def no_keydata(self, keydata: bytes) -> None:
        if keydata:
            raise self.key_error("this key type takes no key data")

    def keydata_size(self, keydata: bytes, size: int) -> bytes:
        if len(keydata) != size:
            raise self.key_error(f"the key data has {len(keydata)} bytes, not {size}")
        return keydata

    def exact(self, value: bytes, size: int) -> bytes:
        if len(value) != size:
            raise self.value_error(f"the value has {len(value)} bytes, not {size}")
        return value

    def u32(self, value: bytes) -> int:
        return int(struct.unpack("<I", self.exact(value, 4))[0])

    def i32(self, value: bytes) -> int:
        return int(struct.unpack("<i", self.exact(value, 4))[0])

    def compact_exact(self, value: bytes) -> int:
        try:
            number, end = read_compact_size(value, 0)
        except TxDecodeError:
            raise self.value_error("the value is not a minimal compact size") from None
        if end != len(value):
            raise self.value_error("the value has bytes after its compact size")
        return number

    def pubkey(self, keydata: bytes) -> bytes:
        if len(keydata) not in (33, 65):
            raise self.key_error(f"a public key has 33 or 65 bytes, not {len(keydata)}")
        if not is_valid_pubkey(keydata):
            raise self.key_error("the public key is not a point on secp256k1")
        return keydata

    def key_source(self, value: bytes) -> KeySource:
        try:
            return KeySource.parse(value)
        except ValueError:
            raise self.value_error(
                "a key origin is a 4-byte fingerprint and 4-byte path elements"
            ) from None

    def tap_key_source(self, value: bytes) -> TapKeySource:
        try:
            count, pos = read_compact_size(value, 0)
        except TxDecodeError:
            raise self.value_error("the leaf-hash count is malformed") from None
        if pos + 32 * count > len(value):
            raise self.value_error("the value is shorter than its leaf hashes")
        hashes = tuple(value[pos + 32 * i : pos + 32 * i + 32] for i in range(count))
        return TapKeySource(hashes, self.key_source(value[pos + 32 * count :]))

    def schnorr_sig(self, value: bytes) -> bytes:
        if len(value) not in (64, 65):
            raise self.value_error(f"a Schnorr signature has 64 or 65 bytes, not {len(value)}")
        return value

    def script_list(self, value: bytes) -> tuple[bytes, ...]:
        pos = 0
        try:
            count, pos = read_compact_size(value, pos)
            items = []
            for _ in range(min(count, len(value))):
                size, pos = read_compact_size(value, pos)
                if pos + size > len(value):
                    raise self.value_error("a witness item runs past the value")
                items.append(value[pos : pos + size])
                pos += size
        except TxDecodeError:
            raise self.value_error("the witness stack is malformed") from None
        if len(items) != count or pos != len(value):
            raise self.value_error("the witness stack does not fill the value exactly")
        return tuple(items)


def _txout(f: _Field, value: bytes) -> TxOut:
    if len(value) < 9:
        raise f.value_error("a transaction output has at least 9 bytes")
    amount = int(struct.unpack("<q", value[:8])[0])
    try:
        size, pos = read_compact_size(value, 8)
    except TxDecodeError:
        raise f.value_error("the output script length is malformed") from None
    if pos + size != len(value):
        raise f.value_error("the output script does not fill the value exactly")
    return TxOut(amount, value[pos:])


def _check_tap_tree(f: _Field, leaves: Sequence[TapTreeLeaf]) -> None:
    # Bitcoin Core's TaprootBuilder: leaves arrive depth-first; each is placed at its depth
    # and merged upwards with a pending sibling. The tree is complete when one root remains.
    branch: list[bool] = []
    for leaf in leaves:
        depth = leaf.depth
        if depth + 1 < len(branch):
            raise f.value_error("the taproot tree leaves are not in depth-first order")
        while len(branch) > depth and branch[depth]:
            branch.pop()
            if depth == 0:
                raise f.value_error("the taproot tree has more leaves than its depths allow")
            depth -= 1
        while len(branch) <= depth:
            branch.append(False)
        branch[depth] = True
    if not (len(branch) == 1 and branch[0]):
        raise f.value_error("the taproot tree is incomplete")


def _tap_tree(f: _Field, value: bytes) -> tuple[TapTreeLeaf, ...]:
    if not value:
        raise f.value_error("a taproot tree has at least one leaf")
    leaves = []
    pos = 0
    while pos < len(value):
        if pos + 2 > len(value):
            raise f.value_error("a leaf is cut off")
        depth, version = value[pos], value[pos + 1]
        try:
            size, pos = read_compact_size(value, pos + 2)
        except TxDecodeError:
            raise f.value_error("a leaf script length is malformed") from None
        if pos + size > len(value):
            raise f.value_error("a leaf script runs past the value")
        if depth > _TAPROOT_MAX_DEPTH:
            raise f.value_error(f"a leaf is at depth {depth}, beyond the maximum of 128")
        if version & 0x01:
            raise f.value_error(f"0x{version:02x} is not a valid leaf version")
        leaves.append(TapTreeLeaf(depth, version, value[pos : pos + size]))
        pos += size
    _check_tap_tree(f, leaves)
    return tuple(leaves)


_GLOBAL_NAMES = {
    _p.G_UNSIGNED_TX: "PSBT_GLOBAL_UNSIGNED_TX",
    _p.G_XPUB: "PSBT_GLOBAL_XPUB",
    _p.G_TX_VERSION: "PSBT_GLOBAL_TX_VERSION",
    _p.G_FALLBACK_LOCKTIME: "PSBT_GLOBAL_FALLBACK_LOCKTIME",
    _p.G_INPUT_COUNT: "PSBT_GLOBAL_INPUT_COUNT",
    _p.G_OUTPUT_COUNT: "PSBT_GLOBAL_OUTPUT_COUNT",
    _p.G_TX_MODIFIABLE: "PSBT_GLOBAL_TX_MODIFIABLE",
    _p.G_VERSION: "PSBT_GLOBAL_VERSION",
}
_INPUT_NAMES = {
    _p.I_NON_WITNESS_UTXO: "PSBT_IN_NON_WITNESS_UTXO",
    _p.I_WITNESS_UTXO: "PSBT_IN_WITNESS_UTXO",
    _p.I_PARTIAL_SIG: "PSBT_IN_PARTIAL_SIG",
    _p.I_SIGHASH: "PSBT_IN_SIGHASH_TYPE",
    _p.I_REDEEM_SCRIPT: "PSBT_IN_REDEEM_SCRIPT",
    _p.I_WITNESS_SCRIPT: "PSBT_IN_WITNESS_SCRIPT",
    _p.I_BIP32: "PSBT_IN_BIP32_DERIVATION",
    _p.I_FINAL_SCRIPTSIG: "PSBT_IN_FINAL_SCRIPTSIG",
    _p.I_FINAL_WITNESS: "PSBT_IN_FINAL_SCRIPTWITNESS",
    _p.I_RIPEMD160: "PSBT_IN_RIPEMD160",
    _p.I_SHA256: "PSBT_IN_SHA256",
    _p.I_HASH160: "PSBT_IN_HASH160",
    _p.I_HASH256: "PSBT_IN_HASH256",
    _p.I_PREVIOUS_TXID: "PSBT_IN_PREVIOUS_TXID",
    _p.I_OUTPUT_INDEX: "PSBT_IN_OUTPUT_INDEX",
    _p.I_SEQUENCE: "PSBT_IN_SEQUENCE",
    _p.I_TIME_LOCKTIME: "PSBT_IN_REQUIRED_TIME_LOCKTIME",
    _p.I_HEIGHT_LOCKTIME: "PSBT_IN_REQUIRED_HEIGHT_LOCKTIME",
    _p.I_TAP_KEY_SIG: "PSBT_IN_TAP_KEY_SIG",
    _p.I_TAP_SCRIPT_SIG: "PSBT_IN_TAP_SCRIPT_SIG",
    _p.I_TAP_LEAF_SCRIPT: "PSBT_IN_TAP_LEAF_SCRIPT",
    _p.I_TAP_BIP32: "PSBT_IN_TAP_BIP32_DERIVATION",
    _p.I_TAP_INTERNAL_KEY: "PSBT_IN_TAP_INTERNAL_KEY",
    _p.I_TAP_MERKLE_ROOT: "PSBT_IN_TAP_MERKLE_ROOT",
}
_OUTPUT_NAMES = {
    _p.O_REDEEM_SCRIPT: "PSBT_OUT_REDEEM_SCRIPT",
    _p.O_WITNESS_SCRIPT: "PSBT_OUT_WITNESS_SCRIPT",
    _p.O_BIP32: "PSBT_OUT_BIP32_DERIVATION",
    _p.O_AMOUNT: "PSBT_OUT_AMOUNT",
    _p.O_SCRIPT: "PSBT_OUT_SCRIPT",
    _p.O_TAP_INTERNAL_KEY: "PSBT_OUT_TAP_INTERNAL_KEY",
    _p.O_TAP_TREE: "PSBT_OUT_TAP_TREE",
    _p.O_TAP_BIP32: "PSBT_OUT_TAP_BIP32_DERIVATION",
}
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


def _decode_global(records: list[_Record]) -> _Global:
    g = _Global()
    g.keys = tuple(r[0] for r in records)
    for key, key_type, keydata, value in records:
        name = _GLOBAL_NAMES.get(key_type)
        if name is None:
            g.unknown[key] = value
            continue
        f = _Field("global", None, key_type, name)
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
                    f"{_GLOBAL_NAMES[key_type]} is not allowed in a v0 PSBT", key_type=key_type
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
                    f"a v2 PSBT needs {_GLOBAL_NAMES[key_type]}", key_type=key_type
                )
    return g


def _decode_input(records: list[_Record], version: int, index: int, base: TxIn | None) -> PsbtInput:
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
        name = _INPUT_NAMES.get(key_type)
        if name is None:
            unknown[key] = value
            continue
        f = _Field(scope, index, key_type, name)
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
            if size < 33 or (size - 33) % 32 or size > 33 + 32 * _TAPROOT_MAX_DEPTH:
                raise f.key_error(f"a control block has 33 + 32m bytes (m <= 128), not {size}")
            if not value:
                raise f.value_error("the leaf script value needs at least its leaf-version byte")
            tap_leaves[keydata] = TapLeaf(value[:-1], value[-1])
        elif key_type == _p.I_TAP_BIP32:
            tap_bip32[f.keydata_size(keydata, 32)] = f.tap_key_source(value)
        else:
            f.no_keydata(keydata)
            if key_type == _p.I_NON_WITNESS_UTXO:
                try:
                    nwu = Transaction.parse(value)
                except TxDecodeError as err:
                    raise f.value_error(f"not a transaction ({err})") from None
            elif key_type == _p.I_WITNESS_UTXO:
                wu = _txout(f, value)
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
        unknown=unknown,
        key_order=tuple(r[0] for r in records),
    )


def _decode_output(
    records: list[_Record], version: int, index: int, base: TxOut | None
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
    unknown: dict[bytes, bytes] = {}
    for key, key_type, keydata, value in records:
        name = _OUTPUT_NAMES.get(key_type)
        if name is None:
            unknown[key] = value
            continue
        f = _Field(scope, index, key_type, name)
        if version == 0 and key_type in (_p.O_AMOUNT, _p.O_SCRIPT):
            raise PsbtFieldNotAllowed(f"{name} is not allowed in a v0 PSBT", scope, index, key_type)
        if key_type == _p.O_BIP32:
            bip32[f.pubkey(keydata)] = f.key_source(value)
        elif key_type == _p.O_TAP_BIP32:
            tap_bip32[f.keydata_size(keydata, 32)] = f.tap_key_source(value)
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
                tap_tree = _tap_tree(f, value)
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
        unknown=unknown,
        key_order=tuple(r[0] for r in records),
    )


def decode(data: bytes, input_ends: list[int] | None = None) -> Psbt:
    """Parse a binary PSBT; see ``Psbt.parse``.

    Args:
        data: the binary PSBT.
        input_ends: if given, receives the offset of each input map's 0x00 separator.

    Raises:
        PsbtError: a subclass naming what is wrong and where.
    """
    if data[:5] != _p.PSBT_MAGIC:
        raise PsbtDecodeError("the data does not start with the PSBT magic bytes 'psbt' 0xff")
    records, pos = _read_map(data, 5, "global", None)
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
        records, pos = _read_map(data, pos, "input", index)
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
        records, pos = _read_map(data, pos, "output", index)
        outputs.append(_decode_output(records, version, index, out_base))
    if pos != len(data):
        raise PsbtDecodeError(f"{len(data) - pos} bytes follow the last output map")
    return Psbt(
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


def parse_tx_no_witness(raw: bytes) -> Transaction:
    """Parse a transaction in the pre-segwit serialisation only (PSBTv0's unsigned tx).

    Unlike ``Transaction.parse`` this reads a zero input count as zero inputs, never as the
    segwit marker, as Bitcoin Core's ``TX_NO_WITNESS`` does.

    Raises:
        TxDecodeError: truncated, trailing bytes or non-minimal lengths.
    """
    pos = 0
    size = len(raw)

    def take(n: int) -> bytes:
        nonlocal pos
        if pos + n > size:
            raise TxDecodeError("the transaction is truncated")
        out = raw[pos : pos + n]
        pos += n
        return out

    def count() -> int:
        nonlocal pos
        value, pos = read_compact_size(raw, pos)
        if value > size:  # every entry takes at least one byte
            raise TxDecodeError("a count in the transaction is larger than the data")
        return value

    version = int(struct.unpack("<i", take(4))[0])
    inputs = []
    for _ in range(count()):
        prevout = OutPoint(take(32), int(struct.unpack("<I", take(4))[0]))
        script = take(count())
        inputs.append(TxIn(prevout, script, int(struct.unpack("<I", take(4))[0])))
    outputs = []
    for _ in range(count()):
        value = int(struct.unpack("<q", take(8))[0])
        outputs.append(TxOut(value, take(count())))
    locktime = int(struct.unpack("<I", take(4))[0])
    if pos != size:
        raise TxDecodeError(f"{size - pos} bytes follow the transaction")
    return Transaction(version, tuple(inputs), tuple(outputs), locktime)
