"""Fast address derivation from an account's extended public key.

The hot path of address discovery and of the derivation benchmark: BIP-32 public child
derivation on libsecp256k1, then HASH160 or Keccak and the network's encoding.
A UTXO account's addresses with their output scripts come from its ``AccountScripts``
(``wallet.utxo.scripts``), which render each address from its script the same way.
"""

from __future__ import annotations

from chains.addresses import encode_outputs
from chains.registry import EvmNetwork, Network, ScriptKind, UtxoNetwork
from keystore.bip32 import ExtendedPublicKey
from primitives.evm_address import evm_address_from_pubkey

__all__ = ["derive_addresses"]


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
    return [
        address for address, _ in encode_outputs(network, kind or network.default_kind, pubkeys)
    ]
