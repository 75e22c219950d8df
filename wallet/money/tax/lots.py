"""The lot engine: realised gains from a list of events, with FIFO, LIFO or HIFO lots.

Pure: no database, no network, no clock. The input is a list of events (an acquisition, a
disposal, a network fee, a transfer between two of the user's own accounts) with ``Decimal``
quantities and values in one base currency; the output lists every disposal with the lots
it used, and the lots still open.

Rules, chosen once and documented here:

- **Pools.** ``Pooling.UNIVERSAL`` keeps one pool per asset for the whole wallet (what rotki
  does); ``Pooling.PER_ACCOUNT`` keeps one pool per asset and account (what German and US
  rules expect from 2025). A transfer between own accounts is never taxed: in one pool it
  changes nothing; per account it moves the lots it takes (chosen by the same method), with
  their acquisition dates and costs, into the other account's pool.
- **Fees.** A network fee paid in a coin is a disposal of that coin (kind ``fee``): the coins
  leave the user's hands at their market value, which is the proceeds; the lots they used are
  the cost. This is the German reading, and what Koinly's "cost" disposals record. It applies
  to the fee of a transfer between own accounts too; the transferred amount itself is not a
  disposal.
- **Unknown cost.** An acquisition without a known value opens a lot whose cost is ``None``,
  never zero; a disposal that uses it has no cost and no gain and says why in ``flags``. A
  disposal beyond the lots held uses a missing lot, flagged the same way.
- **Order.** FIFO takes the earliest acquisition first, LIFO the latest, HIFO the highest
  cost per unit (lots of unknown cost last, earliest first among equals). Events are taken in
  time order; events of the same time in the order given.
- **Exactness.** A lot used in part keeps the exact remainder of its cost (the part used is
  ``cost * used / quantity``; what stays is ``cost`` minus that), so no cost is lost to
  rounding. Rounding to the currency's minor unit happens only when a report is printed.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Context, Decimal
from enum import Enum
from itertools import pairwise
from operator import attrgetter

from wallet.errors import InvalidAmount

__all__ = [
    "FLAG_NO_LOTS",
    "FLAG_UNKNOWN_COST",
    "FLAG_UNKNOWN_PROCEEDS",
    "Acquire",
    "Disposal",
    "Dispose",
    "Fee",
    "Lot",
    "LotResult",
    "LotUse",
    "Method",
    "Pooling",
    "TaxEvent",
    "Transfer",
    "run_lots",
]

_EXACT = Context(prec=60)  # enough digits that cost arithmetic never rounds
_COST_PLACES = Decimal("1e-20")  # a used part of a lot's cost: far below any minor unit

FLAG_UNKNOWN_COST = "a lot used has no known cost"
FLAG_NO_LOTS = "more was disposed of than the lots held"
FLAG_UNKNOWN_PROCEEDS = "no price for the day of the disposal"

_ONE_POOL = "*"


class Method(Enum):
    """Which lots a disposal uses first."""

    FIFO = "fifo"
    LIFO = "lifo"
    HIFO = "hifo"


class Pooling(Enum):
    """One pool for the wallet, or one per account."""

    UNIVERSAL = "universal"
    PER_ACCOUNT = "per-account"


@dataclass(frozen=True, slots=True)
class Acquire:
    """Coins came in: a receive or a buy.

    Attributes:
        when: the time (timezone-aware).
        asset: the asset's key (``BTC``, ``ethereum:0x...`` for a token).
        quantity: how much, above zero.
        cost: the value in the base currency when acquired, ``None`` when unknown.
        account: the account that received it.
        ref: the transaction (or purchase) it comes from.
        kind: ``receive`` or ``buy``.
        note: why the cost is unknown, or where it comes from.
    """

    when: datetime
    asset: str
    quantity: Decimal
    cost: Decimal | None
    account: str
    ref: str
    kind: str = "receive"
    note: str = ""


@dataclass(frozen=True, slots=True)
class Dispose:
    """Coins left the user's hands: a send to someone else, or a sell.

    Attributes:
        when: the time.
        asset: the asset's key.
        quantity: how much, above zero (the fee not included: that is a ``Fee``).
        proceeds: the value received or the market value, ``None`` when unknown.
        account: the account it left.
        ref: the transaction.
        kind: ``send`` or ``sell``.
        note: why the proceeds are unknown, or where they come from.
    """

    when: datetime
    asset: str
    quantity: Decimal
    proceeds: Decimal | None
    account: str
    ref: str
    kind: str = "send"
    note: str = ""


@dataclass(frozen=True, slots=True)
class Fee:
    """A network fee paid in coins (a disposal at their market value, see the module)."""

    when: datetime
    asset: str
    quantity: Decimal
    value: Decimal | None
    account: str
    ref: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Transfer:
    """Coins moved between two of the user's own accounts: never taxed."""

    when: datetime
    asset: str
    quantity: Decimal
    source: str
    destination: str
    ref: str


