"""The watch-only round trip on real nodes: litecoind + ElectrumX, the signer a process apart.

A seed's wallet exports its account; a watch-only wallet imports the export, syncs through
ElectrumX and prepares a PSBT into a file. The offline signer (``coffer signer``) runs as a
separate process with its network cut off twice: in a network namespace of its own
(``unshare --net``, where the machine allows it) and under an audit hook the test installs
before anything is imported, which ends the process on the first socket event of any kind.
It signs into a file; the host finalises, broadcasts, and Litecoin Core accepts the
transaction into its mempool and a block.

Then the tamper tests: the host (the attacker here) changes the PSBT before the signer sees
it, and each change is refused with its reason. And Core interop both ways: Litecoin Core
signs a PSBT that Coffer made for a key Core holds (``walletprocesspsbt``), and Coffer's
signer signs a PSBT that Core made (``walletcreatefundedpsbt``), which Core then accepts.
"""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chains.utxo.electrum import ElectrumBackend
from keystore.bip32 import HARDENED, ExtendedPrivateKey
from keystore.mnemonic import parse_mnemonic
from primitives.psbt import Psbt
from primitives.sighash import SIGHASH_NONE
from tests.conftest import PASSWORD
from tests.nodes.utxo import ElectrumXServer, LitecoinNode, litecoin_regtest
from tests.signer_process import run_signer
from wallet import UtxoAccount, UtxoDraft, Wallet
from wallet.errors import (
    NothingToSign,
    SigningRefused,
)
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

NET = "litecoin-regtest"
ROOT = Path(__file__).parents[2]
COIN = 100_000_000


class RoundTrip:
    """A seed's wallet (the offline side) and its watch-only twin on litecoind + ElectrumX."""

    def __init__(self, folder: Path, node: LitecoinNode, indexer: ElectrumXServer) -> None:
        self.folder = folder
        self.node = node
        self.indexer = indexer
        self.hot_path = folder / "seed.coffer"
        with Wallet.create(self.hot_path, PASSWORD) as hot:  # a fresh seed for this test
            hot.account(NET)
            self.export = hot.export_account(NET)
            self.fingerprint = hot.fingerprint
        self.watch = Wallet.create_watch_only(
            folder / "watch.coffer", PASSWORD, imports=[(NET, self.export)]
        )
        self.backend = ElectrumBackend(litecoin_regtest(), [indexer.tcp], timeout=15)
        self.watch.backends.use(NET, self.backend)
        account = self.watch.account(NET)
        assert isinstance(account, UtxoAccount)
        self.account = account

    def fund(self, *amounts: int) -> None:
        for n, sats in enumerate(amounts):
            self.node.fund(self.account.addresses(1, n)[0].address, sats)
        self.node.mine(1)
        self.settle()

    def settle(self) -> None:
        self.indexer.wait_synced()
        self.account.sync()

    def external(self) -> str:
        return str(self.node.rpc("getnewaddress", "", "bech32"))

    def draft(self, amount: str = "0.1") -> UtxoDraft:
        draft = self.account.prepare_send(self.external(), amount, fee_rate=Decimal(3))
        assert isinstance(draft, UtxoDraft)
        return draft

    def write(self, name: str, data: bytes) -> Path:
        path = self.folder / name
        path.write_bytes(data)
        return path

    def sign_offline(
        self, request: Path, *extra: str
    ) -> tuple[subprocess.CompletedProcess[str], Path]:
        out = request.with_name(request.stem + ".signed")
        return run_signer(self.hot_path, request, str(out), "--yes", *extra), out

    def close(self) -> None:
        self.watch.close()
        self.backend.close()


@pytest.fixture
def trip(
    tmp_path: Path, litecoind: LitecoinNode, electrumx: ElectrumXServer
) -> Iterator[RoundTrip]:
    electrumx.wait_synced()
    made = RoundTrip(tmp_path, litecoind, electrumx)
    try:
        yield made
    finally:
        made.close()


def test_watch_only_round_trip_through_a_file(trip: RoundTrip) -> None:
    trip.fund(30_000_000, 20_000_000)
    draft = trip.draft("0.35")  # needs both coins
    request = trip.write("send.psbt", draft.psbt)
    done, signed_path = trip.sign_offline(request)
    assert done.returncode == 0, done.stderr
    assert "The signer checked this transaction:" in done.stderr  # it showed its own summary
    assert "change" in done.stderr
    signed = trip.account.import_signed(draft, signed_path.read_bytes())
    txid = trip.account.broadcast(signed)
    assert txid in trip.node.rpc("getrawmempool", wallet=None)
    trip.node.mine(1)
    trip.settle()
    assert trip.node.rpc("getrawtransaction", txid, True, wallet=None).get("blockhash")
    assert {h.txid for h in trip.account.history()} >= {txid}


