"""The Electrum backend's pacing of long request lists against a throttling server.

The rules are tested here on their own, with a server simulated by a function that answers
a round of requests the way ElectrumX's session throttling does (a rate, busy answers past a
timeout, lost rounds); ``tests/integration/test_electrum_throttling.py`` syncs a wallet
against a real ElectrumX started with low cost limits.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from chains.errors import BackendUnavailable
from chains.utxo.electrum.connection import Call, JsonValue, RpcFailure
from chains.utxo.electrum.pacing import Pacer, is_busy

BUSY = RpcFailure(-102, "server busy - request timed out")


class Clock:
    """Simulated monotonic time: rounds and pauses advance it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def pause(self, seconds: float) -> None:
        self.now += seconds


class ThrottledServer:
    """Answers ``rate`` requests per second; what would wait past ``timeout`` is busy.

    Every request is answered with its own parameter, so that the test sees which answer
    belongs to which request; ``asked`` counts how often each was sent.
    """

    def __init__(self, clock: Clock, rate: float, timeout: float = 30.0) -> None:
        self.clock = clock
        self.rate = rate
        self.timeout = timeout
        self.asked: dict[JsonValue, int] = {}
        self.rounds: list[int] = []
        self.lose_next = 0

    def send(self, chunk: Sequence[Call]) -> list[JsonValue | RpcFailure]:
        self.rounds.append(len(chunk))
        for call in chunk:
            self.asked[call.params[0]] = self.asked.get(call.params[0], 0) + 1
        if self.lose_next:
            self.lose_next -= 1
            self.clock.now += self.timeout
            raise BackendUnavailable("The server s did not answer in time.", "s")
        served = int(self.rate * self.timeout)
        self.clock.now += min(len(chunk), served) / self.rate + 0.05
        return [c.params[0] if k < served else BUSY for k, c in enumerate(chunk)]


def calls(n: int) -> list[Call]:
    return [Call("blockchain.scripthash.get_history", (f"{i:064x}",)) for i in range(n)]


def run(pacer: Pacer, server: ThrottledServer, n: int, deadline: float = 600.0) -> list[object]:
    reconnects: list[BackendUnavailable] = []
    return pacer.run(
        calls(n),
        server.send,
        reconnects.append,
        deadline,
        server.clock.pause,
        lambda: "tcp://server:1",
    )


@pytest.mark.parametrize(
    ("answer", "busy"),
    [
        (BUSY, True),
        (RpcFailure(-101, "excessive resource usage"), True),
        (RpcFailure(0, "Server busy, try later"), True),
        (RpcFailure(1, "history too large"), False),
        ("00" * 32, False),
        (None, False),
    ],
    ids=["server-busy", "excessive-usage", "busy-words", "other-error", "result", "null"],
)
def test_busy_answers_are_recognised(answer: JsonValue | RpcFailure, busy: bool) -> None:
    assert is_busy(answer) is busy


def test_a_fast_server_gets_rounds_that_double_up_to_the_ceiling() -> None:
    clock = Clock()
    server = ThrottledServer(clock, rate=10_000)
    pacer = Pacer(ceiling=1000, target_s=3.0, initial=100, clock=clock)
    answers = run(pacer, server, 3100)
    assert answers == [f"{i:064x}" for i in range(3100)]
    assert server.rounds == [100, 200, 400, 800, 1000, 600]
    assert set(server.asked.values()) == {1}
    assert pacer.stats.slow_rounds == pacer.stats.busy_answers == 0


def test_a_slow_server_gets_rounds_it_answers_within_the_target() -> None:
    clock = Clock()
    server = ThrottledServer(clock, rate=20)
    pacer = Pacer(ceiling=1000, target_s=3.0, initial=100, clock=clock)
    answers = run(pacer, server, 400)
    assert answers == [f"{i:064x}" for i in range(400)]
    # 100 took 5 s: the next rounds carry what 3 s answered, about 60.
    assert server.rounds[0] == 100
    assert all(50 <= r <= 60 for r in server.rounds[1:-1])
    assert set(server.asked.values()) == {1}  # nothing was asked twice
    assert pacer.stats.busy_answers == 0
    assert pacer.stats.slow_rounds >= 1


def test_busy_answers_are_asked_again_and_nothing_else_is() -> None:
    clock = Clock()
    server = ThrottledServer(clock, rate=10, timeout=4.0)  # 40 answered per round at most
    pacer = Pacer(ceiling=1000, target_s=3.0, initial=100, clock=clock)
    answers = run(pacer, server, 100)
    assert answers == [f"{i:064x}" for i in range(100)]
    assert pacer.stats.busy_answers == 60
    assert server.rounds[0] == 100
    assert sorted(server.asked.values()) == [1] * 40 + [2] * 60  # only the busy ones again
    assert pacer.size <= 40


def test_a_lost_round_is_sent_again_after_recovering() -> None:
    clock = Clock()
    server = ThrottledServer(clock, rate=1000)
    server.lose_next = 1
    pacer = Pacer(ceiling=1000, target_s=3.0, initial=100, clock=clock)
    recovered: list[BackendUnavailable] = []
    answers = pacer.run(calls(150), server.send, recovered.append, 600.0, clock.pause, str)
    assert answers == [f"{i:064x}" for i in range(150)]
    assert len(recovered) == 1
    assert pacer.stats.lost_rounds == 1
    assert server.rounds[:2] == [100, 10]  # 30 s lost: what 3 s would carry, a tenth


def test_too_many_lost_rounds_in_a_row_give_up() -> None:
    clock = Clock()
    server = ThrottledServer(clock, rate=1000)
    server.lose_next = 10
    pacer = Pacer(ceiling=1000, target_s=3.0, clock=clock)
    with pytest.raises(BackendUnavailable, match="did not answer in time"):
        pacer.run(calls(50), server.send, lambda _e: None, 600.0, clock.pause, str)
    assert len(server.rounds) == 3


def test_the_deadline_ends_retrying_a_server_that_stays_busy() -> None:
    clock = Clock()
    server = ThrottledServer(clock, rate=0.5, timeout=1.0)  # answers nothing in time
    pacer = Pacer(ceiling=1000, target_s=3.0, clock=clock)
    with pytest.raises(BackendUnavailable, match="too busy") as info:
        run(pacer, server, 20, deadline=60.0)
    assert info.value.server == "tcp://server:1"
    assert clock.now <= 60.0
    assert pacer.size == 1


def test_a_reset_starts_small_again() -> None:
    clock = Clock()
    server = ThrottledServer(clock, rate=10_000)
    pacer = Pacer(ceiling=1000, target_s=3.0, initial=50, clock=clock)
    run(pacer, server, 1000)
    assert pacer.size == 800
    pacer.reset()
    assert pacer.size == 50


def test_short_rounds_do_not_grow_or_shrink_the_size() -> None:
    clock = Clock()
    pacer = Pacer(ceiling=1000, target_s=3.0, initial=100, clock=clock)
    pacer.observe(5, 0.4, 0)  # latency, not the server's rate
    assert pacer.size == 100
    pacer.observe(100, 1.0, 0)
    assert pacer.size == 200
    pacer.observe(10, 6.0, 0)  # slow even for a few: the server is throttling
    assert pacer.size == 5


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one request"):
        Pacer(ceiling=0, target_s=1.0)
