"""The EVM watch-only round trip on anvil: EIP-4527 through an offline signer process.

The seed's wallet exports its EVM account as a ``crypto-hdkey`` (the key at m/44'/60'/0'
with its origin, as Keystone-style signers give it to MetaMask); a watch-only wallet imports
it, prepares a transfer on anvil, and sends the ``eth-sign-request`` out as an animated QR
code. ``coffer signer`` signs it in a process of its own with the network cut off
(``tests.signer_process``) and answers with an ``eth-signature`` as QR frames; the host
rebuilds the transaction, checks its sender, and anvil mines it.

The tamper test: the host rewrites the request's chain id (a request replayed for another
chain) and the signer refuses, saying so. The same round trip in two steps on the host alone
(``wallet.signing.eth_request``): the request out, the answer in, each checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from chains.evm.jsonrpc import JsonRpcBackend
from chains.registry import EvmNetwork, get_network
from keystore.signers.airgap import AirGapRequest, AirGapSigner
from keystore.signers.base import Capability
from primitives.eip4527 import EthSignRequest
from tests.conftest import PASSWORD
from tests.nodes.evm import AnvilDevnet, AnvilNode
from tests.signer_process import run_signer
from wallet import EvmAccount, Wallet
from wallet.errors import SigningRefused, WatchOnly
from wallet.signing.eth_request import eth_sign_request, import_eth_signature
from wallet.signing.export import network_params
from wallet.transport import (
    FrameFormat,
    Payload,
    PayloadKind,
    decode_frames,
    encode_frames,
    read_qr_images,
    write_gif,
)

pytestmark = pytest.mark.nodes

NET = "evm-local"
FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


class QrExchange:
    """The host's side of the air gap: an animated GIF out, the signer's PNG frames back."""

    def __init__(self, folder: Path, seed_wallet: Path) -> None:
        self.folder = folder
        self.seed_wallet = seed_wallet
        self.count = 0
        self.tamper: dict[str, object] = {}
        self.last_stderr = ""

    def exchange(self, request: AirGapRequest) -> bytes:
        assert request.kind == "eth-sign-request"
        self.count += 1
        data = request.payload
        if self.tamper:
            data = replace(EthSignRequest.from_cbor(data), **self.tamper).cbor()  # type: ignore[arg-type]
        frames = encode_frames(Payload(PayloadKind.ETH_SIGN_REQUEST, data), FrameFormat.UR)
        gif = write_gif(frames, self.folder / f"request-{self.count}.gif")
        out = self.folder / f"answer-{self.count}"
        done = run_signer(self.seed_wallet, gif, f"{out}/", "--yes")
        self.last_stderr = done.stderr
        if done.returncode != 0:
            raise SigningRefused(done.stderr.strip().splitlines()[-1])
        payload = decode_frames(read_qr_images(sorted(out.glob("*.png"))))
        assert payload.kind is PayloadKind.ETH_SIGNATURE
        return payload.data


class EvmTrip:
    def __init__(self, folder: Path, node: AnvilNode) -> None:
        network = get_network(NET)
        assert isinstance(network, EvmNetwork)
        self.backend = JsonRpcBackend(network, [node.http_url])
        self.devnet = AnvilDevnet(self.backend)
        self.seed_path = folder / "seed.coffer"
        with Wallet.create(self.seed_path, PASSWORD) as hot:  # a fresh seed for this test
            account = hot.account(NET)
            export = hot.export_account(NET, fmt="ur-hdkey")
            assert isinstance(account, EvmAccount)
            path = account.record.path
            assert path is not None
            self.key_export = hot.signer().export_account(network_params(network), path[:3], None)
        self.watch = Wallet.create_watch_only(
            folder / "watch.coffer", PASSWORD, imports=[(NET, export)]
        )
        self.watch.backends.use(NET, self.backend)
        watched = self.watch.account(NET)
        assert isinstance(watched, EvmAccount)
        self.account = watched
        self.exchange = QrExchange(folder, self.seed_path)
        self.signer = AirGapSigner(self.exchange, [self.key_export])

    def close(self) -> None:
        self.watch.close()
        self.backend.close()


@pytest.fixture
def trip(tmp_path: Path, anvil: AnvilNode) -> Iterator[EvmTrip]:
    made = EvmTrip(tmp_path, anvil)
    try:
        yield made
    finally:
        made.close()


def test_an_offline_signed_request_is_accepted_by_anvil(trip: EvmTrip) -> None:
    assert Capability.EVM in trip.signer.info.capabilities
    trip.devnet.fund(trip.account.address, 10**18)
    trip.account.sync()
    draft = trip.account.prepare_send(FRIEND, "0.25")
    signed = trip.account.sign(draft, trip.signer)  # sender checked against the account
    tx_hash = trip.account.broadcast(signed)
    receipt = trip.devnet.wait_for_receipt(tx_hash)
    assert receipt.success
    assert receipt.sender.lower() == trip.account.address.lower()
    assert "chain id 31337" in trip.exchange.last_stderr  # the signer showed its own reading


def test_a_request_replayed_for_another_chain_is_refused(trip: EvmTrip) -> None:
    trip.devnet.fund(trip.account.address, 10**18)
    trip.account.sync()
    draft = trip.account.prepare_send(FRIEND, "0.1")
    trip.exchange.tamper = {"chain_id": 1}
    with pytest.raises(SigningRefused, match="replayed for another chain"):
        trip.account.sign(draft, trip.signer)


def _sign_offline(trip: EvmTrip, request: bytes, name: str) -> bytes:
    """The offline side: the request as an animated QR, signed by coffer signer in its own
    process with the network cut off, answered as PNG frames."""
    frames = encode_frames(Payload(PayloadKind.ETH_SIGN_REQUEST, request), FrameFormat.UR)
    gif = write_gif(frames, trip.exchange.folder / f"{name}.gif")
    out = trip.exchange.folder / f"{name}-answer"
    done = run_signer(trip.seed_path, gif, f"{out}/", "--yes")
    assert done.returncode == 0, done.stderr
    payload = decode_frames(read_qr_images(sorted(out.glob("*.png"))))
    assert payload.kind is PayloadKind.ETH_SIGNATURE
    return payload.data


def test_the_watch_only_host_alone_sends_its_request_and_broadcasts_the_answer(
    trip: EvmTrip,
) -> None:
    # Only the watch-only wallet on the host: the request names the key from the imported
    # crypto-hdkey's origin; nothing of the seed's wallet is used here.
    trip.devnet.fund(trip.account.address, 10**18)
    trip.account.sync()
    draft = trip.account.prepare_send(FRIEND, "0.3")
    request = eth_sign_request(trip.account, draft)
    answer = _sign_offline(trip, request, "two-step")

    other = eth_sign_request(trip.account, draft)  # the same draft, another request id
    with pytest.raises(SigningRefused, match="another request"):
        import_eth_signature(trip.account, draft, other, answer)
    later = trip.account.prepare_send(FRIEND, "0.1")
    with pytest.raises(SigningRefused, match="another draft"):
        import_eth_signature(trip.account, later, request, answer)

    signed = import_eth_signature(trip.account, draft, request, answer)
    receipt = trip.devnet.wait_for_receipt(trip.account.broadcast(signed))
    assert receipt.success
    assert receipt.sender.lower() == trip.account.address.lower()


def test_an_address_only_account_has_no_request_to_make(trip: EvmTrip, tmp_path: Path) -> None:
    with Wallet.create_watch_only(
        tmp_path / "address.coffer", PASSWORD, imports=[(NET, trip.account.address)]
    ) as watch:
        watch.backends.use(NET, trip.backend)
        (account,) = watch.accounts()
        assert isinstance(account, EvmAccount)
        trip.devnet.fund(account.address, 10**18)
        account.sync()
        draft = account.prepare_send(FRIEND, "0.1")
        with pytest.raises(WatchOnly, match="address only"):
            eth_sign_request(account, draft)
