"""Context-free transaction checks of the devnet's mempool, after Bitcoin Core.

Each failing check raises ``Refusal`` with Core's reject reason code, so that a wallet sees
the same refusals here as from a Core node. Sources: ``CheckTransaction``
(``consensus/tx_check.cpp``), ``IsStandardTx``, ``GetDustThreshold`` and ``IsFinalTx`` /
``SequenceLocks`` (``policy/policy.cpp``, ``consensus/tx_verify.cpp``; BIP-65, BIP-68,
BIP-113, BIP-141, BIP-341).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from chains.utxo.devnet.index import Coin, is_unspendable
from primitives.tx import MAX_SEQUENCE, Transaction, TxOut

__all__ = [
    "MAX_MONEY",
    "Refusal",
    "check_finality",
    "check_sequence_locks",
    "check_signatures",
    "check_standard",
    "check_transaction",
    "dust_threshold",
    "witness_program",
]

MAX_MONEY = 21_000_000 * 100_000_000
MAX_BLOCK_WEIGHT = 4_000_000
MAX_STANDARD_TX_WEIGHT = 400_000
MIN_STANDARD_TX_NONWITNESS_SIZE = 65
MAX_STANDARD_SCRIPTSIG_SIZE = 1650
LOCKTIME_THRESHOLD = 500_000_000  # below: a height; from here on: a UNIX time (BIP-65)
_SEQ_DISABLE = 1 << 31  # BIP-68: the relative lock-time is off for this input
_SEQ_TYPE_TIME = 1 << 22  # BIP-68: units of 512 seconds instead of blocks
_SEQ_MASK = 0x0000FFFF
_SEQ_GRANULARITY = 9
_STANDARD_VERSIONS = (1, 2)  # version 3 (TRUC, BIP-431) is not modelled, so not relayed
_HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0  # secp256k1 n/2
_POLICY_SCRIPT = "non-mandatory-script-verify-flag"


class Refusal(Exception):
    """A check failed: ``reason`` is Core's reject code, ``detail`` the debug text.

    Internal to the devnet: ``BitcoinDevnet`` turns it into ``TransactionRejected``.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        """Keep the reason code and the detail."""
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def check_transaction(tx: Transaction) -> None:
    """Apply Core's context-free consensus checks (``CheckTransaction``).

    Raises:
        Refusal: ``bad-txns-vin-empty``, ``bad-txns-vout-empty``, ``bad-txns-oversize``,
            ``bad-txns-vout-negative``, ``bad-txns-vout-toolarge``,
            ``bad-txns-txouttotal-toolarge``, ``bad-txns-inputs-duplicate``,
            ``bad-txns-prevout-null`` or ``bad-cb-length``.
    """
    if not tx.inputs:
        raise Refusal("bad-txns-vin-empty")
    if not tx.outputs:
        raise Refusal("bad-txns-vout-empty")
    if len(tx.serialize(include_witness=False)) * 4 > MAX_BLOCK_WEIGHT:
        raise Refusal("bad-txns-oversize")
    total = 0
    for out in tx.outputs:
        if out.value < 0:
            raise Refusal("bad-txns-vout-negative")
        if out.value > MAX_MONEY:
            raise Refusal("bad-txns-vout-toolarge")
        total += out.value
        if total > MAX_MONEY:
            raise Refusal("bad-txns-txouttotal-toolarge")
    prevouts = [i.prevout for i in tx.inputs]
    if len(set(prevouts)) != len(prevouts):
        raise Refusal("bad-txns-inputs-duplicate")
    if tx.is_coinbase:
        if not 2 <= len(tx.inputs[0].script_sig) <= 100:
            raise Refusal("bad-cb-length")
    elif any(p.txid == bytes(32) and p.vout == MAX_SEQUENCE for p in prevouts):
        raise Refusal("bad-txns-prevout-null")


def _push_only(script: bytes) -> bool:
    """Return whether a script holds only data pushes (``CScript::IsPushOnly``)."""
    pos = 0
    while pos < len(script):
        op = script[pos]
        pos += 1
        if op > 0x60:  # above OP_16
            return False
        size = 0
        if 0x01 <= op <= 0x4B:
            size = op
        elif op in (0x4C, 0x4D, 0x4E):  # OP_PUSHDATA1/2/4
            width = {0x4C: 1, 0x4D: 2, 0x4E: 4}[op]
            if pos + width > len(script):
                return False
            size = int.from_bytes(script[pos : pos + width], "little")
            pos += width
        if pos + size > len(script):
            return False
        pos += size
    return True