TaxEvent = Acquire | Dispose | Fee | Transfer
"""One event of the engine's input."""


@dataclass(frozen=True, slots=True)
class Lot:
    """An open lot (what is left of one acquisition in one pool).

    Attributes:
        asset: the asset's key.
        pool: the account it sits in (``*`` with one pool).
        acquired: when the coins were acquired (kept across transfers).
        quantity: what is left.
        cost: the cost of what is left, ``None`` when unknown.
        ref: the acquisition's transaction.
    """

    asset: str
    pool: str
    acquired: datetime
    quantity: Decimal
    cost: Decimal | None
    ref: str


@dataclass(frozen=True, slots=True)
class LotUse:
    """The part of one lot a disposal used.

    Attributes:
        ref: the acquisition's transaction, ``None`` for a missing lot.
        acquired: when it was acquired, ``None`` for a missing lot.
        quantity: how much of it.
        cost: the cost of that part, ``None`` when unknown.
    """

    ref: str | None
    acquired: datetime | None
    quantity: Decimal
    cost: Decimal | None


@dataclass(frozen=True, slots=True)
class Disposal:
    """A taxable disposal with the lots it used.

    Attributes:
        when: the time.
        asset: the asset's key.
        account: the account it left.
        ref: the transaction.
        kind: ``send``, ``sell`` or ``fee``.
        quantity: how much.
        proceeds: its value, ``None`` when unknown.
        uses: the lots used, in the order taken.
        cost: the sum of the lots' costs, ``None`` when any is unknown.
        gain: ``proceeds - cost``, ``None`` when either is unknown.
        flags: why a value is missing (empty when complete).
        note: the event's note (a price's source, or why it is missing).
    """

    when: datetime
    asset: str
    account: str
    ref: str
    kind: str
    quantity: Decimal
    proceeds: Decimal | None
    uses: tuple[LotUse, ...]
    cost: Decimal | None
    gain: Decimal | None
    flags: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class LotResult:
    """What the engine found: every disposal and the lots left open."""

    disposals: tuple[Disposal, ...]
    lots: tuple[Lot, ...]

    def holdings(self, asset: str) -> Decimal:
        """Return the quantity of ``asset`` left in open lots."""
        return sum((lot.quantity for lot in self.lots if lot.asset == asset), Decimal(0))


@dataclass(slots=True)
class _Open:
    seq: int
    acquired: datetime
    quantity: Decimal
    cost: Decimal | None
    ref: str


@dataclass(slots=True)
class _Pool:
    """The open lots of one asset in one pool, in the order the method takes them."""

    method: Method
    fifo: deque[_Open] = field(default_factory=deque)
    stack: list[_Open] = field(default_factory=list)
    heap: list[tuple[int, Decimal, datetime, int, _Open]] = field(default_factory=list)

    def add(self, lot: _Open) -> None:
        # Lots moved in by a transfer keep their date: FIFO and LIFO keep date order, so an
        # older lot moved in lands before the newer ones (appending is the common case).
        if self.method is Method.FIFO:
            self.fifo.insert(_date_index(self.fifo, lot), lot)
        elif self.method is Method.LIFO:
            self.stack.insert(_date_index(self.stack, lot), lot)
        else:
            heapq.heappush(self.heap, _hifo_key(lot))

    def first(self) -> _Open | None:
        if self.method is Method.FIFO:
            return self.fifo[0] if self.fifo else None
        if self.method is Method.LIFO:
            return self.stack[-1] if self.stack else None
        return self.heap[0][4] if self.heap else None

    def drop_first(self) -> None:
        if self.method is Method.FIFO:
            self.fifo.popleft()
        elif self.method is Method.LIFO:
            self.stack.pop()
        else:
            heapq.heappop(self.heap)

    def lots(self) -> list[_Open]:
        if self.method is Method.FIFO:
            return list(self.fifo)
        if self.method is Method.LIFO:
            return list(self.stack)
        return [entry[4] for entry in sorted(self.heap)]


def _date_index(lots: deque[_Open] | list[_Open], lot: _Open) -> int:
    index = len(lots)
    while index and lots[index - 1].acquired > lot.acquired:
        index -= 1
    return index


def _hifo_key(lot: _Open) -> tuple[int, Decimal, datetime, int, _Open]:
    # Known costs first (0), highest unit cost first (negated); unknown costs last (1).
    if lot.cost is None or not lot.quantity:
        return (1, Decimal(0), lot.acquired, lot.seq, lot)
    return (0, -(lot.cost / lot.quantity), lot.acquired, lot.seq, lot)


def _part_of(cost: Decimal, used: Decimal, quantity: Decimal) -> Decimal:
    """Return ``cost * used / quantity`` to 20 decimal places (far below any minor unit).

    A fixed number of places keeps the remainder ``cost`` minus this exact, and the parts of
    a lot add up to its cost again whatever the caller's Decimal context.
    """
    return _EXACT.divide(_EXACT.multiply(cost, used), quantity).quantize(
        _COST_PLACES, context=_EXACT
    )


