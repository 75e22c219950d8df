"""Showing a transaction to a person, asking, signing and broadcasting: shared by every family.

``coffer send`` (``wallet.cli.chain``), ``bump`` (``wallet.cli.utxo``) and ``speedup`` /
``cancel`` (``wallet.cli.evm``) all end here; this module imports none of them, so the three
command modules do not import one another.
"""

from __future__ import annotations

import json

import click

from keystore.types import MessageFormat, MessageRequest, SummaryOutput, TxSummary
from wallet import EvmDraft, UtxoDraft
from wallet.accounts import Account
from wallet.amounts import format_amount
from wallet.errors import SigningCancelled, WalletError
from wallet.types import Draft
from wallet.wallet import Wallet

__all__ = ["CliPrompt", "format_draft", "format_summary", "sign_and_send"]


def _call_text(out: SummaryOutput) -> str:
    """Return a token output as the call the signer decoded from the call data."""
    if out.token_id is None:
        return f"transfer({out.address}, {out.amount}) on {out.contract}"
    return f"safeTransferFrom(you, {out.address}, {out.token_id}) on {out.contract}"


def format_summary(summary: TxSummary, symbol: str, decimals: int) -> list[str]:
    """Return the lines that show a transaction summary to a person before signing.

    Everything comes from the signer's own reading of the transaction: the outputs with the
    change it proved, the fee with its rate (UTXO) or the maximum fee (EVM: gas limit times
    the fee cap per gas, of which usually less is paid), the nonce and the decoded call.
    """
    evm = summary.chain_id is not None
    lines = [f"Network: {summary.network}" + (f" (chain id {summary.chain_id})" if evm else "")]
    if summary.nonce is not None:
        lines.append(f"  nonce   {summary.nonce}")
    for out in summary.outputs:
        asset_symbol = out.asset if out.asset is not None else symbol
        asset_decimals = out.decimals if out.decimals is not None else decimals
        if out.asset is not None and out.decimals is None:
            asset_decimals = 0  # a collectible: whole items
        role = "change  " if out.is_change else "send    "
        lines.append(
            f"  {role}{format_amount(out.amount, asset_decimals, asset_symbol):>28}  {out.address}"
        )
        if out.contract is not None:
            lines.append(f"  call    {_call_text(out)}")
    if summary.contract_call is not None:
        lines.append(f"  call    {summary.contract_call}")
    fee = format_amount(summary.fee, decimals, symbol)
    if evm:
        lines.append(f"  max fee {fee:>28}  (the most it can cost; usually less is paid)")
    else:
        rate = summary.fee_rate
        detail = f"  ({rate:f} sat/vB, {summary.vsize} vB signed)" if rate is not None else ""
        lines.append(f"  fee     {fee:>28}{detail}")
    if summary.replaceable:
        lines.append("  replaceable (BIP-125): the fee can be bumped later")
    return lines


def format_draft(draft: Draft) -> list[str]:
    """Return what the wallet says a draft replaces or pays for, to show before the summary.

    The signer cannot know which pending transaction a replacement replaces (it sees one
    transaction); the wallet says it here, and the summary below shows the fee rate (UTXO)
    or the nonce (EVM) the signer read, which is what makes it a replacement.
    """
    if isinstance(draft, UtxoDraft):
        used = f"{draft.fee_rate.normalize():f} sat/vB"
        if draft.kind == "bump" and draft.replaces is not None:
            line = f"Replaces {draft.replaces} (BIP-125) at {used}"
            asked = draft.requested_fee_rate
            if asked is not None and asked < draft.fee_rate:
                line += (
                    f", raised from the {asked.normalize():f} sat/vB asked: the least a "
                    "replacement must pay"
                )
            return [line + "."]
        if draft.kind == "cpfp" and draft.parent is not None:
            return [f"Pays for {draft.parent} with a child: together they pay {used}."]
    if isinstance(draft, EvmDraft) and draft.replaces is not None:
        nonce = draft.request.nonce
        if draft.kind == "cancel":
            return [
                f"Cancels {draft.replaces}: sends nothing to yourself with its nonce {nonce}, "
                "so at most one of the two is mined."
            ]
        return [f"Replaces {draft.replaces} (the same nonce {nonce}, higher fees)."]
    return []


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

    def confirm_message(self, request: MessageRequest) -> bool:
        """Show the message and the signing address; return whether the person approves."""
        what = "typed data (EIP-712)" if request.format is MessageFormat.EIP712 else "message"
        click.echo(f"Sign this {what} as {request.address}:", err=True)
        text = request.message.decode("utf-8", "replace")
        if request.format is MessageFormat.EIP712:  # checked by the wallet: valid JSON
            document = json.loads(text)
            click.echo(f"  domain   {json.dumps(document.get('domain', {}))}", err=True)
            click.echo(f"  type     {document.get('primaryType')}", err=True)
            text = json.dumps(document.get("message", {}), indent=2, ensure_ascii=False)
        click.echo(text, err=True)
        if self._assume_yes:
            return True
        try:
            return bool(click.confirm("Sign it?", default=False, err=True))
        except click.Abort:
            click.echo(err=True)  # the error line that follows starts a line of its own
            raise


def sign_and_send(wallet: Wallet, account: Account, draft: Draft, assume_yes: bool) -> str:
    """Sign a draft with the wallet's keys after the person approves it, broadcast it.

    Returns:
        The transaction's id (hash).

    Raises:
        WalletError: the person declined to sign (nothing was sent), or any refusal of
            signing or of the broadcast.
    """
    net = account.network
    for line in format_draft(draft):
        click.echo(line, err=True)
    try:
        signed = wallet.sign(draft, CliPrompt(assume_yes, net.symbol, net.decimals))
    except SigningCancelled:
        raise WalletError("Not sent: you declined to sign.") from None
    return account.broadcast(signed)
