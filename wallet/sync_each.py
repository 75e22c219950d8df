"""Sync a whole wallet: every account is tried, a network that fails does not stop the rest.

A person's wallet holds accounts on several networks; one unreachable server must not leave
the others unsynced. Each network's servers are tried once: when they fail, the network's
other accounts get the same error at once instead of waiting for the same timeouts again.
"""

from __future__ import annotations

from collections.abc import Sequence

from wallet.accounts import Account
from wallet.cancel import CancelToken, check_cancelled
from wallet.errors import BackendUnavailable, Cancelled, NetworkMismatch, WalletError
from wallet.types import SyncOutcome

__all__ = ["sync_each"]

# Errors that belong to the network (its servers), not to one account.
_NETWORK_ERRORS = (BackendUnavailable, NetworkMismatch)


def sync_each(accounts: Sequence[Account], cancel: CancelToken | None = None) -> list[SyncOutcome]:
    """Sync each account in turn and return how each ended; raise nothing for a failure.

    Args:
        accounts: the accounts to sync, in the order to report them.
        cancel: checked before each account and between the pages of one (see
            ``wallet.cancel``).

    Returns:
        One outcome per account, in the same order.

    Raises:
        Cancelled: ``cancel`` was cancelled; the accounts synced before keep what they
            stored, and so do the pages of the account that was syncing.
    """
    failed: dict[str, WalletError] = {}
    outcomes: list[SyncOutcome] = []
    for account in accounts:
        check_cancelled(cancel, "The sync")
        network = account.network.name
        error = failed.get(network)
        if error is None:
            try:
                report = account.sync(cancel)
            except Cancelled:
                raise
            except WalletError as err:
                if isinstance(err, _NETWORK_ERRORS):
                    failed[network] = err
                error = err
            else:
                outcomes.append(SyncOutcome(network, account.id, account.index, report))
                continue
        outcomes.append(SyncOutcome(network, account.id, account.index, error=error))
    return outcomes
