"""The public error catalogue: everything the API raises derives from ``WalletError``.

Each error's text is one sentence a person understands and names the thing; programs read
the structured attributes. No error ever carries a secret. Lower layers' errors are turned
into these in one place, ``translate_errors``, always chained with ``from``.

Why this module is a little over 500 lines: it is the public catalogue the README lists, one
short class per error, and ``translate_errors`` must sit beside the classes it returns
(moving it out would make this module import the translator and the translator import the
classes: a cycle). Splitting the catalogue by family would only scatter what a caller looks
up in one place.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from chains import errors as chain_errors
from chains.evm import errors as evm_errors
from chains.utxo import backend as utxo_backend
from chains.utxo import coinselect
from keystore import errors as key_errors

__all__ = [
    "AccountExists",
    "AccountNotFound",
    "AgentUnavailable",
    "AmbiguousRequest",
    "AmountPrecisionError",
    "AttachmentRefused",
    "AttachmentTooLarge",
    "AttachmentTypeMismatch",
    "BackendUnavailable",
    "Cancelled",
    "CoinUnavailable",
    "CsvMappingMismatch",
    "DeviceAddressMismatch",
    "DustOutput",
    "FeeTooHigh",
    "FeeTooLow",
    "FiatAccountNotFound",
    "FloatAmountError",
    "HardwareUnavailable",
    "IncompleteQrPayload",
    "InsufficientFunds",
    "InvalidAddress",
    "InvalidAmount",
    "InvalidBackup",
    "InvalidDescriptor",
    "InvalidDuration",
    "InvalidExtendedKey",
    "InvalidKeyFile",
    "InvalidMnemonic",
    "InvalidPath",
    "InvalidPaymentLink",
    "InvalidPolicy",
    "InvalidPsbt",
    "InvalidPsbtFile",
    "InvalidRecipient",
    "InvalidSignature",
    "InvalidTimelock",
    "InvalidToken",
    "InvalidTxHash",
    "InvalidTypedData",
    "InvalidWalletPath",
    "MixedQrPayloads",
    "MusigRefused",
    "NetworkForbidden",
    "NetworkMismatch",
    "NoPaymentLink",
    "NoQrCode",
    "NoRecoveryWords",
    "NodeRefused",
    "NonceConflict",
    "NotADevnet",
    "NotReplaceable",
    "NothingToSign",
    "PolicyAccount",
    "PolicyMismatch",
    "PolicyWithoutOwnKey",
    "PriceProviderError",
    "PriceRateLimited",
    "PriceUnavailable",
    "QrPayloadError",
    "RequestExpired",
    "RequestNotFound",
    "ReviewBlocked",
    "SignaturesMissing",
    "SigningCancelled",
    "SigningRefused",
    "StatementCurrencyMismatch",
    "StatementError",
    "TimelockNotReached",
    "TransactionNotFound",
    "TransactionRefused",
    "TransactionTooLarge",
    "TransactionWouldFail",
    "UnknownAsset",
    "UnknownCurrency",
    "UnknownNetwork",
    "UnknownSpendPath",
    "UnknownToken",
    "UnsafeAgent",
    "UnsafeWalletFile",
    "Unsupported",
    "UnsupportedRequirement",
    "WalletCorrupt",
    "WalletError",
    "WalletExists",
    "WalletInUse",
    "WalletNotFound",
    "WalletReadOnly",
    "WatchOnly",
    "WeakPassword",
    "WrongKeyFilePassword",
    "WrongPassword",
    "translate_errors",
]


class WalletError(Exception):
    """Root of every error the public API raises; its text is meant for a person."""


class WrongPassword(WalletError):
    """The password does not open the wallet; nothing was changed."""

    def __init__(self, message: str = "The password is wrong; the wallet was not opened.") -> None:
        """Use the standard message unless a more precise one is given."""
        super().__init__(message)


class WrongKeyFilePassword(WrongPassword):
    """The password does not open a Web3 Secret Storage key file (or the file was altered)."""


class InvalidKeyFile(WalletError, ValueError):
    """A key file that is not a Web3 Secret Storage file Coffer reads; the text says why."""


class InvalidSignature(WalletError, ValueError):
    """A message signature that does not verify; the text says why.

    Another message, another address, or bytes that are not a signature of the format.
    """


class InvalidTypedData(WalletError, ValueError):
    """An EIP-712 typed-data document that is malformed; the text names the member."""


class WalletCorrupt(WalletError):
    """The wallet file is damaged, truncated or not a Coffer wallet."""


class WalletInUse(WalletError):
    """Another program holds the wallet file: it is open there, or being written."""


class InvalidWalletPath(WalletError, ValueError):
    """The wallet path cannot hold a wallet: a pipe or device, a link loop, a name too long."""


class WalletReadOnly(InvalidWalletPath):
    """The wallet's folder or file cannot be written: it opens read-only, or not at all.

    Writing needs the folder (SQLite keeps its change log beside the file); a command that
    only reads can open the wallet with ``Wallet.open(..., read_only=True)``.
    """


class UnsafeWalletFile(WalletError):
    """A file beside the wallet (its ``-wal`` or ``-shm``) belongs to another user."""


class UnsafeAgent(WalletError):
    """The unlock agent's socket or folder is not this user's alone, so Coffer will not use it."""


class AgentUnavailable(WalletError):
    """The unlock agent could not be started."""


class InvalidDuration(WalletError, ValueError):
    """A duration such as ``15m``, ``1h`` or ``90s`` could not be read."""


class WalletExists(WalletError, FileExistsError):
    """A wallet file already exists where a new one was to be created."""


class WalletNotFound(WalletError, FileNotFoundError):
    """No wallet file at the given path."""


class WatchOnly(WalletError):
    """The wallet or account holds no private keys, so it cannot do this."""


class AccountNotFound(WalletError, KeyError):
    """No such account in the wallet."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "No such account."


