"""Sending end to end on the embedded Bitcoin devnet, through the public API only.

``Wallet.create`` -> ``account("bitcoin-regtest", kind=...)`` -> ``backends.use`` -> the devnet
funds it (``fund``, ``mine``) -> ``sync`` -> ``prepare_send`` -> ``Wallet.sign`` ->
``broadcast`` (the devnet's mempool verifies every input with libbitcoinkernel and applies
Core's policy, BIP-125 included) -> ``mine`` -> ``sync`` -> balance and history. The devnet
is in-process (``py-bitcoinkernel``): these tests need no external node.

Every failure is followed by closing and reopening the wallet file: it must show exactly the
balance, history and coins it had before.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from chains.addresses import parse_address
from chains.registry import UtxoNetwork, get_network
from chains.utxo.backend import Txid
from chains.utxo.devnet import FAUCET_SCRIPT, FAUCET_WITNESS_SCRIPT, BitcoinDevnet
from chains.utxo.sizes import FeePaid, incremental_relay_fee, min_replacement_fee
from keystore.bip32 import HARDENED, ExtendedPrivateKey
from keystore.mnemonic import parse_mnemonic
from primitives.tx import Transaction, TxIn, TxOut
from tests.conftest import ABANDON, CANARY, PASSWORD
from wallet import UtxoAccount, Wallet
from wallet.errors import (
    AmountPrecisionError,
    BackendUnavailable,
    CoinUnavailable,
    DustOutput,
    FeeTooHigh,
    FeeTooLow,
    InsufficientFunds,
    InvalidTxHash,
    NetworkMismatch,
    NotReplaceable,
    TransactionNotFound,
    TransactionRefused,
    WalletError,
)
from wallet.types import TxStatus

NET = "bitcoin-regtest"
KINDS = ("p2wpkh", "p2tr", "p2sh-p2wpkh", "p2pkh")
EXTERNAL = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
REGTEST = get_network(NET)
assert isinstance(REGTEST, UtxoNetwork)


@pytest.fixture
def devnet() -> Iterator[BitcoinDevnet]:
    with BitcoinDevnet() as chain:
        chain.mine(101)
        yield chain


def utxo(wallet: Wallet, kind: str = "p2wpkh", index: int = 0) -> UtxoAccount:
    account = wallet.account(NET, index, kind)
    assert isinstance(account, UtxoAccount)
    return account


def script(account: UtxoAccount, address: str) -> bytes:
    return parse_address(account.utxo_network, address).script_pubkey


def fund(
    devnet: BitcoinDevnet, account: UtxoAccount, amounts: tuple[int, ...], *, mine: bool = True
) -> list[str]:
    """Pay each amount to its own receive address of the account; mine them in a block."""
    addresses = account.addresses(len(amounts) + account.gap_limit)
    unused = [a for a in addresses if not a.used]
    txids = []
    for n, amount in enumerate(amounts):
        txids.append(devnet.fund(script(account, unused[n].address), amount))
        if mine and n % 20 == 19:  # the faucet chains its change: 25 unconfirmed at most
            devnet.mine(1)
    if mine:
        devnet.mine(1)
    account.sync()
    return txids


def create(path: Path, devnet: BitcoinDevnet, mnemonic: str = ABANDON) -> Wallet:
    wallet = Wallet.create(path, PASSWORD, mnemonic)
    wallet.backends.use(NET, devnet)
    return wallet


def snapshot(account: UtxoAccount) -> tuple[object, ...]:
    balance = account.balance()
    return (
        (balance.confirmed, balance.unconfirmed, balance.frozen),
        tuple((e.txid, e.status, e.amount, e.fee) for e in account.history()),
        tuple((c.outpoint, c.value, c.frozen, c.spent_pending) for c in account.coins()),
    )


def paid_to(devnet: BitcoinDevnet, address: str, txid: str) -> list[int]:
    spk = parse_address(REGTEST, address).script_pubkey
    return [u.value for u in devnet.utxos(spk) if u.outpoint.txid_hex == txid]


def fee_of(devnet: BitcoinDevnet, tx: Transaction) -> int:
    """Return a transaction's fee from its parents as the devnet has them."""
    parents = devnet.get_transactions(tuple(Txid(i.prevout.txid_hex) for i in tx.inputs))
    spent = sum(
        Transaction.parse(parents[Txid(i.prevout.txid_hex)]).outputs[i.prevout.vout].value
        for i in tx.inputs
    )
    return spent - sum(o.value for o in tx.outputs)


