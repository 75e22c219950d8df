"""Errors of output descriptors and wallet policies (BIP-380..390, BIP-388).

Every message says what is wrong and where (a character position or the fragment's name).
None ever carries private key material: a refused private key is named by its position only.
"""

from __future__ import annotations

__all__ = [
    "ChecksumError",
    "ContextError",
    "DescriptorError",
    "DescriptorSyntaxError",
    "DuplicateKeyError",
    "HardenedDerivationError",
    "KeyExpressionError",
    "MultipathError",
    "NetworkMismatchError",
    "PolicyError",
    "PrivateKeyError",
    "UnknownFunctionError",
    "UnsupportedError",
]


class DescriptorError(ValueError):
    """Root of every descriptor and wallet-policy error.

    Attributes:
        position: the 0-based character position in the descriptor text the error is about,
            or ``None`` when it is about the whole text.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        """Record the message and, if known, the character position."""
        super().__init__(message)
        self.position = position


class ChecksumError(DescriptorError):
    """The ``#`` checksum is missing where required, malformed, or does not match (BIP-380)."""


class DescriptorSyntaxError(DescriptorError):
    """Unbalanced brackets, a missing argument, trailing characters, too deep nesting."""


class UnknownFunctionError(DescriptorSyntaxError):
    """A script expression names a function that is not a descriptor fragment here."""


class ContextError(DescriptorError):
    """A fragment where it may not appear: ``wpkh`` inside ``wsh``, ``sh`` not at the top..."""


class KeyExpressionError(DescriptorError):
    """A key expression is malformed: origin, fingerprint, path, key bytes (BIP-380)."""


class PrivateKeyError(KeyExpressionError):
    """A private key (WIF or xprv) where Coffer accepts public keys only."""


class NetworkMismatchError(KeyExpressionError):
    """An extended key whose version bytes belong to another network."""


class HardenedDerivationError(KeyExpressionError):
    """A hardened step after an extended public key: it needs the private key."""


class MultipathError(KeyExpressionError):
    """A BIP-389 multipath group is malformed, repeated, or of a length other keys lack."""


class DuplicateKeyError(DescriptorError):
    """The same key twice where it is forbidden (a multisig, a BIP-388 key vector)."""


class PolicyError(DescriptorError):
    """A BIP-388 wallet policy breaks one of its rules."""


class UnsupportedError(DescriptorError, NotImplementedError):
    """A valid form this build cannot yet process (e.g. deriving ``musig()`` keys)."""
