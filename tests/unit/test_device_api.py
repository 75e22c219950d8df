"""The wallet API for hardware wallets (issue 17): export an account from the device, name
the device that signs for it, have it show an address.

No device exists on this machine. The product's path runs unchanged (the wallet API opens
HWI's real ``HwiSigner`` through ``open_client``, HWI's ``get_client`` seam); only the client
is the stand-in ``tests.hwi_standin.SeedDevice``, a real ``hwilib`` client answered from the
``abandon`` test seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ABANDON, PASSWORD
from tests.hwi_standin import seed_opener, stand_in
from wallet import (
    HardwareWallet,
    UtxoAccount,
    Wallet,
    export_from_device,
    show_address_on_device,
    signing_device,
)
from wallet.errors import (
    DeviceAddressMismatch,
    HardwareUnavailable,
    Unsupported,
    WalletError,
)

NET = "bitcoin-regtest"


@pytest.fixture
def hot(tmp_path: Path) -> Iterator[Wallet]:
    """The seed the stand-in device holds, as a hot wallet (to compare with)."""
    with Wallet.create(tmp_path / "hot.coffer", PASSWORD, ABANDON) as wallet:
        yield wallet


@pytest.fixture
def watched(hot: Wallet, tmp_path: Path) -> Iterator[Wallet]:
    """A watch-only wallet made from what the device exported."""
    opener, _ = seed_opener(hot)
    text = export_from_device(stand_in(hot), NET, open_client=opener)
    with Wallet.create_watch_only(
        tmp_path / "watch.coffer", PASSWORD, imports=[(NET, text)]
    ) as wallet:
        yield wallet


def _account(wallet: Wallet) -> UtxoAccount:
    account = wallet.accounts(NET)[0]
    assert isinstance(account, UtxoAccount)
    return account


def test_export_from_device_is_what_the_seed_exports(hot: Wallet) -> None:
    opener, opened = seed_opener(hot)
    device = stand_in(hot)
    for kind, index in (("p2wpkh", 0), ("p2tr", 2), ("p2sh-p2wpkh", 1), ("p2pkh", 0)):
        text = export_from_device(device, NET, index, kind, open_client=opener)
        assert text == hot.export_account(NET, index, kind)
    assert export_from_device(device, NET, fmt="xpub", open_client=opener) == (
        hot.export_account(NET, fmt="xpub")
    )
    assert len(opened) == 5
    assert all(d.closed for d in opened)  # each call releases the device


def test_a_watch_only_account_from_the_device_names_it(hot: Wallet, watched: Wallet) -> None:
    account = _account(watched)
    assert signing_device(account) == hot.fingerprint
    assert account.receive_address() == hot.account(NET).receive_address()
    # The wallet's own seed signs for its accounts: no external signer to name.
    assert signing_device(hot.account(NET)) is None


def test_the_device_shows_the_address_the_wallet_shows(hot: Wallet, watched: Wallet) -> None:
    opener, opened = seed_opener(hot)
    account = _account(watched)
    address = account.addresses(1, 4)[0].address
    shown = show_address_on_device(account, address, [stand_in(hot)], open_client=opener)
    assert shown == address
    assert opened[0].displayed == ["m/84h/1h/0h/0/4"]
    assert opened[0].closed
    change = account.addresses(1, 1, change=True)[0].address
    assert show_address_on_device(account, change, [stand_in(hot)], open_client=opener) == change
    assert opened[1].displayed == ["m/84h/1h/0h/1/1"]


def test_a_device_that_shows_another_address_is_a_loud_error(hot: Wallet, watched: Wallet) -> None:
    account = _account(watched)
    address = account.addresses(1, 0)[0].address
    other = account.addresses(1, 1)[0].address
    opener, _ = seed_opener(hot, shows=other)
    with pytest.raises(DeviceAddressMismatch, match="DANGER") as caught:
        show_address_on_device(account, address, [stand_in(hot)], open_client=opener)
    assert (caught.value.expected, caught.value.shown) == (address, other)


def test_refusals_say_why(hot: Wallet, watched: Wallet) -> None:
    opener, opened = seed_opener(hot)
    account = _account(watched)
    address = account.addresses(1, 0)[0].address
    other_device = HardwareWallet("stand-in", "Other", "stand-in:0", "0badf00d")
    with pytest.raises(HardwareUnavailable, match=f"fingerprint {hot.fingerprint}"):
        show_address_on_device(account, address, [other_device], open_client=opener)
    with pytest.raises(WalletError, match="not an address of this account"):
        show_address_on_device(
            account, hot.account(NET, 5).receive_address(), [stand_in(hot)], open_client=opener
        )
    with pytest.raises(Unsupported, match="this wallet signs for it itself"):
        show_address_on_device(hot.account(NET), address, [stand_in(hot)], open_client=opener)
    with pytest.raises(Unsupported, match="Bitcoin-family"):
        export_from_device(stand_in(hot), "evm-embedded", open_client=opener)
    with pytest.raises(WalletError, match="accounts are one of"):
        export_from_device(stand_in(hot), NET, kind="p2sh", open_client=opener)
    locked = HardwareWallet("stand-in", "Locked", "stand-in:0", None, needs_pin=True)
    with pytest.raises(HardwareUnavailable, match="PIN"):
        export_from_device(locked, NET, open_client=opener)
    assert opened == []  # every refusal came before the device was opened
    # Litecoin is a UTXO network HWI does not speak: refused by the signer, in words.
    with pytest.raises(WalletError, match="Bitcoin networks only"):
        export_from_device(stand_in(hot), "litecoin-regtest", open_client=opener)
