"""Commands of the EVM family: tokens, collectibles, sending, speed-up and cancel."""

from __future__ import annotations

from typing import Any

import click

from wallet.accounts import EvmAccount
from wallet.cli.chain_args import SendArgs
from wallet.errors import Unsupported
from wallet.types import Draft

__all__ = ["COMMANDS", "prepare_send", "token_balance_rows"]


def prepare_send(account: EvmAccount, args: SendArgs) -> Draft:
    """Turn the options of ``coffer send`` into a draft for an EVM account.

    Raises:
        Unsupported: sending is not available for this account yet.
    """
    raise Unsupported(f"Sending on {account.network.title} is not available yet.")


def token_balance_rows(account: EvmAccount) -> list[dict[str, Any]]:
    """Return the ``coffer balance`` rows of the account's tokens (after the coin's row)."""
    return []


COMMANDS: tuple[click.Command, ...] = ()
