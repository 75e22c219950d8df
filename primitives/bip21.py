"""Payment URIs of the Bitcoin family: BIP-21 with the updates of BIP-321, both ways.

A pure codec: it splits ``bitcoin:ADDRESS?amount=..&label=..&message=..`` (and the same for
``litecoin:`` and ``dogecoin:``) into typed fields and builds it back. It does not check the
address: that is the address codec's job, once the wallet knows which network to ask
(``chains.addresses``).

Rules followed (BIP-321, "General Format", "ABNF grammar", "Query Keys", "Forward
compatibility"):

- the scheme is case-insensitive; so are the query keys, which lets the upper-case QR form
  (``BITCOIN:BC1Q...?AMOUNT=0.1``, all alphanumeric-mode characters) read back;
- ``amount`` is decimal coins: digits with at most one point, no sign, no exponent, no
  comma; it, ``label``, ``message`` and ``pop`` may each appear once (two amounts are
  refused, since which one the payer sees is undefined); other keys may repeat (``bc=`` for
  two segwit versions);
- the address may be empty when the query holds payment instructions; BIP-321 puts newer
  addresses in keys named by their bech32 prefix (``bitcoin:?bc=bc1q...``): they are kept in
  ``other``, and the wallet, which knows each network's prefix, reads them;
- a key starting ``req-`` that the parser does not implement makes the whole URI invalid;
  any other unknown key is kept, unread (``lightning=``, ``lno=``, ``pj=``... are payment
  instructions a plain on-chain wallet cannot use, and are ignored the same way);
- values are UTF-8, percent-encoded (RFC 3986); ``+`` is a plus sign, not a space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote, unquote

from primitives.bech32 import Bech32Error, decode_segwit

__all__ = [
    "Bip21Error",
    "Bip21Uri",
    "DuplicateParameter",
    "InvalidAmountField",
    "UnknownRequiredParameter",
    "build_bip21",
    "parse_bip21",
]

_AMOUNT = re.compile(r"[0-9]*(\.[0-9]*)?")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
_SINGLE = ("amount", "label", "message")
_ONCE = ("pop",)  # unread, kept in ``other``, but at most once (BIP-321, "ABNF grammar")
# What RFC 3986 allows unencoded in a query value, less the separators "&", "=" and "+"
# (a "+" is sent encoded, since some readers take it for a space).
_SAFE = "-._~!$'()*,;:@/?"


class Bip21Error(ValueError):
    """The text is not a valid payment URI."""


class InvalidAmountField(Bip21Error):
    """The ``amount`` is not a plain decimal number of coins."""


class DuplicateParameter(Bip21Error):
    """A parameter that may appear once appears twice (``amount``, ``label``, ``message``...)."""

    def __init__(self, message: str, key: str) -> None:
        """Keep the key."""
        super().__init__(message)
        self.key = key


class UnknownRequiredParameter(Bip21Error):
    """A ``req-`` parameter this parser does not implement: the URI must not be paid."""

    def __init__(self, message: str, key: str) -> None:
        """Keep the key."""
        super().__init__(message)
        self.key = key


@dataclass(frozen=True, slots=True)
class Bip21Uri:
    """A parsed payment URI.

    Attributes:
        scheme: the scheme in lower case (``bitcoin``, ``litecoin``, ``dogecoin``).
        address: the address as written (not checked here); empty when the URI holds only
            other payment instructions (BIP-321 allows that).
        amount: the amount in coins, if given.
        label: the receiver's label, if given.
        message: what the payment is for, if given.
        other: the other parameters, in order, keys in lower case, values decoded; unread.
    """

    scheme: str
    address: str
    amount: Decimal | None = None
    label: str | None = None
    message: str | None = None
    other: tuple[tuple[str, str], ...] = ()

    def param(self, key: str) -> str | None:
        """Return the value of another parameter (``key`` in any case), if present."""
        wanted = key.lower()
        return next((value for k, value in self.other if k == wanted), None)


def _decode(text: str, what: str) -> str:
    try:
        return unquote(text, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise Bip21Error(f"The {what} is not valid UTF-8 once percent-decoded.") from None


def _amount(text: str) -> Decimal:
    if not text or text == "." or _AMOUNT.fullmatch(text) is None:
        raise InvalidAmountField(
            f"The amount {text!r} is not a plain decimal number of coins (digits and at most "
            "one point: no sign, exponent or comma)."
        )
    return Decimal(text)


def parse_bip21(
    text: str, schemes: tuple[str, ...] = ("bitcoin", "litecoin", "dogecoin")
) -> Bip21Uri:
    """Parse a BIP-21/BIP-321 payment URI.

    Args:
        text: the URI (surrounding white space is ignored).
        schemes: the schemes accepted, in lower case.

    Raises:
        Bip21Error: not such a URI, or a parameter without a key.
        InvalidAmountField: an amount that is not digits with at most one point.
        DuplicateParameter: ``amount``, ``label``, ``message`` or ``pop`` twice.
        UnknownRequiredParameter: a ``req-`` parameter (none is implemented).
    """
    uri = text.strip()
    scheme, colon, rest = uri.partition(":")
    if not colon or _SCHEME.fullmatch(scheme) is None or scheme.lower() not in schemes:
        names = ", ".join(f"{s}:" for s in schemes)
        raise Bip21Error(f"This is not a payment link (it does not start with {names}).")
    if rest.startswith("//"):
        rest = rest[2:]  # "bitcoin://addr": not RFC 3986 for this scheme, but common
    path, _, query = rest.partition("?")
    address = _decode(path, "address")
    fields: dict[str, str] = {}
    other: list[tuple[str, str]] = []
    for part in query.split("&") if query else ():
        if not part:
            continue
        raw_key, _, raw_value = part.partition("=")
        key = _decode(raw_key, "parameter name").lower()
        if not key:
            raise Bip21Error("A parameter of the link has no name.")
        value = _decode(raw_value, f"value of {key}")
        if key.startswith("req-"):
            raise UnknownRequiredParameter(
                f"The link requires {key!r}, which Coffer does not understand; BIP-321 says "
                "such a link must not be paid.",
                key,
            )
        if key in _SINGLE:
            if key in fields:
                raise DuplicateParameter(f"The link gives {key} twice.", key)
            fields[key] = value
        else:
            if key in _ONCE and any(k == key for k, _ in other):
                raise DuplicateParameter(f"The link gives {key} twice.", key)
            other.append((key, value))
    amount = _amount(fields["amount"]) if "amount" in fields else None
    return Bip21Uri(
        scheme=scheme.lower(),
        address=address,
        amount=amount,
        label=fields.get("label"),
        message=fields.get("message"),
        other=tuple(other),
    )


def _format_amount(amount: Decimal) -> str:
    if not amount.is_finite() or amount < 0:
        raise InvalidAmountField("An amount is a finite, non-negative number of coins.")
    text = f"{amount:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _is_segwit(address: str) -> bool:
    try:
        decode_segwit(address)
    except Bech32Error:
        return False
    return True


def build_bip21(
    scheme: str,
    address: str,
    amount: Decimal | None = None,
    label: str | None = None,
    message: str | None = None,
    other: tuple[tuple[str, str], ...] = (),
    *,
    upper: bool = False,
) -> str:
    """Build a payment URI.

    Args:
        scheme: ``bitcoin``, ``litecoin`` or ``dogecoin``.
        address: the address (checked by the caller).
        amount: coins, written without exponent or trailing zeros.
        label: the receiver's label.
        message: what the payment is for.
        other: more parameters (for example Electrum's ``time`` and ``exp``).
        upper: the QR form: scheme and a segwit address in upper case (a Base58 address is
            case-sensitive and kept), so that a QR code
            can hold them in its compact alphanumeric mode (BIP-173, "Uppercase/lowercase");
            the parameters keep their case (a label is the receiver's text).

    Raises:
        InvalidAmountField: a negative or non-finite amount.
    """
    if upper:
        head = f"{scheme.upper()}:{address.upper() if _is_segwit(address) else address}"
    else:
        head = f"{scheme.lower()}:{address}"
    params: list[tuple[str, str]] = []
    if amount is not None:
        params.append(("amount", _format_amount(amount)))
    if label:
        params.append(("label", label))
    if message:
        params.append(("message", message))
    params.extend(other)
    if not params:
        return head
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe=_SAFE)}" for k, v in params)
    return f"{head}?{query}"
