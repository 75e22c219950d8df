"""Multisig through a hardware wallet (HWI), on the embedded Bitcoin regtest devnet.

A 2-of-3 sorted multisig: two cosigners are Coffer hot wallets, the third is a hardware
wallet whose key came from ``export_from_device(..., script="wsh")`` (BIP-48, the form
``w.custody.cosigner_key`` gives). No device is connected to this machine: the device is the
stand-in ``tests.hwi_standin.SeedDevice`` (a real ``hwilib`` client answered from a seed,
signing multisig inputs the way HWI's Trezor client has the device do it); everything above
the client is the product's code (``HwiSigner``, the wallet API). One hot signature and the
device's go through ``import_signed`` (BIP-174 combiner, miniscript finaliser,
libbitcoinkernel), are broadcast and mined on the devnet.

The device is not trusted: a "rogue" stand-in signing with another key, under another
cosigner's key or an input it was not asked to sign, or showing another address, is
refused by the host; policies HWI's devices do not sign are refused before it is asked.

What this does not prove: that a real Trezor, Coldcard, BitBox02, Jade or Ledger signs
these PSBTs (Coldcard and Jade need the multisig registered first, from
``policy_export("coldcard")``). The README says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from hwilib.common import Chain

from keystore.errors import KeyMismatch, NothingToSign, SigningRefused
from keystore.signers.base import Capability, SigningContext, UnsupportedCapability
from keystore.signers.hwi import HwiSigner
from keystore.types import TxSummary
from primitives.psbt import Psbt
from primitives.tx import Transaction
from tests.conformance.suite import OTHER_SEED
from tests.conftest import ABANDON, PASSWORD, TEST_JUNK
from tests.hwi_standin import SeedDevice, seed_opener, stand_in
from wallet import UtxoAccount, UtxoDraft, Wallet, export_from_device, show_address_on_device
from wallet.errors import DeviceAddressMismatch, InvalidPolicy, Unsupported
from wallet.utxo.draft import utxo_params

NET = "bitcoin-regtest"


class Setup:
    """The device's seed (held by the stand-in), two hot cosigners, their 2-of-3 accounts."""

    def __init__(self, folder: Path) -> None:
        self.device_seed = Wallet.create(folder / "device.coffer", PASSWORD, ABANDON)
        self.hots = [
            Wallet.create(folder / f"hot{n}.coffer", PASSWORD, words)
            for n, words in enumerate((TEST_JUNK, OTHER_SEED))
        ]
        opener, _ = seed_opener(self.device_seed)
        self.device_key = export_from_device(
            stand_in(self.device_seed), NET, script="wsh", open_client=opener
        )
        self.keys = [h.custody.cosigner_key(NET) for h in self.hots] + [self.device_key]
        self.wsh = self.hots[0].custody.create_multisig(NET, 2, self.keys, label="wsh")
        body = ",".join(f"{k}/<0;1>/*" for k in self.keys)
        self.sh_wsh = self.hots[0].custody.create_policy_account(
            NET, f"sh(wsh(sortedmulti(2,{body})))", "sh-wsh"
        )
        self.devnet = self.hots[0].devnet(NET)
        for account in (self.wsh, self.sh_wsh):
            self.fund(account, 2)

    def fund(self, account: UtxoAccount, coins: int) -> None:
        for info in account.addresses(coins):
            self.devnet.fund(info.address, "0.5")
        account.sync()

    def draft(self, account: UtxoAccount, amount: str = "0.1") -> UtxoDraft:
        to = self.hots[1].account(NET).receive_address()
        return account.prepare_send(to, amount, fee_rate="2")

    def device(self, rogue: str | None = None) -> tuple[HwiSigner, SeedDevice]:
        device = SeedDevice(self.device_seed, Chain.REGTEST, rogue=rogue)
        return HwiSigner(device, "Stand-in device"), device

    def close(self) -> None:
        for w in (self.device_seed, *self.hots):
            w.close()


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    made = Setup(tmp_path_factory.mktemp("hwi-multisig"))
    yield made
    made.close()


