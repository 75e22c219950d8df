"""EVM accounts: one address each, the same on every EVM chain.

The logic lives in ``wallet.evm`` (sync, views, sending, tokens); this class is the public
face: what a MetaMask or Rabby user expects of an account, from a wallet that holds its keys.
It builds one ``EvmContext`` (the account's public facts, its storage, the way to the node)
and hands it to those modules; each method here is where its parameters and errors are
documented.

Importing this module loads the EVM family (``eth_abi`` with it, about 0.3 s on the
project's machine, measured with ``python -X importtime``); ``import wallet`` pays it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from chains.evm.activity import AddressActivity
from chains.evm.backend import EvmBackend
from chains.evm.nonces import NonceState
from chains.registry import EvmNetwork
from keystore.bip32 import HARDENED, format_path
from keystore.signers.base import PromptHandler, Signer
from wallet.accounts.base import AddressInfo, EvmLayout
from wallet.accounts.requesting import RequestingAccount
from wallet.amounts import Amount
from wallet.cancel import CancelToken, check_cancelled
from wallet.derive import derive_addresses
from wallet.errors import WalletError
from wallet.evm import broadcast, calls, replace, send
from wallet.evm.context import EvmContext
from wallet.evm.discovery import scan_evm_accounts
from wallet.evm.drafting import nonce_state
from wallet.evm.fee_levels import EvmFeeLevels, fee_levels
from wallet.evm.review import review_for
from wallet.evm.review_types import EvmReview
from wallet.evm.store import EvmStore
from wallet.evm.sync import sync_account
from wallet.evm.tokens import TokenBook
from wallet.evm.types import Collectible, EvmDraft, SentTransaction, TokenHolding
from wallet.evm.views import EvmView
from wallet.requests.book import Asset, RequestContext
from wallet.requests.status import Receipt, evm_payments
from wallet.requests.store import RequestStore, StoredRequest
from wallet.requests.types import PaymentLink
from wallet.types import (
    Balance,
    Draft,
    FeeLevel,
    HistoryEntry,
    SignedTransaction,
    SyncReport,
)

__all__ = ["EvmAccount"]


class EvmAccount(RequestingAccount):
    """An account on an EVM network: standard (``m/44'/60'/0'/0/i``) or Ledger Live layout."""

    @property
    def evm_network(self) -> EvmNetwork:
        """Return the account's network."""
        network = self._record.network
        assert isinstance(network, EvmNetwork)  # noqa: S101 - guaranteed by the wallet
        return network

    @property
    def layout(self) -> EvmLayout | None:
        """Return the derivation layout, or ``None`` for a watched address."""
        return None if self._record.xpub is None else EvmLayout(self._record.kind)

    @cached_property
    def address(self) -> str:
        """Return the account's address, EIP-55 checksummed."""
        record = self._record
        if record.xpub is None:
            assert record.watch_address is not None  # noqa: S101 - watch-only EVM accounts
            return record.watch_address
        child = record.evm_child or 0
        return derive_addresses(self.evm_network, record.xpub, None, 0, child, 1)[0]

    @property
    def key_path(self) -> str | None:
        """Return the full derivation path of the address's key, if known."""
        indexes = self.key_path_indexes
        return None if indexes is None else format_path(indexes)

    @property
    def key_path_indexes(self) -> tuple[int, ...] | None:
        """Return the full derivation path of the address's key as indexes, if known."""
        record = self._record
        if record.path is None or record.evm_child is None:
            return None
        return (*record.path, record.evm_child)

    @property
    def path(self) -> str | None:
        """Return the full derivation path of the address's key (``m/44'/60'/0'/0/3``)."""
        return self.key_path

    def receive_address(self) -> str:
        """Return the account's address (EVM accounts have one)."""
        return self.address

    def addresses(self, count: int = 1, start: int = 0, change: bool = False) -> list[AddressInfo]:
        """Return the account's one address (EVM accounts have no chains of addresses)."""
        if change or start > 0 or count < 1:
            return []
        return [AddressInfo(self.address, self.key_path, 0, self._record.evm_child or 0)]

    def account_addresses(self, count: int, start: int = 0) -> list[AddressInfo]:
        """Return the addresses of the seed's standard-layout accounts ``start`` onwards.

        In the standard layout (``m/44'/60'/0'/0/i``, MetaMask's) account ``i`` is child ``i``
        of this account's extended public key, so the addresses derive without the seed,
        without a node, and without adding accounts to the wallet. Each ``AddressInfo``
        carries the account number as ``index`` and the full path of its key.

        Args:
            count: how many accounts (1 or more).
            start: the first account number.

        Returns:
            One ``AddressInfo`` per account number, in order.

        Raises:
            WalletError: a Ledger Live account or a watched address (no shared parent key),
                or account numbers outside 0 .. 2^31 - 1.
        """
        record = self._record
        if record.xpub is None or record.path is None:
            raise WalletError("This account watches one address and has no sibling accounts.")
        if record.kind is not EvmLayout.STANDARD:
            raise WalletError(
                "Each Ledger Live account has a key of its own, so its accounts are shown one "
                "at a time by account number."
            )
        if count < 1 or start < 0 or start + count > HARDENED:
            raise WalletError("The account number runs from 0 to 2^31 - 1.")
        found = derive_addresses(self.evm_network, record.xpub, None, 0, start, count)
        return [
            AddressInfo(address, format_path((*record.path, i)), 0, i)
            for i, address in enumerate(found, start=start)
        ]

    @cached_property
    def _context(self) -> EvmContext:
        """Return what the ``wallet.evm`` modules need of this account (built on first use)."""
        wallet, network = self._wallet, self.evm_network
        store = EvmStore(wallet.database)
        backends = wallet.backends

        def connect() -> EvmBackend:
            # Looked up on each use: ``wallet.backends.use`` may swap the node meanwhile.
            return backends.evm(network)

        return EvmContext(
            network=network,
            account_id=self.id,
            address=self.address,
            # An imported key (not watch-only, no path) signs with the empty path: its signer
            # has the one key.
            key_path=self.key_path_indexes if self.watch_only or self._record.xpub else (),
            database=wallet.database,
            store=store,
            labels=wallet.labels,
            tokens=TokenBook(store, network, connect, self.id),
            connect=connect,
        )

    # -- chain activity ----------------------------------------------------------------------

    def sync(self, cancel: CancelToken | None = None) -> SyncReport:
        """Fetch balances, tokens, history, own transactions and collectibles; store them.

        Own pending transactions the node no longer holds, their nonce unused, are sent
        again (lowest nonce first) and stay pending; one the node refuses is marked dropped
        and the report's ``warnings`` say why (``wallet.evm.resend``).

        Args:
            cancel: checked before the node is asked (an EVM sync is one step, stored whole).

        Raises:
            Cancelled: ``cancel`` was cancelled before the sync started.
            BackendUnavailable: the node cannot be reached or answers garbage; nothing stored
                is lost.
            NetworkMismatch: the node serves another chain id.
        """
        check_cancelled(cancel, "The sync")
        ctx = self._context
        with self._sync_lock:
            report = sync_account(ctx, ctx.backend())
        self.refresh_requests()
        return report

    # -- payment requests (wallet.accounts.requesting documents them) -------------------------

    def _request_context(self) -> RequestContext:
        network = self.evm_network

        def find_asset(name: str) -> Asset:
            # Only a token the wallet knows: a request's asset is read again at each listing,
            # and that must not go to the network (add the token first: ``tokens.add``).
            info = self.tokens.find(name, read_unknown=False)
            return Asset(info.symbol, info.decimals, info.address)

        def payments(stored: Sequence[StoredRequest]) -> dict[int, list[Receipt]]:
            return evm_payments(self.history(), stored)

        return RequestContext(
            account_id=self.id,
            network=network,
            store=RequestStore(self._wallet.database),
            labels=self._wallet.labels,
            coin=Asset(network.symbol, network.decimals),
            reserve_address=None,
            evm_address=self.address,
            find_asset=find_asset,
            payments=payments,
        )

    def _link_asset(self, link: PaymentLink) -> Asset:
        if link.token is None:
            return Asset(self.evm_network.symbol, self.evm_network.decimals)
        info = self.tokens.find(link.token)
        return Asset(info.symbol, info.decimals, info.address)

    def _payment_draft(
        self, link: PaymentLink, amount: int, fee: FeeLevel | str, allow_high_fee: bool
    ) -> EvmDraft:
        return self.prepare_send(
            link.address, amount, fee, token=link.token, allow_high_fee=allow_high_fee
        )

    @property
    def tokens(self) -> TokenBook:
        """Return the network's tokens: ``list()``, ``add(address)``, ``remove``, ``find``."""
        return self._context.tokens

    def _view(self) -> EvmView:
        return EvmView(self._context)

    def balance(self) -> Balance:
        """Return the native balance as of the last sync (mined, and pending change)."""
        return self._view().balance()

    def token_balances(self, include_zero: bool = False) -> list[Balance]:
        """Return the token balances of the last sync (custom tokens even when zero)."""
        return self._view().token_balances(include_zero)

    def token_holdings(self) -> list[TokenHolding]:
        """Return every known token of the network with the account's balance of it."""
        return self._view().holdings()

    def history(self) -> list[HistoryEntry]:
        """Return the history as of the last sync, newest first (per transaction and asset)."""
        return self._view().history()

    def sent_transactions(self) -> list[SentTransaction]:
        """Return the transactions this wallet sent from the account, with their status."""
        return self._view().sent()

    def nfts(self) -> list[Collectible]:
        """Return the ERC-721/1155 items the account held at the last sync, with metadata."""
        return self._view().nfts()

    def fee_levels(self) -> EvmFeeLevels:
        """Return the slow, normal and fast fee levels ``prepare_send`` would use now.

        Each with its most per gas and the most a plain transfer costs at it (a rollup's L1
        data fee comes on top, known only for a draft).

        Raises:
            BackendUnavailable: the node cannot be reached.
        """
        return fee_levels(self._context)

    def nonces(self) -> NonceState:
        """Return the next nonce, and nonce gaps that keep own transactions from being mined.

        Raises:
            BackendUnavailable: the node cannot be reached.
        """
        return nonce_state(self._context)

    # -- sending -----------------------------------------------------------------------------

    def prepare_send(
        self,
        to: str,
        amount: Amount,
        fee: FeeLevel | str = "normal",
        *,
        token: str | None = None,
        max_fee_per_gas: int | None = None,
        max_priority_fee_per_gas: int | None = None,
        gas_price: int | None = None,
        gas_limit: int | None = None,
        nonce: int | None = None,
        allow_high_fee: bool = False,
    ) -> EvmDraft:
        """Prepare a transfer of the native coin, or of an ERC-20 token with ``token``.

        Args:
            to: the recipient (EIP-55 checked; all-lowercase is accepted).
            amount: coins or tokens as ``Decimal`` or text, or base units (wei, token units)
                as ``int``; a float is refused.
            fee: ``"slow"``, ``"normal"`` or ``"fast"`` (EIP-1559 levels from fee history).
            token: a token symbol or contract address (bundled, custom, or read on chain).
            max_fee_per_gas: a custom EIP-1559 fee cap in wei.
            max_priority_fee_per_gas: a custom tip in wei.
            gas_price: a custom legacy gas price in wei (chains without EIP-1559).
            gas_limit: a gas limit instead of the node's estimate plus a margin.
            nonce: a nonce instead of the next free one; the nonce of a pending transaction
                of this wallet makes the draft its replacement (fees 10% higher needed).
            allow_high_fee: accept a fee far above the network's level.

        Returns:
            The unsigned transaction and its summary (sign with ``Wallet.sign``).

        Raises:
            InvalidAddress: a malformed recipient or a broken EIP-55 checksum.
            NetworkMismatch: an address of another network (a Bitcoin address...).
            InvalidRecipient: the zero address, or a token's own contract.
            UnknownToken: no such token symbol; InvalidToken: not a token contract.
            FloatAmountError, InvalidAmount, AmountPrecisionError: a bad amount (more
                decimals than the token has...).
            InsufficientFunds: not enough for the amount plus the maximum fee
                (``shortfall`` in base units of what is short).
            FeeTooHigh: a fee far above the network's level, unless ``allow_high_fee``.
            InvalidTransactionField: a nonce or gas limit that is no whole number in range.
            TransactionWouldFail: the network would revert it.
            BackendUnavailable: the node cannot be reached.
        """
        return send.prepare_send(
            self._context,
            to,
            amount,
            fee,
            token=token,
            max_fee_per_gas=max_fee_per_gas,
            max_priority_fee_per_gas=max_priority_fee_per_gas,
            gas_price=gas_price,
            gas_limit=gas_limit,
            nonce=nonce,
            allow_high_fee=allow_high_fee,
        )

    def send_max(
        self,
        to: str,
        fee: FeeLevel | str = "normal",
        *,
        max_fee_per_gas: int | None = None,
        max_priority_fee_per_gas: int | None = None,
        gas_price: int | None = None,
        allow_high_fee: bool = False,
    ) -> EvmDraft:
        """Prepare a transfer of the whole native balance less the maximum fee.

        On an OP Stack chain (``optimism``, ``base``) the maximum fee includes the L1 data
        fee's upper bound from the GasPriceOracle predeploy (``EvmDraft.l1_fee``).

        Raises:
            InsufficientFunds: the balance does not even cover the fee.
            (and the address and fee errors of ``prepare_send``)
        """
        return send.send_max(
            self._context,
            to,
            fee,
            max_fee_per_gas=max_fee_per_gas,
            max_priority_fee_per_gas=max_priority_fee_per_gas,
            gas_price=gas_price,
            allow_high_fee=allow_high_fee,
        )

    def prepare_nft_transfer(
        self,
        to: str,
        contract: str,
        token_id: int,
        amount: int = 1,
        fee: FeeLevel | str = "normal",
        *,
        max_fee_per_gas: int | None = None,
        max_priority_fee_per_gas: int | None = None,
        allow_high_fee: bool = False,
    ) -> EvmDraft:
        """Prepare a transfer of an ERC-721 item, or ``amount`` ERC-1155 items (tickets).

        The standard is read from the contract (EIP-165 ``supportsInterface``).

        Raises:
            InvalidTransactionField: an item id that is no uint256.
            InvalidAmount, FloatAmountError: an amount that is no whole number above 0.
            InsufficientFunds: the account does not hold the item (or enough of them).
            InvalidRecipient: the zero address, or the collection's own contract.
            (and the address and fee errors of ``prepare_send``)
        """
        return send.prepare_nft_transfer(
            self._context,
            to,
            contract,
            token_id,
            amount,
            fee,
            max_fee_per_gas=max_fee_per_gas,
            max_priority_fee_per_gas=max_priority_fee_per_gas,
            allow_high_fee=allow_high_fee,
        )

    def prepare_call(
        self,
        to: str,
        data: bytes | str,
        value: Amount = 0,
        fee: FeeLevel | str = "normal",
        *,
        max_fee_per_gas: int | None = None,
        max_priority_fee_per_gas: int | None = None,
        gas_price: int | None = None,
        gas_limit: int | None = None,
        nonce: int | None = None,
        allow_high_fee: bool = False,
    ) -> EvmDraft:
        """Prepare a call of a contract (an approve, a permit, a swap...) with its review.

        ``draft.review`` shows what it will do: the intent read with the clear-signing
        descriptors (``None``: blind) and the node's simulation. A blind call, or a
        simulation the intent does not show, is refused by ``Wallet.sign`` unless
        ``draft.accept_risks(blind=..., mismatch=...)`` overrides it.

        Args:
            to: the contract.
            data: the call data, as bytes or ``0x`` hex text.
            value: coins sent along (``Decimal`` or text), or wei as ``int``.
            fee: ``"slow"``, ``"normal"`` or ``"fast"``.
            max_fee_per_gas: a custom EIP-1559 fee cap in wei.
            max_priority_fee_per_gas: a custom tip in wei.
            gas_price: a custom legacy gas price in wei.
            gas_limit: a gas limit instead of the node's estimate plus a margin.
            nonce: a nonce instead of the next free one.
            allow_high_fee: accept a fee far above the network's level.

        Raises:
            InvalidTransactionField: call data that is not hex; a bad nonce or gas limit.
            TransactionWouldFail: the network would revert it.
            (and the address, amount, funds and fee errors of ``prepare_send``)
        """
        return calls.prepare_call(
            self._context,
            to,
            data,
            value,
            fee,
            max_fee_per_gas=max_fee_per_gas,
            max_priority_fee_per_gas=max_priority_fee_per_gas,
            gas_price=gas_price,
            gas_limit=gas_limit,
            nonce=nonce,
            allow_high_fee=allow_high_fee,
        )

    def review(self, draft: EvmDraft) -> EvmReview:
        """Review a draft again now: its intent and a fresh simulation on the current chain.

        Raises:
            BackendUnavailable: the node cannot be reached.
        """
        if not isinstance(draft, EvmDraft) or draft.account_id != self._context.account_id:
            raise WalletError("That draft was not prepared by this EVM account.")
        return review_for(self._context, draft.request)

    def speed_up(
        self,
        tx_hash: str,
        fee: FeeLevel | str = "fast",
        *,
        max_fee_per_gas: int | None = None,
        max_priority_fee_per_gas: int | None = None,
        allow_high_fee: bool = False,
    ) -> EvmDraft:
        """Prepare a replacement of a pending transaction: same nonce, fees raised >= 10%.

        Raises:
            TransactionNotFound: this wallet sent no such transaction.
            NotReplaceable: it is mined, replaced or dropped already.
            FeeTooLow: custom fees that do not raise both fees by 10%.
        """
        return replace.speed_up(
            self._context,
            tx_hash,
            fee,
            max_fee_per_gas=max_fee_per_gas,
            max_priority_fee_per_gas=max_priority_fee_per_gas,
            allow_high_fee=allow_high_fee,
        )

    def cancel(
        self,
        tx_hash: str,
        fee: FeeLevel | str = "fast",
        *,
        max_fee_per_gas: int | None = None,
        max_priority_fee_per_gas: int | None = None,
        allow_high_fee: bool = False,
    ) -> EvmDraft:
        """Prepare a cancellation: a 0-value transfer to itself with the pending one's nonce.

        Raises:
            TransactionNotFound, NotReplaceable, FeeTooLow: as ``speed_up``.
        """
        return replace.cancel(
            self._context,
            tx_hash,
            fee,
            max_fee_per_gas=max_fee_per_gas,
            max_priority_fee_per_gas=max_priority_fee_per_gas,
            allow_high_fee=allow_high_fee,
        )

    def sign(
        self, draft: Draft, signer: Signer, prompt: PromptHandler | None = None
    ) -> SignedTransaction:
        """Have ``signer`` review and sign a draft of this account; check what it returns.

        Raises:
            WatchOnly: an address-only account (no key path to sign with).
            SigningRefused: the signer refused, or returned another transaction.
            SigningCancelled: the person declined.
        """
        if not isinstance(draft, EvmDraft):
            raise WalletError("That draft is not an EVM transaction of this account.")
        return broadcast.sign(self._context, draft, signer, prompt)

    def import_signed(self, draft: EvmDraft, raw: bytes) -> SignedTransaction:
        """Accept the signed bytes an external signer (air-gapped, hardware) returned.

        Raises:
            SigningRefused: not a valid signed transaction, or not this draft's request
                signed by this account's key.
        """
        return broadcast.import_signed(self._context, draft, raw)

    def broadcast(self, signed: SignedTransaction) -> str:
        """Send a signed transaction to the network and record it as pending; return its hash.

        Sending the same signed transaction again is safe: once the node knows it, it is
        recorded and its hash returned.

        Raises:
            NonceConflict: the nonce is already used by a mined transaction, or held by
                another pending transaction of this wallet that the draft does not replace
                (nothing was sent or stored).
            FeeTooLow: the node wants a higher fee (a replacement raises it too little).
            InsufficientFunds: the node says the account cannot pay.
            BackendUnavailable: the node cannot be reached (nothing was stored).
        """
        return broadcast.broadcast(self._context, signed)

    # -- discovery ---------------------------------------------------------------------------

    def scan_accounts(self, count: int, start: int = 0) -> list[tuple[int, AddressActivity]]:
        """Return the activity of the seed's standard-layout EVM accounts on this network.

        In the standard layout (``m/44'/60'/0'/0/i``) every account is a child of this
        account's extended public key, so many addresses derive without unsealing the seed,
        and their balances and nonces come in two round trips.

        Args:
            count: how many account indexes.
            start: the first index.

        Returns:
            ``(index, activity)`` for every index, in order; ``activity.used`` tells which
            the seed has used.

        Raises:
            WalletError: an account without an extended public key (watched by address).
            BackendUnavailable: the network's nodes cannot be reached.
        """
        return scan_evm_accounts(self._context, self._record.xpub, count, start)