class AccountExists(WalletError, ValueError):
    """An import names a key the wallet already has as an account (same network and kind).

    Attributes:
        account_id: the existing account's id (``Wallet.account_by_id``).
        index: its number, as ``coffer accounts`` shows it.
    """

    def __init__(self, message: str, account_id: int, index: int) -> None:
        """Keep a user-facing message and the existing account's id and number."""
        super().__init__(message)
        self.account_id = account_id
        self.index = index


class UnknownNetwork(WalletError, KeyError):
    """The network name is not in the registry."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "Unknown network."


class InvalidMnemonic(WalletError, ValueError):
    """A recovery phrase was refused.

    Attributes:
        reason: ``"unknown-word"``, ``"checksum"``, ``"word-count"``, ``"mixed-languages"``
            or ``"other"``.
        position: the 1-based position of an unknown word.
        suggestions: the closest valid words for an unknown word.
    """

    def __init__(
        self,
        message: str,
        reason: str = "other",
        position: int | None = None,
        suggestions: tuple[str, ...] = (),
    ) -> None:
        """Record the reason and where it applies."""
        super().__init__(message)
        self.reason = reason
        self.position = position
        self.suggestions = suggestions


class WeakPassword(WalletError, ValueError):
    """A new wallet password is refused: shorter than ``wallet.passwords.MIN_PASSWORD_LENGTH``."""


class InvalidPath(WalletError, ValueError):
    """A derivation path is malformed or out of range."""


class InvalidExtendedKey(WalletError, ValueError):
    """An xpub/ypub/zpub is malformed, has a bad checksum, or is of another network or kind."""


class InvalidDescriptor(WalletError, ValueError):
    """An output descriptor is malformed, has a bad checksum, or is not supported."""


class InvalidPolicy(InvalidDescriptor):
    """A policy (descriptor, BIP-388 policy, multisig setup) cannot be a policy account.

    A bad checksum, a key of another network, miniscript that is not sane (malleable, mixed
    timelocks, a repeated key), a threshold out of range, or a shape the wallet does not
    spend. The message names the fault.
    """


class PolicyAccount(WalletError):
    """The operation needs a single-key account (or a policy one) and got the other kind."""


class PolicyMismatch(InvalidPolicy):
    """A cosigner file or registration describes another policy than the account's."""


class PolicyWithoutOwnKey(InvalidPolicy):
    """A wallet with a seed was given a policy that holds none of its keys."""


class InvalidAddress(WalletError, ValueError):
    """An address is malformed or its checksum does not match."""

    def __init__(self, message: str, address: str = "") -> None:
        """Keep the offending address."""
        super().__init__(message)
        self.address = address


