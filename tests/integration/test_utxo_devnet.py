"""Differential test: the devnet's mempool judges crafted transactions as Litecoin Core does.

Litecoin Core 0.21 is Bitcoin Core's policy and script code with other network parameters
(DESIGN.md). Both chains get coins on the same anyone-can-spend script, P2WSH(``OP_TRUE``),
so one builder makes the same kind of transaction for each; the devnet's ``test_accept`` and
the node's ``testmempoolaccept`` must agree on every verdict and reject reason. The node is
the session's ``litecoind`` (skipped when missing, failed under ``COFFER_REQUIRE_NODES=1``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest

from chains.utxo.devnet import FAUCET_SCRIPT, FAUCET_WITNESS_SCRIPT, BitcoinDevnet
from primitives.hashes import hash160
from primitives.tx import OutPoint, Transaction, TxIn, TxOut
from tests.nodes.utxo import LitecoinNode
from tests.unit.test_utxo_devnet import P2WPKH, signed_p2wpkh_spend

pytestmark = pytest.mark.nodes

RBF = 0xFFFFFFFD
NO_RBF = 0xFFFFFFFE
COINS_PER_SIDE = 24
COIN_VALUE = 1_000_000


@dataclass(frozen=True)
class Coin:
    outpoint: OutPoint
    value: int
    height: int


class Side:
    """One chain: fresh P2WSH(OP_TRUE) coins, its tip height, its mempool's verdicts."""

    def height(self) -> int:
        raise NotImplementedError

    def dust_relay_sat_vb(self) -> int:
        raise NotImplementedError

    def test_accept(self, raw: bytes) -> tuple[bool, str | None]:
        raise NotImplementedError

    def broadcast(self, raw: bytes) -> None:
        raise NotImplementedError

    def mine_to_faucet(self) -> None:
        """Mine one block whose coinbase pays the faucet script."""
        raise NotImplementedError

    def big_coin(self) -> Coin:
        """Return a confirmed faucet coin worth more than the fan-out needs."""
        raise NotImplementedError

    def newest_coinbase(self) -> Coin:
        raise NotImplementedError


class DevnetSide(Side):
    def __init__(self, devnet: BitcoinDevnet) -> None:
        self.devnet = devnet

    def height(self) -> int:
        return self.devnet.tip().height

    def dust_relay_sat_vb(self) -> int:
        return self.devnet.network.dust_relay_sat_vb

    def test_accept(self, raw: bytes) -> tuple[bool, str | None]:
        result = self.devnet.test_accept(raw)
        return result.allowed, result.reason

    def broadcast(self, raw: bytes) -> None:
        self.devnet.broadcast(raw)

    def mine_to_faucet(self) -> None:
        self.devnet.mine(1)

    def big_coin(self) -> Coin:
        txid = self.devnet.fund(FAUCET_SCRIPT, COINS_PER_SIDE * COIN_VALUE + 100_000)
        self.devnet.mine(1)
        (u,) = [u for u in self.devnet.utxos(FAUCET_SCRIPT) if u.outpoint.txid_hex == txid][:1]
        assert u.height is not None
        return Coin(u.outpoint, u.value, u.height)

    def newest_coinbase(self) -> Coin:
        u = max(
            (u for u in self.devnet.utxos(FAUCET_SCRIPT) if u.coinbase), key=lambda u: u.height or 0
        )
        assert u.height is not None
        return Coin(u.outpoint, u.value, u.height)


