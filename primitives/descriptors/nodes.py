"""The descriptor syntax tree: one frozen value per script expression.

Inside ``wsh()``, ``sh(wsh())`` and taproot leaves, an expression that is not one of the
descriptor fragments below is miniscript (BIP-379). It plugs in as a ``MiniscriptNode``
holding whatever the injected miniscript parser returned: anything satisfying the
``MiniscriptFragment`` protocol, keyed by the descriptor's own key expressions.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from primitives.descriptors.keys import KeyExpr

__all__ = [
    "AddrNode",
    "MiniscriptFragment",
    "MiniscriptNode",
    "MiniscriptParser",
    "MultiNode",
    "Node",
    "PkNode",
    "PkhNode",
    "RawNode",
    "RawTrNode",
    "ScriptContext",
    "ShNode",
    "TapBranch",
    "TapTree",
    "TrNode",
    "WpkhNode",
    "WshNode",
    "keys_of",
]


class ScriptContext(enum.Enum):
    """The script context a miniscript fragment is parsed for (BIP-379)."""

    P2WSH = "p2wsh"
    TAPSCRIPT = "tapscript"


class MiniscriptFragment(Protocol):
    """What descriptors ask of a parsed miniscript expression (``primitives.miniscript``)."""

    def keys(self) -> list[KeyExpr]:
        """Return the key expressions in the fragment, in order of appearance."""
        ...

    def script(self, key_bytes: Callable[[KeyExpr], bytes]) -> bytes:
        """Return the script, with each key rendered by ``key_bytes``."""
        ...

    def text(self, key_text: Callable[[KeyExpr], str]) -> str:
        """Return the canonical text, with each key written by ``key_text``."""
        ...


MiniscriptParser = Callable[[str, ScriptContext, Callable[[str], KeyExpr]], MiniscriptFragment]
"""Parse miniscript text for a context, reading keys with the given function.

Raises a ``ValueError`` (``primitives.miniscript.MiniscriptError``) for anything not sane.
"""


@dataclass(frozen=True, slots=True)
class PkNode:
    """``pk(KEY)``: ``<key> OP_CHECKSIG`` (BIP-381; x-only key in tapscript)."""

    key: KeyExpr


@dataclass(frozen=True, slots=True)
class PkhNode:
    """``pkh(KEY)``: P2PKH (BIP-381)."""

    key: KeyExpr


@dataclass(frozen=True, slots=True)
class WpkhNode:
    """``wpkh(KEY)``: P2WPKH (BIP-382)."""

    key: KeyExpr


@dataclass(frozen=True, slots=True)
class MultiNode:
    """``multi``/``sortedmulti`` (BIP-383), or ``multi_a``/``sortedmulti_a`` (BIP-387)."""

    threshold: int
    keys: tuple[KeyExpr, ...]
    sorted: bool
    tapscript: bool

    @property
    def name(self) -> str:
        """Return the function name."""
        return ("sorted" if self.sorted else "") + ("multi_a" if self.tapscript else "multi")


@dataclass(frozen=True, slots=True)
class MiniscriptNode:
    """A miniscript expression (BIP-379) inside ``wsh()`` or a taproot leaf.

    Equality is by canonical text: two fragments that print the same are the same policy.
    """

    canonical: str
    context: ScriptContext
    fragment: MiniscriptFragment = field(compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class ShNode:
    """``sh(SCRIPT)``: P2SH (BIP-381), top level only."""

    inner: Node


@dataclass(frozen=True, slots=True)
class WshNode:
    """``wsh(SCRIPT)``: P2WSH (BIP-382), top level or inside ``sh``."""

    inner: Node


@dataclass(frozen=True, slots=True)
class TapBranch:
    """``{A,B}`` in a taproot script tree (BIP-386)."""

    left: TapTree
    right: TapTree


@dataclass(frozen=True, slots=True)
class TrNode:
    """``tr(KEY)`` or ``tr(KEY,TREE)`` (BIP-386)."""

    internal: KeyExpr
    tree: TapTree | None


@dataclass(frozen=True, slots=True)
class RawTrNode:
    """``rawtr(KEY)``: a P2TR output with the key as the output key, untweaked (BIP-386)."""

    key: KeyExpr


@dataclass(frozen=True, slots=True)
class AddrNode:
    """``addr(ADDR)`` (BIP-385): the address as given and its script."""

    address: str
    script: bytes


@dataclass(frozen=True, slots=True)
class RawNode:
    """``raw(HEX)`` (BIP-385)."""

    script: bytes


Node = (
    PkNode
    | PkhNode
    | WpkhNode
    | MultiNode
    | MiniscriptNode
    | ShNode
    | WshNode
    | TrNode
    | RawTrNode
    | AddrNode
    | RawNode
)
"""Any script expression."""

TapTree = TapBranch | PkNode | PkhNode | MultiNode | MiniscriptNode
"""A taproot script tree: a branch or a leaf script."""


def keys_of(node: Node | TapTree) -> list[KeyExpr]:
    """Return the key expressions of a tree in order of first appearance (with repeats)."""
    match node:
        case PkNode(key) | PkhNode(key) | WpkhNode(key) | RawTrNode(key):
            return [key]
        case MultiNode(keys=keys):
            return list(keys)
        case MiniscriptNode(fragment=fragment):
            return list(fragment.keys())
        case ShNode(inner) | WshNode(inner):
            return keys_of(inner)
        case TrNode(internal, tree):
            return [internal, *(keys_of(tree) if tree is not None else [])]
        case TapBranch(left, right):
            return keys_of(left) + keys_of(right)
        case _:
            return []