class NetworkMismatch(InvalidAddress):
    """A valid address or server of another network than the account's.

    Attributes:
        address_networks: the networks the address belongs to.
        account_network: the network of the account it was given to.
    """

    def __init__(
        self,
        message: str,
        address: str = "",
        address_networks: tuple[str, ...] = (),
        account_network: str = "",
    ) -> None:
        """Record both networks."""
        super().__init__(message, address)
        self.address_networks = address_networks
        self.account_network = account_network


class InvalidAmount(WalletError, ValueError):
    """An amount is not a valid, positive number of the asset."""


class AmountPrecisionError(InvalidAmount):
    """An amount has more decimal places than the asset has."""

    def __init__(self, message: str, decimals: int) -> None:
        """Record how many decimals the asset allows."""
        super().__init__(message)
        self.decimals = decimals


class FloatAmountError(WalletError, TypeError):
    """A float was passed as an amount: floats cannot hold money exactly."""

    def __init__(self) -> None:
        """Explain why floats are refused."""
        super().__init__(
            "Amounts must be Decimal, int or a decimal string, never float: "
            "a float cannot hold money exactly."
        )


class InsufficientFunds(WalletError):
    """Not enough funds for the amount and fee; ``shortfall`` says how much is missing."""

    def __init__(self, message: str, shortfall: int = 0) -> None:
        """Record the shortfall in base units."""
        super().__init__(message)
        self.shortfall = shortfall


class FeeTooHigh(WalletError):
    """The fee is far above the market or the amount; ``fee`` and ``cap`` are base units."""

    def __init__(self, message: str, fee: int = 0, cap: int = 0) -> None:
        """Record the fee and the cap it exceeded."""
        super().__init__(message)
        self.fee = fee
        self.cap = cap


class BackendUnavailable(WalletError, ConnectionError):
    """A server could not be reached, timed out, or answered garbage."""

    def __init__(self, message: str, server: str = "") -> None:
        """Record which server."""
        super().__init__(message)
        self.server = server


class Unsupported(WalletError, NotImplementedError):
    """The network, backend or signer cannot do this."""


class NoRecoveryWords(Unsupported):
    """The wallet was made from a master seed (a codex32 backup): it has no recovery words."""


class InvalidBackup(WalletError, ValueError):
    """A codex32 share or set of shares was refused (BIP-93); the message says which and why.

    Attributes:
        correction: the repaired share when up to 4 changed characters explain a failed
            checksum (BIP-93 asks the person to confirm it: it is never used silently).
    """

    def __init__(self, message: str, correction: str | None = None) -> None:
        super().__init__(message)
        self.correction = correction


class NotADevnet(Unsupported):
    """Mining, funding and resetting are for the embedded devnets alone.

    Attributes:
        network: the network asked for (its server is not ``embedded``).
    """

    def __init__(self, message: str, network: str) -> None:
        """Record the network."""
        super().__init__(message)
        self.network = network


class Cancelled(WalletError):
    """Long work (a sync, an import, a price refresh) stopped because it was asked to.

    What was finished before the request stays stored; nothing is left half-written.
    """


class SigningCancelled(WalletError):
    """The person declined to sign."""


class SigningRefused(WalletError):
    """The signer refused the transaction: it does not match what the signer can verify."""


class ReviewBlocked(SigningRefused):
    """The review blocks signing: a blind call, or a simulation the intent does not match.

    Nothing was signed. ``EvmDraft.accept_risks`` (the CLI: a typed confirmation) overrides it.

    Attributes:
        blind: no clear-signing descriptor reads the call.
        mismatches: what the simulation does that the intent does not show.
    """

    def __init__(self, message: str, blind: bool, mismatches: tuple[str, ...]) -> None:
        """Record why the review blocks signing."""
        super().__init__(message)
        self.blind = blind
        self.mismatches = mismatches


# -- EVM -----------------------------------------------------------------------------------


class HardwareUnavailable(WalletError, ConnectionError):
    """A hardware wallet cannot be reached: unplugged (even mid-signing), locked or busy."""


class DeviceAddressMismatch(WalletError):
    """The hardware wallet showed another address than the wallet computed: do not use it.

    Either the wallet file or the device is not what it should be (a tampered watch-only
    file, another device, another passphrase). Nobody should be paid to either address until
    the cause is known.

    Attributes:
        expected: the address the wallet computed and shows.
        shown: the address the device showed on its own screen.
    """

    def __init__(self, message: str, expected: str, shown: str) -> None:
        """Record both addresses."""
        super().__init__(message)
        self.expected = expected
        self.shown = shown