class NodeSide(Side):
    def __init__(self, node: LitecoinNode) -> None:
        self.node = node
        self.address = node.address_of(FAUCET_SCRIPT)

    def height(self) -> int:
        return self.node.height()

    def dust_relay_sat_vb(self) -> int:
        return self.node.network.dust_relay_sat_vb

    def test_accept(self, raw: bytes) -> tuple[bool, str | None]:
        (answer,) = self.node.rpc("testmempoolaccept", [raw.hex()], wallet=None)
        reason = answer.get("reject-reason")
        return bool(answer["allowed"]), None if reason is None else _code(reason)

    def broadcast(self, raw: bytes) -> None:
        self.node.rpc("sendrawtransaction", raw.hex(), wallet=None)

    def mine_to_faucet(self) -> None:
        self.node.mine(1, self.address)

    def big_coin(self) -> Coin:
        sats = COINS_PER_SIDE * COIN_VALUE + 100_000
        txid = self.node.fund(self.address, sats)
        self.node.mine(1)
        tx = self.node.rpc("getrawtransaction", txid, True, wallet=None)
        (vout,) = [o["n"] for o in tx["vout"] if o["scriptPubKey"]["hex"] == FAUCET_SCRIPT.hex()]
        return Coin(OutPoint.from_text(f"{txid}:{vout}"), sats, self.height())

    def newest_coinbase(self) -> Coin:
        block = self.node.rpc(
            "getblock", self.node.rpc("getbestblockhash", wallet=None), 2, wallet=None
        )
        coinbase = block["tx"][0]
        (out,) = [o for o in coinbase["vout"] if o["scriptPubKey"]["hex"] == FAUCET_SCRIPT.hex()]
        value = int(Decimal(str(out["value"])) * 100_000_000)
        return Coin(OutPoint.from_text(f"{coinbase['txid']}:{out['n']}"), value, block["height"])


def _code(reason: str) -> str:
    """Return the reason code at the head of a node's reject reason (before its detail)."""
    for sep in (" (", ", "):
        reason = reason.partition(sep)[0]
    return reason.strip()


def _spend(
    coins: list[Coin],
    outputs: list[TxOut],
    *,
    sequence: int = RBF,
    locktime: int = 0,
    version: int = 2,
    witness: bytes = FAUCET_WITNESS_SCRIPT,
) -> bytes:
    inputs = tuple(TxIn(c.outpoint, b"", sequence, (witness,)) for c in coins)
    return Transaction(version, inputs, tuple(outputs), locktime).serialize()


def _pay(
    coin: Coin,
    fee: int,
    *,
    sequence: int = RBF,
    locktime: int = 0,
    version: int = 2,
    witness: bytes = FAUCET_WITNESS_SCRIPT,
) -> bytes:
    outputs = [TxOut(coin.value - fee, PAYEE)]
    return _spend(
        [coin], outputs, sequence=sequence, locktime=locktime, version=version, witness=witness
    )


PAYEE = b"\x00\x14" + os.urandom(20)


P2SH_REDEEM = b"\x51"  # OP_TRUE, spent by pushing it: P2SH is a mandatory flag everywhere
P2SH_TRUE = b"\xa9\x14" + hash160(P2SH_REDEEM) + b"\x87"


@dataclass
class Prepared:
    side: Side
    coins: list[Coin]
    p2sh_coins: list[Coin]
    key_coins: list[Coin]
    coinbase: Coin

    def take(self) -> Coin:
        return self.coins.pop()


def _prepare(side: Side) -> Prepared:
    """Give a side confirmed faucet and P2SH(OP_TRUE) coins and an immature faucet coinbase."""
    big = side.big_coin()
    outputs = [TxOut(COIN_VALUE, FAUCET_SCRIPT)] * (COINS_PER_SIDE - 4)
    outputs += [TxOut(COIN_VALUE, P2SH_TRUE)] * 2 + [TxOut(COIN_VALUE, P2WPKH)] * 2
    fan_out = _spend([big], outputs)
    side.broadcast(fan_out)
    side.mine_to_faucet()
    txid = Transaction.parse(fan_out).txid_bytes
    coins = [Coin(OutPoint(txid, v), COIN_VALUE, side.height()) for v in range(len(outputs))]
    return Prepared(side, coins[:-4], coins[-4:-2], coins[-2:], side.newest_coinbase())


