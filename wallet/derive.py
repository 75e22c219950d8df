"""Fast address derivation from an account's extended public key.

The hot path of address discovery and of the derivation benchmark: BIP-32 public child
derivation on libsecp256k1, then HASH160 or Keccak and the network's encoding.
``derive_scripts`` gives each UTXO address with its output script from the same hash (or
taproot output key), so nothing parses an address back into its script.
"""

from __future__ import annotations

from chains.addresses import (
    encode_address,
    evm_address_from_pubkey,
    script_for_pubkey,
    script_to_address,
    taproot_output_key,
)
from chains.errors import MalformedAddress
from chains.registry import EvmNetwork, Network, ScriptKind, UtxoNetwork
from keystore.bip32 import ExtendedPublicKey
from primitives.bech32 import encode_segwit
from primitives.hashes import hash160

__all__ = ["derive_addresses", "derive_scripts"]


def derive_addresses(
    network: Network,
    account_xpub: ExtendedPublicKey,
    kind: ScriptKind | None,
    chain: int,
    start: int,
    count: int,
) -> list[str]:
    """Return ``count`` addresses from index ``start``.

    Args:
        network: the account's network.
        account_xpub: UTXO: the account key (``m/purpose'/coin'/account'``); EVM: the key whose
            children are the addresses (``m/44'/60'/0'/0`` in the standard layout).
        kind: the UTXO script kind; ignored for EVM.
        chain: 0 receive, 1 change (UTXO); ignored for EVM.
        start: the first index.
        count: how many.
    """
    if isinstance(network, EvmNetwork):
        return [
            evm_address_from_pubkey(p)
            for p in account_xpub.child_pubkeys_uncompressed(start, count)
        ]
    assert isinstance(network, UtxoNetwork)  # noqa: S101 - the two families
    chain_key = account_xpub.child(chain)
    pubkeys = chain_key.child_pubkeys(start, count)
    if kind is ScriptKind.P2WPKH and network.hrp is not None:
        hrp = network.hrp
        return [encode_segwit(hrp, 0, hash160(p)) for p in pubkeys]
    chosen = kind or network.default_kind
    return [encode_address(network, chosen, p) for p in pubkeys]


def derive_scripts(
    network: UtxoNetwork,
    account_xpub: ExtendedPublicKey,
    kind: ScriptKind,
    chain: int,
    start: int,
    count: int,
) -> list[tuple[str, bytes]]:
    """Return ``count`` addresses of a UTXO chain from index ``start``, each with its script.

    The addresses are the ones ``derive_addresses`` gives (the same encoding, from the same
    hash or taproot output key); the scripts come from the public keys directly. The
    account's addresses and sync's discovery both derive this way.

    Args:
        network: the account's network.
        account_xpub: the account key (``m/purpose'/coin'/account'``).
        kind: the account's script kind.
        chain: 0 receive, 1 change.
        start: the first index.
        count: how many.

    Raises:
        MalformedAddress: a segwit kind on a network without segwit.
    """
    hrp = network.hrp
    if kind is not ScriptKind.P2PKH and (not network.segwit or hrp is None):
        raise MalformedAddress(f"{network.title} has no {kind.value} addresses.", "")
    pubkeys = account_xpub.child(chain).child_pubkeys(start, count)
    rows: list[tuple[str, bytes]] = []
    for pubkey in pubkeys:
        if kind is ScriptKind.P2WPKH and hrp is not None:
            program = hash160(pubkey)
            rows.append((encode_segwit(hrp, 0, program), b"\x00\x14" + program))
        elif kind is ScriptKind.P2TR and hrp is not None:
            program = taproot_output_key(pubkey)
            rows.append((encode_segwit(hrp, 1, program), b"\x51\x20" + program))
        else:
            script = script_for_pubkey(network, kind, pubkey)
            address = script_to_address(network, script)
            assert address is not None  # noqa: S101 - P2PKH and P2SH scripts have one
            rows.append((address, script))
    return rows
