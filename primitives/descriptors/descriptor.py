"""Output descriptors as immutable values: parse, print, expand and derive (BIP-380..390).

``Descriptor.parse`` reads the text (checksum verified when present), ``str()`` writes the
canonical text with its checksum: hardened steps as ``h``, hex in lower case, xpubs as given.
``parse(str(d)) == d`` holds for every descriptor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from primitives.descriptors.checksum import add_checksum, split_checksum
from primitives.descriptors.derive import DerivedOutput, build_output
from primitives.descriptors.errors import DescriptorError
from primitives.descriptors.keys import ConstKey, ExtendedKey, KeyExpr, KeySource, MusigKey
from primitives.descriptors.nodes import (
    AddrNode,
    MiniscriptFragment,
    MiniscriptNode,
    MultiNode,
    Node,
    PkhNode,
    PkNode,
    RawNode,
    RawTrNode,
    ShNode,
    TapBranch,
    TapTree,
    TrNode,
    WpkhNode,
    WshNode,
    keys_of,
)
from primitives.descriptors.parser import ParseOptions, parse_node
from primitives.script import AddressFormat, script_to_address

__all__ = ["Descriptor", "parse_descriptor"]


def _node_text(node: Node | TapTree) -> str:
    match node:
        case PkNode(key):
            return f"pk({key.text()})"
        case PkhNode(key):
            return f"pkh({key.text()})"
        case WpkhNode(key):
            return f"wpkh({key.text()})"
        case MultiNode(threshold, keys):
            return f"{node.name}({threshold}," + ",".join(k.text() for k in keys) + ")"
        case MiniscriptNode(canonical=text):
            return text
        case ShNode(inner):
            return f"sh({_node_text(inner)})"
        case WshNode(inner):
            return f"wsh({_node_text(inner)})"
        case TapBranch(left, right):
            return "{" + _node_text(left) + "," + _node_text(right) + "}"
        case TrNode(internal, tree):
            tail = "" if tree is None else "," + _node_text(tree)
            return f"tr({internal.text()}{tail})"
        case RawTrNode(key):
            return f"rawtr({key.text()})"
        case AddrNode(address=address):
            return f"addr({address})"
        case RawNode(script):
            return f"raw({script.hex()})"
    raise DescriptorError("Unknown expression.")  # pragma: no cover - the match is complete


def _replace_keys(node: Node | TapTree, branch: int) -> Node | TapTree:
    """Return the tree with every key's multipath step set to ``branch``."""
    match node:
        case PkNode(key):
            return PkNode(key.select_path(branch))
        case PkhNode(key):
            return PkhNode(key.select_path(branch))
        case WpkhNode(key):
            return WpkhNode(key.select_path(branch))
        case RawTrNode(key):
            return RawTrNode(key.select_path(branch))
        case MultiNode(threshold, keys, sort, tapscript):
            return MultiNode(threshold, tuple(k.select_path(branch) for k in keys), sort, tapscript)
        case ShNode(inner):
            return ShNode(_as_node(_replace_keys(inner, branch)))
        case WshNode(inner):
            return WshNode(_as_node(_replace_keys(inner, branch)))
        case TapBranch(left, right):
            return TapBranch(
                _as_tree(_replace_keys(left, branch)), _as_tree(_replace_keys(right, branch))
            )
        case TrNode(internal, tree):
            new_tree = None if tree is None else _as_tree(_replace_keys(tree, branch))
            return TrNode(internal.select_path(branch), new_tree)
        case MiniscriptNode(context=context, fragment=fragment):
            if all(k.multipath_count == 1 for k in keys_of(node)):
                return node
            selected = _BranchFragment(fragment, branch)
            return MiniscriptNode(selected.text(lambda k: k.text()), context, selected)
    return node