def _p2sh_spend(coin: Coin, redeem: bytes) -> bytes:
    txin = TxIn(coin.outpoint, bytes([len(redeem)]) + redeem, RBF)
    return Transaction(2, (txin,), (TxOut(coin.value - 1_000, PAYEE),)).serialize()


Case = Callable[[Prepared], bytes]


def _valid(p: Prepared) -> bytes:
    return _pay(p.take(), 1_000)


def _missing_input(p: Prepared) -> bytes:
    return _pay(Coin(OutPoint(os.urandom(32), 0), COIN_VALUE, 1), 1_000)


def _conflict(p: Prepared) -> bytes:
    coin = p.take()
    p.side.broadcast(_pay(coin, 1_000, sequence=NO_RBF))
    return _pay(coin, 20_000)


def _replacement_too_cheap(p: Prepared) -> bytes:
    coin = p.take()
    p.side.broadcast(_pay(coin, 1_000))
    return _spend([coin], [TxOut(coin.value - 1_000, b"\x00\x14" + bytes(20))])  # same rate


def _dust(p: Prepared) -> bytes:
    coin = p.take()
    return _spend([coin], [TxOut(1, PAYEE), TxOut(coin.value - 2_000, PAYEE)])


def _no_fee(p: Prepared) -> bytes:
    return _pay(p.take(), 0)


def _lock_time(p: Prepared) -> bytes:
    return _pay(p.take(), 1_000, sequence=NO_RBF, locktime=p.side.height() + 5)


def _relative_lock_time(p: Prepared) -> bytes:
    coin = p.take()
    depth = p.side.height() + 1 - coin.height
    return _pay(coin, 1_000, sequence=depth + 1)  # BIP-68: one block short


def _immature_coinbase(p: Prepared) -> bytes:
    return _pay(p.coinbase, 10_000)


# signed_p2wpkh_spend (the unit tests' BIP-143 signer) reads only .outpoint and .value.
def _signed(p: Prepared) -> bytes:
    return signed_p2wpkh_spend(p.key_coins.pop(), [TxOut(COIN_VALUE - 1_000, PAYEE)])


def _signed_high_s(p: Prepared) -> bytes:
    coin = p.key_coins.pop()
    return signed_p2wpkh_spend(coin, [TxOut(COIN_VALUE - 1_000, PAYEE)], make_high_s=True)


def _p2sh_valid(p: Prepared) -> bytes:
    return _p2sh_spend(p.p2sh_coins.pop(), P2SH_REDEEM)


def _p2sh_wrong_script(p: Prepared) -> bytes:
    return _p2sh_spend(p.p2sh_coins.pop(), b"\x52")  # OP_2: not the committed script


def _overspend(p: Prepared) -> bytes:
    coin = p.take()
    return _spend([coin], [TxOut(coin.value + 1, PAYEE)])


def _non_standard_output(p: Prepared) -> bytes:
    coin = p.take()
    return _spend([coin], [TxOut(coin.value - 1_000, b"\x51")])  # bare OP_TRUE


def _version_3(p: Prepared) -> bytes:
    return _pay(p.take(), 1_000, version=3)


def _dust_at(offset: int) -> Case:
    """Pay a P2WPKH output ``offset`` satoshis off the side's dust threshold.

    Core's ``GetDustThreshold``: (31-byte output + 67 vbytes to spend it) x the dust relay
    rate, the registry's value of each network (3 sat/vB Bitcoin, 30 lit/vB Litecoin).
    """

    def build(p: Prepared) -> bytes:
        coin = p.take()
        value = 98 * p.side.dust_relay_sat_vb() + offset
        return _spend([coin], [TxOut(value, PAYEE), TxOut(coin.value - value - 2_000, PAYEE)])

    return build


def _relay_fee(shortfall: int) -> Case:
    def build(p: Prepared) -> bytes:
        coin = p.take()
        vsize = Transaction.parse(_pay(coin, 1)).vsize
        return _pay(coin, vsize - shortfall)  # 1 sat/vB is the minimum on both

    return build


