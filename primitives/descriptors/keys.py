"""Key expressions of output descriptors (BIP-380, BIP-389 multipath, BIP-390 ``musig``).

Coffer's descriptors are public: a key is a hex public key, an extended public key (xpub,
tpub, and the Litecoin prefixes Ltub/ttub when the network allows them) or a ``musig()`` of
those, each with an optional origin ``[fingerprint/path]`` and derivation steps. WIF and
extended private keys are refused with an error that names their position, never the text.
Hardened steps after an extended public key are refused too: deriving them needs the
private key.

Text is written in one canonical form: hardened origin steps as ``h`` (Bitcoin Core's own
output since v25), lower-case hex. ``'`` is accepted on input.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field

from primitives.base58 import Base58Error, b58check_decode, b58check_encode
from primitives.bip32 import HARDENED, ExtendedKeyError, child_pubkeys, ckd_pub
from primitives.descriptors.errors import (
    ContextError,
    HardenedDerivationError,
    KeyExpressionError,
    MultipathError,
    NetworkMismatchError,
    PrivateKeyError,
)
from primitives.hashes import hash160
from primitives.musig2 import MUSIG_CHAIN_CODE, MusigError, key_agg
from primitives.secp256k1 import is_valid_pubkey

__all__ = [
    "BITCOIN_MAINNET_XPUBS",
    "BITCOIN_TESTNET_XPUBS",
    "LITECOIN_MAINNET_XPUBS",
    "LITECOIN_TESTNET_XPUBS",
    "ConstKey",
    "ExtendedKey",
    "KeyContext",
    "KeyExpr",
    "KeyOrigin",
    "KeySource",
    "MusigKey",
    "parse_key",
]

XPUB = 0x0488B21E
TPUB = 0x043587CF
LTUB = 0x019DA462
TTUB = 0x0436F6E1
BITCOIN_MAINNET_XPUBS = frozenset({XPUB})
"""Extended public key versions of Bitcoin mainnet: ``xpub`` (BIP-32)."""
BITCOIN_TESTNET_XPUBS = frozenset({TPUB})
"""Extended public key versions of Bitcoin testnet, signet and regtest: ``tpub``."""
LITECOIN_MAINNET_XPUBS = frozenset({XPUB, LTUB})
"""Litecoin mainnet: ``xpub`` (Litecoin Core's own) and ``Ltub`` (SLIP-132)."""
LITECOIN_TESTNET_XPUBS = frozenset({TPUB, TTUB})
"""Litecoin testnet and regtest: ``tpub`` (Litecoin Core's own) and ``ttub`` (SLIP-132)."""

# Version bytes of private extended keys (BIP-32, SLIP-132) and of WIF: only to recognise
# and refuse them with the right message.
_PRIVATE_VERSIONS = frozenset(
    {
        0x0488ADE4, 0x04358394, 0x049D7878, 0x04B2430C, 0x0295B005, 0x02AA7A99,
        0x044A4E28, 0x045F18BC, 0x024285B5, 0x02575048, 0x019D9CFE, 0x01B26792,
        0x0436EF7D, 0x02FAC398, 0x0432A243,
    }
)  # fmt: skip
_PUBLIC_VERSIONS = frozenset(
    {
        0x0488B21E, 0x043587CF, 0x049D7CB2, 0x04B24746, 0x0295B43F, 0x02AA7ED3,
        0x044A5262, 0x045F1CF6, 0x024289EF, 0x02575483, 0x019DA462, 0x01B26EF6,
        0x0436F6E1, 0x02FACAFD, 0x0432A9A8,
    }
)  # fmt: skip
_HEX = re.compile(r"^[0-9a-fA-F]*$")
_STEP = re.compile(r"^(\d+)(['h]?)$")
_FINGERPRINT = re.compile(r"^[0-9a-fA-F]{8}$")
_BASE58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]+$")


class KeyContext(enum.Enum):
    """Where a key expression stands, which decides the key forms it may take."""

    LEGACY = "legacy"  # top level, sh(): compressed or uncompressed keys
    SEGWIT_V0 = "segwit-v0"  # wpkh(), wsh(): compressed keys only (BIP-382)
    TAPROOT = "taproot"  # tr() and its leaves: x-only or compressed keys (BIP-386)


