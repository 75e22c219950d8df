"""Payment links checked against the registry: which network a link pays on, and building one.

The codecs (``primitives.bip21``, ``primitives.eip681``) split the text; this module finds the
network and checks the address with the address codecs every other part of Coffer uses
(``chains.addresses``), so a link's address is refused exactly as a typed one would be:

- BIP-21: the scheme names the coin (``bitcoin:``, ``litecoin:``, ``dogecoin:``); the address
  says which of its networks (mainnet, testnet, regtest). Where the address fits several
  (testnets share version bytes) the account's network wins, else the first in the registry.
  BIP-321 lets a link give segwit addresses in keys named by their prefix instead
  (``bitcoin:?bc=bc1q...&bc=bc1p...``, ``tb=`` on testnets): with no address in the path, the
  first of them (of the account's prefix, if any) is paid; ``bc=tb1...`` is refused.
- EIP-681: the chain id names the network; a link without one pays on the account's
  network (EIP-681: "the client's current network setting remains effective"), or Ethereum
  when no account is given.

A link of another network is refused with ``NetworkMismatch`` naming the network it belongs
to. Expiry: BIP-21 has no field for it; Coffer writes Electrum's ``time`` (creation) and
``exp`` (seconds of validity), and reads them back. EIP-681 has neither: an EVM request's
expiry lives in the wallet only.
"""

from __future__ import annotations

from dataclasses import replace

from chains.addresses import identify_networks, parse_address, parse_evm_address
from chains.registry import NETWORKS, EvmNetwork, Network, UtxoNetwork
from primitives.bech32 import Bech32Error, decode_segwit
from primitives.bip21 import (
    Bip21Error,
    Bip21Uri,
    DuplicateParameter,
    InvalidAmountField,
    UnknownRequiredParameter,
    build_bip21,
    parse_bip21,
)
from primitives.eip681 import Eip681Error, build_eip681, parse_eip681
from wallet.amounts import to_base_units, to_decimal
from wallet.errors import (
    InvalidAmount,
    InvalidPaymentLink,
    NetworkMismatch,
    UnsupportedRequirement,
    translate_errors,
)
from wallet.requests.types import PaymentLink

__all__ = ["build_link", "link_scheme", "parse_payment_link", "qr_form"]

_BIP21_SCHEMES = ("bitcoin", "litecoin", "dogecoin")


def link_scheme(network: UtxoNetwork) -> str:
    """Return the BIP-21 scheme of a UTXO network: its coin's name (``litecoin-regtest``)."""
    return network.name.split("-")[0]


def _utxo_family(scheme: str) -> list[UtxoNetwork]:
    return [n for n in NETWORKS.values() if isinstance(n, UtxoNetwork) and link_scheme(n) == scheme]


_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MAX_WORDS = 300


def _shown(text: str | None) -> str:
    """Return a link's label or message safe to print: no control or direction characters.

    A link comes from anyone: an escape sequence in its label could rewrite the terminal
    (hide the amount), and a right-to-left override could reverse what is read. Each such
    character becomes U+FFFD; overlong text is cut.
    """
    if not text:
        return ""
    cleaned = "".join(
        "\ufffd" if ord(c) < 32 or 127 <= ord(c) < 160 or c in _BIDI else c for c in text
    )
    return cleaned if len(cleaned) <= _MAX_WORDS else cleaned[: _MAX_WORDS - 3] + "..."


def _int_param(uri: Bip21Uri, key: str) -> int | None:
    value = uri.param(key)
    if value is None or not value.isascii() or not value.isdigit():
        return None  # an unreadable optional field is ignored, as BIP-321 says of unknown ones
    return int(value)


