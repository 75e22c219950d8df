"""ERC-721 and ERC-1155 items an account holds (collectibles and tickets), with metadata.

Holdings are found from ``Transfer`` (EIP-721) and ``TransferSingle`` / ``TransferBatch``
(EIP-1155) logs naming the account, then confirmed on chain (``ownerOf`` / ``balanceOf``) in
one round trip, so a missed or reorged log never shows an item the account no longer has.
Metadata comes from ``tokenURI`` (EIP-721 metadata extension) or ``uri`` (EIP-1155, with the
``{id}`` substitution); ``data:`` URIs (RFC 2397) are decoded here, ``ipfs://`` and ``http(s)``
URIs are returned as they are, never fetched.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError

from chains.evm import _parse as p
from chains.evm.abi import encode_call, event_topic
from chains.evm.backend import BlockTag, EvmBackend, Log, LogFilter
from chains.evm.errors import EvmError
from chains.evm.multicall import Call3, read_many
from chains.evm.tokens import decode_text

__all__ = [
    "TRANSFER",
    "TRANSFER_BATCH",
    "TRANSFER_SINGLE",
    "InvalidMetadata",
    "NftItem",
    "NftMetadata",
    "NftStandard",
    "decode_data_uri",
    "fetch_metadata",
    "scan_holdings",
]

TRANSFER = event_topic("Transfer(address,address,uint256)")
TRANSFER_SINGLE = event_topic("TransferSingle(address,address,address,uint256,uint256)")
TRANSFER_BATCH = event_topic("TransferBatch(address,address,address,uint256[],uint256[])")

_MAX_METADATA = 256 * 1024


class NftStandard(enum.Enum):
    """The token standard of an item."""

    ERC721 = "erc721"
    ERC1155 = "erc1155"


class InvalidMetadata(EvmError, ValueError):
    """An item's metadata URI or document cannot be read."""

    def __init__(self, message: str, contract: str, token_id: int) -> None:
        """Keep a user-facing message and the item."""
        super().__init__(message)
        self.contract = contract
        self.token_id = token_id


@dataclass(frozen=True, slots=True)
class NftItem:
    """An item an account holds: ``amount`` is 1 for ERC-721, the count for ERC-1155."""

    contract: str
    token_id: int
    standard: NftStandard
    amount: int


@dataclass(frozen=True, slots=True)
class NftMetadata:
    """What a wallet shows of an item.

    Attributes:
        uri: the metadata URI as the contract gave it (``None`` if it gave none).
        name: the item's name, if the metadata was readable here.
        description: its description.
        image: the image URI, kept as given (``ipfs://``, ``https://`` or ``data:``).
        attributes: ``(trait, value)`` pairs from the metadata's ``attributes``.
        resolved: whether the document was read (a ``data:`` URI); ``False`` for URIs that
            point elsewhere (``ipfs://``, ``https://``), which are shown as such.
    """

    uri: str | None
    name: str | None = None
    description: str | None = None
    image: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    resolved: bool = False


def _topic_address(address: str) -> bytes:
    return bytes(12) + bytes.fromhex(p.check_address(address)[2:])


def _address_of(topic: bytes) -> str:
    return p.check_address("0x" + topic[-20:].hex())


def _holding_logs(
    backend: EvmBackend, topic: bytes, from_block: BlockTag, to_block: BlockTag
) -> list[Log]:
    queries = (
        ((TRANSFER,), (topic,), None),  # ERC-721 (and ERC-20) sent
        ((TRANSFER,), None, (topic,)),  # ERC-721 (and ERC-20) received
        ((TRANSFER_SINGLE, TRANSFER_BATCH), None, (topic,)),  # ERC-1155 sent
        ((TRANSFER_SINGLE, TRANSFER_BATCH), None, None, (topic,)),  # ERC-1155 received
    )
    seen: dict[tuple[str, int], Log] = {}
    for topics in queries:
        for entry in backend.get_logs(LogFilter(from_block, to_block, (), topics)):
            seen[(entry.transaction_hash, entry.log_index)] = entry
    return sorted(seen.values(), key=lambda x: (x.block_number, x.log_index))


