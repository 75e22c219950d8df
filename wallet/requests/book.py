"""Payment requests of one account: make one, list them with their status, follow the chain.

Each operation takes a ``RequestContext`` the account builds once (STYLE.md section 1): the
request store, the labels, and what differs by family, as plain callables:

- UTXO accounts reserve a fresh receive address per request (``reserve_address``: the
  address store's ``new_receive_address``, never handed out before) and the table's
  ``UNIQUE (account_id, reserved_address)`` makes sure no two requests share one; the
  payments of a request are the outputs to its address.
- EVM accounts have one address: requests share it and are told apart by asset, time and
  amount (``wallet.requests.status``).

Status is computed from what the last sync stored, so it follows every sync and every watch
event (a watch event says which accounts to sync). ``refresh`` runs after each sync of the
account: it stores the statuses found and writes the label of each paid request onto its
paying transactions (BIP-329 ``tx`` records; a label the user wrote is kept). On UTXO
accounts the request's label is also its address's label from the start (``addr``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

from chains.registry import Network
from wallet.amounts import Amount, format_amount, to_base_units, to_decimal
from wallet.errors import AmbiguousRequest, InvalidAmount, RequestNotFound, WalletError
from wallet.labels import LabelStore
from wallet.requests.links import build_link
from wallet.requests.status import Receipt, settle
from wallet.requests.store import NewRequest, RequestStore, StoredRequest
from wallet.requests.types import FxQuote, PaymentRequest, RequestStatus

__all__ = [
    "EXACT_DIGITS",
    "Asset",
    "RequestContext",
    "check_rate",
    "create",
    "fiat_to_units",
    "get",
    "list_requests",
    "parse_expiry",
    "refresh",
]

_MAX_EXPIRY = 366 * 86400
# Digits of the arithmetic on amounts: more than any uint256 (78) plus 18 decimals, so a
# division is rounded only where the code says (half up, at the asset's decimals).
EXACT_DIGITS = 120
_MAX_TEXT = 500


@dataclass(frozen=True, slots=True)
class Asset:
    """The asset a request asks for: the coin (``token=None``) or an ERC-20 token."""

    symbol: str
    decimals: int
    token: str | None = None


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What the request operations need of one account.

    Attributes:
        account_id: the account's row id.
        network: its network.
        store: the requests table.
        labels: the wallet's labels.
        coin: the network's coin.
        reserve_address: UTXO: hand out a fresh receive address; ``None`` on EVM.
        evm_address: EVM: the account's one address; ``None`` on UTXO.
        find_asset: returns the asset a token symbol or contract names (EVM).
        payments: returns each stored request's payments, by id, from the last sync.
        clock: returns the time (Unix seconds).
    """

    account_id: int
    network: Network
    store: RequestStore
    labels: LabelStore
    coin: Asset
    reserve_address: Callable[[], str] | None
    evm_address: str | None
    find_asset: Callable[[str], Asset]
    payments: Callable[[Sequence[StoredRequest]], dict[int, list[Receipt]]]
    clock: Callable[[], float] = time.time


_DURATION = re.compile(
    r"(?:([0-9]{1,4})w)?(?:([0-9]{1,4})d)?(?:([0-9]{1,5})h)?(?:([0-9]{1,6})m)?(?:([0-9]{1,8})s)?"
)