def _replacement_paying(shortfall: int) -> Case:
    def build(p: Prepared) -> bytes:
        coin = p.take()
        p.side.broadcast(_pay(coin, 1_000))
        other = b"\x00\x14" + bytes(20)
        vsize = Transaction.parse(_spend([coin], [TxOut(coin.value, other)])).vsize
        fee = 1_000 + vsize - shortfall  # BIP-125 rule 4: pay for its own size again
        return _spend([coin], [TxOut(coin.value - fee, other)])

    return build


CASES: dict[str, tuple[Case, bool, str | None]] = {
    "dust-threshold-minus-1": (_dust_at(-1), False, "dust"),
    "dust-threshold": (_dust_at(0), True, None),
    "relay-fee-short-by-1": (_relay_fee(1), False, "min relay fee not met"),
    "relay-fee-exact": (_relay_fee(0), True, None),
    "replacement-short-by-1": (_replacement_paying(1), False, "insufficient fee"),
    "replacement-exact": (_replacement_paying(0), True, None),
    "valid": (_valid, True, None),
    "missing-input": (_missing_input, False, "missing-inputs"),
    "conflict": (_conflict, False, "txn-mempool-conflict"),
    "replacement-too-cheap": (_replacement_too_cheap, False, "insufficient fee"),
    "dust": (_dust, False, "dust"),
    "no-fee": (_no_fee, False, "min relay fee not met"),
    "lock-time": (_lock_time, False, "non-final"),
    "relative-lock-time": (_relative_lock_time, False, "non-BIP68-final"),
    "immature-coinbase": (_immature_coinbase, False, "bad-txns-premature-spend-of-coinbase"),
    "p2wpkh-signed": (_signed, True, None),
    "p2wpkh-high-s": (_signed_high_s, False, "non-mandatory-script-verify-flag"),
    "p2sh-valid": (_p2sh_valid, True, None),
    "p2sh-wrong-script": (_p2sh_wrong_script, False, "mandatory-script-verify-flag-failed"),
    "overspend": (_overspend, False, "bad-txns-in-belowout"),
    "non-standard-output": (_non_standard_output, False, "scriptpubkey"),
    "version-3": (_version_3, False, "version"),
}


@pytest.fixture(scope="module")
def sides(litecoind: LitecoinNode) -> Iterator[dict[str, Prepared]]:
    with BitcoinDevnet() as devnet:
        devnet.mine(101)
        yield {"devnet": _prepare(DevnetSide(devnet)), "litecoind": _prepare(NodeSide(litecoind))}


@pytest.mark.parametrize("case", list(CASES))
def test_devnet_and_litecoin_core_agree(sides: dict[str, Prepared], case: str) -> None:
    build, allowed, reason = CASES[case]
    verdicts = {name: p.side.test_accept(build(p)) for name, p in sides.items()}
    assert verdicts["devnet"] == verdicts["litecoind"]
    assert verdicts["devnet"] == (allowed, reason)


def test_witness_failures_are_mandatory_on_the_devnet_as_in_newer_core(
    sides: dict[str, Prepared],
) -> None:
    """A known, deliberate difference of versions, pinned so that it stays known.

    Litecoin Core 0.21 (Bitcoin Core 0.21's policy) has only P2SH among its mandatory script
    flags, so a failure that only witness rules catch comes back as
    ``non-mandatory-script-verify-flag``. Newer Bitcoin Core (at least since v29, whose
    ``policy.h`` lists every consensus flag, witness and taproot included, as mandatory)
    reports ``mandatory-script-verify-flag-failed``, and so does the devnet, which verifies
    with all of libbitcoinkernel's consensus flags.
    """
    verdicts = {
        name: p.side.test_accept(_pay(p.take(), 1_000, witness=b"\x52"))
        for name, p in sides.items()
    }
    assert verdicts == {
        "devnet": (False, "mandatory-script-verify-flag-failed"),
        "litecoind": (False, "non-mandatory-script-verify-flag"),
    }
