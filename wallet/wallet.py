"""``Wallet``: the entry point of the public API.

A wallet is one encrypted file. It holds a sealed seed (an HD wallet) or none (a watch-only
wallet), the accounts derived from it or imported as extended public keys, descriptors or
addresses, and their labels. The seed is unsealed only when it is needed (a new account, a
signature) and never leaves the keystore.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterable
from datetime import date
from functools import partial
from pathlib import Path
from types import TracebackType

from chains.registry import EvmNetwork, UtxoNetwork, get_network
from keystore.errors import DecryptionFailed
from keystore.keystore import Keystore
from keystore.mnemonic import generate_mnemonic, parse_mnemonic
from keystore.secrets import SecretBytes
from keystore.signers.base import PromptHandler, Signer
from keystore.signers.hot import HotSigner
from keystore.vault import KdfParams, WalletKeys
from wallet.account_book import AccountBook
from wallet.accounts import Account, EvmAccount, UtxoAccount
from wallet.backends import BackendPool
from wallet.backup import Codex32Backup, codex32_backup
from wallet.cancel import CancelToken, check_cancelled
from wallet.custody import Custody
from wallet.devnet import DevnetControl
from wallet.errors import (
    NothingToSign,
    WalletCorrupt,
    WalletError,
    WatchOnly,
    translate_errors,
)
from wallet.history import HistoryBook, SendWarning, send_warnings
from wallet.labels import LabelStore
from wallet.messages import MessageBook, key_signer, reseal_imported_keys
from wallet.money.fiat import FiatBook
from wallet.money.onramp import OnRamp
from wallet.money.portfolio import (
    CryptoHoldings,
    HoldingsSource,
    NetWorthSeries,
    Portfolio,
    build_portfolio,
    net_worth,
)
from wallet.money.prices import PriceService
from wallet.money.prices.sample import DevnetsAsSample, load_sample_prices
from wallet.money.sources import WalletMoney, now
from wallet.money.spending import Budgets, fiat_spending_lines
from wallet.money.tax import HistoryEvents, Method, Pooling, PriceLookup, TaxReport
from wallet.musig.book import MusigBook, MusigParts
from wallet.networks import resolve_network
from wallet.policy_book import PolicyBook
from wallet.settings import WalletSettings
from wallet.signing.export import format_export, network_params
from wallet.signing.offline import sign_foreign_psbt
from wallet.signing.psbt import read_psbt
from wallet.storage import WalletDatabase
from wallet.storage.accounts import AccountStore, WalletDescription
from wallet.storage.fileguard import check_new_path
from wallet.sync_each import sync_each
from wallet.types import AccountRecord, Draft, SignedTransaction, SyncOutcome, SyncReport
from wallet.utxo.context import UtxoContext
from wallet.utxo.draft import UtxoDraft
from wallet.watch import DEFAULT_POLL_SECONDS, Watcher

__all__ = ["DEFAULT_ACCOUNT_NETWORKS", "Wallet", "check_new_wallet_path"]

_HD = "hd"

DEFAULT_ACCOUNT_NETWORKS: tuple[str, ...] = ("bitcoin", "litecoin", "dogecoin", "ethereum")
"""The accounts (number 0 of each) a person's new wallet starts with, in the command line."""
_WATCH_ONLY = "watch-only"


def check_new_wallet_path(path: str | os.PathLike[str]) -> None:
    """Check that ``create``/``restore`` could make a wallet file at ``path``; change nothing.

    Call it before showing a new recovery phrase: a phrase written down for a wallet that
    cannot be saved belongs to no wallet.

    Raises:
        WalletExists: something is already at ``path``.
        InvalidWalletPath: the folder cannot be written (a read-only file system, no write
            access), part of the path is a file, the name is too long, or a system folder.
    """
    check_new_path(Path(path))


