"""The hardware wallets connected to this machine, found and asked through HWI (``coffer[hw]``).

- ``hardware_wallets`` lists the devices (HWI's enumerate).
- ``export_from_device`` asks a device for an account's extended public key, for a
  watch-only wallet (``Wallet.create_watch_only``) whose key origin then names the device.
- ``signing_device`` says which device (by master fingerprint) signs for an account, and
  ``show_address_on_device`` has that device show an address on its own screen and checks it
  is the one the wallet computed.

Each call opens the device's HWI client (``open_client``: HWI's ``get_client`` unless a
caller, such as a test without a device, passes its own) and releases it before returning.
The keys never leave the device; nothing here sees a secret.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chains.registry import ScriptKind, UtxoNetwork, get_network
from keystore.bip32 import HARDENED
from wallet.accounts import Account, UtxoAccount
from wallet.errors import (
    DeviceAddressMismatch,
    HardwareUnavailable,
    SigningRefused,
    Unsupported,
    WalletError,
    translate_errors,
)
from wallet.signing.export import format_export, network_params

if TYPE_CHECKING:  # HWI is an optional extra: its types only for the checker
    from keystore.signers.hwi import ClientOpener, HwiSigner

__all__ = [
    "DEVICE_NETWORKS",
    "HardwareWallet",
    "export_from_device",
    "hardware_wallets",
    "show_address_on_device",
    "signing_device",
]

DEVICE_NETWORKS: tuple[str, ...] = (
    "bitcoin",
    "bitcoin-testnet",
    "bitcoin-signet",
    "bitcoin-regtest",
)
"""The networks a hardware wallet is asked about through HWI (it speaks Bitcoin only)."""

_NEEDS_HWI = "Hardware wallets need HWI: pip install 'coffer[hw]'."


@dataclass(frozen=True, slots=True)
class HardwareWallet:
    """A device HWI found.

    Attributes:
        kind: HWI's type (``trezor``, ``ledger``, ``coldcard``, ``bitbox02``, ``jade``).
        model: the model HWI reports.
        path: the USB (or emulator) path.
        fingerprint: the master key fingerprint in hex, once the device is unlocked.
        needs_pin: the device waits for its PIN.
        needs_passphrase: the device waits for its passphrase.
        error: what HWI could not do with it, if anything.
    """

    kind: str
    model: str
    path: str
    fingerprint: str | None
    needs_pin: bool = False
    needs_passphrase: bool = False
    error: str = ""

    @property
    def title(self) -> str:
        """Return how the device is named to a person: its model and fingerprint."""
        name = self.model or self.kind
        return f"{name} ({self.fingerprint})" if self.fingerprint else name


def _require_hwi() -> None:
    if importlib.util.find_spec("hwilib") is None:
        raise HardwareUnavailable(_NEEDS_HWI)


def hardware_wallets() -> list[HardwareWallet]:
    """Return the hardware wallets connected now (an empty list when there is none).

    Raises:
        HardwareUnavailable: HWI is not installed, or cannot look for devices (no libusb).
    """
    _require_hwi()
    # HWI is an optional extra: imported only when it is there.
    from keystore.signers.hwi import enumerate_devices

    with translate_errors():
        found = enumerate_devices()
    return [
        HardwareWallet(
            kind=d.type,
            model=d.model,
            path=d.path,
            fingerprint=d.fingerprint.hex() if d.fingerprint else None,
            needs_pin=d.needs_pin,
            needs_passphrase=d.needs_passphrase,
            error=d.error,
        )
        for d in found
    ]


def _open(
    device: HardwareWallet, network: UtxoNetwork, open_client: ClientOpener | None
) -> HwiSigner:
    _require_hwi()
    from keystore.signers.hwi import HwiDevice, HwiSigner

    if device.needs_pin:
        raise HardwareUnavailable(f"Unlock {device.title} with its PIN first.")
    if device.error:
        raise HardwareUnavailable(f"{device.title} cannot be used: {device.error}")
    found = HwiDevice(
        type=device.kind,
        model=device.model,
        path=device.path,
        fingerprint=bytes.fromhex(device.fingerprint) if device.fingerprint else None,
    )
    with translate_errors():
        return HwiSigner.open(found, network_params(network), get_client=open_client)


def _utxo_network(network: str) -> UtxoNetwork:
    with translate_errors():
        net = get_network(network)
    if not isinstance(net, UtxoNetwork):
        raise Unsupported(
            f"Hardware wallets are reached here for Bitcoin-family accounts, not {net.title}."
        )
    return net


def export_from_device(
    device: HardwareWallet,
    network: str,
    index: int = 0,
    kind: str | None = None,
    fmt: str = "descriptor",
    *,
    open_client: ClientOpener | None = None,
) -> str:
    """Ask a hardware wallet for an account's extended public key, as a signer's export.

    The text is what ``Wallet.create_watch_only`` (or ``AccountBook.import_export``) takes;
    a descriptor carries the device's master fingerprint as its key origin, so the wallet
    knows which device signs for the account (``signing_device``).

    Args:
        device: a device ``hardware_wallets`` found.
        network: a Bitcoin network HWI speaks (``bitcoin``, ``bitcoin-testnet``, ...).
        index: the account number (BIP-44 account).
        kind: ``p2wpkh`` (the network's default), ``p2tr``, ``p2sh-p2wpkh`` or ``p2pkh``.
        fmt: one of ``wallet.signing.export.EXPORT_FORMATS``.
        open_client: opens the device's HWI client; HWI's ``get_client`` when ``None``.

    Returns:
        The export, in ``fmt``.

    Raises:
        HardwareUnavailable: HWI is missing, or the device is locked, gone or not answering.
        Unsupported: a network the device cannot be asked about through HWI.
        SigningCancelled: the person refused on the device.
        WalletError: an unknown kind or format, or an index out of range.
    """
    net = _utxo_network(network)
    chosen = net.default_kind if kind is None else _script_kind(net, kind)
    if not 0 <= index < HARDENED:
        raise WalletError("The account index runs from 0 to 2^31 - 1.")
    path = (chosen.purpose + HARDENED, net.coin_type + HARDENED, index + HARDENED)
    signer = _open(device, net, open_client)
    try:
        with translate_errors():
            export = signer.export_account(network_params(net), path, chosen.value)
    finally:
        _release(signer)
    return format_export(export, net.name, fmt)


def _script_kind(net: UtxoNetwork, kind: str) -> ScriptKind:
    try:
        chosen = ScriptKind(kind)
    except ValueError:
        chosen = None
    if chosen is None or chosen not in net.script_kinds:
        options = ", ".join(k.value for k in net.script_kinds)
        raise WalletError(f"{net.title} accounts are one of: {options}; not {kind!r}.")
    return chosen


def _release(signer: HwiSigner) -> None:
    try:
        with translate_errors():
            signer.close()
    except HardwareUnavailable:
        pass  # unplugged after answering: there is nothing left to release


def signing_device(account: Account) -> str | None:
    """Return the master fingerprint (hex) of the external signer that holds an account's keys.

    ``None`` when the wallet's own seed (the hot signer) signs for it, or when the account
    was imported without a key origin (an xpub alone): no device can be named then.
    """
    record = account.record
    if not record.watch_only or record.fingerprint is None or record.path is None:
        return None
    if not isinstance(record.network, UtxoNetwork):
        return None
    return record.fingerprint.hex()


def show_address_on_device(
    account: Account,
    address: str,
    devices: Sequence[HardwareWallet] | None = None,
    *,
    open_client: ClientOpener | None = None,
) -> str:
    """Have the device that signs for ``account`` show ``address`` on its own screen.

    The device derives the address itself from its seed; the wallet's address is only
    trusted when the two are the same (a watch-only file can be changed by whoever can
    write it; the device cannot).

    Args:
        account: a watch-only account with a key origin (``signing_device`` names its device).
        address: the account's address as the wallet shows it.
        devices: the connected devices to choose from (``hardware_wallets()`` when ``None``);
            the one whose fingerprint is the account's is asked.
        open_client: opens the device's HWI client; HWI's ``get_client`` when ``None``.

    Returns:
        The address the device showed: the same as ``address``.

    Raises:
        DeviceAddressMismatch: the device showed another address: use neither.
        Unsupported: this wallet's own seed signs for the account, or no device is known.
        HardwareUnavailable: no connected device holds the account's keys, or it stopped
            answering.
        SigningRefused: the device opened is another seed than the account's.
        SigningCancelled: the person refused on the device.
        WalletError: ``address`` is not one of the account's addresses.
    """
    fingerprint = signing_device(account)
    if fingerprint is None:
        raise Unsupported(
            "No external signer holds this account's keys; this wallet signs for it itself."
        )
    assert isinstance(account, UtxoAccount)  # noqa: S101 - signing_device names UTXO only
    info = account.find_address(address)
    if info is None:
        raise WalletError(f"{address} is not an address of this account.")
    found = hardware_wallets() if devices is None else list(devices)
    device = next((d for d in found if d.fingerprint == fingerprint), None)
    if device is None:
        raise HardwareUnavailable(
            f"No connected hardware wallet holds this account's keys (fingerprint "
            f"{fingerprint}); connect and unlock it, then try again."
        )
    record = account.record
    assert record.path is not None  # noqa: S101 - signing_device checked it
    path = (*record.path, info.chain, info.index)
    net = _utxo_network(record.network.name)
    signer = _open(device, net, open_client)
    try:
        if signer.info.fingerprint.hex() != fingerprint:
            raise SigningRefused(
                f"The device answers with fingerprint {signer.info.fingerprint.hex()}, not "
                f"{fingerprint}: it holds another seed (or another passphrase)."
            )
        with translate_errors():
            shown = signer.display_address(network_params(net), path, account.kind)
    finally:
        _release(signer)
    if shown != address:
        raise DeviceAddressMismatch(
            f"DANGER: the device shows {shown}, but this wallet shows {address}. Do not use "
            "either address: this wallet file or the device is not what it should be.",
            address,
            shown,
        )
    return shown
