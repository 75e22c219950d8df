"""Hardware wallets through HWI: everything that runs without a device.

No hardware wallet was connected to this machine, and no device emulator is installed, so:

- ``enumerate_devices`` runs for real (HWI over libusb) and must find none and say so;
- the PSBT and descriptor conversions run through HWI's own parsers;
- the conformance suite runs ``HwiSigner`` (the product code, unchanged) against a stand-in
  for the USB device: ``tests.hwi_standin.SeedDevice``, a
  ``hwilib.hwwclient.HardwareWalletClient`` subclass answered from the test seed, as a device
  would answer (it receives and returns HWI's ``PSBT`` objects);
- a device unplugged mid-signing is HWI's own ``DeviceConnectionError`` (what its clients
  raise when the USB transport fails) and the USB layer's ``OSError``, raised by that
  stand-in from ``sign_tx``.

What this does not prove: that a real Trezor, Ledger, Coldcard, BitBox02 or Jade accepts
these PSBTs and shows them as expected. The README says so.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hwilib import errors as hwi_errors
from hwilib.common import Chain
from hwilib.descriptor import parse_descriptor as hwi_parse_descriptor

from chains.registry import get_network
from keystore.errors import HardwareUnavailable, SigningRefused
from keystore.signers.base import Capability, Signer, UnsupportedCapability
from keystore.signers.hwi import (
    HwiSigner,
    enumerate_devices,
    psbt_from_hwi,
    psbt_to_hwi,
)
from keystore.types import MessageFormat, MessageRequest
from primitives.psbt import Psbt
from tests.conformance.suite import NET, PARAMS, PATH, Pair, SignerConformance, signing_ctx
from tests.hwi_standin import SeedDevice
from wallet.errors import HardwareUnavailable as PublicHardwareUnavailable
from wallet.errors import SigningCancelled
from wallet.signing.export import network_params


class TestHwiSigner(SignerConformance):
    @pytest.fixture
    def signer(self, pair: Pair) -> Signer:
        return HwiSigner(SeedDevice(pair.hot, Chain.REGTEST), "Stand-in device")

    def test_sign_message(self, signer: Signer, pair: Pair) -> None:
        # HWI offers the legacy format only (BIP-137); BIP-322 is refused before the device
        # is asked.
        path = (*PATH, 0, 2)
        legacy = pair.hot.signer().display_address(PARAMS, path, "p2pkh")
        request = MessageRequest(MessageFormat.BIP137, b"Hello World", path, legacy, NET)
        signature = signer.sign_message(request, signing_ctx())
        assert signature == pair.hot.signer().sign_message(request, signing_ctx())
        address = pair.account.addresses(1, 2)[0].address
        bip322 = MessageRequest(MessageFormat.BIP322_SIMPLE, b"Hello World", path, address, NET)
        with pytest.raises(SigningRefused, match="legacy format"):
            signer.sign_message(bip322, signing_ctx())


def test_enumerate_finds_no_device_and_says_so() -> None:
    try:
        devices = enumerate_devices()
    except HardwareUnavailable as err:  # a machine without libusb-1.0: said in words
        message = str(err)
    else:
        assert devices == []
        return
    assert "libusb" in message


def test_a_device_unplugged_mid_signing_is_a_clear_error(pair: Pair) -> None:
    for failure in (
        hwi_errors.DeviceConnectionError("Device disconnected"),
        OSError(5, "read error"),  # hidapi's error when the USB device goes away
    ):
        device = SeedDevice(pair.hot, Chain.REGTEST, fail=failure)
        signer = HwiSigner(device, "Stand-in device")
        draft = pair.draft()
        with pytest.raises(PublicHardwareUnavailable, match="stopped answering"):
            pair.account.sign(draft, signer)
        assert device.signed == 0


def test_a_refusal_on_the_device_is_a_cancel(pair: Pair) -> None:
    device = SeedDevice(pair.hot, Chain.REGTEST, fail=hwi_errors.ActionCanceledError("no"))
    with pytest.raises(SigningCancelled, match="refused on the device"):
        pair.account.sign(pair.draft(), HwiSigner(device))


def test_networks_hwi_does_not_speak_are_refused_before_the_device(pair: Pair) -> None:
    signer = HwiSigner(SeedDevice(pair.hot, Chain.REGTEST))
    litecoin = network_params(get_network("litecoin-regtest"))
    with pytest.raises(UnsupportedCapability, match="Bitcoin networks only"):
        signer.export_account(litecoin, PATH, "p2wpkh")
    mainnet = network_params(get_network("bitcoin"))
    with pytest.raises(Exception, match="opened for regtest"):
        signer.export_account(mainnet, (0x80000054, 0x80000000, 0x80000000), "p2wpkh")
    assert Capability.EVM not in signer.info.capabilities


def test_a_policy_is_read_before_the_device(pair: Pair) -> None:
    """An unreadable policy is refused before the device is asked (more: test_hwi_multisig)."""
    device = SeedDevice(pair.hot, Chain.REGTEST)
    signer = HwiSigner(device, "Stand-in device")
    assert Capability.POLICY in signer.info.capabilities
    ctx = replace(signing_ctx(), policy="wsh(sortedmulti(1,[00000000/48h/1h/0h/2h]tpub/<0;1>/*))")
    with pytest.raises(SigningRefused, match="policy cannot be read"):
        signer.sign_psbt(pair.draft().psbt, ctx)
    assert device.signed == 0


def test_psbt_conversions_round_trip_through_hwi(pair: Pair) -> None:
    draft = pair.draft()
    hw = psbt_to_hwi(draft.psbt)
    assert psbt_from_hwi(hw) == Psbt.parse(draft.psbt)
    v2 = Psbt.parse(draft.psbt).to_v2() if hasattr(Psbt, "to_v2") else None
    if v2 is not None:
        with pytest.raises(Exception, match="version 0"):
            psbt_to_hwi(v2.serialize())


def test_descriptors_read_the_same_in_hwi(pair: Pair) -> None:
    ours = pair.account.descriptor(0)
    parsed = hwi_parse_descriptor(ours.split("#")[0])
    key = parsed.pubkeys[0]
    assert key.origin is not None
    assert key.origin.fingerprint.hex() == pair.hot.fingerprint
    assert key.origin.get_derivation_path() == "m/84h/1h/0h"
    assert key.extkey is not None
    assert key.extkey.to_string() in ours