@dataclass(frozen=True, slots=True)
class KeyOrigin:
    """The ``[fingerprint/path]`` of a key: its master key's fingerprint and path from it."""

    fingerprint: bytes
    path: tuple[int, ...]

    def text(self) -> str:
        """Return ``fingerprint/path`` as written inside the brackets (hardened as ``h``)."""
        return self.fingerprint.hex() + "".join("/" + _step_text(i) for i in self.path)


@dataclass(frozen=True, slots=True)
class KeySource:
    """One derived public key and where it comes from, as a PSBT's BIP-32 derivation fields.

    Attributes:
        pubkey: the key as it appears in the script (33 bytes, or 32 in tapscript).
        fingerprint: the master key fingerprint (the origin's, or the key's own).
        path: the full path from that master key.
    """

    pubkey: bytes
    fingerprint: bytes
    path: tuple[int, ...]


def _step_text(index: int) -> str:
    return f"{index - HARDENED}h" if index >= HARDENED else str(index)


def _origin_text(origin: KeyOrigin | None) -> str:
    return "" if origin is None else f"[{origin.text()}]"


@dataclass(frozen=True, slots=True)
class ConstKey:
    """A hex public key: 33 bytes compressed, 65 uncompressed, or 32 x-only (in ``tr``)."""

    key: bytes
    origin: KeyOrigin | None = None

    @property
    def is_ranged(self) -> bool:
        """Return False: a fixed key takes no child index."""
        return False

    @property
    def multipath_count(self) -> int:
        """Return 1: a fixed key has one path."""
        return 1

    def select_path(self, branch: int) -> ConstKey:
        """Return the key itself (it has no multipath group)."""
        return self

    def text(self) -> str:
        """Return the canonical key expression."""
        return _origin_text(self.origin) + self.key.hex()

    def derive(self, index: int | None, branch: int) -> tuple[bytes, tuple[KeySource, ...]]:
        """Return the key bytes and its source (the origin, if given)."""
        if self.origin is None:
            return self.key, ()
        return self.key, (KeySource(self.key, self.origin.fingerprint, self.origin.path),)


