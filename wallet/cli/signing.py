"""Showing a transaction to a person, asking, signing and broadcasting: shared by every family.

``coffer send`` (``wallet.cli.chain``), ``bump`` (``wallet.cli.utxo``) and ``speedup`` /
``cancel`` (``wallet.cli.evm``) all end here; this module imports none of them, so the three
command modules do not import one another.
"""

from __future__ import annotations

import click

from keystore.types import TxSummary
from wallet.accounts import Account
from wallet.amounts import format_amount
from wallet.errors import SigningCancelled, WalletError
from wallet.types import Draft
from wallet.wallet import Wallet

__all__ = ["CliPrompt", "format_summary", "sign_and_send"]


def format_summary(summary: TxSummary, symbol: str, decimals: int) -> list[str]:
    """Return the lines that show a transaction summary to a person before signing."""
    lines = [
        f"Network: {summary.network}"
        + (f" (chain id {summary.chain_id})" if summary.chain_id else "")
    ]
    for out in summary.outputs:
        asset_symbol = out.asset if out.asset is not None else symbol
        asset_decimals = out.decimals if out.decimals is not None else decimals
        if out.asset is not None and out.decimals is None:
            asset_decimals = 0  # a collectible: whole items
        role = "change " if out.is_change else "send   "
        lines.append(
            f"  {role}{format_amount(out.amount, asset_decimals, asset_symbol):>28}  {out.address}"
        )
    lines.append(f"  fee    {format_amount(summary.fee, decimals, symbol):>28}")
    if summary.replaceable:
        lines.append("  replaceable (BIP-125): the fee can be bumped later")
    return lines


class CliPrompt:
    """Ask at the terminal before signing, unless ``--yes`` was given."""

    def __init__(self, assume_yes: bool, symbol: str, decimals: int) -> None:
        """Remember whether to ask and how to show amounts."""
        self._assume_yes = assume_yes
        self._symbol = symbol
        self._decimals = decimals

    def confirm_transaction(self, summary: TxSummary) -> bool:
        """Show the signer's own summary and return whether the person approves it."""
        click.echo("The signer checked this transaction:", err=True)
        for line in format_summary(summary, self._symbol, self._decimals):
            click.echo(line, err=True)
        if self._assume_yes:
            return True
        return bool(click.confirm("Sign and send it?", default=False, err=True))


def sign_and_send(wallet: Wallet, account: Account, draft: Draft, assume_yes: bool) -> str:
    """Sign a draft with the wallet's keys after the person approves it, broadcast it.

    Returns:
        The transaction's id (hash).

    Raises:
        WalletError: the person declined to sign (nothing was sent), or any refusal of
            signing or of the broadcast.
    """
    net = account.network
    try:
        signed = wallet.sign(draft, CliPrompt(assume_yes, net.symbol, net.decimals))
    except SigningCancelled:
        raise WalletError("Not sent: you declined to sign.") from None
    return account.broadcast(signed)
