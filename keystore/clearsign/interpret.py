"""Read a transaction's call, or an EIP-712 message, into an intent with ERC-7730 descriptors.

``interpret_call`` decodes the call data with eth-abi against each format whose selector
matches, keeps a reading only when re-encoding the values gives back the very same bytes
(so nothing hides after the arguments), and renders the descriptor's fields: addresses with
the name of the descriptor bound to them, token amounts with the token's decimals and ticker
(from the token list the caller passes, which the offline signer carries), NFTs, dates.
``interpret_typed_data`` does the same for an EIP-712 message (Permit, Permit2).
No network: everything comes from the arguments and the descriptors in this package.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from eth_abi.abi import decode, encode
from eth_abi.exceptions import DecodingError, EncodingError

from keystore.clearsign.registry import FieldSpec, Param, Registry, load_registry
from keystore.clearsign.types import FieldKind, Intent, IntentField, TokenMeta
from keystore.types import EvmParams, EvmTxRequest
from primitives.evm_address import to_checksum_address

__all__ = [
    "NativeAsset",
    "intent_of_request",
    "interpret_call",
    "interpret_typed_data",
    "native_intent",
]

Value = object
"""A decoded argument: int, bool, bytes, str (an address), or a list or dict of them."""


class NativeAsset:
    """The network's own coin, for amounts of the ``amount`` format (ticker and decimals)."""

    __slots__ = ("decimals", "symbol")

    def __init__(self, symbol: str, decimals: int = 18) -> None:
        """Name the coin."""
        self.symbol = symbol
        self.decimals = decimals


def _decimal_text(amount: int, decimals: int) -> str:
    """Return base units as an exact decimal (integer arithmetic: no 28-digit rounding)."""
    if decimals <= 0:
        return str(amount)
    whole, fraction = divmod(amount, 10**decimals)
    digits = f"{fraction:0{decimals}d}".rstrip("0")
    return f"{whole}.{digits}" if digits else str(whole)


class _Reader:
    """Resolves paths and renders fields for one call or message."""

    def __init__(
        self,
        values: dict[str, Value],
        container: dict[str, Value],
        chain_id: int,
        registry: Registry,
        tokens: Mapping[str, TokenMeta],
        native: NativeAsset,
    ) -> None:
        self.values = values
        self.container = container
        self.chain_id = chain_id
        self.registry = registry
        self.tokens = tokens
        self.native = native

    def resolve(self, path: str) -> Value:
        if path.startswith("@."):
            return self.container[path[2:]]
        current: Value = self.values
        for part in path.split("."):
            if part.startswith("[") and part.endswith("]"):
                if not isinstance(current, list):
                    raise KeyError(path)
                current = current[int(part[1:-1])]
            elif isinstance(current, dict):
                current = current[part]
            else:
                raise KeyError(path)
        return current

    def address(self, value: Value) -> str:
        if isinstance(value, bytes):
            return to_checksum_address(value)
        if isinstance(value, str):
            return to_checksum_address(value)
        raise TypeError("not an address")

    @staticmethod
    def integer(value: Value) -> int:
        if isinstance(value, bool):
            raise TypeError("not a number")
        if isinstance(value, int):
            return value
        if isinstance(value, str):
            return int(value, 0)
        raise TypeError("not a number")

    def address_text(self, address: str) -> str:
        name = self.registry.name_of(self.chain_id, address)
        return f"{name} ({address})" if name else address

    def raw_text(self, value: Value) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, bytes):
            return "0x" + value.hex() if value else "(none)"
        if isinstance(value, list):
            return ", ".join(self.raw_text(v) for v in value)
        return str(value)

    def field(self, spec: FieldSpec) -> IntentField:
        value = self.resolve(spec.path)
        kind = spec.kind
        if kind is FieldKind.ADDRESS:
            addr = self.address(value)
            return IntentField(spec.label, self.address_text(addr), kind, address=addr)
        if kind is FieldKind.NATIVE_AMOUNT:
            amount = self.integer(value)
            text = f"{_decimal_text(amount, self.native.decimals)} {self.native.symbol}"
            return IntentField(spec.label, text, kind, amount=amount)
        if kind is FieldKind.TOKEN_AMOUNT:
            return self.token_amount(spec, self.integer(value))
        if kind is FieldKind.NFT:
            token_id = self.integer(value)
            collection = self.address(self.resolve(spec.collection_path or "@.to"))
            text = f"item {token_id} of {self.address_text(collection)}"
            return IntentField(spec.label, text, kind, token=collection, token_id=token_id)
        if kind is FieldKind.DATE:
            seconds = self.integer(value)
            when = datetime.fromtimestamp(min(seconds, 253402300799), UTC)
            text = when.strftime("%Y-%m-%d %H:%M UTC")
            return IntentField(spec.label, text, kind, amount=seconds)
        if kind is FieldKind.DURATION:
            seconds = self.integer(value)
            hours, rest = divmod(seconds, 3600)
            text = f"{hours}h {rest // 60:02d}m {rest % 60:02d}s"
            return IntentField(spec.label, text, kind, amount=seconds)
        return IntentField(spec.label, self.raw_text(value), kind)

    def token_amount(self, spec: FieldSpec, amount: int) -> IntentField:
        token = spec.token or self.address(self.resolve(spec.token_path or "@.to"))
        meta = self.tokens.get(token)
        unit = meta.symbol if meta else f"base units of the token {token}"
        if spec.threshold is not None and amount >= spec.threshold:
            text = f"{spec.message or 'Unlimited'} {unit}"
            unlimited = True
        else:
            number = _decimal_text(amount, meta.decimals) if meta else str(amount)
            text, unlimited = f"{number} {unit}", False
        kind = FieldKind.TOKEN_AMOUNT
        return IntentField(spec.label, text, kind, token=token, amount=amount, unlimited=unlimited)


