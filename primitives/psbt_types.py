"""The parts of a PSBT: key types, errors and the per-input and per-output maps.

The codecs (``_psbt_decode``, ``_psbt_encode``) and the ``Psbt`` type (``primitives.psbt``)
all build on this module, and it imports neither of them: the import graph has no loop.
Key type numbers are BIP-174's, BIP-370's and BIP-371's.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from primitives.tx import MAX_SEQUENCE, OutPoint, Transaction, TxOut

__all__ = [
    "GLOBAL_NAMES",
    "INPUT_NAMES",
    "LOCKTIME_THRESHOLD",
    "OUTPUT_NAMES",
    "PSBT_MAGIC",
    "KeySource",
    "PsbtCountMismatch",
    "PsbtData",
    "PsbtDecodeError",
    "PsbtDuplicateKey",
    "PsbtError",
    "PsbtFieldNotAllowed",
    "PsbtInput",
    "PsbtInvalidKey",
    "PsbtInvalidValue",
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
# BIP-373 MuSig2 fields
I_MUSIG2_PARTICIPANTS, I_MUSIG2_PUB_NONCE, I_MUSIG2_PARTIAL_SIG = 0x1A, 0x1B, 0x1C
# Output key types
O_REDEEM_SCRIPT, O_WITNESS_SCRIPT, O_BIP32, O_AMOUNT, O_SCRIPT = 0x00, 0x01, 0x02, 0x03, 0x04
O_TAP_INTERNAL_KEY, O_TAP_TREE, O_TAP_BIP32 = 0x05, 0x06, 0x07
O_MUSIG2_PARTICIPANTS = 0x08  # BIP-373

# The names BIP-174, BIP-370 and BIP-371 give the key types, for error messages.
GLOBAL_NAMES: Mapping[int, str] = MappingProxyType(
    {
        G_UNSIGNED_TX: "PSBT_GLOBAL_UNSIGNED_TX",
        G_XPUB: "PSBT_GLOBAL_XPUB",
        G_TX_VERSION: "PSBT_GLOBAL_TX_VERSION",
        G_FALLBACK_LOCKTIME: "PSBT_GLOBAL_FALLBACK_LOCKTIME",
        G_INPUT_COUNT: "PSBT_GLOBAL_INPUT_COUNT",
        G_OUTPUT_COUNT: "PSBT_GLOBAL_OUTPUT_COUNT",
        G_TX_MODIFIABLE: "PSBT_GLOBAL_TX_MODIFIABLE",
        G_VERSION: "PSBT_GLOBAL_VERSION",
    }
)
INPUT_NAMES: Mapping[int, str] = MappingProxyType(
    {
        I_NON_WITNESS_UTXO: "PSBT_IN_NON_WITNESS_UTXO",
        I_WITNESS_UTXO: "PSBT_IN_WITNESS_UTXO",
        I_PARTIAL_SIG: "PSBT_IN_PARTIAL_SIG",
        I_SIGHASH: "PSBT_IN_SIGHASH_TYPE",
        I_REDEEM_SCRIPT: "PSBT_IN_REDEEM_SCRIPT",
        I_WITNESS_SCRIPT: "PSBT_IN_WITNESS_SCRIPT",
        I_BIP32: "PSBT_IN_BIP32_DERIVATION",
        I_FINAL_SCRIPTSIG: "PSBT_IN_FINAL_SCRIPTSIG",
        I_FINAL_WITNESS: "PSBT_IN_FINAL_SCRIPTWITNESS",
        I_RIPEMD160: "PSBT_IN_RIPEMD160",
        I_SHA256: "PSBT_IN_SHA256",
        I_HASH160: "PSBT_IN_HASH160",
        I_HASH256: "PSBT_IN_HASH256",
        I_PREVIOUS_TXID: "PSBT_IN_PREVIOUS_TXID",
        I_OUTPUT_INDEX: "PSBT_IN_OUTPUT_INDEX",
        I_SEQUENCE: "PSBT_IN_SEQUENCE",
        I_TIME_LOCKTIME: "PSBT_IN_REQUIRED_TIME_LOCKTIME",
        I_HEIGHT_LOCKTIME: "PSBT_IN_REQUIRED_HEIGHT_LOCKTIME",
        I_TAP_KEY_SIG: "PSBT_IN_TAP_KEY_SIG",
        I_TAP_SCRIPT_SIG: "PSBT_IN_TAP_SCRIPT_SIG",
        I_TAP_LEAF_SCRIPT: "PSBT_IN_TAP_LEAF_SCRIPT",
        I_TAP_BIP32: "PSBT_IN_TAP_BIP32_DERIVATION",
        I_TAP_INTERNAL_KEY: "PSBT_IN_TAP_INTERNAL_KEY",
        I_TAP_MERKLE_ROOT: "PSBT_IN_TAP_MERKLE_ROOT",
        I_MUSIG2_PARTICIPANTS: "PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS",
        I_MUSIG2_PUB_NONCE: "PSBT_IN_MUSIG2_PUB_NONCE",
        I_MUSIG2_PARTIAL_SIG: "PSBT_IN_MUSIG2_PARTIAL_SIG",
    }
)
OUTPUT_NAMES: Mapping[int, str] = MappingProxyType(
    {
        O_REDEEM_SCRIPT: "PSBT_OUT_REDEEM_SCRIPT",
        O_WITNESS_SCRIPT: "PSBT_OUT_WITNESS_SCRIPT",
        O_BIP32: "PSBT_OUT_BIP32_DERIVATION",
        O_AMOUNT: "PSBT_OUT_AMOUNT",
        O_SCRIPT: "PSBT_OUT_SCRIPT",
        O_TAP_INTERNAL_KEY: "PSBT_OUT_TAP_INTERNAL_KEY",
        O_TAP_TREE: "PSBT_OUT_TAP_TREE",
        O_TAP_BIP32: "PSBT_OUT_TAP_BIP32_DERIVATION",
        O_MUSIG2_PARTICIPANTS: "PSBT_OUT_MUSIG2_PARTICIPANT_PUBKEYS",
    }
)


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
        musig2_participants: 33-byte aggregate key -> the participants' 33-byte keys in
            aggregation order (BIP-373 PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS).
        musig2_pub_nonces: (participant key, aggregate key, leaf hash or b"" for a key-path
            spend) -> 66-byte public nonce (BIP-373 PSBT_IN_MUSIG2_PUB_NONCE).
        musig2_partial_sigs: the same triple -> 32-byte partial signature (BIP-373
            PSBT_IN_MUSIG2_PARTIAL_SIG).
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
    musig2_participants: Mapping[bytes, tuple[bytes, ...]] = field(default_factory=dict)
    musig2_pub_nonces: Mapping[tuple[bytes, bytes, bytes], bytes] = field(default_factory=dict)
    musig2_partial_sigs: Mapping[tuple[bytes, bytes, bytes], bytes] = field(default_factory=dict)
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
    """One output: amount (base units) and script, and what identifies it as change.

    ``musig2_participants`` maps a 33-byte MuSig2 aggregate key to its participants' keys in
    aggregation order (BIP-373 PSBT_OUT_MUSIG2_PARTICIPANT_PUBKEYS).
    """

    amount: int
    script: bytes
    redeem_script: bytes | None = None
    witness_script: bytes | None = None
    bip32_derivations: Mapping[bytes, KeySource] = field(default_factory=dict)
    tap_internal_key: bytes | None = None
    tap_tree: tuple[TapTreeLeaf, ...] | None = None
    tap_bip32_derivations: Mapping[bytes, TapKeySource] = field(default_factory=dict)
    musig2_participants: Mapping[bytes, tuple[bytes, ...]] = field(default_factory=dict)
    unknown: Mapping[bytes, bytes] = field(default_factory=dict)
    key_order: tuple[bytes, ...] = field(default=(), compare=False, repr=False)

    def to_txout(self) -> TxOut:
        """Return the transaction output."""
        return TxOut(self.amount, self.script)


class PsbtData(Protocol):
    """What the encoder reads of a PSBT; ``primitives.psbt.Psbt`` is the one implementation.

    The encoder takes this protocol rather than ``Psbt`` so that it does not import the
    module that imports it (``Psbt.serialize`` calls the encoder).
    """

    @property
    def version(self) -> int:
        """Return the PSBT version (0 or 2)."""
        ...

    @property
    def tx_version(self) -> int:
        """Return the transaction's nVersion."""
        ...

    @property
    def fallback_locktime(self) -> int | None:
        """Return v0's nLockTime or v2's fallback locktime."""
        ...

    @property
    def inputs(self) -> tuple[PsbtInput, ...]:
        """Return the input maps."""
        ...

    @property
    def outputs(self) -> tuple[PsbtOutput, ...]:
        """Return the output maps."""
        ...

    @property
    def xpubs(self) -> Mapping[bytes, KeySource]:
        """Return the global xpubs and their origins."""
        ...

    @property
    def tx_modifiable(self) -> int | None:
        """Return the v2 modifiable flags."""
        ...

    @property
    def unknown(self) -> Mapping[bytes, bytes]:
        """Return the global records not understood here."""
        ...

    @property
    def key_order(self) -> tuple[bytes, ...]:
        """Return the global map's keys in the order they were read."""
        ...

    def unsigned_tx(self) -> Transaction:
        """Return the unsigned transaction."""
        ...