def witness_program(script: bytes) -> tuple[int, bytes] | None:
    """Return ``(version, program)`` if ``script`` is a witness program (BIP-141)."""
    if not 4 <= len(script) <= 42:
        return None
    op = script[0]
    if op != 0x00 and not 0x51 <= op <= 0x60:
        return None
    if script[1] + 2 != len(script):
        return None
    return (0 if op == 0 else op - 0x50), script[2:]


def _standard_output(script: bytes) -> bool:
    """Return whether Core relays an output with this script (``IsStandard`` / ``Solver``)."""
    n = len(script)
    if n == 25 and script[:3] == b"\x76\xa9\x14" and script[23:] == b"\x88\xac":
        return True  # P2PKH
    if n == 23 and script[:2] == b"\xa9\x14" and script[22] == 0x87:
        return True  # P2SH
    program = witness_program(script)
    if program is not None:
        version, body = program
        return version != 0 or len(body) in (20, 32)  # other versions: future soft forks
    if n in (35, 67) and script[0] == n - 2 and script[-1] == 0xAC:
        return True  # P2PK, compressed or not
    if n >= 1 and script[0] == 0x6A:
        return _push_only(script[1:])  # null data (Core 30 relays any size and count)
    return _bare_multisig(script)


def _bare_multisig(script: bytes) -> bool:
    """Return whether ``script`` is ``OP_m <keys> OP_n OP_CHECKMULTISIG`` with n <= 3."""
    if len(script) < 3 or script[-1] != 0xAE:
        return False
    m, n = script[0] - 0x50, script[-2] - 0x50
    if not 1 <= m <= n <= 3:
        return False
    pos, keys = 1, 0
    while pos < len(script) - 2:
        size = script[pos]
        if size not in (33, 65):
            return False
        pos += 1 + size
        keys += 1
    return pos == len(script) - 2 and keys == n


def dust_threshold(out: TxOut, dust_relay_sat_vb: int) -> int:
    """Return the smallest non-dust value for ``out`` (Core's ``GetDustThreshold``).

    The threshold is what spending the output would cost at the dust relay rate: the output
    plus a typical input spending it (148 bytes, or 67 vbytes for a witness program).
    """
    if is_unspendable(out.script_pubkey):
        return 0
    size = len(out.serialize())
    size += 67 if witness_program(out.script_pubkey) is not None else 148
    return size * dust_relay_sat_vb


def check_standard(tx: Transaction, dust_relay_sat_vb: int) -> None:
    """Apply Core's standardness rules to the transaction itself (``IsStandardTx``).

    Raises:
        Refusal: ``version``, ``tx-size``, ``scriptsig-size``, ``scriptsig-not-pushonly``,
            ``scriptpubkey``, ``dust`` or ``tx-size-small``.
    """
    if tx.version not in _STANDARD_VERSIONS:
        raise Refusal("version", f"version {tx.version} is not relayed")
    if tx.weight > MAX_STANDARD_TX_WEIGHT:
        raise Refusal("tx-size", f"weight {tx.weight} > {MAX_STANDARD_TX_WEIGHT}")
    for txin in tx.inputs:
        if len(txin.script_sig) > MAX_STANDARD_SCRIPTSIG_SIZE:
            raise Refusal("scriptsig-size")
        if not _push_only(txin.script_sig):
            raise Refusal("scriptsig-not-pushonly")
    for vout, out in enumerate(tx.outputs):
        if not _standard_output(out.script_pubkey):
            raise Refusal("scriptpubkey", f"output {vout} has a non-standard script")
        threshold = dust_threshold(out, dust_relay_sat_vb)
        if out.value < threshold:
            raise Refusal("dust", f"output {vout} pays {out.value} < {threshold} sat")
    if len(tx.serialize(include_witness=False)) < MIN_STANDARD_TX_NONWITNESS_SIZE:
        raise Refusal("tx-size-small")


def check_finality(tx: Transaction, next_height: int, tip_mtp: int) -> None:
    """Refuse a transaction whose lock time is not reached in the next block (BIP-113).

    Raises:
        Refusal: ``non-final``.
    """
    if tx.locktime == 0:
        return
    limit = next_height if tx.locktime < LOCKTIME_THRESHOLD else tip_mtp
    if tx.locktime < limit:
        return
    if all(i.sequence == MAX_SEQUENCE for i in tx.inputs):
        return
    kind = "height" if tx.locktime < LOCKTIME_THRESHOLD else "median time past"
    raise Refusal("non-final", f"lock time {tx.locktime} not reached ({kind} {limit})")


