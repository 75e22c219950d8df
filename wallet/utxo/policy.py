"""Policy texts: read a descriptor or BIP-388 policy, build multisig, write registrations.

What a person types or a cosigner sends is parsed here, once, into a ``Descriptor`` checked
for the account's network (key versions, and the coin type of BIP-48/87 key origins, since
``xpub`` and ``tpub`` are shared by Bitcoin and Litecoin). Every refusal is an
``InvalidPolicy`` (or subclass) naming the fault in words.

Multisig is built from cosigner keys as ``wsh(sortedmulti(M,...))`` or, for taproot,
``tr(H,sortedmulti_a(M,...))`` where H is BIP-341's unspendable point (the "NUMS" x-only key
``50929b74...``): nobody can spend by key path, so every spend shows the script. Using H
itself (not H + rG) tells anyone who sees the internal key that the key path is disabled;
Sparrow and Bitcoin Core's multisig descriptors do the same.

Registrations each cosigner keeps: the descriptor with checksum, BIP-388 JSON, and Coldcard's
multisig setup file (``Name:``, ``Policy: M of N``, ``Derivation:``, ``Format:``, then one
``XFP: xpub`` line per key), read and written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chains.registry import UtxoNetwork
from keystore.bip32 import HARDENED, format_path, parse_path
from primitives.descriptors import (
    ChecksumError,
    Descriptor,
    DescriptorError,
    DuplicateKeyError,
    ExtendedKey,
    KeyExpr,
    NetworkMismatchError,
    WalletPolicy,
)
from primitives.descriptors.nodes import MultiNode, ShNode, TrNode, WshNode
from primitives.hashes import hash160
from primitives.miniscript import (
    MiniscriptError,
    SpendingPath,
    describe_path,
    spending_paths,
)
from wallet.errors import InvalidPolicy, PolicyMismatch
from wallet.utxo.policy_scripts import decode_script, parse_options

__all__ = [
    "NUMS_KEY",
    "POLICY_FORMATS",
    "PolicyKey",
    "PolicyView",
    "check_registration",
    "cosigner_expression",
    "export_policy",
    "is_coldcard_file",
    "multisig_descriptor",
    "parse_coldcard",
    "policy_view",
    "read_policy",
]

NUMS_KEY = "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0"
"""BIP-341's provably unspendable x-only key H (the hash of G, lifted to the curve)."""

POLICY_FORMATS = ("descriptor", "bip388", "coldcard")
"""The registration formats ``export_policy`` writes."""

_KEY_PURPOSES = (48 + HARDENED, 87 + HARDENED, 45 + HARDENED)
_MAX_WSH_KEYS = 20  # Bitcoin Core's multi() limit in P2WSH (MAX_PUBKEYS_PER_MULTISIG)
_MAX_TAP_KEYS = 999  # BIP-387 sortedmulti_a


def _fault(err: Exception) -> str:
    words = str(err).rstrip(".")
    return words[:1].upper() + words[1:] + "."


def read_policy(network: UtxoNetwork, text: str) -> Descriptor:
    """Read a descriptor (``.../<0;1>/*``, checksum checked when present) or BIP-388 JSON.

    Raises:
        InvalidPolicy: a bad checksum, keys of another network, miniscript that is not sane,
            a repeated key, or anything else wrong with the text (the message says what).
    """
    text = text.strip()
    options = parse_options(network)
    try:
        if text.startswith("{"):
            descriptor = WalletPolicy.parse_text(text).to_descriptor(options)
        else:
            descriptor = Descriptor.parse(text, options)
    except ChecksumError as err:
        raise InvalidPolicy(f"The descriptor's checksum is wrong: {_fault(err)}") from None
    except NetworkMismatchError as err:
        raise InvalidPolicy(
            f"A key of this policy is not a {network.title} key: {_fault(err)}"
        ) from None
    except DuplicateKeyError as err:
        raise InvalidPolicy(f"A key appears twice in this policy: {_fault(err)}") from None
    except (DescriptorError, MiniscriptError) as err:
        raise InvalidPolicy(f"This policy cannot be used: {_fault(err)}") from None
    _check_coin_types(network, descriptor.keys())
    return descriptor


def _check_coin_types(network: UtxoNetwork, keys: Sequence[KeyExpr]) -> None:
    for key in keys:
        origin = getattr(key, "origin", None)
        if origin is None or len(origin.path) < 2 or origin.path[0] not in _KEY_PURPOSES:
            continue
        coin = origin.path[1]
        if coin != network.coin_type + HARDENED:
            raise InvalidPolicy(
                f"The key [{origin.text()}] is a key of coin type {coin % HARDENED}"
                f" (its path says so), not of {network.title} (coin type {network.coin_type})."
            )


# -- cosigner keys ---------------------------------------------------------------------------

