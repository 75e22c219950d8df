"""A stand-in for a USB hardware wallet: a real ``hwilib`` client answered from a test seed.

No hardware wallet is connected to this machine and no device emulator is installed. So the
tests that need a device use ``SeedDevice``, a ``hwilib.hwwclient.HardwareWalletClient``
subclass that answers as a device would (it receives and returns HWI's own ``PSBT`` and
``ExtendedKey`` objects), from the keys of a hot ``Wallet`` of the test seed. Everything
above the client is the product's code: ``keystore.signers.hwi.HwiSigner`` and the wallet
API that opens it, through their one seam (``get_client`` / ``open_client``).

What this does not prove: that a real Trezor, Ledger, Coldcard, BitBox02 or Jade answers the
same way. The README says so.
"""

from __future__ import annotations

import base64

from hwilib.common import AddressType, Chain
from hwilib.hwwclient import HardwareWalletClient
from hwilib.key import ExtendedKey
from hwilib.psbt import PSBT as HwiPsbt

from keystore.bip32 import HARDENED
from keystore.signers.hwi import ClientOpener
from keystore.types import MessageFormat, MessageRequest
from tests.conformance.suite import NET, PARAMS, signing_ctx
from wallet import HardwareWallet, Wallet

__all__ = ["SeedDevice", "seed_opener", "stand_in"]

KINDS = {
    AddressType.WIT: "p2wpkh",
    AddressType.TAP: "p2tr",
    AddressType.SH_WIT: "p2sh-p2wpkh",
    AddressType.LEGACY: "p2pkh",
}
_PURPOSES = {84: "p2wpkh", 86: "p2tr", 49: "p2sh-p2wpkh", 44: "p2pkh"}
_TPUB = 0x043587CF  # HWI's test-network extended public key version


def hwi_path(text: str) -> tuple[int, ...]:
    """Read an HWI path text (``m/84h/1h/0h``)."""
    return tuple(
        int(step.rstrip("h'")) + (HARDENED if step[-1] in "h'" else 0)
        for step in text.split("/")[1:]
    )


class SeedDevice(HardwareWalletClient):
    """A stand-in for a USB hardware wallet, answered from the test seed (see module doc).

    Args:
        wallet: the hot wallet whose seed the "device" holds (Bitcoin regtest keys).
        chain: the chain HWI opened the client for.
        fail: raised from ``sign_tx`` (a device unplugged mid-signing, a refusal).
        shows: when set, the address ``display_singlesig_address`` "shows" instead (a
            device that disagrees with the wallet).
    """

    def __init__(
        self,
        wallet: Wallet,
        chain: Chain,
        fail: BaseException | None = None,
        shows: str | None = None,
    ) -> None:
        super().__init__("stand-in:0", None, False, chain)
        self.wallet = wallet
        self.fail = fail
        self.shows = shows
        self.signed = 0
        self.displayed: list[str] = []
        self.closed = False

    def get_master_fingerprint(self) -> bytes:
        return bytes.fromhex(self.wallet.fingerprint or "")

    def get_pubkey_at_path(self, bip32_path: str) -> ExtendedKey:
        path = hwi_path(bip32_path)
        kind = _PURPOSES[path[0] - HARDENED]
        export = self.wallet.signer().export_account(PARAMS, path[:3], kind)
        key = export.key.derive_path(path[3:]) if len(path) > 3 else export.key
        return ExtendedKey.deserialize(key.serialize(_TPUB))

    def sign_tx(self, psbt: HwiPsbt) -> HwiPsbt:
        if self.fail is not None:
            raise self.fail
        signed = self.wallet.sign_psbt(base64.b64decode(psbt.serialize()))
        out = HwiPsbt()
        out.deserialize(base64.b64encode(signed).decode())
        self.signed += 1
        return out

    def sign_message(self, message: str | bytes, bip32_path: str) -> str:
        path = hwi_path(bip32_path)
        data = message.encode() if isinstance(message, str) else message
        address = self.wallet.signer().display_address(PARAMS, path, "p2pkh")
        request = MessageRequest(MessageFormat.BIP137, data, path, address, NET)
        return self.wallet.signer().sign_message(request, signing_ctx()).text

    def display_singlesig_address(self, bip32_path: str, addr_type: AddressType) -> str:
        path = hwi_path(bip32_path)
        self.displayed.append(bip32_path)
        if self.shows is not None:
            return self.shows
        return self.wallet.signer().display_address(PARAMS, path, KINDS[addr_type])

    def close(self) -> None:
        self.closed = True


def stand_in(wallet: Wallet, model: str = "Stand-in device") -> HardwareWallet:
    """Return the ``HardwareWallet`` entry HWI's enumerate would give for the stand-in."""
    return HardwareWallet("stand-in", model, "stand-in:0", wallet.fingerprint)


def seed_opener(wallet: Wallet, shows: str | None = None) -> tuple[ClientOpener, list[SeedDevice]]:
    """Return an ``open_client`` that opens a ``SeedDevice`` of ``wallet``, and those opened."""
    opened: list[SeedDevice] = []

    def open_client(
        device_type: str, device_path: str, password: str, expert: bool, chain: Chain
    ) -> SeedDevice:
        assert (device_type, device_path) == ("stand-in", "stand-in:0")
        device = SeedDevice(wallet, chain, shows=shows)
        opened.append(device)
        return device

    return open_client, opened
