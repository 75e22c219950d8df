"""Signing a draft on a hardware wallet through the public API (``wallet.sign_on_device``).

On the embedded Bitcoin regtest devnet (HWI speaks Bitcoin networks only). No device exists on
this machine: the wallet API opens HWI's real ``HwiSigner`` through ``open_client``, and only
the client is the stand-in ``tests.hwi_standin.SeedDevice`` (a real ``hwilib`` client
answered from the ``abandon`` test seed). A single-key watch-only account's payment is signed
on the device, finished with ``import_signed`` and mined; a 2-of-3 multisig's device signature
alone is not enough (``SignaturesMissing``) and with a hot cosigner's it is mined; refusals
come before the device is opened, and a device that is unplugged or refuses is said in words.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hwilib import errors as hwi_errors

from keystore.types import TxSummary
from tests.conformance.suite import OTHER_SEED
from tests.conftest import ABANDON, PASSWORD, TEST_JUNK
from tests.hwi_standin import seed_opener, stand_in
from wallet import (
    HardwareWallet,
    UtxoAccount,
    Wallet,
    devices_for_account,
    export_from_device,
    sign_on_device,
)
from wallet.cli import Devices, cli
from wallet.errors import (
    HardwareUnavailable,
    SignaturesMissing,
    SigningCancelled,
    SigningRefused,
    Unsupported,
)

NET = "bitcoin-regtest"
EXTERNAL = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
OTHER = HardwareWallet("stand-in", "Other", "stand-in:0", "0badf00d")


class Prompt:
    """Answers the host's review: records what it was shown."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.seen: list[TxSummary] = []

    def confirm_transaction(self, summary: TxSummary) -> bool:
        self.seen.append(summary)
        return self.answer

    def confirm_message(self, request: object) -> bool:  # pragma: no cover - not asked
        return False


@pytest.fixture
def hot(tmp_path: Path) -> Iterator[Wallet]:
    """The seed the stand-in device holds, as a hot wallet."""
    with Wallet.create(tmp_path / "hot.coffer", PASSWORD, ABANDON) as wallet:
        yield wallet


@pytest.fixture
def watched(hot: Wallet, tmp_path: Path) -> Iterator[Wallet]:
    """A watch-only wallet made from what the device exported, with a funded coin."""
    opener, _ = seed_opener(hot)
    text = export_from_device(stand_in(hot), NET, open_client=opener)
    with Wallet.create_watch_only(
        tmp_path / "watch.coffer", PASSWORD, imports=[(NET, text)]
    ) as wallet:
        devnet = wallet.devnet(NET)
        devnet.fund(wallet.account(NET).receive_address(), Decimal("0.5"))
        devnet.mine(1)
        wallet.sync_each(NET)
        yield wallet


def _account(wallet: Wallet) -> UtxoAccount:
    account = wallet.account(NET)
    assert isinstance(account, UtxoAccount)
    return account


def test_a_watch_only_payment_is_signed_on_the_device_and_mined(
    hot: Wallet, watched: Wallet
) -> None:
    account = _account(watched)
    draft = account.prepare_send(EXTERNAL, Decimal("0.1"), fee_rate=2)
    opener, opened = seed_opener(hot)
    prompt = Prompt()
    assert devices_for_account(account, [OTHER, stand_in(hot)]) == [stand_in(hot)]
    psbt = sign_on_device(account, draft, prompt, [OTHER, stand_in(hot)], open_client=opener)
    (device,) = opened
    assert device.signed == 1
    assert device.closed  # released after signing
    assert prompt.seen == [draft.summary]  # the host's review was asked first
    signed = account.import_signed(draft, psbt)  # a single key: complete at once
    txid = account.broadcast(signed)
    watched.devnet(NET).mine(1)
    watched.sync_each(NET)
    (entry,) = [e for e in account.history() if e.txid == txid]
    assert entry.confirmations == 1


def test_refusals_come_before_the_device_is_opened(hot: Wallet, watched: Wallet) -> None:
    account = _account(watched)
    draft = account.prepare_send(EXTERNAL, Decimal("0.1"), fee_rate=2)
    opener, opened = seed_opener(hot)
    with pytest.raises(HardwareUnavailable, match=f"fingerprint {hot.fingerprint}"):
        sign_on_device(account, draft, None, [OTHER], open_client=opener)
    with pytest.raises(HardwareUnavailable, match="No connected hardware wallet"):
        sign_on_device(account, draft, None, [], open_client=opener)
    # The wallet's own seed signs for a hot account: no device is named for it.
    with pytest.raises(Unsupported, match="this wallet signs for it itself"):
        sign_on_device(hot.account(NET), draft, None, [stand_in(hot)], open_client=opener)
    assert devices_for_account(hot.account(NET), [stand_in(hot)]) == []
    assert opened == []
    # Declined at the host's review: the device is opened but never asked to sign.
    with pytest.raises(SigningCancelled):
        sign_on_device(account, draft, Prompt(answer=False), [stand_in(hot)], open_client=opener)
    assert opened[0].signed == 0
    assert opened[0].closed