def _take(pool: _Pool, quantity: Decimal) -> list[tuple[_Open | None, Decimal, Decimal | None]]:
    """Take ``quantity`` out of ``pool``: (lot or None if missing, quantity, cost) parts."""
    parts: list[tuple[_Open | None, Decimal, Decimal | None]] = []
    left = quantity
    while left > 0:
        lot = pool.first()
        if lot is None:
            parts.append((None, left, None))
            break
        if lot.quantity <= left:
            pool.drop_first()
            parts.append((lot, lot.quantity, lot.cost))
            left -= lot.quantity
            continue
        used_cost = None if lot.cost is None else _part_of(lot.cost, left, lot.quantity)
        parts.append((lot, left, used_cost))
        lot.quantity -= left
        if lot.cost is not None and used_cost is not None:
            # The exact remainder (60 digits: no rounding), so nothing is lost.
            lot.cost = _EXACT.subtract(lot.cost, used_cost)
        left = Decimal(0)
    return parts


def _ordered(events: Iterable[TaxEvent]) -> list[TaxEvent]:
    items = list(events)
    if all(a.when <= b.when for a, b in pairwise(items)):
        return items  # the usual case: already in time order
    return sorted(items, key=attrgetter("when"))  # stable: same-time events keep their order


def run_lots(
    events: Sequence[TaxEvent] | Iterable[TaxEvent],
    method: Method = Method.FIFO,
    pooling: Pooling = Pooling.UNIVERSAL,
) -> LotResult:
    """Match every disposal and fee to lots, in time order.

    Args:
        events: the events, in any order (they are taken in time order, stably).
        method: which lots are used first.
        pooling: one pool per asset, or one per asset and account.

    Returns:
        Every disposal (sends, sells, fees) with its lots, and the lots left open.

    Raises:
        InvalidAmount: a quantity that is not above zero.
    """
    pools: dict[tuple[str, str], _Pool] = {}
    disposals: list[Disposal] = []
    seq = 0

    def pool_of(asset: str, account: str) -> _Pool:
        key = (asset, account if pooling is Pooling.PER_ACCOUNT else _ONE_POOL)
        pool = pools.get(key)
        if pool is None:
            pool = pools[key] = _Pool(method)
        return pool

    for event in _ordered(events):
        if event.quantity <= 0:
            raise InvalidAmount(f"A quantity must be above zero ({event.ref}).")
        if isinstance(event, Acquire):
            seq += 1
            pool_of(event.asset, event.account).add(
                _Open(seq, event.when, event.quantity, event.cost, event.ref)
            )
        elif isinstance(event, Transfer):
            if pooling is not Pooling.PER_ACCOUNT or event.source == event.destination:
                continue
            target = pool_of(event.asset, event.destination)
            for lot, quantity, cost in _take(
                pool_of(event.asset, event.source), quantity=event.quantity
            ):
                seq += 1
                if lot is None:  # moved more than the source held: a lot of unknown cost
                    target.add(_Open(seq, event.when, quantity, None, event.ref))
                else:
                    target.add(_Open(seq, lot.acquired, quantity, cost, lot.ref))
        else:
            disposals.append(_dispose(event, pool_of(event.asset, event.account)))

    lots = [
        Lot(asset, pool, o.acquired, o.quantity, o.cost, o.ref)
        for (asset, pool), p in pools.items()
        for o in p.lots()
    ]
    return LotResult(tuple(disposals), tuple(lots))


def _dispose(event: Dispose | Fee, pool: _Pool) -> Disposal:
    uses: list[LotUse] = []
    missing_lot = unknown_cost = False
    total = Decimal(0)
    for lot, q, c in _take(pool, event.quantity):
        if lot is None:
            missing_lot = True
            uses.append(LotUse(None, None, q, c))
        else:
            uses.append(LotUse(lot.ref, lot.acquired, q, c))
            unknown_cost = unknown_cost or c is None
        if c is not None:
            total += c
    flags: list[str] = []
    if missing_lot:
        flags.append(FLAG_NO_LOTS)
    if unknown_cost:
        flags.append(FLAG_UNKNOWN_COST)
    # A missing lot's cost is unknown too: the cost is known only when every part's is.
    cost = None if missing_lot or unknown_cost else total
    proceeds = event.proceeds if isinstance(event, Dispose) else event.value
    if proceeds is None:
        flags.append(FLAG_UNKNOWN_PROCEEDS)
    gain = None if proceeds is None or cost is None else proceeds - cost
    return Disposal(
        when=event.when,
        asset=event.asset,
        account=event.account,
        ref=event.ref,
        kind=event.kind if isinstance(event, Dispose) else "fee",
        quantity=event.quantity,
        proceeds=proceeds,
        uses=tuple(uses),
        cost=cost,
        gain=gain,
        flags=tuple(flags),
        note=event.note,
    )
