"""Accounts as BC-UR: ``crypto-account`` (BCR-2020-015) and ``crypto-hdkey`` (BCR-2020-007).

Air-gapped wallets (Keystone, Passport, Jade, SeedSigner, Sparrow's QR import) exchange an
account as a UR: the master fingerprint and, per script type, an output (``wpkh``,
``sh(wpkh)``, ``pkh``, ``tr``) around a ``crypto-hdkey`` with its origin path. The codecs
are the transport's (``primitives.ur``); this module only maps an ``AccountExport`` to those
values and back, and reads the key into the network's own serialisation, so the import goes
through the same descriptor checks as every other form.
"""

from __future__ import annotations

from dataclasses import dataclass

from chains.registry import ScriptKind, UtxoNetwork
from keystore.bip32 import HARDENED, ExtendedPublicKey
from keystore.types import AccountExport
from primitives.ur import cbor
from primitives.ur.account import Account, CoinInfo, HDKey, Keypath, Output, PathStep
from primitives.ur.errors import UrError
from wallet.descriptors import format_descriptor
from wallet.errors import InvalidDescriptor, InvalidExtendedKey, QrPayloadError
from wallet.transport import FrameFormat, Payload, PayloadKind, decode_frames, encode_frames

__all__ = ["UR_FORMATS", "EvmKey", "format_evm_ur", "format_ur", "parse_evm_ur", "parse_ur"]

UR_FORMATS = ("ur-account", "ur-hdkey")
"""``crypto-account`` (every script type of one seed, here the one account) or the key alone."""

_SCRIPTS: dict[ScriptKind, tuple[str, ...]] = {
    ScriptKind.P2WPKH: ("wpkh",),
    ScriptKind.P2SH_P2WPKH: ("sh", "wpkh"),
    ScriptKind.P2PKH: ("pkh",),
    ScriptKind.P2TR: ("tr",),
}
_KINDS = {scripts: kind for kind, scripts in _SCRIPTS.items()}


@dataclass(frozen=True, slots=True)
class EvmKey:
    """An EVM account read from a ``crypto-hdkey``: the key at ``path`` and the address index.

    Attributes:
        key: the extended public key at ``path`` (``m/44'/60'/0'``).
        fingerprint: the master fingerprint.
        path: the key's path.
        child: the address is the key's ``0/child`` (MetaMask's account number).
    """

    key: ExtendedPublicKey
    fingerprint: bytes
    path: tuple[int, ...]
    child: int


def format_evm_ur(export: AccountExport, child: int) -> str:
    """Return an EVM account as a ``crypto-hdkey`` (key at ``m/44'/60'/0'``, children ``0/i``).

    This is the form Keystone-style signers give to MetaMask; ``children`` names the one
    address (``0/child``) this account is.
    """
    steps = tuple(PathStep(i & ~HARDENED, bool(i & HARDENED)) for i in export.path)
    hdkey = HDKey(
        export.key.public_key,
        export.key.chain_code,
        use_info=CoinInfo(60, 0),
        origin=Keypath(steps, int.from_bytes(export.fingerprint, "big"), len(steps)),
        children=Keypath((PathStep(0, False), PathStep(child, False))),
        parent_fingerprint=int.from_bytes(export.key.parent_fingerprint, "big"),
    )
    payload = Payload(PayloadKind.HDKEY, hdkey.cbor())
    (text,) = encode_frames(payload, FrameFormat.UR, max_fragment_len=100_000, count=1)
    return text


def parse_evm_ur(text: str) -> EvmKey:
    """Read an EVM account from a ``crypto-hdkey`` UR.

    Raises:
        InvalidDescriptor: not a ``crypto-hdkey`` with chain code and origin.
        InvalidExtendedKey: a key of another coin type than Ethereum's 60.
        QrPayloadError: damaged frames.
    """
    payload = decode_frames(line.strip() for line in text.splitlines() if line.strip())
    if payload.kind is not PayloadKind.HDKEY:
        raise InvalidDescriptor(f"This UR is a {payload.kind.value}; an EVM key is a crypto-hdkey.")
    try:
        key = HDKey.from_item(cbor.decode(payload.data))
    except UrError as err:
        raise QrPayloadError(f"The key UR cannot be read: {err}") from None
    origin = key.origin
    if key.chain_code is None or origin is None or origin.source_fingerprint is None:
        raise InvalidDescriptor("The UR's key has no chain code or no origin.")
    path = tuple(
        (s.index or 0) | (HARDENED if s.hardened else 0)
        for s in origin.components
        if s.index is not None
    )
    if len(path) < 2 or path[1] != 60 + HARDENED:
        raise InvalidExtendedKey("This UR's key is not an Ethereum key (coin type 60).")
    child = 0
    if key.children is not None and len(key.children.components) == 2:
        last = key.children.components[1].index
        child = last if last is not None else 0
    xpub = ExtendedPublicKey(
        len(path),
        (key.parent_fingerprint or 0).to_bytes(4, "big"),
        path[-1],
        key.chain_code,
        key.key,
    )
    return EvmKey(xpub, origin.source_fingerprint.to_bytes(4, "big"), path, child)


