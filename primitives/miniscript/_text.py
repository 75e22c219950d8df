"""Miniscript text: parse BIP-379 expressions into ``Node`` trees, and print them back.

The printed form is canonical as Bitcoin Core prints it: ``c:pk_k(K)`` is ``pk(K)``,
``c:pk_h(K)`` is ``pkh(K)``, ``and_v(X,1)`` is ``t:X``, ``or_i(0,X)`` is ``l:X``,
``or_i(X,0)`` is ``u:X`` and ``andor(X,Y,0)`` is ``and_n(X,Y)``; wrappers are written as one
run of letters before a single colon.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic

from primitives.miniscript._node import HASH_FRAGMENTS, WRAPPERS, K, Node
from primitives.miniscript._types import (
    Context,
    Fragment,
    MiniscriptError,
    MiniscriptSyntaxError,
    MiniscriptTypeError,
)

__all__ = ["MAX_DEPTH", "node_text", "parse_node"]

F = Fragment
MAX_DEPTH = 400  # nested nodes; Python's recursion limit is the reason, not BIP-379
MAX_MULTI_KEYS = 20  # MAX_PUBKEYS_PER_MULTISIG
MAX_MULTI_A_KEYS = 999  # MAX_PUBKEYS_PER_MULTI_A (BIP-342 stack limit)
_MAX_LOCK = 2**31  # older/after take 1 .. 2^31 - 1 (BIP-379, "Type system" table)
_WRAPPER_LETTERS = frozenset("asctdvjnlu")
_BY_LETTER = {w.value: w for w in WRAPPERS}
_HASH_SIZE = {F.SHA256: 32, F.HASH256: 32, F.RIPEMD160: 20, F.HASH160: 20}
_NAMES = {f.value: f for f in Fragment if f not in WRAPPERS}


def parse_node(text: str, context: Context, parse_key: Callable[[str], K]) -> Node[K]:
    """Parse the whole of ``text`` into a typed tree (validity, not yet sanity).

    Raises:
        MiniscriptSyntaxError: malformed text, an unknown fragment, a bad number, hash or key.
        MiniscriptTypeError: a fragment's arguments are not of the types it needs.
    """
    parser: _Parser[K] = _Parser(text, context, parse_key)
    node = parser.expr(0)
    if parser.pos != len(text):
        raise MiniscriptSyntaxError(
            f"Unexpected {text[parser.pos :]!r} after a complete miniscript expression."
        )
    return node


class _Parser(Generic[K]):
    def __init__(self, text: str, context: Context, parse_key: Callable[[str], K]) -> None:
        self.text = text
        self.pos = 0
        self.context = context
        self.parse_key = parse_key

    def _word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (
            self.text[self.pos].isalnum() or self.text[self.pos] == "_"
        ):
            self.pos += 1
        return self.text[start : self.pos]

    def _expect(self, char: str) -> None:
        if self.pos >= len(self.text) or self.text[self.pos] != char:
            found = repr(self.text[self.pos]) if self.pos < len(self.text) else "the end"
            raise MiniscriptSyntaxError(
                f"Expected {char!r} at position {self.pos} of the miniscript, found {found}."
            )
        self.pos += 1

    def _arg(self, nested: bool = False) -> str:
        """Return the raw text of a key, number or hash argument (up to ',' or ')').

        With ``nested``, balanced parentheses belong to the argument: a key expression such
        as BIP-390's ``musig(A,B)/<0;1>/*`` is handed whole to ``parse_key``.
        """
        start, depth = self.pos, 0
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "(":
                if not nested:
                    raise MiniscriptSyntaxError(
                        f"Expected a key, number or hash at position {start}, found an expression."
                    )
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            elif char == "," and depth == 0:
                break
            self.pos += 1
        return self.text[start : self.pos]

    def _number(self, fragment: str) -> int:
        raw = self._arg()
        if not raw.isdigit() or not raw.isascii():
            raise MiniscriptSyntaxError(f"{fragment} needs a decimal number, not {raw!r}.")
        return int(raw)

    def _key(self, fragment: str) -> K:
        raw = self._arg(nested=True)
        if not raw:
            raise MiniscriptSyntaxError(f"{fragment} is missing a key.")
        try:
            return self.parse_key(raw)
        except MiniscriptError:
            raise
        except ValueError as err:
            raise MiniscriptSyntaxError(f"{fragment} has a key that is not valid: {err}") from err

    def _node(
        self,
        fragment: Fragment,
        depth: int,
        *,
        k: int = 0,
        keys: tuple[K, ...] = (),
        data: bytes = b"",
        subs: tuple[Node[K], ...] = (),
    ) -> Node[K]:
        if depth > MAX_DEPTH:
            raise MiniscriptSyntaxError(
                f"The miniscript nests deeper than {MAX_DEPTH} expressions."
            )
        return Node(fragment, self.context, k, keys, data, subs)

    def expr(self, depth: int) -> Node[K]:
        start = self.pos
        name = self._word()
        if self.pos < len(self.text) and self.text[self.pos] == ":":
            if not name or not set(name) <= _WRAPPER_LETTERS:
                raise MiniscriptSyntaxError(f"{name!r} is not a run of miniscript wrappers.")
            self.pos += 1
            node = self.expr(depth + len(name))
            for letter in reversed(name):
                node = self._wrap(letter, node, depth, start)
            return node
        return self._fragment(name, depth, start)

    def _wrap(self, letter: str, x: Node[K], depth: int, start: int) -> Node[K]:
        try:
            if letter == "t":
                return self._node(F.AND_V, depth, subs=(x, self._node(F.JUST_1, depth)))
            if letter == "l":
                return self._node(F.OR_I, depth, subs=(self._node(F.JUST_0, depth), x))
            if letter == "u":
                return self._node(F.OR_I, depth, subs=(x, self._node(F.JUST_0, depth)))
            return self._node(_BY_LETTER[letter], depth, subs=(x,))
        except MiniscriptTypeError as err:
            raise MiniscriptTypeError(f"In {self._excerpt(start)}: {err}") from None

    def _excerpt(self, start: int) -> str:
        """Return the text of the expression that starts at ``start`` (shortened if long)."""
        depth, end = 0, start
        while end < len(self.text):
            char = self.text[end]
            end += 1
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth <= 0:
                    break
            elif char == "," and depth == 0:
                end -= 1
                break
        text = self.text[start:end]
        return text if len(text) <= 80 else text[:77] + "..."

    def _fragment(self, name: str, depth: int, start: int) -> Node[K]:
        if name in ("0", "1"):
            return self._node(F.JUST_0 if name == "0" else F.JUST_1, depth)
        sugar = name in ("pk", "pkh", "and_n")
        fragment = _NAMES.get(name)
        if (fragment is None or fragment in (F.JUST_0, F.JUST_1)) and not sugar:
            raise MiniscriptSyntaxError(f"{name!r} is not a miniscript fragment.")
        self._expect("(")
        try:
            node = self._body(name, fragment, depth)
        except MiniscriptTypeError as err:
            if str(err).startswith("In "):
                raise
            raise MiniscriptTypeError(f"In {self._excerpt(start)}: {err}") from None
        self._expect(")")
        return node

    def _body(self, name: str, fragment: Fragment | None, depth: int) -> Node[K]:
        if name in ("pk", "pkh"):
            inner = self._node(
                F.PK_K if name == "pk" else F.PK_H, depth + 1, keys=(self._key(name),)
            )
            return self._node(F.WRAP_C, depth, subs=(inner,))
        if name == "and_n":
            x = self.expr(depth + 1)
            self._expect(",")
            y = self.expr(depth + 1)
            return self._node(F.ANDOR, depth, subs=(x, y, self._node(F.JUST_0, depth + 1)))
        assert fragment is not None  # noqa: S101 - sugar names were handled above
        if fragment in (F.PK_K, F.PK_H):
            return self._node(fragment, depth, keys=(self._key(name),))
        if fragment in (F.OLDER, F.AFTER):
            n = self._number(name)
            if not 1 <= n < _MAX_LOCK:
                raise MiniscriptSyntaxError(f"{name}({n}) is out of range: it takes 1 to 2^31-1.")
            return self._node(fragment, depth, k=n)
        if fragment in HASH_FRAGMENTS:
            raw = self._arg()
            size = _HASH_SIZE[fragment]
            try:
                digest = bytes.fromhex(raw)
            except ValueError:
                digest = b""
            if len(digest) != size or len(raw) != 2 * size:
                raise MiniscriptSyntaxError(f"{name} needs {size} bytes of hex, not {raw!r}.")
            return self._node(fragment, depth, data=digest)
        if fragment in (F.MULTI, F.MULTI_A):
            return self._multi(name, fragment, depth)
        if fragment is F.THRESH:
            k = self._number(name)
            subs: list[Node[K]] = []
            while self.pos < len(self.text) and self.text[self.pos] == ",":
                self.pos += 1
                subs.append(self.expr(depth + 1))
            if not 1 <= k <= len(subs):
                raise MiniscriptSyntaxError(
                    f"thresh({k},...) needs a threshold between 1 and its {len(subs)} arguments."
                )
            return self._node(fragment, depth, k=k, subs=tuple(subs))
        count = 3 if fragment is F.ANDOR else 2
        args = [self.expr(depth + 1)]
        for _ in range(count - 1):
            self._expect(",")
            args.append(self.expr(depth + 1))
        return self._node(fragment, depth, subs=tuple(args))

    def _multi(self, name: str, fragment: Fragment, depth: int) -> Node[K]:
        tap = self.context is Context.TAPSCRIPT
        if (fragment is F.MULTI) == tap:
            where = "tapscript" if tap else "P2WSH"
            other = "multi_a" if tap else "multi"
            raise MiniscriptSyntaxError(f"{name} is not available in {where}; use {other}.")
        k = self._number(name)
        keys: list[K] = []
        while self.pos < len(self.text) and self.text[self.pos] == ",":
            self.pos += 1
            keys.append(self._key(name))
        limit = MAX_MULTI_A_KEYS if tap else MAX_MULTI_KEYS
        if not 1 <= k <= len(keys) <= limit:
            raise MiniscriptSyntaxError(
                f"{name}({k},...) with {len(keys)} keys is not valid: it takes 1 to {limit}"
                " keys and a threshold between 1 and the number of keys."
            )
        return self._node(fragment, depth, k=k, keys=tuple(keys))


def node_text(node: Node[K], key_text: Callable[[K], str], wrapped: bool = False) -> str:
    """Return the canonical text of ``node`` (Core's ``Node::ToString``)."""
    f, s = node.fragment, node.subs
    colon = ":" if wrapped else ""
    if f is F.WRAP_C and s[0].fragment in (F.PK_K, F.PK_H):
        sugar = "pk" if s[0].fragment is F.PK_K else "pkh"
        return f"{colon}{sugar}({key_text(s[0].keys[0])})"
    if f in WRAPPERS:
        return str(f.value) + node_text(s[0], key_text, True)
    if f is F.AND_V and s[1].fragment is F.JUST_1:
        return "t" + node_text(s[0], key_text, True)
    if f is F.OR_I and s[0].fragment is F.JUST_0:
        return "l" + node_text(s[1], key_text, True)
    if f is F.OR_I and s[1].fragment is F.JUST_0:
        return "u" + node_text(s[0], key_text, True)
    if f in (F.JUST_0, F.JUST_1):
        return colon + str(f.value)
    if f in (F.PK_K, F.PK_H):
        return f"{colon}{f.value}({key_text(node.keys[0])})"
    if f in (F.OLDER, F.AFTER):
        return f"{colon}{f.value}({node.k})"
    if f in HASH_FRAGMENTS:
        return f"{colon}{f.value}({node.data.hex()})"
    if f in (F.MULTI, F.MULTI_A):
        return f"{colon}{f.value}({node.k}," + ",".join(key_text(k) for k in node.keys) + ")"
    args = [node_text(sub, key_text) for sub in s]
    if f is F.THRESH:
        return f"{colon}thresh({node.k}," + ",".join(args) + ")"
    if f is F.ANDOR and s[2].fragment is F.JUST_0:
        return f"{colon}and_n({args[0]},{args[1]})"
    return f"{colon}{f.value}(" + ",".join(args) + ")"
