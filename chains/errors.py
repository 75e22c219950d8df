"""Errors raised by the chains layer; ``wallet`` translates them into public errors."""

from __future__ import annotations

__all__ = [
    "AddressError",
    "BackendProtocolError",
    "BackendUnavailable",
    "ChainError",
    "DevnetStorageError",
    "InvalidAddressChecksum",
    "MalformedAddress",
    "UnknownNetwork",
    "Unsupported",
    "WrongNetworkAddress",
    "WrongServerNetwork",
]


class ChainError(Exception):
    """Root of every error raised under ``chains``."""


class UnknownNetwork(ChainError, KeyError):
    """No network of that name is registered."""

    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        """Record the unknown name and the known ones."""
        super().__init__(name)
        self.name = name
        self.known = known

    def __str__(self) -> str:
        """Name the network and list the known ones."""
        return f"Unknown network {self.name!r}; known networks: {', '.join(self.known)}."


class AddressError(ChainError, ValueError):
    """An address could not be accepted for a network."""

    def __init__(self, message: str, address: str) -> None:
        """Keep a user-facing message and the offending address."""
        super().__init__(message)
        self.address = address


class MalformedAddress(AddressError):
    """The text is not an address of any known form."""


class InvalidAddressChecksum(AddressError):
    """The address has a known form but its checksum does not match (a typo)."""


class WrongNetworkAddress(AddressError):
    """A valid address, but of another network than the one asked for."""

    def __init__(
        self, message: str, address: str, address_networks: tuple[str, ...], expected: str
    ) -> None:
        """Record which networks the address belongs to and which one was expected."""
        super().__init__(message, address)
        self.address_networks = address_networks
        self.expected = expected


class Unsupported(ChainError, NotImplementedError):
    """A backend or network cannot do what was asked."""


class BackendUnavailable(ChainError, ConnectionError):
    """A server could not be reached, timed out, or went away."""

    def __init__(self, message: str, server: str) -> None:
        """Keep a user-facing message and the server's name."""
        super().__init__(message)
        self.server = server


class BackendProtocolError(ChainError):
    """A server answered with something that breaks its protocol (garbage, wrong data)."""

    def __init__(self, message: str, server: str) -> None:
        """Keep a user-facing message and the server's name."""
        super().__init__(message)
        self.server = server


class WrongServerNetwork(BackendProtocolError):
    """A server serves another network than the one configured (genesis hash or chain id)."""

    def __init__(self, message: str, server: str, expected: str, actual: str) -> None:
        """Record what the server claimed and what was expected."""
        super().__init__(message, server)
        self.expected = expected
        self.actual = actual


class DevnetStorageError(ChainError):
    """An embedded devnet's sealed files cannot be read: another key sealed them, or damage.

    Attributes:
        path: the file.
    """

    def __init__(self, message: str, path: str) -> None:
        """Keep a message and the file's path."""
        super().__init__(message)
        self.path = path
