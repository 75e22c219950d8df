"""Accounts as signers export them, and back: descriptor, xpub, Sparrow and Electrum JSON.

A signer's ``export_account`` gives the key origin and the extended public key
(``AccountExport``). This module writes it in the forms other wallets read and reads those
forms back, so a watch-only wallet can import what any signer exported:

- ``descriptor``: ``wpkh([73c5da0a/84h/0h/0h]xpub.../<0;1>/*)#checksum`` (BIP-380/389);
- ``xpub``: the SLIP-132 key (``zpub``, ``vpub``...) alone, without its origin;
- ``sparrow``: the generic JSON a Coldcard writes and Sparrow imports (``xfp``, one
  ``bipNN`` section with ``deriv``, ``xpub`` and ``first``);
- ``electrum``: an Electrum wallet file of one BIP-32 keystore (``root_fingerprint``,
  ``derivation``, the SLIP-132 ``xpub``), which Electrum opens as a watch-only wallet;
- ``ur-account`` / ``ur-hdkey``: BC-UR ``crypto-account`` / ``crypto-hdkey`` (what QR-based
  signers show; ``wallet.signing.ur_export``).

Every form is turned into one descriptor with its origin before it is imported, so the
checks of ``import_descriptor`` (checksum, network of the key, depth of the origin) apply to
all of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from chains.registry import EvmNetwork, Network, ScriptKind, UtxoNetwork, get_network
from keystore.bip32 import HARDENED, ExtendedPublicKey, format_path, parse_path
from keystore.errors import InvalidExtendedKey as KeyInvalidExtendedKey
from keystore.errors import InvalidPath as KeyInvalidPath
from keystore.signers.accounts import address_of
from keystore.types import AccountExport, EvmParams, UtxoParams
from wallet.descriptors import format_descriptor, parse_descriptor
from wallet.errors import InvalidDescriptor, InvalidExtendedKey, WalletError, translate_errors
from wallet.signing.ur_export import (
    UR_FORMATS,
    EvmKey,
    format_evm_ur,
    format_ur,
    parse_evm_ur,
    parse_ur,
)
from wallet.utxo.draft import utxo_params

__all__ = [
    "EXPORT_FORMATS",
    "ParsedExport",
    "evm_params",
    "format_export",
    "network_params",
    "parse_export",
]

EXPORT_FORMATS = ("descriptor", "xpub", "sparrow", "electrum", "ur-account", "ur-hdkey")
"""The text forms ``format_export`` writes; the last two are BC-UR (``ur:crypto-...``)."""

_SECTIONS = {ScriptKind.P2PKH: "bip44", ScriptKind.P2SH_P2WPKH: "bip49", ScriptKind.P2WPKH: "bip84"}
_SECTIONS[ScriptKind.P2TR] = "bip86"


@dataclass(frozen=True, slots=True)
class ParsedExport:
    """An exported account read back: what ``import_descriptor`` or ``import_xpub`` takes.

    Attributes:
        descriptor: the account as a checksummed descriptor (with the origin if known).
        xpub: the key as given, when the form was a bare extended key (no origin).
        address: an EVM address (address-only export).
        evm_key: an EVM key with its origin (a ``crypto-hdkey`` export).
        label: a name the export carried, if any.
    """

    descriptor: str | None = None
    xpub: str | None = None
    address: str | None = None
    evm_key: EvmKey | None = None
    label: str = ""


def evm_params(net: EvmNetwork) -> EvmParams:
    """Return what a signer must know of an EVM network (its chain id first)."""
    return EvmParams(net.name, net.title, net.symbol, net.chain_id, net.decimals)


def network_params(net: Network) -> UtxoParams | EvmParams:
    """Return the keystore's value type of a network (``UtxoParams`` or ``EvmParams``)."""
    return utxo_params(net) if isinstance(net, UtxoNetwork) else evm_params(net)


def _utxo(network: str) -> UtxoNetwork:
    with translate_errors():
        net = get_network(network)
    if not isinstance(net, UtxoNetwork):
        raise WalletError(f"{net.title} accounts are exported as an address, not as a key.")
    return net


def _kind(export: AccountExport, net: UtxoNetwork) -> ScriptKind:
    try:
        kind = ScriptKind(export.script or "")
    except ValueError:
        raise WalletError("The export names no script kind.") from None
    if kind not in net.script_kinds:
        raise InvalidExtendedKey(f"{net.title} has no {kind.value} accounts.")
    return kind