@pytest.mark.parametrize(
    ("failure", "error", "words"),
    [
        (hwi_errors.DeviceConnectionError("gone"), HardwareUnavailable, "stopped answering"),
        (hwi_errors.ActionCanceledError("no"), SigningCancelled, "refused on the device"),
        (hwi_errors.BadArgumentError("bad"), SigningRefused, "The device refused"),
    ],
    ids=["unplugged", "refused-on-device", "device-error"],
)
def test_a_device_that_fails_is_said_in_words(
    hot: Wallet, watched: Wallet, failure: Exception, error: type[Exception], words: str
) -> None:
    account = _account(watched)
    draft = account.prepare_send(EXTERNAL, Decimal("0.1"), fee_rate=2)
    opener, opened = seed_opener(hot, fail=failure)
    with pytest.raises(error, match=words):
        sign_on_device(account, draft, None, [stand_in(hot)], open_client=opener)
    assert opened[0].closed


def test_a_multisig_device_signature_is_combined_with_a_cosigners(tmp_path: Path) -> None:
    with (
        Wallet.create(tmp_path / "device.coffer", PASSWORD, ABANDON) as seed,
        Wallet.create(tmp_path / "a.coffer", PASSWORD, TEST_JUNK) as first,
        Wallet.create(tmp_path / "b.coffer", PASSWORD, OTHER_SEED) as second,
    ):
        opener, opened = seed_opener(seed)
        device_key = export_from_device(stand_in(seed), NET, script="wsh", open_client=opener)
        keys = [first.custody.cosigner_key(NET), second.custody.cosigner_key(NET), device_key]
        account = first.custody.create_multisig(NET, 2, keys, label="2-of-3")
        assert devices_for_account(account, [OTHER, stand_in(seed)]) == [stand_in(seed)]
        devnet = first.devnet(NET)
        devnet.fund(account.receive_address(), Decimal("0.5"))
        devnet.mine(1)
        account.sync()
        draft = account.prepare_send(EXTERNAL, Decimal("0.1"), fee_rate=2)
        by_device = sign_on_device(account, draft, None, [stand_in(seed)], open_client=opener)
        assert opened[-1].signed == 1
        with pytest.raises(SignaturesMissing) as missing:
            account.import_signed(draft, by_device)
        assert missing.value.needed == 1
        by_hot = first.sign_psbt(draft.psbt)
        txid = account.broadcast(account.import_signed(draft, by_device, by_hot))
        devnet.mine(1)
        account.sync()
        assert any(e.txid == txid and e.confirmations == 1 for e in account.history())


def test_coffer_psbt_sign_device_signs_on_the_stand_in(
    hot: Wallet, watched: Wallet, tmp_path: Path, runner: CliRunner
) -> None:
    """``coffer psbt sign --device``: the device the caller of ``cli`` passes (``Devices``)."""
    del runner  # sets COFFER_PASSWORD
    draft = _account(watched).prepare_send(EXTERNAL, Decimal("0.1"), fee_rate=2)
    high_fee = (
        _account(watched)
        .prepare_send(EXTERNAL, Decimal("0.0001"), fee_rate=300, allow_high_fee=True)
        .psbt
    )
    path = watched.path
    watched.close()
    unsigned, signed = tmp_path / "unsigned.psbt", tmp_path / "signed.psbt"
    unsigned.write_bytes(draft.psbt)
    opener, opened = seed_opener(hot)
    devices = Devices(find=lambda: [OTHER, stand_in(hot)], open_client=opener)

    def run(*args: str, obj: Devices | None = devices) -> Result:
        return CliRunner().invoke(cli, ["--wallet", str(path), *args], obj=obj)

    other = run("psbt", "sign", str(unsigned), "--device", "0badf00d", "--yes")
    assert other.exit_code == 1
    assert "No connected hardware wallet holds a key" in other.stderr
    absent = run("psbt", "sign", str(unsigned), "--device", "12345678", "--yes")
    assert "has the fingerprint 12345678" in absent.stderr
    assert opened == []
    costly = tmp_path / "costly.psbt"
    costly.write_bytes(high_fee)
    refused = run("psbt", "sign", str(costly), "--device", "--yes")
    assert refused.exit_code == 1
    assert "--allow-high-fee" in refused.stderr
    assert opened == []  # the wallet's fee cap holds before the device is asked
    done = run("psbt", "sign", str(unsigned), "--device", "--yes", "--out", str(signed))
    assert done.exit_code == 0, done.stderr
    assert "The signer checked this transaction" in done.stderr
    assert opened[0].signed == 1
    sent = run("psbt", "broadcast", str(signed))
    assert sent.exit_code == 0, sent.stderr
    assert len(sent.stdout.strip()) == 64
    # Without a caller's devices: HWI's own enumerate, which finds none on this machine.
    real = run("psbt", "sign", str(unsigned), "--device", "--yes", obj=None)
    assert real.exit_code == 1
    assert "Traceback" not in real.stderr
    assert "No connected hardware wallet holds a key" in real.stderr
