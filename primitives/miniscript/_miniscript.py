"""The ``Miniscript`` value, ``parse``, and BIP-379's sanity rules.

A sane miniscript (BIP-379, "Security properties"; Bitcoin Core's ``IsSane``) is of type B
at the top, needs a signature on every spending path (s), cannot be satisfied in a way a third
party could change (m), never needs a height lock and a time lock on one path (k), uses each
key once, and stays within the consensus and standardness limits of its context: 3600 bytes,
201 opcodes and 100 witness elements in P2WSH; 1000 stack elements during execution, and a
size that leaves room for the largest witness in a standard transaction, in tapscript.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic

from primitives.miniscript._node import K, Node
from primitives.miniscript._script import node_script
from primitives.miniscript._text import node_text, parse_node
from primitives.miniscript._types import Context, InsaneMiniscript, Type
from primitives.tx import write_compact_size

__all__ = ["Miniscript", "insanity", "parse"]

MAX_STANDARD_P2WSH_SCRIPT_SIZE = 3600
MAX_OPS_PER_SCRIPT = 201
MAX_STANDARD_P2WSH_STACK_ITEMS = 100
MAX_STACK_SIZE = 1000
# Core's MaxScriptSize(TAPSCRIPT): a standard transaction's weight (400000) less one input and
# one output's worth (378) less the largest tapscript witness (70135), less its size prefix.
MAX_TAPSCRIPT_SIZE = 400_000 - 378 - 70_135 - 5


@dataclass(frozen=True, slots=True)
class Miniscript(Generic[K]):
    """A parsed, type-checked miniscript over keys of type ``K`` (immutable).

    Build one with ``parse``. Two are equal when their trees and contexts are.
    """

    node: Node[K]

    @property
    def context(self) -> Context:
        """Return where this miniscript is spent (P2WSH or a tapscript leaf)."""
        return self.node.context

    @property
    def type(self) -> Type:
        """Return the BIP-379 type of the whole expression (``str()`` gives its letters)."""
        return self.node.type

    def keys(self) -> list[K]:
        """Return every key, in order of appearance in the text."""
        out: list[K] = []
        stack = [self.node]
        while stack:
            node = stack.pop()
            out.extend(node.keys)
            stack.extend(reversed(node.subs))
        return out

    def script(self, key_bytes: Callable[[K], bytes]) -> bytes:
        """Return the Script (the P2WSH witness script or the tapscript leaf).

        Args:
            key_bytes: the serialised key: 33 bytes in P2WSH, 32 x-only bytes in tapscript;
                ``pk_h`` hashes these bytes with HASH160.

        Raises:
            MiniscriptError: a key of the wrong length for the context.
        """
        return node_script(self.node, key_bytes)

    def text(self, key_text: Callable[[K], str]) -> str:
        """Return the canonical text (sugar such as ``pk``, ``pkh``, ``t:``, ``and_n``)."""
        return node_text(self.node, key_text)

    @property
    def script_size(self) -> int:
        """Return the length of the Script in bytes."""
        return self.node.script_len

    @property
    def max_satisfaction_size(self) -> int | None:
        """Return the largest non-malleable satisfaction in bytes, ``None`` if unsatisfiable.

        Counts every witness element with its length prefix, but not the count of elements,
        the witness script, nor (tapscript) the control block: add those for the input's
        witness. Signatures are counted at their largest (73 bytes ECDSA, 65 Schnorr).
        """
        return self.node.max_witness_size

    def max_input_witness_size(self, control_block_size: int = 0) -> int | None:
        """Return the largest whole witness of an input spending this, in bytes (weight units).

        That is the element count, the satisfaction, the script with its length, and in
        tapscript the control block with its length: what fee estimation adds per input.

        Args:
            control_block_size: the tapscript leaf's control block, 33 + 32 per level of
                the tree (BIP-341); ignored in P2WSH.
        """
        sat, elements = self.max_satisfaction_size, self.max_satisfaction_elements
        if sat is None or elements is None:
            return None
        extra = [self.script_size]
        if self.context is Context.TAPSCRIPT:
            extra.append(control_block_size)
        total = len(write_compact_size(elements + len(extra))) + sat
        return total + sum(len(write_compact_size(n)) + n for n in extra)

    @property
    def max_satisfaction_elements(self) -> int | None:
        """Return the most witness elements a satisfaction pushes (script excluded)."""
        return self.node.stack_size

    @property
    def ops(self) -> int | None:
        """Return the opcodes counted against P2WSH's limit of 201, worst case."""
        return self.node.ops

    @property
    def exec_stack_size(self) -> int | None:
        """Return the largest stack a satisfaction reaches while the script runs."""
        return self.node.exec_stack_size

    @property
    def is_sane(self) -> bool:
        """Whether BIP-379's sanity rules all hold (see ``insanity``)."""
        return insanity(self) is None


