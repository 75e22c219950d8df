"""Parse descriptor text into the syntax tree, with the context rules of BIP-380..387.

A recursive descent over the text that keeps every fragment's character position, so each
error names where it is. Context rules (Bitcoin Core's ``ParseScript``): ``sh`` at the top
only; ``wsh`` at the top or in ``sh``; ``wpkh`` not inside ``wsh`` or taproot; uncompressed
keys nowhere in segwit; ``multi_a``/``sortedmulti_a`` only in taproot leaves and
``multi``/``sortedmulti`` never there; ``tr``, ``rawtr``, ``addr`` and ``raw`` at the top only;
bare ``multi`` with at most 3 keys, ``sh(multi)`` within the 520-byte P2SH limit,
``wsh(multi)`` at most 20 keys, ``multi_a`` at most 999; taproot trees at most 128 deep.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from primitives.descriptors.errors import (
    ContextError,
    DescriptorError,
    DescriptorSyntaxError,
    DuplicateKeyError,
    MultipathError,
    UnknownFunctionError,
)
from primitives.descriptors.keys import (
    BITCOIN_MAINNET_XPUBS,
    ConstKey,
    KeyContext,
    KeyExpr,
    parse_key,
)
from primitives.descriptors.nodes import (
    AddrNode,
    MiniscriptFragment,
    MiniscriptNode,
    MiniscriptParser,
    MultiNode,
    Node,
    PkhNode,
    PkNode,
    RawNode,
    RawTrNode,
    ScriptContext,
    ShNode,
    TapBranch,
    TapTree,
    TrNode,
    WpkhNode,
    WshNode,
    keys_of,
)
from primitives.miniscript import Context
from primitives.miniscript import parse as parse_miniscript
from primitives.script import AddressError, AddressFormat, address_to_script

__all__ = ["ParseOptions", "parse_node"]

_MAX_TAPROOT_DEPTH = 128  # TAPROOT_CONTROL_MAX_NODE_COUNT (BIP-341)
_MAX_NESTING = 200
_MAX_P2SH_SCRIPT = 520  # MAX_SCRIPT_ELEMENT_SIZE: a redeem script is one push
_OWN = frozenset(
    {"pk", "pkh", "wpkh", "sh", "wsh", "multi", "sortedmulti", "multi_a", "sortedmulti_a"}
    | {"tr", "rawtr", "addr", "raw", "combo"}
)


class _Where(enum.Enum):
    TOP = "top"
    SH = "sh"
    WSH = "wsh"
    TAP = "tap"


_KEY_CONTEXT = {
    _Where.TOP: KeyContext.LEGACY,
    _Where.SH: KeyContext.LEGACY,
    _Where.WSH: KeyContext.SEGWIT_V0,
    _Where.TAP: KeyContext.TAPROOT,
}


def read_miniscript(
    text: str, context: ScriptContext, parse_key: Callable[[str], KeyExpr]
) -> MiniscriptFragment:
    """Read ``text`` as miniscript (BIP-379) with ``primitives.miniscript``, sane only."""
    return parse_miniscript(text, Context[context.name], parse_key)


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """What parsing needs beyond the text.

    Attributes:
        xpub_versions: the extended public key versions the network accepts (see
            ``BITCOIN_MAINNET_XPUBS`` and its siblings); keys of others are refused.
        address_format: the network's address parameters, for ``addr()``; without them
            ``addr()`` is refused.
        miniscript: the miniscript parser for everything inside ``wsh()`` and taproot leaves
            that is not a descriptor fragment (``read_miniscript`` by default); with ``None``
            such text is refused.
        require_checksum: refuse a descriptor without ``#checksum``.
    """

    xpub_versions: frozenset[int] = BITCOIN_MAINNET_XPUBS
    address_format: AddressFormat | None = None
    miniscript: MiniscriptParser | None = read_miniscript
    require_checksum: bool = False


def _split_call(text: str, offset: int) -> tuple[str, str, int]:
    """Split ``name(args)``: return the name, the argument text and its offset."""
    open_at = text.find("(")
    if open_at <= 0:
        raise DescriptorSyntaxError(
            f"Expected a script expression such as wpkh(...) at {offset}.", offset
        )
    depth = 0
    for i in range(open_at, len(text)):
        ch = text[i]
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
            if depth == 0:
                if i != len(text) - 1:
                    raise DescriptorSyntaxError(
                        f"Unexpected characters after the expression at {offset + i + 1}.",
                        offset + i + 1,
                    )
                return text[:open_at], text[open_at + 1 : i], offset + open_at + 1
            if depth < 0:
                break
    raise DescriptorSyntaxError(
        f"Unbalanced brackets in the expression starting at {offset}.", offset
    )


def _split_args(text: str, offset: int) -> list[tuple[str, int]]:
    """Split on commas outside brackets; return each argument with its offset."""
    args: list[tuple[str, int]] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth -= 1
            if depth < 0:
                raise DescriptorSyntaxError(f"Unbalanced brackets at {offset + i}.", offset + i)
        elif ch == "," and depth == 0:
            args.append((text[start:i], offset + start))
            start = i + 1
    if depth:
        raise DescriptorSyntaxError(f"Unbalanced brackets at {offset}.", offset)
    args.append((text[start:], offset + start))
    return args


def _one_arg(name: str, args: str, offset: int) -> None:
    if not args:
        raise DescriptorSyntaxError(f"{name}() at {offset} needs an argument.", offset)
    if len(_split_args(args, offset)) != 1:
        raise DescriptorSyntaxError(f"{name}() at {offset} takes exactly one argument.", offset)


class _Parser:
    def __init__(self, options: ParseOptions) -> None:
        self._options = options

    def key(self, text: str, offset: int, where: _Where, musig: bool = False) -> KeyExpr:
        if "(" in text and not text.startswith("musig("):
            raise ContextError(
                f"A key was expected at {offset}, but this is a script expression.", offset
            )
        # BIP-390: musig() is a key of tr(), rawtr() and of taproot leaves, nowhere else.
        return parse_key(
            text,
            offset,
            _KEY_CONTEXT[where],
            self._options.xpub_versions,
            allow_musig=musig or where is _Where.TAP,
        )

    def node(self, text: str, offset: int, where: _Where, depth: int) -> Node:
        if depth > _MAX_NESTING:
            raise DescriptorSyntaxError(f"The descriptor nests too deep at {offset}.", offset)
        if not text:
            raise DescriptorSyntaxError(f"A script expression is missing at {offset}.", offset)
        name = text[: text.find("(")] if "(" in text else ""
        if name == "musig":
            raise ContextError(
                f"musig() at {offset} is a key expression, allowed only in tr() (BIP-390).",
                offset,
            )
        if name not in _OWN:
            return self._foreign(text, offset, where)
        name, args, args_offset = _split_call(text, offset)
        handlers = {
            "pk": self._pk,
            "pkh": self._pkh,
            "wpkh": self._wpkh,
            "sh": self._sh,
            "wsh": self._wsh,
            "multi": self._multi,
            "sortedmulti": self._sortedmulti,
            "multi_a": self._multi_a,
            "sortedmulti_a": self._sortedmulti_a,
            "tr": self._tr,
            "rawtr": self._rawtr,
            "addr": self._addr,
            "raw": self._raw,
            "combo": self._combo,
        }
        return handlers[name](args, args_offset, where, depth)

    def _foreign(self, text: str, offset: int, where: _Where) -> Node:
        parse = self._options.miniscript
        if where in (_Where.WSH, _Where.TAP) and parse is not None:
            context = ScriptContext.P2WSH if where is _Where.WSH else ScriptContext.TAPSCRIPT

            def read_key(key_text: str) -> KeyExpr:
                at = offset + max(text.find(key_text), 0)
                return self.key(key_text, at, where)

            try:
                fragment = parse(text, context, read_key)
            except DescriptorError:
                raise
            except ValueError as err:  # MiniscriptError: its text holds no key material
                raise DescriptorSyntaxError(
                    f"Invalid miniscript at {offset}: {err}", offset
                ) from None
            return MiniscriptNode(fragment.text(lambda k: k.text()), context, fragment)
        if "(" not in text and where is _Where.TOP:
            raise DescriptorSyntaxError(
                f"Expected a script expression such as wpkh(...) at {offset}.", offset
            )
        name = text.split("(", 1)[0]
        if where in (_Where.WSH, _Where.TAP):
            raise UnknownFunctionError(
                f"{name or 'This'} at {offset} is not a descriptor fragment, and miniscript "
                "is not available to read it.",
                offset,
            )
        raise UnknownFunctionError(
            f"Unknown or misplaced function {name or text!r} at {offset}.", offset
        )

    def _pk(self, args: str, offset: int, where: _Where, depth: int) -> Node:
        _one_arg("pk", args, offset)
        return PkNode(self.key(args, offset, where))

    def _pkh(self, args: str, offset: int, where: _Where, depth: int) -> Node:
        _one_arg("pkh", args, offset)
        return PkhNode(self.key(args, offset, where))

    def _wpkh(self, args: str, offset: int, where: _Where, depth: int) -> Node:
        if where not in (_Where.TOP, _Where.SH):
            raise ContextError(
                f"wpkh() at {offset - 5} is only allowed at the top or inside sh().", offset - 5
            )
        _one_arg("wpkh", args, offset)
        return WpkhNode(self.key(args, offset, _Where.WSH))

    def _sh(self, args: str, offset: int, where: _Where, depth: int) -> Node:
        if where is not _Where.TOP:
            raise ContextError(f"sh() at {offset - 3} is only allowed at the top.", offset - 3)
        _one_arg("sh", args, offset)
        inner = self.node(args, offset, _Where.SH, depth + 1)
        if isinstance(inner, (ShNode, TrNode, RawTrNode, AddrNode, RawNode)):
            raise ContextError(f"sh() at {offset - 3} cannot hold this expression.", offset)
        return ShNode(inner)

    def _wsh(self, args: str, offset: int, where: _Where, depth: int) -> Node:
        if where not in (_Where.TOP, _Where.SH):
            raise ContextError(
                f"wsh() at {offset - 4} is only allowed at the top or inside sh().", offset - 4
            )
        _one_arg("wsh", args, offset)
        return WshNode(self.node(args, offset, _Where.WSH, depth + 1))

    def _multi(self, args: str, offset: int, where: _Where, depth: int) -> Node:
        return self._multisig(args, offset, where, sort=False, tapscript=False)

    def _sortedmulti(self, args: str, offset: int, where: _Where, depth: int) -> Node:
        return self._multisig(args, offset, where, sort=True, tapscript=False)

    def _multi_a(self, args: str, offset: int, where: _Where, depth: int) -> Node:
        return self._multisig(args, offset, where, sort=False, tapscript=True)

    def _sortedmulti_a(self, args: str, offset: int, where: _Where, depth: int) -> Node:
        return self._multisig(args, offset, where, sort=True, tapscript=True)

    def _multisig(self, args: str, offset: int, where: _Where, sort: bool, tapscript: bool) -> Node:
        name = ("sorted" if sort else "") + ("multi_a" if tapscript else "multi")
        if tapscript and where is not _Where.TAP:
            raise ContextError(f"{name}() at {offset} is only allowed in tr() leaves.", offset)
        if not tapscript and where is _Where.TAP:
            raise ContextError(
                f"{name}() at {offset} is not allowed in tapscript: use {name}_a().", offset
            )
        parts = _split_args(args, offset)
        threshold_text, threshold_at = parts[0]
        if not threshold_text.isdigit() or len(threshold_text) > 10:
            raise DescriptorSyntaxError(
                f"The threshold of {name}() at {threshold_at} is not a number.", threshold_at
            )
        keys = tuple(self.key(text, at, where) for text, at in parts[1:])
        threshold = int(threshold_text)
        if not keys:
            raise DescriptorSyntaxError(f"{name}() at {offset} has no keys.", offset)
        if not 1 <= threshold <= len(keys):
            raise DescriptorSyntaxError(
                f"The threshold of {name}() at {threshold_at} must be between 1 and the "
                f"number of keys ({len(keys)}).",
                threshold_at,
            )
        limit = {_Where.TOP: 3, _Where.WSH: 20, _Where.TAP: 999, _Where.SH: 20}[where]
        if len(keys) > limit:
            raise ContextError(
                f"{name}() at {offset} has {len(keys)} keys; at most {limit} are allowed here.",
                offset,
            )
        if where is _Where.SH:
            size = 3 + sum(66 if isinstance(k, ConstKey) and len(k.key) == 65 else 34 for k in keys)
            if size > _MAX_P2SH_SCRIPT:
                raise ContextError(
                    f"The P2SH script of {name}() at {offset} would be {size} bytes, more "
                    f"than {_MAX_P2SH_SCRIPT}.",
                    offset,
                )
        texts = [k.text() for k in keys]
        for i, text in enumerate(texts):
            if text in texts[:i]:
                at = parts[i + 1][1]
                raise DuplicateKeyError(f"{name}() repeats a key at {at}.", at)
        return MultiNode(threshold, keys, sort, tapscript)

    def _tr(self, args: str, offset: int, where: _Where, depth: int) -> Node:
        if where is not _Where.TOP:
            raise ContextError(f"tr() at {offset - 3} is only allowed at the top.", offset - 3)
        parts = _split_args(args, offset)
        if len(parts) > 2 or not args:
            raise DescriptorSyntaxError(
                f"tr() at {offset - 3} takes a key and optionally a script tree.", offset
            )
        internal = self.key(parts[0][0], parts[0][1], _Where.TAP, musig=True)
        tree = None
        if len(parts) == 2:
            tree = self._tree(parts[1][0], parts[1][1], 0)
        return TrNode(internal, tree)

    def _tree(self, text: str, offset: int, depth: int) -> TapTree:
        if depth > _MAX_TAPROOT_DEPTH:
            raise DescriptorSyntaxError(
                f"The taproot tree is deeper than {_MAX_TAPROOT_DEPTH} at {offset}.", offset
            )
        if text.startswith("{"):
            if not text.endswith("}"):
                raise DescriptorSyntaxError(f"Unbalanced '{{' at {offset}.", offset)
            parts = _split_args(text[1:-1], offset + 1)
            if len(parts) != 2:
                raise DescriptorSyntaxError(
                    f"A taproot branch at {offset} needs exactly two children {{A,B}}.", offset
                )
            return TapBranch(
                self._tree(parts[0][0], parts[0][1], depth + 1),
                self._tree(parts[1][0], parts[1][1], depth + 1),
            )
        leaf = self.node(text, offset, _Where.TAP, depth + 1)
        if not isinstance(leaf, (PkNode, PkhNode, MultiNode, MiniscriptNode)):
            raise ContextError(f"This expression at {offset} cannot be a taproot leaf.", offset)
        return leaf

    def _rawtr(self, args: str, offset: int, where: _Where, depth: int) -> Node:
        if where is not _Where.TOP:
            raise ContextError(f"rawtr() at {offset} is only allowed at the top.", offset)
        _one_arg("rawtr", args, offset)
        return RawTrNode(self.key(args, offset, _Where.TAP))

    def _addr(self, args: str, offset: int, where: _Where, depth: int) -> Node:
        if where is not _Where.TOP:
            raise ContextError(f"addr() at {offset} is only allowed at the top.", offset)
        fmt = self._options.address_format
        if fmt is None:
            raise ContextError(f"addr() at {offset} needs the network to read the address.", offset)
        try:
            return AddrNode(args, address_to_script(args, fmt))
        except AddressError as err:
            raise DescriptorSyntaxError(
                f"The address at {offset} is invalid: {err}", offset
            ) from None

    def _raw(self, args: str, offset: int, where: _Where, depth: int) -> Node:
        if where is not _Where.TOP:
            raise ContextError(f"raw() at {offset} is only allowed at the top.", offset)
        try:
            return RawNode(bytes.fromhex(args))
        except ValueError:
            raise DescriptorSyntaxError(f"raw() at {offset} needs hex.", offset) from None

    def _combo(self, args: str, offset: int, where: _Where, depth: int) -> Node:
        raise UnknownFunctionError(
            f"combo() at {offset} describes several outputs at once; Coffer does not read it.",
            offset,
        )


def parse_node(body: str, options: ParseOptions) -> Node:
    """Parse a descriptor body (no checksum) into its syntax tree.

    Raises:
        DescriptorError: any subclass, naming the position of the fault.
    """
    node = _Parser(options).node(body, 0, _Where.TOP, 0)
    if isinstance(node, (MiniscriptNode,)):
        raise ContextError("Miniscript is only allowed inside wsh() or tr().", 0)
    _check_keys(node)
    return node


def _check_keys(node: Node) -> None:
    """Check BIP-389: every multipath key has the same number of alternatives."""
    counts = {k.multipath_count for k in keys_of(node)} - {1}
    if len(counts) > 1:
        raise MultipathError(
            "The keys' multipath groups have different lengths "
            f"({', '.join(map(str, sorted(counts)))}); BIP-389 needs one length."
        )
