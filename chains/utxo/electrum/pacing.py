"""Pacing requests to a throttling Electrum server (a part of ``chains.utxo.electrum``).

ElectrumX charges every session a cost (``aiorpcx`` ``SessionBase`` and ElectrumX's
``server/session.py``): each request adds to it (a history about 0.2 plus 0.001 per entry,
a transaction 1, every byte sent or received 1 / ``BANDWIDTH_UNIT_COST``), and it decays by
about 1 per second. Past ``COST_SOFT_LIMIT`` (1,000 by default) every request first sleeps
up to ``REQUEST_SLEEP`` (2.5 s) in proportion to how far the cost is towards
``COST_HARD_LIMIT`` (10,000), and fewer run at once (``INITIAL_CONCURRENT``, 10, falling to
none). A request not answered within ``REQUEST_TIMEOUT`` (30 s) of its arrival, queueing
included, is answered ``-102 "server busy - request timed out"``; each such error adds 100 to
the cost, and at the hard limit the server answers ``-101 "excessive resource usage"`` and
disconnects. So a batch of thousands of requests that the server answers slowly fails
halfway, and its errors make the rest slower still.

``Pacer`` therefore sends a long list of requests in rounds small enough that each is
answered within ``target_s`` (a tenth of ElectrumX's default timeout). Rounds start at 250
requests and grow while the server answers quickly (a round answered in under half the
target lets the next carry twice as many, up to the ceiling: TCP's slow start, so a server
that throttles already is not handed thousands of requests at once); a round that took
longer shrinks the next one to what the server answered in ``target_s``. Busy answers are
asked again after a backoff, in smaller rounds; a round lost to a timeout or a dropped
connection is sent again after reconnecting. Answers already received are kept: nothing is
asked twice. All of it within a deadline, after which the server counts as unavailable.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chains.errors import BackendUnavailable
from chains.utxo.electrum.connection import Call, JsonValue, RpcFailure

__all__ = ["BUSY_CODES", "Pacer", "ThrottleStats", "is_busy"]

_log = logging.getLogger(__name__)

BUSY_CODES = frozenset({-101, -102})
"""JSON-RPC codes of a throttling server (aiorpcx ``JSONRPC.EXCESSIVE_RESOURCE_USAGE``,
``JSONRPC.SERVER_BUSY``): the request was not served, and may be asked again later."""

_BUSY_WORDS = ("server busy", "excessive resource usage")

Answer = JsonValue | RpcFailure


def is_busy(answer: Answer) -> bool:
    """Return whether an answer is a throttling server's refusal to serve a request now."""
    if not isinstance(answer, RpcFailure):
        return False
    text = answer.message.lower()
    return answer.code in BUSY_CODES or any(w in text for w in _BUSY_WORDS)


@dataclass(frozen=True, slots=True)
class ThrottleStats:
    """How much a server's throttling has cost a backend so far.

    Attributes:
        rounds: round trips sent through the pacer.
        slow_rounds: rounds answered later than the target (each shrank the next one).
        busy_answers: requests answered "server busy" / "excessive resource usage" (each
            asked again).
        lost_rounds: rounds whose answers were lost to a timeout or a dropped connection
            (sent again after reconnecting).
        smallest_round: the fewest requests a round was cut down to (0: never cut).
        round_size: the requests the next full round will carry.
    """

    rounds: int
    slow_rounds: int
    busy_answers: int
    lost_rounds: int
    smallest_round: int
    round_size: int


