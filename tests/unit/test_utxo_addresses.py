"""A UTXO account's addresses: shown far ahead without storing the ones below, written once.

Issue 14 item 8: ``coffer address bitcoin --index 100000`` stored every address below it,
and ``--index 2147483647`` never returned; two processes showing the same addresses at once
ended in an IntegrityError.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chains.addresses import parse_address
from chains.registry import ScriptKind, UtxoNetwork, all_networks
from tests.conftest import ABANDON, PASSWORD
from wallet import UtxoAccount, Wallet
from wallet.derive import derive_addresses
from wallet.errors import WalletError
from wallet.storage.accounts import AccountStore, NewAccount
from wallet.utxo.addresses import derive_rows

LAST_INDEX = 2**31 - 1


def _bitcoin(wallet: Wallet) -> UtxoAccount:
    account = wallet.account("bitcoin")
    assert isinstance(account, UtxoAccount)
    return account


def _stored(account: UtxoAccount, chain: int = 0) -> list[int]:
    rows = account.context.store.address_rows(account.id, chain, 0, LAST_INDEX + 1)
    return [index for index, _address, _used in rows]


def test_a_far_address_is_stored_alone(abandon_wallet: Wallet) -> None:
    account = _bitcoin(abandon_wallet)
    (far,) = account.addresses(1, 100_000)
    expected = derive_addresses(
        account.utxo_network, account.account_xpub, account.script_kind, 0, 100_000, 1
    )
    assert (far.address, far.index, far.chain) == (expected[0], 100_000, 0)
    assert far.path == "m/84'/0'/0'/0/100000"
    assert _stored(account) == [100_000]
    assert account.find_address(far.address) == far
    # Its script is watched like any other, so a payment to it shows after a sync.
    script = account.context.store.script_at(account.id, 0, 100_000)
    assert script == derive_rows(account.context, 0, 100_000, 1)[100_000][1]


def test_the_gap_window_still_starts_at_zero(abandon_wallet: Wallet) -> None:
    account = _bitcoin(abandon_wallet)
    account.addresses(1, 100_000)
    first = derive_addresses(
        account.utxo_network, account.account_xpub, account.script_kind, 0, 0, 1
    )[0]
    assert account.receive_address() == first
    assert _stored(account) == [*range(account.gap_limit), 100_000]
    assert account.context.store.address_count(account.id, 0) == account.gap_limit
    fresh = account.new_receive_address()
    assert fresh.index == 0
    assert [a.index for a in account.addresses(3, 99_999)] == [99_999, 100_000, 100_001]
    assert _stored(account)[-3:] == [99_999, 100_000, 100_001]


def test_the_last_index_returns_and_the_next_is_refused(abandon_wallet: Wallet) -> None:
    account = _bitcoin(abandon_wallet)
    (last,) = account.addresses(1, LAST_INDEX, change=True)
    assert last.index == LAST_INDEX
    assert last.path == f"m/84'/0'/0'/1/{LAST_INDEX}"
    assert _stored(account, chain=1) == [LAST_INDEX]
    with pytest.raises(WalletError, match="2\\^31 - 1"):
        account.addresses(1, LAST_INDEX + 1)
    with pytest.raises(WalletError, match="2\\^31 - 1"):
        account.addresses(2, LAST_INDEX)


def test_writing_the_same_addresses_twice_keeps_the_first(wallet_path: Path) -> None:
    with Wallet.create(wallet_path, PASSWORD, ABANDON) as wallet:
        account = _bitcoin(wallet)
        rows = derive_rows(account.context, 0, 0, 30)
        store = account.context.store
        with Wallet.open(wallet_path, PASSWORD) as other:  # a second connection
            twin = _bitcoin(other)
            assert twin.context.store.add_addresses(twin.id, 0, rows) == list(range(30))
        assert store.add_addresses(account.id, 0, rows) == []
        assert store.add_addresses(account.id, 0, derive_rows(account.context, 0, 25, 10)) == [
            30,
            31,
            32,
            33,
            34,
        ]
        assert _stored(account) == list(range(35))


_SHOW = """
import sys
from wallet import Wallet
with Wallet.open(sys.argv[1], sys.argv[2]) as wallet:
    infos = wallet.account("bitcoin").addresses(3000)
    print(len(infos), infos[-1].address)
"""


def test_two_processes_show_the_same_addresses_at_once(wallet_path: Path) -> None:
    # A fresh wallet: both processes also derive and store the account itself.
    Wallet.create(wallet_path, PASSWORD, ABANDON).close()
    root = str(Path(__file__).parents[2])
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _SHOW, str(wallet_path), PASSWORD],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=root,
            env={**os.environ, "PYTHONPATH": root},
        )
        for _ in range(2)
    ]
    results = [p.communicate() for p in procs]
    with Wallet.open(wallet_path, PASSWORD) as wallet:
        assert len(wallet.accounts()) == 1
        account = _bitcoin(wallet)
        expected = derive_rows(account.context, 0, 2999, 1)[2999][0]
        for proc, (out, err) in zip(procs, results, strict=True):
            assert proc.returncode == 0, err
            assert out.split() == ["3000", expected]
        assert _stored(account) == list(range(3000))


def test_adding_an_account_another_process_added_returns_that_one(wallet_path: Path) -> None:
    with Wallet.create(wallet_path, PASSWORD, ABANDON) as wallet:
        first = _bitcoin(wallet)
        record = first.record
        again = NewAccount(
            record.network, 0, record.kind, record.path, record.xpub, record.fingerprint
        )
        with Wallet.open(wallet_path, PASSWORD) as other:  # as another process would
            assert AccountStore(other.database).add(again) == record
        assert [a.id for a in wallet.accounts()] == [first.id]


_KINDS = [
    (net.name, kind)
    for net in all_networks()
    if isinstance(net, UtxoNetwork) and net.name in ("bitcoin", "litecoin-testnet", "dogecoin")
    for kind in net.script_kinds
]


@pytest.mark.parametrize(("network", "kind"), _KINDS, ids=[f"{n}-{k.value}" for n, k in _KINDS])
def test_addresses_and_scripts_are_derived_one_way(
    abandon_wallet: Wallet, network: str, kind: ScriptKind
) -> None:
    account = abandon_wallet.account(network, kind=kind.value)
    assert isinstance(account, UtxoAccount)
    rows = derive_rows(account.context, 1, 5, 20)
    addresses = derive_addresses(
        account.utxo_network, account.account_xpub, account.script_kind, 1, 5, 20
    )
    assert [rows[i][0] for i in range(5, 25)] == addresses
    for address, script in rows.values():
        assert parse_address(account.utxo_network, address).script_pubkey == script


def test_addresses_of_a_schema_v1_file_get_their_scripts_from_the_xpub(tmp_path: Path) -> None:
    copy = tmp_path / "wallet-v1.coffer"
    copy.write_bytes((Path(__file__).parents[1] / "data" / "wallet-v1.coffer").read_bytes())
    copy.chmod(0o600)
    with Wallet.open(copy, "coffer-fixture") as wallet:
        account = _bitcoin(wallet)
        store = account.context.store
        assert store.unscripted(account.id) == [(0, i) for i in range(20)]  # written by v1
        (twentieth,) = account.addresses(1, 20)
        assert store.unscripted(account.id) == []
        rows = derive_rows(account.context, 0, 0, 21)
        assert store.scripts(account.id) == {
            (account.id, 0, i): script for i, (_address, script) in rows.items()
        }
        assert twentieth.address == rows[20][0]