class _BranchFragment:
    """A miniscript fragment seen through one multipath alternative of its keys."""

    __slots__ = ("_branch", "_inner")

    def __init__(self, inner: MiniscriptFragment, branch: int) -> None:
        self._inner = inner
        self._branch = branch

    def keys(self) -> list[KeyExpr]:
        inner = self._inner.keys()  # a fragment's key list, not a mapping's keys
        return [k.select_path(self._branch) for k in inner]

    def script(self, key_bytes: Callable[[KeyExpr], bytes]) -> bytes:
        return self._inner.script(lambda k: key_bytes(k.select_path(self._branch)))

    def text(self, key_text: Callable[[KeyExpr], str]) -> str:
        return self._inner.text(lambda k: key_text(k.select_path(self._branch)))


def _as_node(value: Node | TapTree) -> Node:
    assert not isinstance(value, TapBranch)  # noqa: S101 - _replace_keys keeps the kind
    return value


def _as_tree(value: Node | TapTree) -> TapTree:
    assert isinstance(value, (TapBranch, PkNode, PkhNode, MultiNode, MiniscriptNode))  # noqa: S101
    return value


@dataclass(frozen=True, slots=True)
class Descriptor:
    """A parsed output descriptor (public keys only).

    Attributes:
        node: the syntax tree.
    """

    node: Node

    @classmethod
    def parse(cls, text: str, options: ParseOptions | None = None) -> Descriptor:
        """Parse a descriptor, verifying its checksum when it has one.

        Args:
            text: the descriptor text.
            options: network and miniscript settings (Bitcoin mainnet xpubs by default).

        Raises:
            DescriptorError: any of its subclasses, naming where the fault is.
        """
        opts = options or ParseOptions()
        body = split_checksum(text.strip(), opts.require_checksum)
        return cls(parse_node(body, opts))

    def __str__(self) -> str:
        """Return the canonical text with its checksum."""
        return add_checksum(self.body())

    def body(self) -> str:
        """Return the canonical text without checksum."""
        return _node_text(self.node)

    def keys(self) -> tuple[KeyExpr, ...]:
        """Return the key expressions in order of first appearance (repeats included)."""
        return tuple(keys_of(self.node))

    @property
    def is_ranged(self) -> bool:
        """Return whether the descriptor takes a child index (a key ends in ``/*``)."""
        return any(k.is_ranged for k in self.keys())

    @property
    def multipath_count(self) -> int:
        """Return how many descriptors the BIP-389 multipath steps expand to (1 if none)."""
        return max((k.multipath_count for k in self.keys()), default=1)

    def single_paths(self) -> tuple[Descriptor, ...]:
        """Expand BIP-389 multipath keys: one descriptor per alternative, in order.

        ``wpkh(xpub/<0;1>/*)`` gives ``wpkh(xpub/0/*)`` and ``wpkh(xpub/1/*)``; keys inside
        miniscript are expanded too (the fragment is seen through the chosen alternative).
        """
        count = self.multipath_count
        if count == 1:
            return (self,)
        return tuple(Descriptor(_as_node(_replace_keys(self.node, i))) for i in range(count))

    @property
    def kind(self) -> str:
        """Return a short human description, e.g. ``2-of-3 multisig (wsh sortedmulti)``."""
        return _kind(self.node)

    def derive(self, index: int | None = None, branch: int = 0) -> DerivedOutput:
        """Derive the output at child ``index`` of multipath alternative ``branch``.

        Args:
            index: the child index for ranged descriptors (ignored by unranged ones).
            branch: which multipath alternative (0 receive, 1 change for ``<0;1>``).

        Raises:
            DescriptorError: a ranged descriptor without index, a branch out of range, or
                ``UnsupportedError`` for ``musig()`` keys in this build.
        """
        self._check_branch(branch)
        if self.is_ranged and index is None:
            raise DescriptorError("This descriptor is ranged: give a child index.")
        sources: dict[bytes, KeySource] = {}
        memo: dict[KeyExpr, bytes] = {}

        def key_bytes(key: KeyExpr, xonly: bool) -> bytes:
            full = memo.get(key)
            if full is None:
                full, found = key.derive(index, branch)
                memo[key] = full
                for source in found:
                    sources.setdefault(source.pubkey, source)
            if xonly and len(full) == 33:
                short = full[1:]
                old = sources.pop(full, None)
                if old is not None:
                    sources[short] = KeySource(short, old.fingerprint, old.path)
                return short
            return full

        return build_output(self.node, key_bytes, sources)

    def script_pubkeys(self, start: int, count: int, branch: int = 0) -> list[bytes]:
        """Return the output scripts of children ``start`` .. ``start + count - 1``.

        Each extended key derives its fixed steps once and its children in one batch (one
        HMAC keying per key), so 1,000 scripts cost 1,000 tweaks per key.

        Raises:
            DescriptorError: as ``derive``.
        """
        self._check_branch(branch)
        if not self.is_ranged:
            return [self.derive(None, branch).script_pubkey] * count
        batches: dict[KeyExpr, list[bytes]] = {}
        for key in self.keys():
            if key in batches:
                continue
            if isinstance(key, ExtendedKey):
                batches[key] = key.derive_many(start, count, branch)
            elif isinstance(key, ConstKey):
                batches[key] = [key.key] * count
            else:
                batches[key] = [key.derive(start + i, branch)[0] for i in range(count)]
        scripts = []
        for i in range(count):

            def key_bytes(key: KeyExpr, xonly: bool, i: int = i) -> bytes:
                full = batches[key][i]
                return full[1:] if xonly and len(full) == 33 else full

            scripts.append(build_output(self.node, key_bytes, {}).script_pubkey)
        return scripts

    def addresses(
        self, start: int, count: int, network: AddressFormat, branch: int = 0
    ) -> list[str]:
        """Return the addresses of children ``start`` .. ``start + count - 1`` on a network.

        Raises:
            DescriptorError: as ``derive``.
            primitives.script.AddressError: a script without address form.
        """
        return [script_to_address(s, network) for s in self.script_pubkeys(start, count, branch)]

    def _check_branch(self, branch: int) -> None:
        if not 0 <= branch < self.multipath_count:
            raise DescriptorError(
                f"Branch {branch} does not exist: this descriptor has "
                f"{self.multipath_count} path(s)."
            )


