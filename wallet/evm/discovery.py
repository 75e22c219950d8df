"""Finding the EVM accounts a seed has used: derive many addresses, ask the node in batches.

In the standard layout (``m/44'/60'/0'/0/i``) every EVM account of a seed is a child of one
extended public key, so a thousand addresses derive from the wallet's stored xpub without
unsealing the seed, and their balances and nonces come in two round trips
(``chains.evm.activity``).
"""

from __future__ import annotations

from chains.evm.activity import AddressActivity, scan_activity
from keystore.bip32 import ExtendedPublicKey
from wallet.derive import derive_addresses
from wallet.errors import WalletError, translate_errors
from wallet.evm.context import EvmContext

__all__ = ["scan_evm_accounts"]


def scan_evm_accounts(
    ctx: EvmContext, xpub: ExtendedPublicKey | None, count: int, start: int = 0
) -> list[tuple[int, AddressActivity]]:
    """Return the activity of the standard-layout EVM accounts ``start`` .. ``start+count-1``.

    See ``EvmAccount.scan_accounts`` for the arguments and errors; ``xpub`` is the key every
    standard-layout account address is a child of.
    """
    if xpub is None:
        raise WalletError("Account discovery needs an EVM account derived from the seed.")
    addresses = derive_addresses(ctx.network, xpub, None, 0, start, count)
    with translate_errors():
        found = scan_activity(ctx.connect(), addresses)
    return list(enumerate(found, start=start))