class Pacer:
    """Sends long request lists in rounds sized to what the server answers in time.

    Not thread-safe on its own: the backend calls it under its connection lock.

    Args:
        ceiling: the most requests per round trip.
        initial: the requests of the first full round (and after ``reset``).
        target_s: how long a round trip should take at most, in seconds.
        backoff: seconds to wait before asking busy requests again, doubled each time in a
            row, at most ``max_backoff``.
        max_backoff: the longest wait between two rounds.
        floor: the fewest requests per round.
        clock: monotonic seconds (tests may pass their own).
    """

    def __init__(
        self,
        *,
        ceiling: int,
        target_s: float,
        initial: int = 250,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        floor: int = 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ceiling < floor or floor < 1:
            raise ValueError("a round carries at least one request, and the ceiling is higher")
        self._ceiling = ceiling
        self._initial = max(floor, min(initial, ceiling))
        self._floor = floor
        self._target = target_s
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._clock = clock
        self.size = self._initial
        self._rounds = 0
        self._slow = 0
        self._busy = 0
        self._lost = 0
        self._smallest = 0

    @property
    def stats(self) -> ThrottleStats:
        """Return the counts so far."""
        return ThrottleStats(
            self._rounds, self._slow, self._busy, self._lost, self._smallest, self.size
        )

    def reset(self) -> None:
        """Forget what was learnt about the server (another server is in use now)."""
        self.size = self._initial

    def _resize(self, size: int) -> None:
        shrunk = size < self.size
        self.size = max(self._floor, min(self._ceiling, size))
        if shrunk and (self._smallest == 0 or self.size < self._smallest):
            self._smallest = self.size

    def observe(self, sent: int, seconds: float, busy: int) -> None:
        """Size the next round after one of ``sent`` requests answered in ``seconds``.

        A slow round (over the target) shrinks the next to what the server answered within
        the target; busy answers halve it at least; a round answered in under half the
        target lets the next carry twice as many (a full round doubles the size; one of
        fewer than half the size leaves it alone: its time is mostly latency).
        """
        size = self.size
        if seconds > self._target:
            self._slow += 1
            size = min(size, int(sent * self._target / seconds))
        if busy:
            size = min(size, self.size // 2, max(sent - busy, 1))
        elif seconds * 2 < self._target:
            size = max(size, 2 * sent)
        self._resize(size)

    def lost(self, sent: int, seconds: float) -> None:
        """Size the next round after one of ``sent`` requests was lost after ``seconds``."""
        self._lost += 1
        self._resize(min(self.size // 2, int(sent * self._target / max(seconds, self._target))))

    def run(
        self,
        calls: Sequence[Call],
        send: Callable[[Sequence[Call]], list[Answer]],
        recover: Callable[[BackendUnavailable], None],
        deadline: float,
        pause: Callable[[float], None],
        server: Callable[[], str],
        *,
        max_losses: int = 3,
    ) -> list[Answer]:
        """Ask every call and return the answers in order; busy ones are asked again.

        Args:
            calls: the requests.
            send: one round trip: the answers to a slice of ``calls``, in order.
            recover: after a round was lost (``send`` raised ``BackendUnavailable``): make
                ``send`` usable again (reconnect) or raise.
            deadline: ``clock()`` value after which no round is started or waited for.
            pause: wait that many seconds (it raises if the backend closes meanwhile).
            server: the name of the server in use, for messages.
            max_losses: rounds lost in a row, with no answer in between, before giving up.

        Raises:
            BackendUnavailable: the deadline passed with requests unanswered, or
                ``max_losses`` rounds in a row were lost, or ``recover`` raised.
        """
        # Every slot is filled before the loop ends (a JSON null is an answer too).
        answers: list[Answer] = [None] * len(calls)
        todo = list(range(len(calls)))
        wait = self._backoff
        losses = 0
        while todo:
            if self._clock() > deadline:
                raise BackendUnavailable(
                    f"The server {server()} is too busy: {len(todo)} of {len(calls)} "
                    "requests were still unanswered when the time for them ran out.",
                    server(),
                )
            chunk = todo[: self.size]
            started = self._clock()
            self._rounds += 1
            try:
                got = send([calls[i] for i in chunk])
            except BackendUnavailable as e:
                self.lost(len(chunk), self._clock() - started)
                losses += 1
                _log.info(
                    "lost a round of %d requests to %s (%s); next rounds carry %d",
                    len(chunk),
                    server(),
                    e,
                    self.size,
                )
                if losses >= max_losses or self._clock() > deadline:
                    raise
                recover(e)
                continue
            losses = 0
            busy = [i for i, a in zip(chunk, got, strict=True) if is_busy(a)]
            for i, answer in zip(chunk, got, strict=True):
                if not is_busy(answer):
                    answers[i] = answer
            self._busy += len(busy)
            self.observe(len(chunk), self._clock() - started, len(busy))
            todo = busy + todo[len(chunk) :]
            if busy:
                _log.info(
                    "%s was too busy for %d of %d requests; asking again in %.1f s, %d at a time",
                    server(),
                    len(busy),
                    len(chunk),
                    wait,
                    self.size,
                )
                if self._clock() + wait > deadline:
                    raise BackendUnavailable(
                        f"The server {server()} is too busy to answer {len(todo)} requests "
                        "in time.",
                        server(),
                    )
                pause(wait)
                wait = min(wait * 2, self._max_backoff)
            else:
                wait = self._backoff
        return answers