class NetworkForbidden(WalletError):
    """Something tried to reach the network inside the offline signer, which refuses it."""


class InvalidPsbt(SigningRefused, ValueError):
    """A PSBT that cannot be read: not binary or Base64, or breaking BIP-174/370."""


class SignaturesMissing(SigningRefused):
    """A policy input lacks signatures; the message says how many of which keys it needs.

    Attributes:
        input_index: the first input that cannot be finalised.
        needed: how many more signatures it needs (0 when unknown).
        missing: the key origins (``[fingerprint/path]``) that could still sign it.
    """

    def __init__(
        self, message: str, input_index: int, needed: int, missing: tuple[str, ...]
    ) -> None:
        """Record the input, how many signatures are missing and whose keys could add them."""
        super().__init__(message)
        self.input_index = input_index
        self.needed = needed
        self.missing = missing


class MusigRefused(SigningRefused):
    """A MuSig2 round was refused (BIP-327/373); no nonce was used unless ``reason`` says so.

    Attributes:
        reason: ``nonce-used`` (this wallet's nonce in the PSBT has signed: run round 1
            again), ``nonce-missing`` (no round 1 here for it), ``nonce-mismatch`` (the PSBT
            carries another nonce for this wallet), ``participant-nonce`` (a participant's
            nonce is not there yet), ``foreign`` (an input of this key that is not the
            account's), ``invalid`` (a participant sent invalid data) or ``other``.
        participant: the 33-byte key of the participant concerned, when one is.
    """

    def __init__(self, message: str, reason: str, participant: bytes | None = None) -> None:
        """Record why, and whose."""
        super().__init__(message)
        self.reason = reason
        self.participant = participant


class NothingToSign(SigningRefused):
    """A PSBT with no input this wallet's keys sign (another wallet's, or already signed)."""


class InvalidRecipient(InvalidAddress):
    """A valid address that would lose what is sent there; ``reason`` says why.

    Attributes:
        reason: ``"zero-address"`` (nobody holds its key) or ``"token-contract"`` (tokens
            sent to their own contract are stuck).
    """

    def __init__(self, message: str, address: str = "", reason: str = "") -> None:
        """Record the address and the reason."""
        super().__init__(message, address)
        self.reason = reason


class InvalidToken(WalletError, ValueError):
    """An address that holds no usable token contract (no code, reverts, or garbage).

    Attributes:
        contract: the address.
        function: the call that failed, for example ``"decimals()"``.
    """

    def __init__(self, message: str, contract: str = "", function: str = "") -> None:
        """Record the contract and the failed call."""
        super().__init__(message)
        self.contract = contract
        self.function = function


class InvalidTransactionField(WalletError, ValueError):
    """A nonce, gas limit or item id given by the caller is not a whole number in range.

    Attributes:
        field: which one: ``"nonce"``, ``"gas_limit"`` or ``"token_id"``.
    """

    def __init__(self, message: str, field: str = "") -> None:
        """Record which field."""
        super().__init__(message)
        self.field = field


class UnknownToken(WalletError, KeyError):
    """No token of that symbol or address is known on the network; add it by address."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "Unknown token."


class InvalidTxHash(WalletError, ValueError):
    """A transaction hash is not 0x followed by 64 hex digits."""


class TransactionNotFound(WalletError, KeyError):
    """The wallet has sent no transaction with that hash."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "No such transaction."


class NotReplaceable(WalletError):
    """The transaction cannot be sped up or cancelled any more (it is mined or gone)."""


class NonceConflict(WalletError):
    """The nonce is already used by another transaction of the account; nothing was sent.

    Attributes:
        nonce: the nonce, when known.
    """

    def __init__(self, message: str, nonce: int | None = None) -> None:
        """Record the nonce."""
        super().__init__(message)
        self.nonce = nonce


class FeeTooLow(WalletError):
    """The node refused the fee: below its minimum, or a replacement that raises it too little."""


