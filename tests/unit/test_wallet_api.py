"""The public API of the foundation: accounts on every network, derivation vectors, errors."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from chains.registry import EvmNetwork, UtxoNetwork, all_networks
from tests.conftest import ABANDON, PASSWORD, TEST_JUNK
from wallet import EvmAccount, UtxoAccount, Wallet, to_base_units
from wallet.errors import (
    AccountExists,
    AccountNotFound,
    AmountPrecisionError,
    FloatAmountError,
    InvalidAddress,
    InvalidAmount,
    InvalidDescriptor,
    InvalidExtendedKey,
    InvalidMnemonic,
    InvalidPath,
    NetworkMismatch,
    UnknownNetwork,
    WalletError,
    WalletExists,
    WatchOnly,
)

VECTORS = Path(__file__).parents[1] / "vectors"


def _vector(name: str) -> dict[str, object]:
    return json.loads((VECTORS / name).read_text("utf-8"))  # type: ignore[no-any-return]


def test_every_network_has_an_address(abandon_wallet: Wallet) -> None:
    for network in all_networks():
        account = abandon_wallet.account(network.name)
        address = account.receive_address()
        check = abandon_wallet.accounts_book.verify_address(network.name, address)
        assert check.is_mine, network.name
        assert check.address == address


ACCOUNT_VECTORS = _vector("bip44_49_84_86.json")["vectors"]


@pytest.mark.parametrize("vector", ACCOUNT_VECTORS, ids=[f"bip{v['bip']}" for v in ACCOUNT_VECTORS])  # type: ignore[union-attr]
def test_bitcoin_bip44_49_84_86_vectors(abandon_wallet: Wallet, vector: dict[str, object]) -> None:
    account = abandon_wallet.account("bitcoin", kind=str(vector["kind"]))
    assert isinstance(account, UtxoAccount)
    assert account.path == f"m/{vector['bip']}'/0'/0'"
    assert account.export_xpub() == vector["account_xpub"]
    assert account.receive_address() == vector["receive0"]
    assert account.change_address() == vector["change0"]
    first = account.addresses(2)
    assert first[0].address == vector["receive0"]
    if "receive1" in vector:
        assert first[1].address == vector["receive1"]
    assert first[1].path == f"m/{vector['bip']}'/0'/0'/0/1"


def test_anvil_accounts_are_the_first_ten_evm_accounts(wallet_path: Path) -> None:
    expected = _vector("anvil_accounts.json")["accounts"]
    with Wallet.create(wallet_path, PASSWORD, TEST_JUNK) as wallet:
        got = [wallet.account("evm-local", index=i).receive_address() for i in range(10)]
    assert got == expected


def test_evm_layouts(abandon_wallet: Wallet) -> None:
    standard = abandon_wallet.account("ethereum")
    assert isinstance(standard, EvmAccount)
    assert standard.receive_address() == "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"
    assert standard.key_path == "m/44'/60'/0'/0/0"
    ledger = abandon_wallet.account("ethereum", index=1, kind="ledger-live")
    assert isinstance(ledger, EvmAccount)
    assert ledger.key_path == "m/44'/60'/1'/0/0"
    # The same key on every EVM chain.
    assert abandon_wallet.account("polygon").receive_address() == standard.receive_address()


def test_testnets_use_coin_type_one(abandon_wallet: Wallet) -> None:
    for network in all_networks():
        if isinstance(network, UtxoNetwork):
            path = abandon_wallet.account(network.name).path
            assert path is not None
            coin = "1'" if network.is_testnet else f"{network.coin_type}'"
            assert path.split("/")[2] == coin, network.name


def test_dogecoin_is_p2pkh(abandon_wallet: Wallet) -> None:
    account = abandon_wallet.account("dogecoin")
    assert account.kind == "p2pkh"
    assert account.receive_address().startswith("D")
    with pytest.raises(WalletError, match="p2pkh"):
        abandon_wallet.account("dogecoin", kind="p2wpkh")


def test_accounts_persist_and_reopen(wallet_path: Path) -> None:
    with Wallet.create(wallet_path, PASSWORD, ABANDON) as wallet:
        address = wallet.account("litecoin").receive_address()
        wallet.account("ethereum", 3)
    with Wallet.open(wallet_path, PASSWORD) as wallet:
        stored = {(a.network.name, a.index) for a in wallet.accounts()}
        assert stored == {("litecoin", 0), ("ethereum", 3)}
        assert wallet.account("litecoin").receive_address() == address


def test_receive_address_is_next_unused_and_fresh_addresses_stop_at_the_gap(
    abandon_wallet: Wallet,
) -> None:
    account = abandon_wallet.account("bitcoin")
    assert isinstance(account, UtxoAccount)
    first = account.receive_address()
    assert account.receive_address() == first  # not used yet: the same
    fresh = [account.new_receive_address() for _ in range(account.gap_limit)]
    assert [f.index for f in fresh] == list(range(account.gap_limit))
    with pytest.raises(WalletError, match="unused addresses"):
        account.new_receive_address()


def test_descriptors_and_watch_only_accounts_match_the_hd_account(
    abandon_wallet: Wallet, tmp_path: Path
) -> None:
    account = abandon_wallet.account("bitcoin")
    assert isinstance(account, UtxoAccount)
    descriptor = account.descriptor()
    assert descriptor.startswith("wpkh([73c5da0a/84h/0h/0h]xpub")
    assert "/<0;1>/*)#" in descriptor
    expected = [a.address for a in account.addresses(5)]
    with Wallet.create_watch_only(tmp_path / "watch.coffer", PASSWORD) as watch:
        assert watch.is_watch_only
        by_zpub = watch.accounts_book.import_xpub("bitcoin", account.export_xpub())
    with Wallet.create_watch_only(tmp_path / "watch2.coffer", PASSWORD) as other:
        by_descriptor = other.accounts_book.import_descriptor("bitcoin", descriptor)
        assert [a.address for a in by_descriptor.addresses(5)] == expected
        assert by_descriptor.path == "m/84'/0'/0'"
        assert by_descriptor.fingerprint == "73c5da0a"
    with Wallet.open(tmp_path / "watch.coffer", PASSWORD) as watch:
        by_zpub = watch.accounts_book.by_id(by_zpub.id)
        assert isinstance(by_zpub, UtxoAccount)
        assert by_zpub.kind == "p2wpkh"
        assert [a.address for a in by_zpub.addresses(5)] == expected
        assert by_zpub.watch_only
        evm = watch.accounts_book.import_evm_address(
            "ethereum", "0x9858effd232b4033e47d90003d41ec34ecaeda94"
        )
        assert evm.receive_address() == "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"
        with pytest.raises(WatchOnly, match="no keys"):
            watch.signer()
        with pytest.raises(AccountNotFound):
            watch.account("litecoin")
        with pytest.raises(WatchOnly):
            watch.reveal_mnemonic(PASSWORD)


def test_the_same_key_imported_again_is_the_same_account(
    abandon_wallet: Wallet, tmp_path: Path
) -> None:
    # Issue 13 item 9: a zpub, the xpub of the same key with its kind, and the descriptor
    # are one account, not three; another kind over the same key is another account.
    account = abandon_wallet.account("bitcoin")
    assert isinstance(account, UtxoAccount)
    with Wallet.create_watch_only(tmp_path / "watch.coffer", PASSWORD) as watch:
        first = watch.accounts_book.import_xpub("bitcoin", account.export_xpub(), label="cold")
        for again in (
            lambda: watch.accounts_book.import_xpub(
                "bitcoin", account.export_xpub(slip132=False), "p2wpkh"
            ),
            lambda: watch.accounts_book.import_xpub("bitcoin", " " + account.export_xpub()),
            lambda: watch.accounts_book.import_descriptor("bitcoin", account.descriptor()),
            lambda: watch.accounts_book.import_descriptor("bitcoin", account.descriptor(0)),
        ):
            with pytest.raises(AccountExists) as caught:
                again()
            assert caught.value.account_id == first.id
            assert caught.value.index == first.index
            assert str(caught.value) == (
                f"This key is already the p2wpkh watch-only account {first.index} ('cold') on "
                "Bitcoin; nothing was imported."
            )
        assert [a.id for a in watch.accounts("bitcoin")] == [first.id]
        # Same key as p2tr: other addresses, so another account. Another network: too.
        taproot = watch.accounts_book.import_xpub(
            "bitcoin", account.export_xpub(slip132=False), "p2tr"
        )
        assert taproot.id != first.id
        assert len(watch.accounts()) == 2
    # The wallet's own derived account counts too.
    with pytest.raises(AccountExists, match="already the p2wpkh account 0 on Bitcoin"):
        abandon_wallet.accounts_book.import_xpub("bitcoin", account.export_xpub())


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "wpkh(xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8/0/*)#aaaaaaaa",
            InvalidDescriptor,
        ),
        (
            "wsh(multi(1,xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8/0/*))",
            InvalidDescriptor,
        ),
        (
            "wpkh(xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet9/0/*)",
            InvalidDescriptor,
        ),
    ],
    ids=["bad-checksum", "multisig", "bad-key-checksum"],
)
def test_bad_descriptors(abandon_wallet: Wallet, text: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        abandon_wallet.accounts_book.import_descriptor("bitcoin", text)


def test_bad_xpubs(abandon_wallet: Wallet) -> None:
    zpub = abandon_wallet.account("bitcoin")
    assert isinstance(zpub, UtxoAccount)
    text = zpub.export_xpub()
    with pytest.raises(InvalidExtendedKey):
        abandon_wallet.accounts_book.import_xpub(
            "bitcoin", text[:-1] + ("a" if text[-1] != "a" else "b")
        )
    with pytest.raises(InvalidExtendedKey):
        abandon_wallet.accounts_book.import_xpub(
            "bitcoin-testnet", text
        )  # a mainnet zpub on testnet
    with pytest.raises(InvalidExtendedKey, match="p2wpkh"):
        abandon_wallet.accounts_book.import_xpub("bitcoin", text, kind="p2pkh")


@pytest.mark.parametrize(
    ("network", "address", "error", "names"),
    [
        ("bitcoin", "@litecoin-testnet", NetworkMismatch, "Litecoin testnet"),
        ("bitcoin", "@litecoin", NetworkMismatch, "Litecoin"),
        ("litecoin", "@dogecoin", NetworkMismatch, "Dogecoin"),
        ("ethereum", "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", NetworkMismatch, "Bitcoin"),
        ("bitcoin", "0x9858EfFD232B4033E47d90003D41EC34EcaEda94", NetworkMismatch, "EVM"),
        ("bitcoin", "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyv", InvalidAddress, "checksum"),
        ("ethereum", "0x9858eFFD232B4033E47d90003D41EC34EcaEda94", InvalidAddress, "checksum"),
        ("bitcoin", "hello", InvalidAddress, ""),
    ],
    ids=[
        "ltc-testnet",
        "ltc",
        "doge-on-ltc",
        "btc-on-eth",
        "eth-on-btc",
        "bech32-typo",
        "eip55-case",
        "garbage",
    ],
)
def test_address_errors_name_the_problem(
    abandon_wallet: Wallet, network: str, address: str, error: type[Exception], names: str
) -> None:
    if address.startswith("@"):  # an address of that network, from the wallet itself
        address = abandon_wallet.account(address[1:]).receive_address()
    with pytest.raises(error) as info:
        abandon_wallet.accounts_book.verify_address(network, address)
    assert names.lower() in str(info.value).lower()
    if isinstance(info.value, NetworkMismatch):
        assert info.value.address_networks


def test_lowercase_evm_address_is_accepted(abandon_wallet: Wallet) -> None:
    abandon_wallet.account("ethereum")
    check = abandon_wallet.accounts_book.verify_address(
        "ethereum", "0x9858effd232b4033e47d90003d41ec34ecaeda94"
    )
    assert check.address == "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"
    assert check.is_mine


@pytest.mark.parametrize(
    "path", ["m/84'/0'/x'", "m/84'/0'/2147483648'", "84'//0'", "m/84'/0'/0", "m/-1'"]
)
def test_bad_custom_paths(abandon_wallet: Wallet, path: str) -> None:
    with pytest.raises(InvalidPath):
        abandon_wallet.account("bitcoin", path=path)


def test_custom_path_account(abandon_wallet: Wallet) -> None:
    account = abandon_wallet.account("bitcoin", path="m/84'/0'/7'")
    assert account.path == "m/84'/0'/7'"
    assert abandon_wallet.account("bitcoin", path="m/84h/0h/7h").id == account.id


def test_unknown_network_and_kind(abandon_wallet: Wallet) -> None:
    with pytest.raises(UnknownNetwork, match="bitcoin"):
        abandon_wallet.account("bitcorn")
    with pytest.raises(WalletError, match="p2wpkh"):
        abandon_wallet.account("bitcoin", kind="p2wsh")
    with pytest.raises(WalletError):
        abandon_wallet.account("ethereum", kind="p2wpkh")


def test_restore_refuses_bad_phrases_and_writes_nothing(wallet_path: Path) -> None:
    with pytest.raises(InvalidMnemonic) as info:
        Wallet.restore(wallet_path, PASSWORD, ABANDON.replace("about", "abuot"))
    assert info.value.reason == "unknown-word"
    assert info.value.position == 12
    assert "about" in info.value.suggestions
    assert not wallet_path.exists()
    with pytest.raises(InvalidMnemonic) as info:
        Wallet.restore(wallet_path, PASSWORD, "abandon " * 12)
    assert info.value.reason == "checksum"
    assert not wallet_path.exists()


def test_create_refuses_an_existing_file(abandon_wallet: Wallet) -> None:
    with pytest.raises(WalletExists):
        Wallet.create(abandon_wallet.path, PASSWORD)


def test_passphrase_changes_every_key(tmp_path: Path) -> None:
    with (
        Wallet.create(tmp_path / "a", PASSWORD, ABANDON) as plain,
        Wallet.create(tmp_path / "b", PASSWORD, ABANDON, passphrase="TREZOR") as hidden,
    ):
        assert plain.fingerprint != hidden.fingerprint
        assert (
            plain.account("bitcoin").receive_address()
            != hidden.account("bitcoin").receive_address()
        )


def test_reveal_and_backup_check(abandon_wallet: Wallet) -> None:
    assert abandon_wallet.reveal_mnemonic(PASSWORD) == ABANDON
    assert abandon_wallet.check_backup_words({1: "abandon", 12: "about"})
    assert not abandon_wallet.check_backup_words({12: "abandon"})


def test_labels(abandon_wallet: Wallet) -> None:
    address = abandon_wallet.account("bitcoin").receive_address()
    abandon_wallet.labels.set("addr", address, "rent")
    assert abandon_wallet.labels.get("addr", address) == "rent"
    abandon_wallet.labels.set("addr", address, "")
    assert abandon_wallet.labels.get("addr", address) == ""
    with pytest.raises(WalletError, match="Label types"):
        abandon_wallet.labels.set("car", address, "x")


def test_amounts_are_exact_and_floats_refused() -> None:
    assert to_base_units(Decimal("0.00000001"), 8) == 1
    assert to_base_units("1.5", 18) == 1_500_000_000_000_000_000
    assert to_base_units(2, 8) == 2  # an int counts base units (DESIGN.md's API)
    assert to_base_units(Decimal(2), 8) == 200_000_000
    with pytest.raises(InvalidAmount):
        to_base_units(-1, 8)
    with pytest.raises(InvalidAmount):
        to_base_units(True, 8)  # type: ignore[arg-type]
    with pytest.raises(FloatAmountError):
        to_base_units(0.1, 8)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        to_base_units(0.1, 8)  # type: ignore[arg-type]
    with pytest.raises(AmountPrecisionError, match="8 decimal places"):
        to_base_units("0.000000001", 8, "BTC")


def test_registry_evm_networks_have_chain_ids() -> None:
    evm = [n for n in all_networks() if isinstance(n, EvmNetwork)]
    assert {n.name: n.chain_id for n in evm}["evm-local"] == 31337
    assert len({n.chain_id for n in evm}) == len(evm)


def test_explorer_key_is_a_wallet_setting(abandon_wallet: Wallet) -> None:
    from chains.registry import get_network
    from wallet.errors import WalletError
    from wallet.evm.settings import explorer_key

    ethereum = get_network("ethereum")
    abandon_wallet.settings.set_explorer_key("ethereum", " KEY123 ")
    assert explorer_key(abandon_wallet.database, ethereum) == "KEY123"  # type: ignore[arg-type]
    with pytest.raises(WalletError, match="not an EVM network"):
        abandon_wallet.settings.set_explorer_key("bitcoin", "KEY123")
    with pytest.raises(WalletError, match="one word"):
        abandon_wallet.settings.set_explorer_key("ethereum", "two words")
    assert explorer_key(abandon_wallet.database, ethereum) == "KEY123"  # type: ignore[arg-type]
    abandon_wallet.settings.set_explorer_key("ethereum", None)
    assert explorer_key(abandon_wallet.database, ethereum) is None  # type: ignore[arg-type]


def test_max_fee_share_is_a_wallet_setting(abandon_wallet: Wallet) -> None:
    from wallet.utxo.fees import DEFAULT_MAX_FEE_SHARE, load_policy

    abandon_wallet.settings.set_max_fee_share(Decimal("0.05"))
    assert load_policy(abandon_wallet.database).max_share == Decimal("0.05")
    with pytest.raises(InvalidAmount):
        abandon_wallet.settings.set_max_fee_share("2")
    with pytest.raises(FloatAmountError):
        abandon_wallet.settings.set_max_fee_share(0.05)  # type: ignore[arg-type]
    assert load_policy(abandon_wallet.database).max_share == Decimal("0.05")
    abandon_wallet.settings.set_max_fee_share(None)
    assert load_policy(abandon_wallet.database).max_share == DEFAULT_MAX_FEE_SHARE
