"""Policy accounts of a wallet: cosigner keys out, multisig and descriptor policies in.

``Custody.cosigner_key``, ``create_multisig`` and ``create_policy_account`` (``w.custody``)
call this. A policy account stores its canonical multipath descriptor (schema v10
``accounts.descriptor``) and nothing else: every address, script and key origin is derived
from it again (``wallet.utxo.policy_scripts``).

Cosigner keys follow BIP-48: ``m/48'/coin'/account'/2'`` for P2WSH multisig. For taproot
multisig there is no ratified path; Coffer uses BIP-48 with script type 3
(``m/48'/coin'/account'/3'``), as Sparrow does, rather than BIP-87 (one path for every
script type), so a taproot and a P2WSH setup of the same account number never share a key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from chains.registry import UtxoNetwork, get_network
from keystore.bip32 import HARDENED
from keystore.keystore import Keystore
from keystore.signers.base import Signer
from keystore.types import AccountExport
from primitives.descriptors import Descriptor, ExtendedKey, MusigKey
from wallet.accounts import Account, UtxoAccount
from wallet.errors import (
    AccountExists,
    InvalidPolicy,
    PolicyWithoutOwnKey,
    WalletError,
    WatchOnly,
    translate_errors,
)
from wallet.signing.export import network_params
from wallet.storage.accounts import AccountStore, NewAccount
from wallet.types import AccountRecord, PolicyKind
from wallet.utxo.policy import (
    is_coldcard_file,
    multisig_descriptor,
    parse_coldcard,
    read_policy,
)

__all__ = ["COSIGNER_SCRIPT_TYPES", "PolicyBook", "cosigner_key_text"]

COSIGNER_SCRIPT_TYPES = {"wsh": 2, "tr": 3}
"""BIP-48's script type (the fourth path level) per multisig script."""

_EXPORT_SCRIPTS = {"wsh": "p2wsh", "tr": "p2tr-script"}


def cosigner_key_text(export: AccountExport, net: UtxoNetwork) -> str:
    """Return a cosigner's key expression ``[fp/48h/coinh/indexh/2h]xpub`` from its export.

    The one writer of the form ``create_multisig`` reads, for a seed (``cosigner_key``) and
    for a hardware wallet (``export_from_device(..., script="wsh")``).
    """
    steps = "".join(f"/{i - HARDENED}h" for i in export.path)
    return f"[{export.fingerprint.hex()}{steps}]{export.key.serialize(net.standard_xkey.public)}"


