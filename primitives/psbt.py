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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from primitives._psbt_decode import DecodedPsbt, decode
from primitives._psbt_encode import encode, encode_record
from primitives.psbt_types import (
    LOCKTIME_THRESHOLD,
    PSBT_MAGIC,
    KeySource,
    PsbtCountMismatch,
    PsbtDecodeError,
    PsbtDuplicateKey,
    PsbtError,
    PsbtFieldNotAllowed,
    PsbtInput,
    PsbtInvalidKey,
    PsbtInvalidValue,
    PsbtLocktimeConflict,
    PsbtMissingField,
    PsbtOutput,
    PsbtUtxoMismatch,
    PsbtVersionError,
    TapKeySource,
    TapLeaf,
    TapTreeLeaf,
)
from primitives.tx import Transaction, TxIn, TxOut

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
        return cls._from_decoded(decode(bytes(data)))

    @classmethod
    def _from_decoded(cls, d: DecodedPsbt) -> Psbt:
        return cls(
            version=d.version,
            tx_version=d.tx_version,
            fallback_locktime=d.fallback_locktime,
            inputs=d.inputs,
            outputs=d.outputs,
            xpubs=d.xpubs,
            tx_modifiable=d.tx_modifiable,
            unknown=d.unknown,
            key_order=d.key_order,
        )

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
        ends: list[int] = []
        psbt = cls._from_decoded(decode(bytes(data), ends))
        return psbt, PsbtLayout(bytes(data), tuple(ends))

    def serialize(self) -> bytes:
        """Return the binary PSBT."""
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
        parts = []
        pos = 0
        for index in sorted(records):
            end = self.input_ends[index]
            parts.append(self.data[pos:end])
            parts.extend(encode_record(key, value) for key, value in records[index])
            pos = end
        parts.append(self.data[pos:])
        return b"".join(parts)
