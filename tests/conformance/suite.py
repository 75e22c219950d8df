"""The conformance suite every signer passes: hot, air-gapped, HWI (test_signers, test_hwi).

Each class names a signer; the tests are written once. A signer that does not declare a
capability must refuse it with ``UnsupportedCapability`` before anything is asked, and the
test says so instead of skipping.

The money is real: a watch-only wallet on the embedded Bitcoin regtest devnet (Bitcoin
Core's consensus code through libbitcoinkernel, in-process) holds coins of the ``abandon``
seed; drafts it prepares go to the signer, come back, are verified input by input by
libbitcoinkernel and are broadcast to the devnet, which accepts them into a block.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chains.registry import get_network
from keystore.bip32 import HARDENED
from keystore.errors import InvalidPath
from keystore.signers.airgap import AirGapRequest
from keystore.signers.base import (
    Capability,
    Signer,
    SignerKind,
    SigningContext,
    UnsupportedCapability,
)
from keystore.types import EvmTxRequest, MessageFormat, MessageRequest
from tests.conftest import ABANDON, PASSWORD
from wallet import UtxoAccount, UtxoDraft, Wallet
from wallet.errors import InvalidPsbt, NothingToSign, SigningRefused, translate_errors
from wallet.signing.export import format_export, network_params
from wallet.signing.offline import sign_message_request

NET = "bitcoin-regtest"
PARAMS = network_params(get_network(NET))
PATH = (84 + HARDENED, 1 + HARDENED, HARDENED)
OTHER_SEED = "legal winner thank year wave sausage worth useful legal winner thank yellow"


class Pair:
    """A hot wallet (the seed) and a watch-only wallet of its account, funded on the devnet."""

    def __init__(self, folder: Path) -> None:
        self.hot = Wallet.create(folder / "hot.coffer", PASSWORD, ABANDON)
        self.hot_account = self.hot.account(NET)
        export = self.hot.export_account(NET)
        self.watch = Wallet.create_watch_only(
            folder / "watch.coffer", PASSWORD, imports=[(NET, export)]
        )
        account = self.watch.account(NET)
        assert isinstance(account, UtxoAccount)
        self.account = account
        devnet = self.watch.devnet(NET)
        for n in range(3):
            devnet.fund(account.addresses(1, n)[0].address, "0.5")
        account.sync()

    def draft(self, amount: str = "0.01") -> UtxoDraft:
        to = self.hot_account.addresses(1, 30)[0].address
        return self.account.prepare_send(to, amount, fee_rate="2")

    def close(self) -> None:
        self.watch.close()
        self.hot.close()


class InProcessExchange:
    """The offline side in this process: the seed's wallet signs what the host sends.

    The subprocess with the network blocked is in tests/integration/test_offline_signer.py;
    here the exchange is the same call without the process boundary.
    """

    def __init__(self, wallet: Wallet) -> None:
        self.wallet = wallet
        self.requests: list[AirGapRequest] = []

    def exchange(self, request: AirGapRequest) -> bytes:
        self.requests.append(request)
        if request.kind == "message":
            return sign_message_request(self.wallet.signer(), request.payload)
        return self.wallet.sign_psbt(request.payload)


class SignerConformance:
    """The tests every signer passes; subclasses provide ``signer``."""

    @pytest.fixture
    def signer(self, pair: Pair) -> Signer:
        raise NotImplementedError

    def test_info_names_the_seed(self, signer: Signer, pair: Pair) -> None:
        assert isinstance(signer, Signer)
        assert signer.info.fingerprint == bytes.fromhex(pair.hot.fingerprint or "")
        assert isinstance(signer.info.kind, SignerKind)
        assert Capability.UTXO in signer.info.capabilities

    def test_export_account_is_what_the_watch_only_wallet_holds(
        self, signer: Signer, pair: Pair
    ) -> None:
        export = signer.export_account(PARAMS, PATH, "p2wpkh")
        assert export.fingerprint == signer.info.fingerprint
        assert export.path == PATH
        assert export.key.depth == len(PATH)
        assert format_export(export, NET) == pair.account.descriptor()

    def test_export_account_refuses_another_networks_path(self, signer: Signer) -> None:
        bitcoin = (84 + HARDENED, HARDENED, HARDENED)  # coin type 0: mainnet keys
        with pytest.raises(InvalidPath, match="coin type"):
            signer.export_account(PARAMS, bitcoin, "p2wpkh")

    def test_display_address(self, signer: Signer, pair: Pair) -> None:
        path = (*PATH, 0, 3)
        if Capability.DISPLAY_ADDRESS in signer.info.capabilities:
            shown = signer.display_address(PARAMS, path, "p2wpkh")
            assert shown == pair.account.addresses(1, 3)[0].address
        else:
            with pytest.raises(UnsupportedCapability) as caught:
                signer.display_address(PARAMS, path, "p2wpkh")
            assert caught.value.capability is Capability.DISPLAY_ADDRESS

    def test_signs_a_draft_the_devnet_accepts(self, signer: Signer, pair: Pair) -> None:
        draft = pair.draft()
        signed = pair.account.sign(draft, signer)  # finalised and verified by libbitcoinkernel
        txid = pair.account.broadcast(signed)
        pair.watch.devnet(NET).mine(1)
        pair.account.sync()
        assert any(h.txid == txid and h.confirmations == 1 for h in pair.account.history())

    def test_a_corrupt_psbt_is_refused(self, signer: Signer, pair: Pair) -> None:
        ctx_draft = pair.draft()
        broken = ctx_draft.psbt[:-7]
        with pytest.raises((InvalidPsbt, SigningRefused)), translate_errors():
            signer.sign_psbt(broken, signing_ctx())

    def test_a_psbt_with_no_input_of_this_seed_is_refused(
        self, signer: Signer, tmp_path: Path
    ) -> None:
        with Wallet.create(tmp_path / "other.coffer", PASSWORD, OTHER_SEED) as other:
            export = other.export_account(NET)
            with Wallet.create_watch_only(
                tmp_path / "ow.coffer", PASSWORD, imports=[(NET, export)]
            ) as watch:
                account = watch.account(NET)
                assert isinstance(account, UtxoAccount)
                watch.devnet(NET).fund(account.receive_address(), "0.2")
                account.sync()
                draft = account.prepare_send(account.addresses(1, 5)[0].address, "0.01")
        refused = pytest.raises((NothingToSign, SigningRefused), match=r"this wallet|signature")
        with refused, translate_errors():
            signer.sign_psbt(draft.psbt, signing_ctx())

    def test_sign_message(self, signer: Signer, pair: Pair) -> None:
        address = pair.account.addresses(1, 2)[0].address
        request = MessageRequest(
            MessageFormat.BIP322_SIMPLE, b"Hello World", (*PATH, 0, 2), address, NET
        )
        if Capability.MESSAGE_SIGNING not in signer.info.capabilities:
            with pytest.raises(UnsupportedCapability):
                signer.sign_message(request, signing_ctx())
            return
        signature = signer.sign_message(request, signing_ctx())
        assert signature.address == address
        assert signature.format is MessageFormat.BIP322_SIMPLE
        # RFC 6979 nonces: every signer of this seed makes the very same signature
        assert signature == pair.hot.signer().sign_message(request, signing_ctx())

    def test_a_message_for_an_address_of_another_key_is_refused(
        self, signer: Signer, pair: Pair
    ) -> None:
        if Capability.MESSAGE_SIGNING not in signer.info.capabilities:
            return  # refused before anything is asked: test_sign_message
        address = pair.account.addresses(1, 2)[0].address
        request = MessageRequest(MessageFormat.BIP137, b"hi", (*PATH, 0, 3), address, NET)
        with pytest.raises(SigningRefused), translate_errors():
            signer.sign_message(request, signing_ctx())

    def test_evm(self, signer: Signer) -> None:
        request = EvmTxRequest(1337, 0, "0x" + "11" * 20, 1, b"", 21_000, 2, 1)
        if Capability.EVM in signer.info.capabilities:
            return  # the EVM signing suites cover a signer that declares it
        with pytest.raises(UnsupportedCapability):
            signer.sign_evm(request, signing_ctx())


def signing_ctx() -> SigningContext:
    return SigningContext(PARAMS, PATH)
