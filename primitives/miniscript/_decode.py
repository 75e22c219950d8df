"""Recognise a miniscript in a Script (the inverse of compiling, for scripts found on chain).

The Script is split into opcodes, with the ``...VERIFY`` opcodes split into their base opcode
and ``OP_VERIFY`` and ``OP_1``..``OP_16`` read as number pushes, then read from its last
opcode backwards with an explicit work list, the way Bitcoin Core's ``DecodeScript`` does:
every fragment's Script ends with an opcode that says what it is (``OP_CHECKSIG`` for
``c:``, ``OP_ENDIF`` for the ``if`` shapes, ``OP_BOOLAND`` for ``and_b`` ...). Non-minimal
pushes and a ``VERIFY`` that could have been folded into the opcode before it are refused,
so a Script has at most one decoding, and that decoding compiles back to the same bytes.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Generic

from primitives.miniscript._miniscript import Miniscript
from primitives.miniscript._node import K, Node
from primitives.miniscript._text import MAX_DEPTH, MAX_MULTI_A_KEYS, MAX_MULTI_KEYS
from primitives.miniscript._types import Context, Fragment, MiniscriptError
from primitives.script import ScriptError, iter_script

__all__ = ["MiniscriptDecodeError", "decode"]

F = Fragment

OP_0, OP_PUSHDATA1, OP_PUSHDATA2, OP_1NEGATE, OP_1, OP_16 = 0x00, 0x4C, 0x4D, 0x4F, 0x51, 0x60
OP_IF, OP_NOTIF, OP_ELSE, OP_ENDIF, OP_VERIFY = 0x63, 0x64, 0x67, 0x68, 0x69
OP_TOALTSTACK, OP_FROMALTSTACK, OP_IFDUP, OP_DUP, OP_SWAP, OP_SIZE = (
    0x6B,
    0x6C,
    0x73,
    0x76,
    0x7C,
    0x82,
)
OP_EQUAL, OP_EQUALVERIFY, OP_0NOTEQUAL, OP_ADD = 0x87, 0x88, 0x92, 0x93
OP_BOOLAND, OP_BOOLOR, OP_NUMEQUAL, OP_NUMEQUALVERIFY = 0x9A, 0x9B, 0x9C, 0x9D
OP_RIPEMD160, OP_SHA256, OP_HASH160, OP_HASH256 = 0xA6, 0xA8, 0xA9, 0xAA
OP_CHECKSIG, OP_CHECKSIGVERIFY, OP_CHECKMULTISIG, OP_CHECKMULTISIGVERIFY = 0xAC, 0xAD, 0xAE, 0xAF
OP_CLTV, OP_CSV, OP_CHECKSIGADD = 0xB1, 0xB2, 0xBA

_SPLIT = {
    OP_CHECKSIGVERIFY: OP_CHECKSIG,
    OP_CHECKMULTISIGVERIFY: OP_CHECKMULTISIG,
    OP_EQUALVERIFY: OP_EQUAL,
    OP_NUMEQUALVERIFY: OP_NUMEQUAL,
}
_HASHES = {
    OP_SHA256: (F.SHA256, 32),
    OP_RIPEMD160: (F.RIPEMD160, 20),
    OP_HASH256: (F.HASH256, 32),
    OP_HASH160: (F.HASH160, 20),
}
_WRAP = {
    "check": F.WRAP_C,
    "dup_if": F.WRAP_D,
    "verify": F.WRAP_V,
    "non_zero": F.WRAP_J,
    "zero_notequal": F.WRAP_N,
}
_PAIRS = {"and_v": F.AND_V, "and_b": F.AND_B, "or_b": F.OR_B, "or_c": F.OR_C, "or_d": F.OR_D}

Op = tuple[int, bytes | None]


class MiniscriptDecodeError(MiniscriptError):
    """A Script is not the compilation of any valid top-level miniscript."""


class _Do(enum.Enum):
    SINGLE = "single"  # one B, K or V expression, not an and_v
    BKV = "bkv"  # one expression possibly followed by more, as and_v children
    W = "w"
    MAYBE_AND_V = "maybe_and_v"
    SWAP = "swap"
    ALT = "alt"
    WRAP = "wrap"
    PAIR = "pair"
    ANDOR = "andor"
    THRESH_W = "thresh_w"
    THRESH_E = "thresh_e"
    ENDIF = "endif"
    ENDIF_NOTIF = "endif_notif"
    ENDIF_ELSE = "endif_else"


def _minimal_push(op: int, data: bytes) -> bool:
    n = len(data)
    if n == 0:
        return op == OP_0
    if n == 1 and 1 <= data[0] <= 16:
        return False  # should have been OP_1..OP_16
    if n == 1 and data[0] == 0x81:
        return False  # should have been OP_1NEGATE
    if n <= 75:
        return op == n
    if n <= 255:
        return op == OP_PUSHDATA1
    return n <= 65535 and op == OP_PUSHDATA2


def _decompose(script: bytes) -> list[Op]:
    """Return the opcodes, last first, in the normalised form the decoder reads."""
    out: list[Op] = []
    try:
        ops = list(iter_script(script))
    except ScriptError as err:
        raise MiniscriptDecodeError(f"The Script is malformed: {err}.") from None
    for i, (op, data) in enumerate(ops):
        if OP_1 <= op <= OP_16:
            out.append((op, bytes([op - OP_1 + 1])))
        elif op in _SPLIT:
            out += [(_SPLIT[op], None), (OP_VERIFY, None)]
        elif data is not None:
            if not _minimal_push(op, data):
                raise MiniscriptDecodeError("The Script has a push that is not minimal.")
            out.append((op, data))
        else:
            nxt = ops[i + 1][0] if i + 1 < len(ops) else None
            if op in _SPLIT.values() and nxt == OP_VERIFY:
                raise MiniscriptDecodeError(
                    "The Script has a VERIFY that should have been folded into the opcode"
                    " before it."
                )
            out.append((op, None))
    out.reverse()
    return out


def _number(item: Op) -> int | None:
    """Return the number pushed by ``item`` (minimal CScriptNum, at most 4 bytes)."""
    op, data = item
    if op == OP_0:
        return 0
    if not data or op == OP_1NEGATE or len(data) > 4:
        return None
    if data[-1] & 0x7F == 0 and (len(data) == 1 or not data[-2] & 0x80):
        return None  # not minimally encoded
    value = int.from_bytes(data, "little")
    if data[-1] & 0x80:
        return -(value & ~(0x80 << (8 * (len(data) - 1))))
    return value


class _Decoder(Generic[K]):
    def __init__(
        self,
        ops: list[Op],
        context: Context,
        from_key: Callable[[bytes], K],
        from_key_hash: Callable[[bytes], K],
    ) -> None:
        self.ops = ops
        self.pos = 0
        self.context = context
        self.tap = context is Context.TAPSCRIPT
        self.from_key = from_key
        self.from_key_hash = from_key_hash
        self.built: list[Node[K]] = []

    def op(self, offset: int = 0) -> int:
        return self.ops[self.pos + offset][0]

    def left(self) -> int:
        return len(self.ops) - self.pos

    def node(
        self,
        fragment: Fragment,
        k: int = 0,
        keys: tuple[K, ...] = (),
        data: bytes = b"",
        subs: tuple[Node[K], ...] = (),
    ) -> Node[K]:
        return Node(fragment, self.context, k, keys, data, subs)

    def key(self, raw: bytes | None) -> K:
        if raw is None or len(raw) != (32 if self.tap else 33):
            raise MiniscriptDecodeError("The Script has a key of the wrong size for its context.")
        try:
            return self.from_key(raw)
        except ValueError as err:
            raise MiniscriptDecodeError(f"The Script has a key that is not valid: {err}") from None

    def run(self) -> Node[K]:
        todo: list[tuple[_Do, object, int]] = [(_Do.BKV, None, 0)]
        while todo:
            if len(todo) > 4 * MAX_DEPTH:
                raise MiniscriptDecodeError("The Script nests too deeply to decode.")
            what, arg, n = todo.pop()
            self.step(what, arg, n, todo)
        if len(self.built) != 1 or self.pos != len(self.ops):
            raise MiniscriptDecodeError("The Script is not one miniscript expression.")
        return self.built[0]

    def step(self, what: _Do, arg: object, n: int, todo: list[tuple[_Do, object, int]]) -> None:
        if what is _Do.SINGLE:
            self.single(todo)
        elif what is _Do.BKV:
            todo += [(_Do.MAYBE_AND_V, None, 0), (_Do.SINGLE, None, 0)]
        elif what is _Do.W:
            self.need(1)
            if self.op() == OP_FROMALTSTACK:
                self.pos += 1
                todo.append((_Do.ALT, None, 0))
            else:
                todo.append((_Do.SWAP, None, 0))
            todo.append((_Do.BKV, None, 0))
        elif what is _Do.MAYBE_AND_V:
            # These opcodes end no miniscript, so what comes before them is not an and_v child.
            stops = (OP_IF, OP_ELSE, OP_NOTIF, OP_TOALTSTACK, OP_SWAP)
            if self.left() and self.op() not in stops:
                todo += [(_Do.PAIR, "and_v", 0), (_Do.BKV, None, 0)]
        elif what in (_Do.SWAP, _Do.ALT):
            expected = OP_SWAP if what is _Do.SWAP else OP_TOALTSTACK
            self.need(1)
            if self.op() != expected or not self.built:
                raise MiniscriptDecodeError("The Script is not a miniscript (a W expression).")
            self.pos += 1
            wrapper = F.WRAP_S if what is _Do.SWAP else F.WRAP_A
            self.built[-1] = self.node(wrapper, subs=(self.built[-1],))
        elif what is _Do.WRAP:
            self.built[-1] = self.node(_WRAP[str(arg)], subs=(self.built[-1],))
        elif what is _Do.PAIR:
            x = self.built.pop()
            self.built[-1] = self.node(_PAIRS[str(arg)], subs=(x, self.built[-1]))
        elif what is _Do.ANDOR:
            x, z, y = self.built.pop(), self.built.pop(), self.built[-1]
            self.built[-1] = self.node(F.ANDOR, subs=(x, y, z))
        elif what is _Do.THRESH_W:
            self.need(1)
            if self.op() == OP_ADD:
                self.pos += 1
                todo += [(_Do.THRESH_W, arg, n + 1), (_Do.W, None, 0)]
            else:
                todo += [(_Do.THRESH_E, arg, n + 1), (_Do.SINGLE, None, 0)]
        elif what is _Do.THRESH_E:
            k = int(str(arg))
            if not 1 <= k <= n or len(self.built) < n:
                raise MiniscriptDecodeError("The Script has a thresh with a bad threshold.")
            subs = tuple(self.built.pop() for _ in range(n))
            self.built.append(self.node(F.THRESH, k=k, subs=subs))
        elif what is _Do.ENDIF:
            self.endif(todo)
        elif what is _Do.ENDIF_NOTIF:
            self.need(1)
            if self.op() == OP_IFDUP:
                self.pos += 1
                todo.append((_Do.PAIR, "or_d", 0))
            else:
                todo.append((_Do.PAIR, "or_c", 0))
            todo.append((_Do.SINGLE, None, 0))
        elif what is _Do.ENDIF_ELSE:
            self.need(1)
            if self.op() == OP_IF:
                self.pos += 1
                x = self.built.pop()
                self.built[-1] = self.node(F.OR_I, subs=(x, self.built[-1]))
            elif self.op() == OP_NOTIF:
                self.pos += 1
                todo += [(_Do.ANDOR, None, 0), (_Do.SINGLE, None, 0)]
            else:
                raise MiniscriptDecodeError("The Script has an OP_ELSE without its OP_IF.")

    def need(self, count: int) -> None:
        if self.left() < count:
            raise MiniscriptDecodeError("The Script ends in the middle of a miniscript fragment.")

    def endif(self, todo: list[tuple[_Do, object, int]]) -> None:
        self.need(1)
        op = self.op()
        if op == OP_ELSE:
            self.pos += 1
            todo += [(_Do.ENDIF_ELSE, None, 0), (_Do.BKV, None, 0)]
        elif op == OP_IF and self.left() >= 2 and self.op(1) == OP_DUP:
            self.pos += 2
            todo.append((_Do.WRAP, "dup_if", 0))
        elif (
            op == OP_IF
            and self.left() >= 3
            and self.op(1) == OP_0NOTEQUAL
            and self.op(2) == OP_SIZE
        ):
            self.pos += 3
            todo.append((_Do.WRAP, "non_zero", 0))
        elif op == OP_NOTIF:
            self.pos += 1
            todo.append((_Do.ENDIF_NOTIF, None, 0))
        else:
            raise MiniscriptDecodeError("The Script has an OP_ENDIF of no miniscript shape.")

    def single(self, todo: list[tuple[_Do, object, int]]) -> None:
        self.need(1)
        ops, p, left = self.ops, self.pos, self.left()
        op, data = ops[p]
        if op in (OP_1, OP_0):
            self.pos += 1
            self.built.append(self.node(F.JUST_1 if op == OP_1 else F.JUST_0))
            return
        if data is not None and len(data) in (32, 33):
            self.pos += 1
            self.built.append(self.node(F.PK_K, keys=(self.key(data),)))
            return
        if (
            left >= 5
            and op == OP_VERIFY
            and ops[p + 1][0] == OP_EQUAL
            and ops[p + 3][0] == OP_HASH160
            and ops[p + 4][0] == OP_DUP
            and len(ops[p + 2][1] or b"") == 20
        ):
            try:
                key = self.from_key_hash(ops[p + 2][1] or b"")
            except ValueError as err:
                raise MiniscriptDecodeError(f"The Script has an unknown key hash: {err}") from None
            self.pos += 5
            self.built.append(self.node(F.PK_H, keys=(key,)))
            return
        if left >= 2 and op in (OP_CSV, OP_CLTV):
            num = _number(ops[p + 1])
            if num is not None:
                if not 1 <= num <= 0x7FFFFFFF:
                    raise MiniscriptDecodeError("The Script has a timelock out of range.")
                self.pos += 2
                self.built.append(self.node(F.OLDER if op == OP_CSV else F.AFTER, k=num))
                return
        if (
            left >= 7
            and op == OP_EQUAL
            and ops[p + 3][0] == OP_VERIFY
            and ops[p + 4][0] == OP_EQUAL
            and _number(ops[p + 5]) == 32
            and ops[p + 6][0] == OP_SIZE
            and ops[p + 2][0] in _HASHES
        ):
            fragment, size = _HASHES[ops[p + 2][0]]
            digest = ops[p + 1][1]
            if digest is not None and len(digest) == size:
                self.pos += 7
                self.built.append(self.node(fragment, data=digest))
                return
        if left >= 3 and op == OP_CHECKMULTISIG:
            self.multi()
            return
        if left >= 4 and op == OP_NUMEQUAL:
            self.multi_a()
            return
        wrap = {OP_CHECKSIG: "check", OP_VERIFY: "verify", OP_0NOTEQUAL: "zero_notequal"}
        if op in wrap:
            self.pos += 1
            todo += [(_Do.WRAP, wrap[op], 0), (_Do.SINGLE, None, 0)]
            return
        if left >= 3 and op == OP_EQUAL:
            num = _number(ops[p + 1])
            if num is not None:
                if num < 1:
                    raise MiniscriptDecodeError("The Script has a thresh of 0.")
                self.pos += 2
                todo.append((_Do.THRESH_W, num, 0))
                return
        if op == OP_ENDIF:
            self.pos += 1
            todo += [(_Do.ENDIF, None, 0), (_Do.BKV, None, 0)]
            return
        if op in (OP_BOOLAND, OP_BOOLOR):
            self.pos += 1
            pair = "and_b" if op == OP_BOOLAND else "or_b"
            todo += [(_Do.PAIR, pair, 0), (_Do.SINGLE, None, 0), (_Do.W, None, 0)]
            return
        raise MiniscriptDecodeError(f"The Script has opcode 0x{op:02x} where no fragment fits.")

    def multi(self) -> None:
        if self.tap:
            raise MiniscriptDecodeError("OP_CHECKMULTISIG is not available in tapscript.")
        ops, p = self.ops, self.pos
        n = _number(ops[p + 1])
        if n is None or not 1 <= n <= MAX_MULTI_KEYS or self.left() < 3 + n:
            raise MiniscriptDecodeError("The Script has a multisig with a bad key count.")
        keys = [self.key(ops[p + 2 + i][1]) for i in range(n)]
        k = _number(ops[p + 2 + n])
        if k is None or not 1 <= k <= n:
            raise MiniscriptDecodeError("The Script has a multisig with a bad threshold.")
        self.pos += 3 + n
        self.built.append(self.node(F.MULTI, k=k, keys=tuple(reversed(keys))))

    def multi_a(self) -> None:
        if not self.tap:
            raise MiniscriptDecodeError("OP_NUMEQUAL key lists (multi_a) are tapscript only.")
        ops, p = self.ops, self.pos
        k = _number(ops[p + 1])
        if k is None or not 1 <= k <= MAX_MULTI_A_KEYS:
            raise MiniscriptDecodeError("The Script has a multi_a with a bad threshold.")
        keys: list[K] = []
        at = 2
        while True:
            if self.left() < at + 2 or ops[p + at][0] not in (OP_CHECKSIGADD, OP_CHECKSIG):
                raise MiniscriptDecodeError("The Script has an incomplete multi_a.")
            keys.append(self.key(ops[p + at + 1][1]))
            if len(keys) > MAX_MULTI_A_KEYS:
                raise MiniscriptDecodeError("The Script has a multi_a with too many keys.")
            if ops[p + at][0] == OP_CHECKSIG:
                break
            at += 2
        if len(keys) < k:
            raise MiniscriptDecodeError("The Script has a multi_a with a bad threshold.")
        self.pos += 2 + 2 * len(keys)
        self.built.append(self.node(F.MULTI_A, k=k, keys=tuple(reversed(keys))))


def decode(
    script: bytes,
    context: Context,
    from_key: Callable[[bytes], K],
    from_key_hash: Callable[[bytes], K],
) -> Miniscript[K]:
    """Return the miniscript whose Script is ``script`` (valid, type B; not checked for sanity).

    Args:
        script: a P2WSH witness script or a tapscript leaf.
        context: which of the two it is.
        from_key: the key for serialised key bytes (33 in P2WSH, 32 x-only in tapscript);
            a ``ValueError`` it raises makes the Script refused.
        from_key_hash: the key whose HASH160 is these 20 bytes (for ``pk_h``); raise
            ``ValueError`` for a hash of no known key.

    Raises:
        MiniscriptDecodeError: the Script is no miniscript, or not one of type B.
    """
    decoder: _Decoder[K] = _Decoder(_decompose(script), context, from_key, from_key_hash)
    try:
        node = decoder.run()
    except MiniscriptDecodeError:
        raise
    except (MiniscriptError, IndexError) as err:
        raise MiniscriptDecodeError(f"The Script is not a valid miniscript: {err}") from None
    if node.type.basic != "B":
        raise MiniscriptDecodeError("The Script is a miniscript expression, but not of type B.")
    if _depth(node) > MAX_DEPTH:
        raise MiniscriptDecodeError(f"The Script nests deeper than {MAX_DEPTH} expressions.")
    return Miniscript(node)


def _depth(root: Node[K]) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((sub, depth + 1) for sub in node.subs)
    return deepest
