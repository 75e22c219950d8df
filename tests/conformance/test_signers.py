"""The conformance suite (``suite.SignerConformance``) for the hot and air-gapped signers,
and the imported-key signer's refusals of what it cannot do."""

from __future__ import annotations

import pytest

from keystore.bip32 import HARDENED
from keystore.errors import SigningRefused as KeystoreSigningRefused
from keystore.secrets import SecretBytes
from keystore.signers.airgap import AirGapRequest, AirGapSigner
from keystore.signers.base import Capability, Signer, UnsupportedCapability
from keystore.signers.key_signer import KeySigner
from keystore.types import EvmParams
from tests.conformance.suite import PARAMS, PATH, InProcessExchange, Pair, SignerConformance
from wallet.errors import SigningRefused


class TestHotSigner(SignerConformance):
    @pytest.fixture
    def signer(self, pair: Pair) -> Signer:
        return pair.hot.signer()


class TestAirGapSigner(SignerConformance):
    @pytest.fixture
    def signer(self, pair: Pair) -> Signer:
        export = pair.hot.signer().export_account(PARAMS, PATH, "p2wpkh")
        return AirGapSigner(InProcessExchange(pair.hot), [export])

    def test_a_response_of_another_transaction_is_refused(self, pair: Pair) -> None:
        other = pair.hot.sign_psbt(pair.draft("0.02").psbt)  # signed, but not the one asked

        class Swapping:
            def exchange(self, request: AirGapRequest) -> bytes:
                return other

        export = pair.hot.signer().export_account(PARAMS, PATH, "p2wpkh")
        with pytest.raises(SigningRefused, match="another transaction"):
            pair.account.sign(pair.draft(), AirGapSigner(Swapping(), [export]))

    def test_a_response_without_signature_is_refused(self, pair: Pair) -> None:
        class Echo:
            def exchange(self, request: AirGapRequest) -> bytes:
                return request.payload

        export = pair.hot.signer().export_account(PARAMS, PATH, "p2wpkh")
        with pytest.raises(SigningRefused, match="no new signature"):
            pair.account.sign(pair.draft(), AirGapSigner(Echo(), [export]))


def test_an_imported_key_signer_is_a_signer_that_refuses_what_it_cannot_do() -> None:
    # The fourth signer (one imported EVM key, wallet.messages): the same protocol; it has no
    # extended key to export and declares no address display, so both are refused up front.
    key = SecretBytes(bytes(range(1, 33)))
    signer = KeySigner(key)
    assert isinstance(signer, Signer)
    eth = EvmParams("ethereum", "Ethereum", "ETH", 1)
    with pytest.raises(KeystoreSigningRefused, match=f"watch its address {signer.address}"):
        signer.export_account(eth, (44 + HARDENED, 60 + HARDENED, HARDENED), None)
    with pytest.raises(UnsupportedCapability) as caught:
        signer.display_address(eth, (), None)
    assert caught.value.capability is Capability.DISPLAY_ADDRESS