# -- sending, all four kinds ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_send_to_others_and_self_then_confirm(
    tmp_path: Path, devnet: BitcoinDevnet, kind: str
) -> None:
    path = tmp_path / "w.coffer"
    with create(path, devnet) as wallet:
        account = utxo(wallet, kind)
        fund(devnet, account, (1_000_000, 2_000_000, 3_000_000))
        assert account.balance().confirmed == 6_000_000
        self_address = account.receive_address()
        draft = account.prepare_send(
            EXTERNAL, Decimal("0.015"), "normal", recipients=[(self_address, "0.001")]
        )
        signed = wallet.sign(draft)
        txid = account.broadcast(signed)
        assert txid == signed.txid
        assert txid in devnet.mempool()
        pending = account.balance()
        assert pending.total == 6_000_000 - 1_500_000 - draft.fee
        assert pending.confirmed == 6_000_000
        (latest, *_) = account.history()
        assert (latest.txid, latest.status, latest.amount) == (
            txid,
            TxStatus.PENDING,
            -1_500_000 - draft.fee,
        )
        assert latest.replaceable
        tx = Transaction.parse(signed.raw)
        assert tx.vsize <= draft.vsize  # the estimate counts the largest signatures
        devnet.mine(1)
        account.sync()
        done = account.balance()
        assert (done.confirmed, done.unconfirmed) == (6_000_000 - 1_500_000 - draft.fee, 0)
        (latest, *_) = account.history()
        assert (latest.status, latest.confirmations, latest.fee) == (
            TxStatus.CONFIRMED,
            1,
            draft.fee,
        )
        assert paid_to(devnet, EXTERNAL, txid) == [1_500_000]
        assert paid_to(devnet, self_address, txid) == [100_000]
        before = snapshot(account)
    with Wallet.open(path, PASSWORD) as again:
        assert snapshot(utxo(again, kind)) == before


@pytest.mark.parametrize("kind", KINDS)
def test_rbf_bump_replaces_the_original(tmp_path: Path, devnet: BitcoinDevnet, kind: str) -> None:
    with create(tmp_path / "w.coffer", devnet) as wallet:
        account = utxo(wallet, kind)
        fund(devnet, account, (1_000_000, 2_000_000))
        draft = account.prepare_send(EXTERNAL, "0.012", fee_rate=2)
        signed = wallet.sign(draft)
        original = account.broadcast(signed)
        bump = account.bump_fee(original, fee_rate=6)
        assert (bump.kind, bump.replaces) == ("bump", original)
        old_vsize = Transaction.parse(signed.raw).vsize
        floor = min_replacement_fee(
            [FeePaid(draft.fee, old_vsize)], bump.vsize, incremental_relay_fee(account.utxo_network)
        )
        assert bump.fee >= max(floor, 6 * bump.vsize)
        assert {str(i.outpoint) for i in draft.inputs} <= {str(i.outpoint) for i in bump.inputs}
        paid = [(o.address, o.amount) for o in bump.summary.outputs if not o.is_change]
        assert paid == [(EXTERNAL, 1_200_000)]
        replacement = account.broadcast(wallet.sign(bump))
        mempool = devnet.mempool()
        assert replacement in mempool
        assert original not in mempool  # the node dropped what was replaced
        statuses = {e.txid: e.status for e in account.history()}
        assert statuses[original] is TxStatus.REPLACED
        assert statuses[replacement] is TxStatus.PENDING
        assert account.balance().total == 3_000_000 - 1_200_000 - bump.fee
        devnet.mine(1)
        account.sync()
        statuses = {e.txid: e.status for e in account.history()}
        assert (statuses[original], statuses[replacement]) == (
            TxStatus.REPLACED,
            TxStatus.CONFIRMED,
        )
        assert account.balance().confirmed == 3_000_000 - 1_200_000 - bump.fee
        with pytest.raises(NotReplaceable, match="already confirmed"):
            account.bump_fee(replacement)
        with pytest.raises(NotReplaceable):
            account.bump_fee(original)


