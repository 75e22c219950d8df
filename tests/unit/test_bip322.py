"""BIP-322: the BIP's vectors (message hashes, to_spend / to_sign ids, byte-identical P2WPKH
signatures), the published P2TR and P2SH-P2WPKH signatures, and the hot signer's own
signatures of every single-key kind in both forms, checked here and by libbitcoinkernel."""

from __future__ import annotations

import base64

import pytest

from chains.utxo.kernel import verify_transaction
from keystore.bip32 import ExtendedPrivateKey
from keystore.errors import SigningRefused
from keystore.signers.base import SigningContext
from keystore.signers.hot import HotSigner
from keystore.signers.message_signer import sign_message_with_key
from keystore.types import MessageFormat, MessageRequest, UtxoParams
from primitives.base58 import b58check_decode
from primitives.bip322 import (
    Bip322Error,
    Bip322Form,
    message_hash,
    to_sign,
    to_spend,
    verify_bip322,
)
from primitives.script import KeyScriptKind, address_to_script, key_script, script_to_address
from primitives.secp256k1 import pubkey_from_secret

BTC = UtxoParams("bitcoin", "Bitcoin", "BTC", 8, 0, "bc", 0, 5)
WIF = "L3VFeEujGtevx9w18HD1fhRbCH67Az2dpCymeRE1SoPK6XQtaN2k"
SECRET = b58check_decode(WIF)[1:33]
P2WPKH = "bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l"
P2TR = "bc1ppv609nr0vr25u07u95waq5lucwfm6tde4nydujnu8npg4q75mr5sxq8lt3"
EMPTY_SIG = (
    "AkcwRAIgM2gBAQqvZX15ZiysmKmQpDrG83avLIT492QBzLnQIxYCIBaTpOaD20qRlEylyxFSeEA2ba9YOixpX8z46TSD"
    "tS40ASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI="
)
HELLO_SIG = (
    "AkcwRAIgZRfIY3p7/DoVTty6YZbWS71bc5Vct9p9Fia83eRmw2QCICK/ENGfwLtptFluMGs2KsqoNSk89pO7F29zJLUx"
    "9a/sASECx/EgAxlkQpQ9hYjgGu6EBCPMVPwVIVJqO4XCsMvViHI="
)
HELLO_SIG_HIGH_R = (
    "AkgwRQIhAOzyynlqt93lOKJr+wmmxIens//zPzl9tqIOua93wO6MAiBi5n5EyAcPScOjf1lAqIUIQtr3zKNeavYabHyR"
    "8eGhowEhAsfxIAMZZEKUPYWI4BruhAQjzFT8FSFSajuFwrDL1Yhy"
)
P2TR_SIG = (
    "AUHd69PrJQEv+oKTfZ8l+WROBHuy9HKrbFCJu7U1iK2iiEy1vMU5EfMtjc+VSHM7aU0SDbak5IUZRVno2P5mjSafAQ=="
)
P2SH_ADDRESS = "3HSVzEhCFuH9Z3wvoWTexy7BMVVp3PjS6f"
P2SH_SIG = (
    "AkgwRQIhAMd2wZSY3x0V9Kr/NClochoTXcgDaGl3OObOR17yx3QQAiBVWxqNSS+CKen7bmJTG6YfJjsggQ4Fa2RHKgBK"
    "rdQQ+gEhAxa5UDdQCHSQHfKQv14ybcYm1C9y6b12xAuukWzSnS+w"
)
ROOT = ExtendedPrivateKey.from_seed(bytes(range(32)))


def test_message_hashes_of_the_bip() -> None:
    assert message_hash(b"").hex() == (
        "c90c269c4f8fcbe6880f72a721ddfbf1914268a794cbb21cfafee13770ae19f1"
    )
    assert message_hash(b"Hello World").hex() == (
        "f0eb03b1a75ac6d9847f55c624a99169b5dccba2a31f5b23bea77ba270de0a7a"
    )


