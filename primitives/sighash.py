"""Signature hashes: legacy, BIP-143 (segwit v0), BIP-341 key path and BIP-342 script path.

``SighashCache`` holds one transaction and the outputs its inputs spend, and computes the
per-transaction parts of each algorithm once (BIP-143 ``hashPrevouts``/``hashSequence``/
``hashOutputs``; BIP-341 ``sha_prevouts``/``sha_amounts``/``sha_scriptpubkeys``/
``sha_sequences``/``sha_outputs``), so signing n inputs costs O(n) hashing, not O(n^2).
Digests are returned in internal byte order, ready to sign.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence

from primitives.hashes import sha256d, tagged_hash
from primitives.tx import Transaction, TxOut, write_compact_size

__all__ = [
    "SIGHASH_ALL",
    "SIGHASH_ANYONECANPAY",
    "SIGHASH_DEFAULT",
    "SIGHASH_NONE",
    "SIGHASH_SINGLE",
    "SighashCache",
    "SighashError",
    "legacy_script_code",
]

SIGHASH_DEFAULT = 0x00
SIGHASH_ALL = 0x01
SIGHASH_NONE = 0x02
SIGHASH_SINGLE = 0x03
SIGHASH_ANYONECANPAY = 0x80

_ZERO = bytes(32)
# Bitcoin Core's legacy SignatureHash returns uint256::ONE for SIGHASH_SINGLE without a
# matching output (the "SIGHASH_SINGLE bug"); in internal byte order that is 01 00 .. 00.
_ONE = b"\x01" + bytes(31)
_TAPROOT_TYPES = frozenset({0x00, 0x01, 0x02, 0x03, 0x81, 0x82, 0x83})
_NULL_OUTPUT = struct.pack("<q", -1) + b"\x00"  # CTxOut() serialised: value -1, empty script
_OP_CODESEPARATOR = 0xAB


class SighashError(ValueError):
    """A signature hash cannot be computed: bad input index, hash type or missing amounts."""


def legacy_script_code(script: bytes) -> bytes:
    """Return ``script`` as the legacy sighash writes it: its length, then its bytes.

    Every ``OP_CODESEPARATOR`` is left out of the bytes.

    This reproduces Bitcoin Core's ``SerializeScriptCode`` exactly, including scripts whose
    last push is cut off: the length counts every byte but the separators, and the bytes stop
    where Core's ``GetOp`` stopped reading.
    """
    if _OP_CODESEPARATOR not in script:
        return write_compact_size(len(script)) + script
    n = len(script)
    pos = 0
    begin = 0
    separators = 0
    parts: list[bytes] = []
    while pos < n:
        op = script[pos]
        pos += 1
        if op <= 0x4E:
            if op < 0x4C:
                size = op
            else:
                width = 1 if op == 0x4C else 2 if op == 0x4D else 4
                if n - pos < width:
                    break
                size = int.from_bytes(script[pos : pos + width], "little")
                pos += width
            if n - pos < size:
                break
            pos += size
        elif op == _OP_CODESEPARATOR:
            separators += 1
            parts.append(script[begin : pos - 1])
            begin = pos
    if begin != n:
        parts.append(script[begin:pos])
    return write_compact_size(n - separators) + b"".join(parts)


class SighashCache:
    """Signature hashes of one transaction's inputs, sharing the per-transaction work.

    Args:
        tx: the transaction being signed (its scriptSigs and witnesses are ignored).
        spent: the outputs the inputs spend, in input order; ``None`` where unknown. Segwit v0
            needs the spent amount of its own input, taproot needs every input's.
    """

    __slots__ = (
        "_bip143_outputs",
        "_bip143_prevouts",
        "_bip143_sequences",
        "_locktime_bytes",
        "_outpoints",
        "_output_bytes",
        "_sequences",
        "_spent",
        "_taproot_common",
        "_tx",
        "_version_bytes",
    )

    def __init__(self, tx: Transaction, spent: Sequence[TxOut | None] | None = None) -> None:
        """Hold ``tx`` and the outputs it spends; nothing is hashed until asked."""
        if spent is not None and len(spent) != len(tx.inputs):
            raise SighashError(f"{len(tx.inputs)} inputs but {len(spent)} spent outputs")
        self._tx = tx
        self._spent: tuple[TxOut | None, ...] = (
            tuple(spent) if spent is not None else (None,) * len(tx.inputs)
        )
        self._outpoints = [i.prevout.serialize() for i in tx.inputs]
        self._sequences = [struct.pack("<I", i.sequence) for i in tx.inputs]
        self._output_bytes = [o.serialize() for o in tx.outputs]
        self._version_bytes = struct.pack("<i", tx.version)
        self._locktime_bytes = struct.pack("<I", tx.locktime)
        self._bip143_prevouts: bytes | None = None
        self._bip143_sequences: bytes | None = None
        self._bip143_outputs: bytes | None = None
        self._taproot_common: tuple[bytes, bytes, bytes, bytes, bytes] | None = None

    @property
    def tx(self) -> Transaction:
        """Return the transaction these hashes sign."""
        return self._tx

    def _check_index(self, index: int) -> None:
        if not 0 <= index < len(self._tx.inputs):
            raise SighashError(f"the transaction has no input {index}")

    def legacy(self, index: int, script_code: bytes, hash_type: int) -> bytes:
        """Return the pre-segwit signature hash of input ``index`` (Core's ``SignatureHash``).

        Args:
            index: the input being signed.
            script_code: the script being executed (the spent scriptPubKey, or the P2SH
                redeem script); its ``OP_CODESEPARATOR`` s are removed here.
            hash_type: the 32-bit hash type; only its low 5 bits and ``ANYONECANPAY`` matter,
                all 32 bits are committed to.

        Raises:
            SighashError: ``index`` is not an input of the transaction.
        """
        self._check_index(index)
        tx = self._tx
        base = hash_type & 0x1F
        if base == SIGHASH_SINGLE and index >= len(tx.outputs):
            return _ONE
        anyone = bool(hash_type & SIGHASH_ANYONECANPAY)
        blank_sequences = base in (SIGHASH_NONE, SIGHASH_SINGLE)
        parts = [self._version_bytes]
        indexes = [index] if anyone else range(len(tx.inputs))
        parts.append(write_compact_size(len(indexes)))
        for i in indexes:
            parts.append(self._outpoints[i])
            if i == index:
                parts.append(legacy_script_code(script_code))
                parts.append(self._sequences[i])
            else:
                parts.append(b"\x00")
                parts.append(b"\x00\x00\x00\x00" if blank_sequences else self._sequences[i])
        if base == SIGHASH_NONE:
            parts.append(b"\x00")
        elif base == SIGHASH_SINGLE:
            parts.append(write_compact_size(index + 1))
            parts.extend([_NULL_OUTPUT] * index)
            parts.append(self._output_bytes[index])
        else:
            parts.append(write_compact_size(len(self._output_bytes)))
            parts.extend(self._output_bytes)
        parts.append(self._locktime_bytes)
        parts.append(struct.pack("<I", hash_type & 0xFFFFFFFF))
        return sha256d(b"".join(parts))

    def segwit_v0(self, index: int, script_code: bytes, amount: int, hash_type: int) -> bytes:
        """Return the BIP-143 signature hash of input ``index``.

        Args:
            index: the input being signed.
            script_code: the scriptCode without its length: for P2WPKH the P2PKH script of
                the key hash, for P2WSH the witness script (from the last executed
                ``OP_CODESEPARATOR``).
            amount: the value of the spent output, in base units.
            hash_type: the 32-bit hash type.

        Raises:
            SighashError: ``index`` is not an input of the transaction.
        """
        self._check_index(index)
        base = hash_type & 0x1F
        anyone = bool(hash_type & SIGHASH_ANYONECANPAY)
        prevouts = _ZERO if anyone else self._hash_prevouts()
        if anyone or base in (SIGHASH_SINGLE, SIGHASH_NONE):
            sequences = _ZERO
        else:
            sequences = self._hash_sequences()
        if base not in (SIGHASH_SINGLE, SIGHASH_NONE):
            outputs = self._hash_outputs()
        elif base == SIGHASH_SINGLE and index < len(self._output_bytes):
            outputs = sha256d(self._output_bytes[index])
        else:
            outputs = _ZERO
        preimage = b"".join(
            (
                self._version_bytes,
                prevouts,
                sequences,
                self._outpoints[index],
                write_compact_size(len(script_code)),
                script_code,
                struct.pack("<q", amount),
                self._sequences[index],
                outputs,
                self._locktime_bytes,
                struct.pack("<I", hash_type & 0xFFFFFFFF),
            )
        )
        return sha256d(preimage)

    def _hash_prevouts(self) -> bytes:
        if self._bip143_prevouts is None:
            self._bip143_prevouts = sha256d(b"".join(self._outpoints))
        return self._bip143_prevouts

    def _hash_sequences(self) -> bytes:
        if self._bip143_sequences is None:
            self._bip143_sequences = sha256d(b"".join(self._sequences))
        return self._bip143_sequences

    def _hash_outputs(self) -> bytes:
        if self._bip143_outputs is None:
            self._bip143_outputs = sha256d(b"".join(self._output_bytes))
        return self._bip143_outputs

    def _taproot_hashes(self) -> tuple[bytes, bytes, bytes, bytes, bytes]:
        if self._taproot_common is None:
            if any(o is None for o in self._spent):
                missing = [i for i, o in enumerate(self._spent) if o is None]
                raise SighashError(
                    "a taproot signature commits to every spent output; the outputs spent by "
                    f"inputs {missing} are unknown"
                )
            spent = [o for o in self._spent if o is not None]
            sha = hashlib.sha256
            self._taproot_common = (
                sha(b"".join(self._outpoints)).digest(),
                sha(b"".join(struct.pack("<q", o.value) for o in spent)).digest(),
                sha(
                    b"".join(
                        write_compact_size(len(o.script_pubkey)) + o.script_pubkey for o in spent
                    )
                ).digest(),
                sha(b"".join(self._sequences)).digest(),
                sha(b"".join(self._output_bytes)).digest(),
            )
        return self._taproot_common

    def taproot_sigmsg(self, index: int, hash_type: int = SIGHASH_DEFAULT) -> bytes:
        """Return the BIP-341 ``SigMsg`` of a key-path spend of ``index``, epoch byte first.

        Raises:
            SighashError: a bad index, an undefined hash type, ``SIGHASH_SINGLE`` without a
                matching output, or unknown spent outputs.
        """
        return self._taproot_message(index, hash_type, b"")

    def taproot_script_sigmsg(
        self,
        index: int,
        leaf_hash: bytes,
        hash_type: int = SIGHASH_DEFAULT,
        codesep_pos: int = 0xFFFFFFFF,
    ) -> bytes:
        """Return the ``SigMsg`` of a script-path spend of ``index`` through one leaf.

        BIP-341 with ``ext_flag`` 1 and the BIP-342 extension appended: the leaf hash, key
        version 0 and the position of the last executed ``OP_CODESEPARATOR``
        (``0xffffffff`` when none was executed). No annex.

        Args:
            index: the input.
            leaf_hash: the BIP-341 tapleaf hash of the script being executed.
            hash_type: the sighash type.
            codesep_pos: the opcode position of the last executed ``OP_CODESEPARATOR``.

        Raises:
            SighashError: as ``taproot_sigmsg``, or a leaf hash that is not 32 bytes.
        """
        if len(leaf_hash) != 32:
            raise SighashError("a tapleaf hash has 32 bytes")
        if not 0 <= codesep_pos <= 0xFFFFFFFF:
            raise SighashError("the code separator position is a 32-bit number")
        extension = leaf_hash + b"\x00" + struct.pack("<I", codesep_pos)
        return self._taproot_message(index, hash_type, extension)

    def _taproot_message(self, index: int, hash_type: int, extension: bytes) -> bytes:
        self._check_index(index)
        if hash_type not in _TAPROOT_TYPES:
            raise SighashError(f"0x{hash_type:02x} is not a taproot sighash type")
        out_type = SIGHASH_ALL if hash_type == SIGHASH_DEFAULT else hash_type & 0x03
        anyone = bool(hash_type & SIGHASH_ANYONECANPAY)
        if out_type == SIGHASH_SINGLE and index >= len(self._output_bytes):
            raise SighashError(f"SIGHASH_SINGLE on input {index}, which has no matching output")
        prevouts, amounts, scripts, sequences, outputs = self._taproot_hashes()
        parts = [b"\x00", bytes([hash_type]), self._version_bytes, self._locktime_bytes]
        if not anyone:
            parts += [prevouts, amounts, scripts, sequences]
        if out_type not in (SIGHASH_NONE, SIGHASH_SINGLE):
            parts.append(outputs)
        # spend_type = ext_flag * 2 + annex_present: 0 for the key path, 2 for a script path.
        parts.append(b"\x02" if extension else b"\x00")
        if anyone:
            spent = self._spent[index]
            assert spent is not None  # noqa: S101 - _taproot_hashes checked every input
            parts += [
                self._outpoints[index],
                struct.pack("<q", spent.value),
                write_compact_size(len(spent.script_pubkey)),
                spent.script_pubkey,
                self._sequences[index],
            ]
        else:
            parts.append(struct.pack("<I", index))
        if out_type == SIGHASH_SINGLE:
            parts.append(hashlib.sha256(self._output_bytes[index]).digest())
        parts.append(extension)
        return b"".join(parts)

    def taproot(self, index: int, hash_type: int = SIGHASH_DEFAULT) -> bytes:
        """Return the BIP-341 signature hash of a key-path spend of input ``index`` (no annex).

        Raises:
            SighashError: as ``taproot_sigmsg``.
        """
        return tagged_hash("TapSighash", self.taproot_sigmsg(index, hash_type))

    def taproot_script(
        self,
        index: int,
        leaf_hash: bytes,
        hash_type: int = SIGHASH_DEFAULT,
        codesep_pos: int = 0xFFFFFFFF,
    ) -> bytes:
        """Return the signature hash of a script-path spend through one leaf (BIP-342).

        Raises:
            SighashError: as ``taproot_script_sigmsg``.
        """
        message = self.taproot_script_sigmsg(index, leaf_hash, hash_type, codesep_pos)
        return tagged_hash("TapSighash", message)
