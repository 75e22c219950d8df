"""A stand-in for a USB hardware wallet: a real ``hwilib`` client answered from a test seed.

No hardware wallet is connected to this machine and no device emulator is installed. So the
tests that need a device use ``SeedDevice``, a ``hwilib.hwwclient.HardwareWalletClient``
subclass that answers as a device would (it receives and returns HWI's own ``PSBT`` and
``ExtendedKey`` objects), from the keys of a hot ``Wallet`` of the test seed. Everything
above the client is the product's code: ``keystore.signers.hwi.HwiSigner`` and the wallet
API that opens it, through their one seam (``get_client`` / ``open_client``).

Multisig (``wsh(sortedmulti)``, ``sh(wsh(sortedmulti))``) is answered the way HWI's Trezor
client has the device do it: for each input with a witness script, sign with the seed's key
for every BIP-32 derivation that carries the device's fingerprint, over the BIP-143 message
(the device's own code, so it uses ``primitives`` directly, not Coffer's policy review); a
multisig address is built from HWI's ``MultisigDescriptor``. ``rogue`` makes the device
misbehave, to prove the host's checks:

- ``"other-key"``: signs with its key at another index (a signature by a key not in the
  script, recorded under the right one);
- ``"foreign-key"``: also adds a signature under another cosigner's key;
- ``"unasked-input"``: also signs inputs whose derivations do not name it (with its key of
  the first input it was asked for);
- ``"other-address"``: a multisig address of another index is shown.

What this does not prove: that a real Trezor, Ledger, Coldcard, BitBox02 or Jade answers the
same way. The README says so.
"""

from __future__ import annotations

import base64

from hwilib.common import AddressType, Chain
from hwilib.descriptor import MultisigDescriptor
from hwilib.hwwclient import HardwareWalletClient
from hwilib.key import ExtendedKey
from hwilib.psbt import PSBT as HwiPsbt

