"""BIP-388 wallet policies: a descriptor template with key placeholders and a key vector.

A template such as ``wsh(sortedmulti(2,@0/**,@1/**))`` names keys by index; the key
information vector holds ``[fingerprint/path]xpub`` entries without derivation. ``/**``
stands for ``/<0;1>/*``. The rules of BIP-388 "Additional rules" are checked when a policy
is made: placeholders first appear in order ``@0, @1, ...`` with none skipped, every
placeholder has ``/**`` or ``/<M;N>/*`` (M != N, unhardened), the derivations of one
placeholder are disjoint, ``musig(@i,@j)`` holds distinct bare indexes, the keys are
pairwise distinct, and no key other than a placeholder appears in the template.

The text form (``text()`` / ``WalletPolicy.parse_text``) is the JSON object
``{"name": ..., "descriptor_template": ..., "keys_info": [...]}``, the shape signing
devices register.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from primitives.bip32 import HARDENED
from primitives.descriptors.descriptor import Descriptor
from primitives.descriptors.errors import DescriptorError, PolicyError
from primitives.descriptors.keys import ExtendedKey, KeyContext, MusigKey, parse_key
from primitives.descriptors.nodes import keys_of
from primitives.descriptors.parser import ParseOptions

__all__ = ["WalletPolicy"]

_INDEX = r"@(?:0|[1-9]\d*)"
_MUSIG = re.compile(rf"musig\(((?:{_INDEX}[^,)]*,)*{_INDEX}[^,)]*)\)")
_SINGLE = re.compile(_INDEX)
_SUFFIX = re.compile(r"/\*\*|/<(\d+);(\d+)>/\*")


@dataclass(frozen=True, slots=True)
class _Placeholder:
    start: int
    end: int
    indexes: tuple[int, ...]  # one index, or the musig participants
    derivation: tuple[int, int]


def _placeholders(template: str) -> list[_Placeholder]:
    found: list[_Placeholder] = []
    musig_spans: list[tuple[int, int]] = []
    for match in _MUSIG.finditer(template):
        parts = match[1].split(",")
        if any(not _SINGLE.fullmatch(p) for p in parts):
            raise PolicyError(
                f"Derivation before aggregation at {match.start()}: musig() in a wallet policy "
                "holds bare key indexes (BIP-388).",
                match.start(),
            )
        indexes = tuple(int(p[1:]) for p in parts)
        if len(set(indexes)) != len(indexes):
            raise PolicyError(f"musig() at {match.start()} repeats a key index.", match.start())
        found.append(_with_suffix(template, match.start(), match.end(), indexes))
        musig_spans.append((match.start(), match.end()))
    for match in _SINGLE.finditer(template):
        if any(a <= match.start() < b for a, b in musig_spans):
            continue
        found.append(_with_suffix(template, match.start(), match.end(), (int(match[0][1:]),)))
    if "@" in _SINGLE.sub("", template):
        position = _SINGLE.sub(" ", template).index("@")
        raise PolicyError(f"Malformed key placeholder at {position}.", position)
    return sorted(found, key=lambda p: p.start)


def _with_suffix(template: str, start: int, end: int, indexes: tuple[int, ...]) -> _Placeholder:
    suffix = _SUFFIX.match(template, end)
    if suffix is None:
        raise PolicyError(
            f"The key placeholder at {start} needs /** or /<M;N>/* after it, and nothing else "
            "(BIP-388).",
            start,
        )
    if suffix[0] == "/**":
        derivation = (0, 1)
    else:
        derivation = (int(suffix[1]), int(suffix[2]))
        if derivation[0] == derivation[1] or max(derivation) >= HARDENED:
            raise PolicyError(
                f"The placeholder at {start} needs two distinct unhardened steps in <M;N>.", start
            )
    return _Placeholder(start, suffix.end(), indexes, derivation)


def _check_rules(placeholders: list[_Placeholder], key_count: int) -> None:
    if not placeholders:
        raise PolicyError("A wallet policy needs at least one key placeholder.")
    seen: list[int] = []
    for placeholder in placeholders:
        for index in placeholder.indexes:
            if index not in seen:
                if index != len(seen):
                    raise PolicyError(
                        f"Key placeholder @{index} at {placeholder.start} appears before "
                        f"@{len(seen)}: placeholders must first appear in order, none skipped.",
                        placeholder.start,
                    )
                seen.append(index)
    if len(seen) != key_count:
        raise PolicyError(f"The template uses {len(seen)} keys but the key vector has {key_count}.")
    used: dict[frozenset[int], set[int]] = {}
    for placeholder in placeholders:
        steps = used.setdefault(frozenset(placeholder.indexes), set())
        if steps & set(placeholder.derivation):
            raise PolicyError(
                f"The placeholder at {placeholder.start} repeats a derivation of the same key "
                "(BIP-388: the <M;N> sets of one placeholder must be disjoint).",
                placeholder.start,
            )
        steps |= set(placeholder.derivation)


def _check_key_info(text: str, position: int, options: ParseOptions) -> bytes:
    try:
        key = parse_key(text, 0, KeyContext.SEGWIT_V0, options.xpub_versions)
    except DescriptorError as err:
        raise PolicyError(f"Key information {position}: {err}") from None
    if not isinstance(key, ExtendedKey) or key.steps or key.wildcard:
        raise PolicyError(
            f"Key information {position} must be an extended public key with an optional "
            "origin and no derivation after it."
        )
    return key.public_key


@dataclass(frozen=True, slots=True)
class WalletPolicy:
    """A BIP-388 wallet policy.

    Attributes:
        template: the descriptor template, e.g. ``wsh(sortedmulti(2,@0/**,@1/**))``.
        keys_info: the key information vector, ``[fingerprint/path]xpub`` entries.
        name: a name for the policy (shown by signing devices), may be empty.
    """

    template: str
    keys_info: tuple[str, ...]
    name: str = ""

    def validate(self, options: ParseOptions | None = None) -> Descriptor:
        """Check BIP-388's rules and return the descriptor the policy stands for.

        Raises:
            PolicyError: a rule of BIP-388 is broken.
            DescriptorError: the resulting descriptor is invalid (any subclass).
        """
        opts = options or ParseOptions()
        placeholders = _placeholders(self.template)
        _check_rules(placeholders, len(self.keys_info))
        pubkeys = [_check_key_info(k, i, opts) for i, k in enumerate(self.keys_info)]
        if len(set(pubkeys)) != len(pubkeys):
            raise PolicyError("The key information vector holds the same public key twice.")
        descriptor = Descriptor.parse(self._expand(placeholders), opts)
        keys = keys_of(descriptor.node)
        if len(keys) != len(placeholders):
            raise PolicyError("The template holds a key that is not a key placeholder (@i).")
        return descriptor

    def to_descriptor(self, options: ParseOptions | None = None) -> Descriptor:
        """Return the descriptor (``/**`` becomes ``/<0;1>/*``; BIP-388 "Descriptor derivation").

        Raises:
            PolicyError: a rule of BIP-388 is broken.
            DescriptorError: the resulting descriptor is invalid.
        """
        return self.validate(options)

    def _expand(self, placeholders: list[_Placeholder]) -> str:
        out: list[str] = []
        cursor = 0
        for placeholder in placeholders:
            out.append(self.template[cursor : placeholder.start])
            a, b = placeholder.derivation
            tail = f"/<{a};{b}>/*"
            if len(placeholder.indexes) == 1 and not self.template.startswith(
                "musig(", placeholder.start
            ):
                out.append(self.keys_info[placeholder.indexes[0]] + tail)
            else:
                inner = ",".join(self.keys_info[i] for i in placeholder.indexes)
                out.append(f"musig({inner}){tail}")
            cursor = placeholder.end
        out.append(self.template[cursor:])
        return "".join(out)

    @classmethod
    def from_descriptor(cls, descriptor: Descriptor, name: str = "") -> WalletPolicy:
        """Return the wallet policy of a descriptor whose keys all end in ``/<M;N>/*``.

        Raises:
            PolicyError: a key that a policy cannot express (a hex key, other derivations).
        """
        keys_info: list[str] = []
        body = descriptor.body()
        out: list[str] = []
        cursor = 0
        for key in keys_of(descriptor.node):
            text = key.text()
            at = body.find(text, cursor)
            if at < 0:  # pragma: no cover - the body is written from these keys
                raise PolicyError("A key of the descriptor was not found in its text.")
            placeholder = _placeholder_of(key, keys_info)
            out.append(body[cursor:at])
            out.append(placeholder)
            cursor = at + len(text)
        out.append(body[cursor:])
        return cls("".join(out), tuple(keys_info), name)

    def text(self) -> str:
        """Return the JSON text form: name, descriptor template and key vector."""
        return json.dumps(
            {
                "name": self.name,
                "descriptor_template": self.template,
                "keys_info": list(self.keys_info),
            }
        )

    @classmethod
    def parse_text(cls, text: str) -> WalletPolicy:
        """Read the JSON text form written by ``text()``.

        Raises:
            PolicyError: not that JSON shape.
        """
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise PolicyError(f"The wallet policy is not JSON (at {err.pos}).", err.pos) from None
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("descriptor_template"), str)
            or not isinstance(data.get("keys_info"), list)
            or not all(isinstance(k, str) for k in data["keys_info"])
            or not isinstance(data.get("name", ""), str)
        ):
            raise PolicyError(
                "A wallet policy has a string descriptor_template, a list of keys_info strings "
                "and an optional string name."
            )
        return cls(data["descriptor_template"], tuple(data["keys_info"]), data.get("name", ""))


def _derivation_suffix(steps: tuple[tuple[int, ...], ...], wildcard: bool) -> str:
    if len(steps) != 1 or len(steps[0]) != 2 or not wildcard:
        raise PolicyError(
            "A wallet policy needs every key to end in /<M;N>/* (two alternatives, then *)."
        )
    a, b = steps[0]
    return "/**" if (a, b) == (0, 1) else f"/<{a};{b}>/*"


def _index_of(info: str, keys_info: list[str]) -> int:
    if info not in keys_info:
        keys_info.append(info)
    return keys_info.index(info)


def _placeholder_of(key: object, keys_info: list[str]) -> str:
    if isinstance(key, ExtendedKey):
        suffix = _derivation_suffix(key.steps, key.wildcard)
        base = ExtendedKey(
            key.xpub, key.version, key.public_key, key.chain_code, key.depth, key.origin, (), False
        ).text()
        return f"@{_index_of(base, keys_info)}{suffix}"
    if isinstance(key, MusigKey):
        suffix = _derivation_suffix(key.steps, key.wildcard)
        indexes = []
        for participant in key.participants:
            if not isinstance(participant, ExtendedKey) or participant.steps:
                raise PolicyError("musig() in a wallet policy holds bare extended keys.")
            indexes.append(_index_of(participant.text(), keys_info))
        return "musig(" + ",".join(f"@{i}" for i in indexes) + ")" + suffix
    raise PolicyError("A wallet policy holds extended keys only, not hex public keys.")
