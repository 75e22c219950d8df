"""Compile a miniscript tree to Script, byte for byte as BIP-379's fragment table says.

``v:`` folds into the last opcode of its argument where BIP-379 allows (``OP_EQUAL`` becomes
``OP_EQUALVERIFY``, ``OP_CHECKSIG`` ``OP_CHECKSIGVERIFY``, ``OP_CHECKMULTISIG``
``OP_CHECKMULTISIGVERIFY``, ``OP_NUMEQUAL`` ``OP_NUMEQUALVERIFY``): that is exactly when
the argument lacks the ``x`` property, and the fold is passed down to the fragment that emits
that last opcode.
"""

from __future__ import annotations

from collections.abc import Callable

from primitives.hashes import hash160
from primitives.miniscript._node import K, Node
from primitives.miniscript._types import Context, Fragment, MiniscriptError
from primitives.script import push_data, push_int

__all__ = ["node_script"]

F = Fragment

OP_0 = b"\x00"
OP_1 = b"\x51"
OP_IF = b"\x63"
OP_NOTIF = b"\x64"
OP_ELSE = b"\x67"
OP_ENDIF = b"\x68"
OP_VERIFY = b"\x69"
OP_TOALTSTACK = b"\x6b"
OP_FROMALTSTACK = b"\x6c"
OP_IFDUP = b"\x73"
OP_DUP = b"\x76"
OP_SWAP = b"\x7c"
OP_SIZE = b"\x82"
OP_0NOTEQUAL = b"\x92"
OP_ADD = b"\x93"
OP_BOOLAND = b"\x9a"
OP_BOOLOR = b"\x9b"
OP_RIPEMD160 = b"\xa6"
OP_SHA256 = b"\xa8"
OP_HASH160 = b"\xa9"
OP_HASH256 = b"\xaa"
OP_CHECKSIGADD = b"\xba"
OP_CLTV = b"\xb1"
OP_CSV = b"\xb2"

# (normal, folded into VERIFY) forms of the opcodes a non-'x' expression ends with
OP_EQUAL = (b"\x87", b"\x88")
OP_CHECKSIG = (b"\xac", b"\xad")
OP_CHECKMULTISIG = (b"\xae", b"\xaf")
OP_NUMEQUAL = (b"\x9c", b"\x9d")

_HASH_OP = {
    F.SHA256: OP_SHA256,
    F.HASH256: OP_HASH256,
    F.RIPEMD160: OP_RIPEMD160,
    F.HASH160: OP_HASH160,
}


def node_script(node: Node[K], key_bytes: Callable[[K], bytes]) -> bytes:
    """Return the Script of ``node``.

    Raises:
        MiniscriptError: ``key_bytes`` returned a key of the wrong length for the context
            (33 bytes in P2WSH, 32 x-only bytes in tapscript).
    """
    size = 32 if node.context is Context.TAPSCRIPT else 33

    def key(k: K) -> bytes:
        raw = key_bytes(k)
        if len(raw) != size:
            raise MiniscriptError(
                f"A {node.context.value} miniscript needs {size}-byte keys, got {len(raw)} bytes."
            )
        return raw

    return _compile(node, key, verify=False)


def _compile(node: Node[K], key: Callable[[K], bytes], verify: bool) -> bytes:
    f, s = node.fragment, node.subs
    end = 1 if verify else 0
    if f is F.JUST_0:
        return OP_0
    if f is F.JUST_1:
        return OP_1
    if f is F.PK_K:
        return push_data(key(node.keys[0]))
    if f is F.PK_H:
        return OP_DUP + OP_HASH160 + push_data(hash160(key(node.keys[0]))) + OP_EQUAL[1]
    if f is F.OLDER:
        return push_int(node.k) + OP_CSV
    if f is F.AFTER:
        return push_int(node.k) + OP_CLTV
    if f in _HASH_OP:
        return (
            OP_SIZE
            + push_int(32)
            + OP_EQUAL[1]
            + _HASH_OP[f]
            + push_data(node.data)
            + OP_EQUAL[end]
        )
    if f is F.MULTI:
        keys = b"".join(push_data(key(k)) for k in node.keys)
        return push_int(node.k) + keys + push_int(len(node.keys)) + OP_CHECKMULTISIG[end]
    if f is F.MULTI_A:
        out = push_data(key(node.keys[0])) + OP_CHECKSIG[0]
        for k in node.keys[1:]:
            out += push_data(key(k)) + OP_CHECKSIGADD
        return out + push_int(node.k) + OP_NUMEQUAL[end]
    if f is F.THRESH:
        out = _compile(s[0], key, False)
        for sub in s[1:]:
            out += _compile(sub, key, False) + OP_ADD
        return out + push_int(node.k) + OP_EQUAL[end]
    if f is F.WRAP_A:
        return OP_TOALTSTACK + _compile(s[0], key, False) + OP_FROMALTSTACK
    if f is F.WRAP_S:
        return OP_SWAP + _compile(s[0], key, verify)
    if f is F.WRAP_C:
        return _compile(s[0], key, False) + OP_CHECKSIG[end]
    if f is F.WRAP_D:
        return OP_DUP + OP_IF + _compile(s[0], key, False) + OP_ENDIF
    if f is F.WRAP_V:
        if s[0].type.has("x"):
            return _compile(s[0], key, False) + OP_VERIFY
        return _compile(s[0], key, True)
    if f is F.WRAP_J:
        return OP_SIZE + OP_0NOTEQUAL + OP_IF + _compile(s[0], key, False) + OP_ENDIF
    if f is F.WRAP_N:
        return _compile(s[0], key, False) + OP_0NOTEQUAL
    x = _compile(s[0], key, False)
    if f is F.AND_V:
        return x + _compile(s[1], key, verify)
    y = _compile(s[1], key, False)
    if f is F.AND_B:
        return x + y + OP_BOOLAND
    if f is F.OR_B:
        return x + y + OP_BOOLOR
    if f is F.OR_C:
        return x + OP_NOTIF + y + OP_ENDIF
    if f is F.OR_D:
        return x + OP_IFDUP + OP_NOTIF + y + OP_ENDIF
    if f is F.OR_I:
        return OP_IF + x + OP_ELSE + y + OP_ENDIF
    z = _compile(s[2], key, False)  # andor: [X] NOTIF [Z] ELSE [Y] ENDIF
    return x + OP_NOTIF + z + OP_ELSE + y + OP_ENDIF