@pytest.mark.parametrize(
    ("message", "spend_id", "sign_id"),
    [
        (
            b"",
            "c5680aa69bb8d860bf82d4e9cd3504b55dde018de765a91bb566283c545a99a7",
            "1e9654e951a5ba44c8604c4de6c67fd78a27e81dcadcfe1edf638ba3aaebaed6",
        ),
        (
            b"Hello World",
            "b79d196740ad5217771c1098fc4a4b51e0535c32236c71f1ea4d61a2d603352b",
            "88737ae86f2077145f93cc4b153ae9a1cb8d56afa511988c149c5c8c9d93bddf",
        ),
    ],
)
def test_transaction_ids_of_the_bip(message: bytes, spend_id: str, sign_id: str) -> None:
    spend = to_spend(address_to_script(P2WPKH, BTC), message)
    assert spend.txid == spend_id
    assert to_sign(spend).txid == sign_id


@pytest.mark.parametrize(("message", "expected"), [(b"", EMPTY_SIG), (b"Hello World", HELLO_SIG)])
def test_p2wpkh_signatures_of_the_bip_byte_identical(message: bytes, expected: str) -> None:
    request = MessageRequest(MessageFormat.BIP322_SIMPLE, message, (), P2WPKH, "bitcoin")
    signed = sign_message_with_key(SECRET, request, SigningContext(BTC, ()))
    assert signed.text == expected
    assert verify_bip322(address_to_script(P2WPKH, BTC), message, expected).form is (
        Bip322Form.SIMPLE
    )


@pytest.mark.parametrize(
    ("address", "signature"),
    [(P2WPKH, HELLO_SIG_HIGH_R), (P2TR, P2TR_SIG), (P2SH_ADDRESS, P2SH_SIG)],
    ids=["p2wpkh-high-r", "p2tr", "p2sh-p2wpkh"],
)
def test_published_signatures_verify_and_fail_for_another_message(
    address: str, signature: str
) -> None:
    challenge = address_to_script(address, BTC)
    proof = verify_bip322(challenge, b"Hello World", signature)
    verify_transaction(proof.to_sign, [proof.to_spend.outputs[0]])
    with pytest.raises(Bip322Error, match="another message or another address"):
        verify_bip322(challenge, b"Hello World!", signature)


def test_signature_for_another_address_is_refused() -> None:
    other = address_to_script(P2TR, BTC)
    with pytest.raises(Bip322Error, match="another message or another address"):
        verify_bip322(other, b"Hello World", HELLO_SIG)


@pytest.mark.parametrize("kind", list(KeyScriptKind))
@pytest.mark.parametrize("form", [MessageFormat.BIP322_SIMPLE, MessageFormat.BIP322_FULL])
def test_hot_signer_signs_every_kind_and_kernel_agrees(
    kind: KeyScriptKind, form: MessageFormat
) -> None:
    path = (86 | 1 << 31, 1 << 31, 1 << 31, 0, 7)
    pubkey = pubkey_from_secret(ROOT.derive_path(path).private_key)
    address = script_to_address(key_script(kind, pubkey), BTC)
    request = MessageRequest(form, "Ünïcode ✓".encode(), path, address, "bitcoin")
    if kind is KeyScriptKind.P2PKH and form is MessageFormat.BIP322_SIMPLE:
        with pytest.raises(SigningRefused, match="no simple BIP-322 signature"):
            HotSigner(ROOT).sign_message(request, SigningContext(BTC, ()))
        return
    signed = HotSigner(ROOT).sign_message(request, SigningContext(BTC, ()))
    assert base64.b64decode(signed.text) == signed.signature
    challenge = key_script(kind, pubkey)
    proof = verify_bip322(challenge, request.message, signed.text)
    assert proof.form is (
        Bip322Form.SIMPLE if form is MessageFormat.BIP322_SIMPLE else Bip322Form.FULL
    )
    verify_transaction(proof.to_sign, [proof.to_spend.outputs[0]])
    with pytest.raises(Bip322Error, match="another message or another address"):
        verify_bip322(challenge, b"other", signed.text)


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        ("not base64!", "not base64"),
        (base64.b64encode(b"\x05\x01").decode(), "cut short|not a witness stack"),
        (base64.b64encode(b"\x00\x00").decode(), "bytes after its witness stack"),
        (base64.b64encode(b"\x00").decode(), "another message or another address"),
    ],
)
def test_malformed_signatures_are_refused(signature: str, reason: str) -> None:
    with pytest.raises(Bip322Error, match=reason):
        verify_bip322(address_to_script(P2WPKH, BTC), b"Hello World", signature)