class TransactionWouldFail(WalletError):
    """The network would revert the transaction; ``reason`` is the contract's, if it gave one."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        """Record the revert reason."""
        super().__init__(message)
        self.reason = reason


class NodeRefused(WalletError):
    """The node refused the request for a reason of its own (its text is in the message).

    Attributes:
        server: the node.
        node_message: the node's error text.
    """

    def __init__(self, message: str, server: str = "", node_message: str = "") -> None:
        """Record the node and its text."""
        super().__init__(message)
        self.server = server
        self.node_message = node_message


# -- UTXO ----------------------------------------------------------------------------------


class DustOutput(InvalidAmount):
    """An output would be below the network's dust limit, so no node would relay it.

    Attributes:
        amount: the output's amount in base units (after its share of the fee, if it paid one).
        threshold: the smallest amount that is not dust for its address.
        index: the output's position among the recipients.
    """

    def __init__(self, message: str, amount: int = 0, threshold: int = 0, index: int = 0) -> None:
        """Record the amount, the dust limit and which output."""
        super().__init__(message)
        self.amount = amount
        self.threshold = threshold
        self.index = index


class CoinUnavailable(WalletError, ValueError):
    """A coin named for coin control cannot be spent; ``reason`` says why.

    Attributes:
        outpoint: the coin, ``TXID:N``.
        reason: ``"unknown"`` (not an unspent coin of the account), ``"spent-pending"`` (a
            pending transaction spends it already), ``"immature"`` (a mining reward younger
            than 100 blocks) or ``"duplicate"``.
    """

    def __init__(self, message: str, outpoint: str = "", reason: str = "") -> None:
        """Record the coin and the reason."""
        super().__init__(message)
        self.outpoint = outpoint
        self.reason = reason


class TimelockNotReached(CoinUnavailable):
    """A coin cannot be spent by the chosen path yet: its relative timelock has not passed.

    Attributes:
        outpoint: the coin, ``TXID:N`` (the soonest one when none of the account's coins
            is old enough).
        reason: ``"timelocked"``.
        blocks_left: blocks still to be mined before the path opens (``None`` while the
            coin is unconfirmed: its clock starts when it confirms).
        opens_at_height: the first block height at whose next block the coin may be spent
            by the path (its height plus the lock minus one), ``None`` while unconfirmed.
    """

    def __init__(
        self,
        message: str,
        outpoint: str = "",
        blocks_left: int | None = None,
        opens_at_height: int | None = None,
    ) -> None:
        """Record the coin and when the path opens for it."""
        super().__init__(message, outpoint, "timelocked")
        self.blocks_left = blocks_left
        self.opens_at_height = opens_at_height


class InvalidTimelock(WalletError, ValueError):
    """A relative timelock outside what BIP-68 can count in blocks (1 to 65,535).

    Attributes:
        blocks: the number of blocks asked for.
    """

    def __init__(self, message: str, blocks: int | None = None) -> None:
        """Record the value asked for."""
        super().__init__(message)
        self.blocks = blocks


class UnknownSpendPath(WalletError, ValueError):
    """The account has no spending path of that name (or is not a policy account).

    Attributes:
        path: the name asked for.
        available: the names the account offers.
    """

    def __init__(self, message: str, path: str = "", available: tuple[str, ...] = ()) -> None:
        """Record the name asked for and those available."""
        super().__init__(message)
        self.path = path
        self.available = available


class TransactionTooLarge(WalletError):
    """The transaction would be larger than nodes relay (too many inputs)."""


class TransactionRefused(NodeRefused):
    """The node refused a UTXO transaction; nothing was recorded.

    Attributes:
        reason: the node's reason code (``txn-mempool-conflict``, ``dust``...).
    """

    def __init__(
        self, message: str, server: str = "", node_message: str = "", reason: str = ""
    ) -> None:
        """Record the node, its text and its reason code."""
        super().__init__(message, server, node_message)
        self.reason = reason


class InvalidPaymentLink(WalletError, ValueError):
    """A payment link (BIP-21/BIP-321, EIP-681) or QR code Coffer cannot read or pay.

    Attributes:
        link: the link as given (empty for an image).
    """

    def __init__(self, message: str, link: str = "") -> None:
        """Keep the link."""
        super().__init__(message)
        self.link = link


class UnsupportedRequirement(InvalidPaymentLink):
    """A link requires a parameter Coffer does not implement (BIP-321 ``req-``).

    Attributes:
        parameter: the required parameter's name.
    """

    def __init__(self, message: str, link: str = "", parameter: str = "") -> None:
        """Keep the parameter."""
        super().__init__(message, link)
        self.parameter = parameter


class NoPaymentLink(InvalidPaymentLink):
    """An image holds no QR code, or a QR code that is no payment link."""


class RequestExpired(WalletError):
    """A payment request expired; paying it needs an explicit ``allow_expired=True``.

    Attributes:
        expired_at: when it expired (Unix seconds).
    """

    def __init__(self, message: str, expired_at: int = 0) -> None:
        """Keep the expiry."""
        super().__init__(message)
        self.expired_at = expired_at


class AmbiguousRequest(InvalidAmount):
    """An EVM account already has an open request of the same asset and amount.

    An EVM account has one address, so payments are told apart by amount: two open requests
    of one amount could not be. Attributes: ``request_id``, the open request.
    """

    def __init__(self, message: str, request_id: int) -> None:
        """Keep the open request's id."""
        super().__init__(message)
        self.request_id = request_id


