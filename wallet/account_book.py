"""A wallet's accounts: derive them from the seed, import watch-only ones, look them up.

``Wallet.accounts_book`` (and the ``Wallet`` methods of the same names, which call it) is the
one place that decides an account's kind, path and number. It works on the wallet file's
``AccountStore`` and receives what it needs from the wallet: whether the wallet is
watch-only, a way to unseal its keystore, and the factory that turns a stored record into an
``Account``.
"""

from __future__ import annotations

from collections.abc import Callable

from chains.registry import EvmNetwork, Network, ScriptKind, UtxoNetwork, get_network
from keystore.bip32 import HARDENED, ExtendedPublicKey, parse_path
from keystore.keystore import Keystore
from wallet.accounts import Account, EvmAccount, UtxoAccount
from wallet.addresses import AddressCheck, check_address
from wallet.descriptors import parse_descriptor
from wallet.errors import (
    AccountExists,
    AccountNotFound,
    InvalidExtendedKey,
    InvalidPath,
    WalletError,
    translate_errors,
)
from wallet.signing.export import parse_export
from wallet.signing.ur_export import EvmKey
from wallet.storage.accounts import AccountStore, NewAccount
from wallet.types import (
    AccountKind,
    AccountRecord,
    AddressInfo,
    EvmLayout,
    PolicyKind,
    WatchedAddress,
)

__all__ = ["AccountBook"]


