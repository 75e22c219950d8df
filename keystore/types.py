"""Small value types the keystore needs from outside; ``wallet`` fills them from the registry.

The keystore never imports ``chains``: what it must know about a network (coin type, address
prefixes, chain id) arrives as one of these plain values.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal

from keystore.bip32 import ExtendedPublicKey

__all__ = [
    "AccountExport",
    "EvmParams",
    "EvmTxRequest",
    "KeyOrigin",
    "MessageFormat",
    "MessageRequest",
    "MessageSignature",
    "SignedEvmTx",
    "SummaryOutput",
    "TxSummary",
    "UtxoParams",
]


@dataclass(frozen=True, slots=True)
class UtxoParams:
    r"""What a signer must know of a Bitcoin-family network to show and check a transaction.

    ``message_magic`` is the text the legacy ``signmessage`` formats (BIP-137, Electrum)
    prefix to a message before hashing it: ``"Litecoin Signed Message:\n"`` on Litecoin.
    ``xpub_versions`` are the extended public key versions of the network (BIP-32 and
    SLIP-132): a policy's keys of other versions are refused.
    """

    name: str
    title: str
    symbol: str
    decimals: int
    coin_type: int
    hrp: str | None
    p2pkh_version: int
    p2sh_version: int
    message_magic: str = "Bitcoin Signed Message:\n"
    xpub_versions: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class EvmParams:
    """What a signer must know of an EVM network: above all its chain id (EIP-155)."""

    name: str
    title: str
    symbol: str
    chain_id: int
    decimals: int = 18


@dataclass(frozen=True, slots=True)
class KeyOrigin:
    """A key's origin: the master fingerprint and the full derivation path (BIP-32)."""

    fingerprint: bytes
    path: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SummaryOutput:
    """One output of a transaction as a person reads it: where, how much, and whether it is ours.

    ``amount`` is in base units (satoshis, wei or token base units). For a token or
    collectible, ``asset`` names it (symbol or contract) and ``decimals`` gives its decimal
    places; both are ``None`` for the network's own coin.

    EVM token transfers also name what the signer decoded from the call data itself:
    ``contract`` is the token contract (EIP-55) and ``token_id`` the ERC-721/1155 item;
    ``asset`` and ``decimals`` stay display labels the signer cannot verify.
    """

    address: str
    amount: int
    is_change: bool = False
    asset: str | None = None
    decimals: int | None = None
    contract: str | None = None
    token_id: int | None = None


@dataclass(frozen=True, slots=True)
class TxSummary:
    """The human summary of a transaction, recomputed by the signer from the transaction itself.

    Attributes:
        network: the registry name of the network (for EVM, checked with the chain id).
        outputs: recipients and change.
        fee: the fee in base units of the network's coin (for EVM, the maximum fee).
        chain_id: the EVM chain id, ``None`` for UTXO networks.
        replaceable: whether a UTXO transaction signals BIP-125 replacement.
        nonce: the EVM nonce (a replacement reuses its original's), ``None`` for UTXO.
        contract_call: for an EVM call the signer could not read as a plain transfer, what
            it does in words (``approve(...)``, an unknown selector, a contract creation).
        vsize: for UTXO, the virtual size the signer works out for the signed transaction
            (every signature at its largest), ``None`` when an input's size is unknown to it
            or for EVM. Derived from the transaction, so not part of the comparison with the
            online side's summary.
    """

    network: str
    outputs: tuple[SummaryOutput, ...]
    fee: int
    chain_id: int | None = None
    replaceable: bool = False
    nonce: int | None = None
    contract_call: str | None = None
    vsize: int | None = field(default=None, compare=False)

    @property
    def fee_rate(self) -> Decimal | None:
        """Return the UTXO fee rate in base units per vbyte (two decimals), if ``vsize`` is set."""
        if not self.vsize:
            return None
        return (Decimal(self.fee) / Decimal(self.vsize)).quantize(Decimal("0.01"))