def test_rbf_at_the_same_rate_still_pays_what_bip125_asks(
    tmp_path: Path, devnet: BitcoinDevnet
) -> None:
    with create(tmp_path / "w.coffer", devnet) as wallet:
        account = utxo(wallet)
        fund(devnet, account, (1_000_000,))
        signed = wallet.sign(account.prepare_send(EXTERNAL, "0.004", fee_rate=3))
        original = account.broadcast(signed)
        bump = account.bump_fee(original, fee_rate=3)  # not enough by itself: rules 3, 4, 6
        sent = Transaction.parse(signed.raw)
        old = FeePaid(fee_of(devnet, sent), sent.vsize)
        relay = incremental_relay_fee(account.utxo_network)
        assert bump.fee >= min_replacement_fee([old], bump.vsize, relay) > 3 * bump.vsize
        assert bump.fee_rate > 3
        replacement = account.broadcast(wallet.sign(bump))  # the devnet applies BIP-125 itself
        assert replacement in devnet.mempool()
        assert original not in devnet.mempool()


def test_rbf_adds_an_input_when_the_change_cannot_pay(
    tmp_path: Path, devnet: BitcoinDevnet
) -> None:
    with create(tmp_path / "w.coffer", devnet) as wallet:
        account = utxo(wallet)
        fund(devnet, account, (1_000_000, 500_000))
        draft = account.prepare_send(EXTERNAL, send_max=True, utxos=[account.coins()[0].outpoint])
        assert draft.change_index is None
        original = account.broadcast(wallet.sign(draft))
        bump = account.bump_fee(original, fee_rate=10)
        assert len(bump.inputs) == 2
        assert bump.change_index is not None
        replacement = account.broadcast(wallet.sign(bump))
        assert original not in devnet.mempool()
        assert replacement in devnet.mempool()


def test_rbf_refusals_say_why(tmp_path: Path, devnet: BitcoinDevnet) -> None:
    with create(tmp_path / "w.coffer", devnet) as wallet:
        account = utxo(wallet)
        fund(devnet, account, (1_000_000, 2_000_000))
        final = account.broadcast(wallet.sign(account.prepare_send(EXTERNAL, "0.001", rbf=False)))
        with pytest.raises(NotReplaceable, match="CPFP"):
            account.bump_fee(final)
        assert not account.can_replace(final)
        (incoming,) = fund(devnet, account, (700_000,), mine=False)
        with pytest.raises(NotReplaceable, match="not sent by this account"):
            account.bump_fee(incoming)
        with pytest.raises(TransactionNotFound):
            account.bump_fee("ab" * 32)
        with pytest.raises(InvalidTxHash):
            account.bump_fee("xyz")
        parent = account.broadcast(wallet.sign(account.prepare_send(EXTERNAL, "0.0195")))
        change = next(c.outpoint for c in account.coins() if c.outpoint.startswith(parent))
        account.broadcast(wallet.sign(account.prepare_send(EXTERNAL, "0.0001", utxos=[change])))
        with pytest.raises(NotReplaceable, match="pending transactions spending its outputs"):
            account.bump_fee(parent)


# -- CPFP -----------------------------------------------------------------------------------------


