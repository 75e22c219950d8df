"""UTXO drafts: the PSBT's fields, coin control, fees and every refusal, on the in-process devnet.

Each wallet syncs against ``BitcoinDevnet`` (libbitcoinkernel in-process: a real chain, no
binary) and prepares drafts through the public API. The PSBT of each draft is parsed back
and checked field by field, and its summary is recomputed by the keystore's own review
(``review_psbt``), which is what the signer compares it with. A Dogecoin draft is built from
a crafted stored funding transaction (no Dogecoin node here) and its signature checked with
the legacy sighash and libbitcoinkernel.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from coincurve import PublicKey

from chains.addresses import parse_address
from chains.registry import UtxoNetwork, get_network
from chains.utxo.backend import BlockRef, FeeRate, HistoryItem, SyncUpdate, Txid
from chains.utxo.devnet import FAUCET_SCRIPT, FAUCET_WITNESS_SCRIPT, BitcoinDevnet
from chains.utxo.kernel import verify_transaction
from chains.utxo.sizes import dust_policy
from keystore.bip32 import HARDENED
from keystore.signers.base import SigningContext
from keystore.signers.utxo_review import review_psbt
from keystore.types import TxSummary
from primitives.hashes import hash160
from primitives.psbt import Psbt
from primitives.psbt_roles import extract, finalize
from primitives.script import p2pkh_script
from primitives.secp256k1 import taproot_output_key
from primitives.sighash import SIGHASH_ALL, SighashCache
from primitives.tx import OutPoint, Transaction, TxIn, TxOut
from tests.conftest import ABANDON, PASSWORD
from wallet import UtxoAccount, Wallet
from wallet.errors import (
    AmountPrecisionError,
    CoinUnavailable,
    DustOutput,
    FeeTooHigh,
    FeeTooLow,
    FloatAmountError,
    InsufficientFunds,
    InvalidAddress,
    InvalidAmount,
    NetworkMismatch,
    SigningRefused,
    WalletError,
    WatchOnly,
)
from wallet.utxo import fees
from wallet.utxo.addresses import fill_scripts
from wallet.utxo.builder import (
    SEQUENCE_NO_RBF,
    SEQUENCE_RBF,
    SendRequest,
    UtxoDraft,
    build_send,
    utxo_params,
)
from wallet.utxo.store import UtxoStore

NET = "bitcoin-regtest"
EXTERNAL = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"  # key hash of the BIP-173 example
KINDS = ("p2wpkh", "p2tr", "p2sh-p2wpkh", "p2pkh")
COIN = 100_000_000


@pytest.fixture
def devnet() -> Iterator[BitcoinDevnet]:
    with BitcoinDevnet() as chain:
        chain.mine(101)
        yield chain


def script_of(account: UtxoAccount, address: str) -> bytes:
    return parse_address(account.utxo_network, address).script_pubkey


def funded(
    path: Path,
    devnet: BitcoinDevnet,
    kind: str = "p2wpkh",
    amounts: tuple[int, ...] = (1_000_000, 2_000_000, 3_000_000),
    mnemonic: str = ABANDON,
) -> tuple[Wallet, UtxoAccount]:
    """Return an open wallet whose account holds one confirmed coin per amount."""
    wallet = Wallet.create(path, PASSWORD, mnemonic)
    wallet.backends.use(NET, devnet)
    account = wallet.account(NET, kind=kind)
    assert isinstance(account, UtxoAccount)
    for n, amount in enumerate(amounts):
        devnet.fund(script_of(account, account.addresses(len(amounts))[n].address), amount)
    devnet.mine(1)
    account.sync()
    return wallet, account


@pytest.fixture
def wallet_account(tmp_path: Path, devnet: BitcoinDevnet) -> Iterator[tuple[Wallet, UtxoAccount]]:
    wallet, account = funded(tmp_path / "w.coffer", devnet)
    yield wallet, account
    wallet.close()


def reviewed(account: UtxoAccount, draft: UtxoDraft) -> TxSummary:
    """Return the summary the keystore's review recomputes from the draft's PSBT."""
    assert account.record.fingerprint is not None
    assert account.record.path is not None
    ctx = SigningContext(utxo_params(account.utxo_network), account.record.path)
    psbt = Psbt.parse(draft.psbt)
    return review_psbt(psbt, account.record.fingerprint, account.account_xpub, ctx).summary


def outpoint_of(draft: UtxoDraft, n: int) -> str:
    return str(draft.inputs[n].outpoint)


# -- the PSBT ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_psbt_fields_of_every_kind(tmp_path: Path, devnet: BitcoinDevnet, kind: str) -> None:
    wallet, account = funded(tmp_path / "w.coffer", devnet, kind)
    with wallet:
        change_address = account.change_address()
        draft = account.prepare_send(EXTERNAL, Decimal("0.025"))
        psbt = Psbt.parse(draft.psbt)
        assert psbt.version == 0
        tx = psbt.unsigned_tx()
        assert tx.version == 2
        fingerprint = bytes.fromhex(wallet.fingerprint or "")
        assert account.record.path is not None
        base = account.record.path
        assert base == (
            {"p2wpkh": 84, "p2tr": 86, "p2sh-p2wpkh": 49, "p2pkh": 44}[kind] + HARDENED,
            1 + HARDENED,
            HARDENED,
        )
        stored = account.view().transactions
        for inp, drafted in zip(psbt.inputs, draft.inputs, strict=True):
            assert inp.prevout == drafted.outpoint
            pubkey = account.account_xpub.child(drafted.chain).child(drafted.index).public_key
            assert (drafted.chain, drafted.index) == (
                0,
                account.find_address(drafted.address).index,
            )  # type: ignore[union-attr]
            spent = TxOut(drafted.value, drafted.script)
            if kind == "p2tr":
                assert inp.non_witness_utxo is None
                assert inp.witness_utxo == spent
                assert inp.tap_internal_key == pubkey[1:]
                (origin,) = inp.tap_bip32_derivations.items()
                assert origin[0] == pubkey[1:]
                assert origin[1].leaf_hashes == ()
                source = origin[1].source
                assert drafted.script == b"\x51\x20" + taproot_output_key(pubkey[1:])
            else:
                assert inp.non_witness_utxo is not None
                assert inp.non_witness_utxo.txid == inp.prevout.txid_hex
                assert inp.non_witness_utxo == stored[inp.prevout.txid_hex].tx
                assert inp.non_witness_utxo.outputs[inp.prevout.vout] == spent
                assert inp.witness_utxo == (None if kind == "p2pkh" else spent)
                (origin,) = inp.bip32_derivations.items()
                assert origin[0] == pubkey
                source = origin[1]
                if kind == "p2sh-p2wpkh":
                    assert inp.redeem_script == b"\x00\x14" + hash160(pubkey)
                else:
                    assert inp.redeem_script is None
            assert source.fingerprint == fingerprint
            assert source.path == (*base, drafted.chain, drafted.index)
        assert draft.change_index is not None
        change = psbt.outputs[draft.change_index]
        assert change.script == script_of(account, change_address)
        info = account.find_address(change_address)
        assert info is not None
        assert info.chain == 1
        change_pub = account.account_xpub.child(1).child(info.index).public_key
        if kind == "p2tr":
            assert change.tap_internal_key == change_pub[1:]
            assert change.tap_bip32_derivations[change_pub[1:]].source.path == (
                *base,
                1,
                info.index,
            )
        else:
            assert change.bip32_derivations[change_pub].path == (*base, 1, info.index)
            assert change.bip32_derivations[change_pub].fingerprint == fingerprint
        others = [o for n, o in enumerate(psbt.outputs) if n != draft.change_index]
        assert all(not o.bip32_derivations and not o.tap_bip32_derivations for o in others)
        assert draft.summary == reviewed(account, draft)
        assert draft.summary.outputs[draft.change_index].is_change
        assert draft.fee == psbt.fee() == draft.summary.fee
        assert draft.fee >= FeeRate.from_sat_vb(draft.fee_rate).fee_for(draft.vsize)


def test_rbf_sequence_locktime_and_signalling(wallet_account: tuple[Wallet, UtxoAccount]) -> None:
    _, account = wallet_account
    tip = account.view().tip_height
    rbf = account.prepare_send(EXTERNAL, "0.01")
    final = account.prepare_send(EXTERNAL, "0.01", rbf=False)
    for draft, sequence in ((rbf, SEQUENCE_RBF), (final, SEQUENCE_NO_RBF)):
        tx = Psbt.parse(draft.psbt).unsigned_tx()
        assert {i.sequence for i in tx.inputs} == {sequence}
        assert tip - 99 <= tx.locktime <= tip  # Core's anti-fee-sniping
        assert draft.summary.replaceable is (sequence == SEQUENCE_RBF)


def test_several_recipients_change_on_change_chain(
    wallet_account: tuple[Wallet, UtxoAccount],
) -> None:
    _, account = wallet_account
    mine = account.receive_address()
    draft = account.prepare_send(
        EXTERNAL, Decimal("0.02"), recipients=[(mine, Decimal("0.005")), (EXTERNAL, "0.0001")]
    )
    paid = [(o.address, o.amount) for o in draft.summary.outputs if not o.is_change]
    assert paid == [(EXTERNAL, 2_000_000), (mine, 500_000), (EXTERNAL, 10_000)]
    (change,) = [o for o in draft.summary.outputs if o.is_change]
    info = account.find_address(change.address)
    assert info is not None
    assert info.chain == 1
    total_in = sum(i.value for i in draft.inputs)
    assert total_in == sum(o.amount for o in draft.summary.outputs) + draft.fee
    assert draft.amount == 2_510_000


def test_send_max_and_send_max_of_named_coins(wallet_account: tuple[Wallet, UtxoAccount]) -> None:
    _, account = wallet_account
    everything = account.prepare_send(EXTERNAL, send_max=True)
    assert everything.change_index is None
    (out,) = everything.summary.outputs
    assert out.amount == 6_000_000 - everything.fee
    assert len(everything.inputs) == 3
    smallest = min(account.coins(), key=lambda c: c.value)
    one = account.prepare_send(EXTERNAL, send_max=True, utxos=[smallest.outpoint])
    assert [str(i.outpoint) for i in one.inputs] == [smallest.outpoint]
    assert one.summary.outputs[0].amount == smallest.value - one.fee
    with pytest.raises(InvalidAmount, match="no amount"):
        account.prepare_send(EXTERNAL, "1", send_max=True)


def test_named_unconfirmed_incoming_coins_are_spent_as_named(
    tmp_path: Path, devnet: BitcoinDevnet
) -> None:
    # Coin selection leaves unconfirmed coins from others alone, but a coin the user names
    # is spent exactly, with or without send-max.
    wallet, account = funded(tmp_path / "w.coffer", devnet, amounts=(1_000_000,))
    with wallet:
        incoming = devnet.fund(script_of(account, account.receive_address()), 500_000)
        account.sync()
        coins = {c.outpoint: c for c in account.coins()}
        (pending,) = [o for o, c in coins.items() if c.confirmations == 0]
        assert pending.startswith(incoming)
        both = list(coins)
        maxed = account.prepare_send(EXTERNAL, send_max=True, utxos=both)
        assert sorted(str(i.outpoint) for i in maxed.inputs) == sorted(both)
        assert maxed.summary.outputs[0].amount == 1_500_000 - maxed.fee
        only = account.prepare_send(EXTERNAL, send_max=True, utxos=[pending])
        assert [str(i.outpoint) for i in only.inputs] == [pending]
        paid = account.prepare_send(EXTERNAL, "0.004", utxos=[pending])
        assert [str(i.outpoint) for i in paid.inputs] == [pending]
        unnamed = account.prepare_send(EXTERNAL, send_max=True)
        assert [i.value for i in unnamed.inputs] == [1_000_000]  # not spent unless named


def test_subtract_fee_from_the_amount(wallet_account: tuple[Wallet, UtxoAccount]) -> None:
    _, account = wallet_account
    draft = account.prepare_send(EXTERNAL, "0.03", subtract_fee=True)
    sent = [o.amount for o in draft.summary.outputs if not o.is_change]
    assert sent == [3_000_000 - draft.fee]
    assert sum(i.value for i in draft.inputs) == sum(o.amount for o in draft.summary.outputs) + (
        draft.fee
    )


def test_coin_control_spends_exactly_the_named_coins(
    wallet_account: tuple[Wallet, UtxoAccount],
) -> None:
    _, account = wallet_account
    coins = sorted(account.coins(), key=lambda c: c.value)
    draft = account.prepare_send(EXTERNAL, "0.005", utxos=[coins[0].outpoint, coins[1].outpoint])
    assert sorted(str(i.outpoint) for i in draft.inputs) == sorted(
        [coins[0].outpoint, coins[1].outpoint]
    )
    with pytest.raises(InsufficientFunds) as info:
        account.prepare_send(EXTERNAL, "0.025", utxos=[coins[0].outpoint])
    assert info.value.shortfall > 1_500_000


# -- refusals ------------------------------------------------------------------------------------


def test_dust_output_is_refused(wallet_account: tuple[Wallet, UtxoAccount]) -> None:
    _, account = wallet_account
    threshold = dust_policy(account.utxo_network).threshold(script_of(account, EXTERNAL))
    assert threshold == 294  # Core's P2WPKH dust at 3 sat/vB
    with pytest.raises(DustOutput) as info:
        account.prepare_send(EXTERNAL, Decimal("0.00000293"), allow_high_fee=True)
    assert (info.value.amount, info.value.threshold) == (293, 294)
    assert "dust limit of 0.00000294 rBTC" in str(info.value)
    draft = account.prepare_send(EXTERNAL, Decimal("0.00000294"), allow_high_fee=True)
    assert [o.amount for o in draft.summary.outputs if not o.is_change] == [294]


def test_insufficient_funds_names_the_shortfall(
    wallet_account: tuple[Wallet, UtxoAccount], devnet: BitcoinDevnet
) -> None:
    _, account = wallet_account
    with pytest.raises(InsufficientFunds) as info:
        account.prepare_send(EXTERNAL, "0.07", fee_rate=2)
    shortfall = info.value.shortfall
    assert 1_000_000 < shortfall < 1_010_000  # 0.01 missing plus the fee of what covers it
    assert f"Not enough rBTC: {Decimal(shortfall) / COIN:f} rBTC more is needed" in str(info.value)
    devnet.fund(script_of(account, account.receive_address()), shortfall)  # exactly that much
    devnet.mine(1)
    account.sync()
    assert account.prepare_send(EXTERNAL, "0.07", fee_rate=2).amount == 7_000_000


def test_an_int_amount_counts_satoshis(wallet_account: tuple[Wallet, UtxoAccount]) -> None:
    _, account = wallet_account
    # DESIGN.md's API: Decimal (or text) is coins, int is base units.
    assert account.prepare_send(EXTERNAL, 50_000).amount == 50_000
    assert account.prepare_send(EXTERNAL, Decimal("0.0005")).amount == 50_000
    assert account.prepare_send(EXTERNAL, "0.0005").amount == 50_000


def test_amounts_floats_decimals_and_addresses(
    wallet_account: tuple[Wallet, UtxoAccount],
) -> None:
    _, account = wallet_account
    with pytest.raises(FloatAmountError):
        account.prepare_send(EXTERNAL, 0.01)  # type: ignore[arg-type]
    with pytest.raises(AmountPrecisionError) as precision:
        account.prepare_send(EXTERNAL, "0.000000001")
    assert precision.value.decimals == 8
    with pytest.raises(InvalidAmount):
        account.prepare_send(EXTERNAL, "-1")
    with pytest.raises(InvalidAmount, match="Give an amount"):
        account.prepare_send(EXTERNAL)
    with pytest.raises(NetworkMismatch) as mismatch:
        account.prepare_send("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "0.01")
    assert "bitcoin" in mismatch.value.address_networks
    assert "Bitcoin" in str(mismatch.value)
    litecoin = account.wallet.account("litecoin-regtest").receive_address()
    with pytest.raises(NetworkMismatch) as other:
        account.prepare_send(EXTERNAL, "0.01", recipients=[(litecoin, "0.01")])
    assert other.value.address_networks == ("litecoin-regtest",)
    with pytest.raises(InvalidAddress):
        account.prepare_send(EXTERNAL[:-1] + "1", "0.01")
    with pytest.raises(InvalidAmount, match="more than 0"):
        account.prepare_send(EXTERNAL, 0)


def test_fee_caps_and_their_override(wallet_account: tuple[Wallet, UtxoAccount]) -> None:
    _, account = wallet_account
    fast = account.fee_presets().fast
    huge = fast.sat_vb * 10 + 1
    with pytest.raises(FeeTooHigh) as rate:
        account.prepare_send(EXTERNAL, "0.05", fee_rate=huge)
    assert rate.value.fee > rate.value.cap > 0
    assert "times the fast estimate" in str(rate.value)
    allowed = account.prepare_send(EXTERNAL, "0.05", fee_rate=huge, allow_high_fee=True)
    assert allowed.fee > rate.value.cap
    assert allowed.fee_cap == allowed.fee
    with pytest.raises(FeeTooHigh) as share:
        account.prepare_send(EXTERNAL, Decimal("0.00001"))  # a fee of ~300 sat on 1,000
    assert share.value.cap == 100
    assert "more than 10% of the 0.00001 rBTC sent" in str(share.value)
    fees.set_max_fee_share(account.wallet.database, Decimal("0.5"))
    assert account.prepare_send(EXTERNAL, Decimal("0.00001")).fee <= 500
    fees.set_max_fee_share(account.wallet.database, None)
    with pytest.raises(FeeTooLow):
        account.prepare_send(EXTERNAL, "0.01", fee_rate=Decimal("0.5"))
    normal = account.prepare_send(EXTERNAL, "0.01")
    assert normal.fee_cap == min(fast.fee_for(normal.vsize) * 10, 100_000)


def test_frozen_coins_are_spent_only_when_named(
    wallet_account: tuple[Wallet, UtxoAccount],
) -> None:
    _, account = wallet_account
    biggest = max(account.coins(), key=lambda c: c.value)
    account.freeze(biggest.outpoint)
    assert account.balance().frozen == biggest.value
    draft = account.prepare_send(EXTERNAL, "0.025")
    assert biggest.outpoint not in {str(i.outpoint) for i in draft.inputs}
    with pytest.raises(InsufficientFunds, match="frozen coins"):
        account.prepare_send(EXTERNAL, "0.035")
    named = account.prepare_send(EXTERNAL, "0.025", utxos=[biggest.outpoint])
    assert [str(i.outpoint) for i in named.inputs] == [biggest.outpoint]
    maxed = account.prepare_send(EXTERNAL, send_max=True)
    assert maxed.summary.outputs[0].amount == 3_000_000 - maxed.fee
    account.freeze(biggest.outpoint, False)
    assert account.prepare_send(EXTERNAL, "0.035").amount == 3_500_000


def test_named_coins_pending_spent_unknown_or_twice(
    wallet_account: tuple[Wallet, UtxoAccount], devnet: BitcoinDevnet
) -> None:
    wallet, account = wallet_account
    draft = account.prepare_send(EXTERNAL, "0.005")
    account.broadcast(wallet.sign(draft))
    spent = str(draft.inputs[0].outpoint)
    with pytest.raises(CoinUnavailable) as pending:
        account.prepare_send(EXTERNAL, "0.001", utxos=[spent])
    assert (pending.value.reason, pending.value.outpoint) == ("spent-pending", spent)
    assert spent not in {c.outpoint for c in account.coins()}
    with pytest.raises(CoinUnavailable) as unknown:
        account.prepare_send(EXTERNAL, "0.001", utxos=["ab" * 32 + ":0"])
    assert unknown.value.reason == "unknown"
    other = next(c.outpoint for c in account.coins())
    with pytest.raises(CoinUnavailable) as twice:
        account.prepare_send(EXTERNAL, "0.001", utxos=[other, other.upper()])
    assert twice.value.reason == "duplicate"
    with pytest.raises(CoinUnavailable, match="write it TXID:N"):
        account.prepare_send(EXTERNAL, "0.001", utxos=["nope"])
    fresh = account.prepare_send(EXTERNAL, "0.001")
    assert spent not in {str(i.outpoint) for i in fresh.inputs}


@pytest.mark.parametrize(
    "text",
    ["aa" * 30 + "  " + "aa:0", "aa" * 32 + ":\u0663", "aa" * 32 + ":4294967296", "g" * 64 + ":0"],
    ids=["spaces-in-txid", "non-ascii-digit", "index-past-32-bits", "not-hex"],
)
def test_malformed_outpoints_are_refused_before_anything_is_stored(
    wallet_account: tuple[Wallet, UtxoAccount], text: str
) -> None:
    wallet, account = wallet_account
    with pytest.raises(CoinUnavailable, match="write it TXID:N"):
        account.prepare_send(EXTERNAL, "0.001", utxos=[text])
    with pytest.raises(WalletError, match="TXID:INDEX"):
        account.freeze(text)
    assert wallet.labels.all() == []


def test_zero_value_coins_are_never_spent_unless_named(
    tmp_path: Path, devnet: BitcoinDevnet
) -> None:
    # A zero-value output is consensus-valid (a miner may include one): it costs a fee to
    # spend and links whoever sent it with the coins spent beside it. Core's wallet never
    # selects one (CoinFilterParams::min_amount is 1 satoshi).
    wallet = Wallet.create(tmp_path / "w.coffer", PASSWORD, ABANDON)
    wallet.backends.use(NET, devnet)
    account = wallet.account(NET)
    assert isinstance(account, UtxoAccount)
    with wallet:
        first, second = (script_of(account, a.address) for a in account.addresses(2))
        tip = devnet.tip().height
        coin = next(u for u in devnet.utxos(FAUCET_SCRIPT) if (u.height or tip) <= tip - 100)
        outputs = (
            TxOut(0, first),
            TxOut(100_000, second),
            TxOut(coin.value - 120_000, FAUCET_SCRIPT),
        )
        spend = TxIn(coin.outpoint, b"", SEQUENCE_RBF, (FAUCET_WITNESS_SCRIPT,))
        tx = Transaction(2, (spend,), outputs, 0)
        devnet.reorg(1, txs=[tx.serialize()])  # mined directly: the mempool refuses dust
        account.sync()
        zero = f"{tx.txid}:0"
        assert {c.outpoint: c.value for c in account.coins()} == {zero: 0, f"{tx.txid}:1": 100_000}
        for _ in range(5):  # knapsack and the change target are random
            paid = account.prepare_send(EXTERNAL, "0.0005", fee_rate=2)
            assert zero not in {str(i.outpoint) for i in paid.inputs}
        maxed = account.prepare_send(EXTERNAL, send_max=True, fee_rate=2)
        assert [str(i.outpoint) for i in maxed.inputs] == [f"{tx.txid}:1"]
        named = account.prepare_send(
            EXTERNAL, send_max=True, fee_rate=2, utxos=[zero, f"{tx.txid}:1"]
        )
        assert len(named.inputs) == 2


def test_immature_mining_rewards_are_not_spent(tmp_path: Path, devnet: BitcoinDevnet) -> None:
    wallet, account = funded(tmp_path / "w.coffer", devnet, amounts=(100_000,))
    with wallet:
        devnet.mine(1, script_of(account, account.receive_address()))
        account.sync()
        reward = next(c for c in account.coins() if c.value > COIN)
        with pytest.raises(CoinUnavailable) as info:
            account.prepare_send(EXTERNAL, "1", utxos=[reward.outpoint])
        assert info.value.reason == "immature"
        with pytest.raises(InsufficientFunds):
            account.prepare_send(EXTERNAL, "1")


def test_a_tampered_summary_is_refused_by_the_signer(
    wallet_account: tuple[Wallet, UtxoAccount],
) -> None:
    wallet, account = wallet_account
    draft = account.prepare_send(EXTERNAL, "0.01")
    lying = replace(draft, summary=replace(draft.summary, fee=draft.fee - 1))
    with pytest.raises(SigningRefused, match="fee"):
        wallet.sign(lying)
    other = wallet.account(NET, 1)
    with pytest.raises(WalletError, match="not prepared by this account"):
        other.sign(draft, wallet.signer())
    signed = wallet.sign(draft)
    assert signed.txid == draft.unsigned_txid  # segwit: the signatures do not change it


def test_watch_only_drafts_sign_offline(
    tmp_path: Path, wallet_account: tuple[Wallet, UtxoAccount], devnet: BitcoinDevnet
) -> None:
    hd, account = wallet_account
    for how in ("descriptor", "xpub"):
        with Wallet.create_watch_only(tmp_path / f"{how}.coffer", PASSWORD) as watch:
            watch.backends.use(NET, devnet)
            if how == "descriptor":
                watched = watch.accounts_book.import_descriptor(NET, account.descriptor())
            else:
                watched = watch.accounts_book.import_xpub(NET, account.export_xpub())
            watched.sync()
            assert watched.balance().total == account.balance().total
            draft = watched.prepare_send(EXTERNAL, "0.01")
            psbt = Psbt.parse(draft.psbt)
            (source,) = psbt.inputs[0].bip32_derivations.values()
            if how == "descriptor":  # the key origin of the descriptor
                assert source.fingerprint.hex() == hd.fingerprint
                assert account.record.path is not None
                assert source.path[:3] == account.record.path
                assert account.record.path is not None
                ctx = SigningContext(
                    utxo_params(watched.utxo_network),
                    account.record.path,
                    expected=draft.summary,
                    max_fee=draft.fee_cap,
                )
                signed = Psbt.parse(hd.signer().sign_psbt(draft.psbt, ctx))
                tx = extract(finalize(signed))
                verify_transaction(tx, draft.spent_outputs)
                assert devnet.test_accept(tx.serialize()).allowed
            else:  # no origin: the xpub's own fingerprint, paths relative to it
                assert source.fingerprint == watched.account_xpub.fingerprint
                assert len(source.path) == 2
                with pytest.raises(WatchOnly):
                    watch.sign(draft)


# -- Dogecoin: p2pkh with its own fee and dust rules --------------------------------------------


def test_dogecoin_draft_signs_and_verifies(tmp_path: Path) -> None:
    network = get_network("dogecoin")
    assert isinstance(network, UtxoNetwork)
    with Wallet.create(tmp_path / "doge.coffer", PASSWORD, ABANDON) as wallet:
        account = wallet.account("dogecoin")
        assert isinstance(account, UtxoAccount)
        assert account.kind == "p2pkh"
        address = account.receive_address()
        script = script_of(account, address)
        funding = Transaction(
            1,
            (TxIn(OutPoint(b"\x11" * 32, 0), b"\x51", 0xFFFFFFFF),),
            (TxOut(500 * COIN, script), TxOut(25 * COIN, script)),
            0,
        )
        store = UtxoStore(wallet.database, network)
        fill_scripts(account.context)
        key = (account.id, 0, 0)
        store.apply(
            account.id,
            SyncUpdate(
                tip=BlockRef(5_000_000, "00" * 32),
                statuses={key: "status"},
                histories={key: (HistoryItem(Txid(funding.txid), 4_999_990),)},
                transactions={Txid(funding.txid): funding.serialize()},
                block_hashes={4_999_990: "11" * 32},
            ),
        )
        view = account.view()
        assert account.balance().confirmed == 525 * COIN
        presets = fees.FeePresets.fallback(network)
        assert presets.normal.sat_vb == 1000  # Dogecoin Core's recommended 0.01 DOGE/kB
        friend = wallet.account("dogecoin", 1).receive_address()
        assert friend.startswith("D")
        request = SendRequest(recipients=((friend, "100"),))
        draft = build_send(account.context, view, request, presets, presets.normal, 5_000_000)
        assert 500 * COIN in {i.value for i in draft.inputs}
        assert draft.change_index is not None
        assert draft.fee == FeeRate.from_sat_vb(1000).fee_for(draft.vsize)
        assert draft.summary == reviewed(account, draft)
        with pytest.raises(DustOutput) as dust:  # Dogecoin's hard dust limit: 0.001 DOGE
            build_send(
                account.context,
                view,
                SendRequest(recipients=((friend, "0.0009"),)),
                presets,
                presets.normal,
                5_000_000,
            )
        assert dust.value.threshold == 100_000
        signed = wallet.sign(draft)
        tx = Transaction.parse(signed.raw)
        assert not tx.has_witness
        verify_transaction(tx, draft.spent_outputs)  # the kernel's legacy script rules
        unsigned = tx.replace(inputs=[replace(i, script_sig=b"") for i in tx.inputs])
        cache = SighashCache(unsigned, list(draft.spent_outputs))
        for n, txin in enumerate(tx.inputs):
            sig, pubkey = _pushes(txin.script_sig)
            assert p2pkh_script(hash160(pubkey)) == draft.inputs[n].script
            digest = cache.legacy(n, draft.inputs[n].script, SIGHASH_ALL)
            assert sig[-1] == SIGHASH_ALL
            assert PublicKey(pubkey).verify(sig[:-1], digest, hasher=None)
            assert not PublicKey(pubkey).verify(sig[:-1], bytes(32), hasher=None)


def _pushes(script_sig: bytes) -> tuple[bytes, bytes]:
    sig_len = script_sig[0]
    sig = script_sig[1 : 1 + sig_len]
    key_len = script_sig[1 + sig_len]
    return sig, script_sig[2 + sig_len : 2 + sig_len + key_len]