class RequestNotFound(WalletError, KeyError):
    """No payment request of the account has that id."""

    def __str__(self) -> str:
        """Return the message, not ``KeyError``'s quoted form."""
        return str(self.args[0]) if self.args else ""


class UnknownCurrency(WalletError, ValueError):
    """A currency code that is not in the ISO 4217 catalogue.

    Attributes:
        code: the code as given.
    """

    def __init__(self, message: str, code: str = "") -> None:
        """Record the code."""
        super().__init__(message)
        self.code = code


class UnknownAsset(WalletError, ValueError):
    """An asset the price service cannot name: no such coin, token or currency.

    Attributes:
        asset: the asset as given.
    """

    def __init__(self, message: str, asset: str = "") -> None:
        """Record the asset."""
        super().__init__(message)
        self.asset = asset


class PriceProviderError(BackendUnavailable):
    """A price or exchange-rate provider is down, slow, or answered garbage (after retries).

    Attributes:
        server: the provider's name and base URL.
        provider: the provider's name (``coingecko``, ``cryptocompare``, ``ecb``).
    """

    def __init__(self, message: str, provider: str = "", server: str = "") -> None:
        """Record the provider."""
        super().__init__(message, server)
        self.provider = provider


class PriceRateLimited(PriceProviderError):
    """A provider kept refusing with HTTP 429 (too many requests) after the retries.

    Attributes:
        retry_after: the seconds the provider asked to wait, if it said.
    """

    def __init__(
        self, message: str, provider: str = "", server: str = "", retry_after: int | None = None
    ) -> None:
        """Record how long the provider asked to wait."""
        super().__init__(message, provider, server)
        self.retry_after = retry_after


class PriceUnavailable(WalletError, LookupError):
    """No rate is known for an asset in a currency at a date (never replaced by zero).

    Attributes:
        asset: the asset asked for.
        base: the currency asked in.
        day: the day asked for (ISO ``YYYY-MM-DD``), or ``""`` for the current price.
        reason: why no rate is known, in words.
    """

    def __init__(
        self, message: str, asset: str = "", base: str = "", day: str = "", reason: str = ""
    ) -> None:
        """Record what was asked and why it has no answer."""
        super().__init__(message)
        self.asset = asset
        self.base = base
        self.day = day
        self.reason = reason


# -- Transport (PSBT files, animated QR) ---------------------------------------------------


class InvalidPsbtFile(WalletError, ValueError):
    """A file or text is not a PSBT (binary, Base64 or hex); the text says what is wrong."""


class QrPayloadError(WalletError, ValueError):
    """QR frames (images or their text) do not make a payload Coffer reads."""


class NoQrCode(QrPayloadError):
    """An image holds no QR code that can be read.

    Attributes:
        path: the image file (empty when the image did not come from a file).
    """

    def __init__(self, message: str, path: str = "") -> None:
        """Record the image."""
        super().__init__(message)
        self.path = path


class MixedQrPayloads(QrPayloadError):
    """Frames of two different payloads were given together; nothing was decoded."""


class IncompleteQrPayload(QrPayloadError):
    """Frames are missing: the payload cannot be rebuilt from those given.

    Attributes:
        recovered: the fragments (UR) or parts (BBQr) recovered so far.
        needed: how many there are in all (0 when unknown).
    """

    def __init__(self, message: str, recovered: int, needed: int) -> None:
        """Record how far the frames went."""
        super().__init__(message)
        self.recovered = recovered
        self.needed = needed


