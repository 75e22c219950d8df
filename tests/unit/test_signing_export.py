"""Account exports: every form a signer writes is read back into the same watch-only account.

The forms are Coffer's descriptor with key origin (BIP-380/389), the SLIP-132 key, the
Coldcard generic JSON that Sparrow imports, and an Electrum wallet file's keystore. Bad
input is refused with one sentence and leaves no wallet file behind.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from wallet import UtxoAccount, Wallet
from wallet.errors import (
    InvalidDescriptor,
    InvalidExtendedKey,
    InvalidPsbt,
    NothingToSign,
    QrPayloadError,
    WatchOnly,
)
from wallet.signing.export import EXPORT_FORMATS

# BIP-84's first receive address of the abandon seed on Bitcoin (the BIP's own vector).
BIP84_FIRST = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"


@pytest.mark.parametrize("fmt", ["descriptor", "sparrow", "electrum"])
def test_each_form_imports_the_same_account(
    abandon_wallet: Wallet, tmp_path: Path, fmt: str
) -> None:
    export = abandon_wallet.export_account("bitcoin", fmt=fmt)
    with Wallet.create_watch_only(
        tmp_path / "w.coffer", PASSWORD, imports=[("bitcoin", export)]
    ) as watch:
        account = watch.account("bitcoin")
        assert isinstance(account, UtxoAccount)
        assert account.receive_address() == BIP84_FIRST
        assert account.descriptor() == abandon_wallet.account("bitcoin").descriptor()
        assert account.fingerprint == "73c5da0a"  # the origin came along: PSBTs name it


def test_the_sparrow_json_names_its_first_address(abandon_wallet: Wallet) -> None:
    data = json.loads(abandon_wallet.export_account("bitcoin", fmt="sparrow"))
    assert data["xfp"] == "73C5DA0A"
    assert data["bip84"]["deriv"] == "m/84'/0'/0'"
    assert data["bip84"]["first"] == BIP84_FIRST
    assert data["bip84"]["_pub"].startswith("zpub")


def test_a_bare_xpub_imports_without_origin(abandon_wallet: Wallet, tmp_path: Path) -> None:
    xpub = abandon_wallet.export_account("bitcoin", fmt="xpub")
    assert xpub.startswith("zpub")
    with Wallet.create_watch_only(
        tmp_path / "w.coffer", PASSWORD, imports=[("bitcoin", xpub)]
    ) as watch:
        account = watch.account("bitcoin")
        assert account.receive_address() == BIP84_FIRST
        assert account.fingerprint is None


def test_every_documented_form_is_written(abandon_wallet: Wallet) -> None:
    for fmt in EXPORT_FORMATS:
        assert abandon_wallet.export_account("litecoin", fmt=fmt)


def test_a_descriptor_with_a_bad_checksum_is_refused_and_no_file_is_left(
    abandon_wallet: Wallet, tmp_path: Path
) -> None:
    descriptor = abandon_wallet.export_account("bitcoin")
    body, _, checksum = descriptor.partition("#")
    mistyped = body + "#" + ("q" if checksum[0] != "q" else "p") + checksum[1:]
    path = tmp_path / "w.coffer"
    with pytest.raises(InvalidDescriptor, match="checksum"):
        Wallet.create_watch_only(path, PASSWORD, imports=[("bitcoin", mistyped)])
    assert not path.exists()


def test_an_xpub_of_another_network_is_refused(abandon_wallet: Wallet, tmp_path: Path) -> None:
    litecoin = abandon_wallet.export_account("litecoin", fmt="xpub")  # Ltub / zpub of LTC
    testnet = abandon_wallet.export_account("bitcoin-testnet", fmt="xpub")  # vpub
    with Wallet.create_watch_only(tmp_path / "w.coffer", PASSWORD) as watch:
        with pytest.raises(InvalidExtendedKey, match="another network"):
            watch.accounts_book.import_export("bitcoin", testnet)
        with pytest.raises((InvalidExtendedKey, InvalidDescriptor)):
            watch.accounts_book.import_export("bitcoin-testnet", litecoin)
        sparrow = abandon_wallet.export_account("bitcoin-testnet", fmt="sparrow")
        with pytest.raises((InvalidExtendedKey, InvalidDescriptor)):
            watch.accounts_book.import_export("bitcoin", sparrow)
        assert watch.accounts() == []


def test_malformed_json_is_one_sentence(tmp_path: Path) -> None:
    with Wallet.create_watch_only(tmp_path / "w.coffer", PASSWORD) as watch:
        with pytest.raises(InvalidDescriptor, match="cannot be read"):
            watch.accounts_book.import_export("bitcoin", '{"xfp": ')
        with pytest.raises(InvalidDescriptor, match="names no account"):
            watch.accounts_book.import_export("bitcoin", '{"hello": 1}')


def test_a_watch_only_wallet_cannot_export_keys(tmp_path: Path) -> None:
    with (
        Wallet.create_watch_only(tmp_path / "w.coffer", PASSWORD) as watch,
        pytest.raises(WatchOnly),
    ):
        watch.export_account("bitcoin")


def test_sign_psbt_refuses_garbage_and_foreign_psbts(abandon_wallet: Wallet) -> None:
    with pytest.raises(InvalidPsbt):
        abandon_wallet.sign_psbt(b"not a psbt at all")
    with pytest.raises(InvalidPsbt, match="empty"):
        abandon_wallet.sign_psbt(b"  \n")
    # BIP-174's first valid vector: a PSBT of someone else's keys.
    foreign = (
        "cHNidP8BAHUCAAAAASaBcTce3/KF6Tet7qSze3gADAVmy7OtZGQXE8pCFxv2AAAAAAD+////AtPf9QUAAAAAGX"
        "apFNDFmQPFusKGh2DpD9UhpGZap2UgiKwA4fUFAAAAABepFDVF5uM7gyxHBQ8k0+65PJwDlIvHh7MuEwAAAQD9"
        "pQEBAAAAAAECiaPHHqtNIOA3G7ukzGmPopXJRjr6Ljl/hTPMti+VZ+UBAAAAFxYAFL4Y0VKpsBIDna89p95PUz"
        "SO15psAP7///+1BIWYFIWk+p7jEmUnjfbGyu6a7ZQHxpYEgHiKV5wpAQAAAAD+////AB61VVAgAAAAAXqRQa+"
        "QXvGVf3ewO66hoh4tjNYoM8Ah8Aw/R3Y/cMp9h8VAR0AAAAAAX6kUvJmm0Ygn0kxbmYXh/sAxMbn8I0eHAkcwR"
        "AIgJxK+IuAnDzlPVoMR3HyppolwuAJf3TskAinwf4pfOiQCIAGLONfc0xTnNMkna9b7QPZzMlvEuqFEyADS8vA"
        "tsnZcASED0uFWdJQbrUqZY3LLh+GFbTZSYG2YVi/jnF6efkE/IQUCSDBFAiEA0SuFLYXc2WHS9fSrZgZU327tz"
        "HlMDDPOXMMJ/7X85Y0CIGczio4OFyXBl/saiK9Z9R5E5CVbIBZ8hoQDHAXR8lkqASECI7cr7vCWXRC+B3jv7NY"
        "fysb3mk6haTkzgHNEZPhPKrMAAAAAAAAA"
    )
    with pytest.raises((NothingToSign, InvalidPsbt)):
        abandon_wallet.sign_psbt(foreign)


@pytest.mark.parametrize("fmt", ["ur-account", "ur-hdkey"])
@pytest.mark.parametrize("network", ["bitcoin", "litecoin", "bitcoin-testnet"])
def test_bc_ur_exports_import_the_same_account(
    abandon_wallet: Wallet, tmp_path: Path, fmt: str, network: str
) -> None:
    text = abandon_wallet.export_account(network, fmt=fmt)
    assert text.startswith(f"ur:crypto-{fmt[3:]}/")
    with Wallet.create_watch_only(
        tmp_path / "w.coffer", PASSWORD, imports=[(network, text)]
    ) as watch:
        assert watch.account(network).descriptor() == abandon_wallet.account(network).descriptor()


def test_a_ur_of_another_network_is_refused(abandon_wallet: Wallet, tmp_path: Path) -> None:
    mainnet = abandon_wallet.export_account("bitcoin", fmt="ur-hdkey")
    with Wallet.create_watch_only(tmp_path / "w.coffer", PASSWORD) as watch:
        with pytest.raises(InvalidExtendedKey, match="another network"):
            watch.accounts_book.import_export("bitcoin-testnet", mainnet)
        with pytest.raises(QrPayloadError):
            watch.accounts_book.import_export("bitcoin", "ur:crypto-account/notbytewords")
        assert watch.accounts() == []