class AccountBook:
    """The accounts of one open wallet, by network, number and kind."""

    def __init__(
        self,
        store: AccountStore,
        watch_only: bool,
        unseal: Callable[[], Keystore],
        load: Callable[[AccountRecord], Account],
    ) -> None:
        """Bind to the wallet's account rows.

        Args:
            store: the wallet file's accounts.
            watch_only: whether the wallet holds no seed (it cannot derive accounts).
            unseal: returns the wallet's keystore (``WatchOnly`` when it has none).
            load: returns the ``Account`` of a stored record (the wallet caches them).
        """
        self._store = store
        self._watch_only = watch_only
        self._unseal = unseal
        self._load = load

    def by_id(self, account_id: int) -> Account:
        """Return the account stored under ``account_id``.

        Raises:
            AccountNotFound: no such account in this wallet.
        """
        record = self._store.get(account_id)
        if record is None:
            raise AccountNotFound(f"This wallet has no account {account_id}.")
        return self._load(record)

    def all(self, network: str | None = None) -> list[Account]:
        """Return the wallet's accounts, optionally of one network, in creation order.

        Raises:
            UnknownNetwork: no such network.
        """
        net: Network | None = None
        if network:
            with translate_errors():
                net = get_network(network)
        return [self._load(record) for record in self._store.all(net)]

    def get(
        self, network: str, index: int = 0, kind: str | None = None, *, path: str | None = None
    ) -> Account:
        """Return an account, deriving it from the seed the first time it is asked for.

        See ``Wallet.account`` for the arguments and errors.
        """
        with translate_errors():
            net = get_network(network)
        chosen = _resolve_kind(net, kind)
        if not 0 <= index < HARDENED:
            raise WalletError("The account index runs from 0 to 2^31 - 1.")
        custom = _custom_path(net, path) if path is not None else None
        if custom is not None:
            return self._custom_account(net, chosen, custom)
        found = self._store.find(net, index, chosen)
        if found is not None:
            return self._load(found)
        if chosen is PolicyKind.POLICY:
            raise AccountNotFound(
                f"The wallet has no policy account {index} on {net.title}; add one with "
                "`coffer policy create`, `coffer multisig create` or `coffer recovery create`."
            )
        if self._watch_only:
            raise AccountNotFound(
                f"This watch-only wallet has no {chosen.value} account {index} on {net.title}; "
                "import one first."
            )
        return self._derive_account(net, index, chosen)

    def existing(
        self, network: str, index: int = 0, kind: str | None = None, *, any_kind: bool = False
    ) -> Account:
        """Return an account the wallet has, never deriving one.

        For a command that may still fail: where ``get`` would store a new account first, a
        refusal here changes nothing in the wallet file.

        Args:
            network: a registry name.
            index: the account number.
            kind: the script kind or layout; the network's default when ``None``.
            any_kind: with no ``kind``, take the first account (in creation order) numbered
                ``index``, whatever its kind, instead of the default kind's.

        Raises:
            UnknownNetwork: no such network.
            AccountNotFound: the wallet has no such account (the message says how to add it).
        """
        with translate_errors():
            net = get_network(network)
        chosen = _resolve_kind(net, kind)
        found: AccountRecord | None = None
        if any_kind and kind is None:
            found = next((r for r in self._store.all(net) if r.index == index), None)
        elif 0 <= index < HARDENED:
            found = self._store.find(net, index, chosen)
        if found is None and chosen is PolicyKind.POLICY:
            raise AccountNotFound(
                f"The wallet has no policy account {index} on {net.title}; add one with "
                "`coffer policy create`, `coffer multisig create` or `coffer recovery create`."
            )
        if found is None:
            of_kind = f" of kind {chosen.value}" if kind else ""
            add = f"coffer receive {net.name}" + (f" --account {index}" if index else "")
            add += f" --kind {chosen.value}" if kind else ""
            raise AccountNotFound(
                f"The wallet has no {net.title} account {index}{of_kind}; add it with `{add}`."
            )
        return self._load(found)

    def _custom_account(self, net: Network, kind: AccountKind, path: tuple[int, ...]) -> Account:
        found = self._store.find_by_path(net, kind, path)
        if found is not None:
            return self._load(found)
        if self._watch_only:
            raise AccountNotFound("A watch-only wallet cannot derive accounts.")
        keystore = self._unseal()
        with translate_errors():
            xpub = keystore.account_key(path)
        new = NewAccount(net, None, kind, path, xpub, keystore.fingerprint)
        return self._load(self._store.add_custom(new))

    def _derive_account(self, net: Network, index: int, kind: AccountKind) -> Account:
        keystore = self._unseal()
        child: int | None
        path: tuple[int, ...]
        if isinstance(kind, ScriptKind):
            path = (kind.purpose + HARDENED, net.coin_type + HARDENED, index + HARDENED)
            child = None
        elif kind is EvmLayout.STANDARD:
            path = (44 + HARDENED, net.coin_type + HARDENED, HARDENED, 0)
            child = index
        else:
            path = (44 + HARDENED, net.coin_type + HARDENED, index + HARDENED, 0)
            child = 0
        with translate_errors():
            xpub = keystore.account_key(path)
        return self._add(
            NewAccount(net, index, kind, path, xpub, keystore.fingerprint, evm_child=child)
        )

    def _add(self, new: NewAccount) -> Account:
        return self._load(self._store.add(new))

    def _refuse_known(self, net: UtxoNetwork, kind: AccountKind, xpub: ExtendedPublicKey) -> None:
        """Refuse to import a key the wallet already has as an account of this kind.

        The same key may come as a zpub, an xpub with a kind, or a descriptor: the texts
        differ, the account does not. It is the same when the network and script kind match
        and so do the public key and chain code (what every address derives from); the
        version bytes, depth and origin are only how the key was written down.

        Raises:
            AccountExists: naming the account that has it.
        """
        for record in self._store.all(net):
            key = record.xpub
            if (
                record.kind == kind
                and key is not None
                and key.public_key == xpub.public_key
                and key.chain_code == xpub.chain_code
            ):
                owner = "watch-only account" if record.watch_only else "account"
                named = f" ({record.label!r})" if record.label else ""
                raise AccountExists(
                    f"This key is already the {kind.value} {owner} {record.index}{named} on "
                    f"{net.title}; nothing was imported.",
                    record.id,
                    record.index,
                )

    def import_xpub(
        self, network: str, xpub: str, kind: str | None = None, label: str = ""
    ) -> UtxoAccount:
        """Add a watch-only UTXO account from an xpub (see ``Wallet.import_xpub``)."""
        with translate_errors():
            net = get_network(network)
        if not isinstance(net, UtxoNetwork):
            raise InvalidExtendedKey(f"{net.title} accounts are watched by address, not by xpub.")
        accepted = {v.public: k for k, vs in net.xkeys.items() for v in vs}
        with translate_errors():
            parsed, version = ExtendedPublicKey.parse(xpub.strip(), tuple(accepted))
        implied = _implied_kind(net, version)
        chosen = _resolve_kind(net, kind) if kind else (implied or net.default_kind)
        if chosen is PolicyKind.POLICY:
            raise InvalidExtendedKey(
                "A policy account is made from its descriptor (coffer policy create), not "
                "from one xpub."
            )
        if kind and implied and implied != chosen:
            raise InvalidExtendedKey(
                f"This key's prefix is for {implied.value} accounts, not {chosen.value}."
            )
        self._refuse_known(net, chosen, parsed)
        account = self._add(
            NewAccount(net, None, chosen, None, parsed, None, watch_only=True, label=label)
        )
        assert isinstance(account, UtxoAccount)  # noqa: S101
        return account

    def import_descriptor(self, network: str, descriptor: str, label: str = "") -> UtxoAccount:
        """Add a watch-only UTXO account from a descriptor (see ``Wallet.import_descriptor``)."""
        with translate_errors():
            net = get_network(network)
        if not isinstance(net, UtxoNetwork):
            raise InvalidExtendedKey(
                f"{net.title} accounts are watched by address, not by descriptor."
            )
        versions = tuple({v.public for vs in net.xkeys.values() for v in vs})
        parsed = parse_descriptor(descriptor, versions)
        if parsed.kind not in net.script_kinds:
            raise InvalidExtendedKey(f"{net.title} has no {parsed.kind.value} accounts.")
        self._refuse_known(net, parsed.kind, parsed.xpub)
        new = NewAccount(
            net,
            None,
            parsed.kind,
            parsed.path,
            parsed.xpub,
            parsed.fingerprint,
            watch_only=True,
            label=label,
        )
        account = self._add(new)
        assert isinstance(account, UtxoAccount)  # noqa: S101
        return account

    def import_evm_address(self, network: str, address: str, label: str = "") -> EvmAccount:
        """Add a watch-only EVM account (see ``Wallet.import_evm_address``)."""
        with translate_errors():
            net = get_network(network)
        if not isinstance(net, EvmNetwork):
            raise WalletError(f"{net.title} is not an EVM network.")
        checked = check_address(net, address)
        kind = WatchedAddress.ADDRESS
        new = NewAccount(
            net,
            None,
            kind,
            None,
            None,
            None,
            watch_address=checked.address,
            watch_only=True,
            label=label,
        )
        account = self._add(new)
        assert isinstance(account, EvmAccount)  # noqa: S101
        return account

    def check_address(self, network: str, address: str) -> AddressCheck:
        """Check an address for a network as a person types it: format, checksum, network.

        Unlike ``verify_address`` nothing is derived or stored, so a form may call it on every
        key press; it does not say whether the address is the wallet's.

        Raises:
            UnknownNetwork: no such network.
            InvalidAddress: not an address, or a bad checksum.
            NetworkMismatch: an address of another network (the message names it).
        """
        with translate_errors():
            net = get_network(network)
        return check_address(net, address)

    def import_export(
        self, network: str, text: str, kind: str | None = None, label: str = ""
    ) -> Account:
        """Add a watch-only account from what a signer exported, in any form it writes.

        Args:
            network: the registry name of the account's network.
            text: a descriptor with key origin, an xpub (``zpub``...), Sparrow/Coldcard
                generic JSON, an Electrum wallet file's JSON, or (EVM) an address.
            kind: for a JSON export with several accounts, the script kind to take.
            label: a name for the account.

        Raises:
            InvalidDescriptor: a malformed export or a descriptor with a bad checksum.
            InvalidExtendedKey: a key of another network or account type.
            AccountExists: the wallet has this key already.
        """
        parsed = parse_export(network, text, kind)
        label = label or parsed.label
        if parsed.address is not None:
            return self.import_evm_address(network, parsed.address, label)
        if parsed.evm_key is not None:
            return self._import_evm_key(network, parsed.evm_key, label)
        if parsed.descriptor is not None:
            return self.import_descriptor(network, parsed.descriptor, label)
        return self.import_xpub(network, parsed.xpub or "", kind, label)

    def _import_evm_key(self, network: str, key: EvmKey, label: str) -> Account:
        """Add a watch-only EVM account whose key origin is known (it can be signed for)."""
        with translate_errors():
            net = get_network(network)
            chain_key = key.key.child(0)  # m/44'/60'/0'/0: the standard layout's chain
        if not isinstance(net, EvmNetwork):
            raise WalletError(f"{net.title} is not an EVM network.")
        new = NewAccount(
            net,
            None,
            EvmLayout.STANDARD,
            (*key.path, 0),
            chain_key,
            key.fingerprint,
            evm_child=key.child,
            watch_only=True,
            label=label,
        )
        return self._add(new)

    def verify_address(self, network: str, address: str) -> AddressCheck:
        """Check an address and say whether it is this wallet's (see ``Wallet.verify_address``)."""
        with translate_errors():
            net = get_network(network)
        check = check_address(net, address)
        for account in self.all(net.name):
            owner = _owner(account, check.address)
            if owner is not None:
                return check.with_owner(account.id, owner)
        if self._watch_only:
            return check
        # Not among the accounts in use: look in the first account of the address's kind, as
        # a wallet restored from the seed would.
        if isinstance(net, UtxoNetwork):
            kind = _KIND_OF_ADDRESS.get(check.kind)
            if kind is None or kind not in net.script_kinds:
                return check
            account = self.get(net.name, 0, kind.value)
        else:
            account = self.get(net.name, 0)
        owner = _owner(account, check.address)
        return check.with_owner(account.id, owner) if owner is not None else check