def _kind(node: Node) -> str:
    match node:
        case PkNode():
            return "single key (pk)"
        case PkhNode():
            return "single key (pkh)"
        case WpkhNode():
            return "single key (wpkh)"
        case ShNode(WpkhNode()):
            return "single key (sh wpkh)"
        case ShNode(WshNode(inner)):
            return _script_kind(inner, "sh wsh")
        case ShNode(inner):
            return _script_kind(inner, "sh")
        case WshNode(inner):
            return _script_kind(inner, "wsh")
        case MultiNode():
            return _script_kind(node, "bare")
        case TrNode(internal, None):
            return (
                "single key (tr)"
                if not isinstance(internal, MusigKey)
                else (f"{len(internal.participants)}-of-{len(internal.participants)} musig (tr)")
            )
        case TrNode(internal, tree):
            leaves = _count_leaves(tree) if tree is not None else 0
            head = "musig key" if isinstance(internal, MusigKey) else "key"
            return f"taproot {head} with {leaves} script " + ("leaf" if leaves == 1 else "leaves")
        case RawTrNode():
            return "raw taproot key (rawtr)"
        case AddrNode():
            return "address (addr)"
        case RawNode():
            return "raw script (raw)"
    return "script"


def _script_kind(node: Node, wrapper: str) -> str:
    if isinstance(node, MultiNode):
        return f"{node.threshold}-of-{len(node.keys)} multisig ({wrapper} {node.name})"
    if isinstance(node, MiniscriptNode):
        return f"miniscript ({wrapper})"
    return f"single key ({wrapper} {'pk' if isinstance(node, PkNode) else 'pkh'})"


def _count_leaves(tree: TapTree) -> int:
    if isinstance(tree, TapBranch):
        return _count_leaves(tree.left) + _count_leaves(tree.right)
    return 1


def parse_descriptor(text: str, options: ParseOptions | None = None) -> Descriptor:
    """Parse a descriptor (``Descriptor.parse``).

    Raises:
        DescriptorError: any of its subclasses, naming where the fault is.
    """
    return Descriptor.parse(text, options)
