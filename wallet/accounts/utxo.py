"""Bitcoin-family accounts: receive and change chains of one extended public key."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chains.registry import ScriptKind, UtxoNetwork
from keystore.bip32 import ExtendedPublicKey, format_path
from primitives.tx import OutPoint
from wallet.accounts.base import Account, AddressInfo
from wallet.derive import derive_addresses
from wallet.descriptors import format_descriptor
from wallet.errors import WalletError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from decimal import Decimal

    from keystore.signers.base import PromptHandler, Signer
    from wallet.amounts import Amount
    from wallet.types import (
        Balance,
        CoinInfo,
        Draft,
        FeeLevel,
        HistoryEntry,
        SignedTransaction,
        SyncReport,
    )
    from wallet.utxo.builder import UtxoDraft
    from wallet.utxo.fees import FeePresets
    from wallet.utxo.views import AccountView

__all__ = ["CHANGE", "RECEIVE", "UtxoAccount"]

RECEIVE = 0
CHANGE = 1


class UtxoAccount(Account):
    """An account on a Bitcoin-family network (BIP-44/49/84/86 layout)."""

    @property
    def utxo_network(self) -> UtxoNetwork:
        """Return the account's network."""
        network = self._record.network
        assert isinstance(network, UtxoNetwork)  # noqa: S101 - guaranteed by the wallet
        return network

    @property
    def script_kind(self) -> ScriptKind:
        """Return the account's script kind."""
        return ScriptKind(self._record.kind)

    @property
    def account_xpub(self) -> ExtendedPublicKey:
        """Return the account's extended public key."""
        xpub = self._record.xpub
        assert xpub is not None  # noqa: S101 - UTXO accounts always have one
        return xpub

    @property
    def gap_limit(self) -> int:
        """Return how many unused addresses in a row end address discovery (default 20)."""
        return self._record.gap_limit

    def _path_of(self, chain: int, index: int) -> str | None:
        base = self._record.path
        return format_path((*base, chain, index)) if base is not None else None

    def _ensure(self, chain: int, upto: int) -> None:
        """Derive and store addresses of ``chain`` up to index ``upto`` (exclusive).

        Each gets its watched script row at once (``UtxoStore.ensure_scripts``): the view
        knows the account's outputs by those rows, so change or a payment to self at an
        address derived since the last sync would otherwise read as paid away.
        """
        from wallet.utxo.store import UtxoStore

        db = self._wallet.database
        rows = db.query(
            "SELECT COALESCE(MAX(idx) + 1, 0) FROM addresses WHERE account_id = ? AND chain = ?",
            (self.id, chain),
        )
        have = int(rows[0][0])
        if have >= upto:
            return
        fresh = derive_addresses(
            self.utxo_network, self.account_xpub, self.script_kind, chain, have, upto - have
        )
        with db.transaction():
            for offset, address in enumerate(fresh):
                db.execute(
                    "INSERT INTO addresses(account_id, chain, idx, address) VALUES (?, ?, ?, ?)",
                    (self.id, chain, have + offset, address),
                )
            UtxoStore(db, self.utxo_network).ensure_scripts(self.id)

    def addresses(self, count: int = 20, start: int = 0, change: bool = False) -> list[AddressInfo]:
        """Return ``count`` addresses from index ``start`` of the receive or change chain.

        Args:
            count: how many.
            start: the first index.
            change: the change chain instead of the receive chain.
        """
        if count < 0 or start < 0 or start + count > 0x80000000:
            raise WalletError("Address indexes run from 0 to 2^31 - 1.")
        chain = CHANGE if change else RECEIVE
        self._ensure(chain, start + count)
        rows = self._wallet.database.query(
            "SELECT idx, address, used FROM addresses WHERE account_id = ? AND chain = ? "
            "AND idx >= ? AND idx < ? ORDER BY idx",
            (self.id, chain, start, start + count),
        )
        return [
            AddressInfo(address, self._path_of(chain, idx), chain, idx, bool(used))
            for idx, address, used in rows
        ]

    def _first_unused(self, chain: int) -> AddressInfo:
        while True:
            rows = self._wallet.database.query(
                "SELECT MIN(idx) FROM addresses WHERE account_id = ? AND chain = ? AND used = 0",
                (self.id, chain),
            )
            if rows[0][0] is not None:
                return self.addresses(1, int(rows[0][0]), change=chain == CHANGE)[0]
            stored = self._wallet.database.query(
                "SELECT COUNT(*) FROM addresses WHERE account_id = ? AND chain = ?",
                (self.id, chain),
            )[0][0]
            self._ensure(chain, int(stored) + self.gap_limit)

    def receive_address(self) -> str:
        """Return the first receive address no transaction has used yet."""
        return self._first_unused(RECEIVE).address

    def change_address(self) -> str:
        """Return the first change address no transaction has used yet."""
        return self._first_unused(CHANGE).address

    def new_receive_address(self) -> AddressInfo:
        """Hand out a fresh receive address, never given out before.

        Raises:
            WalletError: ``gap_limit`` unused addresses are already handed out; a wallet
                restored from the seed would stop looking before the next one.
        """
        db = self._wallet.database
        rows = db.query(
            "SELECT COALESCE(MAX(CASE WHEN used = 1 THEN idx END), -1), "
            "COALESCE(MAX(CASE WHEN issued = 1 THEN idx END), -1) "
            "FROM addresses WHERE account_id = ? AND chain = 0",
            (self.id,),
        )
        last_used, last_issued = int(rows[0][0]), int(rows[0][1])
        index = max(last_used, last_issued) + 1
        if index - last_used > self.gap_limit:
            raise WalletError(
                f"{self.gap_limit} unused addresses are already handed out; a wallet restored "
                "from the recovery phrase would not look further. Use one of them first."
            )
        info = self.addresses(1, index)[0]
        db.execute(
            "UPDATE addresses SET issued = 1 WHERE account_id = ? AND chain = 0 AND idx = ?",
            (self.id, index),
        )
        return info

    def find_address(self, address: str) -> AddressInfo | None:
        """Return the address's place in this account if it is one of its derived addresses."""
        rows = self._wallet.database.query(
            "SELECT chain, idx, used FROM addresses WHERE account_id = ? AND address = ?",
            (self.id, address),
        )
        if not rows:
            return None
        chain, idx, used = rows[0]
        return AddressInfo(address, self._path_of(chain, idx), chain, idx, bool(used))

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
        return format_descriptor(
            self.script_kind,
            self.export_xpub(slip132=False),
            self._record.fingerprint,
            self._record.path,
            chain,
        )

    # -- chain activity -----------------------------------------------------------------------

    def sync(self) -> SyncReport:
        """Discover used addresses (gap limit on both chains) and fetch their transactions.

        When the wallet is being watched (``Wallet.watch``), the scripts discovery added are
        subscribed right after they are stored.

        Raises:
            BackendUnavailable: the servers cannot be reached or answer garbage.
            NetworkMismatch: a server serves another network.
        """
        from wallet.errors import translate_errors
        from wallet.utxo.sync import sync_account

        with translate_errors():
            backend = self._wallet.backends.utxo(self.utxo_network)
        report = sync_account(self, backend)
        watcher = self._wallet.watcher
        if watcher is not None:
            watcher.refresh()
        return report

    def view(self) -> AccountView:
        """Return the account's coins, balance and history as of the last sync."""
        from wallet.utxo.views import AccountView

        return AccountView(self._wallet.database, self._wallet.labels, self.utxo_network, self.id)

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
        self._wallet.labels.set_spendable(str(parsed), not frozen)

    # -- sending ------------------------------------------------------------------------------

    def fee_presets(self) -> FeePresets:
        """Return the slow, normal and fast fee rates the backend estimates now.

        Raises:
            BackendUnavailable: the servers cannot be reached.
        """
        from wallet.errors import translate_errors
        from wallet.utxo.fees import fee_presets

        with translate_errors():
            backend = self._wallet.backends.utxo(self.utxo_network)
        return fee_presets(backend, self.utxo_network)

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
        """
        from wallet.utxo.builder import SendRequest, prepare_send

        pairs: list[tuple[str, Amount | None]] = [] if to is None else [(to, amount)]
        pairs.extend(recipients or ())
        request = SendRequest(
            recipients=tuple(pairs),
            utxos=tuple(utxos or ()),
            send_max=send_max,
            rbf=rbf,
            subtract_fee=subtract_fee,
            allow_high_fee=allow_high_fee,
        )
        return prepare_send(self, request, fee, fee_rate)

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
            TransactionNotFound: the account has no such transaction.
            NotReplaceable: it is confirmed or replaced, not the account's own, not
                signalling BIP-125 (use ``cpfp``), or has pending children.
            InsufficientFunds: no coins to pay the higher fee.
        """
        from wallet.utxo.bump import bump_fee

        return bump_fee(self, txid, fee_rate, fee, allow_high_fee=allow_high_fee)

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
            TransactionNotFound: the account has no such transaction.
            NotReplaceable: it is confirmed, replaced, pays this account nothing unspent,
                or already pays the rate.
        """
        from wallet.utxo.bump import cpfp

        return cpfp(self, txid, fee_rate, fee, allow_high_fee=allow_high_fee)

    def abandon(self, txid: str) -> None:
        """Forget an own broadcast that no server reports, so that its coins can be spent.

        Raises:
            InvalidTxHash: not 64 hex digits.
            TransactionNotFound: the account has no such transaction.
            NotReplaceable: a server reports it (bump it instead), or it is not pending.
        """
        from wallet.utxo.bump import abandon

        abandon(self, txid)

    def can_replace(self, txid: str) -> bool:
        """Return whether ``bump_fee`` can replace the transaction (own, pending, BIP-125)."""
        from wallet.utxo.bump import replaceable

        return replaceable(self.view(), txid)

    def sign(
        self, draft: Draft, signer: Signer, prompt: PromptHandler | None = None
    ) -> SignedTransaction:
        """Have ``signer`` sign a draft of this account; finalise and verify the result.

        Raises:
            SigningRefused: the signer refused, or the result does not verify.
            SigningCancelled: the person declined.
            WatchOnly: the account's key origin is unknown.
        """
        from wallet.utxo.signing import sign

        return sign(self, draft, signer, prompt)

    def broadcast(self, signed: SignedTransaction) -> str:
        """Send a signed transaction and record it as pending; return its txid.

        Raises:
            BackendUnavailable: the server cannot be reached (nothing was recorded).
            TransactionRefused: the node refused it, its reason in words.
            FeeTooLow: the node wants a higher fee.
        """
        from wallet.utxo.signing import broadcast

        return broadcast(self, signed)