def _parse_bip21(text: str, account: Network | None) -> PaymentLink:
    try:
        uri = parse_bip21(text, _BIP21_SCHEMES)
    except UnknownRequiredParameter as err:
        raise UnsupportedRequirement(str(err), text, err.key) from err
    except InvalidAmountField as err:
        raise InvalidAmount(str(err)) from err
    except DuplicateParameter as err:
        raise InvalidPaymentLink(str(err), text) from err
    except Bip21Error as err:
        raise InvalidPaymentLink(str(err), text) from err
    keyed = _keyed_addresses(uri, text)
    if not uri.address:
        if not keyed:
            others = ", ".join(k for k, _ in uri.other) or "nothing"
            raise InvalidPaymentLink(
                "The link names no address, only payment instructions Coffer cannot pay "
                f"({others}).",
                text,
            )
        uri = replace(uri, address=_pick_keyed(keyed, account))
    network = _bip21_network(uri, account, text)
    with translate_errors():
        address = parse_address(network, uri.address).address
    amount = None
    if uri.amount is not None:
        amount = to_base_units(uri.amount, network.decimals, network.symbol)
    created = _int_param(uri, "time")
    validity = _int_param(uri, "exp")
    expires = created + validity if created is not None and validity else None
    return PaymentLink(
        text=text.strip(),
        network=network.name,
        address=address,
        amount=amount,
        symbol=network.symbol,
        decimals=network.decimals,
        label=_shown(uri.label),
        message=_shown(uri.message),
        created_at=created,
        expires_at=expires,
    )


def _keyed_addresses(uri: Bip21Uri, text: str) -> list[tuple[str, str]]:
    """Return the segwit addresses a link gives under their prefix's key (``bc=bc1q...``).

    BIP-321 puts an address in the query under the key of its bech32 prefix; a key that is
    one of the scheme's prefixes must hold an address of that prefix (``bc=tb1...`` is an
    invalid link, as the BIP says).

    Raises:
        InvalidPaymentLink: such a key holding no segwit address, or one of another prefix.
    """
    prefixes = {n.hrp for n in _utxo_family(uri.scheme) if n.hrp}
    found = []
    for key, value in uri.other:
        if key not in prefixes:
            continue
        try:
            hrp, _, _ = decode_segwit(value)
        except Bech32Error:
            raise InvalidPaymentLink(
                f"The link's {key}= parameter holds no segwit address.", text
            ) from None
        if hrp != key:
            raise InvalidPaymentLink(
                f"The link's {key}= parameter holds a {hrp}1 address: BIP-321 puts an address "
                f"under its own prefix ({hrp}=), so this link is not valid.",
                text,
            )
        found.append((key, value))
    return found


def _pick_keyed(keyed: list[tuple[str, str]], account: Network | None) -> str:
    """Return the keyed address to pay: the first of the account's prefix, else the first."""
    if isinstance(account, UtxoNetwork):
        mine = next((value for key, value in keyed if key == account.hrp), None)
        if mine is not None:
            return mine
    return keyed[0][1]


def _bip21_network(uri: Bip21Uri, account: Network | None, text: str) -> UtxoNetwork:
    family = _utxo_family(uri.scheme)
    if isinstance(account, UtxoNetwork):
        if link_scheme(account) != uri.scheme:
            owner = family[0].title if family else uri.scheme
            raise NetworkMismatch(
                f"This is a {owner} payment link; the account is on {account.title}.",
                uri.address,
                tuple(n.name for n in family),
                account.name,
            )
        return account  # the address is checked against it (a precise refusal if it is not)
    if isinstance(account, EvmNetwork):
        raise NetworkMismatch(
            f"This is a {family[0].title} payment link; the account is on {account.title}.",
            uri.address,
            tuple(n.name for n in family),
            account.name,
        )
    owners = identify_networks(uri.address)
    matching = [n for n in family if n.name in owners]
    if matching:
        return matching[0]
    if owners:
        title = NETWORKS[owners[0]].title
        raise NetworkMismatch(
            f"This {uri.scheme}: link holds a {title} address.",
            uri.address,
            owners,
            family[0].name,
        )
    return family[0]  # no network knows it: the address check says what is wrong with it


def _evm_by_chain_id(chain_id: int) -> EvmNetwork | None:
    return next(
        (n for n in NETWORKS.values() if isinstance(n, EvmNetwork) and n.chain_id == chain_id),
        None,
    )