@dataclass(frozen=True, slots=True)
class EvmTxRequest:
    """An unsigned EVM transaction (EIP-1559 type 2, EIP-2930 type 1, or legacy with EIP-155).

    For type 2, ``max_fee_per_gas`` and ``max_priority_fee_per_gas`` are set and ``gas_price``
    is ``None``; for types 0 and 1 the reverse. ``eip2930`` marks type 1: a gas price with an
    access list (which may be empty). ``to`` is a checksummed address or ``None`` for a
    contract creation; ``value`` is in wei.
    """

    chain_id: int
    nonce: int
    to: str | None
    value: int
    data: bytes
    gas: int
    max_fee_per_gas: int | None = None
    max_priority_fee_per_gas: int | None = None
    gas_price: int | None = None
    access_list: tuple[tuple[str, tuple[bytes, ...]], ...] = ()
    eip2930: bool = False

    @property
    def tx_type(self) -> int:
        """Return the EIP-2718 transaction type: 2 for EIP-1559, 1 for EIP-2930, 0 legacy."""
        if self.eip2930:
            return 1
        return 0 if self.gas_price is not None else 2


@dataclass(frozen=True, slots=True)
class SignedEvmTx:
    """A signed EVM transaction: its raw bytes and hash (``0x``-prefixed lowercase hex)."""

    raw: bytes
    tx_hash: str
    sender: str


@dataclass(frozen=True, slots=True)
class AccountExport:
    """What a signer gives out of one account: the key origin and the extended public key.

    This is everything a watch-only wallet needs to derive the account's addresses and to
    build PSBTs the signer recognises as its own (BIP-174 ``PSBT_IN_BIP32_DERIVATION`` names
    ``fingerprint`` and a path under ``path``). ``wallet`` writes it as a descriptor, an
    xpub, BC-UR or the JSON that Sparrow and Electrum import.

    Attributes:
        fingerprint: the master key fingerprint (4 bytes).
        path: the derivation path from the master to ``key`` (BIP-32).
        key: the extended public key at ``path``.
        script: the account's script kind (``"p2wpkh"``, ``"p2tr"``, ``"p2sh-p2wpkh"``,
            ``"p2pkh"``), or ``None`` for an EVM account.
    """

    fingerprint: bytes
    path: tuple[int, ...]
    key: ExtendedPublicKey
    script: str | None = None


class MessageFormat(enum.Enum):
    """How a message is signed: the BIP-322 and legacy Bitcoin formats, and EIP-191 / EIP-712.

    ``BIP322_SIMPLE`` is the witness stack of the BIP-322 ``to_sign`` transaction,
    ``BIP322_FULL`` the whole transaction (the only BIP-322 form for P2PKH). ``BIP137`` is
    Bitcoin Core's ``signmessage`` with the segwit header bytes of BIP-137; ``ELECTRUM`` is
    the same signature with Electrum's header (31-34 for every compressed key). ``EIP191`` is
    ``personal_sign`` (version 0x45); ``EIP712`` signs typed structured data.
    """

    BIP322_SIMPLE = "bip322-simple"
    BIP322_FULL = "bip322-full"
    BIP137 = "bip137"
    ELECTRUM = "electrum"
    EIP191 = "eip191"
    EIP712 = "eip712"

    @property
    def is_evm(self) -> bool:
        """Return whether this is an EVM format (EIP-191 or EIP-712)."""
        return self in (MessageFormat.EIP191, MessageFormat.EIP712)


@dataclass(frozen=True, slots=True)
class MessageRequest:
    """A message to sign with one key of an account.

    Attributes:
        format: the signature format.
        message: the message bytes (UTF-8 text as typed), or for ``EIP712`` the typed-data
            JSON document (``types``, ``primaryType``, ``domain``, ``message``) as UTF-8.
        path: the full derivation path of the signing key.
        address: the address the signature is for; the signer derives its own from the key
            at ``path`` and refuses a request whose address differs.
        network: the registry name of the network (checked against the signing context).
    """

    format: MessageFormat
    message: bytes
    path: tuple[int, ...]
    address: str
    network: str


@dataclass(frozen=True, slots=True)
class MessageSignature:
    """A signed message.

    Attributes:
        format: the format it was signed in.
        signature: the signature bytes (65 bytes for the recoverable formats, the serialised
            witness stack or transaction for BIP-322).
        text: its usual text form: base64 for Bitcoin-family formats, ``0x`` hex for EVM.
        address: the address that signed.
    """

    format: MessageFormat
    signature: bytes
    text: str
    address: str