_ORIGIN_KEY = re.compile(r"\[([0-9A-Fa-f]{8})((?:/[0-9]+['hH]?)*)\]([1-9A-HJ-NP-Za-km-z]{100,120})")


def _from_json(data: object, script: str) -> str | None:
    """Read Coldcard's or Sparrow's multisig key export (``bip48_2``/``p2wsh`` sections)."""
    if not isinstance(data, dict):
        return None
    xfp = data.get("xfp")
    section = data.get("bip48_3" if script == "tr" else "bip48_2")
    if isinstance(section, dict):
        xfp = section.get("xfp", xfp)
        deriv, xpub = section.get("deriv"), section.get("xpub")
    else:
        deriv, xpub = data.get("p2wsh_deriv"), data.get("p2wsh")
    if isinstance(xfp, str) and isinstance(deriv, str) and isinstance(xpub, str):
        path = deriv.strip().removeprefix("m")
        return f"[{xfp.lower()}{path}]{xpub}"
    return None


def cosigner_expression(text: str, script: str = "wsh") -> str:
    """Return the ``[fingerprint/path]xpub`` of a cosigner's export, in any form it came.

    Accepts the bare key expression, a descriptor naming one key with its origin (Coffer's
    ``cosigner_key``, Sparrow, Core), Coldcard's or Sparrow's multisig JSON export
    (``bip48_2`` / ``p2wsh`` sections; ``bip48_3`` for taproot), or a bare xpub (no origin:
    signers then cannot find their key by fingerprint, so prefer an export with one).

    Raises:
        InvalidPolicy: nothing that reads as one cosigner key.
    """
    text = text.strip()
    if text.startswith("{"):
        try:
            found = _from_json(json.loads(text), script)
        except json.JSONDecodeError:
            found = None
        if found is None:
            raise InvalidPolicy(
                "This JSON is not a multisig key export (Coldcard bip48_2 or Sparrow p2wsh)."
            )
        return _normalise(found)
    matches = _ORIGIN_KEY.findall(text)
    if len({m[2] for m in matches}) > 1:
        raise InvalidPolicy("This text holds several keys; give one cosigner's export.")
    if matches:
        fp, path, xpub = matches[0]
        return _normalise(f"[{fp.lower()}{path}]{xpub}")
    if re.fullmatch(r"[1-9A-HJ-NP-Za-km-z]{100,120}", text):
        return text
    raise InvalidPolicy(
        "This is not a cosigner key: expected [fingerprint/path]xpub, a descriptor with a key "
        "origin, a Coldcard/Sparrow multisig export or an xpub."
    )


def _normalise(expr: str) -> str:
    fp_end = expr.index("]")
    head, xpub = expr[1:fp_end], expr[fp_end + 1 :]
    parts = head.split("/")
    steps = [p.replace("'", "h").replace("H", "h") for p in parts[1:]]
    return "[" + "/".join([parts[0].lower(), *steps]) + "]" + xpub


def multisig_descriptor(
    network: UtxoNetwork, threshold: int, cosigners: Sequence[str], script: str = "wsh"
) -> Descriptor:
    """Build ``wsh(sortedmulti(M,...))`` or ``tr(H,sortedmulti_a(M,...))`` from cosigner keys.

    Args:
        network: the account's network (keys are checked against it).
        threshold: how many signatures a spend needs (M).
        cosigners: each cosigner's export (see ``cosigner_expression``), this wallet's too.
        script: ``wsh`` (P2WSH, BIP-48 script type 2) or ``tr`` (taproot script path).

    Raises:
        InvalidPolicy: a threshold out of range, too few or too many keys, a key twice, a
            key of another network, an unknown script.
    """
    if script not in ("wsh", "tr"):
        raise InvalidPolicy(f"Multisig is wsh or tr; not {script!r}.")
    keys = [cosigner_expression(c, script) for c in cosigners]
    limit = _MAX_WSH_KEYS if script == "wsh" else _MAX_TAP_KEYS
    if not 2 <= len(keys) <= limit:
        raise InvalidPolicy(f"A {script} multisig has 2 to {limit} cosigners; {len(keys)} given.")
    if not 1 <= threshold <= len(keys):
        raise InvalidPolicy(
            f"The threshold must be between 1 and the number of cosigners ({len(keys)}); "
            f"{threshold} given."
        )
    # Every cosigner lists the keys in its own order; sorted, the text is the same for all
    # (sortedmulti sorts the keys in the script anyway, so the addresses do not change).
    keys.sort()
    xpubs = [k.split("]")[-1] for k in keys]
    if len(set(xpubs)) != len(xpubs):
        raise InvalidPolicy("The same cosigner key was given twice.")
    body = ",".join(f"{k}/<0;1>/*" for k in keys)
    text = (
        f"wsh(sortedmulti({threshold},{body}))"
        if script == "wsh"
        else f"tr({NUMS_KEY},sortedmulti_a({threshold},{body}))"
    )
    return read_policy(network, text)


