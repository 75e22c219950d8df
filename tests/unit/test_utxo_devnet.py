"""The embedded Bitcoin regtest devnet on libbitcoinkernel (in-process: no node, no network).

Every transaction here is crafted in the test: faucet coins (P2WSH of OP_TRUE) need only the
witness script; signature failures use a P2WPKH key held by the test and signed with
coincurve over a BIP-143 digest computed here. The kernel judges every block and script, so
each accepted case also proves the devnet built something Bitcoin Core's consensus accepts.
"""

from __future__ import annotations

import hashlib
import struct
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import coincurve
import pytest

from chains.errors import BackendUnavailable, Unsupported, WrongServerNetwork
from chains.registry import get_network
from chains.utxo.backend import (
    BlockRef,
    HistoryItem,
    NewTip,
    ScriptsChanged,
    SyncRequest,
    TransactionRejected,
    UtxoBackend,
)
from chains.utxo.devnet import (
    FAUCET_SCRIPT,
    FAUCET_WITNESS_SCRIPT,
    MAX_FEE_RATE_SAT_VB,
    BitcoinDevnet,
    Utxo,
)
from chains.utxo.errors import BlockRejected, FaucetEmpty, TransactionNotFound
from primitives.hashes import hash160, sha256d
from primitives.tx import OutPoint, Transaction, TxIn, TxOut, read_compact_size

REGTEST = get_network("bitcoin-regtest")
DEVNET_KEY = b"the devnet storage key of the tests"
COIN = 100_000_000
RBF = 0xFFFFFFFD  # BIP-125 signalling
NO_RBF = 0xFFFFFFFE  # final for replacement, lock time still enforced
KEY = coincurve.PrivateKey(bytes.fromhex("11" * 32))
PUBKEY = KEY.public_key.format(compressed=True)
P2WPKH = b"\x00\x14" + hash160(PUBKEY)


def p2wpkh(tag: int) -> bytes:
    """Return a distinct P2WPKH script nobody needs to spend."""
    return b"\x00\x14" + bytes([tag]) * 20


def p2pkh(tag: int) -> bytes:
    return b"\x76\xa9\x14" + bytes([tag]) * 20 + b"\x88\xac"


# -- transaction helpers ---------------------------------------------------------------------


def faucet_input(outpoint: OutPoint, sequence: int = RBF) -> TxIn:
    return TxIn(outpoint, b"", sequence, (FAUCET_WITNESS_SCRIPT,))


def spend(
    coins: Sequence[Utxo],
    outputs: Sequence[TxOut],
    *,
    sequence: int = RBF,
    locktime: int = 0,
    version: int = 2,
) -> Transaction:
    """Spend faucet coins to ``outputs``."""
    inputs = tuple(faucet_input(c.outpoint, sequence) for c in coins)
    return Transaction(version, inputs, tuple(outputs), locktime)


def pay_all(coin: Utxo, script: bytes, fee: int, sequence: int = RBF) -> Transaction:
    return spend([coin], [TxOut(coin.value - fee, script)], sequence=sequence)


def bip143_digest(
    tx: Transaction, index: int, amount: int, pubkey_hash: bytes, hashtype: int = 1
) -> bytes:
    """Return the BIP-143 digest of a P2WPKH input (BIP-143, "Specification").

    A ``hashtype`` without the NONE, SINGLE or ANYONECANPAY bits hashes as SIGHASH_ALL does,
    with its own value in the preimage.
    """
    prevouts = b"".join(i.prevout.serialize() for i in tx.inputs)
    sequences = b"".join(struct.pack("<I", i.sequence) for i in tx.inputs)
    outputs = b"".join(o.serialize() for o in tx.outputs)
    txin = tx.inputs[index]
    script_code = b"\x19\x76\xa9\x14" + pubkey_hash + b"\x88\xac"
    preimage = (
        struct.pack("<i", tx.version)
        + sha256d(prevouts)
        + sha256d(sequences)
        + txin.prevout.serialize()
        + script_code
        + struct.pack("<q", amount)
        + struct.pack("<I", txin.sequence)
        + sha256d(outputs)
        + struct.pack("<I", tx.locktime)
        + struct.pack("<I", hashtype)
    )
    return sha256d(preimage)


ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141  # secp256k1 n