def format_export(
    export: AccountExport, network: str, fmt: str = "descriptor", child: int = 0
) -> str:
    """Write an exported account in one of ``EXPORT_FORMATS``.

    Args:
        export: what the signer's ``export_account`` returned.
        network: the registry name of the account's network.
        fmt: one of ``EXPORT_FORMATS``; an EVM account is exported as its address, or with
            ``ur-hdkey`` as its key (``m/44'/60'/0'``) for a watch-only wallet that signs
            through the air gap.
        child: for EVM, the address index under the key (MetaMask's account number).

    Raises:
        WalletError: an unknown form, or a script kind the network lacks.
    """
    with translate_errors():
        net = get_network(network)
    if isinstance(net, EvmNetwork):
        if fmt == "ur-hdkey":
            return format_evm_ur(export, child)
        return address_of(evm_params(net), export.key.derive_path((0, child)), None)
    if fmt not in EXPORT_FORMATS:
        raise WalletError(
            f"Accounts are exported as one of {', '.join(EXPORT_FORMATS)}; not {fmt!r}."
        )
    kind = _kind(export, net)
    if fmt in UR_FORMATS:
        return format_ur(export, net, kind, fmt)
    standard = export.key.serialize(net.standard_xkey.public)
    slip132 = export.key.serialize(net.xkeys[kind][0].public)
    if fmt == "descriptor":
        return format_descriptor(kind, standard, export.fingerprint, export.path)
    if fmt == "xpub":
        return slip132
    path = format_path(export.path)
    xfp = export.fingerprint.hex()
    if fmt == "electrum":
        keystore = {
            "type": "bip32",
            "xpub": slip132,
            "derivation": path,
            "root_fingerprint": xfp,
            "label": "",
        }
        return json.dumps({"keystore": keystore, "wallet_type": "standard"}, indent=1)
    first = address_of(utxo_params(net), export.key.derive_path((0, 0)), kind.value)
    section = {"name": kind.value, "deriv": path, "xpub": standard, "_pub": slip132, "first": first}
    account = export.path[2] - HARDENED if len(export.path) > 2 else 0
    body = {"chain": net.symbol, "xfp": xfp.upper(), "account": account, _SECTIONS[kind]: section}
    return json.dumps(body, indent=1)


def _origin_descriptor(
    net: UtxoNetwork, kind: ScriptKind, key_text: str, fingerprint: str, path_text: str
) -> str:
    versions = tuple({v.public for vs in net.xkeys.values() for v in vs})
    try:
        key, _ = ExtendedPublicKey.parse(key_text.strip(), versions)
        path = parse_path(path_text.replace("h", "'").replace("H", "'"))
        fp = bytes.fromhex(fingerprint)
    except KeyInvalidExtendedKey as err:
        raise InvalidExtendedKey(str(err)) from None
    except (KeyInvalidPath, ValueError) as err:
        raise InvalidDescriptor(f"The export's key origin is unreadable: {err}") from None
    if len(fp) != 4:
        raise InvalidDescriptor("The export's master fingerprint is not 4 bytes.")
    standard = key.serialize(net.standard_xkey.public)
    return format_descriptor(kind, standard, fp, path)


def _from_json(net: UtxoNetwork, data: object, kind: str | None) -> ParsedExport:
    if not isinstance(data, dict):
        raise InvalidDescriptor("This JSON is not an account export.")
    store = data.get("keystore")
    if isinstance(store, dict):  # Electrum's wallet file
        key = str(store.get("xpub", ""))
        versions = {v.public: k for k, vs in net.xkeys.items() for v in vs}
        with translate_errors():
            _, version = ExtendedPublicKey.parse(key, tuple(versions))
        chosen = ScriptKind(kind) if kind else versions[version]
        origin = _origin_descriptor(
            net,
            chosen,
            key,
            str(store.get("root_fingerprint", "")),
            str(store.get("derivation", "")),
        )
        return ParsedExport(descriptor=origin, label=str(store.get("label", "")))
    sections = [(k, s) for k, s in _SECTIONS.items() if isinstance(data.get(s), dict)]
    if kind is not None:
        sections = [(k, s) for k, s in sections if k.value == kind]
    elif len(sections) > 1:
        default = [(k, s) for k, s in sections if k is net.default_kind]
        sections = default or sections[:1]
    if not sections or "xfp" not in data:
        raise InvalidDescriptor(
            "This JSON names no account Coffer reads (Electrum's keystore, or a bip44/49/84/86 "
            "section with xfp)."
        )
    chosen, name = sections[0]
    section = data[name]
    origin = _origin_descriptor(
        net, chosen, str(section.get("xpub", "")), str(data["xfp"]), str(section.get("deriv", ""))
    )
    return ParsedExport(descriptor=origin)


def parse_export(network: str, text: str, kind: str | None = None) -> ParsedExport:
    """Read an exported account in any form ``format_export`` writes (and Core's descriptors).

    Args:
        network: the registry name of the network the account is imported on.
        text: the export: descriptor, extended key, Sparrow/Coldcard JSON, Electrum wallet
            JSON, or for EVM networks an address.
        kind: for a JSON export with several sections, the script kind to take.

    Raises:
        InvalidDescriptor: a malformed export, a bad checksum, an unreadable origin.
        InvalidExtendedKey: a key of another network or account type.
    """
    text = text.strip()
    with translate_errors():
        net = get_network(network)
    if isinstance(net, EvmNetwork):
        if text[:3].lower() == "ur:":
            return ParsedExport(evm_key=parse_evm_ur(text))
        return ParsedExport(address=text)
    if text[:3].lower() == "ur:":
        return ParsedExport(descriptor=parse_ur(net, text, kind))
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidDescriptor(f"This JSON export cannot be read: {err.msg}.") from None
        return _from_json(net, data, kind)
    if "(" in text:
        versions = tuple({v.public for vs in net.xkeys.values() for v in vs})
        parse_descriptor(text, versions)  # checks checksum, key network and origin now
        return ParsedExport(descriptor=text)
    return ParsedExport(xpub=text)