def check_sequence_locks(
    tx: Transaction, coins: Sequence[Coin], next_height: int, mtp_at: Callable[[int], int]
) -> None:
    """Refuse a transaction whose BIP-68 relative lock times do not allow the next block.

    Args:
        tx: the transaction.
        coins: the coins its inputs spend, in input order (mempool coins have height None).
        next_height: the height of the next block.
        mtp_at: the median time past of the active block at a height.

    Raises:
        Refusal: ``non-BIP68-final``.
    """
    if tx.version < 2:
        return
    min_height = min_time = -1
    for txin, coin in zip(tx.inputs, coins, strict=True):
        if txin.sequence & _SEQ_DISABLE:
            continue
        coin_height = next_height if coin.height is None else coin.height
        value = txin.sequence & _SEQ_MASK
        if txin.sequence & _SEQ_TYPE_TIME:
            coin_time = mtp_at(max(coin_height - 1, 0))
            min_time = max(min_time, coin_time + (value << _SEQ_GRANULARITY) - 1)
        else:
            min_height = max(min_height, coin_height + value - 1)
    if min_height >= next_height or min_time >= mtp_at(next_height - 1):
        raise Refusal("non-BIP68-final")


def _data_pushes(script: bytes) -> list[bytes] | None:
    """Return the data a script pushes, or ``None`` if it does anything else."""
    items: list[bytes] = []
    pos = 0
    while pos < len(script):
        op = script[pos]
        pos += 1
        if op == 0x00:
            items.append(b"")
            continue
        if 0x01 <= op <= 0x4B:
            size = op
        elif op in (0x4C, 0x4D, 0x4E):
            width = {0x4C: 1, 0x4D: 2, 0x4E: 4}[op]
            size = int.from_bytes(script[pos : pos + width], "little")
            pos += width
        else:
            return None
        if pos + size > len(script):
            return None
        items.append(script[pos : pos + size])
        pos += size
    return items


def _der_s(der: bytes) -> int | None:
    """Return S of a DER signature (BIP-66 form, which consensus has already enforced)."""
    if len(der) < 8 or der[0] != 0x30 or der[2] != 0x02:
        return None
    s_at = 4 + der[3]
    if s_at + 2 > len(der) or der[s_at] != 0x02:
        return None
    return int.from_bytes(der[s_at + 2 : s_at + 2 + der[s_at + 1]], "big")


def _nested_p2wpkh(script_sig: bytes) -> bool:
    """Return whether a scriptSig pushes just a P2WPKH program (a P2SH-wrapped spend)."""
    pushed = _data_pushes(script_sig)
    return (
        pushed is not None
        and len(pushed) == 1
        and len(pushed[0]) == 22
        and (pushed[0][:2] == b"\x00\x14")
    )


def check_signatures(tx: Transaction, coins: Sequence[Coin]) -> None:
    """Apply Core's policy-only signature rules to P2WPKH, P2SH-P2WPKH and P2PKH inputs.

    libbitcoinkernel verifies with the consensus flags only; Core's mempool also demands
    ``LOW_S`` (BIP-146), a defined sighash type (``STRICTENC``) and compressed keys in
    segwit (``WITNESS_PUBKEYTYPE``), and reports a failure of those alone as
    ``non-mandatory-script-verify-flag`` with the interpreter's error text. Call this after
    the kernel accepted the scripts. Other script forms are not checked here.

    Raises:
        Refusal: ``non-mandatory-script-verify-flag``.
    """
    for index, (txin, coin) in enumerate(zip(tx.inputs, coins, strict=True)):
        program = witness_program(coin.script)
        if program is not None and program[0] == 0 and len(program[1]) == 20:
            items: list[bytes] | None = list(txin.witness)
            segwit = True
        elif len(coin.script) == 25 and coin.script[:3] == b"\x76\xa9\x14":
            items, segwit = _data_pushes(txin.script_sig), False
        elif _nested_p2wpkh(txin.script_sig):
            items, segwit = list(txin.witness), True  # BIP-49's P2SH-P2WPKH
        else:
            continue
        if items is None or len(items) != 2 or not items[0]:
            continue  # nothing the kernel would have let through
        signature, pubkey = items
        s_value = _der_s(signature[:-1])
        if s_value is not None and s_value > _HALF_ORDER:
            raise Refusal(
                _POLICY_SCRIPT,
                f"input {index}: Non-canonical signature: S value is unnecessarily high",
            )
        if signature[-1] & 0x7F not in (1, 2, 3):
            raise Refusal(
                _POLICY_SCRIPT, f"input {index}: Signature hash type missing or not understood"
            )
        if segwit and not (len(pubkey) == 33 and pubkey[0] in (2, 3)):
            raise Refusal(_POLICY_SCRIPT, f"input {index}: Using non-compressed keys in segwit")
