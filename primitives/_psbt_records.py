"""Reading PSBT maps: records, key types and the checks every field type shares.

``read_map`` splits a map into its records (BIP-174 "Specification": key length, key, value
length, value, up to the 0x00 separator) and refuses duplicate keys; ``Field`` checks one
record's key data and value and names the field in every error. ``_psbt_decode`` uses them
to build the inputs and outputs.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from primitives.psbt_types import (
    KeySource,
    PsbtDecodeError,
    PsbtDuplicateKey,
    PsbtInvalidKey,
    PsbtInvalidValue,
    TapKeySource,
    TapTreeLeaf,
)
from primitives.secp256k1 import is_valid_pubkey
from primitives.tx import TxDecodeError, TxOut, read_compact_size

__all__ = ["TAPROOT_MAX_DEPTH", "Field", "Record", "read_map", "read_tap_tree", "txout"]

Record = tuple[bytes, int, bytes, bytes]  # key, key type, key data, value
TAPROOT_MAX_DEPTH = 128  # TAPROOT_CONTROL_MAX_NODE_COUNT


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


def read_map(data: bytes, pos: int, scope: str, index: int | None) -> tuple[list[Record], int]:
    """Read one map's records from ``pos``; return them and the position after its separator.

    This is the parser's hot loop (a PSBT of n inputs has n + outputs + 1 maps), so the
    common one-byte lengths and key types are read inline.
    """
    where = "the global map" if scope == "global" else f"{scope} map {index}"
    records: list[Record] = []
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


class Field:
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

    def compressed_pubkey(self, data: bytes, what: str, in_value: bool = False) -> bytes:
        error = self.value_error if in_value else self.key_error
        if len(data) != 33 or data[0] not in (2, 3):
            raise error(f"{what} must be a 33-byte compressed public key")
        if not is_valid_pubkey(data):
            raise error(f"{what} is not a point on secp256k1")
        return data

    def musig2_participants(self, keydata: bytes, value: bytes) -> tuple[bytes, tuple[bytes, ...]]:
        # BIP-373: <33-byte aggregate> -> <33-byte participant>*, every key compressed.
        aggregate = self.compressed_pubkey(keydata, "the aggregate key")
        if not value or len(value) % 33:
            raise self.value_error("the participant keys are a non-empty list of 33-byte keys")
        keys = tuple(
            self.compressed_pubkey(value[i : i + 33], "a participant key", in_value=True)
            for i in range(0, len(value), 33)
        )
        return aggregate, keys

    def musig2_key(self, keydata: bytes) -> tuple[bytes, bytes, bytes]:
        # BIP-373: <33-byte participant> <33-byte aggregate> <32-byte leaf hash or omitted>
        if len(keydata) not in (66, 98):
            raise self.key_error(
                "the key data is a participant key, an aggregate key and an optional leaf hash"
                f" (66 or 98 bytes), not {len(keydata)} bytes"
            )
        participant = self.compressed_pubkey(keydata[:33], "the participant key")
        aggregate = self.compressed_pubkey(keydata[33:66], "the aggregate key")
        return participant, aggregate, keydata[66:]

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


def txout(f: Field, value: bytes) -> TxOut:
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


def _check_tap_tree(f: Field, leaves: Sequence[TapTreeLeaf]) -> None:
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


def read_tap_tree(f: Field, value: bytes) -> tuple[TapTreeLeaf, ...]:
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
        if depth > TAPROOT_MAX_DEPTH:
            raise f.value_error(f"a leaf is at depth {depth}, beyond the maximum of 128")
        if version & 0x01:
            raise f.value_error(f"0x{version:02x} is not a valid leaf version")
        leaves.append(TapTreeLeaf(depth, version, value[pos : pos + size]))
        pos += size
    _check_tap_tree(f, leaves)
    return tuple(leaves)