# -- Coldcard multisig setup file ------------------------------------------------------------

_CC_FORMATS = {"P2WSH": "wsh", "P2SH-P2WSH": "sh-wsh", "P2WSH-P2SH": "sh-wsh"}


def is_coldcard_file(text: str) -> bool:
    """Return whether ``text`` looks like Coldcard's multisig file (a ``Policy:`` line)."""
    return re.search(r"^\s*policy\s*:", text, re.IGNORECASE | re.MULTILINE) is not None


def parse_coldcard(network: UtxoNetwork, text: str) -> tuple[str, Descriptor]:
    """Read Coldcard's multisig setup file into its name and descriptor (sorted multisig).

    Raises:
        InvalidPolicy: not such a file, an unsupported format, or a policy line that does
            not match the keys listed.
    """
    name, policy, fmt, deriv = "", None, "P2WSH", ""
    keys: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head, sep, value = line.partition(":")
        if not sep:
            raise InvalidPolicy(f"This line of the multisig file cannot be read: {line[:40]!r}.")
        head, value = head.strip(), value.strip()
        lowered = head.lower()
        if lowered == "name":
            name = value
        elif lowered == "policy":
            found = re.fullmatch(r"(\d+)\s*(?:of|/)\s*(\d+)", value, re.IGNORECASE)
            if found is None:
                raise InvalidPolicy(f"The policy line {value!r} is not 'M of N'.")
            policy = (int(found[1]), int(found[2]))
        elif lowered == "derivation":
            deriv = value
        elif lowered == "format":
            fmt = value.upper()
        elif re.fullmatch(r"[0-9A-Fa-f]{8}", head):
            try:
                path = format_path(parse_path(deriv)) if deriv else "m"
            except ValueError:
                raise InvalidPolicy(f"The derivation {deriv!r} cannot be read.") from None
            steps = path.removeprefix("m")
            keys.append(_normalise(f"[{head.lower()}{steps}]{value}"))
    if policy is None or not keys:
        raise InvalidPolicy("This is not a Coldcard multisig file: no Policy line or no keys.")
    if fmt not in _CC_FORMATS:
        raise InvalidPolicy(f"Multisig files of format {fmt} are not read here (P2WSH only).")
    if policy[1] != len(keys):
        raise InvalidPolicy(f"The file says {policy[0]} of {policy[1]} but lists {len(keys)} keys.")
    descriptor = multisig_descriptor(network, policy[0], keys, "wsh")
    if _CC_FORMATS[fmt] == "sh-wsh":
        descriptor = read_policy(network, "sh(" + descriptor.body() + ")")
    return name, descriptor


def _coldcard(descriptor: Descriptor, name: str) -> str:
    node = descriptor.node
    fmt = "P2WSH"
    if isinstance(node, ShNode) and isinstance(node.inner, WshNode):
        node, fmt = node.inner, "P2SH-P2WSH"
    if not isinstance(node, WshNode) or not isinstance(node.inner, MultiNode):
        raise InvalidPolicy("Coldcard's multisig file carries P2WSH multisig only.")
    multi = node.inner
    if not multi.sorted:
        raise InvalidPolicy("Coldcard's multisig file carries sorted multisig (sortedmulti) only.")
    safe = re.sub(r"[^A-Za-z0-9 _-]", "", name)[:20] or "Coffer"
    lines = [
        "# Coldcard multisig setup file, written by Coffer",
        f"Name: {safe}",
        f"Policy: {multi.threshold} of {len(multi.keys)}",
        f"Format: {fmt}",
        "",
    ]
    for key in multi.keys:
        if not isinstance(key, ExtendedKey) or key.origin is None:
            raise InvalidPolicy("Every key needs its origin [fingerprint/path] for Coldcard.")
        lines.append(f"Derivation: {format_path(key.origin.path)}")
        lines.append(f"{key.origin.fingerprint.hex().upper()}: {key.xpub}")
    return "\n".join(lines) + "\n"


def export_policy(descriptor: Descriptor, fmt: str, name: str) -> str:
    """Write a policy in one of ``POLICY_FORMATS`` (what each cosigner registers).

    Raises:
        InvalidPolicy: an unknown format, or a policy the format cannot carry.
    """
    if fmt == "descriptor":
        return str(descriptor)
    if fmt == "bip388":
        try:
            return WalletPolicy.from_descriptor(descriptor, name).text()
        except DescriptorError as err:
            raise InvalidPolicy(f"BIP-388 cannot carry this policy: {_fault(err)}") from None
    if fmt == "coldcard":
        return _coldcard(descriptor, name)
    raise InvalidPolicy(
        f"Policies are exported as one of {', '.join(POLICY_FORMATS)}; not {fmt!r}."
    )