class PolicyBook:
    """Create policy accounts and give out this wallet's cosigner keys."""

    def __init__(
        self,
        store: AccountStore,
        watch_only: bool,
        unseal: Callable[[], Keystore],
        signer: Callable[[], Signer],
        load: Callable[[AccountRecord], Account],
    ) -> None:
        """Bind to the wallet's account rows, its keystore and signer, and its account cache."""
        self._store = store
        self._watch_only = watch_only
        self._unseal = unseal
        self._signer = signer
        self._load = load

    @staticmethod
    def _network(network: str) -> UtxoNetwork:
        with translate_errors():
            net = get_network(network)
        if not isinstance(net, UtxoNetwork):
            raise InvalidPolicy(f"{net.title} has no script policies (it is not Bitcoin-family).")
        return net

    def cosigner_key(self, network: str, index: int = 0, script: str = "wsh") -> str:
        """Return this wallet's key expression for a multisig: ``[fp/48h/coinh/indexh/2h]xpub``.

        Raises:
            WatchOnly: the wallet holds no seed.
            InvalidPolicy: a script other than ``wsh`` or ``tr``, or an index out of range.
        """
        if self._watch_only:
            raise WatchOnly("This wallet is watch-only: it has no key to cosign with.")
        net = self._network(network)
        if script not in COSIGNER_SCRIPT_TYPES:
            raise InvalidPolicy(f"Cosigner keys are for wsh or tr multisig; not {script!r}.")
        if not 0 <= index < HARDENED:
            raise InvalidPolicy(f"The account number {index} is out of range.")
        path = (
            48 + HARDENED,
            net.coin_type + HARDENED,
            index + HARDENED,
            COSIGNER_SCRIPT_TYPES[script] + HARDENED,
        )
        with translate_errors():
            export = self._signer().export_account(
                network_params(net), path, _EXPORT_SCRIPTS[script]
            )
        return cosigner_key_text(export, net)

    def create_multisig(
        self,
        network: str,
        threshold: int,
        cosigners: Sequence[str],
        script: str = "wsh",
        label: str = "",
    ) -> UtxoAccount:
        """Add an M-of-N sorted multisig account from every cosigner's key export.

        Raises:
            InvalidPolicy: see ``wallet.utxo.policy.multisig_descriptor``.
            PolicyWithoutOwnKey: a wallet with a seed whose key is not among the cosigners.
            AccountExists: the wallet has this policy already.
        """
        net = self._network(network)
        return self._add(net, multisig_descriptor(net, threshold, cosigners, script), label)

    def create_policy_account(self, network: str, policy: str, label: str = "") -> UtxoAccount:
        """Add a policy account from a descriptor, BIP-388 JSON or Coldcard multisig file.

        Raises:
            InvalidPolicy: a bad checksum, a key of another network, miniscript that is not
                sane, no ``<0;1>`` branches, or a shape the wallet does not spend.
            PolicyWithoutOwnKey: a wallet with a seed holding none of the policy's keys.
            AccountExists: the wallet has this policy already.
        """
        net = self._network(network)
        if is_coldcard_file(policy):
            name, descriptor = parse_coldcard(net, policy)
            label = label or name
        else:
            descriptor = read_policy(net, policy)
        return self._add(net, descriptor, label)

    def _own_fingerprint(self, descriptor: Descriptor) -> bytes | None:
        """Return this seed's fingerprint if the policy holds one of its keys (proven).

        A key naming our fingerprint must be the key our seed derives at its origin path:
        otherwise whoever wrote the policy put a foreign key under our name.

        Raises:
            PolicyWithoutOwnKey: a seed wallet and no key of the policy is its.
        """
        if self._watch_only:
            return None
        keystore = self._unseal()
        fingerprint = keystore.fingerprint
        found = False
        # A musig() key's participants are keys of the policy too (BIP-390): this wallet's
        # may be only there (the MuSig2 cosigner without the fallback leaf).
        named = descriptor.keys()
        keys = [
            part
            for key in named
            for part in (key.participants if isinstance(key, MusigKey) else (key,))
        ]
        for key in keys:
            if not isinstance(key, ExtendedKey) or key.origin is None:
                continue
            if key.origin.fingerprint != fingerprint:
                continue
            with translate_errors():
                ours = keystore.account_key(key.origin.path)
            if ours.public_key != key.public_key or ours.chain_code != key.chain_code:
                raise InvalidPolicy(
                    f"The key [{key.origin.text()}] names this wallet's fingerprint but is not "
                    "the key this wallet has at that path."
                )
            found = True
        if not found:
            raise PolicyWithoutOwnKey(
                f"None of this policy's keys is this wallet's (fingerprint {fingerprint.hex()}): "
                "add it in a watch-only wallet, or include this wallet's cosigner key."
            )
        return fingerprint

    def _add(self, net: UtxoNetwork, descriptor: Descriptor, label: str) -> UtxoAccount:
        text = str(descriptor)
        for record in self._store.all(net):
            if record.kind is PolicyKind.POLICY and record.descriptor == text:
                raise AccountExists(
                    f"This policy is already the policy account {record.index}"
                    + (f" ({record.label!r})" if record.label else "")
                    + f" on {net.title}; nothing was added.",
                    record.id,
                    record.index,
                )
        fingerprint = self._own_fingerprint(descriptor)
        new = NewAccount(
            net,
            None,
            PolicyKind.POLICY,
            None,
            None,
            fingerprint,
            watch_only=fingerprint is None,
            label=label,
            descriptor=text,
        )
        account = self._load(self._store.add(new))
        if not isinstance(account, UtxoAccount):  # pragma: no cover - a UTXO network's record
            raise WalletError("The policy account could not be loaded.")
        return account