class Wallet:
    """An open wallet file. Use ``create``, ``restore``, ``create_watch_only`` or ``open``.

    Use it as a context manager, or call ``close()``.
    """

    def __init__(self, database: WalletDatabase) -> None:
        """Wrap an open database; use the class methods instead."""
        self._db = database
        self._keystore: Keystore | None = None
        self._labels = LabelStore(database)
        self._store = AccountStore(database)
        self._accounts: dict[int, Account] = {}
        self._book = AccountBook(self._store, self.is_watch_only, self._unsealed, self._load)
        policies = PolicyBook(
            self._store, self.is_watch_only, self._unsealed, self.signer, self._load
        )
        musig = MusigBook(
            MusigParts(
                database,
                lambda: self.wallet_id,
                self.signer,
                policies.cosigner_key,
                policies.create_policy_account,
                self.accounts,
                self._book.by_id,
            )
        )
        self._custody = Custody(policies, musig)
        self._settings = WalletSettings(database)
        self._history = HistoryBook(database, self.accounts)

        self._fiat = FiatBook(database)
        self._prices = PriceService(database)
        # The portfolio's holdings sources: fiat accounts and points add theirs here.
        self._holdings: list[HoldingsSource] = [
            CryptoHoldings(self.accounts),
            *self._fiat.holdings_sources(),
        ]
        self._backends = BackendPool(database, database.path.with_name(database.path.name + ".d"))
        self._watcher: Watcher | None = None
        self._watch_lock = threading.Lock()
        self._money = WalletMoney(
            database, self._labels, self.accounts, self.account, now, self._prices
        )
        # Budgets and insights count the fiat accounts' lines too.
        self._money.budgets.add_source(lambda: fiat_spending_lines(self._fiat))

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
        accounts: Iterable[str] = (),
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
            accounts: networks whose account 0 is made at once (``DEFAULT_ACCOUNT_NETWORKS``
                gives a person's usual ones), so listings and syncs show them.

        Returns:
            The open wallet.

        Raises:
            WalletExists: a file is already at ``path``.
            InvalidMnemonic: the phrase is refused (the error says why).
            UnknownNetwork: a name in ``accounts`` is not a network (no file is made).
        """
        networks = [resolve_network(name) for name in accounts]
        with translate_errors():
            phrase = (
                generate_mnemonic(words, language) if mnemonic is None else parse_mnemonic(mnemonic)
            )
            keystore = Keystore(phrase, passphrase)
        return cls._create_hd(path, password, keystore, kdf, networks)

    @classmethod
    def _create_hd(
        cls,
        path: str | os.PathLike[str],
        password: str,
        keystore: Keystore,
        kdf: KdfParams | None,
        networks: list[str],
    ) -> Wallet:
        db = WalletDatabase.create(path, password, kdf or KdfParams())
        try:
            wallet_id = secrets.token_hex(16)
            AccountStore(db).initialise(
                WalletDescription(wallet_id, _HD, keystore.fingerprint.hex()),
                keystore.sealed(db.sealing_key, wallet_id.encode()),
            )
        except BaseException:
            db.close()
            Path(path).unlink(missing_ok=True)
            raise
        wallet = cls(db)
        wallet._keystore = keystore
        try:
            for network in networks:
                wallet.account(network)
        except BaseException:
            wallet.close()
            Path(path).unlink(missing_ok=True)
            raise
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
        accounts: Iterable[str] = (),
    ) -> Wallet:
        """Create a wallet file from an existing recovery phrase (see ``create``)."""
        return cls.create(path, password, mnemonic, passphrase, kdf=kdf, accounts=accounts)

    @classmethod
    def restore_from_seed(
        cls,
        path: str | os.PathLike[str],
        password: str,
        seed: bytes,
        *,
        kdf: KdfParams | None = None,
        accounts: Iterable[str] = (),
    ) -> Wallet:
        """Create an HD wallet file from a bare BIP-32 master seed (no recovery words).

        Args:
            path: where the wallet file goes; it must not exist.
            password: the wallet password.
            seed: the master seed, 16 to 64 bytes (BIP-32); e.g. from ``codex32_seed``.
            kdf: KDF costs (see ``create``).
            accounts: networks whose account 0 is made at once (see ``create``).

        Raises:
            WalletExists: a file is already at ``path``.
            InvalidBackup: the seed is not 16 to 64 bytes.
            UnknownNetwork: a name in ``accounts`` is not a network (no file is made).
        """
        networks = [resolve_network(name) for name in accounts]
        with translate_errors():
            keystore = Keystore.from_master_seed(SecretBytes(bytes(seed)))
        return cls._create_hd(path, password, keystore, kdf, networks)

    @classmethod
    def create_watch_only(
        cls,
        path: str | os.PathLike[str],
        password: str,
        *,
        kdf: KdfParams | None = None,
        imports: Iterable[tuple[str, str]] = (),
    ) -> Wallet:
        """Create a wallet file that holds no secret, with the accounts a signer exported.

        Args:
            path: where the wallet file goes; it must not exist.
            password: the wallet password.
            kdf: KDF costs (Argon2id, 64 MiB, 3 passes by default).
            imports: ``(network, export)`` pairs, each what a signer exported (descriptor
                with key origin, xpub, Sparrow/Electrum JSON, an EVM address): see
                ``AccountBook.import_export``. More can be added later the same way.

        Raises:
            WalletExists: a file is already at ``path``.
            InvalidDescriptor, InvalidExtendedKey, UnknownNetwork: an export is refused
                (no file is left behind).
        """
        db = WalletDatabase.create(path, password, kdf or KdfParams())
        AccountStore(db).initialise(WalletDescription(secrets.token_hex(16), _WATCH_ONLY), None)
        wallet = cls(db)
        try:
            for network, text in imports:
                wallet.accounts_book.import_export(network, text)
        except BaseException:
            wallet.close()
            Path(path).unlink(missing_ok=True)
            raise
        return wallet

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], password: str, *, read_only: bool = False
    ) -> Wallet:
        """Open an existing wallet file.

        Args:
            path: the wallet file.
            password: its password.
            read_only: open for reading only (a wallet in a folder that cannot be written);
                anything that would write raises ``WalletReadOnly``.

        Raises:
            WalletNotFound: no file at ``path``.
            WrongPassword: the password is wrong; nothing was changed.
            WalletCorrupt: the file is truncated, damaged or not a Coffer wallet.
            WalletReadOnly: not ``read_only``, and the folder or file cannot be written.
        """
        db = WalletDatabase.open(path, password, read_only=read_only)
        description = AccountStore(db).description()
        if description is None or description.kind not in (_HD, _WATCH_ONLY):
            db.close()
            raise WalletCorrupt(f"{path} is missing its wallet description: it is damaged.")
        return cls(db)

    @classmethod
    def open_unlocked(cls, path: str | os.PathLike[str], keys: WalletKeys) -> Wallet:
        """Open a wallet file with the keys an unlock agent holds (no password, no KDF).

        Raises:
            WrongPassword: the keys do not open this file (its password changed since).
            WalletNotFound, WalletCorrupt: as for ``open``.
        """
        db = WalletDatabase.open_with_keys(path, keys)
        description = AccountStore(db).description()
        if description is None or description.kind not in (_HD, _WATCH_ONLY):
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
    def warnings(self) -> tuple[str, ...]:
        """Return sentences about risks found on opening (who else can read or change it)."""
        return self._db.warnings

    @property
    def database(self) -> WalletDatabase:
        """Return the open wallet database (for the wallet's own modules)."""
        return self._db

    @property
    def kind(self) -> str:
        """Return ``"hd"`` or ``"watch-only"``."""
        description = self._store.description()
        return description.kind if description is not None else _HD

    @property
    def is_watch_only(self) -> bool:
        """Return whether the wallet holds no seed at all."""
        return self.kind == _WATCH_ONLY

    @property
    def wallet_id(self) -> str:
        """Return the wallet's random id (not secret)."""
        description = self._store.description()
        return description.wallet_id if description is not None else ""

    @property
    def fingerprint(self) -> str | None:
        """Return the master key fingerprint (hex), or ``None`` for a watch-only wallet."""
        description = self._store.description()
        return description.fingerprint if description is not None else None

    @property
    def schema_version(self) -> int:
        """Return the schema version of the wallet file."""
        return self._db.schema_version

    @property
    def backends(self) -> BackendPool:
        """Return the wallet's servers per network and their live connections."""
        return self._backends

    @property
    def settings(self) -> WalletSettings:
        """Return the wallet's settings (fee cap share, explorer API keys)."""
        return self._settings

    @property
    def history(self) -> HistoryBook:
        """Return every account's history as one table: paged, sorted and filtered in SQL.

        ``sync`` and ``sync_each`` refresh it; after syncing an account alone, call
        ``history.refresh()``, which returns the rows that changed.
        """
        return self._history

    @property
    def fiat(self) -> FiatBook:
        """Return the money outside the chains: fiat accounts, points, tickets, receipts."""
        return self._fiat

    @property
    def prices(self) -> PriceService:
        """Return prices and exchange rates, cached in the wallet file (``wallet.money``)."""
        return self._prices

    @property
    def holdings_sources(self) -> tuple[HoldingsSource, ...]:
        """Return the sources the portfolio values (crypto accounts first)."""
        return tuple(self._holdings)

    def use_sample_prices(self) -> int:
        """Value the embedded devnets' coins at bundled sample prices (demo and screenshots).

        Stores the bundled rates with the source ``sample`` and values each devnet coin as its
        main coin, every such row saying so; nothing is fetched. Returns how many rates.
        """
        count = load_sample_prices(self._db, self._prices.now())
        self._holdings = [
            DevnetsAsSample(s) if isinstance(s, CryptoHoldings) else s for s in self._holdings
        ]
        return count

    def add_holdings_source(self, source: HoldingsSource) -> None:
        """Add a source of holdings to the portfolio (``wallet.money.portfolio``)."""
        self._holdings.append(source)

    def portfolio(
        self, base: str | None = None, *, refresh: bool = False, online: bool = True
    ) -> Portfolio:
        """Value every holding in ``base`` (default: ``settings.base_currency``).

        Rows without an amount or a price are kept, marked unknown with the reason, and left
        out of the total (see ``wallet.money.portfolio``).

        Raises:
            UnknownCurrency: ``base`` is not an ISO 4217 code.
        """
        return build_portfolio(self._holdings, self._prices, base, refresh=refresh, online=online)

    def net_worth(
        self,
        start: date | None = None,
        end: date | None = None,
        base: str | None = None,
        *,
        online: bool = True,
    ) -> NetWorthSeries:
        """Return net worth per day from balances and daily closes (fetched, paced, cached).

        ``start`` ``None``: from the first transaction (the whole history); ``end`` ``None``:
        yesterday, the last day with a close.

        Raises:
            UnknownCurrency: ``base`` is not an ISO 4217 code.
            WalletError: a range that ends before it starts, or longer than 25 years.
        """
        return net_worth(self._holdings, self._prices, start, end, base, online=online)

    @property
    def labels(self) -> LabelStore:
        """Return the wallet's labels (BIP-329 types: tx, addr, pubkey, input, output, xpub)."""
        return self._labels

    # -- money: budgets, on-ramps, tax (issue 16 items 5, 6, 7) ----------------------------

    @property
    def budgets(self) -> Budgets:
        """Return the spending categories, monthly budgets, spending report and insights."""
        return self._money.budgets

    @property
    def onramp(self) -> OnRamp:
        """Return on-ramp purchases: provider keys, signed widget URLs, matching on arrival."""
        return self._money.onramp

    def tax_events(self, prices: PriceLookup | None = None, base: str = "EUR") -> HistoryEvents:
        """Return every account's tax events valued in ``base``, and the prices missing.

        Prices are ``w.prices``'s daily closes unless ``prices`` is given.

        Raises:
            UnknownCurrency: ``base`` is not an ISO 4217 code.
        """
        return self._money.tax_events(prices, base)

    def tax_report(
        self,
        year: int,
        prices: PriceLookup | None = None,
        *,
        method: str | Method = "fifo",
        pooling: str | Pooling = "universal",
        base: str = "EUR",
        year_start: tuple[int, int] = (1, 1),
    ) -> TaxReport:
        """Return the realised gains of a tax year from the accounts' history.

        Args:
            year: the tax year (named by the calendar year it starts in).
            prices: the price of each asset on a day in ``base`` (default: ``w.prices``).
            method: ``fifo``, ``lifo`` or ``hifo``.
            pooling: ``universal`` (one pool) or ``per-account``.
            base: the currency of the report (ISO 4217).
            year_start: the (month, day) a tax year starts on.

        Raises:
            NoTaxData: nothing was acquired, disposed of or moved in that year.
            InvalidTaxMethod: an unknown method or pooling.
            UnknownCurrency: ``base`` is not an ISO 4217 code.
        """
        return self._money.tax_report(
            year, prices, method=method, pooling=pooling, base=base, year_start=year_start
        )

    # -- secrets ----------------------------------------------------------------------------

    def _unsealed(self) -> Keystore:
        if self.is_watch_only:
            raise WatchOnly("This wallet is watch-only: it holds no keys.")
        if self._keystore is None:
            sealed = self._store.sealed_seed()
            if sealed is None:
                raise WalletCorrupt("The wallet file has lost its sealed seed.")
            try:
                self._keystore = Keystore.from_sealed(
                    self._db.sealing_key, sealed, self.wallet_id.encode()
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
        with translate_errors():
            return self._unsealed().reveal_mnemonic_unsafe()

    def reveal_codex32_backup(
        self, password: str, threshold: int, count: int, identifier: str | None = None
    ) -> Codex32Backup:
        """Split the master seed into codex32 shares (BIP-93), after checking the password.

        A wallet from BIP-39 words splits its 64-byte seed (words and passphrase together):
        the long codex32 form, which restores the same keys but not the words.

        Args:
            password: the wallet password, asked again because the shares reveal the seed.
            threshold: how many shares restore the seed, 2 to 9.
            count: how many shares to make, ``threshold`` to 31.
            identifier: 4 bech32 characters naming the set; random if ``None``.

        Raises:
            WrongPassword: the password is wrong.
            WatchOnly: the wallet holds no seed.
            InvalidBackup: a bad threshold, count or identifier.
        """
        self._check_password(password)
        seed = self._unsealed().reveal_seed_unsafe()
        return codex32_backup(seed.reveal(), threshold, count, identifier)

    def check_backup_words(self, answers: dict[int, str]) -> bool:
        """Return whether the words at the given 1-based positions are the phrase's words."""
        with translate_errors():
            phrase = self._unsealed().reveal_mnemonic_unsafe()
        words = phrase.replace("\u3000", " ").split()
        return bool(answers) and all(
            1 <= pos <= len(words) and words[pos - 1] == answer.strip().lower()
            for pos, answer in answers.items()
        )

    def _check_password(self, password: str) -> None:
        self._db.check_password(password)

    def change_password(
        self, old_password: str, new_password: str, kdf: KdfParams | None = None
    ) -> None:
        """Re-encrypt the wallet under a new password; the old file is replaced atomically.

        Raises:
            WrongPassword: ``old_password`` is wrong; nothing was changed.
            WalletInUse: the wallet is open in another program; nothing was changed.
        """
        self._check_password(old_password)
        keystore = None if self.is_watch_only else self._unsealed()
        wallet_id = self.wallet_id.encode()
        imported = reseal_imported_keys(self._store, self._db, self.wallet_id)

        def reseal(key: SecretBytes) -> dict[str, bytes]:
            sealed = imported(key)
            if keystore is not None:
                sealed["seed"] = keystore.sealed(key, wallet_id)
            return sealed

        self._db.change_password(new_password, kdf or KdfParams(), reseal)

    # -- chain activity ---------------------------------------------------------------------

    def sync(
        self, network: str | None = None, *, cancel: CancelToken | None = None
    ) -> list[SyncReport]:
        """Sync every account (or those of one network) with its network's servers.

        Args:
            network: only this network's accounts.
            cancel: checked before each account and between the pages of one; when it is
                cancelled the sync stops there (``wallet.cancel``).

        Raises:
            Cancelled: ``cancel`` was cancelled; what was synced before stays stored.
            BackendUnavailable: a network's servers cannot be reached; accounts synced before
                keep what they fetched.
            NetworkMismatch: a server serves another network.
        """
        reports = []
        try:
            for account in self.accounts(network):
                check_cancelled(cancel, "The sync")
                reports.append(account.sync(cancel))
        finally:
            self._history.refresh(network)
        return reports

    def sync_each(
        self, network: str | None = None, *, cancel: CancelToken | None = None
    ) -> list[SyncOutcome]:
        """Sync every account (or one network's), going on past a network that fails.

        A network whose servers cannot be reached is tried once: its other accounts get the
        same error without waiting again. Nothing is raised for a failed network.

        Args:
            network: only this network's accounts.
            cancel: checked before each account and between the pages of one; when it is
                cancelled the sync stops there (``wallet.cancel``).

        Returns:
            One ``SyncOutcome`` per account, in creation order: its report, or its error.

        Raises:
            UnknownNetwork: no such network.
            Cancelled: ``cancel`` was cancelled; the accounts (and pages) synced before keep
                what they stored, and the history shows them.
        """
        try:
            return sync_each(self.accounts(network), cancel)
        finally:
            self._history.refresh(network)

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
        with self._watch_lock:  # two threads calling at once get one watcher between them
            if self._watcher is not None and not self._watcher.closed:
                raise WalletError("This wallet is being watched already; close that watcher first.")
            interval = DEFAULT_POLL_SECONDS if poll_interval is None else poll_interval
            watcher = Watcher(
                partial(self._utxo_contexts, network),
                self._backends,
                network,
                interval,
                self._forget_watcher,
            )
            self._watcher = watcher
        watcher.start()
        return watcher

    @property
    def watcher(self) -> Watcher | None:
        """Return the open watcher of this wallet, if any (``watch`` starts one)."""
        watcher = self._watcher
        return watcher if watcher is not None and not watcher.closed else None

    def _utxo_contexts(self, network: str | None) -> list[UtxoContext]:
        """Return the contexts of the UTXO accounts (of one network) as stored now."""
        return [a.context for a in self.accounts(network) if isinstance(a, UtxoAccount)]

    def _forget_watcher(self, watcher: Watcher) -> None:
        if self._watcher is watcher:
            self._watcher = None

    def devnet(self, network: str) -> DevnetControl:
        """Return the controls of an embedded devnet: mine, fund, status, reset.

        Raises:
            UnknownNetwork: no such network.
            NotADevnet: the network's server is not ``embedded`` (only ``bitcoin-regtest``
                and ``evm-embedded`` are, unless configured otherwise).
        """
        with translate_errors():
            net = get_network(network)
        assert isinstance(net, UtxoNetwork | EvmNetwork)  # noqa: S101 - the registry's two kinds
        return DevnetControl(net, self._backends)

    def sign(self, draft: Draft, prompt: PromptHandler | None = None) -> SignedTransaction:
        """Sign a draft with this wallet's own keys (the hot signer).

        The signer recomputes the summary from the transaction itself and refuses a draft
        that does not match; ``prompt`` (the CLI or GUI) is asked to approve it first.

        Raises:
            WatchOnly: the wallet holds no keys (export the draft to its signer instead).
            SigningRefused: the draft does not match what the signer can verify.
            SigningCancelled: the person declined.
        """
        account = self._book.by_id(draft.account_id)
        with translate_errors():
            return account.sign(draft, self._signer_for(account), prompt)

    def _signer_for(self, account: Account) -> Signer:
        """Return the signer of an account: its imported key's, or the seed's."""
        imported = key_signer(self._store, self._db, self.wallet_id, account.record)
        return imported if imported is not None else self.signer()

    @property
    def messages(self) -> MessageBook:
        """Return message signing and verification, and key-file imports (``wallet.messages``)."""
        return MessageBook(self._store, self._db, self.wallet_id, self._signer_for, self._load)

    def send_warnings(self, draft: Draft) -> list[SendWarning]:
        """Return what a person should check before approving a draft.

        A recipient never paid or paid by before; one that looks like an address of the
        history but differs (address poisoning); a send of half the account's balance or
        more. Every front's review shows them. The history is read as last refreshed.
        """
        account = self._book.by_id(draft.account_id)
        balance = account.balance()
        spendable = balance.confirmed + min(balance.unconfirmed, 0)
        known = self._history.counterparties(draft.network)
        return send_warnings(draft.summary, known, spendable)

    def export_account(
        self, network: str, index: int = 0, kind: str | None = None, fmt: str = "descriptor"
    ) -> str:
        """Export an account as the signer gives it, for a watch-only wallet to import.

        The key comes from the signer's ``export_account`` (derived from the seed here), not
        from the stored xpub.

        Args:
            network: the registry name of the network.
            index: the account number.
            kind: the script kind (UTXO) or layout (EVM), as ``account`` takes it.
            fmt: ``descriptor`` (with key origin), ``xpub``, ``sparrow`` or ``electrum``
                (``wallet.signing.export.EXPORT_FORMATS``); EVM accounts export their address.

        Raises:
            WatchOnly: the wallet holds no keys.
            UnknownNetwork, WalletError: as ``account``, or an unknown format.
        """
        if self.is_watch_only:
            raise WatchOnly("This wallet is watch-only: it holds no keys to export from.")
        account = self.account(network, index, kind)
        record = account.record
        if record.path is None:
            raise WatchOnly("This account has no key origin to export.")
        script = None if isinstance(record.network, EvmNetwork) else account.kind
        path = record.path[:3] if script is None else record.path
        with translate_errors():
            export = self.signer().export_account(network_params(record.network), path, script)
        return format_export(export, record.network.name, fmt, record.evm_child or 0)

    def draft_of_psbt(
        self, psbt: bytes | str, network: str | None = None
    ) -> tuple[UtxoAccount, UtxoDraft]:
        """Find the account whose coins a PSBT spends and read the PSBT back as its draft.

        What a watch-only wallet does with a PSBT it exported (or one from Sparrow or Core):
        the draft's summary is the wallet's own reading (``UtxoAccount.import_psbt``), so a
        front can show it, and ``import_signed`` / ``broadcast`` finish it.

        Args:
            psbt: the PSBT, binary or Base64 (unsigned, signed or final).
            network: look only at this network's accounts.

        Raises:
            InvalidPsbt: not a PSBT (said before any account is searched).
            NothingToSign: no account of this wallet has an input of it.
            WalletError: some inputs are not coins of the account as of its last sync.
        """
        read_psbt(psbt)
        last: NothingToSign | None = None
        for account in self.accounts(network):
            if not isinstance(account, UtxoAccount):
                continue
            try:
                return account, account.import_psbt(psbt, allow_high_fee=True)
            except NothingToSign as err:
                last = err
        raise last or NothingToSign("This wallet has no Bitcoin-family account to spend from.")

    def sign_psbt(
        self,
        psbt: bytes | str,
        network: str | None = None,
        prompt: PromptHandler | None = None,
        *,
        max_fee: int | None = None,
        allow_high_fee: bool = False,
    ) -> bytes:
        """Sign a PSBT from anywhere (a watch-only wallet, Sparrow, Core) with this seed.

        The account is found from the PSBT's key origins among this wallet's accounts;
        the signer recomputes the summary from the transaction and asks ``prompt``. A fee
        above ``settings.max_fee_share`` of what it sends is refused unless
        ``allow_high_fee``.

        Raises:
            WatchOnly: the wallet holds no keys.
            InvalidPsbt: not a PSBT (binary or Base64).
            NothingToSign: no input of this PSBT is this wallet's.
            SigningRefused: the review refused it, saying why.
            SigningCancelled: the person declined.
            WalletError: the keys are of no account of this wallet (name ``network``).
            FeeTooHigh: the fee is above the wallet's share cap.
        """
        records = [a.record for a in self.accounts()]
        return sign_foreign_psbt(
            self.signer(),
            records,
            psbt,
            network=network,
            prompt=prompt,
            max_fee=max_fee,
            max_fee_share=None if allow_high_fee else self.settings.max_fee_share,
        )

    # -- shared and time-locked custody (``wallet.custody``; ADRs 0012 to 0014) -------------

    @property
    def custody(self) -> Custody:
        """Return multisig, miniscript policies, recovery wallets and MuSig2 of this wallet."""
        return self._custody

    # -- accounts (``accounts_book``; these names are the README's) --------------------------

    @property
    def accounts_book(self) -> AccountBook:
        """Return the wallet's accounts: derive, import, look up (the methods below call it)."""
        return self._book

    def _load(self, record: AccountRecord) -> Account:
        cached = self._accounts.get(record.id)
        if cached is not None and cached.record == record:
            return cached
        account: Account = (
            UtxoAccount(self, record)
            if isinstance(record.network, UtxoNetwork)
            else EvmAccount(self, record)
        )
        self._accounts[record.id] = account
        return account

    def accounts(self, network: str | None = None) -> list[Account]:
        """Return the wallet's accounts, optionally of one network, in creation order.

        Raises:
            UnknownNetwork: no such network.
        """
        return self._book.all(network)

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
        return self._book.get(network, index, kind, path=path)
