"""Addresses of every registered network: encode, parse with precise refusals, identify.

An address of another network is refused with ``WrongNetworkAddress`` naming the network(s)
it belongs to; a typo is ``InvalidAddressChecksum``; anything else ``MalformedAddress``.
"""

from __future__ import annotations

from dataclasses import dataclass

from coincurve import PublicKey

from chains.errors import InvalidAddressChecksum, MalformedAddress, WrongNetworkAddress
from chains.registry import NETWORKS, EvmNetwork, Network, ScriptKind, UtxoNetwork
from primitives.base58 import (
    Base58ChecksumError,
    Base58Error,
    b58check_decode,
    b58check_encode,
    b58decode,
)
from primitives.bech32 import Bech32ChecksumError, Bech32Error, decode_segwit, encode_segwit
from primitives.hashes import hash160, keccak256, tagged_hash

__all__ = [
    "ParsedAddress",
    "encode_address",
    "evm_address_from_pubkey",
    "identify_networks",
    "parse_address",
    "parse_evm_address",
    "script_for_pubkey",
    "script_to_address",
    "taproot_output_key",
    "to_checksum_address",
]

_HEX = frozenset("0123456789abcdefABCDEF")
_HEX_DIGITS = b"0123456789abcdef"
# EIP-55 checksum as byte arithmetic: 0x20 is the ASCII case bit. A letter of the lowercase
# hex address is upper-cased where the matching nibble of the hash of that text is 8 or more.
_HASH_NIBBLE_HIGH = bytes.maketrans(_HEX_DIGITS, b"\x00" * 8 + b"\x20" * 8)
_IS_LETTER = bytes.maketrans(_HEX_DIGITS, b"\x00" * 10 + b"\x20" * 6)


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """A checked address: canonical text, output script and kind.

    ``kind`` is ``p2pkh``, ``p2sh``, ``p2wpkh``, ``p2wsh``, ``p2tr`` or ``witness-unknown``.
    """

    address: str
    script_pubkey: bytes
    kind: str


def taproot_output_key(internal_pubkey: bytes) -> bytes:
    """Return the BIP-86 output key: the x-only internal key tweaked with no script tree.

    Args:
        internal_pubkey: the 33-byte compressed internal key.
    """
    point = PublicKey(internal_pubkey)
    xonly = point.format(compressed=True)[1:]
    # BIP-340 keys are even-y; lifting the x coordinate gives the even point.
    even = PublicKey(b"\x02" + xonly)
    tweak = tagged_hash("TapTweak", xonly)
    tweaked: bytes = even.add(tweak).format(compressed=True)
    return tweaked[1:]


def script_for_pubkey(network: UtxoNetwork, kind: ScriptKind, pubkey: bytes) -> bytes:
    """Return the output script that pays a compressed public key in the given kind."""
    if kind is ScriptKind.P2WPKH:
        return b"\x00\x14" + hash160(pubkey)
    if kind is ScriptKind.P2TR:
        return b"\x51\x20" + taproot_output_key(pubkey)
    if kind is ScriptKind.P2SH_P2WPKH:
        return b"\xa9\x14" + hash160(b"\x00\x14" + hash160(pubkey)) + b"\x87"
    return b"\x76\xa9\x14" + hash160(pubkey) + b"\x88\xac"


def encode_address(network: UtxoNetwork, kind: ScriptKind, pubkey: bytes) -> str:
    """Return the address of a compressed public key in the given script kind.

    Raises:
        MalformedAddress: a segwit kind on a network without segwit.
    """
    if kind in (ScriptKind.P2WPKH, ScriptKind.P2TR, ScriptKind.P2SH_P2WPKH) and not network.segwit:
        raise MalformedAddress(f"{network.title} has no {kind.value} addresses.", "")
    if kind is ScriptKind.P2WPKH:
        assert network.hrp is not None  # noqa: S101 - checked above
        return encode_segwit(network.hrp, 0, hash160(pubkey))
    if kind is ScriptKind.P2TR:
        assert network.hrp is not None  # noqa: S101
        return encode_segwit(network.hrp, 1, taproot_output_key(pubkey))
    if kind is ScriptKind.P2SH_P2WPKH:
        redeem = b"\x00\x14" + hash160(pubkey)
        return b58check_encode(bytes([network.p2sh_versions[0]]) + hash160(redeem))
    return b58check_encode(bytes([network.p2pkh_version]) + hash160(pubkey))


def script_to_address(network: UtxoNetwork, script: bytes) -> str | None:
    """Return the address of an output script, or ``None`` for scripts without one."""
    if len(script) == 25 and script[:3] == b"\x76\xa9\x14" and script[23:] == b"\x88\xac":
        return b58check_encode(bytes([network.p2pkh_version]) + script[3:23])
    if len(script) == 23 and script[:2] == b"\xa9\x14" and script[22] == 0x87:
        return b58check_encode(bytes([network.p2sh_versions[0]]) + script[2:22])
    if network.hrp and 4 <= len(script) <= 42 and script[1] == len(script) - 2:
        op = script[0]
        if op == 0 or 0x51 <= op <= 0x60:
            return encode_segwit(network.hrp, 0 if op == 0 else op - 0x50, script[2:])
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


def to_checksum_address(address: bytes | str) -> str:
    """Return the EIP-55 mixed-case checksum form of a 20-byte address.

    EIP-55 "Specification": hash the lowercase hex with Keccak-256 and capitalise the i-th
    letter when the i-th hex digit of the hash is 8 or more.

    Raises:
        ValueError: text that is not 40 hex digits (with or without ``0x``), or not 20 bytes.
    """
    raw = (
        address
        if isinstance(address, bytes)
        else bytes.fromhex(address.removeprefix("0x").removeprefix("0X"))
    )
    if len(raw) != 20:
        raise ValueError("an EVM address is 20 bytes")
    lower = raw.hex().encode()
    digest = keccak256(lower).hex().encode()[:40]
    flips = int.from_bytes(digest.translate(_HASH_NIBBLE_HIGH), "big") & int.from_bytes(
        lower.translate(_IS_LETTER), "big"
    )
    return "0x" + (int.from_bytes(lower, "big") ^ flips).to_bytes(40, "big").decode()


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
    checksummed = to_checksum_address(bytes.fromhex(body))
    if body != body.lower() and body != body.upper() and checksummed[2:] != body:
        raise InvalidAddressChecksum(
            "This address has a typo: its mixed-case letters do not match its EIP-55 checksum.",
            address,
        )
    return checksummed


def evm_address_from_pubkey(pubkey: bytes) -> str:
    """Return the EIP-55 address of a 65-byte uncompressed (or 33-byte compressed) public key."""
    if len(pubkey) == 33:
        pubkey = PublicKey(pubkey).format(compressed=False)
    return to_checksum_address(keccak256(pubkey[1:])[12:])
