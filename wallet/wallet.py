"""``Wallet``: the entry point of the public API.

A wallet is one encrypted file. It holds a sealed seed (an HD wallet) or none (a watch-only
wallet), the accounts derived from it or imported as extended public keys, descriptors or
addresses, and their labels. The seed is unsealed only when it is needed (a new account, a
signature) and never leaves the keystore.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import threading
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from chains.registry import EvmNetwork, Network, ScriptKind, UtxoNetwork, get_network
from keystore.bip32 import HARDENED, ExtendedPublicKey, parse_path
from keystore.errors import DecryptionFailed
from keystore.keystore import Keystore
from keystore.mnemonic import generate_mnemonic, parse_mnemonic
from keystore.secrets import SecretBytes
from keystore.signers.base import PromptHandler
from keystore.signers.hot import HotSigner
from keystore.vault import KdfParams
from wallet.accounts import (
    Account,
    AccountRecord,
    AddressInfo,
    EvmAccount,
    EvmLayout,
    UtxoAccount,
)
from wallet.addresses import AddressCheck, check_address
from wallet.backends import BackendPool
from wallet.descriptors import parse_descriptor
from wallet.errors import (
    AccountNotFound,
    InvalidExtendedKey,
    InvalidPath,
    WalletCorrupt,
    WalletError,
    WatchOnly,
    WrongPassword,
    translate_errors,
)
from wallet.labels import LabelStore
from wallet.storage import WalletDatabase
from wallet.types import Draft, SignedTransaction, SyncReport

if TYPE_CHECKING:
    from wallet.watch import Watcher

__all__ = ["Wallet"]

_HD = "hd"
_WATCH_ONLY = "watch-only"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Wallet:
    """An open wallet file. Use ``create``, ``restore``, ``create_watch_only`` or ``open``.

    Use it as a context manager, or call ``close()``.
    """

    def __init__(self, database: WalletDatabase) -> None:
        """Wrap an open database; use the class methods instead."""
        self._db = database
        self._keystore: Keystore | None = None
        self._labels = LabelStore(database)
        self._accounts: dict[int, Account] = {}
        self._backends = BackendPool(database, database.path.with_name(database.path.name + ".d"))
        self._watcher: Watcher | None = None
        self._watch_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<Wallet {self._db.path.name} {self.kind}>"

    def __enter__(self) -> Wallet:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- lifecycle -------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        password: str,
        mnemonic: str | None = None,
        passphrase: str = "",
        *,
        words: int = 12,
        language: str = "english",
        kdf: KdfParams | None = None,
    ) -> Wallet:
        """Create an HD wallet file from a new or given BIP-39 mnemonic.

        Args:
            path: where the wallet file goes; it must not exist.
            password: the wallet password (stretched with Argon2id).
            mnemonic: an existing recovery phrase, or ``None`` for a new random one.
            passphrase: the optional BIP-39 passphrase.
            words: the length of a new phrase (12 or 24, also 15, 18, 21).
            language: the word list of a new phrase.
            kdf: KDF costs; the default is Argon2id with 64 MiB and 3 passes.

        Returns:
            The open wallet.

        Raises:
            WalletExists: a file is already at ``path``.
            InvalidMnemonic: the phrase is refused (the error says why).
        """
        with translate_errors():
            phrase = (
                generate_mnemonic(words, language) if mnemonic is None else parse_mnemonic(mnemonic)
            )
            keystore = Keystore(phrase, passphrase)
        db = WalletDatabase.create(path, password, kdf or KdfParams())
        try:
            wallet_id = secrets.token_hex(16)
            with db.transaction():
                db.set_meta("wallet_id", wallet_id)
                db.set_meta("kind", _HD)
                db.set_meta("created_at", _now())
                db.set_meta("fingerprint", keystore.fingerprint.hex())
                db.execute(
                    "INSERT INTO secrets(name, sealed) VALUES ('seed', ?)",
                    (keystore.sealed(db.sealing_key, wallet_id.encode()),),
                )
        except BaseException:
            db.close()
            Path(path).unlink(missing_ok=True)
            raise
        wallet = cls(db)
        wallet._keystore = keystore
        return wallet

    @classmethod
    def restore(
        cls,
        path: str | os.PathLike[str],
        password: str,
        mnemonic: str,
        passphrase: str = "",
        *,
        kdf: KdfParams | None = None,
    ) -> Wallet:
        """Create a wallet file from an existing recovery phrase (see ``create``)."""
        return cls.create(path, password, mnemonic, passphrase, kdf=kdf)

    @classmethod
    def create_watch_only(
        cls, path: str | os.PathLike[str], password: str, *, kdf: KdfParams | None = None
    ) -> Wallet:
        """Create a wallet file that holds no secret: add accounts with the ``import_*`` methods.

        Raises:
            WalletExists: a file is already at ``path``.
        """
        db = WalletDatabase.create(path, password, kdf or KdfParams())
        with db.transaction():
            db.set_meta("wallet_id", secrets.token_hex(16))
            db.set_meta("kind", _WATCH_ONLY)
            db.set_meta("created_at", _now())
        return cls(db)

    @classmethod
    def open(cls, path: str | os.PathLike[str], password: str) -> Wallet:
        """Open an existing wallet file.

        Raises:
            WalletNotFound: no file at ``path``.
            WrongPassword: the password is wrong; nothing was changed.
            WalletCorrupt: the file is truncated, damaged or not a Coffer wallet.
        """
        db = WalletDatabase.open(path, password)
        kind = db.get_meta("kind")
        if kind not in (_HD, _WATCH_ONLY) or db.get_meta("wallet_id") is None:
            db.close()
            raise WalletCorrupt(f"{path} is missing its wallet description: it is damaged.")
        return cls(db)

    def close(self) -> None:
        """Close the wallet file and forget the unsealed seed (and stop watching)."""
        if self._watcher is not None:
            self._watcher.close()
        self._keystore = None
        self._accounts.clear()
        self._backends.close()
        self._db.close()

    # -- facts ------------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """Return the wallet file's path."""
        return self._db.path

    @property
    def database(self) -> WalletDatabase:
        """Return the open wallet database (for the wallet's own modules)."""
        return self._db

    @property
    def kind(self) -> str:
        """Return ``"hd"`` or ``"watch-only"``."""
        return self._db.get_meta("kind") or _HD

    @property
    def is_watch_only(self) -> bool:
        """Return whether the wallet holds no seed at all."""
        return self.kind == _WATCH_ONLY

    @property
    def wallet_id(self) -> str:
        """Return the wallet's random id (not secret)."""
        return self._db.get_meta("wallet_id") or ""

    @property
    def fingerprint(self) -> str | None:
        """Return the master key fingerprint (hex), or ``None`` for a watch-only wallet."""
        return self._db.get_meta("fingerprint")

    @property
    def schema_version(self) -> int:
        """Return the schema version of the wallet file."""
        return self._db.schema_version

    @property
    def backends(self) -> BackendPool:
        """Return the wallet's servers per network and their live connections."""
        return self._backends

    def set_max_fee_share(self, share: Decimal | str | None) -> None:
        """Set the largest fee a UTXO draft may pay as a share of the amount sent.

        ``Decimal("0.05")`` refuses fees above 5% of the amount (``FeeTooHigh``, unless a
        draft overrides it with ``allow_high_fee``); ``None`` restores the default of 10%.

        Raises:
            InvalidAmount: not a number above 0 and at most 1.
            FloatAmountError: a float.
        """
        from wallet.utxo.fees import set_max_fee_share

        set_max_fee_share(self._db, share)

    def set_explorer_key(self, network: str, key: str | None) -> None:
        """Set (or with ``None`` clear) the Etherscan-compatible API key of an EVM network.

        The key stays inside the encrypted wallet file; history on public networks is read
        from the explorer with it.

        Raises:
            UnknownNetwork: no such network.
            WalletError: not an EVM network, or a key that is not one printable word.
        """
        from wallet.evm.settings import set_explorer_key

        with translate_errors():
            net = get_network(network)
        if not isinstance(net, EvmNetwork):
            raise WalletError(f"{net.title} has no explorer API key: it is not an EVM network.")
        set_explorer_key(self._db, net, key)

    def set_explorer_url(self, network: str, url: str | None) -> None:
        """Use another Etherscan-compatible API URL for an EVM network (``None``: the default).

        Raises:
            UnknownNetwork: no such network.
            WalletError: not an EVM network, or not an http(s) URL.
        """
        from wallet.evm.settings import set_explorer_url

        net = self._explorer_network(network)
        if url is not None:
            try:
                valid = url.isascii() and url.isprintable() and bool(urlsplit(url).hostname)
            except ValueError:  # an unclosed "[" of an IPv6 address, for one
                valid = False
            if not valid:
                raise WalletError("An explorer API URL is an http:// or https:// URL.")
        set_explorer_url(self._db, net, url)

    def explorer_settings(self, network: str) -> tuple[bool, str | None]:
        """Return whether an explorer API key is set for an EVM network, and its API URL.

        The key itself is a credential and is never returned.

        Raises:
            UnknownNetwork: no such network.
            WalletError: not an EVM network.
        """
        from wallet.evm.settings import explorer_key, explorer_url

        net = self._explorer_network(network)
        return explorer_key(self._db, net) is not None, explorer_url(self._db, net)

    def _explorer_network(self, network: str) -> EvmNetwork:
        with translate_errors():
            net = get_network(network)
        if not isinstance(net, EvmNetwork):
            raise WalletError(f"{net.title} has no explorer API: it is not an EVM network.")
        return net

    @property
    def labels(self) -> LabelStore:
        """Return the wallet's labels (BIP-329 types: tx, addr, pubkey, input, output, xpub)."""
        return self._labels

    # -- secrets ----------------------------------------------------------------------------

    def _unsealed(self) -> Keystore:
        if self.is_watch_only:
            raise WatchOnly("This wallet is watch-only: it holds no keys.")
        if self._keystore is None:
            rows = self._db.query("SELECT sealed FROM secrets WHERE name = 'seed'")
            if not rows:
                raise WalletCorrupt("The wallet file has lost its sealed seed.")
            try:
                self._keystore = Keystore.from_sealed(
                    self._db.sealing_key, bytes(rows[0][0]), self.wallet_id.encode()
                )
            except DecryptionFailed as err:
                raise WalletCorrupt("The sealed seed in the wallet file is damaged.") from err
        return self._keystore

    def signer(self) -> HotSigner:
        """Return the hot signer of this wallet's seed.

        Raises:
            WatchOnly: the wallet holds no keys.
        """
        return self._unsealed().signer()

    def reveal_mnemonic(self, password: str) -> str:
        """Return the recovery phrase for a backup, after checking the password again.

        Raises:
            WrongPassword: the password is wrong.
            WatchOnly: the wallet holds no seed.
        """
        self._check_password(password)
        return self._unsealed().reveal_mnemonic_unsafe()

    def check_backup_words(self, answers: dict[int, str]) -> bool:
        """Return whether the words at the given 1-based positions are the phrase's words."""
        phrase = self._unsealed().reveal_mnemonic_unsafe()
        words = phrase.replace("\u3000", " ").split()
        return bool(answers) and all(
            1 <= pos <= len(words) and words[pos - 1] == answer.strip().lower()
            for pos, answer in answers.items()
        )

    def _check_password(self, password: str) -> None:
        try:
            probe = WalletDatabase.open(self._db.path, password)
        except WrongPassword:
            raise
        probe.close()

    def change_password(
        self, old_password: str, new_password: str, kdf: KdfParams | None = None
    ) -> None:
        """Re-encrypt the wallet under a new password; the old file is replaced atomically.

        Raises:
            WrongPassword: ``old_password`` is wrong; nothing was changed.
        """
        self._check_password(old_password)
        keystore = None if self.is_watch_only else self._unsealed()
        wallet_id = self.wallet_id.encode()

        def reseal(key: SecretBytes) -> dict[str, bytes]:
            if keystore is None:
                return {}
            return {"seed": keystore.sealed(key, wallet_id)}

        self._db.change_password(new_password, kdf or KdfParams(), reseal)

    # -- chain activity ---------------------------------------------------------------------

    def sync(self, network: str | None = None) -> list[SyncReport]:
        """Sync every account (or those of one network) with its network's servers.

        Raises:
            BackendUnavailable: a network's servers cannot be reached; accounts synced before
                keep what they fetched.
            NetworkMismatch: a server serves another network.
        """
        return [account.sync() for account in self.accounts(network)]

    def watch(self, network: str | None = None, *, poll_interval: float | None = None) -> Watcher:
        """Start live updates of the UTXO accounts of one network, or of every one.

        The scripts of every UTXO account of the network(s) are subscribed at the servers;
        ``watcher.wait(timeout)`` then blocks until one reports a change (see
        ``wallet.watch``). A backend that cannot push (Core RPC) has its tip polled every
        ``poll_interval`` seconds (``wallet.watch.DEFAULT_POLL_SECONDS``, 15, by default).
        Scripts a later sync discovers are watched too. One watcher at a time per wallet:
        close it (``close`` of the wallet closes it too) before starting another.

        Raises:
            BackendUnavailable: a network's servers cannot be reached.
            NetworkMismatch: a server serves another network.
            UnknownNetwork: no such network.
            WalletError: not a UTXO network, a watcher is open already, or a poll interval
                that is not a positive number.
        """
        from wallet.watch import DEFAULT_POLL_SECONDS, Watcher

        with self._watch_lock:  # two threads calling at once get one watcher between them
            if self._watcher is not None and not self._watcher.closed:
                raise WalletError("This wallet is being watched already; close that watcher first.")
            interval = DEFAULT_POLL_SECONDS if poll_interval is None else poll_interval
            watcher = Watcher(self, network, interval, self._forget_watcher)
            self._watcher = watcher
        watcher.start()
        return watcher

    @property
    def watcher(self) -> Watcher | None:
        """Return the open watcher of this wallet, if any (``watch`` starts one)."""
        watcher = self._watcher
        return watcher if watcher is not None and not watcher.closed else None

    def _forget_watcher(self, watcher: Watcher) -> None:
        if self._watcher is watcher:
            self._watcher = None

    def sign(self, draft: Draft, prompt: PromptHandler | None = None) -> SignedTransaction:
        """Sign a draft with this wallet's own keys (the hot signer).

        The signer recomputes the summary from the transaction itself and refuses a draft
        that does not match; ``prompt`` (the CLI or GUI) is asked to approve it first.

        Raises:
            WatchOnly: the wallet holds no keys (export the draft to its signer instead).
            SigningRefused: the draft does not match what the signer can verify.
            SigningCancelled: the person declined.
        """
        account = self.account_by_id(draft.account_id)
        with translate_errors():
            return account.sign(draft, self.signer(), prompt)

    # -- accounts ---------------------------------------------------------------------------

    def account_by_id(self, account_id: int) -> Account:
        """Return the account stored under ``account_id``.

        Raises:
            AccountNotFound: no such account in this wallet.
        """
        sql = f"SELECT {self._COLUMNS} FROM accounts WHERE id = ?"  # noqa: S608 - constant
        rows = self._db.query(sql, (account_id,))
        if not rows:
            raise AccountNotFound(f"This wallet has no account {account_id}.")
        return self._load(rows[0])

    def _load(self, row: tuple[object, ...]) -> Account:
        (rid, network_name, idx, kind, path, xpub, fp, child, watch, watch_only, label, gap) = row
        network = get_network(str(network_name))
        record = AccountRecord(
            id=int(str(rid)),
            network=network,
            index=int(str(idx)),
            kind=str(kind),
            path=parse_path(str(path)) if path else None,
            xpub=ExtendedPublicKey.parse(str(xpub))[0] if xpub else None,
            fingerprint=bytes.fromhex(str(fp)) if fp else None,
            evm_child=int(str(child)) if child is not None else None,
            watch_address=str(watch) if watch else None,
            watch_only=bool(watch_only),
            label=str(label),
            gap_limit=int(str(gap)),
        )
        cached = self._accounts.get(record.id)
        if cached is not None and cached.record == record:
            return cached
        account: Account = (
            UtxoAccount(self, record)
            if isinstance(network, UtxoNetwork)
            else EvmAccount(self, record)
        )
        self._accounts[record.id] = account
        return account

    _COLUMNS = (
        "id, network, idx, kind, path, xpub, fingerprint, evm_child, watch_address, "
        "watch_only, label, gap_limit"
    )

    def accounts(self, network: str | None = None) -> list[Account]:
        """Return the wallet's accounts, optionally of one network, in creation order."""
        sql = f"SELECT {self._COLUMNS} FROM accounts"  # noqa: S608 - constant columns
        rows = (
            self._db.query(sql + " WHERE network = ? ORDER BY id", (network,))
            if network
            else self._db.query(sql + " ORDER BY id")
        )
        return [self._load(row) for row in rows]

    def account(
        self, network: str, index: int = 0, kind: str | None = None, *, path: str | None = None
    ) -> Account:
        """Return an account, deriving it from the seed the first time it is asked for.

        Args:
            network: a registry name (``"bitcoin"``, ``"litecoin-regtest"``, ``"ethereum"``...).
            index: the account number (BIP-44 account; for EVM, MetaMask's account number).
            kind: ``p2wpkh`` (default on segwit networks), ``p2tr``, ``p2sh-p2wpkh``,
                ``p2pkh``; for EVM ``standard`` (default) or ``ledger-live``.
            path: a custom account path for a UTXO account (``"m/84'/0'/7'"``), to recover
                funds from wallets that used other paths; it must end in a hardened step.

        Raises:
            UnknownNetwork: no such network.
            AccountNotFound: a watch-only wallet has no such account.
            InvalidPath: ``path`` is malformed, out of range, or not an account path.
            WalletError: a kind the network does not have, or an index out of range.
        """
        with translate_errors():
            net = get_network(network)
        chosen = _resolve_kind(net, kind)
        if not 0 <= index < HARDENED:
            raise WalletError("The account index runs from 0 to 2^31 - 1.")
        custom = _custom_path(net, path) if path is not None else None
        if custom is not None:
            return self._custom_account(net, chosen, custom)
        rows = self._db.query(
            f"SELECT {self._COLUMNS} FROM accounts WHERE network = ? AND idx = ? AND kind = ?",  # noqa: S608
            (net.name, index, chosen),
        )
        if rows:
            return self._load(rows[0])
        if self.is_watch_only:
            raise AccountNotFound(
                f"This watch-only wallet has no {chosen} account {index} on {net.title}; "
                "import one first."
            )
        return self._derive_account(net, index, chosen)

    def _custom_account(self, net: Network, kind: str, path: tuple[int, ...]) -> Account:
        from keystore.bip32 import format_path

        rows = self._db.query(
            f"SELECT {self._COLUMNS} FROM accounts WHERE network = ? AND kind = ? AND path = ?",  # noqa: S608
            (net.name, kind, format_path(path)),
        )
        if rows:
            return self._load(rows[0])
        if self.is_watch_only:
            raise AccountNotFound("A watch-only wallet cannot derive accounts.")
        keystore = self._unsealed()
        with translate_errors():
            xpub = keystore.account_key(path)
        return self._insert_account(
            net,
            self._next_index(net, kind),
            kind,
            path,
            xpub,
            keystore.fingerprint,
            None,
            None,
            watch_only=False,
        )

    def _derive_account(self, net: Network, index: int, kind: str) -> Account:
        keystore = self._unsealed()
        child: int | None
        path: tuple[int, ...]
        if isinstance(net, UtxoNetwork):
            path = (
                ScriptKind(kind).purpose + HARDENED,
                net.coin_type + HARDENED,
                index + HARDENED,
            )
            child = None
        elif kind == EvmLayout.STANDARD.value:
            path = (44 + HARDENED, net.coin_type + HARDENED, HARDENED, 0)
            child = index
        else:
            path = (44 + HARDENED, net.coin_type + HARDENED, index + HARDENED, 0)
            child = 0
        with translate_errors():
            xpub = keystore.account_key(path)
        return self._insert_account(
            net, index, kind, path, xpub, keystore.fingerprint, child, None, watch_only=False
        )

    def _insert_account(
        self,
        net: Network,
        index: int,
        kind: str,
        path: tuple[int, ...] | None,
        xpub: ExtendedPublicKey | None,
        fingerprint: bytes | None,
        child: int | None,
        watch_address: str | None,
        *,
        watch_only: bool,
        label: str = "",
    ) -> Account:
        from keystore.bip32 import format_path

        standard = 0x0488B21E if not isinstance(net, UtxoNetwork) else net.standard_xkey.public
        with self._db.transaction():
            rid = self._db.execute(
                "INSERT INTO accounts(network, idx, kind, path, xpub, fingerprint, evm_child, "
                "watch_address, watch_only, label, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    net.name,
                    index,
                    kind,
                    format_path(path) if path is not None else None,
                    xpub.serialize(standard) if xpub is not None else None,
                    fingerprint.hex() if fingerprint is not None else None,
                    child,
                    watch_address,
                    int(watch_only),
                    label,
                    _now(),
                ),
            )
        rows = self._db.query(f"SELECT {self._COLUMNS} FROM accounts WHERE id = ?", (rid,))  # noqa: S608
        return self._load(rows[0])

    def _next_index(self, net: Network, kind: str) -> int:
        rows = self._db.query(
            "SELECT COALESCE(MAX(idx) + 1, 0) FROM accounts WHERE network = ? AND kind = ?",
            (net.name, kind),
        )
        return int(rows[0][0])

    def import_xpub(
        self, network: str, xpub: str, kind: str | None = None, label: str = ""
    ) -> UtxoAccount:
        """Add a watch-only UTXO account from an xpub, ypub, zpub (or the network's kin).

        The script kind follows from the SLIP-132 prefix (``zpub``: p2wpkh, ``ypub``:
        p2sh-p2wpkh) unless ``kind`` says otherwise; a plain ``xpub`` defaults to the
        network's default kind.

        Raises:
            InvalidExtendedKey: malformed, bad checksum, or of another network.
        """
        with translate_errors():
            net = get_network(network)
        if not isinstance(net, UtxoNetwork):
            raise InvalidExtendedKey(f"{net.title} accounts are watched by address, not by xpub.")
        accepted = {v.public: k for k, vs in net.xkeys.items() for v in vs}
        with translate_errors():
            parsed, version = ExtendedPublicKey.parse(xpub.strip(), tuple(accepted))
        implied = _implied_kind(net, version)
        chosen = _resolve_kind(net, kind) if kind else (implied or net.default_kind.value)
        if kind and implied and implied != chosen:
            raise InvalidExtendedKey(f"This key's prefix is for {implied} accounts, not {chosen}.")
        account = self._insert_account(
            net,
            self._next_index(net, chosen),
            chosen,
            None,
            parsed,
            None,
            None,
            None,
            watch_only=True,
            label=label,
        )
        assert isinstance(account, UtxoAccount)  # noqa: S101
        return account

    def import_descriptor(self, network: str, descriptor: str, label: str = "") -> UtxoAccount:
        """Add a watch-only UTXO account from an output descriptor with key origin.

        Raises:
            InvalidDescriptor: malformed, bad checksum, or not a single-key form.
        """
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
        account = self._insert_account(
            net,
            self._next_index(net, parsed.kind.value),
            parsed.kind.value,
            parsed.path,
            parsed.xpub,
            parsed.fingerprint,
            None,
            None,
            watch_only=True,
            label=label,
        )
        assert isinstance(account, UtxoAccount)  # noqa: S101
        return account

    def import_evm_address(self, network: str, address: str, label: str = "") -> EvmAccount:
        """Add a watch-only EVM account for one address.

        Raises:
            InvalidAddress: malformed or a broken EIP-55 checksum.
            NetworkMismatch: an address of a UTXO network.
        """
        with translate_errors():
            net = get_network(network)
        if not isinstance(net, EvmNetwork):
            raise WalletError(f"{net.title} is not an EVM network.")
        checked = check_address(net, address)
        account = self._insert_account(
            net,
            self._next_index(net, "address"),
            "address",
            None,
            None,
            None,
            None,
            checked.address,
            watch_only=True,
            label=label,
        )
        assert isinstance(account, EvmAccount)  # noqa: S101
        return account

    def verify_address(self, network: str, address: str) -> AddressCheck:
        """Check an address for a network and say whether it belongs to this wallet.

        Raises:
            InvalidAddress: malformed or a bad checksum (the error says which).
            NetworkMismatch: a valid address of another network (the error names it).
        """
        with translate_errors():
            net = get_network(network)
        check = check_address(net, address)
        for account in self.accounts(net.name):
            owner = _owner(account, check.address)
            if owner is not None:
                return check.with_owner(account.id, owner)
        if self.is_watch_only:
            return check
        # Not among the accounts in use: look in the first account of the address's kind, as
        # a wallet restored from the seed would.
        if isinstance(net, UtxoNetwork):
            kind = _KIND_OF_ADDRESS.get(check.kind)
            if kind is None or kind not in net.script_kinds:
                return check
            account = self.account(net.name, 0, kind.value)
        else:
            account = self.account(net.name, 0)
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


def _resolve_kind(net: Network, kind: str | None) -> str:
    if isinstance(net, UtxoNetwork):
        if kind is None:
            return net.default_kind.value
        try:
            chosen = ScriptKind(kind)
        except ValueError:
            chosen = None
        if chosen is None or chosen not in net.script_kinds:
            options = ", ".join(k.value for k in net.script_kinds)
            raise WalletError(f"{net.title} accounts are one of: {options}; not {kind!r}.")
        return chosen.value
    if kind is None:
        return EvmLayout.STANDARD.value
    if kind not in {layout.value for layout in EvmLayout} | {"address"}:
        raise WalletError(f"EVM accounts are 'standard' or 'ledger-live'; not {kind!r}.")
    return kind


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


def _implied_kind(net: UtxoNetwork, version: int) -> str | None:
    kinds = {k for k, vs in net.xkeys.items() if any(v.public == version for v in vs)}
    if version == net.standard_xkey.public or len(kinds) != 1:
        return None
    return next(iter(kinds)).value