def _render(
    reader: _Reader, intent: str, template: str | None, specs: Sequence[FieldSpec]
) -> tuple[str, tuple[IntentField, ...]] | None:
    try:
        fields = tuple(reader.field(s) for s in specs)
    except (KeyError, IndexError, TypeError, ValueError):
        return None  # the descriptor does not fit these values: not a reading
    by_path = {s.path: f.text for s, f in zip(specs, fields, strict=True)}
    if template is None:
        return intent + ": " + "; ".join(f"{f.label} {f.text}" for f in fields), fields
    text = template
    for path, shown in by_path.items():
        text = text.replace("{" + path + "}", shown)
    return text, fields


def _named(params: Sequence[Param], values: Sequence[Value]) -> dict[str, Value]:
    return {p.name: _shaped(p, v) for p, v in zip(params, values, strict=True)}


def _shaped(param: Param, value: Value) -> Value:
    if param.type == "tuple" and isinstance(value, tuple):
        return _named(param.components, value)
    if param.type.startswith("tuple[") and isinstance(value, tuple):
        inner = Param(param.name, "tuple", param.components)
        return [_shaped(inner, v) for v in value]
    if isinstance(value, tuple):
        return list(value)
    return value


def native_intent(to: str, value: int, native: NativeAsset) -> Intent:
    """Return the intent of a plain transfer of the network's coin (no call data)."""
    recipient = to_checksum_address(to)
    amount = f"{_decimal_text(value, native.decimals)} {native.symbol}"
    fields = (
        IntentField("To", recipient, FieldKind.ADDRESS, address=recipient),
        IntentField("Amount", amount, FieldKind.NATIVE_AMOUNT, amount=value),
    )
    return Intent("Send", f"Send {amount} to {recipient}", fields, "native transfer", "", "")


def interpret_call(
    chain_id: int,
    sender: str,
    to: str | None,
    value: int,
    data: bytes,
    registry: Registry,
    tokens: Mapping[str, TokenMeta],
    native: NativeAsset,
) -> Intent | None:
    """Read a transaction with the descriptors; ``None`` when none reads it (a blind call).

    Args:
        chain_id: the transaction's chain id.
        sender: the signing address.
        to: the recipient or called contract (``None`` for a contract creation: blind).
        value: wei sent along.
        data: the call data.
        registry: the descriptors (``load_registry()``).
        tokens: the tokens the signer can name, by contract (EIP-55).
        native: the network's coin.

    Returns:
        The intent, or ``None`` when no descriptor decodes the call exactly.
    """
    if to is None:
        return None
    readings = call_readings(chain_id, sender, to, value, data, registry, tokens, native)
    return _choose(readings, to_checksum_address(to), tokens)


def call_readings(
    chain_id: int,
    sender: str,
    to: str,
    value: int,
    data: bytes,
    registry: Registry,
    tokens: Mapping[str, TokenMeta],
    native: NativeAsset,
) -> list[Intent]:
    """Return every reading of a call the descriptors give.

    Two where one selector means two things (``approve`` of ERC-20 and of ERC-721); the
    arguments are those of ``interpret_call``.
    """
    contract = to_checksum_address(to)
    if not data:
        return [native_intent(contract, value, native)]
    container: dict[str, Value] = {"to": contract, "value": value, "from": sender}
    readings: list[Intent] = []
    for descriptor, fmt in registry.calls_for(chain_id, contract, data[:4]):
        types = [p.abi_type() for p in fmt.params]
        try:
            decoded = decode(types, data[4:])
            # A reading counts only if it is the whole call: bytes appended after the
            # arguments (or a non-canonical encoding) could carry what the display hides.
            if encode(types, list(decoded)) != data[4:]:
                continue
        except (DecodingError, EncodingError, OverflowError, ValueError):
            continue
        reader = _Reader(_named(fmt.params, decoded), container, chain_id, registry, tokens, native)
        rendered = _render(reader, fmt.intent, fmt.template, fmt.fields)
        if rendered is not None:
            text, fields = rendered
            readings.append(
                Intent(fmt.intent, text, fields, descriptor.id, descriptor.source, fmt.signature)
            )
    return readings