def _hdkey(export: AccountExport, net: UtxoNetwork) -> HDKey:
    steps = tuple(PathStep(i & ~HARDENED, bool(i & HARDENED)) for i in export.path)
    origin = Keypath(steps, int.from_bytes(export.fingerprint, "big"), len(steps))
    testnet = 0 if net.standard_xkey.public == 0x0488B21E else 1
    return HDKey(
        export.key.public_key,
        export.key.chain_code,
        use_info=CoinInfo(net.coin_type, testnet),
        origin=origin,
        children=Keypath((PathStep(0, False), PathStep(None, False))),
        parent_fingerprint=int.from_bytes(export.key.parent_fingerprint, "big"),
    )


def format_ur(export: AccountExport, net: UtxoNetwork, kind: ScriptKind, fmt: str) -> str:
    """Return the account as one single-part UR text (``ur:crypto-account/...``)."""
    hdkey = _hdkey(export, net)
    if fmt == "ur-hdkey":
        payload = Payload(PayloadKind.HDKEY, hdkey.cbor())
    else:
        account = Account(
            int.from_bytes(export.fingerprint, "big"), (Output(_SCRIPTS[kind], hdkey),)
        )
        payload = Payload(PayloadKind.ACCOUNT, account.cbor())
    (text,) = encode_frames(payload, FrameFormat.UR, max_fragment_len=100_000, count=1)
    return text


def _descriptor(net: UtxoNetwork, kind: ScriptKind, key: HDKey) -> str:
    origin = key.origin
    if key.chain_code is None or origin is None or origin.source_fingerprint is None:
        raise InvalidDescriptor(
            "The UR's key has no chain code or no origin: it cannot be watched as an account."
        )
    path = tuple(
        (s.index or 0) | (HARDENED if s.hardened else 0)
        for s in origin.components
        if s.index is not None
    )
    if not path:
        raise InvalidDescriptor("The UR's key has no derivation path.")
    if len(path) >= 2 and path[1] != net.coin_type + HARDENED:
        raise InvalidExtendedKey(
            f"This UR's key is for another network (coin type {path[1] & ~HARDENED}); "
            f"{net.title} keys use coin type {net.coin_type}."
        )
    xpub = ExtendedPublicKey(
        origin.depth if origin.depth is not None else len(path),
        (key.parent_fingerprint or 0).to_bytes(4, "big"),
        path[-1],
        key.chain_code,
        key.key,
    )
    standard = xpub.serialize(net.standard_xkey.public)
    return format_descriptor(kind, standard, origin.source_fingerprint.to_bytes(4, "big"), path)


def parse_ur(net: UtxoNetwork, text: str, kind: str | None) -> str:
    """Read a ``crypto-account``, ``crypto-output`` or ``crypto-hdkey`` UR into a descriptor.

    Args:
        net: the network the account is imported on.
        text: one single-part UR, or several frames one per line.
        kind: the script kind to take from a ``crypto-account`` (default: the network's).

    Raises:
        InvalidDescriptor: not an account UR, no output of that kind, no origin.
        QrPayloadError: the frames are damaged or incomplete.
    """
    payload = decode_frames(line.strip() for line in text.splitlines() if line.strip())
    wanted = ScriptKind(kind) if kind else net.default_kind
    try:
        if payload.kind is PayloadKind.HDKEY:
            key = HDKey.from_item(cbor.decode(payload.data))
            purpose = (
                key.origin.components[0].index if key.origin and key.origin.components else None
            )
            chosen = next((k for k in _SCRIPTS if k.purpose == purpose), wanted)
            return _descriptor(net, ScriptKind(kind) if kind else chosen, key)
        if payload.kind is PayloadKind.OUTPUT:
            outputs: tuple[Output, ...] = (Output.from_item(cbor.decode(payload.data)),)
        elif payload.kind is PayloadKind.ACCOUNT:
            outputs = Account.from_cbor(payload.data).outputs
        else:
            raise InvalidDescriptor(f"This UR is a {payload.kind.value}, not an account.")
    except UrError as err:
        raise QrPayloadError(f"The account UR cannot be read: {err}") from None
    for output in outputs:
        found = _KINDS.get(output.scripts)
        if found is wanted and isinstance(output.key, HDKey):
            return _descriptor(net, found, output.key)
    raise InvalidDescriptor(f"The UR holds no {wanted.value} account.")
