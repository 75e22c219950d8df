"""Spending paths of a policy account: who can spend, after how long, at what input size.

A policy descriptor (``wsh(miniscript)`` or ``tr(KEY,{leaves})``) can be spent several ways.
``policy_paths`` lists them as ``SpendPath`` values: a name a front can pass back to
``UtxoAccount.prepare_send(path=...)``, the words ``primitives.miniscript.describe_path``
gives, the BIP-68 relative lock in blocks (``older(N)``) the path needs, and the signed size
of an input spent that way (fees are estimated with it).

Names: a descriptor with exactly one path without any timelock and one with a relative
block lock (the recovery and inheritance shape) calls them ``"owner"`` and ``"recovery"``;
other paths are ``"path-1"``, ``"path-2"``, ... in the order ``spending_paths`` lists them
(the taproot key path first).

Input sizes come from the satisfier itself (``primitives.miniscript.satisfy``) fed with
signatures at their largest (73 bytes ECDSA, 65 Schnorr) for every key of the path, so the
estimate is the witness the finaliser will build, not the largest over all paths.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chains.utxo.sizes import InputSize
from primitives.descriptors import ConstKey, Descriptor, KeyExpr, MiniscriptFragment
from primitives.descriptors.nodes import MiniscriptNode, TapBranch, TapTree, TrNode, WshNode
from primitives.hashes import sha256
from primitives.miniscript import (
    LockUnit,
    Miniscript,
    NotSatisfiable,
    SpendingPath,
    describe_path,
    satisfy,
    sequence_satisfies,
    spending_paths,
)
from primitives.tx import write_compact_size
from wallet.utxo.policy import NUMS_KEY

__all__ = ["OWNER", "RECOVERY", "SpendPath", "duration_words", "key_label", "policy_paths"]

OWNER = "owner"
RECOVERY = "recovery"

_OUTPOINT_AND_SEQUENCE = 36 + 4
_ECDSA_SIG_MAX = 73  # 72-byte DER signature at its largest plus the sighash byte
_SCHNORR_SIG_MAX = 65  # BIP-341 signature with an explicit sighash byte
_TAP_KEY_PATH = InputSize(4 * (_OUTPOINT_AND_SEQUENCE + 1) + 1 + 1 + _SCHNORR_SIG_MAX, True)


@dataclass(frozen=True, slots=True)
class SpendPath:
    """One way to spend the account's coins.

    Attributes:
        name: ``"owner"``, ``"recovery"`` or ``"path-N"`` (what ``prepare_send`` takes).
        description: who signs and when, in words ("[d34db33f] after 10 blocks ...").
        older: the ``older(n)`` argument this path needs (the input's nSequence), or ``None``.
        older_blocks: the BIP-68 relative lock in blocks this path waits for, or ``None``.
        older_seconds: a BIP-68 time-based relative lock in seconds, or ``None``.
        has_absolute_lock: the path also needs an ``after()`` height or time.
        key_path: a taproot key-path spend (no script revealed).
        input_size: the signed size of an input spent this way.
    """

    name: str
    description: str
    older: int | None
    older_blocks: int | None
    older_seconds: int | None
    has_absolute_lock: bool
    key_path: bool
    input_size: InputSize


def duration_words(days: float) -> str:
    """Return "about 3 days", "about 5 hours" or "about 25 minutes" for a duration."""
    if days >= 2:
        return f"about {round(days)} days"
    hours = days * 24
    if hours >= 2:
        return f"about {round(hours)} hours"
    return f"about {max(round(hours * 60), 1)} minutes"


def key_label(key: KeyExpr) -> str:
    """Return how a key is named in words: its origin fingerprint, else a short key text."""
    origin = getattr(key, "origin", None)
    if origin is not None:
        return f"[{origin.fingerprint.hex()}]"
    text = key.text()
    return text if len(text) <= 20 else text[:12] + "..." + text[-4:]


def _dummy_key(key: KeyExpr, xonly: bool) -> bytes:
    digest = sha256(key.text().encode())
    return digest if xonly else b"\x02" + digest


def _witness_size(
    ms: Miniscript[KeyExpr], path: SpendingPath[KeyExpr], xonly: bool, extra: list[int]
) -> int | None:
    """Return the bytes of the whole witness the satisfier builds for ``path``, if it can."""
    if path.hash_locks or path.absolute is not None:
        return None
    sig = b"\x00" * (_SCHNORR_SIG_MAX if xonly else _ECDSA_SIG_MAX)
    signatures = {_dummy_key(k, xonly): sig for group in path.signers for k in group.keys}
    relative = path.relative

    def older_ok(n: int) -> bool:
        return relative is not None and sequence_satisfies(n, relative.value)

    try:
        stack = satisfy(
            ms, lambda k: _dummy_key(k, xonly), signatures, {}, older_ok, lambda _n: False
        )
    except NotSatisfiable:
        return None
    items = [len(item) for item in stack] + extra
    return len(write_compact_size(len(items))) + sum(len(write_compact_size(n)) + n for n in items)


def _input_size(witness_bytes: int) -> InputSize:
    return InputSize(4 * (_OUTPOINT_AND_SEQUENCE + 1) + witness_bytes, segwit=True)


@dataclass(frozen=True, slots=True)
class _Raw:
    path: SpendingPath[KeyExpr] | None  # None: the taproot key path
    internal: KeyExpr | None
    size: InputSize


def _miniscript(fragment: MiniscriptFragment) -> Miniscript[KeyExpr] | None:
    return fragment if isinstance(fragment, Miniscript) else None


def _ms_paths(ms: Miniscript[KeyExpr], xonly: bool, control_block: int) -> list[_Raw]:
    out: list[_Raw] = []
    extra = [ms.script_size] + ([control_block] if xonly else [])
    fallback = ms.max_input_witness_size(control_block)
    for path in spending_paths(ms):
        size = _witness_size(ms, path, xonly, extra)
        if size is None:
            size = fallback if fallback is not None else 0
        out.append(_Raw(path, None, _input_size(size)))
    return out


def _leaves(tree: TapTree, depth: int) -> list[tuple[TapTree, int]]:
    if isinstance(tree, TapBranch):
        return _leaves(tree.left, depth + 1) + _leaves(tree.right, depth + 1)
    return [(tree, depth)]


def _unspendable(key: KeyExpr) -> bool:
    return isinstance(key, ConstKey) and key.key.hex() == NUMS_KEY


def _raw_paths(descriptor: Descriptor) -> list[_Raw] | None:
    node = descriptor.node
    if isinstance(node, WshNode) and isinstance(node.inner, MiniscriptNode):
        ms = _miniscript(node.inner.fragment)
        return None if ms is None else _ms_paths(ms, xonly=False, control_block=0)
    if isinstance(node, TrNode):
        out = [] if _unspendable(node.internal) else [_Raw(None, node.internal, _TAP_KEY_PATH)]
        if node.tree is None:
            return out
        for leaf, depth in _leaves(node.tree, 0):
            ms = _miniscript(leaf.fragment) if isinstance(leaf, MiniscriptNode) else None
            if ms is None:
                return None  # multi_a and plain pk() leaves: described by the policy view
            out.extend(_ms_paths(ms, xonly=True, control_block=33 + 32 * depth))
        return out
    return None


def _is_plain(raw: _Raw) -> bool:
    p = raw.path
    return p is None or (p.relative is None and p.absolute is None and not p.hash_locks)


def policy_paths(
    descriptor: Descriptor,
    block_seconds: int,
    key_text: Callable[[KeyExpr], str] = key_label,
) -> tuple[SpendPath, ...]:
    """Return the ways to spend a policy descriptor's coins, named and sized.

    Args:
        descriptor: a ``wsh(miniscript)`` or ``tr(KEY[,TREE])`` descriptor; other shapes
            (single key, ``multi``) have one path and give an empty tuple.
        block_seconds: the network's block interval (600 Bitcoin, 150 Litecoin), for words.
        key_text: how a key is named in the descriptions.
    """
    raws = _raw_paths(descriptor)
    if not raws:
        return ()
    plain = [r for r in raws if _is_plain(r)]
    locked = [r for r in raws if not _is_plain(r)]
    recovery_shape = (
        len(plain) == 1
        and len(locked) == 1
        and locked[0].path is not None
        and locked[0].path.relative is not None
        and locked[0].path.relative.unit is LockUnit.BLOCKS
        and locked[0].path.absolute is None
        and not locked[0].path.hash_locks
    )
    out: list[SpendPath] = []
    for n, raw in enumerate(raws, start=1):
        name = (OWNER if raw in plain else RECOVERY) if recovery_shape else f"path-{n}"
        if raw.path is None:
            internal = raw.internal
            who = key_text(internal) if internal is not None else "the internal key"
            out.append(SpendPath(name, f"{who} alone", None, None, None, False, True, raw.size))
            continue
        rel = raw.path.relative
        blocks = rel.amount if rel is not None and rel.unit is LockUnit.BLOCKS else None
        seconds = rel.amount if rel is not None and rel.unit is LockUnit.SECONDS else None
        out.append(
            SpendPath(
                name,
                describe_path(raw.path, key_text, block_seconds),
                rel.value if rel is not None else None,
                blocks,
                seconds,
                raw.path.absolute is not None,
                False,
                raw.size,
            )
        )
    return tuple(out)
