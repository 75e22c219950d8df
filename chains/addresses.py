"""Addresses of every registered network: encode, parse with precise refusals, identify.

An address of another network is refused with ``WrongNetworkAddress`` naming the network(s)
it belongs to; a typo is ``InvalidAddressChecksum``; anything else ``MalformedAddress``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from chains.errors import InvalidAddressChecksum, MalformedAddress, WrongNetworkAddress
from chains.registry import NETWORKS, EvmNetwork, Network, ScriptKind, UtxoNetwork
from primitives.base58 import (
    Base58ChecksumError,
    Base58Error,
    b58check_decode,
    b58decode,
)
from primitives.bech32 import Bech32ChecksumError, Bech32Error, decode_segwit
from primitives.evm_address import is_valid_checksum, to_checksum_address
from primitives.script import (
    AddressError,
    AddressParams,
    KeyScriptKind,
    key_script,
    script_to_address,
)

__all__ = [
    "ParsedAddress",
    "address_format",
    "encode_address",
    "encode_outputs",
    "identify_networks",
    "output_address",
    "parse_address",
    "parse_evm_address",
    "script_for_pubkey",
]

_HEX = frozenset("0123456789abcdefABCDEF")
_KEY_SCRIPT_KINDS: Mapping[ScriptKind, KeyScriptKind] = MappingProxyType(
    {kind: KeyScriptKind(kind.value) for kind in ScriptKind}
)


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """A checked address: canonical text, output script and kind.

    ``kind`` is ``p2pkh``, ``p2sh``, ``p2wpkh``, ``p2wsh``, ``p2tr`` or ``witness-unknown``.
    """

    address: str
    script_pubkey: bytes
    kind: str


def script_for_pubkey(network: UtxoNetwork, kind: ScriptKind, pubkey: bytes) -> bytes:
    """Return the output script that pays a compressed public key in the given kind.

    P2TR is BIP-86: the x-only key tweaked with no script tree (BIP-341).
    """
    return key_script(_KEY_SCRIPT_KINDS[kind], pubkey)


def encode_address(network: UtxoNetwork, kind: ScriptKind, pubkey: bytes) -> str:
    """Return the address of a compressed public key in the given script kind.

    Args:
        network: the network whose address encoding is used.
        kind: the script kind (BIP-44/49/84/86 account type).
        pubkey: the 33-byte compressed public key.

    Raises:
        MalformedAddress: a segwit kind on a network without segwit.
    """
    return encode_outputs(network, kind, (pubkey,))[0][0]


def encode_outputs(
    network: UtxoNetwork, kind: ScriptKind, pubkeys: Iterable[bytes]
) -> list[tuple[str, bytes]]:
    """Return the address and the output script of each compressed public key, in order.

    The text comes from the script, through ``primitives.script.script_to_address``, the
    encoder the signer shows addresses with: the address a wallet hands out is, by
    construction, the script it watches.

    Args:
        network: the network whose address encoding is used.
        kind: the script kind (BIP-44/49/84/86 account type).
        pubkeys: 33-byte compressed public keys.

    Raises:
        MalformedAddress: a segwit kind on a network without segwit.
    """
    if kind in (ScriptKind.P2WPKH, ScriptKind.P2TR, ScriptKind.P2SH_P2WPKH) and not network.segwit:
        raise MalformedAddress(f"{network.title} has no {kind.value} addresses.", "")
    params = address_format(network)
    rows = []
    for pubkey in pubkeys:
        script = script_for_pubkey(network, kind, pubkey)
        rows.append((script_to_address(script, params), script))
    return rows


def address_format(network: UtxoNetwork) -> AddressParams:
    """Return what ``primitives.script`` needs to encode addresses of ``network``."""
    return AddressParams(network.hrp, network.p2pkh_version, network.p2sh_versions[0])


def output_address(network: UtxoNetwork, script: bytes) -> str | None:
    """Return the address an output script pays on ``network``, ``None`` if it has none.

    A thin wrapper for display code (``None`` for a data output, bare multisig or a segwit
    script on a network without segwit): the encoding is ``primitives.script``'s
    ``script_to_address``, the one copy the signer also uses.
    """
    try:
        return script_to_address(script, address_format(network))
    except AddressError:
        return None


def _segwit_script(version: int, program: bytes) -> bytes:
    return bytes([0 if version == 0 else 0x50 + version, len(program)]) + program


def _segwit_kind(version: int, program: bytes) -> str:
    if version == 0:
        return "p2wpkh" if len(program) == 20 else "p2wsh"
    if version == 1 and len(program) == 32:
        return "p2tr"
    return "witness-unknown"


def _utxo_networks() -> list[UtxoNetwork]:
    return [n for n in NETWORKS.values() if isinstance(n, UtxoNetwork)]


def _titles(names: tuple[str, ...]) -> str:
    titles = [NETWORKS[n].title for n in names]
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " or " + titles[-1]


def identify_networks(text: str) -> tuple[str, ...]:
    """Return the names of the networks a valid address belongs to (empty if none)."""
    address = text.strip()
    if _looks_evm(address):
        try:
            parse_evm_address(address)
        except MalformedAddress:
            return ()
        return tuple(n.name for n in NETWORKS.values() if isinstance(n, EvmNetwork))
    found: list[str] = []
    try:
        hrp, _, _ = decode_segwit(address)
        found = [n.name for n in _utxo_networks() if n.hrp == hrp]
    except Bech32Error:
        try:
            payload = b58check_decode(address)
        except Base58Error:
            return ()
        if len(payload) == 21:
            version = payload[0]
            found = [
                n.name
                for n in _utxo_networks()
                if version == n.p2pkh_version or version in n.p2sh_versions
            ]
    return tuple(found)


def _looks_evm(text: str) -> bool:
    return text[:2] in ("0x", "0X") and len(text) == 42 and all(c in _HEX for c in text[2:])


def _refuse_other_network(address: str, network: Network) -> None:
    others = tuple(n for n in identify_networks(address) if n != network.name)
    if others:
        if isinstance(NETWORKS[others[0]], EvmNetwork):
            label = "an EVM (Ethereum-family) address"
        else:
            label = f"a {_titles(others)} address"
        raise WrongNetworkAddress(
            f"This is {label}; the account is on {network.title}.",
            address,
            others,
            network.name,
        )


def _bech32_prefixed(lowered: str) -> bool:
    """Return whether text starts like a segwit address of a registered network (``hrp1``)."""
    return any(n.hrp and lowered.startswith(n.hrp + "1") for n in _utxo_networks())


def parse_address(network: UtxoNetwork, text: str) -> ParsedAddress:
    """Check ``text`` as an address of ``network`` and return its script.

    Segwit addresses follow BIP-173 and BIP-350 (witness versions 1 to 16 need Bech32m, and
    any version up to 16 is accepted as a destination, BIP-350 "Test vectors"); legacy ones
    are Base58Check with the network's P2PKH or P2SH version byte.

    Raises:
        WrongNetworkAddress: a valid address of another network (named in the message).
        InvalidAddressChecksum: the address has a typo (its checksum does not match).
        MalformedAddress: anything else.
    """
    address = text.strip()
    if not address:
        raise MalformedAddress("The address is empty.", text)
    lowered = address.lower()
    if network.hrp and lowered.startswith(network.hrp + "1"):
        try:
            hrp, version, program = decode_segwit(address)
        except Bech32ChecksumError:
            raise InvalidAddressChecksum(
                f"This {network.title} address has a typo: its checksum does not match.",
                address,
            ) from None
        except Bech32Error as err:
            raise MalformedAddress(
                f"This is not a valid {network.title} address: it {err}.", address
            ) from None
        if hrp == network.hrp:
            return ParsedAddress(
                lowered, _segwit_script(version, program), _segwit_kind(version, program)
            )
    try:
        payload: bytes | None = b58check_decode(address)
        typo = False
    except Base58ChecksumError:
        payload, typo = None, True
    except Base58Error:
        payload, typo = None, False
    if payload is not None and len(payload) == 21:
        # The network's own versions come first: several networks share a version byte
        # (0x6F on every testnet, 0x05 kept by Litecoin), and such an address is valid here.
        version, body = payload[0], payload[1:]
        if version == network.p2pkh_version:
            return ParsedAddress(address, b"\x76\xa9\x14" + body + b"\x88\xac", "p2pkh")
        if version in network.p2sh_versions:
            return ParsedAddress(address, b"\xa9\x14" + body + b"\x87", "p2sh")
    _refuse_other_network(address, network)
    if _bech32_prefixed(lowered):
        # Another network's segwit prefix, yet valid nowhere: not a typo of this network's
        # address (Base58Check would call it one when every character is also Base58).
        raise MalformedAddress(f"This is not a {network.title} address.", address)
    if typo and _base58_version(address) in (network.p2pkh_version, *network.p2sh_versions):
        raise InvalidAddressChecksum(
            f"This {network.title} address has a typo: its checksum does not match.", address
        )
    raise MalformedAddress(f"This is not a {network.title} address.", address)


def _base58_version(address: str) -> int | None:
    """Return the version byte of 25-byte Base58 text (an address with its checksum)."""
    try:
        raw = b58decode(address)
    except Base58Error:
        return None
    return raw[0] if len(raw) == 25 else None


def parse_evm_address(text: str, network: Network | None = None) -> str:
    """Check an EVM address and return its EIP-55 form.

    All-lowercase and all-uppercase hex carry no checksum and are accepted; mixed case must be
    the EIP-55 checksum.

    Raises:
        WrongNetworkAddress: an address of a UTXO network.
        InvalidAddressChecksum: mixed case that is not the EIP-55 checksum (a typo).
        MalformedAddress: not 20 bytes of hex with ``0x``.
    """
    address = text.strip()
    title = network.title if network is not None else "an EVM network"
    if not _looks_evm(address):
        others = identify_networks(address) if address[:2] not in ("0x", "0X") else ()
        if others:
            raise WrongNetworkAddress(
                f"This is a {_titles(others)} address; the account is on {title}.",
                address,
                others,
                network.name if network is not None else "evm",
            )
        raise MalformedAddress("An EVM address is 0x followed by 40 hexadecimal digits.", address)
    body = address[2:]
    if not is_valid_checksum(body):
        raise InvalidAddressChecksum(
            "This address has a typo: its mixed-case letters do not match its EIP-55 checksum.",
            address,
        )
    return to_checksum_address(body)
