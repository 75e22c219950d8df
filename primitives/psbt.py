"""Partially signed transactions: PSBT v0 (BIP-174) and v2 (BIP-370) with taproot (BIP-371).

One model carries both versions, as Bitcoin Core's does: every input has its outpoint and
sequence, every output its amount and script, whether they came from v0's global unsigned
transaction or from v2's per-map fields. Parsing checks what the BIPs and Core check (key
sizes, value sizes, versions, duplicate keys, pubkeys on the curve, strict-DER partial
signatures, locktime ranges, taproot trees) and raises a specific ``PsbtError``; anything it
does not know (unknown and proprietary keys) it keeps. A parsed PSBT serialises back to its
own bytes: records keep their original order, and records added later go after them (or in
sorted position when the original order was sorted, the usual case).
"""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from primitives.tx import (
    MAX_SEQUENCE,
    OutPoint,
    Transaction,
    TxIn,
    TxOut,
)

__all__ = [
    "LOCKTIME_THRESHOLD",
    "PSBT_MAGIC",
    "KeySource",
    "Psbt",
    "PsbtCountMismatch",
    "PsbtDecodeError",
    "PsbtDuplicateKey",
    "PsbtError",
    "PsbtFieldNotAllowed",
    "PsbtInput",
    "PsbtInvalidKey",
    "PsbtInvalidValue",
    "PsbtLayout",
    "PsbtLocktimeConflict",
    "PsbtMissingField",
    "PsbtOutput",
    "PsbtUtxoMismatch",
    "PsbtVersionError",
    "TapKeySource",
    "TapLeaf",
    "TapTreeLeaf",
]

PSBT_MAGIC = b"psbt\xff"
LOCKTIME_THRESHOLD = 500_000_000  # below: a block height; from here: a Unix time
TX_MODIFIABLE_INPUTS = 0x01  # BIP-370 PSBT_GLOBAL_TX_MODIFIABLE bits
TX_MODIFIABLE_OUTPUTS = 0x02
TX_MODIFIABLE_SIGHASH_SINGLE = 0x04

# Global key types (BIP-174, BIP-370)
G_UNSIGNED_TX, G_XPUB, G_TX_VERSION, G_FALLBACK_LOCKTIME = 0x00, 0x01, 0x02, 0x03
G_INPUT_COUNT, G_OUTPUT_COUNT, G_TX_MODIFIABLE, G_VERSION = 0x04, 0x05, 0x06, 0xFB
# Input key types (BIP-174, BIP-370, BIP-371)
I_NON_WITNESS_UTXO, I_WITNESS_UTXO, I_PARTIAL_SIG, I_SIGHASH = 0x00, 0x01, 0x02, 0x03
I_REDEEM_SCRIPT, I_WITNESS_SCRIPT, I_BIP32, I_FINAL_SCRIPTSIG = 0x04, 0x05, 0x06, 0x07
I_FINAL_WITNESS, I_RIPEMD160, I_SHA256, I_HASH160, I_HASH256 = 0x08, 0x0A, 0x0B, 0x0C, 0x0D
I_PREVIOUS_TXID, I_OUTPUT_INDEX, I_SEQUENCE = 0x0E, 0x0F, 0x10
I_TIME_LOCKTIME, I_HEIGHT_LOCKTIME = 0x11, 0x12
I_TAP_KEY_SIG, I_TAP_SCRIPT_SIG, I_TAP_LEAF_SCRIPT, I_TAP_BIP32 = 0x13, 0x14, 0x15, 0x16
I_TAP_INTERNAL_KEY, I_TAP_MERKLE_ROOT = 0x17, 0x18
# Output key types
O_REDEEM_SCRIPT, O_WITNESS_SCRIPT, O_BIP32, O_AMOUNT, O_SCRIPT = 0x00, 0x01, 0x02, 0x03, 0x04
O_TAP_INTERNAL_KEY, O_TAP_TREE, O_TAP_BIP32 = 0x05, 0x06, 0x07