from keystore.bip32 import HARDENED, ExtendedPrivateKey
from keystore.mnemonic import parse_mnemonic
from keystore.signers.hwi import ClientOpener
from keystore.types import MessageFormat, MessageRequest
from primitives.hashes import hash160, sha256
from primitives.psbt import Psbt
from primitives.script import output_text, p2sh_script, p2wsh_script
from primitives.secp256k1 import ecdsa_sign, pubkey_from_secret
from primitives.sighash import SIGHASH_ALL, SighashCache
from tests.conformance.suite import NET, PARAMS, signing_ctx
from tests.conftest import PASSWORD
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
        rogue: a misbehaviour for multisig (see the module docstring), ``None`` for none.
    """

    def __init__(
        self,
        wallet: Wallet,
        chain: Chain,
        fail: BaseException | None = None,
        shows: str | None = None,
        rogue: str | None = None,
    ) -> None:
        super().__init__("stand-in:0", None, False, chain)
        self.wallet = wallet
        self.fail = fail
        self.shows = shows
        self.rogue = rogue
        self._root: ExtendedPrivateKey | None = None
        self.signed = 0
        self.displayed: list[str] = []
        self.closed = False

    def get_master_fingerprint(self) -> bytes:
        return bytes.fromhex(self.wallet.fingerprint or "")

    def get_pubkey_at_path(self, bip32_path: str) -> ExtendedKey:
        path = hwi_path(bip32_path)
        if path[0] == 48 + HARDENED:  # BIP-48 multisig keys: m/48'/coin'/account'/script'
            export = self.wallet.signer().export_account(PARAMS, path[:4], "p2wsh")
            key = export.key.derive_path(path[4:])
            return ExtendedKey.deserialize(key.serialize(_TPUB))
        kind = _PURPOSES[path[0] - HARDENED]
        export = self.wallet.signer().export_account(PARAMS, path[:3], kind)
        key = export.key.derive_path(path[3:]) if len(path) > 3 else export.key
        return ExtendedKey.deserialize(key.serialize(_TPUB))

    def _secret(self, path: tuple[int, ...]) -> bytes:
        if self._root is None:
            words = self.wallet.reveal_mnemonic(PASSWORD)
            self._root = ExtendedPrivateKey.from_seed(parse_mnemonic(words).to_seed().reveal())
        return self._root.derive_path(path).private_key

    def _sign_multisig(self, psbt: HwiPsbt) -> HwiPsbt:
        """Sign every witness-script input for the derivations of this device (as Trezor)."""
        parsed = Psbt.parse(base64.b64decode(psbt.serialize()))
        fingerprint = self.get_master_fingerprint()
        spent = [inp.spent_output() for inp in parsed.inputs]
        cache = SighashCache(parsed.unsigned_tx(), spent)
        first: tuple[int, ...] | None = None
        for n, inp in enumerate(parsed.inputs):
            if inp.witness_script is None or spent[n] is None:
                continue
            amount = spent[n].value  # type: ignore[union-attr]  # checked just above
            digest = cache.segwit_v0(n, inp.witness_script, amount, SIGHASH_ALL)
            ours = [
                (pubkey, source.path)
                for pubkey, source in inp.bip32_derivations.items()
                if source.fingerprint == fingerprint
            ]
            if not ours and self.rogue == "unasked-input" and first is not None:
                ours = [(pubkey_from_secret(self._secret(first)), first)]
            for pubkey, path in ours:
                first = first or path
                secret = self._secret(path)
                if self.rogue == "other-key":
                    secret = self._secret((*path[:-1], path[-1] + 1))
                sig = ecdsa_sign(secret, digest) + bytes([SIGHASH_ALL])
                psbt.inputs[n].partial_sigs[pubkey] = sig
            if self.rogue == "foreign-key":
                other = next(
                    k for k, s in inp.bip32_derivations.items() if s.fingerprint != fingerprint
                )
                mine = self._secret(ours[0][1])
                psbt.inputs[n].partial_sigs[other] = ecdsa_sign(mine, digest) + b"\x01"
        self.signed += 1
        return psbt

    def sign_tx(self, psbt: HwiPsbt) -> HwiPsbt:
        if self.fail is not None:
            raise self.fail
        if any(inp.witness_script for inp in psbt.inputs):
            return self._sign_multisig(psbt)
        signed = self.wallet.sign_psbt(base64.b64decode(psbt.serialize()), NET)
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

    def display_multisig_address(self, addr_type: AddressType, multisig: MultisigDescriptor) -> str:
        """Build the multisig address from the descriptor's keys, if one of them is ours."""
        fingerprint = self.get_master_fingerprint()
        paths = [
            tuple(p.origin.path)
            for p in multisig.pubkeys
            if p.origin is not None and p.origin.fingerprint == fingerprint
        ]
        own = [p for p in paths if pubkey_from_secret(self._secret(p)) in _keys(multisig, 0)]
        if not own:
            raise ValueError("No path supplied matched device keys")  # as HWI's Trezor client
        self.displayed.append(str(own[0]))
        keys = _keys(multisig, 0)
        if self.rogue == "other-address":  # another address of the same cosigners
            keys = sorted(
                pubkey_from_secret(self._secret((*p[:-1], p[-1] + 1))) if p in paths else k
                for k, p in zip(keys, _origins(multisig), strict=True)
            )
        witness_script = (
            bytes([0x50 + multisig.thresh])
            + b"".join(bytes([len(k)]) + k for k in sorted(keys))
            + bytes([0x50 + len(keys), 0xAE])
        )
        script = p2wsh_script(sha256(witness_script))
        if addr_type == AddressType.SH_WIT:
            script = p2sh_script(hash160(script))
        return output_text(script, PARAMS)

    def close(self) -> None:
        self.closed = True


def _keys(multisig: MultisigDescriptor, pos: int) -> list[bytes]:
    return [p.get_pubkey_bytes(pos) for p in multisig.pubkeys]


def _origins(multisig: MultisigDescriptor) -> list[tuple[int, ...]]:
    return [tuple(p.origin.path) if p.origin is not None else () for p in multisig.pubkeys]


def stand_in(wallet: Wallet, model: str = "Stand-in device") -> HardwareWallet:
    """Return the ``HardwareWallet`` entry HWI's enumerate would give for the stand-in."""
    return HardwareWallet("stand-in", model, "stand-in:0", wallet.fingerprint)


def seed_opener(
    wallet: Wallet,
    shows: str | None = None,
    rogue: str | None = None,
    fail: BaseException | None = None,
) -> tuple[ClientOpener, list[SeedDevice]]:
    """Return an ``open_client`` that opens a ``SeedDevice`` of ``wallet``, and those opened."""
    opened: list[SeedDevice] = []

    def open_client(
        device_type: str, device_path: str, password: str, expert: bool, chain: Chain
    ) -> SeedDevice:
        assert (device_type, device_path) == ("stand-in", "stand-in:0")
        device = SeedDevice(wallet, chain, fail=fail, shows=shows, rogue=rogue)
        opened.append(device)
        return device

    return open_client, opened
