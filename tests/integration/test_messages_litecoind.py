"""Legacy message signatures against Litecoin Core (``signmessage`` / ``verifymessage``).

Core signs and verifies P2PKH only (its ``verifymessage`` refuses other addresses), so these
runs use a P2PKH account on litecoin-regtest: Core verifies what Coffer signs, Coffer
verifies what Core's wallet signs, and for the same key both produce the same signature
(RFC 6979), with Litecoin's own ``signmessage`` magic.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from keystore.bip32 import ExtendedPrivateKey, parse_path
from keystore.mnemonic import parse_mnemonic
from primitives.base58 import b58check_encode
from tests.conftest import ABANDON, PASSWORD
from tests.nodes.utxo import LitecoinNode
from wallet import UtxoAccount, Wallet
from wallet.errors import InvalidSignature

MESSAGE = "Coffer and Litecoin Core agree ✓"


@pytest.fixture
def p2pkh(tmp_path: Path) -> tuple[Wallet, UtxoAccount]:
    w = Wallet.restore(tmp_path / "w.coffer", PASSWORD, ABANDON)
    account = w.account("litecoin-regtest", kind="p2pkh")
    assert isinstance(account, UtxoAccount)
    return w, account


def test_core_verifies_coffers_signature_and_signs_the_same(
    litecoind: LitecoinNode, p2pkh: tuple[Wallet, UtxoAccount]
) -> None:
    w, account = p2pkh
    try:
        info = account.addresses(1)[0]
        signed = w.messages.sign(account, MESSAGE)
        assert signed.address == info.address
        assert litecoind.rpc("verifymessage", info.address, signed.text, MESSAGE, wallet=None)
        assert not litecoind.rpc(
            "verifymessage", info.address, signed.text, MESSAGE + ".", wallet=None
        )
        assert info.path is not None
        root = ExtendedPrivateKey.from_seed(parse_mnemonic(ABANDON).to_seed().reveal())
        secret = root.derive_path(parse_path(info.path)).private_key
        wif = b58check_encode(bytes([account.utxo_network.wif_version]) + secret + b"\x01")
        core = litecoind.rpc("signmessagewithprivkey", wif, MESSAGE, wallet=None)
        assert core == signed.text
    finally:
        w.close()


def test_coffer_verifies_cores_wallet_signature(
    litecoind: LitecoinNode, p2pkh: tuple[Wallet, UtxoAccount]
) -> None:
    w, _account = p2pkh
    try:
        address = litecoind.rpc("getnewaddress", "", "legacy")
        signature = litecoind.rpc("signmessage", address, MESSAGE)
        check = w.messages.verify("litecoin-regtest", address, MESSAGE, signature)
        assert (check.address, check.format.value) == (address, "bip137")
        with pytest.raises(InvalidSignature, match="another message or another address"):
            w.messages.verify("litecoin-regtest", address, MESSAGE + ".", signature)
    finally:
        w.close()