def test_cpfp_for_an_incoming_transaction(tmp_path: Path, devnet: BitcoinDevnet) -> None:
    with create(tmp_path / "w.coffer", devnet) as wallet:
        account = utxo(wallet)
        (incoming,) = fund(devnet, account, (800_000,), mine=False)
        parent = Transaction.parse(devnet.get_transactions((Txid(incoming),))[Txid(incoming)])
        child = account.cpfp(incoming, fee_rate=20, allow_high_fee=True)
        assert (child.kind, child.parent) == ("cpfp", incoming)
        assert [str(i.outpoint).split(":")[0] for i in child.inputs] == [incoming]
        assert child.change_index == 0
        assert child.summary.outputs[0].is_change
        parent_fee = fee_of(devnet, parent)
        signed = wallet.sign(child)
        child_txid = account.broadcast(signed)
        child_tx = Transaction.parse(signed.raw)
        package_rate = Decimal(parent_fee + child.fee) / (parent.vsize + child_tx.vsize)
        assert package_rate >= 20
        assert {incoming, child_txid} <= set(devnet.mempool())
        devnet.mine(1)
        account.sync()
        statuses = {e.txid: e.status for e in account.history()}
        assert statuses[incoming] is statuses[child_txid] is TxStatus.CONFIRMED
        assert account.balance().confirmed == 800_000 - child.fee
        with pytest.raises(NotReplaceable, match="already confirmed"):
            account.cpfp(incoming)


def test_cpfp_of_own_final_transaction_and_refusals(tmp_path: Path, devnet: BitcoinDevnet) -> None:
    with create(tmp_path / "w.coffer", devnet) as wallet:
        account = utxo(wallet)
        fund(devnet, account, (3_000_000, 20_000))
        final = account.broadcast(
            wallet.sign(account.prepare_send(EXTERNAL, "0.01", rbf=False, fee_rate=1))
        )
        with pytest.raises(NotReplaceable, match="already pay"):
            account.cpfp(final, fee_rate=1)
        child = account.cpfp(final, fee_rate=15, allow_high_fee=True)
        child_txid = account.broadcast(wallet.sign(child))
        assert {final, child_txid} <= set(devnet.mempool())
        emptied = account.broadcast(
            wallet.sign(
                account.prepare_send(EXTERNAL, send_max=True, fee_rate=30, allow_high_fee=True)
            )
        )
        with pytest.raises(NotReplaceable, match="nothing to spend"):
            account.cpfp(emptied, fee_rate=60, allow_high_fee=True)


# -- many inputs, send-max, several recipients ----------------------------------------------------


def test_own_addresses_past_the_synced_window_count_before_the_next_sync(
    tmp_path: Path, devnet: BitcoinDevnet
) -> None:
    """Change and self-payments to addresses derived after the last sync are the account's.

    The sync watches 20 change addresses; the 21st send without a sync in between pays its
    change to the 21st. It was not recognised as the account's until the next sync: the
    change looked paid away, the balance fell to nothing and the next send was refused.
    """
    with create(tmp_path / "w.coffer", devnet) as wallet:
        account = utxo(wallet)
        fund(devnet, account, (10_000_000,))
        far = account.addresses(1, start=30)[0].address  # derived now, never synced
        draft = account.prepare_send(far, "0.001", fee_rate=2)
        account.broadcast(wallet.sign(draft))
        assert account.balance().total == 10_000_000 - draft.fee
        sent = draft.fee
        for _ in range(21):
            draft = account.prepare_send(EXTERNAL, "0.0001", fee_rate=2)
            txid = account.broadcast(wallet.sign(draft))
            sent += 10_000 + draft.fee
            amounts = {e.txid: e.amount for e in account.history()}
            assert amounts[txid] == -(10_000 + draft.fee)
        assert account.balance().total == 10_000_000 - sent
        before = snapshot(account)
        account.sync()
        assert snapshot(account) == before


