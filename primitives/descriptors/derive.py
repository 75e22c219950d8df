"""Scripts of a descriptor at one child index: output script, redeem/witness script, taproot.

Everything a signer or finaliser needs comes out of one call: the scriptPubKey, the P2SH
redeem script and P2WSH witness script, and for ``tr()`` the internal key, the merkle root,
the output key, and each leaf with its version, control block and keys (BIP-341, BIP-386);
plus every key's origin as a PSBT carries it (BIP-174 ``PSBT_IN_BIP32_DERIVATION``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from coincurve import PublicKey

from primitives.descriptors.errors import DescriptorError
from primitives.descriptors.keys import KeyExpr, KeySource
from primitives.descriptors.nodes import (
    AddrNode,
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
from primitives.hashes import hash160, sha256, tagged_hash
from primitives.script import (
    OP_CHECKSIG,
    AddressFormat,
    multisig_script,
    p2pkh_script,
    p2sh_script,
    p2tr_script,
    p2wpkh_script,
    p2wsh_script,
    push_data,
    push_int,
    script_to_address,
)
from primitives.secp256k1 import taproot_tweak
from primitives.tx import write_compact_size

__all__ = ["DerivedOutput", "TapLeafInfo", "TaprootInfo", "build_output", "tapleaf_hash"]

TAPSCRIPT_LEAF_VERSION = 0xC0
_OP_CHECKSIGADD = 0xBA
_OP_NUMEQUAL = 0x9C


@dataclass(frozen=True, slots=True)
class TapLeafInfo:
    """One leaf of a taproot output.

    Attributes:
        script: the leaf script.
        leaf_version: its leaf version (``0xc0``, tapscript).
        leaf_hash: ``hash_TapLeaf(version || compact_size(len) || script)`` (BIP-341).
        control_block: the control block that spends through this leaf.
        keys: the x-only keys in the script, in the script's order (sorted for
            ``sortedmulti_a``).
    """

    script: bytes
    leaf_version: int
    leaf_hash: bytes
    control_block: bytes
    keys: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class TaprootInfo:
    """The taproot parts of a derived ``tr()`` output (BIP-341).

    Attributes:
        internal_key: the x-only internal key.
        merkle_root: the script tree's root, ``None`` without a tree.
        output_key: the x-only tweaked output key.
        output_parity: the parity bit of the output key (the control blocks carry it).
        leaves: the leaves, depth-first left to right as written.
    """

    internal_key: bytes
    merkle_root: bytes | None
    output_key: bytes
    output_parity: int
    leaves: tuple[TapLeafInfo, ...]


@dataclass(frozen=True, slots=True)
class DerivedOutput:
    """The output a descriptor describes at one index, with what spending it needs.

    Attributes:
        script_pubkey: the output script.
        redeem_script: the P2SH redeem script, if any.
        witness_script: the P2WSH witness script, if any.
        taproot: the taproot parts for ``tr()``, else ``None``.
        key_sources: every key of the script with its origin (x-only keys in taproot).
    """

    script_pubkey: bytes
    redeem_script: bytes | None
    witness_script: bytes | None
    taproot: TaprootInfo | None
    key_sources: tuple[KeySource, ...]

    def address(self, network: AddressFormat) -> str:
        """Return the output's address on a network.

        Raises:
            primitives.script.AddressError: the script has no address form (bare scripts).
        """
        return script_to_address(self.script_pubkey, network)


def tapleaf_hash(script: bytes, leaf_version: int = TAPSCRIPT_LEAF_VERSION) -> bytes:
    """Return the BIP-341 leaf hash of a script."""
    return tagged_hash("TapLeaf", bytes([leaf_version]) + write_compact_size(len(script)) + script)


def _tapbranch(a: bytes, b: bytes) -> bytes:
    return tagged_hash("TapBranch", min(a, b) + max(a, b))


KeyBytes = Callable[[KeyExpr, bool], bytes]
"""Render a key expression (derived) as bytes; the flag asks for the x-only form."""


def _multi_a(threshold: int, keys: list[bytes]) -> bytes:
    """``<k1> CHECKSIG <k2> CHECKSIGADD ... <m> NUMEQUAL`` (BIP-387)."""
    parts = [push_data(keys[0]), bytes([OP_CHECKSIG])]
    for key in keys[1:]:
        parts += [push_data(key), bytes([_OP_CHECKSIGADD])]
    parts += [push_int(threshold), bytes([_OP_NUMEQUAL])]
    return b"".join(parts)


def _leaf_script(node: Node | TapTree, key_bytes: KeyBytes, xonly: bool) -> bytes:
    match node:
        case PkNode(key):
            return push_data(key_bytes(key, xonly)) + bytes([OP_CHECKSIG])
        case PkhNode(key):
            return p2pkh_script(hash160(key_bytes(key, xonly)))
        case MultiNode(threshold, keys, sort, tapscript):
            rendered = [key_bytes(k, xonly) for k in keys]
            if sort:
                rendered.sort()
            return (
                _multi_a(threshold, rendered) if tapscript else multisig_script(threshold, rendered)
            )
        case MiniscriptNode(fragment=fragment):
            return fragment.script(lambda k: key_bytes(k, xonly))
        case _:
            raise DescriptorError("This expression has no script of its own here.")


def _tweak(internal: bytes, merkle_root: bytes | None) -> tuple[bytes, int]:
    """Return the x-only output key and its parity (BIP-341 ``taproot_tweak_pubkey``)."""
    point = PublicKey(b"\x02" + internal).add(taproot_tweak(internal, merkle_root))
    full = point.format(compressed=True)
    return full[1:], full[0] & 1


def _tree_leaves(
    tree: TapTree, key_bytes: KeyBytes
) -> tuple[bytes, list[tuple[bytes, bytes, list[bytes]]]]:
    """Return the tree's hash and its leaves as (script, leaf hash, path of sibling hashes)."""
    if isinstance(tree, TapBranch):
        left_hash, left = _tree_leaves(tree.left, key_bytes)
        right_hash, right = _tree_leaves(tree.right, key_bytes)
        leaves = [(s, h, [*path, right_hash]) for s, h, path in left]
        leaves += [(s, h, [*path, left_hash]) for s, h, path in right]
        return _tapbranch(left_hash, right_hash), leaves
    script = _leaf_script(tree, key_bytes, True)
    leaf = tapleaf_hash(script)
    return leaf, [(script, leaf, [])]


