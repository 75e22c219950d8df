"""Message signing through the Signer protocol: BIP-137 / Electrum ``signmessage`` and EIP-191.

Vectors: Bitcoin Core's ``rpc_signmessage.py`` (a P2PKH signature Core made with its
deterministic RFC 6979 nonce), bitcoinlib's doctest (an Electrum-style segwit signature),
and eth-account for EIP-191 (byte-identical signatures).
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from keystore.bip32 import ExtendedPrivateKey
from keystore.errors import SigningCancelled, SigningRefused
from keystore.signers.base import Capability, Signer, SigningContext
from keystore.signers.hot import HotSigner
from keystore.signers.message_signer import sign_message_with_key
from keystore.types import (
    EvmParams,
    MessageFormat,
    MessageRequest,
    MessageSignature,
    TxSummary,
    UtxoParams,
)
from primitives.base58 import b58check_decode
from primitives.script import KeyScriptKind, key_script, script_to_address
from primitives.secp256k1 import pubkey_from_secret
from primitives.signmessage import (
    LegacyFormat,
    SignMessageError,
    recover_eip191,
    verify_signmessage,
)

BTC = UtxoParams("bitcoin", "Bitcoin", "BTC", 8, 0, "bc", 0, 5)
BTC_TEST = UtxoParams("bitcoin-testnet", "Bitcoin testnet", "tBTC", 8, 1, "tb", 111, 196)
ETH = EvmParams("ethereum", "Ethereum", "ETH", 1)
ROOT = ExtendedPrivateKey.from_seed(bytes(range(32)))
CORE_WIF = "cUeKHd5orzT3mz8P9pxyREHfsWtVfgsfDjiZZBcjUBAaGk1BTj7N"
CORE_ADDRESS = "mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB"
CORE_MESSAGE = b"This is just a test message"
CORE_SIGNATURE = (
    "INbVnW4e6PeRmsv2Qgu8NuopvrVjkcxob+sX8OcZG0SALhWybUjzMLPdAsXI46YZGb0KQTRii+wWIQzRpG/U+S0="
)


class Answer:
    """A prompt that records what it was shown and answers as told."""

    def __init__(self, yes: bool) -> None:
        self.yes = yes
        self.shown: list[MessageRequest] = []

    def confirm_transaction(self, summary: TxSummary) -> bool:
        raise AssertionError("a message is not a transaction")

    def confirm_message(self, request: MessageRequest) -> bool:
        self.shown.append(request)
        return self.yes


def _address(kind: KeyScriptKind, path: tuple[int, ...], net: UtxoParams = BTC) -> str:
    pubkey = ROOT.derive_path(path).private_key
    return script_to_address(key_script(kind, pubkey_from_secret(pubkey)), net)


def _sign(fmt: MessageFormat, address: str, path: tuple[int, ...], **kw: Any) -> MessageSignature:
    net = kw.pop("net", BTC)
    request = MessageRequest(fmt, kw.pop("message", b"hello"), path, address, net.name)
    return HotSigner(ROOT).sign_message(request, SigningContext(net, (), **kw))


def test_hot_signer_declares_and_implements_message_signing() -> None:
    signer = HotSigner(ROOT)
    assert isinstance(signer, Signer)
    assert Capability.MESSAGE_SIGNING in signer.info.capabilities


def test_core_vector_byte_identical() -> None:
    secret = b58check_decode(CORE_WIF)[1:33]
    request = MessageRequest(MessageFormat.BIP137, CORE_MESSAGE, (), CORE_ADDRESS, BTC_TEST.name)
    signed = sign_message_with_key(secret, request, SigningContext(BTC_TEST, ()))
    assert signed.text == CORE_SIGNATURE
    assert verify_signmessage(CORE_ADDRESS, CORE_MESSAGE, CORE_SIGNATURE, BTC_TEST) is (
        LegacyFormat.BIP137
    )


def test_electrum_style_segwit_vector_verifies() -> None:
    sig = "IBqszVUdhXkJnZpcoQh+EyEZicOQP0fZ2z/Rzw4Xa+YgCXtsOYSR1RvAYAeejCkEW6iQZ9e5j8AqSH2zxvshZPM="
    address = "bc1q7wdttvkuypq3p2ww7cfzgzzs659jehhgvsfnnn"
    assert verify_signmessage(address, b"this is a unittest", sig, BTC) is LegacyFormat.ELECTRUM
    with pytest.raises(SignMessageError, match="another message or another address"):
        verify_signmessage(address, b"this is a unittest!", sig, BTC)


@pytest.mark.parametrize(
    ("kind", "first"),
    [(KeyScriptKind.P2PKH, 31), (KeyScriptKind.P2SH_P2WPKH, 35), (KeyScriptKind.P2WPKH, 39)],
)
def test_bip137_headers_and_electrum_variant(kind: KeyScriptKind, first: int) -> None:
    path = (84 | 1 << 31, 1 << 31, 1 << 31, 0, 3)
    address = _address(kind, path)
    bip137 = _sign(MessageFormat.BIP137, address, path)
    electrum = _sign(MessageFormat.ELECTRUM, address, path)
    assert first <= bip137.signature[0] < first + 4
    assert 31 <= electrum.signature[0] < 35
    assert bip137.signature[1:] == electrum.signature[1:]
    assert base64.b64decode(bip137.text) == bip137.signature
    assert verify_signmessage(address, b"hello", bip137.text, BTC) is LegacyFormat.BIP137
    expected = LegacyFormat.BIP137 if kind is KeyScriptKind.P2PKH else LegacyFormat.ELECTRUM
    assert verify_signmessage(address, b"hello", electrum.text, BTC) is expected


def test_signature_for_another_address_or_message_is_refused() -> None:
    path = (0,)
    address = _address(KeyScriptKind.P2WPKH, path)
    other = _address(KeyScriptKind.P2WPKH, (1,))
    signed = _sign(MessageFormat.BIP137, address, path)
    with pytest.raises(SignMessageError, match="another message or another address"):
        verify_signmessage(other, b"hello", signed.text, BTC)
    with pytest.raises(SignMessageError, match="another message or another address"):
        verify_signmessage(address, b"hello!", signed.text, BTC)
    with pytest.raises(SignMessageError, match="base64"):
        verify_signmessage(address, b"hello", "not base64!", BTC)
    with pytest.raises(SignMessageError, match="65 bytes"):
        verify_signmessage(address, b"hello", "AAAA", BTC)


def test_signer_refuses_an_address_that_is_not_the_keys() -> None:
    other = _address(KeyScriptKind.P2WPKH, (1,))
    with pytest.raises(SigningRefused, match="not the key of"):
        _sign(MessageFormat.BIP137, other, (0,))
    with pytest.raises(SigningRefused, match="not a Bitcoin address"):
        _sign(MessageFormat.BIP137, "mpLQjfK79b7CCV4VMJWEWAj5Mpx8Up5zxB", (0,))


def test_signer_refuses_legacy_for_taproot_another_network_and_family() -> None:
    path = (0,)
    taproot = _address(KeyScriptKind.P2TR, path)
    with pytest.raises(SigningRefused, match="use BIP-322"):
        _sign(MessageFormat.BIP137, taproot, path)
    address = _address(KeyScriptKind.P2WPKH, path)
    request = MessageRequest(MessageFormat.BIP137, b"x", path, address, "litecoin")
    with pytest.raises(SigningRefused, match="for litecoin"):
        HotSigner(ROOT).sign_message(request, SigningContext(BTC, ()))
    with pytest.raises(SigningRefused, match="eip191"):
        _sign(MessageFormat.EIP191, address, path)


def test_prompt_is_asked_and_a_no_cancels() -> None:
    path = (0,)
    address = _address(KeyScriptKind.P2WPKH, path)
    no = Answer(False)
    with pytest.raises(SigningCancelled):
        _sign(MessageFormat.BIP137, address, path, prompt=no)
    assert [r.message for r in no.shown] == [b"hello"]
    refused = Answer(True)
    with pytest.raises(SigningRefused):
        _sign(MessageFormat.BIP137, _address(KeyScriptKind.P2WPKH, (1,)), path, prompt=refused)
    assert refused.shown == []  # refused before any prompt


def _evm_address(path: tuple[int, ...]) -> str:
    return str(Account.from_key(ROOT.derive_path(path).private_key).address)


@pytest.mark.parametrize("message", [b"", b"hello", "héllo ✓".encode(), bytes(range(256))])
def test_eip191_byte_identical_to_eth_account(message: bytes) -> None:
    path = (44 | 1 << 31, 60 | 1 << 31, 1 << 31, 0, 0)
    address = _evm_address(path)
    signed = _sign(MessageFormat.EIP191, address, path, net=ETH, message=message)
    theirs = Account.sign_message(
        encode_defunct(primitive=message), ROOT.derive_path(path).private_key
    )
    assert signed.signature == bytes(theirs.signature)
    assert signed.text == "0x" + bytes(theirs.signature).hex()
    assert recover_eip191(message, signed.signature) == address


def test_eip191_wrong_address_refused() -> None:
    path = (44 | 1 << 31, 60 | 1 << 31, 1 << 31, 0, 0)
    with pytest.raises(SigningRefused, match="not the key of"):
        _sign(MessageFormat.EIP191, _evm_address((1,)), path, net=ETH)
