"""Recovery (inheritance) wallets end to end on Litecoin regtest (litecoind + ElectrumX).

The owner's wallet makes ``wsh(or_d(pk(OWNER),and_v(v:pkh(HEIR),older(10))))`` (and the
taproot ``tr(OWNER,and_v(v:pk(HEIR),older(10)))``) with the heir's cosigner key; the heir's
wallet imports the exported descriptor. Both sync through ElectrumX and sign with their hot
signers; the node judges every spend:

- the heir's spend (nSequence 10, version 2) is refused by the node as ``non-BIP68-final``
  while the coin has 9 confirmations (the tip block is set aside with ``invalidateblock``
  after signing: the wallet itself refuses to build it that early) and accepted at 10;
- the same for a coin that arrived long after the wallet was set up (its own clock);
- the owner spends at 0 and 1 confirmation;
- a refresh moves the coins to the next address and their clocks start again;
- the taproot heir leaf is refused at 9 confirmations and accepted at 10.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from chains.utxo.electrum import ElectrumBackend
from primitives.tx import Transaction
from tests.conftest import PASSWORD
from tests.nodes.utxo import ElectrumXServer, LitecoinNode, litecoin_regtest
from wallet import Wallet
from wallet.errors import TimelockNotReached
from wallet.types import SignedTransaction
from wallet.utxo import fees
from wallet.utxo.builder import SendRequest, build_send

pytestmark = pytest.mark.nodes

NET = "litecoin-regtest"
N = 10
HEIR_WORDS = "legal winner thank year wave sausage worth useful legal winner thank yellow"
RATE = Decimal(2)


class Pair:
    """An owner wallet with a recovery account and the heir's wallet with the same policy."""

    def __init__(
        self, folder: Path, node: LitecoinNode, indexer: ElectrumXServer, taproot: bool
    ) -> None:
        self.node, self.indexer = node, indexer
        self.owner = Wallet.create(folder / "owner.coffer", PASSWORD)
        self.heir = Wallet.create(folder / "heir.coffer", PASSWORD, HEIR_WORDS)
        self.backends = []
        for w in (self.owner, self.heir):
            backend = ElectrumBackend(litecoin_regtest(), [indexer.tcp], timeout=15)
            self.backends.append(backend)
            w.backends.use(NET, backend)
        script = "tr" if taproot else "wsh"
        heir_key = self.heir.custody.cosigner_key(NET, 0, script)
        self.mine = self.owner.custody.create_recovery_wallet(
            NET, heir_key, N, taproot, "inheritance"
        )
        self.theirs = self.heir.custody.create_policy_account(
            NET, self.mine.policy_export("descriptor")
        )
        assert self.mine.receive_address() == self.theirs.receive_address()

    def fund(self, sats: int, index: int) -> str:
        txid = self.node.fund(self.mine.addresses(index + 1)[index].address, sats)
        self.indexer.wait_for_tx(txid)
        return f"{txid}:{self._vout(txid, sats)}"

    def _vout(self, txid: str, sats: int) -> int:
        tx = self.node.rpc("getrawtransaction", txid, True, wallet=None)
        return next(o["n"] for o in tx["vout"] if round(o["value"] * 10**8) == sats)

    def mine_blocks(self, n: int) -> None:
        self.node.mine(n)
        self.settle()

    def settle(self) -> None:
        self.indexer.wait_synced()
        self.mine.sync()
        self.theirs.sync()

    def external(self) -> str:
        return str(self.node.rpc("getnewaddress", "", "bech32"))

    def accept(self, signed: SignedTransaction) -> dict[str, object]:
        (verdict,) = self.node.rpc("testmempoolaccept", [signed.raw.hex()], wallet=None)
        return dict(verdict)

    def heir_spend(self, coin: str) -> SignedTransaction:
        draft = self.theirs.prepare_send(
            self.external(), "0.01", fee_rate=RATE, utxos=[coin], path="recovery"
        )
        return self.heir.sign(draft)

    def early_heir_spend(self, coin: str) -> SignedTransaction:
        """Sign the heir's spend one block before the coin has N confirmations.

        The wallet refuses to build it (``TimelockNotReached``), so the draft is built with
        the builder's own function on a view that believes the tip is one block higher; the
        locktime stays the real tip's (anti-fee-sniping), so only BIP-68 can refuse it.
        """
        ctx = self.theirs.context
        view = self.theirs.view()
        tip = view.tip_height
        view.tip_height = tip + 1
        presets = fees.fee_presets(ctx.backend(), ctx.network)
        rate = fees.resolve_rate(presets, "normal", RATE, ctx.network)
        path = next(p for p in self.theirs.spend_paths() if p.name == "recovery")
        request = SendRequest(((self.external(), "0.01"),), utxos=(coin,), path=path)
        draft = build_send(ctx, view, request, presets, rate, tip)
        return self.heir.sign(draft)

    def refused_one_block_early_then_accepted(self, coin: str) -> str:
        """Show the node refuses the heir's spend at N - 1 confirmations and takes it at N."""
        with pytest.raises(TimelockNotReached, match="in 1 blocks"):
            self.heir_spend(coin)
        signed = self.early_heir_spend(coin)
        parsed = Transaction.parse(signed.raw)
        assert parsed.version == 2
        assert [i.sequence for i in parsed.inputs] == [N]
        early = self.accept(signed)
        assert early["allowed"] is False
        assert early["reject-reason"] == "non-BIP68-final"
        self.mine_blocks(1)  # N confirmations
        assert self.accept(signed)["allowed"] is True
        txid = self.theirs.broadcast(signed)
        self.mine_blocks(1)
        assert self.node.rpc("getrawtransaction", txid, True, wallet=None).get("blockhash")
        return txid

    def close(self) -> None:
        self.owner.close()
        self.heir.close()
        for backend in self.backends:
            backend.close()