def _leaf_keys(tree: TapTree, key_bytes: KeyBytes) -> list[tuple[bytes, ...]]:
    if isinstance(tree, TapBranch):
        return _leaf_keys(tree.left, key_bytes) + _leaf_keys(tree.right, key_bytes)
    keys = [key_bytes(k, True) for k in keys_of(tree)]
    if isinstance(tree, MultiNode) and tree.sorted:
        keys.sort()  # the order of the script, which is the order signatures go in
    return [tuple(keys)]


def build_output(
    node: Node, key_bytes: KeyBytes, sources: Mapping[bytes, KeySource]
) -> DerivedOutput:
    """Build the output of a syntax tree whose keys ``key_bytes`` renders.

    Args:
        node: the descriptor's tree.
        key_bytes: the derived bytes of each key expression (x-only on request).
        sources: the key sources gathered while rendering, by key bytes.

    Raises:
        DescriptorError: a tree that has no single output script.
    """
    redeem: bytes | None = None
    witness: bytes | None = None
    taproot: TaprootInfo | None = None
    match node:
        case PkNode() | MultiNode():
            spk = _leaf_script(node, key_bytes, False)
        case PkhNode(key):
            spk = p2pkh_script(hash160(key_bytes(key, False)))
        case WpkhNode(key):
            spk = p2wpkh_script(hash160(key_bytes(key, False)))
        case ShNode(inner):
            if isinstance(inner, WpkhNode):
                redeem = p2wpkh_script(hash160(key_bytes(inner.key, False)))
            elif isinstance(inner, WshNode):
                witness = _leaf_script(inner.inner, key_bytes, False)
                redeem = p2wsh_script(sha256(witness))
            else:
                redeem = _leaf_script(inner, key_bytes, False)
            spk = p2sh_script(hash160(redeem))
        case WshNode(inner):
            witness = _leaf_script(inner, key_bytes, False)
            spk = p2wsh_script(sha256(witness))
        case TrNode(internal, tree):
            internal_key = key_bytes(internal, True)
            if tree is None:
                root = None
                raw_leaves: list[tuple[bytes, bytes, list[bytes]]] = []
                leaf_keys: list[tuple[bytes, ...]] = []
            else:
                root_hash, raw_leaves = _tree_leaves(tree, key_bytes)
                root = root_hash
                leaf_keys = _leaf_keys(tree, key_bytes)
            output_key, parity = _tweak(internal_key, root)
            leaves = tuple(
                TapLeafInfo(
                    script,
                    TAPSCRIPT_LEAF_VERSION,
                    leaf,
                    bytes([TAPSCRIPT_LEAF_VERSION | parity]) + internal_key + b"".join(path),
                    keys,
                )
                for (script, leaf, path), keys in zip(raw_leaves, leaf_keys, strict=True)
            )
            taproot = TaprootInfo(internal_key, root, output_key, parity, leaves)
            spk = p2tr_script(output_key)
        case RawTrNode(key):
            spk = p2tr_script(key_bytes(key, True))
        case AddrNode(script=script) | RawNode(script):
            spk = script
        case _:
            raise DescriptorError("This expression cannot stand at the top of a descriptor.")
    return DerivedOutput(spk, redeem, witness, taproot, tuple(sources.values()))
