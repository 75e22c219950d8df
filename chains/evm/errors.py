"""Errors of the EVM family, all under ``chains.errors.ChainError``.

Transport failures use the shared ``BackendUnavailable`` / ``BackendProtocolError`` /
``WrongServerNetwork`` of ``chains.errors``; what is specific to EVM nodes and contracts lives
here. Each error carries structured attributes for programs and a one-sentence message for
people.
"""

from __future__ import annotations

from chains.errors import ChainError

__all__ = [
    "AlreadyKnown",
    "ContractCallFailed",
    "EvmError",
    "ExecutionReverted",
    "FeeAboveMarket",
    "InsufficientBalance",
    "InsufficientFundsForGas",
    "InvalidTokenContract",
    "InvalidTxHash",
    "MulticallUnavailable",
    "NodeError",
    "NonceTooLow",
    "RecipientRefused",
    "ReplacementUnderpriced",
    "TransactionUnderpriced",
]


class EvmError(ChainError):
    """Root of the EVM family's own errors."""


class NodeError(EvmError):
    """A node answered a request with a JSON-RPC error object.

    Attributes:
        server: the node's URL or name.
        code: the JSON-RPC error code.
        node_message: the node's own error text (public data, kept for diagnostics).
    """

    def __init__(self, message: str, server: str, code: int, node_message: str) -> None:
        """Keep a user-facing message and the node's error code and text."""
        super().__init__(message)
        self.server = server
        self.code = code
        self.node_message = node_message


class ExecutionReverted(NodeError):
    """The EVM reverted a call or gas estimate; ``data`` holds the revert data if any.

    Attributes:
        data: the raw revert data (empty when the node gave none).
        reason: the decoded ``Error(string)`` reason, if the data carries one.
    """

    def __init__(
        self,
        message: str,
        server: str,
        code: int,
        node_message: str,
        data: bytes = b"",
        reason: str | None = None,
    ) -> None:
        """Keep the node's error and the revert data."""
        super().__init__(message, server, code, node_message)
        self.data = data
        self.reason = reason


class NonceTooLow(NodeError):
    """A transaction's nonce is already used by a mined transaction of the sender."""


class ReplacementUnderpriced(NodeError):
    """A replacement transaction does not raise the fee enough over the one it replaces."""


class TransactionUnderpriced(NodeError):
    """A transaction's fee is below what the node accepts (base fee or minimum gas price)."""


class InsufficientFundsForGas(NodeError):
    """The sender cannot pay value plus the maximum fee of a transaction."""


class AlreadyKnown(NodeError):
    """The node already holds this very transaction."""


class ContractCallFailed(EvmError):
    """A read-only contract call reverted or returned data that does not decode.

    Attributes:
        contract: the contract address (EIP-55 checksummed).
        function: the function signature called, for example ``"decimals()"``.
    """

    def __init__(self, message: str, contract: str, function: str) -> None:
        """Keep a user-facing message, the contract and the function called."""
        super().__init__(message)
        self.contract = contract
        self.function = function


class InvalidTokenContract(ContractCallFailed, ValueError):
    """The address does not hold a usable token contract (no code, reverts or garbage)."""


class InvalidTxHash(EvmError, ValueError):
    """A transaction hash is not ``0x`` followed by 64 hex digits."""

    def __init__(self, value: str) -> None:
        """Keep the offending text (public data: a hash is no secret)."""
        super().__init__(f"{value[:80]!r} is not a transaction hash (0x and 64 hex digits).")
        self.value = value


class MulticallUnavailable(ContractCallFailed):
    """No Multicall3 contract answers at the network's Multicall3 address."""


class FeeAboveMarket(EvmError):
    """A fee far above the network's current level (a typo in a custom fee, most often).

    Attributes:
        fee: the transaction's maximum fee in wei.
        cap: the highest maximum fee accepted without an explicit override, in wei.
    """

    def __init__(self, message: str, fee: int, cap: int) -> None:
        """Keep a user-facing message, the fee and the cap."""
        super().__init__(message)
        self.fee = fee
        self.cap = cap


class InsufficientBalance(EvmError):
    """The sender cannot pay the amount plus the maximum fee (checked before signing).

    Attributes:
        asset: the asset that is short: the native symbol or the token contract.
        needed: what the transaction needs of it, in base units.
        available: what the sender has, in base units.
    """

    def __init__(self, message: str, asset: str, needed: int, available: int) -> None:
        """Keep a user-facing message and the amounts."""
        super().__init__(message)
        self.asset = asset
        self.needed = needed
        self.available = available

    @property
    def shortfall(self) -> int:
        """Return how much is missing, in base units of ``asset``."""
        return self.needed - self.available


class RecipientRefused(EvmError, ValueError):
    """A recipient that would lose what is sent: the zero address, or a token's own contract.

    Attributes:
        address: the refused recipient.
        reason: ``"zero-address"`` or ``"token-contract"``.
    """

    def __init__(self, message: str, address: str, reason: str) -> None:
        """Keep a user-facing message, the address and the reason."""
        super().__init__(message)
        self.address = address
        self.reason = reason
