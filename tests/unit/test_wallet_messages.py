"""``Wallet.messages``: sign and verify every format on real accounts, import key files, and
the web3.py local account; bad input refused with one clear error and nothing changed."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct, encode_typed_data

from chains.evm.embedded import EmbeddedBackend
from chains.registry import EvmNetwork, get_network
from keystore.types import MessageFormat, MessageRequest, TxSummary
from tests.conftest import PASSWORD
from tests.unit.test_eip712 import MAIL, NESTED
from wallet import EvmAccount, UtxoAccount, Wallet
from wallet.errors import (
    AccountExists,
    InvalidAddress,
    InvalidKeyFile,
    InvalidSignature,
    InvalidTypedData,
    SigningCancelled,
    SigningRefused,
    WalletError,
    WrongKeyFilePassword,
)

KEY = bytes.fromhex("4646464646464646464646464646464646464646464646464646464646464646")
KEY_ADDRESS = Account.from_key(KEY).address


class Answer:
    """A prompt that records the messages it was shown."""

    def __init__(self, yes: bool) -> None:
        self.yes = yes
        self.shown: list[MessageRequest] = []
        self.summaries: list[TxSummary] = []

    def confirm_transaction(self, summary: TxSummary) -> bool:
        self.summaries.append(summary)
        return self.yes

    def confirm_message(self, request: MessageRequest) -> bool:
        self.shown.append(request)
        return self.yes


def _utxo(w: Wallet, network: str, kind: str) -> UtxoAccount:
    account = w.account(network, kind=kind)
    assert isinstance(account, UtxoAccount)
    return account


@pytest.mark.parametrize(
    ("kind", "fmt", "default"),
    [
        ("p2wpkh", "bip322-simple", True),
        ("p2wpkh", "bip322-full", False),
        ("p2wpkh", "bip137", False),
        ("p2wpkh", "electrum", False),
        ("p2tr", "bip322-simple", True),
        ("p2tr", "bip322-full", False),
        ("p2sh-p2wpkh", "bip322-simple", True),
        ("p2sh-p2wpkh", "bip137", False),
        ("p2pkh", "bip137", True),
        ("p2pkh", "bip322-full", False),
    ],
)
def test_sign_and_verify_every_bitcoin_format(
    abandon_wallet: Wallet, kind: str, fmt: str, default: bool
) -> None:
    w = abandon_wallet
    account = _utxo(w, "bitcoin", kind)
    address = account.addresses(3)[2].address
    signed = w.messages.sign(account, "Coffer ✓", address=address, format=None if default else fmt)
    assert signed.format is MessageFormat(fmt)
    assert signed.address == address
    check = w.messages.verify("bitcoin", address, "Coffer ✓", signed.text)
    assert check.format is MessageFormat(fmt)
    assert check.address == address
    with pytest.raises(InvalidSignature, match="another message or another address"):
        w.messages.verify("bitcoin", address, "Coffer", signed.text)
    other = account.addresses(3)[1].address
    with pytest.raises(InvalidSignature, match="another message or another address"):
        w.messages.verify("bitcoin", other, "Coffer ✓", signed.text)


def test_litecoin_legacy_signatures_use_litecoins_magic(abandon_wallet: Wallet) -> None:
    w = abandon_wallet
    ltc = _utxo(w, "litecoin", "p2pkh")
    signed = w.messages.sign(ltc, "hello")
    assert w.messages.verify("litecoin", ltc.receive_address(), "hello", signed.text).format is (
        MessageFormat.BIP137
    )
    btc = _utxo(w, "bitcoin", "p2pkh")
    btc_signed = w.messages.sign(btc, "hello")
    assert btc_signed.signature[1:] != signed.signature[1:]  # another magic, another digest


def test_refusals_on_bitcoin(abandon_wallet: Wallet) -> None:
    w = abandon_wallet
    taproot = _utxo(w, "bitcoin", "p2tr")
    with pytest.raises(SigningRefused, match="use BIP-322"):
        w.messages.sign(taproot, "x", format="bip137")
    with pytest.raises(SigningRefused, match="no simple BIP-322"):
        w.messages.sign(_utxo(w, "bitcoin", "p2pkh"), "x", format="bip322-simple")
    with pytest.raises(SigningRefused, match="eip191"):
        w.messages.sign(taproot, "x", format="eip191")
    with pytest.raises(WalletError, match="not a message format"):
        w.messages.sign(taproot, "x", format="pgp")
    with pytest.raises(WalletError, match="not an address of this account"):
        w.messages.sign(taproot, "x", address=_utxo(w, "bitcoin", "p2wpkh").receive_address())
    with pytest.raises(InvalidSignature, match="not base64"):
        w.messages.verify("bitcoin", taproot.receive_address(), "x", "%%%")
    with pytest.raises(InvalidAddress):
        w.messages.verify("bitcoin", "bc1qnotanaddress", "x", "AAAA")
    no = Answer(False)
    with pytest.raises(SigningCancelled):
        w.messages.sign(taproot, "x", prompt=no)
    assert [r.message for r in no.shown] == [b"x"]


def _evm(w: Wallet) -> EvmAccount:
    account = w.account("ethereum")
    assert isinstance(account, EvmAccount)
    return account


def test_evm_messages_byte_identical_to_eth_account(abandon_wallet: Wallet) -> None:
    w = abandon_wallet
    account = _evm(w)
    key = w.signer()._root.derive_path(account.key_path_indexes or ()).private_key
    assert Account.from_key(key).address == account.address
    signed = w.messages.sign(account, "hello")
    assert signed.signature == bytes(
        Account.sign_message(encode_defunct(text="hello"), key).signature
    )
    typed = w.messages.sign(account, json.dumps(NESTED), format="eip712")
    theirs = Account.sign_message(encode_typed_data(full_message=copy.deepcopy(NESTED)), key)
    assert typed.signature == bytes(theirs.signature)
    assert w.messages.verify("ethereum", account.address, "hello", signed.text).format is (
        MessageFormat.EIP191
    )
    assert w.messages.verify("ethereum", account.address, NESTED, typed.text).format is (
        MessageFormat.EIP712
    )
    with pytest.raises(InvalidSignature, match="another message or another address"):
        w.messages.verify("ethereum", KEY_ADDRESS, "hello", signed.text)
    with pytest.raises(InvalidSignature, match="65 bytes"):
        w.messages.verify("ethereum", account.address, "hello", "0x1234")


def test_malformed_typed_data_is_refused_before_the_signer(abandon_wallet: Wallet) -> None:
    w = abandon_wallet
    account = _evm(w)
    broken: dict[str, Any] = copy.deepcopy(MAIL)
    del broken["message"]["to"]
    prompt = Answer(True)
    with pytest.raises(InvalidTypedData, match=r"message.to is missing"):
        w.messages.sign(account, broken, format="eip712", prompt=prompt)
    with pytest.raises(InvalidTypedData, match="not JSON"):
        w.messages.sign(account, "{", format="eip712", prompt=prompt)
    assert prompt.shown == []
    other_chain = copy.deepcopy(MAIL)
    other_chain["domain"]["chainId"] = 137
    with pytest.raises(SigningRefused, match="chain id 137"):
        w.messages.sign(account, other_chain, format="eip712")
    with pytest.raises(InvalidTypedData, match="not JSON"):
        w.messages.verify("ethereum", account.address, "{", "0x" + "00" * 65, format="eip712")


def _keyfile(tmp_path: Path, kdf: str = "scrypt") -> Path:
    path = tmp_path / "UTC--key.json"
    document = Account.encrypt(
        KEY, "file password", kdf=kdf, iterations=2 if kdf == "scrypt" else 1000
    )
    path.write_text(json.dumps(document))
    return path


@pytest.mark.parametrize("kdf", ["scrypt", "pbkdf2"])
def test_import_keystore_signs_and_survives_a_password_change(
    wallet_path: Path, tmp_path: Path, kdf: str
) -> None:
    keyfile = _keyfile(tmp_path, kdf)
    with Wallet.create(wallet_path, PASSWORD, None) as w:
        account = w.messages.import_keystore("ethereum", keyfile, "file password", "geth key")
        assert account.address == KEY_ADDRESS
        assert not account.watch_only
        assert account.label == "geth key"
        with pytest.raises(AccountExists):
            w.messages.import_keystore("ethereum", keyfile, "file password")
        w.change_password(PASSWORD, PASSWORD + " 2")
    raw = wallet_path.read_bytes()
    assert KEY not in raw
    assert KEY.hex().encode() not in raw
    with Wallet.open(wallet_path, PASSWORD + " 2") as w:
        imported = next(a for a in w.accounts("ethereum") if a.label == "geth key")
        signed = w.messages.sign(imported, "hi")
        theirs = Account.sign_message(encode_defunct(text="hi"), KEY)
        assert signed.signature == bytes(theirs.signature)


def test_import_keystore_bad_input_changes_nothing(wallet_path: Path, tmp_path: Path) -> None:
    keyfile = _keyfile(tmp_path)
    with Wallet.create(wallet_path, PASSWORD, None) as w:
        before = w.accounts()
        with pytest.raises(WrongKeyFilePassword, match="password does not open this key file"):
            w.messages.import_keystore("ethereum", keyfile, "wrong")
        document = json.loads(keyfile.read_text())
        document["crypto"]["kdfparams"]["n"] = 3
        with pytest.raises(InvalidKeyFile, match="power of two"):
            w.messages.import_keystore("ethereum", json.dumps(document), "file password")
        document["crypto"]["kdf"] = "bcrypt"
        with pytest.raises(InvalidKeyFile, match="not scrypt or pbkdf2"):
            w.messages.import_keystore("ethereum", json.dumps(document).encode(), "file password")
        with pytest.raises(InvalidKeyFile, match="cannot be read"):
            w.messages.import_keystore("ethereum", tmp_path / "missing.json", "file password")
        with pytest.raises(WalletError, match="not an EVM network"):
            w.messages.import_keystore("bitcoin", keyfile, "file password")
        assert w.accounts() == before


def test_web3_local_account_signs_like_eth_account(abandon_wallet: Wallet, tmp_path: Path) -> None:
    w = abandon_wallet
    account = w.messages.import_keystore("ethereum", _keyfile(tmp_path), "file password")
    prompt = Answer(True)
    local = w.messages.local_account(account, prompt)
    assert local.address == KEY_ADDRESS
    for tx in (
        {
            "from": KEY_ADDRESS,
            "to": "0x3535353535353535353535353535353535353535",
            "value": 10**16,
            "gas": 50_000,
            "maxFeePerGas": 3 * 10**10,
            "maxPriorityFeePerGas": 10**9,
            "nonce": 4,
            "chainId": 1,
            "data": "0xa9059cbb" + "00" * 64,
            "type": 2,
        },
        {
            "to": KEY_ADDRESS,
            "value": "0x10",
            "gas": 21000,
            "gasPrice": 10**9,
            "nonce": 0,
            "chainId": 1,
        },
        {
            "to": KEY_ADDRESS,
            "value": 0,
            "gas": 30000,
            "gasPrice": 10**9,
            "nonce": 1,
            "chainId": 1,
            "accessList": [{"address": KEY_ADDRESS, "storageKeys": ["0x" + "00" * 32]}],
            "type": 1,
        },
    ):
        ours = local.sign_transaction(tx)
        theirs = Account.sign_transaction(tx, KEY)
        assert ours.raw_transaction == bytes(theirs.raw_transaction)
        assert ours.hash == bytes(theirs.hash)
        assert (ours.r, ours.s, ours.v) == (theirs.r, theirs.s, theirs.v)
    assert len(prompt.summaries) == 3
    message = local.sign_message(encode_defunct(text="gm"))
    theirs_message = Account.sign_message(encode_defunct(text="gm"), KEY)
    assert message.signature == bytes(theirs_message.signature)
    assert message.message_hash == bytes(theirs_message.message_hash)
    typed = local.sign_typed_data(
        MAIL["domain"],
        {k: v for k, v in MAIL["types"].items() if k != "EIP712Domain"},
        MAIL["message"],
    )
    assert typed.signature == bytes(Account.sign_typed_data(KEY, full_message=MAIL).signature)
    with pytest.raises(SigningRefused, match="chain id"):
        local.sign_transaction(
            {"to": KEY_ADDRESS, "value": 0, "gas": 21000, "gasPrice": 1, "nonce": 0, "chainId": 5}
        )
    with pytest.raises(WalletError, match="from"):
        local.sign_transaction(
            {
                "from": "0x3535353535353535353535353535353535353535",
                "to": KEY_ADDRESS,
                "gas": 1,
                "gasPrice": 1,
                "nonce": 0,
                "chainId": 1,
            }
        )
    with pytest.raises(SigningRefused, match="bare hash"):
        local.unsafe_sign_hash(b"\x00" * 32)
    with pytest.raises(WalletError, match="personal_sign"):
        local.sign_message(encode_typed_data(full_message=MAIL))


def test_an_imported_key_sends_through_the_usual_draft(wallet_path: Path, tmp_path: Path) -> None:
    """Signing a draft of an imported account uses its key (the embedded devnet accepts it)."""
    embedded = get_network("evm-embedded")
    assert isinstance(embedded, EvmNetwork)
    chain = EmbeddedBackend(embedded)
    with Wallet.create(wallet_path, PASSWORD, None) as w:
        w.backends.use("evm-embedded", chain)
        account = w.messages.import_keystore("evm-embedded", _keyfile(tmp_path), "file password")
        chain.fund(account.address, 10**18)
        account.sync()
        draft = account.prepare_send("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0.1")
        signed = w.sign(draft)
        assert account.broadcast(signed) == signed.txid
        account.sync()
        assert account.balance().confirmed < 10**18 - 10**17