@dataclass(frozen=True, slots=True)
class ExtendedKey:
    """An extended public key with origin and derivation steps after it.

    Attributes:
        xpub: the Base58Check text of the key (its version bytes kept as given).
        version: the four version bytes.
        public_key: the 33-byte compressed key at the xpub.
        chain_code: its chain code.
        depth: its depth (checked against the origin path's length when both are given).
        origin: the optional key origin.
        steps: the derivation steps after the key; each step is a tuple of alternatives, of
            length 1 except for the one BIP-389 multipath step ``<a;b;...>``.
        wildcard: whether the path ends in ``/*`` (unhardened; ``/*h`` is refused).
    """

    xpub: str
    version: int
    public_key: bytes
    chain_code: bytes
    depth: int
    origin: KeyOrigin | None
    steps: tuple[tuple[int, ...], ...]
    wildcard: bool
    # Per-object memo of the node before the wildcard, per branch: 1,000 addresses derive
    # the fixed steps once. Not part of the value (equality and hash ignore it).
    _parents: dict[int, tuple[bytes, bytes]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @property
    def is_ranged(self) -> bool:
        """Return whether the key takes a child index (``/*``)."""
        return self.wildcard

    @property
    def multipath_count(self) -> int:
        """Return the number of alternatives of its multipath step (1 without one)."""
        return max((len(s) for s in self.steps), default=1)

    def select_path(self, branch: int) -> ExtendedKey:
        """Return the key with its multipath step replaced by alternative ``branch``."""
        if self.multipath_count == 1:
            return self
        steps = tuple((s[branch],) if len(s) > 1 else s for s in self.steps)
        return ExtendedKey(
            self.xpub,
            self.version,
            self.public_key,
            self.chain_code,
            self.depth,
            self.origin,
            steps,
            self.wildcard,
        )

    def text(self) -> str:
        """Return the canonical key expression."""
        steps = "".join(
            "/" + (str(s[0]) if len(s) == 1 else "<" + ";".join(map(str, s)) + ">")
            for s in self.steps
        )
        return _origin_text(self.origin) + self.xpub + steps + ("/*" if self.wildcard else "")

    def _parent(self, branch: int) -> tuple[bytes, bytes]:
        node = self._parents.get(branch)
        if node is None:
            key, chain = self.public_key, self.chain_code
            for step in self.steps:
                key, chain = ckd_pub(key, chain, step[branch] if len(step) > 1 else step[0])
            node = self._parents[branch] = (key, chain)
        return node

    def _path(self, index: int | None, branch: int) -> tuple[int, ...]:
        steps = tuple(s[branch] if len(s) > 1 else s[0] for s in self.steps)
        return steps + ((index,) if self.wildcard and index is not None else ())

    def _source(self, key: bytes, index: int | None, branch: int) -> KeySource:
        if self.origin is not None:
            fingerprint, head = self.origin.fingerprint, self.origin.path
        else:
            fingerprint, head = hash160(self.public_key)[:4], ()
        return KeySource(key, fingerprint, head + self._path(index, branch))

    def derive(self, index: int | None, branch: int) -> tuple[bytes, tuple[KeySource, ...]]:
        """Return the derived compressed key and its source.

        Args:
            index: the child index for ``/*`` (ignored by an unranged key).
            branch: which alternative of the multipath step to follow.

        Raises:
            KeyExpressionError: a ranged key without index, or an index out of range.
        """
        key, chain = self._parent(branch)
        if self.wildcard:
            if index is None:
                raise KeyExpressionError("This descriptor is ranged: give a child index.")
            try:
                key, _ = ckd_pub(key, chain, index)
            except ExtendedKeyError as err:
                raise KeyExpressionError(str(err)) from None
        return key, (self._source(key, index, branch),)

    def derive_many(self, start: int, count: int, branch: int) -> list[bytes]:
        """Return the keys of children ``start`` .. ``start + count - 1`` (one HMAC keying).

        Raises:
            KeyExpressionError: an index out of range.
        """
        key, chain = self._parent(branch)
        if not self.wildcard:
            return [key] * count
        try:
            return child_pubkeys(key, chain, start, count)
        except ExtendedKeyError as err:
            raise KeyExpressionError(str(err)) from None


@dataclass(frozen=True, slots=True)
class MusigKey:
    """A BIP-390 ``musig(KEY,KEY,...)`` aggregate key, optionally with steps after it.

    Derivation after the aggregate follows BIP-328 (a synthetic xpub of the aggregate key).
    """

    participants: tuple[ConstKey | ExtendedKey, ...]
    steps: tuple[tuple[int, ...], ...] = ()
    wildcard: bool = False

    @property
    def is_ranged(self) -> bool:
        """Return whether the aggregate or a participant takes a child index."""
        return self.wildcard or any(p.is_ranged for p in self.participants)

    @property
    def multipath_count(self) -> int:
        """Return the number of multipath alternatives (1 without a multipath step)."""
        counts = [max((len(s) for s in self.steps), default=1)]
        counts += [p.multipath_count for p in self.participants]
        return max(counts)

    def select_path(self, branch: int) -> MusigKey:
        """Return the key with every multipath step set to alternative ``branch``."""
        steps = tuple((s[branch],) if len(s) > 1 else s for s in self.steps)
        return MusigKey(
            tuple(p.select_path(branch) for p in self.participants), steps, self.wildcard
        )

    def text(self) -> str:
        """Return the canonical key expression."""
        steps = "".join(
            "/" + (str(s[0]) if len(s) == 1 else "<" + ";".join(map(str, s)) + ">")
            for s in self.steps
        )
        inner = ",".join(p.text() for p in self.participants)
        return f"musig({inner}){steps}" + ("/*" if self.wildcard else "")

    def derive(self, index: int | None, branch: int) -> tuple[bytes, tuple[KeySource, ...]]:
        """Aggregate the participants' keys and derive after the aggregate.

        BIP-390: each participant is derived first, the keys are sorted (BIP-327 KeySort) and
        aggregated (KeyAgg); steps after ``musig()`` derive from the synthetic xpub of the
        aggregate (BIP-328: the aggregate key with a fixed chain code).

        Returns:
            The aggregate (or derived) compressed key, and the sources of the participants'
            keys followed by that of the aggregate (its own fingerprint and the steps).

        Raises:
            KeyExpressionError: a ranged key without index, or keys that do not aggregate.
        """
        derived = [p.derive(index, branch) for p in self.participants]
        aggregate, chain_code = _aggregate(sorted(key for key, _ in derived))
        key = aggregate
        path: tuple[int, ...] = tuple(s[branch] if len(s) > 1 else s[0] for s in self.steps)
        if self.wildcard:
            if index is None:
                raise KeyExpressionError("This descriptor is ranged: give a child index.")
            path += (index,)
        try:
            for step in path:
                key, chain_code = ckd_pub(key, chain_code, step)
        except ExtendedKeyError as err:
            raise KeyExpressionError(str(err)) from None
        sources = tuple(s for _, found in derived for s in found)
        own = KeySource(key, hash160(aggregate)[:4], path)
        return key, (*sources, own)


def _aggregate(pubkeys: list[bytes]) -> tuple[bytes, bytes]:
    """Return the BIP-327 aggregate of (sorted) keys and the BIP-328 synthetic chain code."""
    try:
        return key_agg(pubkeys), MUSIG_CHAIN_CODE
    except MusigError as err:
        raise KeyExpressionError(f"These keys cannot be aggregated: {err}") from None


KeyExpr = ConstKey | ExtendedKey | MusigKey
"""Any key expression."""


def _parse_steps(
    text: str, offset: int, allow_hardened: bool
) -> tuple[tuple[tuple[int, ...], ...], bool, bool]:
    """Parse ``/a/b/<c;d>/*`` steps; return them, the wildcard and whether a step is hardened.

    ``offset`` is the position of ``text`` in the descriptor, for messages.
    """
    if not text:
        return (), False, False
    if not text.startswith("/"):
        raise KeyExpressionError(f"Unexpected characters after the key at {offset}.", offset)
    steps: list[tuple[int, ...]] = []
    wildcard = False
    hardened_seen = False
    position = offset + 1
    parts = text[1:].split("/")
    for part in parts:
        if wildcard:
            raise KeyExpressionError(f"'*' must be the last step (at {position}).", position)
        if part in ("*", "*'", "*h"):
            if part != "*":
                raise HardenedDerivationError(
                    f"Hardened wildcard at {position}: an extended public key cannot derive "
                    "hardened children.",
                    position,
                )
            wildcard = True
        elif "<" in part or ">" in part:
            if not part.startswith("<"):
                raise MultipathError(f"Malformed multipath step at {position}.", position)
            if not part.endswith(">") or len(part) < 3:
                raise MultipathError(f"Malformed multipath step at {position}.", position)
            if any(len(s) > 1 for s in steps):
                raise MultipathError(
                    f"A second multipath step at {position}: a key has at most one (BIP-389).",
                    position,
                )
            try:
                alternatives = [_parse_index(a, position) for a in part[1:-1].split(";")]
            except KeyExpressionError:
                raise MultipathError(
                    f"A multipath step at {position} has an empty or invalid alternative.",
                    position,
                ) from None
            if len(alternatives) < 2:
                raise MultipathError(
                    f"A multipath step needs at least two alternatives (at {position}).", position
                )
            if len(set(alternatives)) != len(alternatives):
                raise MultipathError(
                    f"A multipath step repeats an alternative (at {position}).", position
                )
            hardened_seen |= any(a >= HARDENED for a in alternatives)
            steps.append(tuple(alternatives))
        else:
            index = _parse_index(part, position)
            hardened_seen |= index >= HARDENED
            steps.append((index,))
        position += len(part) + 1
    if hardened_seen and not allow_hardened:
        raise HardenedDerivationError(
            f"Hardened derivation after the key at {offset}: an extended public key cannot "
            "derive hardened children (that needs the private key).",
            offset,
        )
    return tuple(steps), wildcard, hardened_seen


def _parse_index(text: str, position: int) -> int:
    match = _STEP.match(text)
    if not match:
        raise KeyExpressionError(
            f"Invalid derivation step at {position}: a number with an optional h or '.",
            position,
        )
    index = int(match[1])
    if index >= HARDENED:
        raise KeyExpressionError(
            f"Derivation index out of range at {position}: steps run from 0 to 2147483647.",
            position,
        )
    return index + HARDENED if match[2] else index


def _parse_origin(text: str, offset: int) -> tuple[KeyOrigin | None, str, int]:
    """Split ``[fp/path]rest``; return the origin, the rest and the rest's offset."""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise KeyExpressionError(f"Key origin opened at {offset} is not closed.", offset)
        inner = text[1:end]
        fingerprint, _, path = inner.partition("/")
        if not _FINGERPRINT.match(fingerprint):
            raise KeyExpressionError(
                f"The key origin's fingerprint at {offset + 1} is not 8 hex characters.",
                offset + 1,
            )
        steps: list[int] = []
        position = offset + 10
        if path or inner.endswith("/"):
            for part in path.split("/"):
                steps.append(_parse_index(part, position))
                position += len(part) + 1
        rest = text[end + 1 :]
        if rest.startswith("["):
            raise KeyExpressionError(
                f"A second key origin at {offset + end + 1}: a key has one.", offset + end + 1
            )
        return KeyOrigin(bytes.fromhex(fingerprint), tuple(steps)), rest, offset + end + 1
    if "]" in text:
        raise KeyExpressionError(
            f"Unexpected ']' in the key expression at {offset}: the origin needs '['.", offset
        )
    return None, text, offset


def parse_key(
    text: str,
    offset: int,
    context: KeyContext,
    xpub_versions: frozenset[int],
    allow_musig: bool = False,
) -> KeyExpr:
    """Parse one key expression.

    Args:
        text: the key expression.
        offset: its position in the descriptor, for messages.
        context: where it stands (decides uncompressed and x-only keys).
        xpub_versions: the extended public key versions of the network.
        allow_musig: whether ``musig(...)`` may appear here (inside ``tr`` only, BIP-390).

    Raises:
        KeyExpressionError: malformed, or a key form the context forbids.
        PrivateKeyError: a WIF or extended private key.
        NetworkMismatchError: an extended key of another network.
        HardenedDerivationError: a hardened step after an extended public key.
        MultipathError: a malformed or second multipath step.
    """
    if text.startswith("musig("):
        return _parse_musig(text, offset, context, xpub_versions, allow_musig)
    origin, rest, rest_offset = _parse_origin(text, offset)
    if not rest:
        raise KeyExpressionError(f"A key is missing at {rest_offset}.", rest_offset)
    body, slash, _ = rest.partition("/")
    path_offset = rest_offset + len(body)
    if _HEX.match(body) and len(body) in (64, 66, 130):
        if slash:
            raise KeyExpressionError(
                f"A hex public key cannot take derivation steps (at {path_offset}).", path_offset
            )
        return _parse_hex_key(body, rest_offset, context, origin)
    if not _BASE58.match(body):
        raise KeyExpressionError(
            f"The key at {rest_offset} is neither a hex public key nor an extended public key.",
            rest_offset,
        )
    key = _parse_xpub(body, rest_offset, xpub_versions, origin)
    steps, wildcard, _ = _parse_steps(rest[len(body) :], path_offset, allow_hardened=False)
    return ExtendedKey(
        key.xpub,
        key.version,
        key.public_key,
        key.chain_code,
        key.depth,
        origin,
        steps,
        wildcard,
    )


def _parse_hex_key(
    body: str, offset: int, context: KeyContext, origin: KeyOrigin | None
) -> ConstKey:
    raw = bytes.fromhex(body)
    if len(raw) == 32:
        if context is not KeyContext.TAPROOT:
            raise KeyExpressionError(
                f"An x-only public key at {offset} is only allowed inside tr().", offset
            )
        if not is_valid_pubkey(b"\x02" + raw):
            raise KeyExpressionError(f"The x-only key at {offset} is not on the curve.", offset)
        return ConstKey(raw, origin)
    if not is_valid_pubkey(raw) or raw[0] not in ((2, 3) if len(raw) == 33 else (4,)):
        raise KeyExpressionError(f"The public key at {offset} is not a valid point.", offset)
    if len(raw) == 65 and context is not KeyContext.LEGACY:
        raise KeyExpressionError(
            f"Uncompressed public key at {offset}: segwit and taproot need compressed keys.",
            offset,
        )
    return ConstKey(raw, origin)


def _parse_xpub(
    body: str, offset: int, versions: frozenset[int], origin: KeyOrigin | None
) -> ExtendedKey:
    # Nothing of ``body`` is echoed in an error: it may be a private key.
    try:
        raw = b58check_decode(body)
    except Base58Error:
        raise KeyExpressionError(
            f"The key at {offset} is not a valid extended public key (its checksum or "
            "characters are wrong).",
            offset,
        ) from None
    if len(raw) in (33, 34) and raw[0] in (0x80, 0xEF, 0xB0, 0x9E, 0xF1):
        raise PrivateKeyError(
            f"The key at {offset} is a private key (WIF): descriptors in Coffer hold public "
            "keys only.",
            offset,
        )
    if len(raw) != 78:
        raise KeyExpressionError(
            f"The key at {offset} is not an extended public key ({len(raw)} bytes, not 78).",
            offset,
        )
    version = int.from_bytes(raw[:4], "big")
    if version in _PRIVATE_VERSIONS or raw[45] == 0:
        raise PrivateKeyError(
            f"The key at {offset} is an extended private key: descriptors in Coffer hold "
            "public keys only.",
            offset,
        )
    if version not in versions:
        raise NetworkMismatchError(
            f"The extended key at {offset} is for another network or format (its version "
            "prefix is not one this network accepts).",
            offset,
        )
    depth = raw[4]
    if depth == 0 and (raw[5:9] != bytes(4) or raw[9:13] != bytes(4)):
        raise KeyExpressionError(
            f"The extended key at {offset} says it is a master key but names a parent.", offset
        )
    public_key = raw[45:78]
    if public_key[0] not in (2, 3) or not is_valid_pubkey(public_key):
        raise KeyExpressionError(f"The extended key at {offset} holds an invalid point.", offset)
    return ExtendedKey(
        b58check_encode(raw), version, public_key, raw[13:45], depth, origin, (), False
    )


def _parse_musig(
    text: str, offset: int, context: KeyContext, versions: frozenset[int], allowed: bool
) -> MusigKey:
    if not allowed or context is not KeyContext.TAPROOT:
        raise ContextError(
            f"musig() at {offset} is only allowed as a key inside tr() (BIP-390).", offset
        )
    close = text.find(")")
    if close < 0:
        raise KeyExpressionError(f"musig( at {offset} is not closed.", offset)
    inner = text[len("musig(") : close]
    if "(" in inner:
        raise KeyExpressionError(f"musig() at {offset} cannot be nested.", offset)
    participants: list[ConstKey | ExtendedKey] = []
    position = offset + len("musig(")
    for part in inner.split(","):
        key = parse_key(part, position, context, versions, allow_musig=False)
        assert not isinstance(key, MusigKey)  # noqa: S101 - allow_musig=False above
        if isinstance(key, ConstKey) and len(key.key) != 33:
            raise KeyExpressionError(
                f"A musig() participant at {position} must be a compressed key (BIP-390).",
                position,
            )
        participants.append(key)
        position += len(part) + 1
    if len(participants) < 1 or not inner:
        raise KeyExpressionError(f"musig() at {offset} needs at least one key.", offset)
    steps, wildcard, _ = _parse_steps(text[close + 1 :], offset + close + 1, allow_hardened=False)
    # BIP-390: derivation after musig() needs participants that are xpubs (or derived from
    # xpubs) without /* or multipath of their own.
    if (steps or wildcard) and any(
        not isinstance(p, ExtendedKey) or p.wildcard or p.multipath_count > 1 for p in participants
    ):
        raise KeyExpressionError(
            f"musig() at {offset} with derivation after it needs extended keys without /* "
            "or multipath inside (BIP-390).",
            offset,
        )
    return MusigKey(tuple(participants), steps, wildcard)