def test_watch_only_round_trip_through_qr_images(trip: RoundTrip) -> None:
    """Host: animated GIF of BC-UR crypto-psbt; signer: PNG frames back; read with zxing-cpp."""
    trip.fund(25_000_000)
    draft = trip.draft("0.05")
    frames = encode_frames(Payload(PayloadKind.PSBT, draft.psbt), FrameFormat.UR)
    assert len(frames) > 1  # animated: several frames, fountain-coded
    request = write_gif(frames, trip.folder / "request.gif")
    out = trip.folder / "signed-frames"
    done = run_signer(trip.hot_path, request, f"{out}/", "--yes")
    assert done.returncode == 0, done.stderr
    images = sorted(out.glob("*.png"))
    # Frames arrive in any order, and a receiver may miss some: shuffled, the first dropped.
    texts = read_qr_images(images[1:][::-1])
    payload = decode_frames(texts)
    assert payload.kind is PayloadKind.PSBT
    signed = trip.account.import_signed(draft, payload.data)
    txid = trip.account.broadcast(signed)
    assert txid in trip.node.rpc("getrawmempool", wallet=None)


def test_base64_request_pasted_on_stdin_of_the_cli(trip: RoundTrip, tmp_path: Path) -> None:
    trip.fund(10_000_000)
    draft = trip.draft("0.02")
    request = trip.write("send.b64", draft.psbt_base64.encode() + b"\n")
    done, signed_path = trip.sign_offline(request, "--base64")
    assert done.returncode == 0, done.stderr
    signed = trip.account.import_signed(draft, signed_path.read_bytes())
    assert signed.txid == draft.unsigned_txid


# -- tamper tests: the host changes the request; the offline signer refuses, saying why ----


def _tampered(draft: UtxoDraft, **changes: Any) -> bytes:
    psbt = Psbt.parse(draft.psbt)
    return replace(psbt, **changes).serialize()


def _refused(trip: RoundTrip, name: str, data: bytes) -> str:
    done, out = trip.sign_offline(trip.write(name, data))
    assert done.returncode == 1, done.stderr
    assert not out.exists()  # nothing written
    assert "Traceback" not in done.stderr
    return done.stderr


def test_tampered_requests_are_refused_with_their_reason(trip: RoundTrip) -> None:
    trip.fund(10_000_000)
    draft = trip.draft("0.02")
    psbt = Psbt.parse(draft.psbt)
    change = draft.change_index
    assert change is not None
    attacker = bytes.fromhex("0014") + b"\x66" * 20

    # 1. the change address swapped, its (true) key origin left in place
    outputs = list(psbt.outputs)
    outputs[change] = replace(outputs[change], script=attacker)
    err = _refused(trip, "swap.psbt", replace(psbt, outputs=tuple(outputs)).serialize())
    assert "swapped" in err

    # 2. the previous transaction dropped: the amount is unproven
    inputs = list(psbt.inputs)
    inputs[0] = replace(inputs[0], non_witness_utxo=None)
    err = _refused(trip, "nwu.psbt", replace(psbt, inputs=tuple(inputs)).serialize())
    assert "non_witness_utxo" in err

    # 3. the fee inflated: the change cut down to almost nothing
    outputs = list(psbt.outputs)
    outputs[change] = replace(outputs[change], amount=1_000)
    err = _refused(trip, "fee.psbt", replace(psbt, outputs=tuple(outputs)).serialize())
    assert "fee" in err

    # 4. an unusual sighash asked for
    inputs = list(psbt.inputs)
    inputs[0] = replace(inputs[0], sighash_type=SIGHASH_NONE)
    err = _refused(trip, "sighash.psbt", replace(psbt, inputs=tuple(inputs)).serialize())
    assert "sighash" in err.lower()

    # 5. a corrupt file
    err = _refused(trip, "corrupt.psbt", draft.psbt[:-9])
    assert "PSBT" in err


def test_a_psbt_of_another_network_is_refused(trip: RoundTrip, tmp_path: Path) -> None:
    trip.fund(10_000_000)
    draft = trip.draft("0.02")
    # The same seed's Litecoin (mainnet) account signs only coin type 2 keys: the request's
    # keys are coin type 1 (regtest).
    with Wallet.open(trip.hot_path, PASSWORD) as hot:
        hot.account("litecoin")
        with pytest.raises(SigningRefused, match=r"coin type|network|another"):
            hot.sign_psbt(draft.psbt, "litecoin")