def _ctx(account: UtxoAccount, draft: UtxoDraft, prompt: object = None) -> SigningContext:
    return SigningContext(
        utxo_params(account.utxo_network),
        (),
        expected=draft.summary,
        prompt=prompt,  # type: ignore[arg-type]
        policy=account.descriptor(),
    )


class Prompt:
    def __init__(self) -> None:
        self.seen: list[TxSummary] = []

    def confirm_transaction(self, summary: TxSummary) -> bool:
        self.seen.append(summary)
        return True

    def confirm_message(self, request: object) -> bool:  # pragma: no cover
        return False


def test_the_device_key_is_the_bip48_cosigner_key(setup: Setup) -> None:
    assert setup.device_key == setup.device_seed.custody.cosigner_key(NET)
    assert setup.device_key.startswith(f"[{setup.device_seed.fingerprint}/48h/1h/0h/2h]tpub")
    opener, _ = seed_opener(setup.device_seed)
    with pytest.raises(InvalidPolicy, match="wsh"):
        export_from_device(stand_in(setup.device_seed), NET, script="tr", open_client=opener)


@pytest.mark.parametrize("which", ["wsh", "sh_wsh"])
def test_a_hot_signature_and_the_devices_are_mined(setup: Setup, which: str) -> None:
    account: UtxoAccount = getattr(setup, which)
    draft = setup.draft(account)
    by_hot = setup.hots[0].signer().sign_psbt(draft.psbt, _ctx(account, draft))
    signer, device = setup.device()
    assert Capability.POLICY in signer.info.capabilities
    prompt = Prompt()
    by_device = signer.sign_psbt(draft.psbt, _ctx(account, draft, prompt))
    assert device.signed == 1
    # The host showed the summary it recomputed from the descriptor: change proven.
    (summary,) = prompt.seen
    assert [o.is_change for o in summary.outputs].count(True) == 1
    device_fp = bytes.fromhex(setup.device_seed.fingerprint or "")
    for inp in Psbt.parse(by_device).inputs:
        (key,) = inp.partial_sigs
        assert inp.bip32_derivations[key].fingerprint == device_fp
    signed = account.import_signed(draft, by_hot, by_device)
    txid = account.broadcast(signed)
    setup.devnet.mine(1)
    account.sync()
    (entry,) = [e for e in account.history() if e.txid == txid]
    assert entry.status.value == "confirmed"
    assert entry.confirmations == 1
    assert len(Transaction.parse(signed.raw).inputs) == len(draft.inputs)


def test_the_device_shows_the_multisig_address(setup: Setup) -> None:
    opener, opened = seed_opener(setup.device_seed)
    devices = [stand_in(setup.device_seed)]
    for account in (setup.wsh, setup.sh_wsh):
        receive = account.addresses(6)[5].address
        assert show_address_on_device(account, receive, devices, open_client=opener) == receive
    assert len(opened) == 2
    assert all(d.closed for d in opened)
    rogue, _ = seed_opener(setup.device_seed, rogue="other-address")
    address = setup.wsh.addresses(1)[0].address
    with pytest.raises(DeviceAddressMismatch, match="DANGER"):
        show_address_on_device(setup.wsh, address, devices, open_client=rogue)


@pytest.mark.parametrize(
    ("rogue", "words"),
    [
        ("other-key", "not a valid signature by its key"),
        ("foreign-key", "key it was not asked to sign with"),
    ],
    ids=["signs-with-another-key", "signs-for-another-cosigner"],
)
def test_a_rogue_devices_signatures_are_refused(setup: Setup, rogue: str, words: str) -> None:
    draft = setup.draft(setup.wsh)
    signer, device = setup.device(rogue)
    with pytest.raises(SigningRefused, match=words):
        signer.sign_psbt(draft.psbt, _ctx(setup.wsh, draft))
    assert device.signed == 1  # it was asked, and its answer was refused


