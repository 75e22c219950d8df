"""Bitcoin-family accounts: receive and change chains of one extended public key.

``UtxoAccount`` is the public face; the work happens in ``wallet.utxo``, which gets a
``UtxoContext`` built once per account (its keys, its store, its servers) and never the
account or the wallet.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import partial

from chains.registry import ScriptKind, UtxoNetwork
from keystore.bip32 import ExtendedPublicKey
from keystore.signers.base import PromptHandler, Signer
from primitives.descriptors import KeyExpr
from primitives.tx import OutPoint
from wallet.accounts.base import AccountRecord, WalletParts
from wallet.accounts.requesting import RequestingAccount
from wallet.amounts import Amount
from wallet.cancel import CancelToken
from wallet.descriptors import format_descriptor
from wallet.errors import PolicyAccount, WalletError, translate_errors
from wallet.requests.book import Asset, RequestContext
from wallet.requests.status import Receipt, utxo_payments
from wallet.requests.store import RequestStore, StoredRequest
from wallet.requests.types import PaymentLink
from wallet.signing import psbt as _psbt
from wallet.types import (
    AddressInfo,
    Balance,
    CoinInfo,
    Draft,
    FeeLevel,
    HistoryEntry,
    PolicyKind,
    SignedTransaction,
    SyncReport,
)
from wallet.utxo import addresses as _addresses
from wallet.utxo import bump as _bump
from wallet.utxo import fees as _fees
from wallet.utxo import recovery as _recovery
from wallet.utxo import signing as _signing
from wallet.utxo.builder import SendRequest, UtxoDraft
from wallet.utxo.builder import prepare_send as _prepare_send
from wallet.utxo.context import CHANGE, RECEIVE, UtxoContext
from wallet.utxo.fees import FeePresets
from wallet.utxo.mempool import MempoolCheck, check_mempool
from wallet.utxo.paths import SpendPath, key_label, policy_paths
from wallet.utxo.policy import (
    PolicyView,
    check_registration,
    export_policy,
    policy_view,
    read_policy,
)
from wallet.utxo.policy_scripts import PolicyScripts
from wallet.utxo.recovery import RecoveryStatus
from wallet.utxo.scripts import SingleKeyScripts
from wallet.utxo.store import UtxoStore
from wallet.utxo.sync import sync_account
from wallet.utxo.views import AccountView

__all__ = ["CHANGE", "RECEIVE", "UtxoAccount"]


class UtxoAccount(RequestingAccount):
    """An account on a Bitcoin-family network (BIP-44/49/84/86 layout)."""

    def __init__(self, wallet: WalletParts, record: AccountRecord) -> None:
        """Bind a stored account to its open wallet and build its ``UtxoContext`` once."""
        super().__init__(wallet, record)
        network, kind, xpub = record.network, record.kind, record.xpub
        if not isinstance(network, UtxoNetwork) or not isinstance(kind, ScriptKind | PolicyKind):
            raise WalletError(f"Account {record.id} is not a Bitcoin-family account.")
        database = wallet.database
        self._scripts: SingleKeyScripts | PolicyScripts
        policy: str | None = None
        if isinstance(kind, PolicyKind):
            if record.descriptor is None:
                raise WalletError(f"Policy account {record.id} has no descriptor stored.")
            parsed = read_policy(network, record.descriptor)
            self._scripts = PolicyScripts(network, parsed)
            policy = str(parsed)
        else:
            if xpub is None:
                raise WalletError(f"Account {record.id} has no extended public key stored.")
            self._scripts = SingleKeyScripts(network, xpub, kind, record.fingerprint, record.path)
        self._ctx = UtxoContext(
            account_id=record.id,
            network=network,
            scripts=self._scripts,
            path=record.path,
            gap_limit=record.gap_limit,
            store=UtxoStore(database, network),
            labels=wallet.labels,
            backend=partial(wallet.backends.utxo, network),
            fee_policy=partial(_fees.load_policy, database),
            policy=policy,
        )

    @property
    def context(self) -> UtxoContext:
        """Return what ``wallet.utxo`` works with for this account (keys, store, servers)."""
        return self._ctx

    @property
    def utxo_network(self) -> UtxoNetwork:
        """Return the account's network."""
        return self._ctx.network

    @property
    def is_policy(self) -> bool:
        """Return whether the account's scripts come from a policy (multisig, miniscript)."""
        return isinstance(self._scripts, PolicyScripts)

    def _single(self) -> SingleKeyScripts:
        if isinstance(self._scripts, PolicyScripts):
            raise PolicyAccount(
                "This is a policy account (its keys are in its descriptor): it has no single "
                "script kind or extended public key."
            )
        return self._scripts

    @property
    def script_kind(self) -> ScriptKind:
        """Return the account's script kind.

        Raises:
            PolicyAccount: a policy account has none (see ``policy``).
        """
        return self._single().kind

    @property
    def account_xpub(self) -> ExtendedPublicKey:
        """Return the account's extended public key.

        Raises:
            PolicyAccount: a policy account has none (see ``policy``).
        """
        return self._single().xpub

    def policy(self) -> PolicyView:
        """Return what a policy account is: its kind, keys (which are this wallet's), paths.

        Raises:
            PolicyAccount: a single-key account (it has no policy).
        """
        scripts = self._scripts
        if not isinstance(scripts, PolicyScripts):
            raise PolicyAccount("This account is a single-key account, not a policy account.")
        return policy_view(self.utxo_network, scripts.descriptor, self._record.fingerprint)

    def check_policy_file(self, text: str) -> None:
        """Check that a registration file (a cosigner's, a device's) is this account's policy.

        Raises:
            PolicyAccount: a single-key account.
            InvalidPolicy: the text cannot be read.
            PolicyMismatch: it describes another policy.
        """
        scripts = self._scripts
        if not isinstance(scripts, PolicyScripts):
            raise PolicyAccount("This account is a single-key account, not a policy account.")
        check_registration(self.utxo_network, scripts.descriptor, text)

    def policy_export(self, fmt: str = "descriptor") -> str:
        """Return the registration text each cosigner keeps of a policy account.

        Args:
            fmt: ``descriptor`` (multipath, with checksum), ``bip388`` (BIP-388 wallet
                policy JSON) or ``coldcard`` (Coldcard's multisig setup file; sorted multisig
                only).

        Raises:
            PolicyAccount: a single-key account.
            InvalidPolicy: an unknown format, or a policy the format cannot carry.
        """
        scripts = self._scripts
        if not isinstance(scripts, PolicyScripts):
            raise PolicyAccount("This account is a single-key account, not a policy account.")
        return export_policy(scripts.descriptor, fmt, self.label or "Coffer")

    @property
    def gap_limit(self) -> int:
        """Return how many unused addresses in a row end address discovery (default 20)."""
        return self._record.gap_limit

    def addresses(self, count: int = 20, start: int = 0, change: bool = False) -> list[AddressInfo]:
        """Return ``count`` addresses from index ``start`` of the receive or change chain.

        Only the addresses asked for are derived and stored: ``start=100000`` stores one.

        Args:
            count: how many.
            start: the first index.
            change: the change chain instead of the receive chain.

        Raises:
            WalletError: an index outside 0 to 2^31 - 1.
        """
        return _addresses.addresses(self._ctx, count, start, CHANGE if change else RECEIVE)

    def receive_address(self) -> str:
        """Return the first receive address no transaction has used yet.

        An address reserved for a payment request (``request``) is skipped: it is that
        request's alone.
        """
        info = _addresses.first_unused(self._ctx, RECEIVE)
        reserved = RequestStore(self._wallet.database).reserved_addresses(self.id)
        while info.address in reserved or info.used:
            info = _addresses.addresses(self._ctx, 1, info.index + 1, RECEIVE)[0]
        return info.address

    def change_address(self) -> str:
        """Return the first change address no transaction has used yet."""
        return _addresses.first_unused(self._ctx, CHANGE).address

    def new_receive_address(self) -> AddressInfo:
        """Hand out a fresh receive address, never given out before.

        Raises:
            WalletError: ``gap_limit`` unused addresses are already handed out; a wallet
                restored from the seed would stop looking before the next one.
        """
        return _addresses.new_receive_address(self._ctx)

    def find_address(self, address: str) -> AddressInfo | None:
        """Return the address's place in this account if it is one of its derived addresses."""
        return _addresses.find_address(self._ctx, address)

    def export_xpub(self, slip132: bool = True) -> str:
        """Return the account's extended public key.

        Args:
            slip132: use the SLIP-132 prefix of the script kind (``zpub`` for p2wpkh on
                Bitcoin, ``vpub`` on testnets); otherwise the standard ``xpub``/``tpub``.
        """
        versions = self.utxo_network.xkeys[self.script_kind]
        chosen = versions[0] if slip132 else self.utxo_network.standard_xkey
        return self.account_xpub.serialize(chosen.public)

    def descriptor(self, chain: int | None = None) -> str:
        """Return the account's output descriptor with key origin and checksum.

        Args:
            chain: ``0`` (receive) or ``1`` (change) for one chain; ``None`` for the BIP-389
                multipath form ``/<0;1>/*``.
        """
        if isinstance(self._scripts, PolicyScripts):
            desc = self._scripts.descriptor
            return str(desc if chain is None else desc.single_paths()[chain])
        return format_descriptor(
            self.script_kind,
            self.export_xpub(slip132=False),
            self._record.fingerprint,
            self._record.path,
            chain,
        )

    # -- chain activity -----------------------------------------------------------------------

    def sync(self, cancel: CancelToken | None = None) -> SyncReport:
        """Discover used addresses (gap limit on both chains) and fetch their transactions.

        When the wallet is being watched (``Wallet.watch``), the scripts discovery added are
        subscribed right after they are stored.

        Args:
            cancel: checked before each page of scripts is asked for; each page's update is
                stored whole, so a cancelled sync keeps the pages it stored.

        Raises:
            Cancelled: ``cancel`` was cancelled.
            BackendUnavailable: the servers cannot be reached or answer garbage.
            NetworkMismatch: a server serves another network.
        """
        with self._sync_lock:
            report = sync_account(self._ctx, cancel)
        watcher = self._wallet.watcher
        if watcher is not None:
            watcher.refresh()
        self.refresh_requests()
        return report

    def view(self) -> AccountView:
        """Return the account's coins, balance and history as of the last sync."""
        return AccountView(self._ctx.store, self._ctx.labels, self.id)

    def balance(self) -> Balance:
        """Return the balance as of the last sync (confirmed, pending, frozen)."""
        return self.view().balance()

    def history(self) -> list[HistoryEntry]:
        """Return the account's transactions as of the last sync, newest first."""
        return self.view().history()

    def coins(self) -> list[CoinInfo]:
        """Return the account's unspent coins (for coin control), largest first."""
        return self.view().coins()

    def freeze(self, outpoint: str, frozen: bool = True) -> None:
        """Freeze a coin (``TXID:N``) so that coin selection never spends it, or thaw it.

        The flag is BIP-329's ``spendable`` of the output's label record.

        Raises:
            WalletError: ``outpoint`` is not written TXID:N.
        """
        try:
            parsed = OutPoint.from_text(outpoint)
        except ValueError as err:
            words = str(err)
            raise WalletError(words[:1].upper() + words[1:] + ".") from None
        self._ctx.labels.set_spendable(str(parsed), not frozen)

    # -- payment requests (wallet.accounts.requesting documents them) -------------------------

    def _request_context(self) -> RequestContext:
        network = self.utxo_network

        def no_tokens(_name: str) -> Asset:
            raise WalletError(f"{network.title} has no tokens.")

        def payments(stored: Sequence[StoredRequest]) -> dict[int, list[Receipt]]:
            return utxo_payments(self.view(), stored)

        return RequestContext(
            account_id=self.id,
            network=network,
            store=RequestStore(self._wallet.database),
            labels=self._ctx.labels,
            coin=Asset(network.symbol, network.decimals),
            reserve_address=self._reserve_address,
            evm_address=None,
            find_asset=no_tokens,
            payments=payments,
        )

    def _reserve_address(self) -> str:
        # Never the address ``receive_address`` shows: it may have been given out already.
        shown = self.receive_address()
        try:
            fresh = self.new_receive_address().address
            return self.new_receive_address().address if fresh == shown else fresh
        except WalletError:
            reserved = RequestStore(self._wallet.database).reserved_addresses(self.id)
            waiting = sum(
                1 for a in reserved if (info := self.find_address(a)) is not None and not info.used
            )
            raise WalletError(
                f"{self.gap_limit} unused addresses are already handed out ({waiting} of them "
                "reserved by unpaid payment requests); a wallet restored from the recovery "
                "phrase would not look further. A new request can be made once one is paid."
            ) from None

    def _link_asset(self, link: PaymentLink) -> Asset:
        return Asset(self.utxo_network.symbol, self.utxo_network.decimals)

    def _payment_draft(
        self, link: PaymentLink, amount: int, fee: FeeLevel | str, allow_high_fee: bool
    ) -> UtxoDraft:
        return self.prepare_send(link.address, amount, fee, allow_high_fee=allow_high_fee)

    # -- sending ------------------------------------------------------------------------------

    def fee_presets(self) -> FeePresets:
        """Return the slow, normal and fast fee rates the backend estimates now.

        Raises:
            BackendUnavailable: the servers cannot be reached.
        """
        with translate_errors():
            backend = self._ctx.backend()
        return _fees.fee_presets(backend, self.utxo_network)

    def prepare_send(
        self,
        to: str | None,
        amount: Amount | None = None,
        fee: FeeLevel | str = "normal",
        *,
        recipients: Sequence[tuple[str, Amount]] | None = None,
        fee_rate: Decimal | int | str | None = None,
        utxos: Sequence[str] | None = None,
        send_max: bool = False,
        rbf: bool = True,
        subtract_fee: bool = False,
        allow_high_fee: bool = False,
        path: str | None = None,
    ) -> UtxoDraft:
        """Prepare an unsigned transaction (a PSBT) and the summary to approve.

        Args:
            to: the recipient (``None`` when ``recipients`` lists them all).
            amount: what to send to ``to``: coins as ``Decimal`` or text, satoshis as ``int``;
                a float is refused. ``None`` with ``send_max``.
            fee: ``"slow"``, ``"normal"`` or ``"fast"``: the backend's estimate for 25, 6 or
                2 blocks (the network's fallback rate where it has none).
            recipients: more ``(address, amount)`` pairs, paid in the same transaction.
            fee_rate: a custom rate in sat/vB instead of ``fee``.
            utxos: coins (``TXID:N``) to spend, and only these (frozen ones included).
            send_max: send everything spendable (or every coin named) to ``to``, less the
                fee; other recipients get their fixed amounts.
            rbf: signal BIP-125 replaceability (the default), so the fee can be bumped.
            subtract_fee: the recipients pay the fee from their amounts, in equal shares.
            allow_high_fee: accept a fee above the caps (10 times the fast rate, or the
                wallet's share of the amount sent, 10% by default).
            path: for a policy account, the spending path to use (a name from
                ``spend_paths``: ``"owner"`` or ``"recovery"`` for a recovery wallet). A
                path with ``older(N)`` spends only coins with N confirmations or more, each
                input with nSequence N (BIP-68, transaction version 2); fees are estimated
                with that path's witness. ``None``: any path (nSequence per ``rbf``, fees at
                the costliest path).

        Returns:
            The draft: sign it with ``Wallet.sign``, or export ``draft.psbt`` to a signer.

        Raises:
            InvalidAddress: a malformed address or a typo in it.
            NetworkMismatch: an address of another network (the error names it).
            FloatAmountError, InvalidAmount, AmountPrecisionError: a bad amount (more
                decimals than the coin has...).
            DustOutput: an output below the dust limit.
            InsufficientFunds: not enough coins (``shortfall`` in base units).
            CoinUnavailable: a named coin is unknown, immature or spent by a pending
                transaction.
            FeeTooHigh: a fee above the caps, unless ``allow_high_fee``.
            FeeTooLow: a custom rate below the minimum relay fee.
            BackendUnavailable: the server cannot be reached.
            UnknownSpendPath: ``path`` names no path of this account.
            TimelockNotReached: a named coin, or every coin, is too young for ``path`` (the
                error says when it opens).
        """
        chosen = None if path is None else _recovery.find_path(self.spend_paths(), path)
        pairs: list[tuple[str, Amount | None]] = [] if to is None else [(to, amount)]
        pairs.extend(recipients or ())
        request = SendRequest(
            recipients=tuple(pairs),
            utxos=tuple(utxos or ()),
            send_max=send_max,
            rbf=rbf,
            subtract_fee=subtract_fee,
            allow_high_fee=allow_high_fee,
            path=chosen,
        )
        return _prepare_send(self._ctx, request, fee, fee_rate)

    # -- spending paths and recovery wallets (``wallet.utxo.paths``, ``wallet.utxo.recovery``) --

    def spend_paths(self) -> tuple[SpendPath, ...]:
        """Return the ways this policy account's coins can be spent, named, in words, sized.

        A recovery wallet has ``owner`` (this or the owner's key, any time) and ``recovery``
        (the heir's key after N blocks); other policies ``path-1``, ``path-2``, ... A
        single-key account, or a multisig, gives its one way as an empty tuple.
        """
        scripts = self._scripts
        if not isinstance(scripts, PolicyScripts):
            return ()
        own = self._record.fingerprint

        def name(key: KeyExpr) -> str:
            origin = getattr(key, "origin", None)
            label = key_label(key)
            return (
                f"this wallet {label}"
                if origin is not None and origin.fingerprint == own
                else label
            )

        return policy_paths(scripts.descriptor, self.utxo_network.block_seconds, name)

    def recovery_status(self) -> RecoveryStatus:
        """Return every coin's recovery clock as of the last sync, and the soonest.

        For each coin: outpoint, value, confirmations, blocks until the recovery path opens
        and about how many days (at the network's block interval: 600 s Bitcoin, 150 s
        Litecoin); an unconfirmed coin's clock starts when it confirms; ``warning`` when 10%
        or less of the delay is left. Sync first for current figures.

        Raises:
            InvalidTimelock: the account is not a recovery wallet (no path of one key after
                N blocks beside an owner path).
        """
        return _recovery.account_status(self._ctx, self.spend_paths())

    def prepare_refresh(
        self,
        fee: FeeLevel | str = "normal",
        *,
        fee_rate: Decimal | int | str | None = None,
        coins: Sequence[str] | None = None,
        within_blocks: int | None = None,
        allow_high_fee: bool = False,
    ) -> UtxoDraft:
        """Prepare moving coins to the account's next address by the owner path.

        This restarts their recovery clocks once it confirms: an owner who is alive
        refreshes before the heir's path opens. One batched transaction (``kind`` is
        ``"refresh"``), its fee in the summary like any send; sign and broadcast it as any
        draft.

        Args:
            fee: ``"slow"``, ``"normal"`` or ``"fast"``.
            fee_rate: a custom rate in sat/vB instead.
            coins: the coins (``TXID:N``) to refresh; by default every spendable coin.
            within_blocks: only the confirmed coins whose recovery path opens within this
                many blocks (those nearest expiry).
            allow_high_fee: accept a fee above the wallet's caps.

        Raises:
            InvalidTimelock: the account is not a recovery wallet.
            CoinUnavailable: no coin to refresh, or a named coin that cannot be spent.
            InsufficientFunds, FeeTooHigh, BackendUnavailable: as ``prepare_send``.
        """
        return _recovery.prepare_refresh(
            self._ctx,
            self.spend_paths(),
            self.receive_address(),
            fee,
            fee_rate,
            coins,
            within_blocks,
            allow_high_fee,
        )

    def bump_fee(
        self,
        txid: str,
        fee_rate: Decimal | int | str | None = None,
        fee: FeeLevel | str = "fast",
        *,
        allow_high_fee: bool = False,
    ) -> UtxoDraft:
        """Prepare a BIP-125 replacement of this account's own pending transaction.

        Raises:
            InvalidTxHash: not 64 hex digits.
            TransactionNotFound: the account has no such transaction.
            NotReplaceable: confirmed or replaced already, not the account's own, not
                signalling BIP-125 (the error suggests CPFP), or with pending children.
            InsufficientFunds: the change and confirmed coins cannot pay the higher fee.
            FeeTooHigh: the new fee is above the caps, unless ``allow_high_fee``.
        """
        return _bump.bump_fee(self._ctx, txid, fee_rate, fee, allow_high_fee=allow_high_fee)

    def cpfp(
        self,
        txid: str,
        fee_rate: Decimal | int | str | None = None,
        fee: FeeLevel | str = "fast",
        *,
        allow_high_fee: bool = False,
    ) -> UtxoDraft:
        """Prepare a child that spends an output of a pending transaction (CPFP).

        The child pays enough that it and its parent together reach the rate.

        Raises:
            InvalidTxHash: not 64 hex digits.
            TransactionNotFound: the account has no such transaction.
            NotReplaceable: confirmed or replaced already, no unspent output to this account,
                or the package already pays the rate.
            InsufficientFunds: its outputs and the confirmed coins cannot pay the child's fee.
            FeeTooHigh: the package's fee is above the caps, unless ``allow_high_fee``.
        """
        return _bump.cpfp(self._ctx, txid, fee_rate, fee, allow_high_fee=allow_high_fee)

    def abandon(self, txid: str) -> None:
        """Forget an own broadcast that no server reports, so that its coins can be spent.

        Raises:
            InvalidTxHash: not 64 hex digits.
            TransactionNotFound: the account has no such transaction.
            NotReplaceable: a server reports it or still has it in its mempool (it may still
                confirm: bump it instead), or it is not pending any more.
            BackendUnavailable: the server cannot be reached to ask whether it has it.
        """
        _bump.abandon(self._ctx, txid)

    def can_replace(self, txid: str) -> bool:
        """Return whether ``bump_fee`` can replace the transaction (own, pending, BIP-125)."""
        return _bump.replaceable(self.view(), txid)

    def sign(
        self, draft: Draft, signer: Signer, prompt: PromptHandler | None = None
    ) -> SignedTransaction:
        """Have ``signer`` sign a draft of this account; finalise and verify the result.

        Raises:
            WatchOnly: the account's key origin is unknown (an xpub imported without one).
            SigningRefused: the signer refused the draft, returned another transaction, or a
                signature does not verify in libbitcoinkernel.
            SigningCancelled: the person declined.
            FeeTooHigh: the fee is above the cap the signer was given.
        """
        return _signing.sign(self._ctx, draft, signer, prompt)

    def check_mempool(self, signed: SignedTransaction) -> MempoolCheck:
        """Ask the node whether its mempool would accept a signed transaction now.

        Bitcoin Core's ``testmempoolaccept`` (a ``core://`` server or the embedded devnet);
        nothing is sent. Over the Electrum protocol the check is unavailable
        (``available=False``, ``note`` says why).

        Raises:
            WalletError: the transaction was not signed for this account.
            BackendUnavailable: the server cannot be reached.
        """
        return check_mempool(self._ctx, signed)

    def import_psbt(self, psbt: bytes | str, *, allow_high_fee: bool = False) -> UtxoDraft:
        """Read back a PSBT of this account (unsigned, signed or final) as a draft.

        The summary is the wallet's own reading: every input must be an unspent coin of the
        account (amounts from the wallet's records), change is what pays its change chain.

        Raises:
            InvalidPsbt: not a PSBT (binary or Base64).
            NothingToSign: no input is a coin of this account.
            FeeTooHigh: a fee above the wallet's share cap, unless ``allow_high_fee``.
            WalletError: some inputs are not coins of this account as of the last sync.
        """
        return _psbt.draft_from_psbt(self._ctx, psbt, allow_high_fee=allow_high_fee)

    def import_signed(
        self, draft: Draft, signed_psbt: bytes | str, *more: bytes | str
    ) -> SignedTransaction:
        """Accept the signed PSBT(s) external signers returned for ``draft``; finalise them.

        A policy account's cosigners each return a partially signed copy: give them all, and
        their signatures are combined (BIP-174 Combiner) before finalising.

        Raises:
            InvalidPsbt: not a PSBT, or copies of different transactions.
            SignaturesMissing: a policy input still lacks signatures (the error says how
                many, and whose keys could add them).
            SigningRefused: another transaction, signatures missing, or a signature that
                libbitcoinkernel refuses (nothing is broadcast).
        """
        if more:
            combined = _psbt.combine_psbts([signed_psbt, *more])
            return _signing.accept_signed(self._ctx, draft, combined)
        psbt = _psbt.read_psbt(signed_psbt)
        return _signing.accept_signed(self._ctx, draft, psbt.serialize())

    def broadcast(self, signed: SignedTransaction) -> str:
        """Send a signed transaction and record it as pending; return its txid.

        Raises:
            BackendUnavailable: the server cannot be reached (nothing was recorded).
            TransactionRefused: the node refused it (the error says why; nothing was recorded).
            FeeTooLow: the node wants a higher fee (a replacement raises it too little).
        """
        return _signing.broadcast(self._ctx, signed)