def test_a_psbt_with_no_input_of_this_wallet_is_refused(trip: RoundTrip) -> None:
    node_psbt = trip.node.rpc(
        "walletcreatefundedpsbt", [], {trip.external(): "0.01"}, 0, {"includeWatching": False}
    )["psbt"]
    err = _refused(trip, "foreign.psbt", node_psbt.encode())
    assert "No input of this PSBT is this wallet's" in err
    with pytest.raises(NothingToSign):
        trip.account.import_psbt(node_psbt)


# -- Core interop ---------------------------------------------------------------------------


def test_core_signs_a_psbt_coffer_made_for_a_key_core_holds(
    tmp_path: Path, litecoind: LitecoinNode, electrumx: ElectrumXServer
) -> None:
    """Core holds the seed's keys (imported descriptors with private keys); Coffer watches."""
    node = litecoind
    wallet_name = f"interop-{os.getpid()}-{tmp_path.name}"
    node.rpc("createwallet", wallet_name, wallet=None)
    with Wallet.create(tmp_path / "seed.coffer", PASSWORD) as hot:
        account = hot.account(NET)
        assert isinstance(account, UtxoAccount)
        xprv_descriptors = _private_descriptors(hot, account)
        export = hot.export_account(NET)
    for desc in xprv_descriptors:
        checked = node.rpc("getdescriptorinfo", desc, wallet=None)["checksum"]
        result = node.rpc(
            "importmulti",
            [{"desc": f"{desc}#{checked}", "range": [0, 30], "timestamp": "now"}],
            wallet=wallet_name,
        )
        assert result[0]["success"], result
    backend = ElectrumBackend(litecoin_regtest(), [electrumx.tcp], timeout=15)
    with Wallet.create_watch_only(
        tmp_path / "w.coffer", PASSWORD, imports=[(NET, export)]
    ) as watch:
        watch.backends.use(NET, backend)
        acct = watch.account(NET)
        assert isinstance(acct, UtxoAccount)
        node.fund(acct.receive_address(), 10_000_000)
        node.mine(1)
        electrumx.wait_synced()
        acct.sync()
        draft = acct.prepare_send(
            str(node.rpc("getnewaddress", "", "bech32")), "0.03", fee_rate=Decimal(3)
        )
        processed = node.rpc(
            "walletprocesspsbt", draft.psbt_base64, True, "ALL", True, wallet=wallet_name
        )
        assert processed["complete"], processed
        signed = acct.import_signed(draft, processed["psbt"])  # finalised by Core
        txid = acct.broadcast(signed)
        assert txid in node.rpc("getrawmempool", wallet=None)
    backend.close()


def test_coffer_signs_a_psbt_core_made(trip: RoundTrip) -> None:
    """Core's watch-only wallet funds a PSBT from Coffer's coins; Coffer's signer signs it."""
    node = trip.node
    watch_name = f"watch-{os.getpid()}-{trip.folder.name}"
    node.rpc("createwallet", watch_name, True, True, wallet=None)  # no keys, blank
    for chain in (0, 1):
        desc = trip.account.descriptor(chain)
        result = node.rpc(
            "importmulti",
            [
                {
                    "desc": desc,
                    "range": [0, 30],
                    "timestamp": 0,
                    "watchonly": True,
                    "internal": chain == 1,
                    "keypool": True,
                }
            ],
            {"rescan": True},
            wallet=watch_name,
        )
        assert result[0]["success"], result
    trip.fund(10_000_000)
    created = node.rpc(
        "walletcreatefundedpsbt",
        [],
        {trip.external(): "0.04"},
        0,
        {"includeWatching": True, "change_type": "bech32", "fee_rate": 3},
        True,
        wallet=watch_name,
    )
    done, signed_path = trip.sign_offline(trip.write("core.psbt", created["psbt"].encode()))
    assert done.returncode == 0, done.stderr
    finalized = node.rpc(
        "finalizepsbt", base64.b64encode(signed_path.read_bytes()).decode(), True, wallet=None
    )
    assert finalized["complete"], finalized
    accepted = node.rpc("testmempoolaccept", [finalized["hex"]], wallet=None)
    assert accepted[0]["allowed"], accepted
    txid = node.rpc("sendrawtransaction", finalized["hex"], wallet=None)
    assert txid in node.rpc("getrawmempool", wallet=None)


def _private_descriptors(hot: Wallet, account: UtxoAccount) -> list[str]:
    """Return Core descriptors with the account's xprv (a test may reveal its own seed)."""

    phrase = hot.reveal_mnemonic(PASSWORD)
    root = ExtendedPrivateKey.from_seed(parse_mnemonic(phrase).to_seed().reveal())
    path = (84 + HARDENED, 1 + HARDENED, HARDENED)
    xprv = root.derive_path(path).serialize(0x04358394)  # tprv
    origin = f"[{root.fingerprint.hex()}/84h/1h/0h]"
    return [f"wpkh({origin}{xprv}/{chain}/*)" for chain in (0, 1)]
