"""Bitcoin-family scripts: pushes, standard templates, classification and addresses.

Templates follow Bitcoin Core's ``Solver`` (``script/solver.cpp``): P2PKH, P2SH (BIP-16),
P2WPKH and P2WSH (BIP-141), P2TR (BIP-341), bare multisig, null data. Addresses are encoded for
a network described by plain parameters (bech32 prefix, Base58Check version bytes), so the
keystore and the chains layer use the same code without sharing a registry.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from primitives.base58 import Base58Error, b58check_decode, b58check_encode
from primitives.bech32 import Bech32Error, decode_segwit, encode_segwit
from primitives.hashes import hash160
from primitives.secp256k1 import taproot_output_key

__all__ = [
    "OP_0",
    "OP_1",
    "OP_16",
    "OP_CHECKMULTISIG",
    "OP_CHECKSIG",
    "OP_CODESEPARATOR",
    "OP_DUP",
    "OP_EQUAL",
    "OP_EQUALVERIFY",
    "OP_HASH160",
    "OP_PUSHDATA1",
    "OP_PUSHDATA2",
    "OP_PUSHDATA4",
    "OP_RETURN",
    "AddressError",
    "AddressFormat",
    "AddressParams",
    "KeyScriptKind",
    "ScriptError",
    "ScriptType",
    "address_to_script",
    "classify",
    "iter_script",
    "key_script",
    "multisig_script",
    "null_data_script",
    "output_text",
    "p2pkh_script",
    "p2sh_script",
    "p2tr_script",
    "p2wpkh_script",
    "p2wsh_script",
    "parse_multisig",
    "push_data",
    "push_int",
    "script_to_address",
    "witness_program",
]

OP_0 = 0x00
OP_PUSHDATA1 = 0x4C
OP_PUSHDATA2 = 0x4D
OP_PUSHDATA4 = 0x4E
OP_1NEGATE = 0x4F
OP_1 = 0x51
OP_16 = 0x60
OP_RETURN = 0x6A
OP_DUP = 0x76
OP_EQUAL = 0x87
OP_EQUALVERIFY = 0x88
OP_HASH160 = 0xA9
OP_CODESEPARATOR = 0xAB
OP_CHECKSIG = 0xAC
OP_CHECKMULTISIG = 0xAE

_MAX_MULTISIG_KEYS = 20  # MAX_PUBKEYS_PER_MULTISIG (script/script.h)


class ScriptError(ValueError):
    """A script is malformed (a push runs past its end) or does not fit a template."""


class AddressError(ValueError):
    """An address is malformed, is for another network, or a script has no address form."""


class AddressFormat(Protocol):
    """What address encoding needs to know of a network (``keystore.types.UtxoParams`` fits).

    ``hrp`` is the bech32 human-readable part, ``None`` on networks without segwit.
    """

    @property
    def hrp(self) -> str | None:
        """Return the bech32 prefix, or ``None`` where segwit is absent."""
        ...

    @property
    def p2pkh_version(self) -> int:
        """Return the Base58Check version byte of P2PKH addresses."""
        ...

    @property
    def p2sh_version(self) -> int:
        """Return the Base58Check version byte of P2SH addresses."""
        ...


@dataclass(frozen=True, slots=True)
class AddressParams:
    """A plain ``AddressFormat``: bech32 prefix and Base58Check version bytes."""

    hrp: str | None
    p2pkh_version: int
    p2sh_version: int


class ScriptType(enum.Enum):
    """The standard output script templates (Bitcoin Core's ``TxoutType``)."""

    P2PKH = "p2pkh"
    P2SH = "p2sh"
    P2WPKH = "p2wpkh"
    P2WSH = "p2wsh"
    P2TR = "p2tr"
    P2PK = "p2pk"
    MULTISIG = "multisig"
    NULL_DATA = "null-data"
    WITNESS_UNKNOWN = "witness-unknown"
    NONSTANDARD = "nonstandard"


class KeyScriptKind(enum.Enum):
    """The single-key output scripts of BIP-44/49/84/86 accounts (values as in the registry)."""

    P2PKH = "p2pkh"
    P2SH_P2WPKH = "p2sh-p2wpkh"
    P2WPKH = "p2wpkh"
    P2TR = "p2tr"


def push_data(data: bytes) -> bytes:
    """Return the script that pushes ``data``, with the shortest push opcode for its length.

    This is Bitcoin Core's ``CScript << std::vector`` (used for signatures, keys and redeem
    scripts in scriptSigs); it does not turn one-byte data into ``OP_1``..``OP_16``.
    """
    n = len(data)
    if n < OP_PUSHDATA1:
        return bytes([n]) + data
    if n <= 0xFF:
        return bytes([OP_PUSHDATA1, n]) + data
    if n <= 0xFFFF:
        return bytes([OP_PUSHDATA2]) + n.to_bytes(2, "little") + data
    return bytes([OP_PUSHDATA4]) + n.to_bytes(4, "little") + data


def push_int(n: int) -> bytes:
    """Return the script that pushes the number ``n`` (``OP_0``, ``OP_1``..``OP_16``, or data).

    Larger numbers are pushed as minimal little-endian sign-magnitude (``CScriptNum``).
    """
    if n == 0:
        return bytes([OP_0])
    if n == -1:
        return bytes([OP_1NEGATE])
    if 1 <= n <= 16:
        return bytes([OP_1 + n - 1])
    negative = n < 0
    magnitude = abs(n)
    out = bytearray()
    while magnitude:
        out.append(magnitude & 0xFF)
        magnitude >>= 8
    if out[-1] & 0x80:
        out.append(0x80 if negative else 0)
    elif negative:
        out[-1] |= 0x80
    return push_data(bytes(out))


def iter_script(script: bytes) -> Iterator[tuple[int, bytes | None]]:
    """Yield ``(opcode, pushed data)`` for each operation; data is ``None`` for non-pushes.

    Raises:
        ScriptError: a push claims more bytes than the script has.
    """
    pos = 0
    end = len(script)
    while pos < end:
        op = script[pos]
        pos += 1
        if op > OP_PUSHDATA4:
            yield op, None
            continue
        if op < OP_PUSHDATA1:
            size = op
        else:
            width = {OP_PUSHDATA1: 1, OP_PUSHDATA2: 2, OP_PUSHDATA4: 4}[op]
            if pos + width > end:
                raise ScriptError("a push opcode is cut off by the end of the script")
            size = int.from_bytes(script[pos : pos + width], "little")
            pos += width
        if pos + size > end:
            raise ScriptError("a push runs past the end of the script")
        yield op, script[pos : pos + size]
        pos += size


def p2pkh_script(pubkey_hash: bytes) -> bytes:
    """Return ``OP_DUP OP_HASH160 <20 bytes> OP_EQUALVERIFY OP_CHECKSIG``."""
    _require_len(pubkey_hash, 20, "A P2PKH key hash")
    return b"\x76\xa9\x14" + pubkey_hash + b"\x88\xac"


def p2sh_script(script_hash: bytes) -> bytes:
    """Return ``OP_HASH160 <20 bytes> OP_EQUAL`` (BIP-16)."""
    _require_len(script_hash, 20, "A P2SH script hash")
    return b"\xa9\x14" + script_hash + b"\x87"


def p2wpkh_script(pubkey_hash: bytes) -> bytes:
    """Return ``OP_0 <20 bytes>`` (BIP-141 P2WPKH)."""
    _require_len(pubkey_hash, 20, "A P2WPKH key hash")
    return b"\x00\x14" + pubkey_hash


def p2wsh_script(script_hash: bytes) -> bytes:
    """Return ``OP_0 <32 bytes>`` (BIP-141 P2WSH; the hash is SHA-256 of the witness script)."""
    _require_len(script_hash, 32, "A P2WSH script hash")
    return b"\x00\x20" + script_hash


def p2tr_script(output_key: bytes) -> bytes:
    """Return ``OP_1 <32-byte x-only output key>`` (BIP-341)."""
    _require_len(output_key, 32, "A taproot output key")
    return b"\x51\x20" + output_key


def key_script(kind: KeyScriptKind, pubkey: bytes) -> bytes:
    """Return the output script of an account key: the one copy of this for wallet and signer.

    The wallet watches the scripts this returns and the signer proves change with it, so an
    output the signer calls change is, by construction, one the wallet watches.

    Args:
        kind: the account's script kind; P2TR is BIP-86 (the x-only key tweaked with no
            script tree, BIP-341).
        pubkey: the 33-byte compressed public key.

    Raises:
        InvalidPublicKey: a P2TR key that is not on the curve.
    """
    if kind is KeyScriptKind.P2WPKH:
        return p2wpkh_script(hash160(pubkey))
    if kind is KeyScriptKind.P2TR:
        return p2tr_script(taproot_output_key(pubkey[1:]))
    if kind is KeyScriptKind.P2SH_P2WPKH:
        return p2sh_script(hash160(p2wpkh_script(hash160(pubkey))))
    return p2pkh_script(hash160(pubkey))


def multisig_script(required: int, pubkeys: tuple[bytes, ...] | list[bytes]) -> bytes:
    """Return ``OP_m <keys> OP_n OP_CHECKMULTISIG``.

    Raises:
        ScriptError: ``required`` outside 1..n, or more than 20 keys.
    """
    n = len(pubkeys)
    if not 1 <= required <= n <= _MAX_MULTISIG_KEYS:
        raise ScriptError(f"a {required}-of-{n} multisig script is not valid")
    body = b"".join(push_data(k) for k in pubkeys)
    return push_int(required) + body + push_int(n) + bytes([OP_CHECKMULTISIG])


def null_data_script(data: bytes) -> bytes:
    """Return ``OP_RETURN <data>`` (a provably unspendable data carrier)."""
    return bytes([OP_RETURN]) + push_data(data) if data else bytes([OP_RETURN])


def witness_program(script: bytes) -> tuple[int, bytes] | None:
    """Return ``(version, program)`` if ``script`` is a witness program (BIP-141), else ``None``.

    A witness program is a version opcode (``OP_0``, ``OP_1``..``OP_16``) followed by one direct
    push of 2 to 40 bytes, and nothing else.
    """
    n = len(script)
    if not 4 <= n <= 42:
        return None
    op = script[0]
    if op != OP_0 and not OP_1 <= op <= OP_16:
        return None
    if script[1] + 2 != n:
        return None
    return (0 if op == OP_0 else op - OP_1 + 1), script[2:]


def parse_multisig(script: bytes) -> tuple[int, tuple[bytes, ...]] | None:
    """Return ``(required, pubkeys)`` for a bare ``OP_CHECKMULTISIG`` script, else ``None``."""
    try:
        ops = list(iter_script(script))
    except ScriptError:
        return None
    if len(ops) < 4 or ops[-1] != (OP_CHECKMULTISIG, None):
        return None
    m_op, n_op = ops[0][0], ops[-2][0]
    if not (OP_1 <= m_op <= OP_16 and OP_1 <= n_op <= OP_16):
        return None
    required, count = m_op - OP_1 + 1, n_op - OP_1 + 1
    keys = ops[1:-2]
    if count != len(keys) or required > count:
        return None
    pubkeys: list[bytes] = []
    for _, data in keys:
        if data is None or len(data) not in (33, 65):
            return None
        pubkeys.append(data)
    return required, tuple(pubkeys)


def classify(script: bytes) -> ScriptType:
    """Return the standard template ``script`` matches (Bitcoin Core's ``Solver``)."""
    n = len(script)
    if n == 25 and script[:3] == b"\x76\xa9\x14" and script[23:] == b"\x88\xac":
        return ScriptType.P2PKH
    if n == 23 and script[:2] == b"\xa9\x14" and script[22] == OP_EQUAL:
        return ScriptType.P2SH
    program = witness_program(script)
    if program is not None:
        version, data = program
        if version == 0 and len(data) == 20:
            return ScriptType.P2WPKH
        if version == 0 and len(data) == 32:
            return ScriptType.P2WSH
        if version == 1 and len(data) == 32:
            return ScriptType.P2TR
        if version != 0:
            return ScriptType.WITNESS_UNKNOWN
        return ScriptType.NONSTANDARD
    if n and script[0] == OP_RETURN and _push_only(script[1:]):
        return ScriptType.NULL_DATA
    p2pk_len = (n == 35 and script[0] == 33) or (n == 67 and script[0] == 65)
    if p2pk_len and script[-1] == OP_CHECKSIG:
        return ScriptType.P2PK
    if parse_multisig(script) is not None:
        return ScriptType.MULTISIG
    return ScriptType.NONSTANDARD


def script_to_address(script: bytes, network: AddressFormat) -> str:
    """Return the address that pays ``script`` on ``network``.

    Witness programs are tested first and inline: address derivation runs this once per
    address, and the templates cannot overlap (a witness program starts with a version
    opcode, P2PKH with ``OP_DUP``, P2SH with ``OP_HASH160``).

    Raises:
        AddressError: the script has no address form (null data, bare multisig, non-standard,
            a version 0 program of neither 20 nor 32 bytes), or it is a segwit script and the
            network has no segwit.
    """
    n = len(script)
    op = script[0] if n else -1
    if 4 <= n <= 42 and script[1] + 2 == n and (op == OP_0 or OP_1 <= op <= OP_16):
        if op == OP_0 and n not in (22, 34):
            raise AddressError(f"A {ScriptType.NONSTANDARD.value} output script has no address.")
        if network.hrp is None:
            raise AddressError(
                "This network has no segwit addresses, so it cannot pay this script."
            )
        return encode_segwit(network.hrp, 0 if op == OP_0 else op - OP_1 + 1, script[2:])
    kind = classify(script)
    if kind is ScriptType.P2PKH:
        return b58check_encode(bytes([network.p2pkh_version]) + script[3:23])
    if kind is ScriptType.P2SH:
        return b58check_encode(bytes([network.p2sh_version]) + script[2:22])
    raise AddressError(f"A {kind.value} output script has no address.")


def output_text(script: bytes, network: AddressFormat) -> str:
    """Return how a transaction summary shows an output script.

    The wallet's summary and the signer's review both show outputs with this, so what the
    person compares on the two screens is produced by the same code.

    Returns:
        The address, or for a data carrier ``OP_RETURN`` and the hex of the data it pushes.

    Raises:
        AddressError: the script has no address form (bare multisig, non-standard), or it is
            a segwit script and the network has no segwit.
    """
    if classify(script) is ScriptType.NULL_DATA:
        data = b"".join(d for _, d in iter_script(script[1:]) if d)
        return "OP_RETURN " + data.hex()
    return script_to_address(script, network)


def address_to_script(address: str, network: AddressFormat) -> bytes:
    """Return the output script an address of ``network`` stands for (BIP-173/350, Base58Check).

    Raises:
        AddressError: a bad checksum or form, or an address of another network.
    """
    text = address.strip()
    if network.hrp is not None and text.lower().startswith(network.hrp + "1"):
        try:
            hrp, version, program = decode_segwit(text)
        except Bech32Error as err:
            raise AddressError(f"This is not a valid segwit address: it {err}.") from None
        if hrp == network.hrp:
            op = OP_0 if version == 0 else OP_1 + version - 1
            return bytes([op, len(program)]) + program
    try:
        payload = b58check_decode(text)
    except Base58Error:
        raise AddressError("This is not an address of this network.") from None
    if len(payload) == 21:
        if payload[0] == network.p2pkh_version:
            return p2pkh_script(payload[1:])
        if payload[0] == network.p2sh_version:
            return p2sh_script(payload[1:])
    raise AddressError("This address has a version byte of another network.")


def _push_only(script: bytes) -> bool:
    try:
        return all(op <= OP_16 for op, _ in iter_script(script))
    except ScriptError:
        return False


def _require_len(data: bytes, size: int, what: str) -> None:
    if len(data) != size:
        raise ScriptError(f"{what} has {size} bytes, not {len(data)}")
