"""Payment requests and paying links: ``coffer request create|list|show`` and ``coffer pay``."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from wallet import PaymentRequest, Wallet, parse_payment_link, read_link_image
from wallet.accounts import Account, EvmAccount, UtxoAccount
from wallet.amounts import format_amount
from wallet.cli._app import (
    NETWORK,
    Options,
    TextCommand,
    TextGroup,
    emit,
    errors,
    open_wallet,
    table,
)
from wallet.cli.signing import sign_and_send
from wallet.errors import AccountNotFound, NoPaymentLink, RequestNotFound, WalletError
from wallet.qr import qr_terminal
from wallet.requests import FxQuote, RequestStatus, fx_quote, parse_expiry, qr_form

__all__ = ["COMMANDS"]

_MAX_IMAGE_BYTES = 50 * 1024 * 1024
_MAX_LINK_CHARS = 10_000
_STATUS_NAMES = [s.value for s in RequestStatus] + ["partial", "late"]


def _when(seconds: int | None) -> str:
    if seconds is None:
        return "never"
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _row(req: PaymentRequest) -> dict[str, Any]:
    return {
        "id": req.id,
        "network": req.network,
        "account_id": req.account_id,
        "status": req.status.value,
        "amount": format_amount(req.amount, req.decimals),
        "symbol": req.symbol,
        "token": req.token,
        "received": format_amount(req.received, req.decimals),
        "missing": format_amount(req.missing, req.decimals),
        "excess": format_amount(req.excess, req.decimals),
        "label": req.label,
        "message": req.message,
        "address": req.address,
        "created_at": req.created_at,
        "expires_at": req.expires_at,
        "link": req.link,
        "txids": list(req.txids),
        "fiat_amount": None if req.fiat_amount is None else str(req.fiat_amount),
        "rate": None if req.fx is None else req.fx.describe(),
    }


def _status_text(req: PaymentRequest) -> str:
    if req.status is RequestStatus.PARTIAL:
        return f"{req.status.value}, {format_amount(req.missing, req.decimals)} missing"
    if req.excess and req.status is RequestStatus.OVERPAID:
        return f"{req.status.value} by {format_amount(req.excess, req.decimals)}"
    return str(req.status.value)


def _paying_account(
    wallet: Wallet, text: str, network: str, index: int, kind: str | None
) -> Account:
    """Return the account to pay a link with: of its network, or one its address also fits.

    Test networks share address forms (``tb1`` is testnet's and signet's; Base58 test
    addresses are every test network's): a link read alone names the first of them, so an
    account on another network the address belongs to is taken when the first has none.
    A link's chain id (EIP-681) is not ambiguous and is kept.
    """
    try:
        return wallet.accounts_book.existing(network, index, kind, any_kind=True)
    except AccountNotFound as missing:
        for account in wallet.accounts():
            if account.index != index or (kind is not None and account.kind != kind):
                continue
            try:
                parse_payment_link(text, account.network)
            except WalletError:
                continue
            if isinstance(account, UtxoAccount):
                return account
        raise missing from None


@click.group(cls=TextGroup)
def request() -> None:
    """Ask for payments: a fresh address, a link and a QR code per request."""


@request.command("create")
@click.argument("network", type=NETWORK)
@click.option("--amount", required=True, help="In coins (0.001), or tokens with --token.")
@click.option("--label", default="", help="Who asks (shown to the payer).")
@click.option("--message", default="", help="What for (shown to the payer).")
@click.option("--expires", default=None, help="How long it stands: 30m, 1h, 2d, 1w.")
@click.option("--token", default=None, help="An ERC-20 token's symbol or contract (EVM).")
@click.option("--currency", default=None, help="--amount is in this currency (EUR, USD...).")
@click.option("--account", "account_index", type=click.IntRange(0, 2**31 - 1), default=0)
@click.option("--kind", default=None, help="p2wpkh, p2tr, p2sh-p2wpkh, p2pkh; EVM: standard.")
@click.option("--no-qr", is_flag=True, help="The link alone, without the QR code.")
@click.pass_obj
def create(
    opts: Options,
    network: str,
    amount: str,
    label: str,
    message: str,
    expires: str | None,
    token: str | None,
    currency: str | None,
    account_index: int,
    kind: str | None,
    no_qr: bool,
) -> None:
    """Make a payment request and show its link and QR code.

    On Bitcoin-family networks each request gets an address of its own. An EVM account has
    one address: requests there are told apart by amount and time, so ask distinct amounts.
    """
    with errors(opts):
        seconds = None if expires is None else parse_expiry(expires)
    with open_wallet(opts) as wallet, errors(opts):
        account = wallet.accounts_book.existing(network, account_index, kind, any_kind=True)
        if isinstance(account, UtxoAccount | EvmAccount):
            fx = None if currency is None else _rate(wallet, account, currency, token)
            made = account.request(amount, label, message, seconds, token=token, fx=fx)
        else:  # pragma: no cover - the two families
            raise WalletError(f"{network} accounts cannot receive requests.")
    row = _row(made)

    def human() -> None:
        if not no_qr:
            click.echo(qr_terminal(qr_form(made.link)), nl=False)
        click.echo(made.link)
        amount_text = format_amount(made.amount, made.decimals, made.symbol)
        click.echo(f"Request {made.id}: {amount_text} to {made.address}")
        click.echo(f"Expires: {_when(made.expires_at)}")
        if made.fx is not None and made.fiat_amount is not None:
            click.echo(f"Asked: {made.fiat_amount:f} {made.fx.currency} at {made.fx.describe()}")

    emit(opts, row, human)


@request.command("list")
@click.argument("network", type=NETWORK, required=False)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(_STATUS_NAMES, case_sensitive=False),
    help="Only requests of this status (repeatable).",
)
@click.pass_obj
def list_(opts: Options, network: str | None, statuses: tuple[str, ...]) -> None:
    """List payment requests with their status as of the last sync (run `coffer sync`)."""
    with open_wallet(opts, reads_only=True) as wallet, errors(opts):
        accounts = wallet.accounts(network) if network else wallet.accounts()
        found: list[PaymentRequest] = []
        for account in accounts:
            if isinstance(account, UtxoAccount | EvmAccount):
                found.extend(account.requests(list(statuses) or None))
    found.sort(key=lambda r: (r.created_at, r.id), reverse=True)
    rows = [_row(r) for r in found]

    def human() -> None:
        if not found:
            click.echo("No payment requests" + (" with that status." if statuses else "."))
            return
        table(
            "Payment requests",
            ["id", "status", "amount", "label", "expires", "address"],
            [
                [
                    str(r.id),
                    _status_text(r),
                    format_amount(r.amount, r.decimals, r.symbol),
                    r.label,
                    _when(r.expires_at),
                    r.address,
                ]
                for r in found
            ],
        )

    emit(opts, rows, human)


def _find_request(
    wallet: Wallet, request_id: int
) -> tuple[UtxoAccount | EvmAccount, PaymentRequest]:
    """Return the account that holds a request, and the request with its status now."""
    for account in wallet.accounts():
        if isinstance(account, UtxoAccount | EvmAccount):
            try:
                return account, account.payment_request(request_id)
            except RequestNotFound:
                continue
    raise RequestNotFound(
        f"The wallet has no payment request {request_id} (see `coffer request list`)."
    )


def _write_png(file: Path, png: bytes) -> None:
    """Write PNG bytes to ``file``, never waiting on a named pipe nobody reads."""
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NONBLOCK, 0o644)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "wb") as handle:
            handle.write(png)
    except OSError as err:
        raise WalletError(f"Cannot write {file}: {err.strerror}.") from err


@request.command("show")
@click.argument("request_id", type=click.IntRange(1, 2**63 - 1))
@click.option(
    "--png",
    "png_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help='Write the QR code as a PNG image to this file ("-": standard output, nothing else).',
)
@click.option("--no-qr", is_flag=True, help="Without the QR code drawn in the terminal.")
@click.pass_obj
def show(opts: Options, request_id: int, png_file: Path | None, no_qr: bool) -> None:
    """Show a payment request: status as of the last sync, link, QR code; save it as PNG."""
    with open_wallet(opts, reads_only=True) as wallet, errors(opts):
        account, found = _find_request(wallet, request_id)
        png = account.request_qr(found) if png_file is not None else b""
    if png_file is not None:
        assert isinstance(png, bytes)  # noqa: S101 - request_qr's PNG form
        if str(png_file) == "-":
            sys.stdout.buffer.write(png)
            sys.stdout.flush()
            return
        with errors(opts):
            _write_png(png_file, png)
    row = _row(found) | {"png": None if png_file is None else str(png_file)}

    def human() -> None:
        if not no_qr:
            click.echo(qr_terminal(qr_form(found.link)), nl=False)
        click.echo(found.link)
        amount_text = format_amount(found.amount, found.decimals, found.symbol)
        click.echo(f"Request {found.id}: {amount_text} to {found.address}")
        click.echo(f"Status: {_status_text(found)} (as of the last sync)")
        if found.received:
            click.echo(f"Received: {format_amount(found.received, found.decimals, found.symbol)}")
        for txid in found.txids:
            click.echo(f"  paid by {txid}")
        click.echo(f"Expires: {_when(found.expires_at)}")
        if found.fx is not None and found.fiat_amount is not None:
            click.echo(f"Asked: {found.fiat_amount:f} {found.fx.currency} at {found.fx.describe()}")
        if png_file is not None:
            click.echo(f"QR code written to {png_file}")

    emit(opts, row, human)


def _rate(wallet: Wallet, account: Account, currency: str, token: str | None) -> FxQuote:
    """Return the current rate of the account's coin (or a token) in ``currency``."""
    if token is None:
        return fx_quote(wallet.prices, account.network, currency)
    if not isinstance(account, EvmAccount):
        raise WalletError(f"{account.network.title} has no tokens.")
    info = account.tokens.find(token)
    return fx_quote(
        wallet.prices, account.network, currency, token=info.address, symbol=info.symbol
    )


def _link_text(target: str) -> str:
    """Return the link itself, one read from standard input (``-``), or an image file's."""
    if target == "-":
        # For pasting: `xclip -o | coffer pay -` (the clipboard stays the shell's business).
        line = sys.stdin.readline(_MAX_LINK_CHARS).strip()
        if not line:
            raise NoPaymentLink("No payment link on standard input.")
        return line
    path = Path(target)
    try:
        is_file = ":" not in target[:10] and path.is_file()
    except (OSError, ValueError):
        is_file = False
    if not is_file:
        return target
    try:
        size = path.stat().st_size
        if size > _MAX_IMAGE_BYTES:
            raise NoPaymentLink(f"{target} is too large to be a picture of a QR code.")
        data = path.read_bytes()
    except OSError as err:
        raise NoPaymentLink(f"Cannot read {target}: {err.strerror}.") from err
    return read_link_image(data)


@click.command(cls=TextCommand)
@click.argument("link")
@click.option("--account", "account_index", type=click.IntRange(0, 2**31 - 1), default=0)
@click.option("--kind", default=None, help="The paying account's kind (p2tr...).")
@click.option("--amount", default=None, help="What to pay when the link names no amount.")
@click.option(
    "--currency", default=None, help="Show the value in this currency; --amount is in it."
)
@click.option("--fee", type=click.Choice(["slow", "normal", "fast"]), default="normal")
@click.option("--allow-high-fee", is_flag=True, help="Accept a fee above the wallet's caps.")
@click.option("--yes", "assume_yes", is_flag=True, help="Do not ask before signing.")
@click.pass_obj
def pay(
    opts: Options,
    link: str,
    account_index: int,
    kind: str | None,
    amount: str | None,
    currency: str | None,
    fee: str,
    allow_high_fee: bool,
    assume_yes: bool,
) -> None:
    """Pay a payment link, the QR code in an image file (PNG, JPEG, a screenshot), or "-".

    "-" reads the link from standard input (a pasted or piped clipboard).

    Shows what the link says and the signer's own summary, asks, signs with this wallet's
    keys and broadcasts. A request that has expired is paid only if you say so. With
    --currency the value is shown at the current rate, and --amount is in that currency.
    """
    with errors(opts):
        text = _link_text(link)
        parsed = parse_payment_link(text)
    with open_wallet(opts) as wallet, errors(opts):
        account = _paying_account(wallet, text, parsed.network, account_index, kind)
        if not isinstance(account, UtxoAccount | EvmAccount):  # pragma: no cover
            raise WalletError(f"{parsed.network} accounts cannot pay.")
        parsed = parse_payment_link(text, account.network)
        allow_expired = False
        if parsed.expired(int(time.time())):
            click.echo(
                f"This payment request expired on {_when(parsed.expires_at)}; the payee may "
                "no longer expect it.",
                err=True,
            )
            if not click.confirm("Pay it anyway?", default=False, err=True):
                raise WalletError("Not paid: the request had expired.")
            allow_expired = True
        fx = None if currency is None else _rate(wallet, account, currency, parsed.token)
        payment = account.prepare_payment(
            text,
            None if fx is not None else amount,
            fee,
            fiat_amount=amount if fx is not None else None,
            fx=fx,
            allow_expired=allow_expired,
            allow_high_fee=allow_high_fee,
        )
        click.echo(f"Payment link on {account.network.title}:", err=True)
        for line in payment.summary_lines():
            click.echo(line, err=True)
        txid = sign_and_send(wallet, account, payment.draft, assume_yes)
    result = {"txid": txid, "network": parsed.network, "label": payment.label}
    emit(opts, result, lambda: click.echo(f"Paid: {txid}"))


COMMANDS: tuple[click.Command, ...] = (request, pay)