def test_a_device_signing_an_input_it_was_not_asked_for_is_refused(setup: Setup) -> None:
    draft = setup.draft(setup.wsh, "0.8")  # both coins
    psbt = Psbt.parse(draft.psbt)
    assert len(psbt.inputs) == 2
    device_fp = bytes.fromhex(setup.device_seed.fingerprint or "")
    second = psbt.inputs[1]
    # The host asks for input 0 only: input 1 does not name the device's key.
    unasked = replace(
        second,
        bip32_derivations={
            k: s for k, s in second.bip32_derivations.items() if s.fingerprint != device_fp
        },
    )
    sent = replace(psbt, inputs=(psbt.inputs[0], unasked)).serialize()
    honest, _ = setup.device()
    back = Psbt.parse(honest.sign_psbt(sent, _ctx(setup.wsh, draft)))
    assert [len(i.partial_sigs) for i in back.inputs] == [1, 0]
    signer, device = setup.device("unasked-input")
    with pytest.raises(SigningRefused, match="input 1 with a key it was not asked"):
        signer.sign_psbt(sent, _ctx(setup.wsh, draft))
    assert device.signed == 1


def test_a_policy_naming_another_key_under_the_devices_fingerprint(setup: Setup) -> None:
    """A forged policy: the device's fingerprint and path on another seed's key."""
    forged_key = (
        setup.device_key.split("]")[0]
        + "]"
        + setup.hots[1].custody.cosigner_key(NET, 1).split("]")[1]
    )
    forged = setup.hots[0].custody.create_multisig(
        NET, 2, [setup.keys[0], setup.keys[1], forged_key], label="forged"
    )
    setup.fund(forged, 1)
    draft = setup.draft(forged)
    signer, device = setup.device()
    with pytest.raises(KeyMismatch, match="another key"):
        signer.sign_psbt(draft.psbt, _ctx(forged, draft))
    assert device.signed == 0


def _hot_keys(setup: Setup, script: str = "wsh") -> list[str]:
    return [h.custody.cosigner_key(NET, script=script) + "/<0;1>/*" for h in setup.hots]


@pytest.mark.parametrize(
    "policy",
    [
        lambda k: (
            f"tr(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,"
            f"sortedmulti_a(1,{k['tr'][0]},{k['tr'][1]}))"
        ),
        lambda k: f"wsh(or_d(pk({k['wsh'][0]}),and_v(v:pkh({k['wsh'][1]}),older(100))))",
        lambda k: f"wsh(multi(1,{k['wsh'][0]},{k['wsh'][1]}))",
        lambda k: f"sh(sortedmulti(1,{k['wsh'][0]},{k['wsh'][1]}))",
    ],
    ids=["taproot-multi_a", "miniscript", "unsorted-multi", "legacy-p2sh"],
)
def test_other_policies_are_refused_before_the_device(setup: Setup, policy: object) -> None:
    keys = {"wsh": _hot_keys(setup), "tr": _hot_keys(setup, "tr")}
    assert callable(policy)
    text = policy(keys)
    draft = setup.draft(setup.wsh)
    signer, device = setup.device()
    ctx = replace(_ctx(setup.wsh, draft), policy=text)
    with pytest.raises(UnsupportedCapability, match=r"sorted multisig in wsh\(\) or sh\(wsh\(\)\)"):
        signer.sign_psbt(draft.psbt, ctx)
    assert device.signed == 0
    assert device.displayed == []


def test_a_policy_without_the_devices_key_is_nothing_to_sign(setup: Setup) -> None:
    text = f"wsh(sortedmulti(1,{','.join(_hot_keys(setup))}))"
    draft = setup.draft(setup.wsh)
    signer, device = setup.device()
    with pytest.raises(NothingToSign):
        signer.sign_psbt(draft.psbt, replace(_ctx(setup.wsh, draft), policy=text))
    assert device.signed == 0


def test_a_taproot_multisig_address_is_not_shown(setup: Setup) -> None:
    keys = [w.custody.cosigner_key(NET, script="tr") for w in (*setup.hots, setup.device_seed)]
    account = setup.hots[0].custody.create_multisig(NET, 2, keys, script="tr", label="tr")
    opener, opened = seed_opener(setup.device_seed)
    address = account.addresses(1)[0].address
    with pytest.raises(Unsupported, match="sorted multisig"):
        show_address_on_device(account, address, [stand_in(setup.device_seed)], open_client=opener)
    assert opened[0].displayed == []
