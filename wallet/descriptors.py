"""Output descriptors for single-key HD accounts (BIP-380/381/382/386/389).

Coffer writes and reads the four single-signature forms it has accounts for:
``wpkh(KEY)``, ``tr(KEY)``, ``sh(wpkh(KEY))`` and ``pkh(KEY)``, where ``KEY`` is an extended
public key with its origin (``[fingerprint/path]xpub``) and a ranged suffix: ``/<0;1>/*``
(BIP-389 multipath: receive and change) or ``/0/*`` (the change chain ``/1/*`` is implied).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chains.registry import ScriptKind
from keystore.bip32 import HARDENED, ExtendedPublicKey, format_path, parse_path
from keystore.errors import InvalidExtendedKey, InvalidPath
from primitives.descriptors import DescriptorError
from primitives.descriptors import descriptor_checksum as _checksum
from wallet.errors import InvalidDescriptor

__all__ = ["AccountDescriptor", "descriptor_checksum", "format_descriptor", "parse_descriptor"]

_WRAPPERS: dict[ScriptKind, tuple[str, str]] = {
    ScriptKind.P2WPKH: ("wpkh(", ")"),
    ScriptKind.P2TR: ("tr(", ")"),
    ScriptKind.P2SH_P2WPKH: ("sh(wpkh(", "))"),
    ScriptKind.P2PKH: ("pkh(", ")"),
}
_KEY = re.compile(
    r"^(?:\[(?P<fp>[0-9a-fA-F]{8})(?P<origin>(?:/[0-9]+['hH]?)*)\])?"
    r"(?P<xpub>[1-9A-HJ-NP-Za-km-z]+)"
    r"(?P<suffix>/<0;1>/\*|/0/\*|/1/\*)?$"
)


def descriptor_checksum(body: str) -> str:
    """Return the 8-character BIP-380 checksum of a descriptor without its ``#`` suffix.

    The one copy of the checksum is ``primitives.descriptors.checksum``; this keeps the
    wallet's error type.

    Raises:
        InvalidDescriptor: a character outside the descriptor character set.
    """
    try:
        return _checksum(body)
    except DescriptorError as err:
        raise InvalidDescriptor(str(err)) from None


@dataclass(frozen=True, slots=True)
class AccountDescriptor:
    """A parsed single-key account descriptor.

    Attributes:
        kind: the script kind.
        xpub: the account's extended public key.
        fingerprint: the master fingerprint of the key origin, if given.
        path: the derivation path from the master to ``xpub``, if given.
    """

    kind: ScriptKind
    xpub: ExtendedPublicKey
    fingerprint: bytes | None
    path: tuple[int, ...] | None


def format_descriptor(
    kind: ScriptKind,
    xpub_text: str,
    fingerprint: bytes | None,
    path: tuple[int, ...] | None,
    chain: int | None = None,
) -> str:
    """Return a checksummed descriptor for an account.

    Args:
        kind: the script kind.
        xpub_text: the extended key in its standard (xpub/tpub) serialisation.
        fingerprint: the master fingerprint, or ``None`` when the origin is unknown.
        path: the account path, or ``None``.
        chain: ``0`` or ``1`` for one chain's descriptor, ``None`` for the BIP-389 multipath.
    """
    origin = ""
    if fingerprint is not None and path is not None:
        origin = "[" + fingerprint.hex() + format_path(path)[1:].replace("'", "h") + "]"
    suffix = "/<0;1>/*" if chain is None else f"/{chain}/*"
    head, tail = _WRAPPERS[kind]
    body = f"{head}{origin}{xpub_text}{suffix}{tail}"
    return f"{body}#{descriptor_checksum(body)}"


def parse_descriptor(text: str, versions: tuple[int, ...]) -> AccountDescriptor:
    """Parse a single-key account descriptor.

    Args:
        text: the descriptor, with or without its checksum.
        versions: extended-key version bytes accepted for the network.

    Raises:
        InvalidDescriptor: malformed, bad checksum, unsupported form, or a hardened or
            non-chain suffix.
        InvalidExtendedKey: the key inside is invalid or of another network.
    """
    text = text.strip()
    body, _, checksum = text.partition("#")
    if checksum and descriptor_checksum(body) != checksum:
        raise InvalidDescriptor("The descriptor's checksum does not match: it was mistyped.")
    for kind, (head, tail) in _WRAPPERS.items():
        if (
            body.startswith(head)
            and body.endswith(tail)
            and not (kind is ScriptKind.P2PKH and body.startswith("sh("))
        ):
            inner = body[len(head) : len(body) - len(tail)]
            break
    else:
        raise InvalidDescriptor(
            "Coffer reads single-key descriptors: wpkh(...), tr(...), sh(wpkh(...)) or pkh(...)."
        )
    match = _KEY.match(inner)
    if not match:
        raise InvalidDescriptor(
            "The key in the descriptor is not an extended key with /0/* or /<0;1>/*."
        )
    try:
        xpub, _ = ExtendedPublicKey.parse(match["xpub"], versions)
    except InvalidExtendedKey as err:
        raise InvalidDescriptor(f"The descriptor's key is invalid: {err}") from err
    fingerprint = bytes.fromhex(match["fp"]) if match["fp"] else None
    path: tuple[int, ...] | None = None
    if match["fp"] is not None:
        try:
            path = parse_path("m" + (match["origin"] or ""))
        except InvalidPath as err:
            raise InvalidDescriptor(f"The key origin path is invalid: {err}") from err
        if path and len(path) != xpub.depth:
            raise InvalidDescriptor("The key origin path does not match the key's depth.")
        if path and path[-1] < HARDENED:
            raise InvalidDescriptor("An account key's origin path ends in a hardened step.")
    return AccountDescriptor(kind, xpub, fingerprint, path)
