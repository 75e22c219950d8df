"""Wrappers that keep secrets out of reprs, logs, tracebacks and pickles."""

from __future__ import annotations

import hmac
from typing import NoReturn

__all__ = ["SecretBytes", "SecretStr"]


class _Secret:
    """Common behaviour: redacted text forms, no pickling, no equality by value leaks."""

    __slots__ = ()
    _kind = "secret"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} redacted>"

    def __str__(self) -> str:
        return f"<{self._kind} redacted>"

    def __format__(self, spec: str) -> str:
        return str(self)

    def __reduce__(self) -> NoReturn:
        raise TypeError(f"{type(self).__name__} cannot be pickled")


class SecretBytes(_Secret):
    """Bytes that are only handed out through ``reveal()``."""

    __slots__ = ("_value",)
    _kind = "secret bytes"

    def __init__(self, value: bytes) -> None:
        """Wrap ``value``."""
        self._value = bytes(value)

    def reveal(self) -> bytes:
        """Return the secret bytes; the caller must keep them inside the keystore."""
        return self._value

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretBytes) and hmac.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return id(self)


class SecretStr(_Secret):
    """Text (a mnemonic or passphrase) that is only handed out through ``reveal()``."""

    __slots__ = ("_value",)
    _kind = "secret text"

    def __init__(self, value: str) -> None:
        """Wrap ``value``."""
        self._value = value

    def reveal(self) -> str:
        """Return the secret text; the caller must keep it inside the keystore."""
        return self._value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and hmac.compare_digest(
            self._value.encode(), other._value.encode()
        )

    def __hash__(self) -> int:
        return id(self)