class PsbtError(ValueError):
    """A PSBT was refused; subclasses say why, the message says where.

    Attributes:
        scope: ``"global"``, ``"input"`` or ``"output"``: the map the problem is in.
        index: the input or output index, ``None`` for the global map.
        key_type: the key type of the offending record, if one is to blame.
    """

    def __init__(
        self,
        message: str,
        scope: str = "global",
        index: int | None = None,
        key_type: int | None = None,
    ) -> None:
        """Record the message and where the problem is."""
        where = "the global map" if scope == "global" else f"{scope} {index}"
        super().__init__(f"PSBT {where}: {message}")
        self.scope = scope
        self.index = index
        self.key_type = key_type


class PsbtDecodeError(PsbtError):
    """The bytes are not a PSBT: bad magic or Base64, truncated, trailing data, no separator."""


class PsbtDuplicateKey(PsbtError):
    """A key appears twice in one map (BIP-174, "Handling Duplicated Keys")."""


class PsbtInvalidKey(PsbtError):
    """A key has the wrong key data for its type (length, pubkey, minimal type encoding)."""


class PsbtInvalidValue(PsbtError):
    """A value does not have the format its type requires."""


class PsbtVersionError(PsbtError):
    """The PSBT version is unsupported, or a field does not belong to this version."""


class PsbtFieldNotAllowed(PsbtVersionError):
    """A field appears in a PSBT version that excludes it (BIP-370 inclusion rules)."""


class PsbtMissingField(PsbtVersionError):
    """A field that the PSBT version requires is missing."""


class PsbtCountMismatch(PsbtError):
    """The number of input or output maps does not match the transaction."""


class PsbtUtxoMismatch(PsbtError):
    """A non-witness UTXO is not the spent transaction, or disagrees with the witness UTXO."""


class PsbtLocktimeConflict(PsbtError):
    """The inputs' required locktimes cannot all be met (BIP-370, "Determining Lock Time")."""


@dataclass(frozen=True, slots=True)
class KeySource:
    """Where a key comes from: the master key fingerprint and the derivation path (BIP-32)."""

    fingerprint: bytes
    path: tuple[int, ...]

    def serialize(self) -> bytes:
        """Return the 4-byte fingerprint followed by 32-bit little-endian path elements."""
        return self.fingerprint + b"".join(struct.pack("<I", i) for i in self.path)

    @classmethod
    def parse(cls, data: bytes) -> KeySource:
        """Parse the serialisation.

        Raises:
            ValueError: the length is zero or not a multiple of 4.
        """
        if not data or len(data) % 4:
            raise ValueError("a key origin is a 4-byte fingerprint and 4-byte path elements")
        path = struct.unpack(f"<{len(data) // 4 - 1}I", data[4:])
        return cls(data[:4], tuple(path))


@dataclass(frozen=True, slots=True)
class TapKeySource:
    """A taproot key's origin and the hashes of the leaves it appears in (BIP-371)."""

    leaf_hashes: tuple[bytes, ...]
    source: KeySource


@dataclass(frozen=True, slots=True)
class TapLeaf:
    """A leaf script and its leaf version (BIP-341), as in ``PSBT_IN_TAP_LEAF_SCRIPT``."""

    script: bytes
    leaf_version: int


@dataclass(frozen=True, slots=True)
class TapTreeLeaf:
    """One leaf of ``PSBT_OUT_TAP_TREE``: its depth, leaf version and script."""

    depth: int
    leaf_version: int
    script: bytes