_KIND_OF_ADDRESS = {
    "p2wpkh": ScriptKind.P2WPKH,
    "p2tr": ScriptKind.P2TR,
    "p2sh": ScriptKind.P2SH_P2WPKH,
    "p2pkh": ScriptKind.P2PKH,
}


def _owner(account: Account, address: str) -> AddressInfo | None:
    if isinstance(account, UtxoAccount):
        for change in (False, True):  # the first gap's worth of both chains
            account.addresses(account.gap_limit, change=change)
        return account.find_address(address)
    infos = account.addresses()
    return infos[0] if infos and infos[0].address == address else None


def _resolve_kind(net: Network, kind: str | None) -> AccountKind:
    if isinstance(net, UtxoNetwork):
        if kind is None:
            return net.default_kind
        if kind == PolicyKind.POLICY.value:
            return PolicyKind.POLICY
        try:
            chosen = ScriptKind(kind)
        except ValueError:
            chosen = None
        if chosen is None or chosen not in net.script_kinds:
            options = ", ".join([*(k.value for k in net.script_kinds), PolicyKind.POLICY.value])
            raise WalletError(f"{net.title} accounts are one of: {options}; not {kind!r}.")
        return chosen
    if kind is None:
        return EvmLayout.STANDARD
    if kind == WatchedAddress.ADDRESS.value:
        return WatchedAddress.ADDRESS
    try:
        return EvmLayout(kind)
    except ValueError:
        raise WalletError(f"EVM accounts are 'standard' or 'ledger-live'; not {kind!r}.") from None


def _custom_path(net: Network, text: str) -> tuple[int, ...]:
    with translate_errors():
        path = parse_path(text)
    if not isinstance(net, UtxoNetwork):
        raise InvalidPath("Custom paths are for UTXO accounts; EVM accounts use a layout.")
    if not path or path[-1] < HARDENED or len(path) > 6:
        raise InvalidPath(
            "That is not an account path: it must end in a hardened step, like m/84'/0'/0'."
        )
    return path


def _implied_kind(net: UtxoNetwork, version: int) -> ScriptKind | None:
    kinds = {k for k, vs in net.xkeys.items() if any(v.public == version for v in vs)}
    if version == net.standard_xkey.public or len(kinds) != 1:
        return None
    return next(iter(kinds))