def _der_int(x: int) -> bytes:
    body = x.to_bytes((x.bit_length() + 7) // 8 or 1, "big")
    if body[0] & 0x80:
        body = b"\x00" + body
    return b"\x02" + bytes([len(body)]) + body


def high_s(der: bytes) -> bytes:
    """Return the same ECDSA signature with S replaced by n - S (valid, but not low-S)."""
    r_len = der[3]
    r = int.from_bytes(der[4 : 4 + r_len], "big")
    s_at = 4 + r_len
    s = int.from_bytes(der[s_at + 2 : s_at + 2 + der[s_at + 1]], "big")
    body = _der_int(r) + _der_int(ORDER - s)
    return b"\x30" + bytes([len(body)]) + body


def signed_p2wpkh_spend(
    coin: Utxo,
    outputs: Sequence[TxOut],
    *,
    corrupt: bool = False,
    compressed: bool = True,
    hashtype: int = 1,
    make_high_s: bool = False,
) -> bytes:
    """Spend a P2WPKH coin of ``KEY``; ``corrupt`` signs the digest of other outputs."""
    pubkey = KEY.public_key.format(compressed=compressed)
    unsigned = Transaction(2, (TxIn(coin.outpoint, b"", RBF),), tuple(outputs))
    signed_over = unsigned
    if corrupt:
        signed_over = unsigned.replace(
            outputs=[TxOut(o.value + 1, o.script_pubkey) for o in outputs]
        )
    digest = bip143_digest(signed_over, 0, coin.value, hash160(pubkey), hashtype)
    der = KEY.sign(digest, hasher=None)
    signature = (high_s(der) if make_high_s else der) + bytes([hashtype])
    txin = TxIn(coin.outpoint, b"", RBF, (signature, pubkey))
    return unsigned.replace(inputs=[txin]).serialize()


def block_transactions(raw: bytes) -> tuple[bytes, list[Transaction]]:
    """Split a raw block into its header and transactions."""
    count, pos = read_compact_size(raw, 80)
    txs = []
    for _ in range(count):
        tx, pos = Transaction.parse_prefix(raw, pos)
        txs.append(tx)
    assert pos == len(raw)
    return raw[:80], txs


def header_time(header: bytes) -> int:
    return int(struct.unpack("<I", header[68:72])[0])


def status_of(items: Sequence[tuple[str, int]]) -> str:
    """Electrum status computed independently: sha256 of "txid:height:" (protocol-basics)."""
    return hashlib.sha256("".join(f"{t}:{h}:" for t, h in items).encode()).hexdigest()


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def devnet() -> Iterator[BitcoinDevnet]:
    with BitcoinDevnet(REGTEST) as chain:
        yield chain


@pytest.fixture
def rich(devnet: BitcoinDevnet) -> BitcoinDevnet:
    """A devnet with 20 mature coinbases in the faucet."""
    devnet.mine(120)
    return devnet


def mature_coins(chain: BitcoinDevnet) -> list[Utxo]:
    tip = chain.tip().height
    coins = [
        c
        for c in chain.utxos(FAUCET_SCRIPT)
        if c.height is not None and (not c.coinbase or tip + 1 - c.height >= 100)
    ]
    return sorted(coins, key=lambda c: (c.height, c.outpoint))


def rejected(chain: BitcoinDevnet, raw: bytes) -> TransactionRejected:
    before = chain.mempool()
    with pytest.raises(TransactionRejected) as info:
        chain.broadcast(raw)
    assert chain.mempool() == before
    return info.value


# -- the backend protocol ----------------------------------------------------------------------


def test_devnet_satisfies_the_backend_protocol(devnet: BitcoinDevnet) -> None:
    assert isinstance(devnet, UtxoBackend)
    assert devnet.network is REGTEST
    assert devnet.server_name == "embedded"
    assert devnet.round_trips == 0
    assert devnet.tip() == BlockRef(0, REGTEST.genesis_hash)


def test_refuses_a_network_with_another_genesis() -> None:
    with pytest.raises(WrongServerNetwork) as info:
        BitcoinDevnet(get_network("litecoin-regtest"))
    assert info.value.expected == get_network("litecoin-regtest").genesis_hash
    assert info.value.actual == REGTEST.genesis_hash


# -- mining --------------------------------------------------------------------------------


def test_mine_returns_the_new_blocks_of_the_active_chain(devnet: BitcoinDevnet) -> None:
    hashes = devnet.mine(5)
    assert devnet.tip() == BlockRef(5, hashes[-1])
    assert hashes == [devnet.block_hash(h) for h in range(1, 6)]
    assert len(set(hashes)) == 5
    for height, block_hash in enumerate(hashes, start=1):
        header, txs = block_transactions(devnet.raw_block(height))
        assert sha256d(header)[::-1].hex() == block_hash
        assert header[4:36] == bytes.fromhex(devnet.block_hash(height - 1))[::-1]
        assert txs[0].is_coinbase
        # BIP-141 commitment output, and the reserved value as the coinbase witness
        assert txs[0].outputs[-1].script_pubkey[:6] == bytes.fromhex("6a24aa21a9ed")
        assert txs[0].inputs[0].witness == (bytes(32),)


def test_coinbase_pays_the_subsidy_halving_every_150_blocks(devnet: BitcoinDevnet) -> None:
    miner = p2wpkh(1)
    devnet.mine(148)
    devnet.mine(1, script=miner)  # height 149
    devnet.mine(1, script=miner)  # height 150: first halving on regtest
    values = sorted((u.height, u.value, u.coinbase) for u in devnet.utxos(miner))
    assert values == [(149, 50 * COIN, True), (150, 25 * COIN, True)]


def test_coinbase_claims_the_fees_of_its_transactions(rich: BitcoinDevnet) -> None:
    coin = mature_coins(rich)[0]
    tx = pay_all(coin, p2wpkh(2), fee=12_345)
    rich.broadcast(tx.serialize())
    miner = p2wpkh(3)
    rich.mine(1, script=miner)
    assert [u.value for u in rich.utxos(miner)] == [50 * COIN + 12_345]


def test_block_orders_packages_by_fee_rate_parents_first(rich: BitcoinDevnet) -> None:
    low, mid = mature_coins(rich)[:2]
    parent = pay_all(low, FAUCET_SCRIPT, fee=200)  # about 2 sat/vB
    child_coin = Utxo(parent.outpoint(0), parent.outputs[0].value, FAUCET_SCRIPT, None, False)
    child = pay_all(child_coin, p2wpkh(4), fee=5_000)  # lifts the package to ~50 sat/vB
    middle = pay_all(mid, p2wpkh(5), fee=2_000)  # about 20 sat/vB
    for tx in (parent, middle, child):
        rich.broadcast(tx.serialize())
    rich.mine()
    _, txs = block_transactions(rich.raw_block(rich.tip().height))
    assert [t.txid for t in txs[1:]] == [parent.txid, child.txid, middle.txid]
    assert rich.mempool() == ()


def test_block_times_stay_above_the_median_time_past() -> None:
    frozen = 1_700_000_000.0
    with BitcoinDevnet(REGTEST, clock=lambda: frozen) as chain:
        chain.mine(40)
        times = [header_time(block_transactions(chain.raw_block(h))[0]) for h in range(41)]
    for height in range(1, 41):
        window = sorted(times[max(0, height - 11) : height])
        assert times[height] > window[len(window) // 2]
        assert times[height] >= times[height - 1]
    assert times[1] == int(frozen)


def test_mine_refuses_a_negative_count(devnet: BitcoinDevnet) -> None:
    with pytest.raises(ValueError, match="0 or more"):
        devnet.mine(-1)
    assert devnet.mine(0) == []


# -- maturity and funding --------------------------------------------------------------------


def test_a_coinbase_is_spendable_after_100_confirmations(devnet: BitcoinDevnet) -> None:
    devnet.mine(1)
    (coinbase,) = devnet.utxos(FAUCET_SCRIPT)
    tx = pay_all(coinbase, p2wpkh(6), fee=1_000).serialize()
    devnet.mine(98)  # tip 99: a block at 100 would spend it at depth 99
    assert rejected(devnet, tx).reason == "bad-txns-premature-spend-of-coinbase"
    devnet.mine(1)  # tip 100: depth 100 in the next block
    assert devnet.broadcast(tx) == Transaction.parse(tx).txid


def test_fund_pays_unconfirmed_until_mined(rich: BitcoinDevnet) -> None:
    target = p2wpkh(7)
    txid = rich.fund(target, 1_234_567)
    assert rich.mempool() == (txid,)
    (utxo,) = rich.utxos(target)
    assert (utxo.outpoint.txid_hex, utxo.value, utxo.height) == (txid, 1_234_567, None)
    rich.mine()
    (utxo,) = rich.utxos(target)
    assert utxo.height == rich.tip().height
    assert rich.spender(mature_coins(rich)[0].outpoint) is None


def test_fund_needs_mature_coins(devnet: BitcoinDevnet) -> None:
    devnet.mine(99)  # the first coinbase would be 99 deep in the next block
    with pytest.raises(FaucetEmpty) as info:
        devnet.fund(p2wpkh(8), COIN)
    assert info.value.available == 0
    devnet.mine(1)
    devnet.fund(p2wpkh(8), COIN)
    with pytest.raises(FaucetEmpty):
        devnet.fund(p2wpkh(8), 60 * COIN)


def test_fund_refuses_floats_and_dust(rich: BitcoinDevnet) -> None:
    with pytest.raises(TypeError):
        rich.fund(p2wpkh(9), 1.5)  # type: ignore[arg-type]
    with pytest.raises(TransactionRejected) as info:
        rich.fund(p2wpkh(9), 100)
    assert info.value.reason == "dust"


# -- sync ----------------------------------------------------------------------------------


def test_sync_returns_changed_scripts_as_an_electrum_server(rich: BitcoinDevnet) -> None:
    a, b, unused = p2wpkh(10), p2wpkh(11), p2wpkh(12)
    txa = rich.fund(a, 500_000)
    rich.mine()
    height_a = rich.tip().height
    txb = rich.fund(b, 700_000)
    scripts = {(0, 0, 0): a, (0, 0, 1): b, (0, 0, 2): unused}
    first = rich.sync(SyncRequest(REGTEST, scripts))
    assert first.tip == rich.tip()
    assert first.statuses == {
        (0, 0, 0): status_of([(txa, height_a)]),
        (0, 0, 1): status_of([(txb, 0)]),
        (0, 0, 2): None,  # not known yet, so reported, unused
    }
    assert first.histories == {
        (0, 0, 0): (HistoryItem(txa, height_a),),
        (0, 0, 1): (HistoryItem(txb, None),),
        (0, 0, 2): (),
    }
    assert set(first.transactions) == {txa, txb}
    for txid, raw in first.transactions.items():
        assert Transaction.parse(raw).txid == txid
    assert first.block_hashes == {height_a: rich.block_hash(height_a)}
    assert set(first.fees) == {txa, txb}
    assert all(fee > 0 for fee in first.fees.values())

    known = SyncRequest(REGTEST, scripts, first.tip, first.statuses, frozenset(first.transactions))
    again = rich.sync(known)
    assert (again.statuses, again.histories, again.transactions) == ({}, {}, {})

    rich.mine()
    later = rich.sync(known)
    height_b = rich.tip().height
    assert later.statuses == {(0, 0, 1): status_of([(txb, height_b)])}
    assert later.histories == {(0, 0, 1): (HistoryItem(txb, height_b),)}
    assert later.transactions == {}  # the wallet has it already
    assert later.fees == {}  # fees come with new transactions only, as from Electrum
    assert later.block_hashes == {height_b: rich.block_hash(height_b)}


def test_sync_orders_mempool_by_unconfirmed_inputs_then_txid(rich: BitcoinDevnet) -> None:
    script = p2wpkh(13)
    c1, c2 = mature_coins(rich)[:2]
    parent = spend([c1], [TxOut(c1.value - 11_000, FAUCET_SCRIPT), TxOut(10_000, script)])
    grandchild_coin = Utxo(parent.outpoint(0), parent.outputs[0].value, FAUCET_SCRIPT, None, False)
    child = pay_all(grandchild_coin, script, fee=1_000)  # unconfirmed input: height -1
    other = pay_all(c2, script, fee=1_000)  # confirmed inputs: height 0
    for tx in (parent, child, other):
        rich.broadcast(tx.serialize())
    update = rich.sync(SyncRequest(REGTEST, {(1,): script}))
    zeros = sorted([parent.txid, other.txid])
    assert update.histories[(1,)] == tuple(HistoryItem(t, None) for t in [*zeros, child.txid])
    assert update.statuses[(1,)] == status_of([(zeros[0], 0), (zeros[1], 0), (child.txid, -1)])


def test_sync_returns_every_script_after_a_reorg(rich: BitcoinDevnet) -> None:
    script, unused = p2wpkh(14), p2wpkh(15)
    txid = rich.fund(script, 100_000)
    rich.mine()
    scripts = {(0,): script, (1,): unused}
    first = rich.sync(SyncRequest(REGTEST, scripts))
    rich.reorg(2)
    known = SyncRequest(REGTEST, scripts, first.tip, first.statuses, frozenset({txid}))
    after = rich.sync(known)
    assert after.statuses == {(0,): status_of([(txid, 0)]), (1,): None}
    assert after.histories == {(0,): (HistoryItem(txid, None),), (1,): ()}


def test_sync_refuses_another_network(devnet: BitcoinDevnet) -> None:
    with pytest.raises(ValueError, match="Litecoin regtest"):
        devnet.sync(SyncRequest(get_network("litecoin-regtest"), {}))


def test_get_transactions_confirmed_and_unconfirmed(rich: BitcoinDevnet) -> None:
    confirmed = rich.fund(p2wpkh(16), 100_000)
    rich.mine()
    pending = rich.fund(p2wpkh(16), 100_000)
    found = rich.get_transactions((confirmed, pending))
    assert {t: Transaction.parse(r).txid for t, r in found.items()} == {
        confirmed: confirmed,
        pending: pending,
    }
    with pytest.raises(TransactionNotFound) as info:
        rich.get_transactions(("00" * 32,))
    assert info.value.txid == "00" * 32


def test_fee_rate_is_the_median_of_recent_transactions(rich: BitcoinDevnet) -> None:
    assert rich.fee_rate(1).sat_per_kvb == REGTEST.fallback_fee_sat_vb * 1000
    coins = mature_coins(rich)[:3]
    rates = []
    for coin, fee in zip(coins, (1_000, 5_000, 20_000), strict=True):
        tx = pay_all(coin, p2wpkh(17), fee)
        rich.broadcast(tx.serialize())
        rates.append(-(-fee * 1000 // tx.vsize))
    assert rich.fee_rate(6).sat_per_kvb == sorted(rates)[1]
    rich.mine()
    assert rich.fee_rate(2).sat_per_kvb == sorted(rates)[1]  # now from the last block
    with pytest.raises(ValueError, match="at least one block"):
        rich.fee_rate(0)


# -- refusals ----------------------------------------------------------------------------------


def test_refuses_a_missing_or_spent_input(rich: BitcoinDevnet) -> None:
    ghost = Utxo(OutPoint(bytes(range(32)), 0), COIN, FAUCET_SCRIPT, 1, False)
    assert rejected(rich, pay_all(ghost, p2wpkh(18), 1_000).serialize()).reason == (
        "bad-txns-inputs-missingorspent"
    )
    coin = mature_coins(rich)[0]
    rich.broadcast(pay_all(coin, p2wpkh(18), 1_000).serialize())
    rich.mine()
    again = pay_all(coin, p2wpkh(19), 2_000).serialize()
    assert rejected(rich, again).reason == "bad-txns-inputs-missingorspent"


def test_refuses_a_conflict_with_a_non_signalling_transaction(rich: BitcoinDevnet) -> None:
    coin = mature_coins(rich)[0]
    rich.broadcast(pay_all(coin, p2wpkh(20), 1_000, sequence=NO_RBF).serialize())
    better = pay_all(coin, p2wpkh(21), 50_000).serialize()
    assert rejected(rich, better).reason == "txn-mempool-conflict"


def test_replacement_by_fee_follows_bip125(rich: BitcoinDevnet) -> None:
    coin = mature_coins(rich)[0]
    original = pay_all(coin, FAUCET_SCRIPT, 1_000)
    rich.broadcast(original.serialize())
    child_coin = Utxo(original.outpoint(0), original.outputs[0].value, FAUCET_SCRIPT, None, False)
    child = pay_all(child_coin, p2wpkh(22), 3_000)
    rich.broadcast(child.serialize())
    evicted_fees = 1_000 + 3_000

    same_rate = pay_all(coin, p2wpkh(23), 1_000).serialize()  # same size, same fee
    assert rejected(rich, same_rate).reason == "insufficient fee"
    below_package = pay_all(coin, p2wpkh(23), evicted_fees - 1).serialize()
    assert rejected(rich, below_package).reason == "insufficient fee"
    probe = pay_all(coin, p2wpkh(23), evicted_fees)
    short = pay_all(coin, p2wpkh(23), evicted_fees + probe.vsize - 1).serialize()
    error = rejected(rich, short)
    assert error.reason == "insufficient fee"
    assert "not enough additional fees" in error.detail

    replacement = pay_all(coin, p2wpkh(23), evicted_fees + probe.vsize)
    assert replacement.vsize == probe.vsize
    assert rich.broadcast(replacement.serialize()) == replacement.txid
    assert rich.mempool() == (replacement.txid,)  # original and its child evicted
    rich.mine()
    assert rich.get_transactions((replacement.txid,))


def test_replacement_may_not_add_unconfirmed_inputs(rich: BitcoinDevnet) -> None:
    c1, c2 = mature_coins(rich)[:2]
    original = pay_all(c1, p2wpkh(24), 1_000)
    unrelated = pay_all(c2, FAUCET_SCRIPT, 1_000)
    rich.broadcast(original.serialize())
    rich.broadcast(unrelated.serialize())
    extra = Utxo(unrelated.outpoint(0), unrelated.outputs[0].value, FAUCET_SCRIPT, None, False)
    total = c1.value + extra.value
    replacement = spend([c1, extra], [TxOut(total - 100_000, p2wpkh(25))]).serialize()
    assert rejected(rich, replacement).reason == "replacement-adds-unconfirmed"


def test_replacement_may_not_spend_what_it_replaces(rich: BitcoinDevnet) -> None:
    c1 = mature_coins(rich)[0]
    original = spend([c1], [TxOut(COIN, FAUCET_SCRIPT), TxOut(c1.value - COIN - 1_000, p2wpkh(26))])
    rich.broadcast(original.serialize())
    own = Utxo(original.outpoint(0), COIN, FAUCET_SCRIPT, None, False)
    bad = spend([c1, own], [TxOut(c1.value - 100_000, p2wpkh(27))]).serialize()
    assert rejected(rich, bad).reason == "bad-txns-spends-conflicting-tx"


def test_dust_threshold_is_cores(rich: BitcoinDevnet) -> None:
    coins = mature_coins(rich)
    for coin, script, threshold in ((coins[0], p2wpkh(28), 294), (coins[1], p2pkh(28), 546)):
        change = TxOut(coin.value - threshold - 10_000, FAUCET_SCRIPT)
        below = spend([coin], [TxOut(threshold - 1, script), change]).serialize()
        assert rejected(rich, below).reason == "dust"
        rich.broadcast(spend([coin], [TxOut(threshold, script), change]).serialize())


def test_refuses_a_transaction_below_the_minimum_relay_fee(rich: BitcoinDevnet) -> None:
    coin = mature_coins(rich)[0]
    probe = pay_all(coin, p2wpkh(29), 1)
    short = pay_all(coin, p2wpkh(29), probe.vsize - 1).serialize()
    assert rejected(rich, short).reason == "min relay fee not met"
    exact = pay_all(coin, p2wpkh(29), probe.vsize)
    assert rich.broadcast(exact.serialize()) == exact.txid


def test_refuses_an_absurd_fee_as_cores_maxfeerate(rich: BitcoinDevnet) -> None:
    coin = mature_coins(rich)[0]
    probe = pay_all(coin, p2wpkh(47), 1)
    cap = MAX_FEE_RATE_SAT_VB * probe.vsize
    over = pay_all(coin, p2wpkh(47), cap + 1).serialize()
    assert rich.test_accept(over).reason == "max-fee-exceeded"
    assert rejected(rich, over).reason == "max-fee-exceeded"
    exact = pay_all(coin, p2wpkh(47), cap)
    assert rich.broadcast(exact.serialize()) == exact.txid


def test_refuses_a_transaction_before_its_lock_time(rich: BitcoinDevnet) -> None:
    coins = mature_coins(rich)
    tip = rich.tip().height
    out = [TxOut(coins[0].value - 1_000, p2wpkh(30))]
    early = spend(coins[:1], out, sequence=NO_RBF, locktime=tip + 1).serialize()
    assert rejected(rich, early).reason == "non-final"
    future_time = spend(coins[:1], out, sequence=NO_RBF, locktime=4_000_000_000).serialize()
    assert rejected(rich, future_time).reason == "non-final"
    # final sequences switch the lock time off (nLockTime semantics)
    final = [TxOut(coins[2].value - 1_000, p2wpkh(31))]
    rich.broadcast(spend(coins[2:3], final, sequence=0xFFFFFFFF, locktime=tip + 50).serialize())
    passed = [TxOut(coins[1].value - 1_000, p2wpkh(31))]
    rich.broadcast(spend(coins[1:2], passed, sequence=NO_RBF, locktime=tip).serialize())
    rich.mine()
    rich.broadcast(early)  # the next block's height passes the lock time now


def test_refuses_a_relative_lock_time_not_reached(rich: BitcoinDevnet) -> None:
    coin = mature_coins(rich)[-1]
    depth = rich.tip().height + 1 - coin.height  # type: ignore[operator]
    tx = pay_all(coin, p2wpkh(32), 1_000, sequence=depth + 1).serialize()  # BIP-68 blocks
    assert rejected(rich, tx).reason == "non-BIP68-final"
    rich.mine()
    rich.broadcast(tx)


def test_refuses_a_wrong_signature(rich: BitcoinDevnet) -> None:
    rich.fund(P2WPKH, 1_000_000)
    rich.mine()
    (coin,) = rich.utxos(P2WPKH)
    out = [TxOut(990_000, p2wpkh(33))]
    forged = signed_p2wpkh_spend(coin, out, corrupt=True)
    error = rejected(rich, forged)
    assert error.reason == "mandatory-script-verify-flag-failed"
    assert error.txid == Transaction.parse(forged).txid
    good = signed_p2wpkh_spend(coin, out)
    assert rich.broadcast(good) == Transaction.parse(good).txid
    rich.mine()  # the kernel accepts the block holding the signed spend


@pytest.mark.parametrize(
    ("flaw", "error"),
    [
        ("high-s", "S value is unnecessarily high"),
        ("hashtype-0", "Signature hash type missing or not understood"),
        ("uncompressed-key", "Using non-compressed keys in segwit"),
    ],
)
def test_refuses_signatures_core_does_not_relay(rich: BitcoinDevnet, flaw: str, error: str) -> None:
    """Consensus-valid signatures (the kernel accepts them) that Core's policy refuses."""
    compressed = flaw != "uncompressed-key"
    script = b"\x00\x14" + hash160(KEY.public_key.format(compressed=compressed))
    rich.fund(script, 1_000_000)
    rich.mine(2)  # the reorg below replaces only the second, empty block
    (coin,) = rich.utxos(script)
    out = [TxOut(990_000, p2wpkh(48))]
    if flaw == "high-s":
        raw = signed_p2wpkh_spend(coin, out, make_high_s=True)
    elif flaw == "hashtype-0":
        raw = signed_p2wpkh_spend(coin, out, hashtype=0)
    else:
        raw = signed_p2wpkh_spend(coin, out, compressed=False)
    refusal = rejected(rich, raw)
    assert refusal.reason == "non-mandatory-script-verify-flag"
    assert error in refusal.detail
    # Consensus alone accepts it: a branch block holding it is connected by the kernel.
    rich.reorg(1, txs=[raw])
    assert [u.height for u in rich.utxos(p2wpkh(48))] == [rich.tip().height - 1]


def test_refuses_a_wrong_witness_script(rich: BitcoinDevnet) -> None:
    coin = mature_coins(rich)[0]
    tx = pay_all(coin, p2wpkh(34), 1_000)
    wrong = tx.replace(inputs=[TxIn(coin.outpoint, b"", RBF, (b"\x52",))]).serialize()
    assert rejected(rich, wrong).reason == "mandatory-script-verify-flag-failed"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("garbage", "TX decode failed"),
        ("overspend", "bad-txns-in-belowout"),
        ("bare-script", "scriptpubkey"),
        ("version-4", "version"),
        ("tiny", "tx-size-small"),
        ("duplicate-input", "bad-txns-inputs-duplicate"),
        ("coinbase", "coinbase"),
    ],
)
def test_refuses_malformed_and_non_standard_transactions(
    rich: BitcoinDevnet, name: str, reason: str
) -> None:
    coin = mature_coins(rich)[0]
    ok = TxOut(coin.value - 1_000, p2wpkh(35))
    raw = {
        "garbage": lambda: b"\x02\x00\x00\x00\x01",
        "overspend": lambda: spend([coin], [TxOut(coin.value + 1, p2wpkh(35))]).serialize(),
        "bare-script": lambda: spend([coin], [TxOut(coin.value - 1_000, b"\x51")]).serialize(),
        "version-4": lambda: spend([coin], [ok], version=4).serialize(),
        "tiny": lambda: spend([coin], [TxOut(coin.value - 1_000, b"\x6a")]).serialize(),
        "duplicate-input": lambda: spend([coin, coin], [ok]).serialize(),
        "coinbase": lambda: block_transactions(rich.raw_block(5))[1][0].serialize(),
    }[name]()
    assert rejected(rich, raw).reason == reason


def test_refuses_a_transaction_already_known(rich: BitcoinDevnet) -> None:
    coin = mature_coins(rich)[0]
    tx = spend([coin], [TxOut(coin.value - 1_000, p2wpkh(36))]).serialize()
    txid = rich.broadcast(tx)
    assert rich.broadcast(tx) == txid  # in the mempool: answered like sendrawtransaction
    assert rich.test_accept(tx).reason == "txn-already-in-mempool"
    rich.mine()
    assert rich.test_accept(tx).reason == "txn-already-known"
    assert rich.broadcast(tx) == txid  # confirmed: as the Electrum backend answers
    assert rich.mempool() == ()


def test_refuses_a_chain_of_more_than_25_unconfirmed(rich: BitcoinDevnet) -> None:
    coin = mature_coins(rich)[0]
    for _ in range(25):
        tx = pay_all(coin, FAUCET_SCRIPT, 1_000)
        rich.broadcast(tx.serialize())
        coin = Utxo(tx.outpoint(0), tx.outputs[0].value, FAUCET_SCRIPT, None, False)
    error = rejected(rich, pay_all(coin, FAUCET_SCRIPT, 1_000).serialize())
    assert error.reason == "too-long-mempool-chain"


def test_test_accept_changes_nothing(rich: BitcoinDevnet) -> None:
    coin = mature_coins(rich)[0]
    tx = pay_all(coin, p2wpkh(37), 2_000)
    result = rich.test_accept(tx.serialize())
    assert (result.txid, result.allowed, result.fee, result.vsize) == (
        tx.txid,
        True,
        2_000,
        tx.vsize,
    )
    assert rich.mempool() == ()
    bad = rich.test_accept(pay_all(coin, p2wpkh(37), 1).serialize())
    assert (bad.allowed, bad.reason) == (False, "min relay fee not met")


# -- reorganisations -------------------------------------------------------------------------


def test_reorg_returns_orphaned_transactions_to_the_mempool(rich: BitcoinDevnet) -> None:
    script, miner = p2wpkh(38), p2wpkh(39)
    txid = rich.fund(script, 300_000)
    rich.mine(1, script=miner)
    height = rich.tip().height
    old_hash = rich.block_hash(height)
    branch = rich.reorg(1)
    assert rich.tip() == BlockRef(height + 1, branch[-1])
    assert rich.block_hash(height) == branch[0] != old_hash
    assert rich.mempool() == (txid,)
    assert rich.utxos(miner) == ()  # the orphaned coinbase is gone
    assert [u.height for u in rich.utxos(script)] == [None]
    rich.mine()
    assert [u.height for u in rich.utxos(script)] == [height + 2]


def test_reorg_with_a_double_spend_drops_the_orphaned_payment(rich: BitcoinDevnet) -> None:
    coin = mature_coins(rich)[0]
    paid, thief = p2wpkh(40), p2wpkh(41)
    payment = pay_all(coin, paid, 1_000)
    rich.broadcast(payment.serialize())
    rich.mine()
    double = pay_all(coin, thief, 2_000)
    rich.reorg(1, txs=[double.serialize()])
    assert rich.mempool() == ()
    assert rich.utxos(paid) == ()
    assert [u.outpoint.txid_hex for u in rich.utxos(thief)] == [double.txid]
    update = rich.sync(SyncRequest(REGTEST, {(0,): paid}, known_statuses={(0,): None}))
    assert update.statuses == {}  # unused again


def test_reorg_into_an_invalid_branch_is_refused(rich: BitcoinDevnet) -> None:
    ghost = Utxo(OutPoint(bytes(range(32)), 0), COIN, FAUCET_SCRIPT, 1, False)
    tip = rich.tip()
    bad = pay_all(ghost, p2wpkh(42), 1_000).serialize()
    with pytest.raises(BlockRejected) as info:
        rich.reorg(1, txs=[bad])
    assert info.value.reason == "bad-txns-inputs-missingorspent"
    assert rich.tip() == tip
    rich.mine()  # the chain goes on where it was


def test_reorg_arguments(rich: BitcoinDevnet) -> None:
    with pytest.raises(ValueError, match="depth"):
        rich.reorg(0)
    with pytest.raises(ValueError, match="depth"):
        rich.reorg(rich.tip().height + 1)
    with pytest.raises(ValueError, match="more blocks"):
        rich.reorg(2, count=2)
    with pytest.raises(Unsupported):
        rich.invalidate_block(rich.tip().hash)


# -- persistence, closing, threads, events --------------------------------------------------


def test_reload_from_datadir_sees_the_same_chain(tmp_path: Path) -> None:
    script, pending = p2wpkh(43), p2wpkh(44)
    scripts = {(0,): script, (1,): pending}
    with BitcoinDevnet(REGTEST, tmp_path / "chain", storage_key=DEVNET_KEY) as first:
        first.mine(105)
        first.fund(script, 400_000)
        first.mine(2)
        first.reorg(1)
        waiting = first.fund(pending, 400_000)  # the mempool is kept, as Core's mempool.dat
        tip, utxos = first.tip(), first.utxos(script)
        statuses = first.sync(SyncRequest(REGTEST, scripts)).statuses
    with BitcoinDevnet(REGTEST, tmp_path / "chain", storage_key=DEVNET_KEY) as second:
        assert second.tip() == tip
        assert second.utxos(script) == utxos
        assert second.mempool() == (waiting,)
        assert second.sync(SyncRequest(REGTEST, scripts)).statuses == statuses
        assert second.block_hash(tip.height) == tip.hash
        second.mine()
        assert second.mempool() == ()
        assert [u.outpoint.txid_hex for u in second.utxos(pending)] == [waiting]
    assert (tmp_path / "chain").is_dir()


def test_a_damaged_mempool_file_keeps_what_is_still_valid(tmp_path: Path) -> None:
    first_script, second_script = p2wpkh(45), p2wpkh(46)
    with BitcoinDevnet(REGTEST, tmp_path / "chain", storage_key=DEVNET_KEY) as chain:
        chain.mine(105)
        kept = chain.fund(first_script, 300_000)
        chain.fund(second_script, 300_000)
    saved = tmp_path / "chain" / "coffer-mempool.dat"
    data = saved.read_bytes()
    first_size, start = read_compact_size(data, 0)
    saved.write_bytes(data[: start + first_size] + b"\xfd\xff")  # the second record is cut off
    with BitcoinDevnet(REGTEST, tmp_path / "chain", storage_key=DEVNET_KEY) as chain:
        assert chain.mempool() == (kept,)
    saved.write_bytes(b"not a mempool")
    with BitcoinDevnet(REGTEST, tmp_path / "chain", storage_key=DEVNET_KEY) as chain:
        assert chain.mempool() == ()


def test_one_datadir_serves_one_devnet(tmp_path: Path) -> None:
    with (
        BitcoinDevnet(REGTEST, tmp_path, storage_key=DEVNET_KEY),
        pytest.raises(BackendUnavailable),
    ):
        BitcoinDevnet(REGTEST, tmp_path, storage_key=DEVNET_KEY)


def test_close_removes_the_temporary_datadir_and_refuses_calls() -> None:
    chain = BitcoinDevnet(REGTEST)
    chain.mine(3)
    directory = chain.datadir
    assert directory.is_dir()
    chain.close()
    assert not directory.exists()
    with pytest.raises(BackendUnavailable):
        chain.tip()
    with pytest.raises(BackendUnavailable):
        chain.mine()
    chain.close()  # closing twice is harmless


def test_threads_may_share_a_devnet(rich: BitcoinDevnet) -> None:
    errors: list[BaseException] = []

    def work(tag: int) -> None:
        try:
            for _ in range(5):
                rich.fund(p2wpkh(100 + tag), 50_000)
                rich.mine()
        except BaseException as err:  # reported by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert rich.tip().height == 120 + 20
    for tag in range(4):
        assert [u.value for u in rich.utxos(p2wpkh(100 + tag))] == [50_000] * 5


def test_watched_scripts_get_live_updates(rich: BitcoinDevnet) -> None:
    script = p2wpkh(45)
    rich.watch({(7,): script})
    rich.fund(script, 100_000)
    assert rich.events.get_nowait() == ScriptsChanged(frozenset({(7,)}))
    rich.mine()
    assert rich.events.get_nowait() == NewTip(rich.tip())
    assert rich.events.get_nowait() == ScriptsChanged(frozenset({(7,)}))
    assert rich.events.empty()


def test_the_kernel_stays_quiet(capfd: pytest.CaptureFixture[str]) -> None:
    with BitcoinDevnet(REGTEST) as chain:
        chain.mine(3)
        ghost = Utxo(OutPoint(bytes(range(32)), 0), COIN, FAUCET_SCRIPT, 1, False)
        with pytest.raises(BlockRejected):
            chain.reorg(1, txs=[pay_all(ghost, p2wpkh(46), 1_000).serialize()])
    captured = capfd.readouterr()
    assert (captured.out, captured.err) == ("", "")
