"""Address checks for the public API: validity, network, and whether the wallet owns it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from chains.addresses import parse_address, parse_evm_address
from chains.registry import EvmNetwork, Network
from wallet.accounts.base import AddressInfo
from wallet.errors import translate_errors

__all__ = ["AddressCheck", "check_address"]


@dataclass(frozen=True, slots=True)
class AddressCheck:
    """The result of checking an address.

    Attributes:
        network: the registry name of the network it was checked for.
        address: the address in canonical form (EIP-55 case; bech32 lowercase).
        kind: ``p2wpkh``, ``p2tr``, ``p2sh``, ``p2pkh``, ``p2wsh``... or ``evm``.
        script_pubkey: the output script as hex (empty for EVM).
        account_id: the wallet account it belongs to, if any.
        owner: where in that account, if it belongs to the wallet.
    """

    network: str
    address: str
    kind: str
    script_pubkey: str
    account_id: int | None = None
    owner: AddressInfo | None = None

    @property
    def is_mine(self) -> bool:
        """Return whether the address belongs to one of the wallet's accounts."""
        return self.owner is not None

    def with_owner(self, account_id: int, owner: AddressInfo) -> AddressCheck:
        """Return a copy that records which account owns the address."""
        return replace(self, account_id=account_id, owner=owner)


def check_address(network: Network, text: str) -> AddressCheck:
    """Validate ``text`` as an address of ``network``.

    Raises:
        InvalidAddress: malformed, or a checksum that does not match.
        NetworkMismatch: a valid address of another network; the error names it.
    """
    with translate_errors():
        if isinstance(network, EvmNetwork):
            return AddressCheck(network.name, parse_evm_address(text), "evm", "")
        parsed = parse_address(network, text)
    return AddressCheck(network.name, parsed.address, parsed.kind, parsed.script_pubkey.hex())