def test_change_at_the_mempool_chain_limit_is_explained(
    tmp_path: Path, devnet: BitcoinDevnet
) -> None:
    """25 unconfirmed sends in a row: the 26th cannot spend their change yet, and says why."""
    with create(tmp_path / "w.coffer", devnet) as wallet:
        account = utxo(wallet)
        fund(devnet, account, (10_000_000,))
        for _ in range(25):
            draft = account.prepare_send(EXTERNAL, "0.0001", fee_rate=2)
            account.broadcast(wallet.sign(draft))
        with pytest.raises(InsufficientFunds, match="25 unconfirmed transactions in a row"):
            account.prepare_send(EXTERNAL, "0.0001", fee_rate=2)
        devnet.mine(1)
        account.sync()
        draft = account.prepare_send(EXTERNAL, "0.0001", fee_rate=2)
        assert account.broadcast(wallet.sign(draft)) in devnet.mempool()


def test_a_send_whose_parent_was_replaced_is_dropped_not_a_phantom_coin(
    tmp_path: Path, devnet: BitcoinDevnet
) -> None:
    """An incoming payment is spent while unconfirmed, then its sender replaces it.

    The node evicts the wallet's spend with it, before any server reported the spend. The
    spend's change must not stay in the balance as a coin that can never exist.
    """
    with create(tmp_path / "w.coffer", devnet) as wallet:
        account = utxo(wallet)
        tip = devnet.tip().height
        coin = next(u for u in devnet.utxos(FAUCET_SCRIPT) if (u.height or tip) <= tip - 100)
        spend = TxIn(coin.outpoint, b"", 0xFFFFFFFD, (FAUCET_WITNESS_SCRIPT,))
        to_us = TxOut(1_000_000, script(account, account.receive_address()))
        incoming = Transaction(
            2, (spend,), (to_us, TxOut(coin.value - 1_010_000, FAUCET_SCRIPT)), 0
        )
        devnet.broadcast(incoming.serialize())
        account.sync()
        draft = account.prepare_send(EXTERNAL, "0.001", fee_rate=2, utxos=[f"{incoming.txid}:0"])
        txid = account.broadcast(wallet.sign(draft))
        replacement = Transaction(2, (spend,), (TxOut(coin.value - 100_000, FAUCET_SCRIPT),), 0)
        devnet.broadcast(replacement.serialize())
        assert txid not in devnet.mempool()
        account.sync()
        (entry,) = account.history()
        assert (entry.txid, entry.status) == (txid, TxStatus.DROPPED)
        assert entry.amount == -(100_000 + draft.fee)  # what the send would have cost
        assert account.coins() == []
        assert account.balance().total == 0
        with pytest.raises(InsufficientFunds):
            account.prepare_send(EXTERNAL, "0.001", fee_rate=2)
        with pytest.raises(NotReplaceable, match="dropped"):
            account.bump_fee(txid)
        devnet.mine(1)
        account.sync()
        assert [(e.txid, e.status) for e in account.history()] == [(txid, TxStatus.DROPPED)]


def test_consolidating_100_coins(tmp_path: Path, devnet: BitcoinDevnet) -> None:
    with create(tmp_path / "w.coffer", devnet) as wallet:
        account = utxo(wallet)
        account.addresses(120)
        fund(devnet, account, tuple(30_000 + n for n in range(100)))
        assert len(account.coins()) == 100
        total = account.balance().confirmed
        home = account.receive_address()
        draft = account.prepare_send(home, send_max=True)
        assert len(draft.inputs) == 100
        txid = account.broadcast(wallet.sign(draft))
        assert txid in devnet.mempool()
        devnet.mine(1)
        account.sync()
        (coin,) = account.coins()
        assert coin.value == total - draft.fee
        assert coin.address == home


