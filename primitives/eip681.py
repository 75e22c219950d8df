"""Transaction request URLs of EVM chains (EIP-681), both ways, for payments only.

A pure codec. What it reads:

- ``ethereum:ADDRESS[@CHAIN_ID]?value=N``: a payment of the native coin, ``N`` in wei;
- ``ethereum:TOKEN[@CHAIN_ID]/transfer?address=TO&uint256=N``: an ERC-20 ``transfer`` of
  ``N`` base units of the token to ``TO``;
- the ``pay-`` prefix (``ethereum:pay-0x...``), and ``gas``/``gasLimit``/``gasPrice`` kept as
  the suggestions they are (EIP-681, "Semantics").

Numbers follow EIP-681's ``number`` rule: an optional sign, digits, an optional fraction and
an optional exponent (``2.014e18``), and must come out as a whole number ("the exponent MUST
be greater or equal to the number of decimals after the point"). This is the one place in
Coffer where exponent notation is accepted: everywhere else amounts are plain decimals.

Refused: ENS names (resolving one needs the network and trusts a resolver; Coffer asks for
the hexadecimal address), other functions than ``transfer`` (a payment link is not a
general contract call), a repeated parameter, a negative or fractional number.
The address is returned as written; checking its EIP-55 checksum is the address codec's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

__all__ = [
    "Eip681Error",
    "Eip681Request",
    "build_eip681",
    "parse_eip681",
    "parse_eip681_number",
]

_NUMBER = re.compile(r"[-+]?[0-9]*(\.[0-9]+)?([eE][0-9]*)?")
_HEX_ADDRESS = re.compile(r"0[xX][0-9a-fA-F]{40}")
_UINT256_MAX = 2**256 - 1
_MAX_DIGITS = len(str(_UINT256_MAX))  # 78: a longer whole number cannot fit
_NUMBER_KEYS = {"value", "gas", "gaslimit", "gasprice"}


class Eip681Error(ValueError):
    """The text is not a payment request URL Coffer can read."""


@dataclass(frozen=True, slots=True)
class Eip681Request:
    """A parsed EIP-681 payment request.

    Attributes:
        target: the address after the scheme: the payee of a native payment, the token
            contract of an ERC-20 transfer (as written, not checked).
        chain_id: the chain id after ``@``, ``None`` when absent (the payer's current chain).
        recipient: for ``transfer``, the ``address`` parameter (the payee); else ``None``.
        value: the native amount in wei (``value``), if given.
        token_amount: for ``transfer``, the ``uint256`` amount in the token's base units.
        gas_limit: the suggested gas limit (``gasLimit`` or ``gas``), if given.
        gas_price: the suggested gas price in wei, if given.
    """

    target: str
    chain_id: int | None = None
    recipient: str | None = None
    value: int | None = None
    token_amount: int | None = None
    gas_limit: int | None = None
    gas_price: int | None = None

    @property
    def is_token_transfer(self) -> bool:
        """Return whether this asks for an ERC-20 ``transfer`` (else a native payment)."""
        return self.recipient is not None

    @property
    def payee(self) -> str:
        """Return who is paid: the ``address`` parameter of a transfer, else the target."""
        return self.recipient if self.recipient is not None else self.target


def parse_eip681_number(text: str, what: str = "value") -> int:
    """Return an EIP-681 ``number`` as a whole, non-negative number (``2.014e18``).

    Worked out in integers, exactly: a token amount can have more digits than ``Decimal``'s
    default precision (20 billion of an 18-decimal token is 29 digits), and a rounded amount
    would pay another sum than the one asked.

    Raises:
        Eip681Error: not a number, negative, fractional, or above 2^256 - 1.
    """
    if not text or _NUMBER.fullmatch(text) is None or not any(c.isdigit() for c in text):
        raise Eip681Error(f"The {what} {text!r} is not a number (digits, like 2.014e18).")
    mantissa, _, exponent_text = text.lower().partition("e")
    whole, _, fraction = mantissa.lstrip("+-").partition(".")
    if not (whole + fraction):
        raise Eip681Error(f"The {what} {text!r} has no digits before its exponent.")
    digits = (whole + fraction).lstrip("0")
    if not digits:
        return 0  # zero, whatever its sign and exponent
    if mantissa.startswith("-"):
        raise Eip681Error(f"The {what} {text!r} is negative.")
    if len(exponent_text) > _MAX_DIGITS:
        raise Eip681Error(f"The {what} {text[:40]!r}... is larger than 2^256 - 1.")
    shift = int(exponent_text or "0") - len(fraction)
    if len(digits) + shift > _MAX_DIGITS:
        raise Eip681Error(f"The {what} {text[:40]!r} is larger than 2^256 - 1.")
    if shift < 0:
        kept, dropped = digits[:shift] or "0", digits[shift:]
        if dropped.strip("0"):
            raise Eip681Error(
                f"The {what} {text!r} is not a whole number of base units (EIP-681 allows only "
                "integers: the exponent must cover the decimals)."
            )
        result = int(kept)
    else:
        result = int(digits) * 10**shift
    if result > _UINT256_MAX:
        raise Eip681Error(f"The {what} {text!r} is larger than 2^256 - 1.")
    return result


def _params(query: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in query.split("&") if query else ():
        if not part:
            continue
        key, eq, raw = part.partition("=")
        if not eq or not key:
            raise Eip681Error(f"The parameter {part!r} is not written key=value.")
        lowered = key.lower() if key.lower() in _NUMBER_KEYS else key
        if lowered in found or (
            lowered in ("gas", "gaslimit") and found.keys() & {"gas", "gaslimit"}
        ):
            raise Eip681Error(f"The link gives {key} twice.")
        try:
            found[lowered] = unquote(raw, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise Eip681Error(f"The value of {key} is not valid UTF-8.") from None
    return found


def parse_eip681(text: str) -> Eip681Request:
    """Parse an ``ethereum:`` payment request (native coin or ERC-20 ``transfer``).

    Raises:
        Eip681Error: not such a URL, an ENS name, another function than ``transfer``, a
            missing or repeated parameter, or a bad number.
    """
    uri = text.strip()
    scheme, colon, rest = uri.partition(":")
    if not colon or scheme.lower() != "ethereum":
        raise Eip681Error("This is not an EIP-681 link (it does not start with ethereum:).")
    if rest.startswith("pay-"):
        rest = rest[4:]
    body, _, query = rest.partition("?")
    body, _, function = body.partition("/")
    target, at, chain_text = body.partition("@")
    if _HEX_ADDRESS.fullmatch(target) is None:
        if "." in target:
            raise Eip681Error(
                f"The link names {target!r}, an ENS name: Coffer pays hexadecimal addresses "
                "only (resolving a name means trusting a resolver)."
            )
        raise Eip681Error("The link's address is not 0x followed by 40 hexadecimal digits.")
    chain_id: int | None = None
    if at:
        if not chain_text.isascii() or not chain_text.isdigit():
            raise Eip681Error(f"The chain id {chain_text!r} is not a decimal number.")
        chain_id = int(chain_text)
    params = _params(query)
    recipient = token_amount = None
    if function:
        if function != "transfer":
            raise Eip681Error(
                f"The link asks to call {function}(): Coffer pays only native-coin links and "
                "ERC-20 transfer links."
            )
        if "address" not in params or "uint256" not in params:
            raise Eip681Error("A transfer link needs both an address and a uint256 parameter.")
        recipient = params["address"]
        if _HEX_ADDRESS.fullmatch(recipient) is None:
            raise Eip681Error("The transfer's address is not 0x followed by 40 hexadecimal digits.")
        token_amount = parse_eip681_number(params["uint256"], "uint256 amount")
    gas = params.get("gaslimit")
    value = parse_eip681_number(params["value"]) if "value" in params else None
    return Eip681Request(
        target=target,
        chain_id=chain_id,
        recipient=recipient,
        value=value,
        token_amount=token_amount,
        gas_limit=parse_eip681_number(gas, "gas limit") if gas is not None else None,
        gas_price=(
            parse_eip681_number(params["gasprice"], "gas price") if "gasprice" in params else None
        ),
    )


def _number(value: int, decimals: int) -> str:
    """Write base units in EIP-681's recommended form: the exponent of the nominal unit.

    Exact for any size (string work, no ``Decimal`` rounding): 20000000000.000000000000000001e18.
    """
    if value == 0:
        return "0"
    if decimals == 0:
        return str(value)
    padded = str(value).rjust(decimals + 1, "0")
    whole, fraction = padded[:-decimals], padded[-decimals:].rstrip("0")
    return f"{whole}.{fraction}e{decimals}" if fraction else f"{whole}e{decimals}"


def build_eip681(
    target: str,
    chain_id: int | None = None,
    *,
    value: int | None = None,
    recipient: str | None = None,
    token_amount: int | None = None,
    decimals: int = 18,
) -> str:
    """Build a payment request URL: native with ``value``, ERC-20 with ``recipient``.

    Amounts are written with the exponent of the nominal unit (``decimals``), as EIP-681
    advises for human inspection: 2.014 ETH is ``value=2.014e18``.

    Args:
        target: the payee of a native payment, or the token contract.
        chain_id: the chain id (always written by Coffer: a link must not change chains).
        value: the native amount in wei.
        recipient: the payee of an ERC-20 transfer (with ``token_amount``).
        token_amount: the token amount in base units.
        decimals: the asset's decimals, for writing the amount.

    Raises:
        Eip681Error: a transfer without its amount, or a negative amount.
    """
    if (recipient is None) != (token_amount is None):
        raise Eip681Error("An ERC-20 transfer link needs both a recipient and an amount.")
    head = f"ethereum:{target}" + (f"@{chain_id}" if chain_id is not None else "")
    for amount in (value, token_amount):
        if amount is not None and amount < 0:
            raise Eip681Error("An amount is not negative.")
    if recipient is not None and token_amount is not None:
        return (
            f"{head}/transfer?address={quote(recipient)}&uint256={_number(token_amount, decimals)}"
        )
    return head if value is None else f"{head}?value={_number(value, decimals)}"