class StatementError(WalletError, ValueError):
    """A bank statement that cannot be imported; nothing of it was imported.

    Attributes:
        source: the file (or what names the statement).
        line: the line of the file at fault (1-based), or ``None`` for the file as a whole.
        field: the field at fault (``TRNAMT``, ``amount``, ``:61:``...), or ``""``.
    """

    def __init__(
        self, message: str, source: str = "", line: int | None = None, field: str = ""
    ) -> None:
        """Record where in the statement the fault is."""
        super().__init__(message)
        self.source = source
        self.line = line
        self.field = field


class StatementCurrencyMismatch(StatementError):
    """The statement is in another currency than the account it is imported into.

    Attributes:
        statement_currency: the statement's currency.
        account_currency: the account's.
    """

    def __init__(
        self, message: str, source: str, statement_currency: str, account_currency: str
    ) -> None:
        """Record both currencies."""
        super().__init__(message, source)
        self.statement_currency = statement_currency
        self.account_currency = account_currency


class CsvMappingMismatch(StatementError):
    """A CSV column mapping that does not fit the file (a column it names is missing).

    Attributes:
        missing: the mapped columns the file lacks.
        found: the columns the file has.
    """

    def __init__(
        self, message: str, source: str, missing: tuple[str, ...], found: tuple[str, ...]
    ) -> None:
        """Record what is missing and what is there."""
        super().__init__(message, source, 1, ",".join(missing))
        self.missing = missing
        self.found = found


