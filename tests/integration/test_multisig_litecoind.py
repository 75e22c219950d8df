"""Multisig policy accounts end to end on Litecoin regtest (litecoind + ElectrumX).

Three Coffer wallets (three seeds) build one 2-of-3 from each other's ``cosigner_key``; their
addresses equal Litecoin Core's ``deriveaddresses`` of the same descriptor. A watch-only copy
syncs through ElectrumX and prepares a send; two cosigners sign it in processes of their own
(``coffer signer``, offline), the watch-only side combines and finalises with the miniscript
satisfier, libbitcoinkernel verifies it, the node accepts and mines it. Litecoin Core is a
cosigner too (a legacy wallet holding one key, ``walletprocesspsbt``), and a taproot
``tr(NUMS,sortedmulti_a(2,...))`` is spent by its script path.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from chains.utxo.electrum import ElectrumBackend
from keystore.bip32 import HARDENED, ExtendedPrivateKey
from keystore.mnemonic import parse_mnemonic
from primitives.base58 import b58check_encode
from primitives.psbt import Psbt
from tests.conftest import PASSWORD
from tests.nodes.utxo import ElectrumXServer, LitecoinNode, litecoin_regtest
from tests.signer_process import run_signer
from wallet import UtxoAccount, UtxoDraft, Wallet
from wallet.errors import SignaturesMissing
from wallet.types import SignedTransaction

pytestmark = pytest.mark.nodes

NET = "litecoin-regtest"
CORE_WORDS = "legal winner thank year wave sausage worth useful legal winner thank yellow"


class Setup:
    """Three seed wallets with one multisig each, and a watch-only wallet of the same policy."""

    def __init__(
        self,
        folder: Path,
        node: LitecoinNode,
        indexer: ElectrumXServer,
        script: str = "wsh",
        extra_keys: tuple[str, ...] = (),
        seeds: int = 3,
    ) -> None:
        self.folder, self.node, self.indexer = folder, node, indexer
        self.paths = [folder / f"cosigner{n}.coffer" for n in range(seeds)]
        keys = []
        for path in self.paths:
            with Wallet.create(path, PASSWORD) as w:
                keys.append(w.custody.cosigner_key(NET, script=script))
        self.keys = [*keys, *extra_keys]
        self.descriptors = []
        for path in self.paths:
            with Wallet.open(path, PASSWORD) as w:
                account = w.custody.create_multisig(
                    NET, 2, self.keys, script=script, label="shared"
                )
                self.descriptors.append(account.descriptor())
        self.watch = Wallet.create_watch_only(folder / "watch.coffer", PASSWORD)
        self.account = self.watch.custody.create_policy_account(NET, self.descriptors[0], "shared")
        self.backend = ElectrumBackend(litecoin_regtest(), [indexer.tcp], timeout=15)
        self.watch.backends.use(NET, self.backend)

    def fund(self, *amounts: int) -> None:
        for n, sats in enumerate(amounts):
            self.node.fund(self.account.addresses(1, n)[0].address, sats)
        self.node.mine(1)
        self.settle()

    def settle(self) -> None:
        self.indexer.wait_synced()
        self.account.sync()

    def draft(self, amount: str = "0.1") -> UtxoDraft:
        to = str(self.node.rpc("getnewaddress", "", "bech32"))
        draft = self.account.prepare_send(to, amount, fee_rate=Decimal(2))
        assert isinstance(draft, UtxoDraft)
        return draft

    def sign_in_process(self, n: int, draft: UtxoDraft) -> bytes:
        request = self.folder / f"send{n}.psbt"
        request.write_bytes(draft.psbt)
        out = self.folder / f"send{n}.signed"
        done = run_signer(self.paths[n], request, str(out), "--yes")
        assert done.returncode == 0, done.stderr
        return out.read_bytes()

    def close(self) -> None:
        self.watch.close()
        self.backend.close()


@pytest.fixture
def setup(tmp_path: Path, litecoind: LitecoinNode, electrumx: ElectrumXServer) -> Iterator[Setup]:
    electrumx.wait_synced()
    made = Setup(tmp_path, litecoind, electrumx)
    yield made
    made.close()


def _core_addresses(node: LitecoinNode, descriptor: str, branch: int) -> list[str]:
    single = descriptor.split("#")[0].replace("<0;1>", str(branch))
    info = node.rpc("getdescriptorinfo", single, wallet=None)
    return list(node.rpc("deriveaddresses", info["descriptor"], [0, 19], wallet=None))


def _broadcast_and_mine(s: Setup, account: UtxoAccount, signed_tx: SignedTransaction) -> str:
    txid = account.broadcast(signed_tx)
    assert txid in s.node.rpc("getrawmempool", wallet=None)
    s.node.mine(1)
    s.settle()
    assert s.node.rpc("getrawtransaction", txid, True, wallet=None).get("blockhash")
    assert txid in {h.txid for h in account.history()}
    return txid


def test_three_wallets_agree_with_core_on_the_addresses(setup: Setup) -> None:
    assert len(set(setup.descriptors)) == 1
    descriptor = setup.descriptors[0]
    for branch, change in ((0, False), (1, True)):
        core = _core_addresses(setup.node, descriptor, branch)
        for path in setup.paths:
            with Wallet.open(path, PASSWORD) as w:
                (account,) = [a for a in w.accounts(NET) if a.label == "shared"]
                assert isinstance(account, UtxoAccount)
                ours = [a.address for a in account.addresses(20, change=change)]
                assert ours == core
        assert [a.address for a in setup.account.addresses(20, change=change)] == core


def test_two_of_three_signed_in_separate_processes(setup: Setup) -> None:
    setup.fund(30_000_000, 20_000_000)
    draft = setup.draft("0.35")  # both coins, with change back to the policy
    first = setup.sign_in_process(0, draft)
    with pytest.raises(SignaturesMissing) as missing:
        setup.account.import_signed(draft, first)
    assert missing.value.needed == 1
    assert "needs 1 more signature" in str(missing.value)
    second = setup.sign_in_process(2, draft)
    signed = setup.account.import_signed(draft, first, second)
    vsize = setup.node.rpc("decoderawtransaction", signed.raw.hex(), wallet=None)["vsize"]
    assert vsize <= draft.vsize  # the estimate is never short of the signed size
    _broadcast_and_mine(setup, setup.account, signed)


def test_litecoin_core_is_a_cosigner(
    tmp_path: Path, litecoind: LitecoinNode, electrumx: ElectrumXServer
) -> None:
    electrumx.wait_synced()
    root = ExtendedPrivateKey.from_seed(parse_mnemonic(CORE_WORDS).to_seed().reveal())
    path = (48 + HARDENED, 1 + HARDENED, HARDENED, 2 + HARDENED)
    account_key = root.derive_path(path)
    core_key = f"[{root.fingerprint.hex()}/48h/1h/0h/2h]" + account_key.public().serialize(
        0x043587CF
    )
    s = Setup(tmp_path, litecoind, electrumx, extra_keys=(core_key,), seeds=2)
    try:
        s.fund(40_000_000)
        draft = s.draft("0.1")
        mine = s.sign_in_process(0, draft)
        # Core holds the key of the input's path (receive 0) in a legacy wallet, with the
        # witness script, and signs what it can (walletprocesspsbt).
        litecoind.rpc("createwallet", "cosigner", False, True, wallet=None)
        psbt = Psbt.from_text_or_bytes(draft.psbt)
        inp = psbt.inputs[0]
        assert inp.witness_script is not None
        key = account_key.child(0).child(0)
        wif = b58check_encode(bytes([0xEF]) + key.private_key + b"\x01")
        litecoind.rpc(
            "importmulti",
            [
                {
                    "scriptPubKey": {"address": s.account.addresses(1)[0].address},
                    "timestamp": "now",
                    "witnessscript": inp.witness_script.hex(),
                    "keys": [wif],
                    "watchonly": True,
                }
            ],
            {"rescan": False},
            wallet="cosigner",
        )
        done = litecoind.rpc(
            "walletprocesspsbt", psbt.to_base64(), True, "ALL", True, wallet="cosigner"
        )
        signed = s.account.import_signed(draft, mine, done["psbt"])
        _broadcast_and_mine(s, s.account, signed)
    finally:
        s.close()


def test_taproot_two_of_three_script_path(
    tmp_path: Path, litecoind: LitecoinNode, electrumx: ElectrumXServer
) -> None:
    electrumx.wait_synced()
    s = Setup(tmp_path, litecoind, electrumx, script="tr")
    try:
        assert s.descriptors[0].startswith("tr(50929b74")
        s.fund(25_000_000)
        draft = s.draft("0.05")
        first = s.sign_in_process(1, draft)
        second = s.sign_in_process(2, draft)
        signed = s.account.import_signed(draft, first, second)
        vsize = litecoind.rpc("decoderawtransaction", signed.raw.hex(), wallet=None)["vsize"]
        assert vsize <= draft.vsize
        _broadcast_and_mine(s, s.account, signed)
    finally:
        s.close()


def test_a_miniscript_policy_is_spent_by_its_owner_alone(
    tmp_path: Path, litecoind: LitecoinNode, electrumx: ElectrumXServer
) -> None:
    """``or_d(pk(OWNER),and_v(v:pkh(HEIR),older(N)))``: the owner's path, hot-signed here."""
    electrumx.wait_synced()
    with Wallet.create(tmp_path / "heir.coffer", PASSWORD) as heir_wallet:
        heir = heir_wallet.custody.cosigner_key(NET) + "/<0;1>/*"
    backend = ElectrumBackend(litecoin_regtest(), [electrumx.tcp], timeout=15)
    with Wallet.create(tmp_path / "owner.coffer", PASSWORD) as owner_wallet:
        owner = owner_wallet.custody.cosigner_key(NET) + "/<0;1>/*"
        account = owner_wallet.custody.create_policy_account(
            NET, f"wsh(or_d(pk({owner}),and_v(v:pkh({heir}),older(4032))))", "recovery"
        )
        owner_wallet.backends.use(NET, backend)
        litecoind.fund(account.addresses(1)[0].address, 10_000_000)
        litecoind.mine(1)
        electrumx.wait_synced()
        account.sync()
        to = str(litecoind.rpc("getnewaddress", "", "bech32"))
        draft = account.prepare_send(to, "0.05", fee_rate=Decimal(2))
        assert isinstance(draft, UtxoDraft)
        signed = owner_wallet.sign(draft)
        vsize = litecoind.rpc("decoderawtransaction", signed.raw.hex(), wallet=None)["vsize"]
        assert vsize <= draft.vsize
        txid = account.broadcast(signed)
        litecoind.mine(1)
        electrumx.wait_synced()
        account.sync()
        assert txid in {h.txid for h in account.history()}
    backend.close()