def _choose(
    readings: list[Intent], contract: str, tokens: Mapping[str, TokenMeta]
) -> Intent | None:
    """Pick one reading where one selector means two things (ERC-20 and ERC-721 ``approve``).

    A contract the token list names is read as ERC-20, any other as the other interface; the
    simulation then shows whether the contract moved tokens or items.
    """
    if len(readings) <= 1:
        return readings[0] if readings else None
    is_token = contract in tokens

    def fungible(intent: Intent) -> bool:
        return any(f.kind is FieldKind.TOKEN_AMOUNT for f in intent.fields)

    return next((r for r in readings if fungible(r) == is_token), readings[0])


def interpret_typed_data(
    typed: Mapping[str, object],
    registry: Registry,
    tokens: Mapping[str, TokenMeta],
    native: NativeAsset,
    sender: str | None = None,
) -> Intent | None:
    """Read an EIP-712 message (``{"types", "domain", "primaryType", "message"}``).

    The message's struct members must be exactly those of the descriptor's schema: a
    message of another shape under a known name is not read (it is blind).

    Returns:
        The intent, or ``None`` when no descriptor reads it.
    """
    domain, types = typed.get("domain"), typed.get("types")
    primary, message = typed.get("primaryType"), typed.get("message")
    if not (
        isinstance(domain, Mapping)
        and isinstance(types, Mapping)
        and isinstance(primary, str)
        and isinstance(message, Mapping)
    ):
        return None
    try:
        chain_id = int(str(domain["chainId"]), 0) if "chainId" in domain else None
        verifying = domain.get("verifyingContract")
        contract = None if verifying is None else to_checksum_address(str(verifying))
    except ValueError:
        return None
    name = domain.get("name")
    shown_types = {
        str(k): tuple(str(m["name"]) for m in v)
        for k, v in types.items()
        if k != "EIP712Domain" and isinstance(v, list)
    }
    for descriptor, fmt in registry.messages_for(
        chain_id, contract, None if name is None else str(name), primary
    ):
        if any(shown_types.get(struct) != members for struct, members in fmt.types):
            continue
        container: dict[str, Value] = {"to": contract, "from": sender, "value": 0}
        reader = _Reader(dict(message), container, chain_id or 0, registry, tokens, native)
        rendered = _render(reader, fmt.intent, fmt.template, fmt.fields)
        if rendered is not None:
            text, fields = rendered
            return Intent(fmt.intent, text, fields, descriptor.id, descriptor.source, primary)
    return None


def intent_of_request(
    tx: EvmTxRequest,
    network: EvmParams,
    sender: str,
    tokens: Mapping[str, TokenMeta] | None = None,
) -> Intent | None:
    """Read a signing request with the descriptors this package carries (the signer's view).

    What an offline signer shows: the intent comes from the request and the signer's own
    descriptors and token list only; nothing the host attached (a simulation, a summary,
    another descriptor) takes part.

    Args:
        tx: the request to sign.
        network: the network it is for (its coin names native amounts).
        sender: the signing address.
        tokens: the tokens the signer can name, by contract.

    Returns:
        The intent, or ``None`` for a blind call.
    """
    return interpret_call(
        tx.chain_id,
        sender,
        tx.to,
        tx.value,
        tx.data,
        load_registry(),
        tokens or {},
        NativeAsset(network.symbol, network.decimals),
    )


def readings_of_request(
    tx: EvmTxRequest,
    network: EvmParams,
    sender: str,
    tokens: Mapping[str, TokenMeta] | None = None,
) -> list[Intent]:
    """Every reading of a signing request by the descriptors this package carries.

    An offline signer has no simulation to tell an ERC-20 ``approve`` from an ERC-721 one on
    a contract its token list does not name: it shows both. Empty for a blind call.
    """
    if tx.to is None:
        return []
    readings = call_readings(
        tx.chain_id,
        sender,
        tx.to,
        tx.value,
        tx.data,
        load_registry(),
        tokens or {},
        NativeAsset(network.symbol, network.decimals),
    )
    contract = to_checksum_address(tx.to)
    if len(readings) > 1 and tokens and contract in tokens:
        chosen = _choose(readings, contract, tokens)
        return [chosen] if chosen is not None else []
    return readings
