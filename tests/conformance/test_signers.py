"""The conformance suite (``suite.SignerConformance``) for the hot and air-gapped signers."""

from __future__ import annotations

import pytest

from keystore.signers.airgap import AirGapRequest, AirGapSigner
from keystore.signers.base import Signer
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