@dataclass(frozen=True, slots=True)
class PsbtInput:
    """One input: the outpoint it spends and what signers and finalizers need.

    Attributes:
        prevout: the spent outpoint (v0: from the unsigned transaction; v2: its own fields).
        sequence: nSequence; ``None`` when a v2 PSBT omits it (meaning 0xffffffff).
        partial_sigs: pubkey -> signature (DER plus sighash byte).
        bip32_derivations: pubkey -> origin.
        tap_script_sigs: (x-only key, leaf hash) -> signature.
        tap_leaf_scripts: control block -> leaf.
        tap_bip32_derivations: x-only key -> origin with leaf hashes.
        unknown: raw key (type and key data) -> value, for every record not understood here,
            proprietary ones included.
    """

    prevout: OutPoint
    sequence: int | None = None
    non_witness_utxo: Transaction | None = None
    witness_utxo: TxOut | None = None
    partial_sigs: Mapping[bytes, bytes] = field(default_factory=dict)
    sighash_type: int | None = None
    redeem_script: bytes | None = None
    witness_script: bytes | None = None
    bip32_derivations: Mapping[bytes, KeySource] = field(default_factory=dict)
    final_script_sig: bytes | None = None
    final_script_witness: tuple[bytes, ...] | None = None
    ripemd160_preimages: Mapping[bytes, bytes] = field(default_factory=dict)
    sha256_preimages: Mapping[bytes, bytes] = field(default_factory=dict)
    hash160_preimages: Mapping[bytes, bytes] = field(default_factory=dict)
    hash256_preimages: Mapping[bytes, bytes] = field(default_factory=dict)
    required_time_locktime: int | None = None
    required_height_locktime: int | None = None
    tap_key_sig: bytes | None = None
    tap_script_sigs: Mapping[tuple[bytes, bytes], bytes] = field(default_factory=dict)
    tap_leaf_scripts: Mapping[bytes, TapLeaf] = field(default_factory=dict)
    tap_bip32_derivations: Mapping[bytes, TapKeySource] = field(default_factory=dict)
    tap_internal_key: bytes | None = None
    tap_merkle_root: bytes | None = None
    unknown: Mapping[bytes, bytes] = field(default_factory=dict)
    key_order: tuple[bytes, ...] = field(default=(), compare=False, repr=False)

    @property
    def effective_sequence(self) -> int:
        """Return nSequence, 0xffffffff when the field is absent."""
        return MAX_SEQUENCE if self.sequence is None else self.sequence

    @property
    def is_finalized(self) -> bool:
        """Return whether a finalizer has set the final scriptSig or witness."""
        return self.final_script_sig is not None or self.final_script_witness is not None

    def spent_output(self) -> TxOut | None:
        """Return the output this input spends, from the witness or non-witness UTXO."""
        if self.witness_utxo is not None:
            return self.witness_utxo
        if self.non_witness_utxo is not None:
            return self.non_witness_utxo.outputs[self.prevout.vout]
        return None


@dataclass(frozen=True, slots=True)
class PsbtOutput:
    """One output: amount (base units) and script, and what identifies it as change."""

    amount: int
    script: bytes
    redeem_script: bytes | None = None
    witness_script: bytes | None = None
    bip32_derivations: Mapping[bytes, KeySource] = field(default_factory=dict)
    tap_internal_key: bytes | None = None
    tap_tree: tuple[TapTreeLeaf, ...] | None = None
    tap_bip32_derivations: Mapping[bytes, TapKeySource] = field(default_factory=dict)
    unknown: Mapping[bytes, bytes] = field(default_factory=dict)
    key_order: tuple[bytes, ...] = field(default=(), compare=False, repr=False)

    def to_txout(self) -> TxOut:
        """Return the transaction output."""
        return TxOut(self.amount, self.script)


