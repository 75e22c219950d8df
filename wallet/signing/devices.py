"""The hardware wallets connected to this machine, found through HWI (extra ``coffer[hw]``)."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from wallet.errors import HardwareUnavailable, translate_errors

__all__ = ["HardwareWallet", "hardware_wallets"]


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


def hardware_wallets() -> list[HardwareWallet]:
    """Return the hardware wallets connected now (an empty list when there is none).

    Raises:
        HardwareUnavailable: HWI is not installed, or cannot look for devices (no libusb).
    """
    if importlib.util.find_spec("hwilib") is None:
        raise HardwareUnavailable("Hardware wallets need HWI: pip install 'coffer[hw]'.")
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