def check_registration(network: UtxoNetwork, descriptor: Descriptor, text: str) -> None:
    """Refuse a registration (descriptor, BIP-388 JSON, Coldcard file) of another policy.

    Raises:
        InvalidPolicy: the text cannot be read.
        PolicyMismatch: it describes another policy than ``descriptor``.
    """
    if is_coldcard_file(text):
        _, other = parse_coldcard(network, text)
    else:
        other = read_policy(network, text)
    if str(other) != str(descriptor):
        raise PolicyMismatch(
            f"This file describes another policy ({other.kind}) than the account's "
            f"({descriptor.kind}): its keys, threshold or script differ."
        )


# -- the account view ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PolicyKey:
    """One key of a policy.

    Attributes:
        expression: the key as the descriptor writes it (origin, xpub, steps).
        fingerprint: the master key fingerprint (hex) of its origin, ``None`` without one.
        path: its origin path (``m/48'/1'/0'/2'``), ``None`` without one.
        is_own: whether it is this wallet's (same master key fingerprint).
    """

    expression: str
    fingerprint: str | None
    path: str | None
    is_own: bool


@dataclass(frozen=True, slots=True)
class PolicyView:
    """What a policy account is, in words.

    Attributes:
        descriptor: the canonical descriptor with checksum.
        kind: a short description (``2-of-3 multisig (wsh sortedmulti)``).
        keys: every key, marked when it is this wallet's.
        spending_paths: who can spend and when, one sentence each.
        threshold: signatures needed on the cheapest path of a multisig, else ``None``.
    """

    descriptor: str
    kind: str
    keys: tuple[PolicyKey, ...]
    spending_paths: tuple[str, ...]
    threshold: int | None


def _key_label(key: PolicyKey, n: int) -> str:
    who = "this wallet" if key.is_own else f"cosigner {n + 1}"
    return f"{who} [{key.fingerprint or '?'}]"


def _sentences(
    paths: Sequence[SpendingPath[bytes]], name: Callable[[bytes], str], seconds: int
) -> list[str]:
    return [describe_path(p, name, seconds) for p in paths]


def policy_view(network: UtxoNetwork, descriptor: Descriptor, own: bytes | None) -> PolicyView:
    """Return the account view of a policy: kind, keys (own marked) and spending paths.

    Args:
        network: the account's network (its block interval dates relative timelocks).
        descriptor: the policy.
        own: this wallet's master key fingerprint, ``None`` for a watch-only wallet.
    """
    keys: list[PolicyKey] = []
    by_pubkey: dict[bytes, str] = {}
    derived = descriptor.derive(0, 0)
    seen: list[KeyExpr] = []
    all_keys = descriptor.keys()
    for key in all_keys:
        if key in seen or key.text() == NUMS_KEY:
            continue
        seen.append(key)
        origin = getattr(key, "origin", None)
        fp = origin.fingerprint if origin is not None else None
        keys.append(
            PolicyKey(
                key.text(),
                fp.hex() if fp is not None else None,
                format_path(origin.path) if origin is not None else None,
                own is not None and fp == own,
            )
        )
    for n, key in enumerate(seen):
        pub, _ = key.derive(0, 0)
        label = _key_label(keys[n], n)
        by_pubkey[pub] = label
        by_pubkey[pub[1:]] = label

    def name(pub: bytes) -> str:
        return by_pubkey.get(pub, pub.hex()[:16])

    hashes = {s.pubkey: s.pubkey for s in derived.key_sources}
    seconds = network.block_seconds
    sentences: list[str] = []
    tap = derived.taproot
    if tap is not None:
        if tap.internal_key.hex() != NUMS_KEY:
            sentences.append(f"{name(tap.internal_key)} alone (taproot key path)")
        for leaf in tap.leaves:
            ms = decode_script(leaf.script, True, _hash_map(hashes))
            sentences += _sentences(spending_paths(ms), name, seconds)
    elif derived.witness_script is not None:
        ms = decode_script(derived.witness_script, False, _hash_map(hashes))
        sentences += _sentences(spending_paths(ms), name, seconds)
    threshold = None
    node = descriptor.node
    inner = node.inner if isinstance(node, ShNode) else node
    if isinstance(inner, WshNode) and isinstance(inner.inner, MultiNode):
        threshold = inner.inner.threshold
    if isinstance(node, TrNode) and isinstance(node.tree, MultiNode):
        threshold = node.tree.threshold
    return PolicyView(str(descriptor), descriptor.kind, tuple(keys), tuple(sentences), threshold)


def _hash_map(keys: dict[bytes, bytes]) -> dict[bytes, bytes]:
    return {hash160(k): k for k in keys}