@dataclass(frozen=True, slots=True)
class Psbt:
    """A partially signed transaction, version 0 or 2.

    Attributes:
        version: the PSBT version (0 or 2).
        tx_version: the transaction's nVersion.
        fallback_locktime: v0: the unsigned transaction's nLockTime; v2: the fallback
            locktime, ``None`` when absent.
        inputs, outputs: the per-input and per-output maps.
        xpubs: 78-byte serialised extended public key -> origin (``PSBT_GLOBAL_XPUB``).
        tx_modifiable: the v2 modifiable flags, ``None`` when absent.
        unknown: raw key -> value of global records not understood here.
    """

    version: int
    tx_version: int
    fallback_locktime: int | None
    inputs: tuple[PsbtInput, ...]
    outputs: tuple[PsbtOutput, ...]
    xpubs: Mapping[bytes, KeySource] = field(default_factory=dict)
    tx_modifiable: int | None = None
    unknown: Mapping[bytes, bytes] = field(default_factory=dict)
    key_order: tuple[bytes, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        """Refuse field combinations the version does not allow."""
        if self.version not in (0, 2):
            raise PsbtVersionError(f"PSBT version {self.version} is not supported (0 or 2)")
        if self.version == 0:
            if self.tx_modifiable is not None:
                raise PsbtFieldNotAllowed("a v0 PSBT has no modifiable flags")
            for index, inp in enumerate(self.inputs):
                if (
                    inp.required_time_locktime is not None
                    or inp.required_height_locktime is not None
                ):
                    raise PsbtFieldNotAllowed("a v0 PSBT has no required locktimes", "input", index)

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def from_unsigned_tx(cls, tx: Transaction) -> Psbt:
        """Create a v0 PSBT for an unsigned transaction (the BIP-174 Creator).

        Raises:
            PsbtInvalidValue: an input has a scriptSig or witness.
        """
        for index, txin in enumerate(tx.inputs):
            if txin.script_sig or txin.witness:
                raise PsbtInvalidValue(
                    "the transaction to wrap must be unsigned (empty scriptSig and witness)",
                    "input",
                    index,
                )
        inputs = tuple(PsbtInput(i.prevout, i.sequence) for i in tx.inputs)
        outputs = tuple(PsbtOutput(o.value, o.script_pubkey) for o in tx.outputs)
        return cls(0, tx.version, tx.locktime, inputs, outputs)

    @classmethod
    def create_v2(
        cls,
        inputs: Sequence[PsbtInput],
        outputs: Sequence[PsbtOutput],
        *,
        tx_version: int = 2,
        fallback_locktime: int | None = None,
        tx_modifiable: int | None = None,
    ) -> Psbt:
        """Create a v2 PSBT from its inputs and outputs (BIP-370 Creator and Constructor)."""
        return cls(
            2, tx_version, fallback_locktime, tuple(inputs), tuple(outputs), {}, tx_modifiable
        )

    def with_input(self, index: int, new: PsbtInput) -> Psbt:
        """Return a copy with input ``index`` replaced (the Updater's and Signer's step)."""
        inputs = list(self.inputs)
        inputs[index] = new
        return replace(self, inputs=tuple(inputs))

    def with_output(self, index: int, new: PsbtOutput) -> Psbt:
        """Return a copy with output ``index`` replaced."""
        outputs = list(self.outputs)
        outputs[index] = new
        return replace(self, outputs=tuple(outputs))

    def to_v0(self) -> Psbt:
        """Return the same PSBT as version 0, with the computed locktime in its transaction.

        v2-only data (required locktimes, modifiable flags) is dropped once the locktime is
        fixed: a v0 transaction cannot change any more.

        Raises:
            PsbtLocktimeConflict: the required locktimes are incompatible.
        """
        if self.version == 0:
            return self
        locktime = self.compute_locktime()
        inputs = tuple(
            replace(
                i,
                sequence=i.effective_sequence,
                required_time_locktime=None,
                required_height_locktime=None,
            )
            for i in self.inputs
        )
        return Psbt(
            0, self.tx_version, locktime, inputs, self.outputs, self.xpubs, None, self.unknown
        )

    def to_v2(self) -> Psbt:
        """Return the same PSBT as version 2 (the v0 locktime becomes the fallback locktime)."""
        if self.version == 2:
            return self
        return Psbt(
            2,
            self.tx_version,
            self.fallback_locktime,
            self.inputs,
            self.outputs,
            self.xpubs,
            None,
            self.unknown,
        )

    # -- the transaction --------------------------------------------------------------------

    def compute_locktime(self) -> int:
        """Return nLockTime: v0's, or v2's by BIP-370's "Determining Lock Time".

        Raises:
            PsbtLocktimeConflict: some inputs need a height lock and others a time lock.
        """
        fallback = self.fallback_locktime or 0
        if self.version == 0:
            return fallback
        heights = [i.required_height_locktime for i in self.inputs]
        times = [i.required_time_locktime for i in self.inputs]
        if all(h is None for h in heights) and all(t is None for t in times):
            return fallback
        # An input that names only one kind of lock rules the other kind out.
        height_ok = all(h is not None or t is None for h, t in zip(heights, times, strict=True))
        time_ok = all(t is not None or h is None for h, t in zip(heights, times, strict=True))
        if height_ok:
            return max(h for h in heights if h is not None)
        if time_ok:
            return max(t for t in times if t is not None)
        raise PsbtLocktimeConflict(
            "some inputs require a block-height locktime and others a time locktime"
        )

    def unsigned_tx(self) -> Transaction:
        """Return the unsigned transaction (empty scriptSigs and witnesses).

        Raises:
            PsbtLocktimeConflict: v2 with incompatible required locktimes.
        """
        inputs = tuple(TxIn(i.prevout, b"", i.effective_sequence) for i in self.inputs)
        outputs = tuple(o.to_txout() for o in self.outputs)
        return Transaction(self.tx_version, inputs, outputs, self.compute_locktime())

    def unique_id(self) -> str:
        """Return the PSBT's identity: the txid with every sequence set to 0 (BIP-370).

        For v0 this is the txid of the global unsigned transaction.
        """
        if self.version == 0:
            return self.unsigned_tx().txid
        tx = self.unsigned_tx()
        return tx.replace(inputs=[TxIn(i.prevout, b"", 0) for i in tx.inputs]).txid

    def spent_outputs(self) -> tuple[TxOut | None, ...]:
        """Return the output each input spends, ``None`` where the PSBT does not say."""
        return tuple(i.spent_output() for i in self.inputs)

    def fee(self) -> int | None:
        """Return inputs minus outputs in base units, ``None`` if an input amount is unknown.

        This trusts the UTXO fields as given; a signer must first check they are proven.
        """
        spent = self.spent_outputs()
        if any(o is None for o in spent):
            return None
        return sum(o.value for o in spent if o is not None) - sum(o.amount for o in self.outputs)

    # -- codec ------------------------------------------------------------------------------

    @classmethod
    def parse(cls, data: bytes | bytearray | memoryview) -> Psbt:
        """Parse a binary PSBT.

        Raises:
            PsbtError: a subclass naming what is wrong and where.
        """
        from primitives._psbt_decode import decode

        return decode(bytes(data))

    @classmethod
    def from_base64(cls, text: str) -> Psbt:
        """Parse a Base64 PSBT (BIP-174, "Encoding").

        Raises:
            PsbtError: bad Base64, or any error of ``parse``.
        """
        try:
            raw = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise PsbtDecodeError("the text is not valid Base64") from None
        return cls.parse(raw)

    @classmethod
    def from_text_or_bytes(cls, data: bytes | str) -> Psbt:
        """Parse binary PSBT bytes, or Base64 text (bytes that do not start with the magic)."""
        if isinstance(data, str):
            return cls.from_base64(data)
        if data[:5] == PSBT_MAGIC:
            return cls.parse(data)
        try:
            return cls.from_base64(data.decode("ascii"))
        except UnicodeDecodeError:
            raise PsbtDecodeError("the data is neither a binary PSBT nor Base64") from None

    @classmethod
    def parse_with_layout(cls, data: bytes) -> tuple[Psbt, PsbtLayout]:
        """Parse a binary PSBT and also say where its input maps end (see ``PsbtLayout``).

        Raises:
            PsbtError: as ``parse``.
        """
        from primitives._psbt_decode import decode

        ends: list[int] = []
        psbt = decode(bytes(data), ends)
        return psbt, PsbtLayout(bytes(data), tuple(ends))

    def serialize(self) -> bytes:
        """Return the binary PSBT."""
        from primitives._psbt_encode import encode

        return encode(self)

    def to_base64(self) -> str:
        """Return the PSBT as Base64 text."""
        return base64.b64encode(self.serialize()).decode("ascii")


@dataclass(frozen=True, slots=True)
class PsbtLayout:
    """The bytes of a parsed PSBT and the offset of each input map's 0x00 separator.

    It lets a Signer add records to the PSBT it was given without re-encoding anything else:
    BIP-174's Signer "must only add data to a PSBT", and this makes that literal.
    """

    data: bytes
    input_ends: tuple[int, ...]

    def with_input_records(self, records: Mapping[int, Sequence[tuple[bytes, bytes]]]) -> bytes:
        """Return the PSBT bytes with ``records`` (raw key, value) added to input maps.

        The caller makes sure no key is already in its map (the result must stay valid).
        """
        from primitives._psbt_encode import encode_record

        parts = []
        pos = 0
        for index in sorted(records):
            end = self.input_ends[index]
            parts.append(self.data[pos:end])
            parts.extend(encode_record(key, value) for key, value in records[index])
            pos = end
        parts.append(self.data[pos:])
        return b"".join(parts)