@pytest.fixture
def pair(tmp_path: Path, litecoind: LitecoinNode, electrumx: ElectrumXServer) -> Iterator[Pair]:
    electrumx.wait_synced()
    made = Pair(tmp_path, litecoind, electrumx, taproot=False)
    yield made
    made.close()


def test_heir_is_refused_at_n_minus_1_and_accepted_at_n(pair: Pair) -> None:
    first = pair.fund(5_000_000, 0)
    pair.mine_blocks(N - 2)  # N - 2 confirmations: the wallet refuses to build it
    with pytest.raises(TimelockNotReached) as err:
        pair.theirs.prepare_send(pair.external(), "0.01", fee_rate=RATE, path="recovery")
    assert err.value.blocks_left == 2
    status = pair.mine.recovery_status()
    assert [c.blocks_left for c in status.coins] == [2]
    assert not status.warning  # 2 of 10 left is 20%
    late = pair.fund(3_000_000, 1)  # a coin arriving long after the wallet was made
    pair.mine_blocks(1)  # first coin: N - 1 confirmations; the late one: 1
    status = pair.mine.recovery_status()
    assert [c.blocks_left for c in status.coins] == [1, N - 1]
    assert status.warning  # 1 of 10 left: 10%
    pair.refused_one_block_early_then_accepted(first)  # mines 2 blocks
    with pytest.raises(TimelockNotReached, match=f"in {N - 3} blocks"):
        pair.heir_spend(late)
    pair.mine_blocks(N - 4)  # the late coin: N - 1 confirmations
    pair.refused_one_block_early_then_accepted(late)


def test_owner_spends_at_zero_and_one_confirmation(pair: Pair) -> None:
    unconfirmed = pair.fund(4_000_000, 0)
    pair.settle()
    draft = pair.mine.prepare_send(
        pair.external(), "0.01", fee_rate=RATE, utxos=[unconfirmed], path="owner"
    )
    signed = pair.owner.sign(draft)
    assert all(i.sequence == 0xFFFFFFFD for i in Transaction.parse(signed.raw).inputs)
    assert pair.accept(signed)["allowed"] is True
    pair.mine.broadcast(signed)
    pair.mine_blocks(1)
    coin = pair.fund(2_000_000, 1)
    pair.mine_blocks(1)
    draft = pair.mine.prepare_send(pair.external(), "0.01", fee_rate=RATE, utxos=[coin])
    signed = pair.owner.sign(draft)
    assert signed.raw
    vsize = pair.node.rpc("decoderawtransaction", signed.raw.hex(), wallet=None)["vsize"]
    assert vsize <= draft.vsize
    assert pair.accept(signed)["allowed"] is True


def test_refresh_restarts_the_clock(pair: Pair) -> None:
    pair.fund(2_000_000, 0)
    pair.fund(1_000_000, 1)
    pair.mine_blocks(N - 1)
    before = pair.mine.recovery_status()
    assert [c.blocks_left for c in before.coins] == [1, 1]
    assert before.warning
    target = pair.mine.receive_address()
    draft = pair.mine.prepare_refresh(fee_rate=RATE)
    assert draft.kind == "refresh"
    assert [o.address for o in draft.summary.outputs] == [target]
    assert draft.fee > 0
    txid = pair.mine.broadcast(pair.owner.sign(draft))
    pair.indexer.wait_for_tx(txid)
    pair.settle()
    pending = pair.mine.recovery_status()
    assert [c.blocks_left for c in pending.coins] == [None]
    assert "the clock starts when it confirms" in pending.coins[0].note
    pair.mine_blocks(1)
    after = pair.mine.recovery_status()
    assert [c.blocks_left for c in after.coins] == [N - 1]
    assert after.coins[0].confirmations == 1
    assert not after.warning


def test_taproot_heir_leaf_at_n(
    tmp_path: Path, litecoind: LitecoinNode, electrumx: ElectrumXServer
) -> None:
    electrumx.wait_synced()
    tr = Pair(tmp_path, litecoind, electrumx, taproot=True)
    try:
        assert tr.mine.descriptor().startswith("tr([")
        coin = tr.fund(3_000_000, 0)
        owner_coin = tr.fund(1_000_000, 1)
        tr.mine_blocks(1)
        draft = tr.mine.prepare_send(tr.external(), "0.001", fee_rate=RATE, utxos=[owner_coin])
        signed = tr.owner.sign(draft)  # key path: one Schnorr signature
        assert tr.accept(signed)["allowed"] is True
        tr.mine.broadcast(signed)
        tr.mine_blocks(N - 2)  # the heir's coin: N - 1 confirmations
        tr.refused_one_block_early_then_accepted(coin)
    finally:
        tr.close()
