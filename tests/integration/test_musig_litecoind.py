"""A 2-of-2 MuSig2 wallet end to end on Litecoin regtest (litecoind + ElectrumX, taproot on).

Two Coffer wallets (two files, two seeds) make ``tr(musig(A,B)/<0;1>/*,and_v(v:pk(A/<0;1>/*),
older(N)))`` from each other's keys; a watch-only copy syncs through ElectrumX and prepares
sends. Each signer runs in a process of its own (``tests.musig_signer``) and the PSBT goes
between them as files: round 1 both, round 2 both, the watch-only side aggregates and
finalises, the node accepts and mines a spend whose witness is one 64-byte signature. The
fallback leaf is refused by the node one block before N (``non-BIP68-final``) and accepted
at N. A signer SIGKILLed right after its nonce was committed, or right after it was marked
used, never signs twice with one nonce, and the session restarts with fresh nonces.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from chains.utxo.electrum import ElectrumBackend
from primitives.psbt import Psbt
from primitives.psbt_roles import combine
from tests.conftest import PASSWORD
from tests.nodes.utxo import ElectrumXServer, LitecoinNode, litecoin_regtest
from tests.signer_process import run_offline_command, run_signer
from wallet import UtxoAccount, UtxoDraft, Wallet
from wallet.errors import SignaturesMissing, WalletError
from wallet.musig import LEDGER_NAME, WalletNonceStore
from wallet.types import SignedTransaction

pytestmark = pytest.mark.nodes

NET = "litecoin-regtest"
ROOT = Path(__file__).parents[2]
FALLBACK = 6


class Pair:
    """Wallet A (holds the fallback leaf) and B, and a watch-only coordinator of the account."""

    def __init__(self, folder: Path, node: LitecoinNode, indexer: ElectrumXServer) -> None:
        self.folder, self.node, self.indexer = folder, node, indexer
        self.a, self.b = folder / "a.coffer", folder / "b.coffer"
        for path in (self.a, self.b):
            Wallet.create(path, PASSWORD).close()
        with Wallet.open(self.a, PASSWORD) as a, Wallet.open(self.b, PASSWORD) as b:
            a_key, b_key = (
                a.custody.cosigner_key(NET, 0, "tr"),
                b.custody.cosigner_key(NET, 0, "tr"),
            )
            self.descriptor = a.custody.create_musig_wallet(
                NET, b_key, FALLBACK, "shared"
            ).descriptor()
            other = b.custody.create_musig_wallet(
                NET, a_key, FALLBACK, "shared", fallback_key="other"
            )
            assert other.descriptor() == self.descriptor
        self.watch = Wallet.create_watch_only(folder / "watch.coffer", PASSWORD)
        self.account = self.watch.custody.create_policy_account(NET, self.descriptor, "shared")
        self.backend = ElectrumBackend(litecoin_regtest(), [indexer.tcp], timeout=15)
        self.watch.backends.use(NET, self.backend)
        self.files = 0

    def fund(self, sats: int, index: int) -> int:
        self.node.fund(self.account.addresses(1, index)[0].address, sats)
        self.node.mine(1)
        self.settle()
        return self.node.height()

    def settle(self) -> None:
        self.indexer.wait_synced()
        self.account.sync()

    def draft(self, amount: str) -> UtxoDraft:
        to = str(self.node.rpc("getnewaddress", "", "bech32"))
        draft = self.account.prepare_send(to, amount, fee_rate=Decimal(2))
        assert isinstance(draft, UtxoDraft)
        return draft

    def file(self, data: bytes) -> Path:
        self.files += 1
        path = self.folder / f"step{self.files}.psbt"
        path.write_bytes(data)
        return path

    def start(self, step: str, wallet: Path, psbt: bytes, *extra: str) -> subprocess.Popen[str]:
        source = self.file(psbt)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [sys.executable, "-m", "tests.musig_signer", step, str(wallet), str(source)]
        return subprocess.Popen(
            [*command, str(source.with_suffix(".out")), *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )

    def run(self, step: str, wallet: Path, psbt: bytes) -> bytes:
        proc = self.start(step, wallet, psbt)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, out + err
        return (self.folder / f"step{self.files}.out").read_bytes()

    def refused(self, step: str, wallet: Path, psbt: bytes) -> str:
        proc = self.start(step, wallet, psbt)
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 3, out + err
        return out

    def kill_at(self, step: str, wallet: Path, psbt: bytes, moment: str) -> None:
        proc = self.start(step, wallet, psbt, "--stop-after", moment)
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.strip() == "STOPPED", line + (proc.stderr.read() if proc.stderr else "")
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        assert proc.returncode == -signal.SIGKILL

    def round1(self, psbt: bytes) -> bytes:
        return combine(
            [Psbt.parse(self.run("nonces", w, psbt)) for w in (self.a, self.b)]
        ).serialize()

    def nonce_counts(self, wallet: Path) -> dict[str, int]:
        with Wallet.open(wallet, PASSWORD) as w:
            ledger = wallet.with_name(wallet.name + ".d") / LEDGER_NAME
            return WalletNonceStore(w.database, w.wallet_id, ledger).counts()

    def broadcast_and_mine(self, signed: SignedTransaction) -> str:
        txid = self.account.broadcast(signed)
        self.node.mine(1)
        self.settle()
        assert self.node.rpc("getrawtransaction", txid, True, wallet=None).get("blockhash")
        return txid

    def close(self) -> None:
        self.watch.close()
        self.backend.close()


@pytest.fixture
def pair(tmp_path: Path, litecoind: LitecoinNode, electrumx: ElectrumXServer) -> Iterator[Pair]:
    electrumx.wait_synced()
    made = Pair(tmp_path, litecoind, electrumx)
    yield made
    made.close()


def test_both_wallets_and_the_watch_only_copy_have_the_same_taproot_addresses(
    pair: Pair,
) -> None:
    # Litecoin Core 0.21 predates musig() descriptors (BIP-390), so it cannot derive these;
    # the spends below are its judgement of them.
    watch = [a.address for a in pair.account.addresses(5)]
    for path in (pair.a, pair.b):
        with Wallet.open(path, PASSWORD) as w:
            (account,) = [a for a in w.accounts(NET) if a.label == "shared"]
            assert isinstance(account, UtxoAccount)
            assert [a.address for a in account.addresses(5)] == watch
    for address in watch:
        info = pair.node.rpc("validateaddress", address, wallet=None)
        assert info["isvalid"]
        assert info["witness_version"] == 1


def _offline(pair: Pair, wallet: Path, step: str, psbt: bytes, *extra: str) -> bytes:
    """Run ``coffer musig STEP`` on a PSBT file in an offline process (no sockets)."""
    source = pair.file(psbt)
    out = source.with_suffix(".out")
    done = run_offline_command(wallet, "musig", step, str(source), "--out", str(out), *extra)
    assert done.returncode == 0, done.stderr
    return out.read_bytes()


def test_key_path_spend_is_one_signature_from_two_processes(pair: Pair) -> None:
    pair.fund(20_000_000, 0)
    draft = pair.draft("0.05")
    # The signers are the command line, offline, one process per round and wallet.
    r1 = combine(
        [Psbt.parse(_offline(pair, w, "nonces", draft.psbt)) for w in (pair.a, pair.b)]
    ).serialize()
    a2 = _offline(pair, pair.a, "sign", r1, "--yes")
    with pytest.raises(SignaturesMissing):
        pair.account.import_signed(draft, a2)  # B's partial signature is not there yet
    b2 = _offline(pair, pair.b, "sign", r1, "--yes")
    signed = pair.account.import_signed(draft, a2, b2)
    decoded = pair.node.rpc("decoderawtransaction", signed.raw.hex(), wallet=None)
    witness = decoded["vin"][0]["txinwitness"]
    assert len(witness) == 1
    assert len(bytes.fromhex(witness[0])) == 64
    assert decoded["vsize"] <= draft.vsize
    pair.broadcast_and_mine(signed)
    # Each wallet holds one nonce, used; the secret is gone.
    assert pair.nonce_counts(pair.a) == {"issued": 0, "used": 1}
    assert pair.nonce_counts(pair.b) == {"issued": 0, "used": 1}
    # Round 2 again with the same PSBT is refused; nothing lost.
    assert "REFUSED nonce-used" in pair.refused("sign", pair.a, r1)


def test_refusals_out_of_order_missing_and_foreign(pair: Pair, tmp_path: Path) -> None:
    pair.fund(10_000_000, 1)
    draft = pair.draft("0.02")
    assert "REFUSED participant-nonce" in pair.refused("sign", pair.a, draft.psbt)
    only_a = pair.run("nonces", pair.a, draft.psbt)
    assert "REFUSED participant-nonce" in pair.refused("sign", pair.b, only_a)
    # A PSBT of another MuSig2 wallet sharing A's key: refused as foreign.
    other_seed = tmp_path / "c.coffer"
    Wallet.create(other_seed, PASSWORD).close()
    with Wallet.open(other_seed, PASSWORD) as c, Wallet.open(pair.a, PASSWORD) as a:
        foreign = a.custody.create_musig_wallet(
            NET, c.custody.cosigner_key(NET, 0, "tr"), FALLBACK, "other"
        ).descriptor()
    other_watch = Wallet.create_watch_only(tmp_path / "w2.coffer", PASSWORD)
    try:
        other_account = other_watch.custody.create_policy_account(NET, foreign)
        other_watch.backends.use(NET, pair.backend)
        pair.node.fund(other_account.addresses(1)[0].address, 5_000_000)
        pair.node.mine(1)
        pair.indexer.wait_synced()
        other_account.sync()
        to = str(pair.node.rpc("getnewaddress", "", "bech32"))
        foreign_draft = other_account.prepare_send(to, "0.01", fee_rate=Decimal(2))
        assert isinstance(foreign_draft, UtxoDraft)
        tampered = Psbt.parse(foreign_draft.psbt)
        # Claim it is the shared account's coin: point the inputs at the shared descriptor.
        ours = Psbt.parse(draft.psbt).inputs[0]
        tampered = tampered.with_input(
            0,
            replace(
                tampered.inputs[0],
                musig2_participants=ours.musig2_participants,
                tap_bip32_derivations=ours.tap_bip32_derivations,
                tap_internal_key=ours.tap_internal_key,
            ),
        )
        assert "REFUSED foreign" in pair.refused("nonces", pair.a, tampered.serialize())
    finally:
        other_watch.close()
    # Nothing lost: the rounds in order still spend.
    r1 = combine([Psbt.parse(only_a), Psbt.parse(pair.run("nonces", pair.b, draft.psbt))])
    psbt = r1.serialize()
    signed = pair.account.import_signed(
        draft, pair.run("sign", pair.a, psbt), pair.run("sign", pair.b, psbt)
    )
    pair.broadcast_and_mine(signed)


def test_killed_signers_never_sign_twice_and_the_session_restarts(pair: Pair) -> None:
    pair.fund(10_000_000, 2)
    draft = pair.draft("0.03")
    # A is killed right after its nonce was committed, before the PSBT was written: the
    # restarted round 1 gives that same nonce (one issued in the file), not a second one.
    pair.kill_at("nonces", pair.a, draft.psbt, "issue")
    assert pair.nonce_counts(pair.a) == {"issued": 1, "used": 0}
    r1 = pair.round1(draft.psbt)
    assert pair.nonce_counts(pair.a) == {"issued": 1, "used": 0}
    # A is killed in round 2 right after its nonce was marked used, before any signature.
    pair.kill_at("sign", pair.a, r1, "consume")
    assert pair.nonce_counts(pair.a) == {"issued": 0, "used": 1}
    assert "REFUSED nonce-used" in pair.refused("sign", pair.a, r1)
    b_first = pair.run("sign", pair.b, r1)  # B signed the first session meanwhile
    # Start over from round 1 on the draft: fresh nonces from both (B's first one has
    # signed too; one still unused would come back the same).
    r1_again = pair.round1(draft.psbt)
    first = Psbt.parse(r1).inputs[0].musig2_pub_nonces
    again = Psbt.parse(r1_again).inputs[0].musig2_pub_nonces
    assert set(first.values()).isdisjoint(again.values())
    assert not Psbt.parse(r1_again).inputs[0].musig2_partial_sigs
    signed = pair.account.import_signed(
        draft, pair.run("sign", pair.a, r1_again), pair.run("sign", pair.b, r1_again)
    )
    pair.broadcast_and_mine(signed)
    # B's partial signature of the dead session cannot be mixed in: it is simply void.
    assert Psbt.parse(b_first).inputs[0].musig2_partial_sigs
    assert pair.nonce_counts(pair.a) == {"issued": 0, "used": 2}


def _sign_alone(pair: Pair, draft: UtxoDraft, name: str) -> SignedTransaction:
    """A alone signs the fallback leaf in the offline signer; the watch-only side finalises."""
    request = pair.folder / f"{name}.psbt"
    request.write_bytes(draft.psbt)
    out = pair.folder / f"{name}.signed"
    done = run_signer(pair.a, request, str(out), "--yes")
    assert done.returncode == 0, done.stderr
    return pair.account.import_signed(draft, out.read_bytes())


def test_fallback_leaf_after_n_blocks(pair: Pair) -> None:
    names = {p.name: p for p in pair.account.spend_paths()}
    assert names["owner"].key_path  # the MuSig2 key path
    assert names["recovery"].older_blocks == FALLBACK  # A alone, after N blocks
    height = pair.fund(10_000_000, 3)
    to = str(pair.node.rpc("getnewaddress", "", "bech32"))
    # One block short of N: the wallet will not prepare the fallback spend...
    pair.node.mine(height + FALLBACK - 2 - pair.node.height())
    pair.settle()
    with pytest.raises(WalletError, match="old enough"):
        pair.account.prepare_send(to, "0.04", fee_rate=Decimal(2), path="recovery")
    # ... and the node refuses one made anyway (nSequence N set by hand, read back).
    psbt = Psbt.parse(pair.draft("0.04").psbt)
    early_draft = pair.account.import_psbt(
        psbt.with_input(0, replace(psbt.inputs[0], sequence=FALLBACK)).serialize()
    )
    early = _sign_alone(pair, early_draft, "early")
    witness = pair.node.rpc("decoderawtransaction", early.raw.hex(), wallet=None)["vin"][0]
    assert len(witness["txinwitness"]) == 3  # signature, leaf script, control block
    (verdict,) = pair.node.rpc("testmempoolaccept", [early.raw.hex()], wallet=None)
    assert not verdict["allowed"]
    assert verdict["reject-reason"] == "non-BIP68-final"
    # At N confirmations the wallet prepares it (nSequence N on the input) and it is mined.
    pair.node.mine(1)
    pair.settle()
    draft = pair.account.prepare_send(to, "0.04", fee_rate=Decimal(2), path="recovery")
    assert isinstance(draft, UtxoDraft)
    assert Psbt.parse(draft.psbt).inputs[0].sequence == FALLBACK
    signed = _sign_alone(pair, draft, "fallback")
    decoded = pair.node.rpc("decoderawtransaction", signed.raw.hex(), wallet=None)
    assert decoded["vsize"] <= draft.vsize
    pair.broadcast_and_mine(signed)
