"""Hardware wallets through HWI (``coffer[hw]``): Trezor, Ledger, Coldcard, BitBox02, Jade.

One module translates between HWI and Coffer, at its edge:

- **PSBTs.** hwilib's PSBT parser accepts several invalid BIP-174/370 PSBTs and reads a
  PSBTv2's transaction version 2 as 1 (DESIGN.md). So a PSBT is parsed and checked by
  Coffer's own parser before HWI sees it, handed over as version 0, and what the device
  returns is parsed again by Coffer's parser and must be the very transaction sent, with
  signatures added.
- **Keys and addresses.** ``export_account`` asks the device for the extended public key
  at the account path and returns it with the device's master fingerprint;
  ``display_address`` shows the address on the device's own screen and returns it, and
  ``display_policy_address`` a multisig address (HWI's ``display_multisig_address``).
- **Multisig.** HWI 3.x signs ``wsh(sortedmulti(...))`` and ``sh(wsh(sortedmulti(...)))``
  inputs through the same ``sign_tx``: the PSBT carries the witness script and every
  cosigner's BIP-32 derivation (Trezor and BitBox02 rebuild the multisig from them; Coldcard
  and Jade check it against the multisig registered on the device, the Coldcard file of
  ``UtxoAccount.policy_export("coldcard")``). The host reviews the PSBT against the
  registered descriptor as the hot signer does (``policy_review``), checks the device holds
  the policy's key under its fingerprint, and keeps from the answer only signatures it
  verified itself. Any other policy (miniscript, taproot, MuSig2) is refused before the
  device is asked.
- **Errors.** ``device_errors`` turns HWI's exceptions (and the USB layer's ``OSError``) into
  Coffer's: a device unplugged mid-signing or not answering is ``HardwareUnavailable``, a
  refusal on the device ``SigningCancelled``, an action the device lacks
  ``UnsupportedCapability``.

HWI speaks Bitcoin (main, testnet, signet, regtest) only; other networks are refused before
the device is asked. The keys never leave the device; nothing here sees a secret.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Protocol

from hwilib import commands as hwi_commands
from hwilib import errors as hwi_errors
from hwilib.common import AddressType, Chain
from hwilib.hwwclient import HardwareWalletClient
from hwilib.psbt import PSBT as HwiPsbt

from keystore.bip32 import ExtendedPublicKey, format_path
from keystore.errors import (
    HardwareUnavailable,
    InvalidPsbt,
    KeyMismatch,
    NothingToSign,
    SigningCancelled,
    SigningRefused,
)
from keystore.signers.accounts import POLICY_SCRIPTS, check_account_path, script_kind
from keystore.signers.airgap import read_psbt_bytes
from keystore.signers.base import (
    Capability,
    SignerInfo,
    SignerKind,
    SigningContext,
    UnsupportedCapability,
)
from keystore.signers.hwi_multisig import hardware_multisig, multisig_to_show
from keystore.signers.message_signer import utxo_key_kind
from keystore.signers.policy_review import (
    accept_added_signatures,
    confirm_policy_review,
    own_policy_keys,
    review_policy_psbt,
)
from keystore.signers.utxo_review import review_psbt
from keystore.types import (
    AccountExport,
    EvmParams,
    EvmTxRequest,
    MessageFormat,
    MessageRequest,
    MessageSignature,
    SignedEvmTx,
    UtxoParams,
)
from primitives.descriptors import Descriptor
from primitives.psbt import Psbt, PsbtError
from primitives.script import KeyScriptKind

__all__ = [
    "ClientOpener",
    "HardwareUnavailable",
    "HwiDevice",
    "HwiSigner",
    "device_errors",
    "enumerate_devices",
    "psbt_from_hwi",
    "psbt_to_hwi",
]

_CHAINS = {
    "bitcoin": Chain.MAIN,
    "bitcoin-testnet": Chain.TEST,
    "bitcoin-signet": Chain.SIGNET,
    "bitcoin-regtest": Chain.REGTEST,
}
_ADDRESS_TYPES = {
    KeyScriptKind.P2PKH: AddressType.LEGACY,
    KeyScriptKind.P2SH_P2WPKH: AddressType.SH_WIT,
    KeyScriptKind.P2WPKH: AddressType.WIT,
    KeyScriptKind.P2TR: AddressType.TAP,
}


@dataclass(frozen=True, slots=True)
class HwiDevice:
    """A device HWI found: its type, model, USB path and master fingerprint (if unlocked)."""

    type: str
    model: str
    path: str
    fingerprint: bytes | None
    needs_pin: bool = False
    needs_passphrase: bool = False
    error: str = ""


class ClientOpener(Protocol):
    """What opens a device's HWI client: ``hwilib.commands.get_client`` and its signature.

    The one seam of this module: a test without a device passes a function that returns a
    stand-in ``HardwareWalletClient``; everything after the client is the product's code.
    """

    def __call__(
        self, device_type: str, device_path: str, password: str, expert: bool, chain: Chain
    ) -> HardwareWalletClient | None:
        """Return the client of the device at ``device_path`` (``None``: unknown type)."""
        ...


@contextmanager
def device_errors(what: str) -> Iterator[None]:
    """Turn HWI's and the USB layer's errors raised in the block into Coffer's (see module).

    Raises:
        HardwareUnavailable: not connected, unplugged meanwhile, locked, busy.
        SigningCancelled: the person refused on the device.
        UnsupportedCapability: the device cannot do this.
        SigningRefused: any other refusal of the device.
    """
    try:
        yield
    except hwi_errors.ActionCanceledError:
        raise SigningCancelled(f"You refused on the device; nothing was {what}.") from None
    except (hwi_errors.UnavailableActionError, NotImplementedError) as err:
        raise UnsupportedCapability(f"This device cannot do that: {err}", Capability.UTXO) from None
    except (
        hwi_errors.DeviceConnectionError,
        hwi_errors.DeviceNotReadyError,
        hwi_errors.DeviceBusyError,
        hwi_errors.NoPasswordError,
        hwi_errors.DeviceFailureError,
        OSError,
    ) as err:
        raise HardwareUnavailable(
            f"The hardware wallet stopped answering (unplugged, locked or busy?); nothing "
            f"was {what}: {_text(err)}"
        ) from None
    except hwi_errors.HWWError as err:
        raise SigningRefused(f"The device refused: {_text(err)}") from None


def _text(err: BaseException) -> str:
    if isinstance(err, hwi_errors.HWWError):
        return str(err.get_msg()) or type(err).__name__
    return str(err) or type(err).__name__


def enumerate_devices() -> list[HwiDevice]:
    """Return the hardware wallets connected to this machine (an empty list for none).

    Raises:
        HardwareUnavailable: HWI cannot look for devices (the libusb-1.0 library is missing).
    """
    try:
        found = hwi_commands.enumerate()
    except OSError as err:
        raise HardwareUnavailable(
            f"HWI cannot look for hardware wallets: {err.strerror or err} (install libusb-1.0)."
        ) from None
    devices = []
    for entry in found:
        fingerprint = entry.get("fingerprint")
        devices.append(
            HwiDevice(
                type=str(entry.get("type", "")),
                model=str(entry.get("model", "")),
                path=str(entry.get("path", "")),
                fingerprint=bytes.fromhex(fingerprint) if fingerprint else None,
                needs_pin=bool(entry.get("needs_pin_sent")),
                needs_passphrase=bool(entry.get("needs_passphrase_sent")),
                error=str(entry.get("error", "")),
            )
        )
    return devices


def psbt_to_hwi(psbt: bytes) -> HwiPsbt:
    """Check a PSBT with Coffer's parser and hand it to HWI as a version 0 PSBT.

    Raises:
        InvalidPsbt: Coffer's parser refuses it, or it is a PSBTv2 (HWI misreads those).
    """
    parsed = read_psbt_bytes(psbt)
    if parsed.version != 0:
        raise InvalidPsbt("Hardware wallets are given PSBT version 0; this one is version 2.")
    hw = HwiPsbt()
    try:
        hw.deserialize(base64.b64encode(parsed.serialize()).decode())
    except (hwi_errors.PSBTSerializationError, ValueError) as err:  # pragma: no cover
        raise InvalidPsbt(f"HWI cannot read this PSBT: {err}.") from None
    return hw


def psbt_from_hwi(hw: HwiPsbt) -> Psbt:
    """Read back what HWI returns with Coffer's parser.

    Raises:
        InvalidPsbt: the device's PSBT does not parse (BIP-174).
    """
    return read_psbt_bytes(hw.serialize().encode())


def _path_text(path: tuple[int, ...]) -> str:
    return format_path(path).replace("'", "h")


class HwiSigner:
    """A hardware wallet reached through an HWI client (``hwilib.commands.get_client``).

    Args:
        client: the device client HWI opened (its ``chain`` must be the network's).
        label: how the device is named to the person.
    """

    __slots__ = ("_client", "_info")

    def __init__(self, client: HardwareWalletClient, label: str = "") -> None:
        """Ask the device for its master fingerprint (it must be connected and unlocked).

        Raises:
            HardwareUnavailable: the device does not answer.
        """
        self._client = client
        with device_errors("read"):
            fingerprint = client.get_master_fingerprint()
        self._info = SignerInfo(
            fingerprint=bytes(fingerprint),
            kind=SignerKind.HARDWARE,
            label=label or "Hardware wallet",
            capabilities=frozenset(
                {
                    Capability.UTXO,
                    Capability.TAPROOT,
                    Capability.DISPLAY_ADDRESS,
                    Capability.MESSAGE_SIGNING,
                    Capability.POLICY,
                }
            ),
        )

    @classmethod
    def open(
        cls,
        device: HwiDevice,
        network: UtxoParams | EvmParams,
        password: str = "",
        *,
        get_client: ClientOpener | None = None,
    ) -> HwiSigner:
        """Open a device ``enumerate_devices`` found, for a Bitcoin network.

        Args:
            device: the device.
            network: the network the client is opened for (HWI's ``chain``).
            password: the device's passphrase, for devices that take it from the host.
            get_client: opens the client; ``hwilib.commands.get_client`` when ``None``.

        Raises:
            UnsupportedCapability: a network HWI does not speak.
            HardwareUnavailable: the device is gone or locked.
        """
        chain = _chain(network)
        with device_errors("opened"):
            opener: ClientOpener = get_client or hwi_commands.get_client
            client = opener(device.type, device.path, password, False, chain)
        if client is None:  # pragma: no cover - HWI returns None for an unknown type
            raise HardwareUnavailable(f"HWI does not know the device type {device.type!r}.")
        return cls(client, f"{device.model or device.type}")

    def __repr__(self) -> str:
        return f"<HwiSigner {self._info.fingerprint.hex()}>"

    @property
    def info(self) -> SignerInfo:
        """Return the device's fingerprint, kind and capabilities."""
        return self._info

    def close(self) -> None:
        """Release the device."""
        with device_errors("closed"):
            self._client.close()

    def _check_network(self, network: UtxoParams | EvmParams) -> UtxoParams:
        chain = _chain(network)
        if self._client.chain is not chain:
            raise SigningRefused(
                f"The device was opened for {self._client.chain}, not for {network.title}."
            )
        assert isinstance(network, UtxoParams)  # noqa: S101 - _chain refused EVM
        return network

    def sign_psbt(self, psbt: bytes, ctx: SigningContext) -> bytes:
        """Review the PSBT here, then have the device show it, ask, and sign.

        The host's own review (summary, change, fee cap, expected summary) runs first with
        the account key the device reports, so a draft the host would refuse never reaches
        the device; the device then shows the transaction on its own screen.

        Raises:
            UnsupportedCapability: a policy other than sorted multisig in ``wsh()`` or
                ``sh(wsh())``, refused before the device is asked.
            PsbtRefused: the host review refused it (see ``review_psbt`` and, for a policy,
                ``review_policy_psbt``).
            KeyMismatch: the device holds another key than the policy's under its
                fingerprint.
            HardwareUnavailable: the device was unplugged or stopped answering.
            SigningCancelled: refused on the device.
            SigningRefused: the device returned another transaction, no signature, or (for a
                policy) a signature that is not its own key's over an input it was asked to
                sign.
        """
        self._check_network(ctx.network)
        if ctx.policy is not None:
            return self._sign_policy_psbt(psbt, ctx)
        sent = read_psbt_bytes(psbt)
        account = self._account_key(ctx.account_path)
        review = review_psbt(sent, self._info.fingerprint, account, ctx)
        if ctx.prompt is not None and not ctx.prompt.confirm_transaction(review.summary):
            raise SigningCancelled("The transaction was not approved, so nothing was signed.")
        hw = psbt_to_hwi(psbt)
        with device_errors("signed"):
            result = self._client.sign_tx(hw)
        back = psbt_from_hwi(result)
        try:
            same = back.unsigned_tx().txid == sent.unsigned_tx().txid
        except PsbtError as err:
            raise InvalidPsbt(f"The device's PSBT cannot be read: {err}.") from None
        if not same:
            raise SigningRefused("The device returned another transaction than the one sent.")
        added = [
            n
            for n, (a, b) in enumerate(zip(sent.inputs, back.inputs, strict=True))
            if len(b.partial_sigs) > len(a.partial_sigs)
            or (b.tap_key_sig is not None and a.tap_key_sig is None)
        ]
        if not added:
            raise SigningRefused("The device returned the PSBT without a signature.")
        # Only the signatures are taken from the device: every other field stays as sent.
        inputs = list(sent.inputs)
        for n in added:
            inputs[n] = replace(
                inputs[n],
                partial_sigs=back.inputs[n].partial_sigs,
                tap_key_sig=back.inputs[n].tap_key_sig,
            )
        return replace(sent, inputs=tuple(inputs)).serialize()

    def _sign_policy_psbt(self, psbt: bytes, ctx: SigningContext) -> bytes:
        # The form is checked first: nothing about a policy HWI cannot sign reaches the
        # device. Then the host's own review (the hot signer's, one copy): every input the
        # device will sign is re-derived from the registered descriptor, never taken from
        # the PSBT's witness script, and change is proven the same way.
        descriptor, _ = hardware_multisig(ctx, self._info.label)
        sent = read_psbt_bytes(psbt)
        review = review_policy_psbt(sent, self._info.fingerprint, ctx)
        self._check_policy_keys(descriptor)
        confirm_policy_review(review, ctx)
        hw = psbt_to_hwi(psbt)
        with device_errors("signed"):
            result = self._client.sign_tx(hw)
        # The device is not trusted to have signed only what it was asked, or with the key
        # the policy names: each record it added is verified here, and only those are kept.
        return accept_added_signatures(
            sent, psbt_from_hwi(result), review, self._info.label
        ).serialize()

    def _check_policy_keys(self, descriptor: Descriptor) -> None:
        """Require the device's key at each origin of its fingerprint to be the policy's.

        Raises:
            NothingToSign: no key of the policy names the device's fingerprint.
            KeyMismatch: the device derives another key there (another seed or passphrase
                that happens to share the fingerprint, or a forged policy).
        """
        keys = own_policy_keys(descriptor, self._info.fingerprint)
        if not keys:
            raise NothingToSign(
                f"The policy holds no key of {self._info.label} (fingerprint "
                f"{self._info.fingerprint.hex()})."
            )
        for key in keys:
            assert key.origin is not None  # noqa: S101 - own_policy_keys keeps keys with origins
            device_key = self._account_key(key.origin.path)
            if (device_key.public_key, device_key.chain_code) != (key.public_key, key.chain_code):
                raise KeyMismatch(
                    f"{self._info.label} holds another key at {format_path(key.origin.path)} "
                    "than the policy names under its fingerprint: nothing was signed."
                )

    def display_policy_address(
        self, network: UtxoParams | EvmParams, policy: str, branch: int, index: int
    ) -> str:
        """Show a multisig address of ``policy`` on the device's screen; return what it showed.

        HWI's ``display_multisig_address`` is given the keys the descriptor derives at
        ``(branch, index)``, each with its full origin (fingerprint and path): the device
        finds its own among them, derives it itself and builds the address.

        Args:
            network: the policy's network.
            policy: the registered descriptor (``<0;1>`` branches).
            branch: 0 for receive, 1 for change.
            index: the address index.

        Raises:
            UnsupportedCapability: a network HWI does not speak, or a policy other than sorted
                multisig in ``wsh()`` or ``sh(wsh())``.
            NothingToSign: no key of the policy is the device's.
            ForeignKeyPath: the policy has no address at ``(branch, index)``.
            HardwareUnavailable, SigningCancelled: see ``device_errors``.
        """
        params = self._check_network(network)
        ctx = SigningContext(params, (), policy=policy)
        descriptor, threshold = hardware_multisig(ctx, self._info.label)
        if not own_policy_keys(descriptor, self._info.fingerprint):
            raise NothingToSign(
                f"The policy holds no key of {self._info.label} (fingerprint "
                f"{self._info.fingerprint.hex()}): it cannot show its addresses."
            )
        kind, multisig = multisig_to_show(descriptor, threshold, branch, index)
        with device_errors("shown"):
            return str(self._client.display_multisig_address(kind, multisig))

    def sign_evm(self, tx: EvmTxRequest, ctx: SigningContext) -> SignedEvmTx:
        """Refuse: HWI signs Bitcoin transactions only.

        Raises:
            UnsupportedCapability: always, before the device is asked.
        """
        raise UnsupportedCapability(
            f"{self._info.label} (through HWI) cannot sign EVM transactions.", Capability.EVM
        )

    def sign_message(self, request: MessageRequest, ctx: SigningContext) -> MessageSignature:
        """Sign a message on the device in the legacy format (BIP-137), the one HWI offers.

        Raises:
            SigningRefused: another format, another network, or the device's signature is
                for another address.
            HardwareUnavailable, SigningCancelled: see ``device_errors``.
        """
        network = self._check_network(ctx.network)
        if request.network != network.name:
            raise SigningRefused(
                f"The request is for {request.network}; this signer was given {network.name}."
            )
        if request.format is not MessageFormat.BIP137:
            raise SigningRefused(
                f"{self._info.label} signs messages in the legacy format (BIP-137) only, "
                f"not {request.format.value}."
            )
        # The address must be the key's before the device is asked (the device shows only
        # the message and, on some models, the path).
        utxo_key_kind(request.address, self._account_key(request.path).public_key, network)
        with device_errors("signed"):
            text = self._client.sign_message(request.message, _path_text(request.path))
        try:
            signature = base64.b64decode(text, validate=True)
        except ValueError:
            raise SigningRefused("The device returned a signature that is not Base64.") from None
        return MessageSignature(request.format, signature, text, request.address)

    def _account_key(self, path: tuple[int, ...]) -> ExtendedPublicKey:
        with device_errors("read"):
            extended = self._client.get_pubkey_at_path(_path_text(path))
        key, _ = ExtendedPublicKey.parse(extended.to_string())
        return key

    def export_account(
        self, network: UtxoParams | EvmParams, path: tuple[int, ...], script: str | None
    ) -> AccountExport:
        """Ask the device for the account's extended public key.

        Raises:
            InvalidPath: not an account path of ``network``.
            UnsupportedCapability: a network HWI does not speak.
            HardwareUnavailable: the device does not answer.
        """
        if isinstance(network, UtxoParams) and script in POLICY_SCRIPTS:
            # A cosigner key (BIP-48 ``m/48'/coin'/account'/2'``) for a multisig account.
            check_account_path(network, path)
            self._check_network(network)
            return AccountExport(self._info.fingerprint, path, self._account_key(path), script)
        kind = script_kind(network, script)
        check_account_path(network, path)
        self._check_network(network)
        key = self._account_key(path)
        return AccountExport(
            self._info.fingerprint, path, key, None if kind is None else kind.value
        )

    def display_address(
        self, network: UtxoParams | EvmParams, path: tuple[int, ...], script: str | None
    ) -> str:
        """Show the address at ``path`` on the device's screen; return what it showed.

        Raises:
            UnsupportedCapability: a network HWI does not speak.
            HardwareUnavailable, SigningCancelled: see ``device_errors``.
        """
        kind = script_kind(network, script)
        self._check_network(network)
        assert kind is not None  # noqa: S101 - a UTXO network has a script kind
        with device_errors("shown"):
            return str(
                self._client.display_singlesig_address(_path_text(path), _ADDRESS_TYPES[kind])
            )


def _chain(network: UtxoParams | EvmParams) -> Chain:
    chain = _CHAINS.get(network.name) if isinstance(network, UtxoParams) else None
    if chain is None:
        raise UnsupportedCapability(
            f"Hardware wallets through HWI sign Bitcoin networks only, not {network.title}.",
            Capability.UTXO,
        )
    return chain