def _parse_eip681(text: str, account: Network | None) -> PaymentLink:
    try:
        request = parse_eip681(text)
    except Eip681Error as err:
        raise InvalidPaymentLink(str(err), text) from err
    if isinstance(account, UtxoNetwork):
        raise NetworkMismatch(
            f"This is an EVM (Ethereum-family) payment link; the account is on {account.title}.",
            request.payee,
            (),
            account.name,
        )
    network: EvmNetwork | None
    if request.chain_id is None:
        network = account if isinstance(account, EvmNetwork) else _evm_by_chain_id(1)
    else:
        network = _evm_by_chain_id(request.chain_id)
        if isinstance(account, EvmNetwork) and request.chain_id != account.chain_id:
            owner = (
                f"{network.title} (chain id {request.chain_id})"
                if network
                else (f"chain id {request.chain_id}, which Coffer does not know")
            )
            raise NetworkMismatch(
                f"This link is for {owner}; the account is on {account.title} "
                f"(chain id {account.chain_id}).",
                request.payee,
                (network.name,) if network else (),
                account.name,
            )
    if network is None:
        raise InvalidPaymentLink(
            f"This link is for chain id {request.chain_id}, which Coffer does not know.", text
        )
    with translate_errors():
        target = parse_evm_address(request.target, network)
        payee = parse_evm_address(request.payee, network)
    if request.is_token_transfer:
        if request.value:
            raise InvalidPaymentLink(
                "The link sends coins along with a token transfer to the token contract; "
                "Coffer refuses that.",
                text,
            )
        return PaymentLink(
            text=text.strip(),
            network=network.name,
            address=payee,
            amount=request.token_amount or None,
            symbol=None,
            decimals=None,
            token=target,
        )
    return PaymentLink(
        text=text.strip(),
        network=network.name,
        address=target,
        amount=request.value or None,
        symbol=network.symbol,
        decimals=network.decimals,
    )


def parse_payment_link(text: str, network: Network | None = None) -> PaymentLink:
    """Read a payment link and check it against the network it pays on.

    Args:
        text: a ``bitcoin:``/``litecoin:``/``dogecoin:`` link (BIP-21/BIP-321) or an
            ``ethereum:`` link (EIP-681).
        network: the paying account's network: the link must be of it.

    Raises:
        InvalidPaymentLink: not a payment link, or one Coffer cannot pay (the error says why).
        UnsupportedRequirement: a ``req-`` parameter Coffer does not implement.
        NetworkMismatch: a link of another network than ``network`` (the error names it), or
            a BIP-21 scheme that does not match its address.
        InvalidAddress: a malformed address or a typo in it (checksum).
        InvalidAmount, AmountPrecisionError: an amount that is not a plain positive decimal,
            or has more decimals than the coin.
    """
    scheme = text.strip().partition(":")[0].lower()
    if scheme == "ethereum":
        return _parse_eip681(text, network)
    if scheme in _BIP21_SCHEMES:
        return _parse_bip21(text, network)
    raise InvalidPaymentLink(
        "This is not a payment link: Coffer reads bitcoin:, litecoin:, dogecoin: and ethereum: "
        "links.",
        text,
    )


def build_link(
    network: Network,
    address: str,
    amount: int,
    *,
    label: str = "",
    message: str = "",
    created_at: int | None = None,
    expires_at: int | None = None,
    token: str | None = None,
    decimals: int | None = None,
) -> str:
    """Return the payment link of a request (BIP-21 on UTXO networks, EIP-681 on EVM).

    EIP-681 has no label, message or expiry: an EVM link carries the chain id, the payee and
    the amount (with the exponent of the asset's decimals, ``decimals``).
    """
    if isinstance(network, EvmNetwork):
        places = decimals if decimals is not None else network.decimals
        if token is not None:
            return build_eip681(
                token, network.chain_id, recipient=address, token_amount=amount, decimals=places
            )
        return build_eip681(address, network.chain_id, value=amount, decimals=places)
    assert isinstance(network, UtxoNetwork)  # noqa: S101 - the registry has two families
    other: tuple[tuple[str, str], ...] = ()
    if created_at is not None and expires_at is not None:
        other = (("time", str(created_at)), ("exp", str(expires_at - created_at)))
    return build_bip21(
        link_scheme(network),
        address,
        to_decimal(amount, network.decimals),
        label or None,
        message or None,
        other,
    )


def qr_form(link: str) -> str:
    """Return the link as a QR code should hold it (BIP-21: scheme and segwit address upper)."""
    try:
        uri = parse_bip21(link, _BIP21_SCHEMES)
    except Bip21Error:
        return link
    return build_bip21(
        uri.scheme, uri.address, uri.amount, uri.label, uri.message, uri.other, upper=True
    )
