"""The wallet-wide history table: rows kept in step, sorted, filtered, searched and paged in SQL.

Rows here are written through the store from history entries (the shape every account's
``history()`` returns); ``tests/integration/test_history_devnet.py`` fills it from a real sync.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.history import HistoryFilter, HistoryKey, SortColumn
from wallet.history.store import HistoryStore, amount_sort_key
from wallet.types import HistoryEntry, TxStatus


def _entry(
    n: int,
    amount: int,
    *,
    ts: int | None = None,
    status: TxStatus = TxStatus.CONFIRMED,
    height: int | None = 100,
    confirmations: int = 1,
    network: str = "bitcoin-regtest",
    symbol: str = "rBTC",
    decimals: int = 8,
    to: str = "bcrt1qexample",
) -> HistoryEntry:
    return HistoryEntry(
        network=network,
        txid=f"{n:064x}",
        status=status,
        height=height if status is TxStatus.CONFIRMED else None,
        confirmations=confirmations if status is TxStatus.CONFIRMED else 0,
        timestamp=1_700_000_000 + n if ts is None else ts,
        symbol=symbol,
        decimals=decimals,
        amount=amount,
        fee=150 if amount < 0 else None,
        counterparties=(to,),
    )


def _wallet(tmp_path: Path) -> tuple[Wallet, int, int]:
    w = Wallet.create(tmp_path / "h.coffer", PASSWORD, ABANDON)
    btc = w.account("bitcoin-regtest").id
    eth = w.account("evm-embedded").id
    return w, btc, eth


_AMOUNT = st.tuples(
    st.one_of(st.integers(-(10**80), 10**80), st.integers(-1000, 1000)),
    st.sampled_from([0, 2, 6, 8, 18, 24]),
)


@given(_AMOUNT, _AMOUNT)
@settings(max_examples=2_000, deadline=None)
@example((10**80 + 1, 0), (10**80, 0))  # equal once rounded to 28 digits; not equal
def test_the_sort_key_compares_like_the_exact_value(a: tuple[int, int], b: tuple[int, int]) -> None:
    # Exact integers at the finest scale sampled: Decimal arithmetic would round 81 digits.
    va, vb = a[0] * 10 ** (24 - a[1]), b[0] * 10 ** (24 - b[1])
    ka, kb = amount_sort_key(*a), amount_sort_key(*b)
    assert (ka < kb) == (va < vb)
    assert (ka == kb) == (va == vb)


def test_the_sort_key_is_short() -> None:
    assert amount_sort_key(150_000, 8) == "239815"  # 0.0015: 2, exponent -2 + 400, 15
    assert len(amount_sort_key(-(2**256 - 1), 18)) < 90


def test_a_refresh_writes_only_what_changed(tmp_path: Path) -> None:
    w, btc, _ = _wallet(tmp_path)
    with w:
        store = HistoryStore(w.database)
        first = [_entry(1, 5_000), _entry(2, -2_000), _entry(3, 700, status=TxStatus.PENDING)]
        changes = store.replace_account(btc, first)
        assert len(changes.added) == 3
        assert not changes.changed
        assert not changes.removed
        assert not store.replace_account(btc, first)  # nothing new: nothing written
        # The pending one confirms, the second is dropped, a fourth arrives.
        second = [
            _entry(1, 5_000, confirmations=2),
            _entry(3, 700, height=101),
            _entry(4, 1, height=102),
        ]
        changes = store.replace_account(btc, second)
        assert changes.added == (HistoryKey(btc, f"{4:064x}", "rBTC"),)
        assert changes.changed == (HistoryKey(btc, f"{3:064x}", "rBTC"),)  # not row 1: same
        assert changes.removed == (HistoryKey(btc, f"{2:064x}", "rBTC"),)
        assert w.history.count() == 3
        # Confirmations follow the tip without rewriting the rows.
        rows = {r.txid: r for r in w.history.page()}
        assert rows[f"{1:064x}"].confirmations == 3  # the tip is 102 now (row 4's block)
        assert rows[f"{3:064x}"].confirmations == 2


def test_sort_filter_search_and_pages(tmp_path: Path) -> None:
    w, btc, eth = _wallet(tmp_path)
    with w:
        store = HistoryStore(w.database)
        store.replace_account(
            btc, [_entry(n, (n % 7 - 3) * 1_000, ts=1_700_000_000 + n * 60) for n in range(1, 301)]
        )
        store.replace_account(
            eth,
            [
                _entry(
                    1000 + n,
                    n * 10**15,
                    network="evm-embedded",
                    symbol="ETH",
                    decimals=18,
                    to="0x" + "ab" * 20,
                )
                for n in range(1, 51)
            ],
        )
        book = w.history
        assert book.count() == 350
        newest = book.page(0, 10)
        assert [r.timestamp for r in newest] == sorted((r.timestamp for r in newest), reverse=True)
        # Pages never overlap or skip, even where many rows share a sort value.
        seen = [
            r.key for off in range(0, 350, 37) for r in book.page(off, 37, sort=SortColumn.AMOUNT)
        ]
        assert len(seen) == len(set(seen)) == 350
        amounts = [
            r.amount_decimal for r in book.iter_rows(sort=SortColumn.AMOUNT, descending=False)
        ]
        assert amounts == sorted(amounts)
        assert amounts[-1] == Decimal("0.05")  # 50 * 10**15 wei, above 3,000 sats
        only_eth = HistoryFilter(networks=("evm-embedded",))
        assert book.count(only_eth) == 50
        sent = HistoryFilter(direction="sent", account_ids=(btc,))
        assert all(r.amount < 0 for r in book.iter_rows(sent))
        assert book.count(sent) == sum(1 for n in range(1, 301) if n % 7 < 3)
        window = HistoryFilter(since=1_700_000_000 + 60, until=1_700_000_000 + 60 * 11)
        assert book.count(window) == 10
        # Search reaches labels set through the label store, at once, and txids.
        target = f"{17:064x}"
        w.labels.set("tx", target, "Rent for March 100%")
        found = book.page(flt=HistoryFilter(text="rent for march 100%"))
        assert [r.txid for r in found] == [target]
        assert found[0].label == "Rent for March 100%"
        assert book.count(HistoryFilter(text="100_")) == 0  # _ and % match themselves
        assert book.count(HistoryFilter(text=f"{1017:064x}"[-12:])) == 1
        assert book.count(HistoryFilter(account_ids=())) == 0


def test_csv_export_is_exact(tmp_path: Path) -> None:
    w, btc, _ = _wallet(tmp_path)
    with w:
        HistoryStore(w.database).replace_account(btc, [_entry(1, -123_456_789), _entry(2, 1)])
        out = io.StringIO()
        assert w.history.export_csv(out, sort=SortColumn.TIME, descending=False) == 2
        lines = out.getvalue().splitlines()
        assert lines[0].startswith("time_utc,network,account_id,txid")
        assert ",-1.23456789,0.00000150," in lines[1]
        assert ",0.00000001,," in lines[2]


def test_bad_pages_are_refused(tmp_path: Path) -> None:
    w, _, _ = _wallet(tmp_path)
    with w:
        with pytest.raises(ValueError, match="row 0"):
            w.history.page(-1, 10)
        with pytest.raises(ValueError, match="1 to 10,000"):
            w.history.page(0, 0)


def test_changes_wait_for_the_view(tmp_path: Path) -> None:
    w, btc, _ = _wallet(tmp_path)
    with w:
        HistoryStore(w.database).replace_account(btc, [_entry(1, 5)])
        assert not w.history.take_changes()  # written behind the book's back: nothing pending
        # The account's own history is empty (never synced): a refresh removes the stray row.
        removed = w.history.refresh()
        assert removed.removed == (HistoryKey(btc, f"{1:064x}", "rBTC"),)
        assert not w.history.refresh()
        assert w.history.take_changes() == removed  # both refreshes, merged, kept for the view
        assert not w.history.take_changes()


def test_check_address_as_typed_derives_nothing(tmp_path: Path) -> None:
    from wallet.errors import InvalidAddress, NetworkMismatch

    w, _, _ = _wallet(tmp_path)
    with w:
        before = len(w.accounts())
        check = w.accounts_book.check_address(
            "bitcoin-regtest", "BCRT1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KYGT080"
        )
        assert check.address == "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
        assert check.kind == "p2wpkh"
        with pytest.raises(
            NetworkMismatch, match="This is a Bitcoin address; the account is on Bitcoin regtest"
        ):
            w.accounts_book.check_address(
                "bitcoin-regtest", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
            )
        with pytest.raises(InvalidAddress):
            w.accounts_book.check_address(
                "bitcoin-regtest", "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt081"
            )
        assert len(w.accounts()) == before