def test_send_max_and_several_recipients(tmp_path: Path, devnet: BitcoinDevnet) -> None:
    with create(tmp_path / "w.coffer", devnet) as wallet:
        account = utxo(wallet)
        fund(devnet, account, (5_000_000, 4_000_000))
        friends = [utxo(wallet, "p2tr", 0), utxo(wallet, "p2pkh", 0), utxo(wallet, "p2wpkh", 1)]
        addresses = [f.receive_address() for f in friends]
        amounts = ["0.01", "0.025", "0.00123456"]
        draft = account.prepare_send(
            addresses[0], amounts[0], recipients=list(zip(addresses[1:], amounts[1:], strict=True))
        )
        txid = account.broadcast(wallet.sign(draft))
        devnet.mine(1)
        for friend, amount in zip(friends, amounts, strict=True):
            friend.sync()
            assert friend.balance().confirmed == int(Decimal(amount) * 100_000_000)
            assert friend.history()[0].txid == txid
        account.sync()
        rest = account.prepare_send(EXTERNAL, send_max=True)
        assert rest.change_index is None
        gone = account.broadcast(wallet.sign(rest))
        devnet.mine(1)
        account.sync()
        assert account.balance().total == 0
        assert paid_to(devnet, EXTERNAL, gone) == [9_000_000 - 3_623_456 - draft.fee - rest.fee]


