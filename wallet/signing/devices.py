"""The hardware wallets connected to this machine, found and asked through HWI (``coffer[hw]``).

- ``hardware_wallets`` lists the devices (HWI's enumerate).
- ``export_from_device`` asks a device for an account's extended public key, for a
  watch-only wallet (``Wallet.create_watch_only``) whose key origin then names the device.
- ``signing_device`` says which device (by master fingerprint) signs for an account,
  ``devices_for_account`` which of the connected devices hold one of its keys, and
  ``show_address_on_device`` has that device show an address on its own screen and checks it
  is the one the wallet computed; for a sorted multisig policy account, the connected device
  holding one of its keys shows the multisig address (HWI's ``display_multisig_address``).
- ``sign_on_device`` has that device sign a draft of the account, with the same
  ``SigningContext`` the account's own signing builds (``wallet.utxo.signing.signing_context``),
  and returns the PSBT with its signatures; ``UtxoAccount.import_signed`` then finishes it
  (at once for a single key; for a multisig with the other cosigners' PSBTs).

Each call opens the device's HWI client (``open_client``: HWI's ``get_client`` unless a
caller, such as a test without a device, passes its own) and releases it before returning.
The keys never leave the device; nothing here sees a secret.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chains.registry import ScriptKind, UtxoNetwork, get_network
from keystore.bip32 import HARDENED
from keystore.signers.base import PromptHandler
from wallet.accounts import Account, UtxoAccount
from wallet.errors import (
    DeviceAddressMismatch,
    HardwareUnavailable,
    InvalidPolicy,
    SigningRefused,
    Unsupported,
    WalletError,
    translate_errors,
)
from wallet.policy_book import COSIGNER_SCRIPT_TYPES, cosigner_key_text
from wallet.signing.export import format_export, network_params
from wallet.types import Draft
from wallet.utxo.builder import UtxoDraft
from wallet.utxo.signing import signing_context

if TYPE_CHECKING:  # HWI is an optional extra: its types only for the checker
    from keystore.signers.hwi import ClientOpener, HwiSigner

__all__ = [
    "DEVICE_NETWORKS",
    "HardwareWallet",
    "devices_for_account",
    "export_from_device",
    "hardware_wallets",
    "show_address_on_device",
    "sign_on_device",
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
    script: str | None = None,
    open_client: ClientOpener | None = None,
) -> str:
    """Ask a hardware wallet for an account's extended public key, as a signer's export.

    The text is what ``Wallet.create_watch_only`` (or ``AccountBook.import_export``) takes;
    a descriptor carries the device's master fingerprint as its key origin, so the wallet
    knows which device signs for the account (``signing_device``).

    With ``script="wsh"`` the device's multisig cosigner key is asked for instead: BIP-48
    ``m/48'/coin'/index'/2'``, returned as ``[fp/48h/coinh/indexh/2h]xpub``, the form
    ``w.custody.cosigner_key`` gives and ``w.custody.create_multisig`` takes (``kind`` and ``fmt``
    are then not used). Taproot multisig (``tr``) is not offered: HWI's devices do not sign
    it.

    Args:
        device: a device ``hardware_wallets`` found.
        network: a Bitcoin network HWI speaks (``bitcoin``, ``bitcoin-testnet``, ...).
        index: the account number (BIP-44 account).
        kind: ``p2wpkh`` (the network's default), ``p2tr``, ``p2sh-p2wpkh`` or ``p2pkh``.
        fmt: one of ``wallet.signing.export.EXPORT_FORMATS``.
        script: ``wsh`` for the BIP-48 multisig cosigner key; ``None`` for an account.
        open_client: opens the device's HWI client; HWI's ``get_client`` when ``None``.

    Returns:
        The export, in ``fmt`` (the cosigner key expression with ``script``).

    Raises:
        HardwareUnavailable: HWI is missing, or the device is locked, gone or not answering.
        Unsupported: a network the device cannot be asked about through HWI.
        SigningCancelled: the person refused on the device.
        InvalidPolicy: a ``script`` other than ``wsh``.
        WalletError: an unknown kind or format, or an index out of range.
    """
    net = _utxo_network(network)
    if script is not None:
        return _cosigner_key_from_device(device, net, index, script, open_client)
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


def _cosigner_key_from_device(
    device: HardwareWallet,
    net: UtxoNetwork,
    index: int,
    script: str,
    open_client: ClientOpener | None,
) -> str:
    if script != "wsh":
        raise InvalidPolicy(
            f"Hardware wallets give multisig keys for wsh (sorted multisig) only; not {script!r}."
        )
    if not 0 <= index < HARDENED:
        raise InvalidPolicy(f"The account number {index} is out of range.")
    path = (
        48 + HARDENED,
        net.coin_type + HARDENED,
        index + HARDENED,
        COSIGNER_SCRIPT_TYPES[script] + HARDENED,
    )
    signer = _open(device, net, open_client)
    try:
        with translate_errors():
            export = signer.export_account(network_params(net), path, "p2wsh")
    finally:
        _release(signer)
    return cosigner_key_text(export, net)


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


@contextmanager
def _device_holding(
    fingerprints: set[str],
    devices: Sequence[HardwareWallet] | None,
    network: str,
    open_client: ClientOpener | None,
    missing: str,
) -> Iterator[tuple[HwiSigner, UtxoNetwork]]:
    """Open the connected device whose fingerprint is one of ``fingerprints``; release it after.

    The device must answer with that fingerprint: another seed (or passphrase) on it is
    refused before it is asked anything.

    Raises:
        HardwareUnavailable: no connected device has one of the fingerprints (``missing``
            says so), or it stopped answering.
        Unsupported: ``network`` is not Bitcoin-family.
        SigningRefused: the device opened holds another seed.
    """
    found = hardware_wallets() if devices is None else list(devices)
    device = next((d for d in found if d.fingerprint in fingerprints), None)
    if device is None:
        raise HardwareUnavailable(missing)
    net = _utxo_network(network)
    signer = _open(device, net, open_client)
    try:
        if signer.info.fingerprint.hex() != device.fingerprint:
            raise SigningRefused(
                f"The device answers with fingerprint {signer.info.fingerprint.hex()}, not "
                f"{device.fingerprint}: it holds another seed (or another passphrase)."
            )
        yield signer, net
    finally:
        _release(signer)


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

    For a policy account (sorted multisig in ``wsh()`` or ``sh(wsh())``), the connected
    device whose fingerprint is one of the policy's keys shows the multisig address it builds
    from every cosigner's key at that address (their origins and paths).

    Args:
        account: a watch-only account with a key origin (``signing_device`` names its device),
            or a multisig policy account one of whose keys a connected device holds.
        address: the account's address as the wallet shows it.
        devices: the connected devices to choose from (``hardware_wallets()`` when ``None``);
            the one whose fingerprint is the account's is asked.
        open_client: opens the device's HWI client; HWI's ``get_client`` when ``None``.

    Returns:
        The address the device showed: the same as ``address``.

    Raises:
        DeviceAddressMismatch: the device showed another address: use neither.
        Unsupported: this wallet's own seed signs for the account, or no device is known; a
            policy other than sorted multisig in wsh()/sh(wsh()).
        HardwareUnavailable: no connected device holds the account's keys, or it stopped
            answering.
        SigningRefused: the device opened is another seed than the account's.
        SigningCancelled: the person refused on the device.
        WalletError: ``address`` is not one of the account's addresses.
    """
    if isinstance(account, UtxoAccount) and account.is_policy:
        return _show_policy_address(account, address, devices, open_client)
    fingerprint = signing_device(account)
    if fingerprint is None:
        raise Unsupported(
            "No external signer holds this account's keys; this wallet signs for it itself."
        )
    assert isinstance(account, UtxoAccount)  # noqa: S101 - signing_device names UTXO only
    info = account.find_address(address)
    if info is None:
        raise WalletError(f"{address} is not an address of this account.")
    record = account.record
    assert record.path is not None  # noqa: S101 - signing_device checked it
    path = (*record.path, info.chain, info.index)
    missing = (
        f"No connected hardware wallet holds this account's keys (fingerprint "
        f"{fingerprint}); connect and unlock it, then try again."
    )
    name = record.network.name
    with (
        _device_holding({fingerprint}, devices, name, open_client, missing) as (signer, net),
        translate_errors(),
    ):
        shown = signer.display_address(network_params(net), path, account.kind)
    return _same_address(shown, address)


def _same_address(shown: str, address: str) -> str:
    if shown != address:
        raise DeviceAddressMismatch(
            f"DANGER: the device shows {shown}, but this wallet shows {address}. Do not use "
            "either address: this wallet file or the device is not what it should be.",
            address,
            shown,
        )
    return shown


def _show_policy_address(
    account: UtxoAccount,
    address: str,
    devices: Sequence[HardwareWallet] | None,
    open_client: ClientOpener | None,
) -> str:
    info = account.find_address(address)
    if info is None:
        raise WalletError(f"{address} is not an address of this account.")
    fingerprints = {k.fingerprint for k in account.policy().keys if k.fingerprint}
    missing = (
        "No connected hardware wallet holds a key of this policy (fingerprints "
        f"{', '.join(sorted(fingerprints))}); connect and unlock one, then try again."
    )
    name = account.record.network.name
    with (
        _device_holding(fingerprints, devices, name, open_client, missing) as (signer, net),
        translate_errors(),
    ):
        shown = signer.display_policy_address(
            network_params(net), account.descriptor(), info.chain, info.index
        )
    return _same_address(shown, address)


def _account_fingerprints(account: Account) -> set[str]:
    """Return the master fingerprints (hex) of the external signers holding the account's keys.

    Raises:
        Unsupported: no device can hold them: this wallet's own seed signs for the
            single-key account, or it was imported without a key origin, or it is not a
            Bitcoin-family account.
    """
    if isinstance(account, UtxoAccount) and account.is_policy:
        return {k.fingerprint for k in account.policy().keys if k.fingerprint}
    fingerprint = signing_device(account)
    if fingerprint is None:
        raise Unsupported(
            "No hardware wallet holds this account's keys: this wallet signs for it itself, "
            "or the account was imported without its key origin."
        )
    return {fingerprint}


def devices_for_account(
    account: Account, devices: Sequence[HardwareWallet]
) -> list[HardwareWallet]:
    """Return the devices among ``devices`` that hold a key of ``account`` (by fingerprint).

    A single-key watch-only account's device is the one its key origin names; for a policy
    account, any device whose fingerprint is one of the policy's keys. An account no device
    can sign for (this wallet's own keys, an xpub without origin, an EVM account) has none.
    """
    try:
        fingerprints = _account_fingerprints(account)
    except Unsupported:
        return []
    return [d for d in devices if d.fingerprint in fingerprints]


def sign_on_device(
    account: Account,
    draft: Draft,
    prompt: PromptHandler | None = None,
    devices: Sequence[HardwareWallet] | None = None,
    *,
    open_client: ClientOpener | None = None,
) -> bytes:
    """Have the connected hardware wallet that holds a key of ``account`` sign ``draft``.

    The device gets the ``SigningContext`` the account's own signing uses (network, account
    path or the policy's descriptor, the draft's summary as ``expected``, the prompt, the fee
    cap): the host reviews the PSBT first (a draft it would refuse never reaches the device),
    then the device shows it on its own screen and signs. Only its signatures are taken back.

    Finish with ``account.import_signed(draft, psbt)``: a single-key transaction is then
    complete; a multisig one needs the other cosigners' PSBTs too
    (``account.import_signed(draft, psbt, *others)``; ``SignaturesMissing`` says how many).

    Args:
        account: a watch-only account whose key origin names the device, or a sorted
            multisig policy account one of whose keys a connected device holds.
        draft: a draft of ``account`` (``prepare_send``, ``Wallet.draft_of_psbt``).
        prompt: asked to confirm the host's review before the device is asked.
        devices: the connected devices to choose from (``hardware_wallets()`` when
            ``None``); the first holding a key of the account signs (pass one to choose).
        open_client: opens the device's HWI client; HWI's ``get_client`` when ``None``.

    Returns:
        The draft's PSBT (binary) with the device's signatures added.

    Raises:
        Unsupported: this wallet's own seed signs for the account, or no device can be named
            (an xpub without key origin), or a network HWI does not speak.
        HardwareUnavailable: HWI is missing; no connected device holds a key of the account;
            the device is locked, was unplugged or stopped answering.
        SigningRefused: the device opened holds another seed; the host's review refused the
            draft; the device returned another transaction or no signature.
        SigningCancelled: the person declined (at the prompt or on the device).
        FeeTooHigh: the fee is above the draft's cap.
        WalletError: the draft is not this account's.
    """
    fingerprints = _account_fingerprints(account)
    assert isinstance(account, UtxoAccount)  # noqa: S101 - only UTXO accounts have fingerprints
    context = signing_context(account.context, draft, prompt)
    missing = (
        "No connected hardware wallet holds a key of this account (fingerprint "
        f"{', '.join(sorted(fingerprints))}); connect and unlock it, then try again."
    )
    name = account.record.network.name
    with _device_holding(fingerprints, devices, name, open_client, missing) as (signer, _):
        assert isinstance(draft, UtxoDraft)  # noqa: S101 - signing_context checked it
        with translate_errors():
            return signer.sign_psbt(draft.psbt, context)
