"""Finding the EVM accounts a seed has used: derive many addresses, ask the node in batches.

In the standard layout (``m/44'/60'/0'/0/i``) every EVM account of a seed is a child of one
extended public key, so a thousand addresses derive from the wallet's stored xpub without
unsealing the seed, and their balances and nonces come in two round trips
(``chains.evm.activity``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chains.evm.activity import AddressActivity, scan_activity
from chains.registry import EvmNetwork
from wallet.derive import derive_addresses
from wallet.errors import WalletError, translate_errors

if TYPE_CHECKING:
    from wallet.wallet import Wallet

__all__ = ["scan_evm_accounts"]


def scan_evm_accounts(
    wallet: Wallet, network: str, count: int, start: int = 0
) -> list[tuple[int, AddressActivity]]:
    """Return the activity of the standard-layout EVM accounts ``start`` .. ``start+count-1``.

    Args:
        wallet: an open wallet with (or able to derive) the network's account 0.
        network: an EVM network name.
        count: how many account indexes.
        start: the first index.

    Returns:
        ``(index, activity)`` for every index, in order; ``activity.used`` tells which the
        seed has used.

    Raises:
        WalletError: not an EVM network, or an account without an extended public key.
        BackendUnavailable: the network's nodes cannot be reached.
    """
    account = wallet.account(network, 0)
    net = account.network
    xpub = account.record.xpub
    if not isinstance(net, EvmNetwork) or xpub is None:
        raise WalletError("Account discovery needs an EVM account derived from the seed.")
    addresses = derive_addresses(net, xpub, None, 0, start, count)
    with translate_errors():
        found = scan_activity(wallet.backends.evm(net), addresses)
    return list(enumerate(found, start=start))