# -- failures lose nothing ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_every_failure_leaves_the_wallet_as_it_was(tmp_path: Path, devnet: BitcoinDevnet) -> None:
    path = tmp_path / "w.coffer"
    twin_path = tmp_path / "twin.coffer"  # the same seed in another file, unaware of sends
    with create(path, devnet) as wallet:
        fund(devnet, utxo(wallet), (1_000_000, 2_000_000, 3_000_000))
    with create(twin_path, devnet) as twin:
        utxo(twin).sync()
        twin_before = snapshot(utxo(twin))
    with Wallet.open(path, PASSWORD) as wallet:
        wallet.backends.use(NET, devnet)
        account = utxo(wallet)
        final_coin, rbf_coin, _ = (c.outpoint for c in account.coins())
        for coin, rbf in ((final_coin, False), (rbf_coin, True)):
            draft = account.prepare_send(EXTERNAL, "0.001", fee_rate=3, rbf=rbf, utxos=[coin])
            account.broadcast(wallet.sign(draft))
        account.sync()
        signed_later = wallet.sign(account.prepare_send(EXTERNAL, "0.002"))
        before = snapshot(account)
    spent = final_coin

    def attempt(action: Callable[[Wallet, UtxoAccount], object], error: type[WalletError]) -> str:
        with Wallet.open(path, PASSWORD) as wallet:
            wallet.backends.use(NET, devnet)
            account = utxo(wallet)
            with pytest.raises(error) as info:
                action(wallet, account)
            assert snapshot(account) == before
        with Wallet.open(path, PASSWORD) as wallet:
            assert snapshot(utxo(wallet)) == before
        return str(info.value)

    attempt(lambda w, a: a.prepare_send(EXTERNAL, "1"), InsufficientFunds)
    attempt(lambda w, a: a.prepare_send(EXTERNAL, "0.000000001"), AmountPrecisionError)
    attempt(lambda w, a: a.prepare_send(EXTERNAL, "0.000001", allow_high_fee=True), DustOutput)
    attempt(
        lambda w, a: a.prepare_send("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "0.01"),
        NetworkMismatch,
    )
    attempt(lambda w, a: a.prepare_send(EXTERNAL, "0.01", fee_rate=500), FeeTooHigh)
    attempt(lambda w, a: a.prepare_send(EXTERNAL, "0.001", utxos=[spent]), CoinUnavailable)
    down = BitcoinDevnet()
    down.close()

    def with_server_down(w: Wallet, a: UtxoAccount) -> object:
        w.backends.use(NET, down)
        return a.prepare_send(EXTERNAL, "0.001")

    attempt(with_server_down, BackendUnavailable)

    def broadcast_with_server_down(w: Wallet, a: UtxoAccount) -> object:
        w.backends.use(NET, down)
        return a.broadcast(signed_later)

    attempt(broadcast_with_server_down, BackendUnavailable)
    port = _free_port()

    def electrum_nobody_listens(w: Wallet, a: UtxoAccount) -> object:
        w.backends.set_servers(NET, [f"tcp://127.0.0.1:{port}"])
        try:
            return a.prepare_send(EXTERNAL, "0.001")
        finally:
            w.backends.set_servers(NET, [])

    attempt(electrum_nobody_listens, BackendUnavailable)

    def server_of_another_network(w: Wallet, a: UtxoAccount) -> object:
        w.backends.set_servers("litecoin-regtest", ["embedded"])  # a Bitcoin regtest chain
        litecoin = w.account("litecoin-regtest")
        assert isinstance(litecoin, UtxoAccount)
        try:
            return litecoin.prepare_send(litecoin.receive_address(), "0.001")
        finally:
            w.backends.set_servers("litecoin-regtest", [])

    attempt(server_of_another_network, NetworkMismatch)
    # The node's own refusals: the twin knows nothing of the pending sends and spends their
    # coins again: one original does not signal BIP-125 (a conflict), the other does and pays
    # more than the twin offers (BIP-125 rule 3).
    with Wallet.open(twin_path, PASSWORD) as twin:
        twin.backends.use(NET, devnet)
        twin_account = utxo(twin)
        for coin, error, words in (
            (final_coin, TransactionRefused, "already spent by another transaction"),
            (rbf_coin, FeeTooLow, "must pay more"),
        ):
            draft = twin_account.prepare_send(EXTERNAL, "0.005", fee_rate=1, utxos=[coin])
            signed = twin.sign(draft)
            with pytest.raises(error, match=words):
                twin_account.broadcast(signed)
            assert snapshot(twin_account) == twin_before
    with Wallet.open(twin_path, PASSWORD) as twin:
        assert snapshot(utxo(twin)) == twin_before


# -- the demo ------------------------------------------------------------------------------------


def test_demo_sends_on_the_devnet_kept_in_the_wallet_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from wallet.demo import run_demo

    run_demo(tmp_path)
    out = capsys.readouterr().out
    sent = next(line for line in out.splitlines() if "checked by libbitcoinkernel, sent:" in line)
    txid = sent.rsplit(" ", 1)[1]
    history = out.split("History of account 0:")[1].splitlines()
    assert history[1].split()[:3] == ["confirmed", "1", "conf"]
    assert history[1].endswith(txid)
    assert "The Bitcoin regtest account still shows" in out
    assert "Portfolio in EUR (prices: bundled sample data, not market prices):" in out
    assert "bitcoin-regtest #0 (as BTC, sample)" in out
    with Wallet.open(tmp_path / "demo.coffer", "coffer demo password") as wallet:
        key = wallet.backends.devnet_key(NET)  # the devnet's files are sealed with the wallet's key
    with BitcoinDevnet(datadir=tmp_path / "demo.coffer.d" / NET, storage_key=key) as chain:
        assert chain.tip().height == 102
        spk = parse_address(REGTEST, EXTERNAL).script_pubkey
        paid = [u for u in chain.utxos(spk) if u.outpoint.txid_hex == txid]
        assert [(u.value, u.height) for u in paid] == [(150_000_000, 102)]


# -- secrets --------------------------------------------------------------------------------------


def _needles(kind_purpose: int = 84) -> list[str]:
    seed = parse_mnemonic(CANARY).to_seed().reveal()
    root = ExtendedPrivateKey.from_seed(seed)
    account = root.derive_path((kind_purpose + HARDENED, 1 + HARDENED, HARDENED))
    key = account.child(0).child(0).private_key
    words = CANARY.split()
    return [
        CANARY,
        seed.hex(),
        root.private_key.hex(),
        root.serialize(),
        account.serialize(),
        account.serialize(0x04358394),  # tprv
        key.hex(),
        key.hex()[:24],
        *(" ".join(words[i : i + 3]) for i in range(len(words) - 2)),
    ]


def test_drafts_signatures_and_errors_never_show_the_seed(
    tmp_path: Path, devnet: BitcoinDevnet, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    with create(tmp_path / "canary.coffer", devnet, CANARY) as wallet:
        account = utxo(wallet)
        fund(devnet, account, (2_000_000,))
        draft = account.prepare_send(EXTERNAL, "0.005")
        signed = wallet.sign(draft)
        txid = account.broadcast(signed)
        bump = account.bump_fee(txid, fee_rate=9)
        account.broadcast(wallet.sign(bump))
        texts += [repr(draft), str(draft), draft.psbt_base64, repr(signed), signed.raw.hex()]
        texts += [repr(bump), bump.psbt.hex(), repr(account.history()), repr(account.coins())]
        failures: list[Callable[[], object]] = [
            lambda: account.prepare_send(EXTERNAL, "5"),
            lambda: account.prepare_send(EXTERNAL[:-1] + "q", "0.1"),
            lambda: account.prepare_send(EXTERNAL, "0.01", fee_rate=900),
            lambda: account.bump_fee("cd" * 32),
            lambda: account.broadcast(signed),  # replaced meanwhile: the node wants more
            lambda: wallet.sign(account.prepare_send(EXTERNAL, "0.001", utxos=[f"{txid}:7"])),
        ]
        for bad in failures:
            with pytest.raises(WalletError) as info:
                bad()
            texts += [str(info.value), repr(info.value), repr(info.value.args)]
            texts += [str(info.value.__cause__), repr(info.value.__cause__)]
    texts += [record.getMessage() for record in caplog.records]
    blob = "\n".join(texts)
    raw = b"".join(p.read_bytes() for p in tmp_path.rglob("*.coffer*") if p.is_file())
    for needle in _needles():
        assert needle not in blob
        assert needle.encode() not in raw


def test_a_block_reward_counts_as_immature_until_100_confirmations(
    devnet: BitcoinDevnet, wallet_path: Path
) -> None:
    with Wallet.create(wallet_path, PASSWORD, ABANDON) as wallet:
        wallet.backends.use(NET, devnet)
        account = utxo(wallet)
        devnet.mine(1, script(account, account.receive_address()))
        devnet.mine(98)
        account.sync()
        balance = account.balance()
        assert balance.confirmed == balance.immature == 50 * 10**8
        assert balance.spendable == 0
        (coin,) = account.coins()
        assert coin.immature
        assert coin.confirmations == 99
        with pytest.raises(InsufficientFunds):
            account.prepare_send(EXTERNAL, "1")
        devnet.mine(1)
        account.sync()
        balance = account.balance()
        assert balance.immature == 0
        assert balance.spendable == 50 * 10**8
        assert not account.coins()[0].immature
        assert account.prepare_send(EXTERNAL, "1").fee > 0


def test_an_unconfirmed_payment_from_others_is_not_spendable_yet(
    devnet: BitcoinDevnet, wallet_path: Path
) -> None:
    with Wallet.create(wallet_path, PASSWORD, ABANDON) as wallet:
        wallet.backends.use(NET, devnet)
        account = utxo(wallet)
        fund(devnet, account, (1_000_000,))
        fund(devnet, account, (2_000_000,), mine=False)
        account.sync()
        balance = account.balance()
        assert balance.total == 3_000_000
        assert balance.unconfirmed == 2_000_000
        assert balance.spendable == 1_000_000  # coin selection waits for the confirmation
        draft = account.prepare_send(EXTERNAL, Decimal("0.005"))
        account.broadcast(wallet.sign(draft))
        after = account.balance()
        # Own unconfirmed change is spendable at once; the payment from others is not.
        change = after.total - 2_000_000
        assert after.spendable == change
        devnet.mine(1)
        account.sync()
        assert account.balance().spendable == account.balance().total
