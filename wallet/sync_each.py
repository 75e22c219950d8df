"""Sync a whole wallet: every account is tried, a network that fails does not stop the rest.

A person's wallet holds accounts on several networks; one unreachable server must not leave
the others unsynced. Each network's servers are tried once: when they fail, the network's
other accounts get the same error at once instead of waiting for the same timeouts again.
"""

from __future__ import annotations

from collections.abc import Sequence

from wallet.accounts import Account
from wallet.errors import BackendUnavailable, NetworkMismatch, WalletError
from wallet.types import SyncOutcome

__all__ = ["sync_each"]

# Errors that belong to the network (its servers), not to one account.
_NETWORK_ERRORS = (BackendUnavailable, NetworkMismatch)


def sync_each(accounts: Sequence[Account]) -> list[SyncOutcome]:
    """Sync each account in turn and return how each ended; raise nothing for a failure.

    Args:
        accounts: the accounts to sync, in the order to report them.

    Returns:
        One outcome per account, in the same order.
    """
    failed: dict[str, WalletError] = {}
    outcomes: list[SyncOutcome] = []
    for account in accounts:
        network = account.network.name
        error = failed.get(network)
        if error is None:
            try:
                report = account.sync()
            except WalletError as err:
                if isinstance(err, _NETWORK_ERRORS):
                    failed[network] = err
                error = err
            else:
                outcomes.append(SyncOutcome(network, account.id, account.index, report))
                continue
        outcomes.append(SyncOutcome(network, account.id, account.index, error=error))
    return outcomes