def parse_expiry(text: str) -> int:
    """Return the seconds of an expiry such as ``90s``, ``15m``, ``1h``, ``2d`` or ``1w2d``.

    Raises:
        WalletError: not such a duration, zero, or longer than a year.
    """
    match = _DURATION.fullmatch(text.strip().lower())
    if not text.strip() or match is None:
        raise WalletError(f"{text[:40]!r} is not a duration; write it like 30m, 1h, 2d or 1w.")
    weeks, days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    total = (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds
    checked = _seconds(total)
    assert checked is not None  # noqa: S101 - an int in, an int out
    return checked


def _seconds(expires_in: timedelta | int | None) -> int | None:
    if expires_in is None:
        return None
    if isinstance(expires_in, bool) or not isinstance(expires_in, timedelta | int):
        raise WalletError("expires_in is a timedelta or a whole number of seconds.")
    seconds = int(expires_in.total_seconds()) if isinstance(expires_in, timedelta) else expires_in
    if not 0 < seconds <= _MAX_EXPIRY:
        raise WalletError("A request expires from 1 second up to a year after it is made.")
    return seconds


def _text(value: str, what: str) -> str:
    if not isinstance(value, str):
        raise WalletError(f"The {what} is text.")
    if len(value) > _MAX_TEXT or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise WalletError(
            f"The {what} is one line of at most {_MAX_TEXT} characters, without control characters."
        )
    return value.strip()


def check_rate(fx: FxQuote, asset: Asset) -> None:
    """Check that a rate is of the asset and positive.

    Raises:
        InvalidAmount: a rate of another asset, or not a positive number.
    """
    if fx.asset.lower() != asset.symbol.lower():
        raise InvalidAmount(f"The rate is for {fx.asset}; the amount is in {asset.symbol}.")
    if not fx.rate.is_finite() or fx.rate <= 0:
        raise InvalidAmount("A rate is a positive number.")


def fiat_to_units(fiat: Amount, fx: FxQuote, asset: Asset) -> tuple[int, Decimal]:
    """Convert a fiat amount (at most 2 decimals) into base units at ``fx``, rounded half up.

    Returns:
        The base units and the fiat amount as a ``Decimal``.

    Raises:
        InvalidAmount, AmountPrecisionError, FloatAmountError: a bad amount or rate.
    """
    check_rate(fx, asset)
    cents = to_base_units(fiat, 2, fx.currency)  # fiat amounts have at most 2 decimals
    value = to_decimal(cents, 2)
    with localcontext(prec=EXACT_DIGITS):  # a token amount can pass 28 digits
        coins = (value / fx.rate).quantize(Decimal(1).scaleb(-asset.decimals), ROUND_HALF_UP)
    units = to_base_units(coins, asset.decimals, asset.symbol)
    return units, value


def create(
    ctx: RequestContext,
    amount: Amount,
    *,
    label: str = "",
    message: str = "",
    expires_in: timedelta | int | None = None,
    token: str | None = None,
    fx: FxQuote | None = None,
) -> PaymentRequest:
    """Make a payment request and store it (the account's ``request`` documents it).

    Raises:
        FloatAmountError, InvalidAmount, AmountPrecisionError: a bad amount.
        WalletError: a bad expiry, label or message; a UTXO account out of fresh addresses.
        UnknownToken, InvalidToken: an unknown token (EVM).
    """
    asset = ctx.coin if token is None else ctx.find_asset(token)
    label, message = _text(label, "label"), _text(message, "message")
    if fx is not None:
        units, fiat = fiat_to_units(amount, fx, asset)
        fx = replace(fx, asset=asset.symbol)
    else:
        units, fiat = to_base_units(amount, asset.decimals, asset.symbol), None
    validity = _seconds(expires_in)
    now = int(ctx.clock())
    expires_at = None if validity is None else now + validity
    if ctx.reserve_address is None:
        _refuse_twin(ctx, asset, units, now)
    for _attempt in range(3):
        address = ctx.evm_address if ctx.reserve_address is None else ctx.reserve_address()
        assert address is not None  # noqa: S101 - one of the two is set by the account
        new = NewRequest(
            account_id=ctx.account_id,
            address=address,
            reserved=ctx.reserve_address is not None,
            token=asset.token,
            amount=units,
            label=label,
            message=message,
            created_at=now,
            expires_at=expires_at,
            fx=fx,
            fiat_amount=fiat,
        )
        request_id = ctx.store.add(new)
        if request_id is not None:
            break
    else:  # pragma: no cover - another process took three fresh addresses meanwhile
        raise WalletError("Could not reserve a fresh address for the request; try again.")
    if label and ctx.reserve_address is not None and not ctx.labels.get("addr", address):
        ctx.labels.set("addr", address, label)
    return _present(ctx, StoredRequest(request_id, new, RequestStatus.UNPAID, ()), asset)


def _refuse_twin(ctx: RequestContext, asset: Asset, units: int, now: int) -> None:
    """Refuse a request on a shared address (EVM) that an open one of its amount would blur.

    Raises:
        AmbiguousRequest: an unpaid or partly paid, unexpired request of the same asset and
            amount exists.
    """
    twins = [
        s
        for s in ctx.store.of_account(ctx.account_id)
        if s.request.token == asset.token
        and s.request.amount == units
        and (s.request.expires_at is None or now < s.request.expires_at)
    ]
    if not twins:
        return
    payments = ctx.payments(twins)
    for twin in twins:
        done = settle(units, twin.request.expires_at, payments.get(twin.id, ()), now)
        if done.status in (RequestStatus.UNPAID, RequestStatus.PARTIAL):
            asked = format_amount(units, asset.decimals, asset.symbol)
            nudged = format_amount(units + 10 ** max(asset.decimals - 4, 0), asset.decimals)
            raise AmbiguousRequest(
                f"Open request {twin.id} already asks {asked} of this account's one address; "
                f"payments to it are told apart by amount: ask a slightly different one "
                f"({nudged}), or wait until request {twin.id} is paid or expires.",
                twin.id,
            )


def _asset_of(ctx: RequestContext, stored: StoredRequest) -> Asset:
    token = stored.request.token
    if token is None:
        return ctx.coin
    try:
        return ctx.find_asset(token)
    except WalletError:
        return Asset(token[:10], 0, token)  # a token the wallet cannot read: base units


def _present(
    ctx: RequestContext,
    stored: StoredRequest,
    asset: Asset,
    receipts: Sequence[Receipt] = (),
    now: int | None = None,
) -> PaymentRequest:
    req = stored.request
    when = int(ctx.clock()) if now is None else now
    done = settle(req.amount, req.expires_at, receipts, when)
    return PaymentRequest(
        id=stored.id,
        account_id=req.account_id,
        network=ctx.network.name,
        address=req.address,
        amount=req.amount,
        symbol=asset.symbol,
        decimals=asset.decimals,
        token=req.token,
        label=req.label,
        message=req.message,
        created_at=req.created_at,
        expires_at=req.expires_at,
        link=build_link(
            ctx.network,
            req.address,
            req.amount,
            label=req.label,
            message=req.message,
            created_at=req.created_at,
            expires_at=req.expires_at,
            token=req.token,
            decimals=asset.decimals,
        ),
        status=done.status,
        received=done.received,
        confirmed=done.confirmed,
        txids=done.txids,
        fx=None if req.fx is None else replace(req.fx, asset=asset.symbol),
        fiat_amount=req.fiat_amount,
    )


def list_requests(
    ctx: RequestContext, status: RequestStatus | str | Sequence[RequestStatus | str] | None = None
) -> list[PaymentRequest]:
    """Return the account's requests, newest first, with their status now.

    Raises:
        WalletError: an unknown status name.
    """
    wanted = _statuses(status)
    stored = ctx.store.of_account(ctx.account_id)
    payments = ctx.payments(stored)
    now = int(ctx.clock())
    shown = [_present(ctx, s, _asset_of(ctx, s), payments.get(s.id, ()), now) for s in stored]
    shown.reverse()
    return [r for r in shown if wanted is None or r.status in wanted]


def _statuses(
    status: RequestStatus | str | Sequence[RequestStatus | str] | None,
) -> set[RequestStatus] | None:
    if status is None:
        return None
    items = [status] if isinstance(status, RequestStatus | str) else list(status)
    found = set()
    for item in items:
        if isinstance(item, RequestStatus):
            found.add(item)
            continue
        key = item.strip().lower().replace("_", " ").replace("-", " ")
        aliases = {"partial": "partially paid", "late": "paid after expiry"}
        try:
            found.add(RequestStatus(aliases.get(key, key)))
        except ValueError:
            names = ", ".join(s.value for s in RequestStatus)
            raise WalletError(f"{item!r} is not a request status ({names}).") from None
    return found


def get(ctx: RequestContext, request_id: int) -> PaymentRequest:
    """Return one request with its status now.

    Raises:
        RequestNotFound: the account has no request with that id.
    """
    stored = ctx.store.get(ctx.account_id, request_id)
    if stored is None:
        raise RequestNotFound(f"The account has no payment request {request_id}.")
    payments = ctx.payments([stored])
    return _present(ctx, stored, _asset_of(ctx, stored), payments.get(stored.id, ()))


def refresh(ctx: RequestContext) -> list[PaymentRequest]:
    """Store each request's status after a sync; label the transactions of paid ones.

    Returns:
        The requests whose status changed.
    """
    stored = ctx.store.of_account(ctx.account_id)
    if not stored:
        return []
    payments = ctx.payments(stored)
    now = int(ctx.clock())
    shown = {s.id: _present(ctx, s, _asset_of(ctx, s), payments.get(s.id, ()), now) for s in stored}
    changed = ctx.store.record_status([(r.id, r.status, r.txids) for r in shown.values()])
    paid = (RequestStatus.PAID, RequestStatus.OVERPAID, RequestStatus.PAID_LATE)
    for request in shown.values():
        if request.status in paid and request.label:
            for txid in request.txids:
                if not ctx.labels.get("tx", txid):
                    ctx.labels.set("tx", txid, request.label)
    return [shown[i] for i in changed]
