"""Commands of the UTXO family (Bitcoin, Litecoin, Dogecoin): sending, coins, fee bumping."""

from __future__ import annotations

import click

from wallet.accounts import UtxoAccount
from wallet.cli.chain_args import SendArgs
from wallet.errors import Unsupported
from wallet.types import Draft

__all__ = ["COMMANDS", "prepare_send"]


def prepare_send(account: UtxoAccount, args: SendArgs) -> Draft:
    """Turn the options of ``coffer send`` into a draft for a UTXO account.

    Raises:
        Unsupported: sending is not available for this account yet.
    """
    raise Unsupported(f"Sending on {account.network.title} is not available yet.")


COMMANDS: tuple[click.Command, ...] = ()
