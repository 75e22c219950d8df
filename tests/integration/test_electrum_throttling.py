"""A wallet with hundreds of used addresses syncs from an ElectrumX that throttles sessions.

ElectrumX charges each session a cost and, past ``COST_SOFT_LIMIT``, slows its requests down
and answers "server busy" to those that waited past ``REQUEST_TIMEOUT``
(``tests.nodes.utxo.CostLimits``). The servers here are started with limits low enough that
one sync of this wallet crosses them (the defaults are crossed by a few thousand addresses),
in two ways: a server that slows down (the backend must shrink its rounds so that nothing
waits too long), and one whose timeout is so short that busy answers cannot be avoided (the
backend must ask them again, and reconnect when their cost makes the server hang up). Either
way the sync completes and shows exactly what a sync from an unthrottled server shows. A
probe then sends the same histories in one batch, as the backend did before it paced its
requests, and gets "server busy" answers: the limits really bite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chains.addresses import parse_address
from chains.utxo.backend import scripthash
from chains.utxo.electrum import ElectrumBackend
from chains.utxo.electrum.connection import Call, ElectrumConnection, RpcFailure
from tests.conftest import PASSWORD
from tests.nodes.utxo import (
    CostLimits,
    ElectrumXServer,
    LitecoinNode,
    litecoin_regtest,
    to_coins,
)
from wallet import Wallet
from wallet.accounts import UtxoAccount

pytestmark = pytest.mark.nodes

NET = "litecoin-regtest"
RECEIVE_USED = 300
CHANGE_USED = 75
PER_TX = 200

# A history costs about 0.2 plus its bytes (request and answer, ~250) / 100: some 2.7 per
# address. The soft limit is crossed after ~40 of them; past it each request sleeps up to
# 2.5 s times (cost - 100) / 4,900, and what waits more than the timeout is "server busy"
# (100 more each: some 50 of them reach the hard limit, and the server hangs up).
SLOWS_DOWN = CostLimits(
    soft=100, hard=5_000, request_sleep_ms=2_500, request_timeout_s=10, bandwidth_unit_cost=100
)
ANSWERS_BUSY = CostLimits(
    soft=100, hard=5_000, request_sleep_ms=2_500, request_timeout_s=2, bandwidth_unit_cost=100
)


def _build(node: LitecoinNode, tmp_path: Path) -> tuple[str, list[str], int]:
    """Pay one output to each of the first used addresses of a fresh seed; mine them."""
    with Wallet.create(tmp_path / "ref.coffer", PASSWORD) as ref:
        mnemonic = ref.reveal_mnemonic(PASSWORD)
        account = ref.account(NET)
        assert isinstance(account, UtxoAccount)
        addresses = [a.address for a in account.addresses(RECEIVE_USED)]
        addresses += [a.address for a in account.addresses(CHANGE_USED, change=True)]
    total = 0
    for n, start in enumerate(range(0, len(addresses), PER_TX)):
        batch = addresses[start : start + PER_TX]
        node.rpc("sendmany", "", {a: to_coins(10_000 + n) for a in batch})
        total += (10_000 + n) * len(batch)
    node.mine(1)
    return mnemonic, addresses, total


def _snapshot(account: UtxoAccount) -> tuple[Any, ...]:
    history = [
        (h.txid, h.status, h.height, h.confirmations, h.amount, h.fee, h.timestamp)
        for h in account.history()
    ]
    coins = [(c.outpoint, c.value, c.address, c.chain, c.index) for c in account.coins()]
    addresses = [
        (a.chain, a.index, a.address, a.used)
        for change in (False, True)
        for a in account.addresses(RECEIVE_USED + 40, change=change)
    ]
    return account.balance(), history, coins, addresses


def _sync(tmp_path: Path, name: str, mnemonic: str, backend: ElectrumBackend) -> tuple[Any, ...]:
    with Wallet.restore(tmp_path / f"{name}.coffer", PASSWORD, mnemonic) as wallet:
        wallet.backends.use(NET, backend)
        account = wallet.account(NET)
        assert isinstance(account, UtxoAccount)
        report = account.sync()
        assert report.new_transactions >= 1
        return _snapshot(account)


@pytest.mark.parametrize("limits", [SLOWS_DOWN, ANSWERS_BUSY], ids=["slows-down", "answers-busy"])
def test_a_throttled_sync_completes_and_equals_the_unthrottled_one(
    limits: CostLimits,
    tmp_path: Path,
    litecoind: LitecoinNode,
    electrumx: ElectrumXServer,
    electrumx_factory: Any,
) -> None:
    mnemonic, addresses, total = _build(litecoind, tmp_path)
    throttled: ElectrumXServer = electrumx_factory(limits=limits)
    throttled.wait_synced()
    electrumx.wait_synced()

    fast = ElectrumBackend(litecoin_regtest(), [electrumx.tcp], timeout=60)
    slow = ElectrumBackend(litecoin_regtest(), [throttled.tcp], timeout=60)
    try:
        reference = _sync(tmp_path, "unthrottled", mnemonic, fast)
        result = _sync(tmp_path, "throttled", mnemonic, slow)
    finally:
        fast.close()
        slow.close()

    assert result == reference
    balance, history, coins, used = result
    assert balance.total == total
    assert len(coins) == len(addresses)
    assert sum(1 for *_, is_used in used if is_used) == len(addresses)
    assert all(h[6] is not None for h in history)  # block times, on both servers alike
    stats = slow.throttling
    assert 0 < stats.smallest_round < 100  # the rounds shrank for the server
    if limits is SLOWS_DOWN:
        assert stats.slow_rounds >= 1  # the server slowed down
        assert stats.busy_answers == 0
        assert "timed out" not in throttled.log_text()  # no request waited too long
    else:
        assert stats.busy_answers >= 1  # asked again, and the sync still equals the other

    # The limits bite: the same histories in one batch, on a fresh session, get "busy".
    network = litecoin_regtest()
    hashes = [scripthash(parse_address(network, a).script_pubkey) for a in addresses]
    probe = ElectrumConnection(throttled.tcp, timeout=120)
    probe.open()
    try:
        probe.call_many([Call("server.version", ("coffer-probe", "1.4"))])
        answers = probe.call_many([Call("blockchain.scripthash.get_history", (h,)) for h in hashes])
    finally:
        probe.close()
    busy = [a for a in answers if isinstance(a, RpcFailure)]
    assert busy
    assert all("server busy" in a.message for a in busy)