def scan_holdings(
    backend: EvmBackend,
    account: str,
    from_block: BlockTag = "earliest",
    to_block: BlockTag = "latest",
) -> tuple[NftItem, ...]:
    """Return the ERC-721 and ERC-1155 items an account holds now.

    Meant for local and embedded chains, where ``eth_getLogs`` over the whole chain is cheap;
    public networks take their item list from an explorer (``chains.evm.history``).

    Raises:
        MalformedAddress: the account is not an EVM address.
        NodeError: the node refused the log query.
    """
    acct = p.check_address(account)
    candidates: dict[tuple[str, int], NftStandard] = {}
    for entry in _holding_logs(backend, _topic_address(acct), from_block, to_block):
        if entry.topics[0] == TRANSFER:
            if len(entry.topics) == 4:  # ERC-721 indexes the token id; ERC-20 does not
                token_id = int.from_bytes(entry.topics[3], "big")
                candidates[(entry.address, token_id)] = NftStandard.ERC721
            continue
        for token_id in _ids_1155(entry):
            candidates[(entry.address, token_id)] = NftStandard.ERC1155
    keys = list(candidates)
    calls = []
    for contract, token_id in keys:
        if candidates[(contract, token_id)] is NftStandard.ERC721:
            calls.append(Call3(contract, encode_call("ownerOf(uint256)", token_id)))
        else:
            calls.append(Call3(contract, encode_call("balanceOf(address,uint256)", acct, token_id)))
    results, _ = read_many(backend, calls, None)
    items = []
    for (contract, token_id), result in zip(keys, results, strict=True):
        standard = candidates[(contract, token_id)]
        if not result.success or len(result.data) != 32:
            continue
        if standard is NftStandard.ERC721:
            if _address_of(result.data) == acct:
                items.append(NftItem(contract, token_id, standard, 1))
        else:
            amount = int.from_bytes(result.data, "big")
            if amount:
                items.append(NftItem(contract, token_id, standard, amount))
    return tuple(items)


def _ids_1155(entry: Log) -> list[int]:
    try:
        if entry.topics[0] == TRANSFER_SINGLE:
            token_id, _ = decode(["uint256", "uint256"], entry.data)
            return [int(token_id)]
        ids, _ = decode(["uint256[]", "uint256[]"], entry.data)
        return [int(x) for x in ids]
    except (DecodingError, ValueError, OverflowError):
        return []  # a malformed log from a contract that only pretends to be ERC-1155


def decode_data_uri(uri: str) -> tuple[str, bytes]:
    """Decode a ``data:`` URI (RFC 2397) into its media type and bytes.

    Raises:
        ValueError: the text is not a well-formed ``data:`` URI.
    """
    if not uri.startswith("data:") or "," not in uri:
        raise ValueError("not a data: URI")
    header, payload = uri[5:].split(",", 1)
    params = header.split(";")
    media = params[0] or "text/plain"
    if "base64" in params[1:]:
        try:
            return media, base64.b64decode(unquote_to_bytes(payload), validate=True)
        except (binascii.Error, ValueError) as e:
            raise ValueError("the base64 payload of a data: URI is malformed") from e
    return media, unquote_to_bytes(payload)


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip()[:2048] or None


def fetch_metadata(backend: EvmBackend, item: NftItem, block: BlockTag = "latest") -> NftMetadata:
    """Read an item's metadata URI, and the document itself when it is a ``data:`` URI.

    Raises:
        InvalidMetadata: ``tokenURI``/``uri`` reverted or answered no string, or a ``data:``
            URI does not hold a JSON object.
    """
    if item.standard is NftStandard.ERC721:
        data, function = encode_call("tokenURI(uint256)", item.token_id), "tokenURI(uint256)"
    else:
        data, function = encode_call("uri(uint256)", item.token_id), "uri(uint256)"
    (result,), _ = read_many(backend, [Call3(item.contract, data)], None, block)
    if not result.success:
        raise InvalidMetadata(
            f"The contract {item.contract} refused {function} for item {item.token_id}.",
            item.contract,
            item.token_id,
        )
    uri = decode_text(result.data, _MAX_METADATA) if result.data else None
    if uri is None:
        raise InvalidMetadata(
            f"The contract {item.contract} gave no metadata URI for item {item.token_id}.",
            item.contract,
            item.token_id,
        )
    if item.standard is NftStandard.ERC1155:
        uri = uri.replace("{id}", f"{item.token_id:064x}")  # EIP-1155, "Metadata"
    if not uri.startswith("data:"):
        return NftMetadata(uri=uri)
    try:
        _media, raw = decode_data_uri(uri)
        if len(raw) > _MAX_METADATA:
            raise ValueError("metadata document too large")
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise InvalidMetadata(
            f"The metadata of item {item.token_id} of {item.contract} is not readable JSON.",
            item.contract,
            item.token_id,
        ) from e
    if not isinstance(doc, dict):
        raise InvalidMetadata(
            f"The metadata of item {item.token_id} of {item.contract} is not a JSON object.",
            item.contract,
            item.token_id,
        )
    attributes = []
    for a in doc.get("attributes") or ():
        if isinstance(a, dict) and "trait_type" in a and "value" in a:
            attributes.append((str(a["trait_type"])[:128], str(a["value"])[:512]))
    return NftMetadata(
        uri=uri,
        name=_text(doc.get("name")),
        description=_text(doc.get("description")),
        image=_text(doc.get("image")),
        attributes=tuple(attributes),
        resolved=True,
    )