class FiatAccountNotFound(WalletError, KeyError):
    """No fiat account, line, programme, ticket or attachment by that name or number."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class AttachmentRefused(WalletError, ValueError):
    """A file that cannot be attached: too large, or not the type it claims to be."""


class AttachmentTooLarge(AttachmentRefused):
    """The file is larger than an attachment may be.

    Attributes:
        size: the file's size in bytes.
        limit: the largest size allowed.
    """

    def __init__(self, message: str, size: int, limit: int) -> None:
        """Record the size and the limit."""
        super().__init__(message)
        self.size = size
        self.limit = limit


class AttachmentTypeMismatch(AttachmentRefused):
    """The file's content is not the type its name or the caller claims.

    Attributes:
        claimed: the type claimed (``application/pdf``...).
        found: the type its first bytes show, or ``None`` for none Coffer accepts.
    """

    def __init__(self, message: str, claimed: str, found: str | None) -> None:
        """Record both types."""
        super().__init__(message)
        self.claimed = claimed
        self.found = found


def _translate_utxo(err: Exception) -> WalletError | None:
    result: WalletError | None = None
    match err:
        case coinselect.InsufficientFunds():
            result = InsufficientFunds(str(err), err.shortfall)
        case coinselect.DustOutput():
            result = DustOutput(str(err), err.amount, err.threshold, err.index)
        case coinselect.MaxWeightExceeded():
            result = TransactionTooLarge(str(err))
        case coinselect.InvalidSelectionRequest():
            result = InvalidAmount(str(err))
        case utxo_backend.TransactionRejected():
            result = TransactionRefused(str(err), err.server, err.detail, err.reason)
        case key_errors.FeeAboveCap():
            result = FeeTooHigh(str(err))
    return result


def _translate_evm(err: Exception) -> WalletError | None:
    result: WalletError | None = None
    match err:
        case evm_errors.NonceTooLow():
            result = NonceConflict(
                "The transaction's nonce is already used by another transaction of this "
                "account; nothing was sent. Sync and prepare it again."
            )
        case evm_errors.ReplacementUnderpriced() | evm_errors.TransactionUnderpriced():
            result = FeeTooLow(str(err))
        case evm_errors.InsufficientFundsForGas():
            result = InsufficientFunds(str(err))
        case evm_errors.InsufficientBalance():
            result = InsufficientFunds(str(err), err.shortfall)
        case evm_errors.FeeAboveMarket():
            result = FeeTooHigh(str(err), err.fee, err.cap)
        case evm_errors.RecipientRefused():
            result = InvalidRecipient(str(err), err.address, err.reason)
        case evm_errors.InvalidTokenContract():
            result = InvalidToken(str(err), err.contract, err.function)
        case evm_errors.ExecutionReverted():
            shown = f": {err.reason}" if err.reason else ""
            result = TransactionWouldFail(
                f"The network would reject this transaction (the contract reverted{shown}).",
                err.reason,
            )
        case evm_errors.InvalidTxHash():
            result = InvalidTxHash(str(err))
        case evm_errors.NodeError():
            result = NodeRefused(str(err), err.server, err.node_message)
    return result


_MNEMONIC_REASONS: tuple[tuple[type[key_errors.InvalidMnemonic], str], ...] = (
    (key_errors.UnknownMnemonicWord, "unknown-word"),
    (key_errors.BadMnemonicChecksum, "checksum"),
    (key_errors.WrongWordCount, "word-count"),
    (key_errors.MixedMnemonicLanguages, "mixed-languages"),
)


def _translate_mnemonic(err: key_errors.InvalidMnemonic) -> InvalidMnemonic:
    reason = next((name for kind, name in _MNEMONIC_REASONS if isinstance(err, kind)), "other")
    if isinstance(err, key_errors.UnknownMnemonicWord):
        return InvalidMnemonic(str(err), reason, err.position, err.suggestions)
    return InvalidMnemonic(str(err), reason)


def _translate_signer(err: Exception) -> WalletError | None:
    result: WalletError | None = None
    match err:
        case key_errors.InvalidPsbt():
            result = InvalidPsbt(str(err))
        case key_errors.NothingToSign():
            result = NothingToSign(str(err))
        case key_errors.HardwareUnavailable():
            result = HardwareUnavailable(str(err))
        case NotImplementedError() if isinstance(err, key_errors.KeystoreError):
            result = Unsupported(str(err))  # a capability the signer does not declare
    return result


def translate(err: Exception) -> WalletError | None:
    """Return the public error for a lower layer's error, or ``None`` if it has none."""
    signer = _translate_signer(err)
    if signer is not None:
        return signer
    evm = _translate_evm(err)
    if evm is not None:
        return evm
    utxo = _translate_utxo(err)
    if utxo is not None:
        return utxo
    result: WalletError | None = None
    match err:
        case key_errors.InvalidMnemonic():
            result = _translate_mnemonic(err)
        case key_errors.InvalidPath():
            result = InvalidPath(str(err))
        case key_errors.NoMnemonic():
            result = NoRecoveryWords(str(err))
        case key_errors.InvalidMasterSeed():
            result = InvalidBackup(str(err))
        case key_errors.InvalidExtendedKey():
            result = InvalidExtendedKey(str(err))
        case key_errors.SigningCancelled():
            result = SigningCancelled(str(err) or "Signing was cancelled.")
        case key_errors.SigningRefused():
            result = SigningRefused(str(err))
        case chain_errors.WrongNetworkAddress():
            result = NetworkMismatch(str(err), err.address, err.address_networks, err.expected)
        case chain_errors.AddressError():
            result = InvalidAddress(str(err), err.address)
        case chain_errors.WrongServerNetwork():
            result = NetworkMismatch(str(err), "", (err.actual,), err.expected)
        case chain_errors.BackendUnavailable() | chain_errors.BackendProtocolError():
            result = BackendUnavailable(str(err), err.server)
        case chain_errors.UnknownNetwork():
            result = UnknownNetwork(str(err))
        case chain_errors.Unsupported():
            result = Unsupported(str(err))
    return result


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn errors of ``keystore`` and ``chains`` raised inside the block into public ones."""
    try:
        yield
    except (key_errors.KeystoreError, chain_errors.ChainError) as err:
        public = translate(err)
        if public is None:
            raise WalletError(str(err)) from err
        raise public from err


# -- money: tax report, budgets, on-ramps (issue 16 items 5, 6, 7) ----------------------------


class NoTaxData(WalletError, LookupError):
    """A tax year has no events: nothing was acquired or disposed of in it."""

    def __init__(self, message: str, year: int) -> None:
        """Record the year asked for."""
        super().__init__(message)
        self.year = year


class InvalidPriceTable(WalletError, ValueError):
    """A price table file is malformed (its line and field are named)."""


class UnknownCategory(WalletError, KeyError):
    """No spending category has this name."""

    def __str__(self) -> str:
        """Show the message, not KeyError's quoted repr."""
        return str(self.args[0]) if self.args else ""


class InvalidCategoryRule(WalletError, ValueError):
    """A category or its rule is malformed (an empty name, an unknown rule kind)."""


class UnknownProvider(WalletError, ValueError):
    """No on-ramp provider has this name."""


class OnRampKeyMissing(WalletError):
    """The on-ramp provider's keys are not set in the wallet's settings."""


class InvalidTaxMethod(WalletError, ValueError):
    """A lot method or pooling the tax report does not know."""