def parse(
    text: str,
    context: Context,
    parse_key: Callable[[str], K],
    *,
    sane: bool = True,
) -> Miniscript[K]:
    """Parse and type-check a miniscript, refusing one that is not sane.

    Args:
        text: the expression, for example ``or_d(pk(A),and_v(v:pkh(B),older(52560)))``.
        context: P2WSH or TAPSCRIPT: decides ``multi`` against ``multi_a``, key sizes, limits.
        parse_key: turns a key argument's text into a key; a ``ValueError`` it raises is
            reported as a bad key.
        sane: refuse what is not sane (the default). ``False`` accepts any valid expression
            of any basic type: for tests and analysis, never for receiving money.

    Raises:
        MiniscriptSyntaxError: the text is not a miniscript expression.
        MiniscriptTypeError: an expression's arguments are not of the types it needs.
        InsaneMiniscript: valid but not sane; ``fragment`` and ``reason`` say where and why.
    """
    written: dict[K, str] = {}

    def read_key(raw: str) -> K:
        key = parse_key(raw)
        written.setdefault(key, raw)
        return key

    ms = Miniscript(parse_node(text.strip(), context, read_key))
    if sane:
        problem = insanity(ms, lambda key: written.get(key, str(key)))
        if problem is not None:
            raise problem
    return ms


def _fragment_text(node: Node[K], key_text: Callable[[K], str]) -> str:
    text = node_text(node, key_text)
    return text if len(text) <= 80 else text[:77] + "..."


def _sub_problem(node: Node[K]) -> tuple[str, str] | None:
    """Return (reason, message) if this node itself breaks a subexpression rule."""
    ctx = node.context
    tap = ctx is Context.TAPSCRIPT
    limit = MAX_TAPSCRIPT_SIZE if tap else MAX_STANDARD_P2WSH_SCRIPT_SIZE
    if node.script_len > limit:
        return "resource-limit", f"its script of {node.script_len} bytes exceeds {limit}"
    ops, stack, exec_stack = node.ops, node.stack_size, node.exec_stack_size
    if not tap and ops is not None and ops > MAX_OPS_PER_SCRIPT:
        return "resource-limit", f"it executes {ops} opcodes, more than {MAX_OPS_PER_SCRIPT}"
    if not tap and stack is not None and stack > MAX_STANDARD_P2WSH_STACK_ITEMS:
        return "resource-limit", (
            f"it needs {stack} witness elements, more than {MAX_STANDARD_P2WSH_STACK_ITEMS}"
        )
    if tap and exec_stack is not None and exec_stack > MAX_STACK_SIZE:
        return "resource-limit", f"its stack reaches {exec_stack} elements, more than 1000"
    if not node.type.has("m"):
        return "malleable", "a third party could change its witness (it is malleable)"
    if not node.type.has("k"):
        return "timelock-mix", "one of its spending paths needs both a height and a time lock"
    return None


def insanity(ms: Miniscript[K], key_text: Callable[[K], str] = str) -> InsaneMiniscript | None:
    """Return why ``ms`` is not sane, for its smallest offending part, or ``None``.

    The deepest offending sub-expression is named (as Core's ``FindInsaneSub``): a leaf
    problem is easier to fix than the whole tree it spoils.

    Args:
        ms: the miniscript to check.
        key_text: how keys are written in the message (``parse`` uses the text it read).
    """
    found: list[InsaneMiniscript] = []

    def visit(node: Node[K]) -> list[K]:
        keys: list[K] = list(node.keys)
        for sub in node.subs:
            keys.extend(visit(sub))
            if found:
                return keys
        problem = _sub_problem(node)
        if problem is None and len(set(keys)) != len(keys):
            problem = ("duplicate-key", "it uses the same key twice")
        if problem is not None:
            text = _fragment_text(node, key_text)
            found.append(
                InsaneMiniscript(
                    f"The miniscript is not safe to use: in {text}, {problem[1]}.",
                    text,
                    problem[0],
                )
            )
        return keys

    visit(ms.node)
    if found:
        return found[0]
    if ms.node.type.basic != "B":
        text = _fragment_text(ms.node, key_text)
        return InsaneMiniscript(
            f"A miniscript must be of type B at the top; {text} is of type {ms.node.type}.",
            text,
            "not-top-level",
        )
    if not ms.node.type.has("s"):
        text = _fragment_text(ms.node, key_text)
        return InsaneMiniscript(
            f"The miniscript is not safe to use: {text} can be spent without a signature.",
            text,
            "no-signature",
        )
    return None
