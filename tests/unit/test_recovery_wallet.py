"""Recovery wallets through the public API on the in-process Bitcoin devnet.

An owner wallet makes the recovery account with the heir's cosigner key; the heir's wallet
imports the same descriptor. Drafts are checked field by field: the owner's inputs keep the
RBF sequence, the heir's carry nSequence N on coins with N confirmations and refuse younger
ones, refresh drafts pay the account's own next address. (Signing and the node's judgement
are in tests/integration/test_recovery_litecoind.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chains.addresses import parse_address
from chains.utxo.devnet import BitcoinDevnet
from primitives.psbt import Psbt
from primitives.tx import Transaction
from tests.conftest import ABANDON, PASSWORD
from wallet import UtxoAccount, Wallet
from wallet.errors import (
    AccountExists,
    CoinUnavailable,
    InvalidPolicy,
    InvalidTimelock,
    TimelockNotReached,
    UnknownSpendPath,
    WatchOnly,
)
from wallet.utxo.builder import SEQUENCE_RBF

NET = "bitcoin-regtest"
HEIR_WORDS = "legal winner thank year wave sausage worth useful legal winner thank yellow"
EXTERNAL = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
N = 10


@pytest.fixture
def devnet() -> Iterator[BitcoinDevnet]:
    with BitcoinDevnet() as chain:
        chain.mine(101)
        yield chain


@pytest.fixture
def wallets(tmp_path: Path, devnet: BitcoinDevnet) -> Iterator[tuple[Wallet, Wallet]]:
    owner = Wallet.create(tmp_path / "owner.coffer", PASSWORD, ABANDON)
    heir = Wallet.create(tmp_path / "heir.coffer", PASSWORD, HEIR_WORDS)
    owner.backends.use(NET, devnet)
    heir.backends.use(NET, devnet)
    yield owner, heir
    owner.close()
    heir.close()


def fund(devnet: BitcoinDevnet, account: UtxoAccount, amount: int, index: int = 0) -> None:
    address = account.addresses(index + 1)[index].address
    devnet.fund(parse_address(account.utxo_network, address).script_pubkey, amount)


def pair(owner: Wallet, heir: Wallet, taproot: bool = False) -> tuple[UtxoAccount, UtxoAccount]:
    script = "tr" if taproot else "wsh"
    mine = owner.custody.create_recovery_wallet(
        NET, heir.custody.cosigner_key(NET, 0, script), N, taproot
    )
    theirs = heir.custody.create_policy_account(NET, mine.policy_export("descriptor"))
    return mine, theirs


@pytest.mark.parametrize("taproot", [False, True], ids=["wsh", "tr"])
def test_both_wallets_see_the_same_addresses_and_paths(
    wallets: tuple[Wallet, Wallet], taproot: bool
) -> None:
    owner, heir = wallets
    mine, theirs = pair(owner, heir, taproot)
    assert mine.receive_address() == theirs.receive_address()
    text = mine.descriptor()
    assert text.startswith("tr(" if taproot else "wsh(or_d(pk(")
    assert f"older({N})" in text
    assert [p.name for p in mine.spend_paths()] == ["owner", "recovery"]
    assert mine.spend_paths()[0].description.startswith("this wallet [")
    assert theirs.spend_paths()[1].description.startswith("this wallet [")
    assert "after 10 blocks" in theirs.spend_paths()[1].description


def test_refusals_when_making_one(wallets: tuple[Wallet, Wallet], tmp_path: Path) -> None:
    owner, heir = wallets
    heir_key = heir.custody.cosigner_key(NET)
    with pytest.raises(InvalidTimelock, match="1 to 65535 blocks"):
        owner.custody.create_recovery_wallet(NET, heir_key, 0)
    with pytest.raises(InvalidTimelock):
        owner.custody.create_recovery_wallet(NET, heir_key, 70_000)
    with pytest.raises(InvalidPolicy, match="own key"):
        owner.custody.create_recovery_wallet(NET, owner.custody.cosigner_key(NET), N)
    with pytest.raises(InvalidPolicy):
        owner.custody.create_recovery_wallet(NET, "not a key", N)
    with pytest.raises(InvalidPolicy, match="another network"):
        owner.custody.create_recovery_wallet(NET, heir.custody.cosigner_key("bitcoin"), N)
    with pytest.raises(InvalidPolicy, match="coin type"):
        owner.custody.create_recovery_wallet("litecoin", heir.custody.cosigner_key("bitcoin"), N)
    with pytest.raises(InvalidPolicy, match="not Bitcoin-family"):
        owner.custody.create_recovery_wallet("evm-local", heir_key, N)
    owner.custody.create_recovery_wallet(NET, heir_key, N)
    with pytest.raises(AccountExists):
        owner.custody.create_recovery_wallet(NET, heir_key, N)
    watch = Wallet.create_watch_only(tmp_path / "watch.coffer", PASSWORD)
    try:
        with pytest.raises(WatchOnly):
            watch.custody.create_recovery_wallet(NET, heir_key, N)
    finally:
        watch.close()


def test_status_counts_down_per_coin(wallets: tuple[Wallet, Wallet], devnet: BitcoinDevnet) -> None:
    owner, heir = wallets
    mine, _ = pair(owner, heir)
    fund(devnet, mine, 1_000_000)
    devnet.mine(3)
    fund(devnet, mine, 2_000_000, 1)  # arrives later, still unconfirmed
    mine.sync()
    status = mine.recovery_status()
    assert status.after_blocks == N
    assert [c.blocks_left for c in status.coins] == [N - 3, None]
    assert status.coins[1].note.startswith("unconfirmed: the clock starts when it confirms")
    assert status.soonest == status.coins[0]
    assert not status.warning
    devnet.mine(N - 4)  # first coin at N - 1 confirmations: one block left (10%)
    mine.sync()
    status = mine.recovery_status()
    assert [c.blocks_left for c in status.coins] == [1, N - (N - 4)]
    assert status.warning
    assert status.coins[0].days_left == pytest.approx(600 / 86400)


def test_status_of_an_account_that_is_no_recovery_wallet(
    wallets: tuple[Wallet, Wallet],
) -> None:
    owner, _ = wallets
    with pytest.raises(InvalidTimelock, match="no recovery path"):
        owner.account(NET).recovery_status()
    with pytest.raises(UnknownSpendPath, match="one way to spend"):
        owner.account(NET).prepare_send(EXTERNAL, 1000, path="recovery")


def test_heir_spends_only_coins_n_blocks_old_with_sequence_n(
    wallets: tuple[Wallet, Wallet], devnet: BitcoinDevnet
) -> None:
    owner, heir = wallets
    mine, theirs = pair(owner, heir)
    fund(devnet, mine, 1_000_000)
    devnet.mine(N - 1)
    fund(devnet, mine, 2_000_000, 1)
    devnet.mine(1)
    theirs.sync()  # first coin: N confirmations; second: 1
    mine.sync()
    draft = theirs.prepare_send(EXTERNAL, 500_000, path="recovery")
    psbt = Psbt.parse(draft.psbt)
    tx = psbt.unsigned_tx()
    assert tx.version == 2
    assert [i.sequence for i in tx.inputs] == [N]
    assert [c.value for c in draft.inputs] == [1_000_000]
    young = str(
        next(c.outpoint for c in theirs.view().state.coins.values() if c.value == 2_000_000)
    )
    with pytest.raises(TimelockNotReached, match=f"in {N - 1} blocks") as err:
        theirs.prepare_send(EXTERNAL, 500_000, path="recovery", utxos=[young])
    assert err.value.blocks_left == N - 1
    with pytest.raises(UnknownSpendPath, match="owner, recovery"):
        theirs.prepare_send(EXTERNAL, 500_000, path="heir")
    owned = mine.prepare_send(EXTERNAL, 500_000, path="owner", utxos=[young])
    assert [i.sequence for i in Psbt.parse(owned.psbt).unsigned_tx().inputs] == [SEQUENCE_RBF]


def test_heir_fee_uses_the_recovery_witness(
    wallets: tuple[Wallet, Wallet], devnet: BitcoinDevnet
) -> None:
    owner, heir = wallets
    mine, theirs = pair(owner, heir)
    fund(devnet, mine, 1_000_000)
    devnet.mine(N)
    theirs.sync()
    mine.sync()
    owner_path, recovery = mine.spend_paths()
    by_heir = theirs.prepare_send(EXTERNAL, 500_000, path="recovery", fee_rate=10)
    by_owner = mine.prepare_send(EXTERNAL, 500_000, path="owner", fee_rate=10)
    grown = (recovery.input_size.weight - owner_path.input_size.weight + 3) // 4
    assert by_heir.vsize - by_owner.vsize == grown


def test_no_coin_old_enough_names_the_soonest(
    wallets: tuple[Wallet, Wallet], devnet: BitcoinDevnet
) -> None:
    owner, heir = wallets
    mine, theirs = pair(owner, heir)
    fund(devnet, mine, 1_000_000)
    devnet.mine(2)
    theirs.sync()
    with pytest.raises(TimelockNotReached, match="No coin is old enough") as err:
        theirs.prepare_send(EXTERNAL, 500_000, path="recovery")
    assert err.value.blocks_left == N - 2


def test_refresh_moves_every_coin_to_the_next_address(
    wallets: tuple[Wallet, Wallet], devnet: BitcoinDevnet
) -> None:
    owner, heir = wallets
    mine, _ = pair(owner, heir)
    fund(devnet, mine, 1_000_000)
    devnet.mine(5)
    fund(devnet, mine, 2_000_000, 1)
    devnet.mine(1)
    mine.sync()
    next_address = mine.receive_address()
    draft = mine.prepare_refresh(fee_rate=2)
    assert draft.kind == "refresh"
    assert len(draft.inputs) == 2
    assert [o.address for o in draft.summary.outputs] == [next_address]
    assert draft.summary.outputs[0].amount == 3_000_000 - draft.fee
    assert all(i.sequence == SEQUENCE_RBF for i in Psbt.parse(draft.psbt).unsigned_tx().inputs)
    nearest = mine.prepare_refresh(fee_rate=2, within_blocks=N - 5)
    assert [c.value for c in nearest.inputs] == [1_000_000]
    with pytest.raises(CoinUnavailable, match="within 1 blocks"):
        mine.prepare_refresh(fee_rate=2, within_blocks=1)


@pytest.mark.parametrize("taproot", [False, True], ids=["wsh", "tr"])
def test_owner_and_heir_sign_and_the_chain_takes_both(
    wallets: tuple[Wallet, Wallet], devnet: BitcoinDevnet, taproot: bool
) -> None:
    owner, heir = wallets
    mine, theirs = pair(owner, heir, taproot)
    fund(devnet, mine, 1_000_000)
    fund(devnet, mine, 2_000_000, 1)
    devnet.mine(1)
    mine.sync()
    by_owner = mine.prepare_send(EXTERNAL, 100_000, path="owner", fee_rate=2)
    signed = owner.sign(by_owner)  # libbitcoinkernel checked each input
    assert mine.broadcast(signed) in devnet.mempool()
    if taproot:  # the key path: one 64-byte Schnorr signature
        assert [len(i.witness) for i in Transaction.parse(signed.raw).inputs] == [1]
    devnet.mine(N - 1)
    theirs.sync()
    left = [c for c in theirs.view().state.coins.values() if c.height is not None]
    assert left
    by_heir = theirs.prepare_send(EXTERNAL, 50_000, path="recovery", fee_rate=2)
    signed = heir.sign(by_heir)
    assert [i.sequence for i in Transaction.parse(signed.raw).inputs] == [N] * len(by_heir.inputs)
    txid = theirs.broadcast(signed)
    assert txid in devnet.mempool()
    theirs.sync()
    bumped = theirs.bump_fee(txid, fee_rate=20)  # the replacement keeps nSequence N
    assert {i.sequence for i in Psbt.parse(bumped.psbt).unsigned_tx().inputs} == {N}
    assert theirs.broadcast(heir.sign(bumped)) in devnet.mempool()
