"""ERC-721 / ERC-1155 holdings from logs, confirmed on chain, with metadata from data: URIs.

Runs on the embedded chain and on anvil with the Vyper contracts of contracts/.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from chains.evm.nfts import (
    InvalidMetadata,
    NftItem,
    NftStandard,
    decode_data_uri,
    fetch_metadata,
    scan_holdings,
)
from tests.nodes.evm import EvmChain, anvil, anvil_binary, evm_chain

__all__ = ["anvil", "anvil_binary", "evm_chain"]  # fixtures used from the node plugin

TICKET = {
    "name": "Concert ticket #1",
    "description": "Row 4, seat 12",
    "image": "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/ticket.png",
    "attributes": [{"trait_type": "date", "value": "2026-12-31"}],
}


def b64_uri(doc: object) -> str:
    return "data:application/json;base64," + base64.b64encode(json.dumps(doc).encode()).decode()


def test_decode_data_uri_forms() -> None:
    assert decode_data_uri("data:,hello%20world") == ("text/plain", b"hello world")
    assert decode_data_uri("data:application/json;base64,e30=") == ("application/json", b"{}")
    with pytest.raises(ValueError, match="not a data"):
        decode_data_uri("ipfs://x")
    with pytest.raises(ValueError, match="base64"):
        decode_data_uri("data:application/json;base64,!!!")


def test_erc721_holdings_and_metadata(evm_chain: EvmChain) -> None:
    owner, other = evm_chain.devnet.prefunded_accounts()[1:3]
    nft = evm_chain.deploy("ERC721", ("string", "string"), ("Coffer Tickets", "CTK"))
    mint = "mint(address,uint256,string)"
    evm_chain.send(nft, mint, owner, 1, b64_uri(TICKET))
    evm_chain.send(
        nft, mint, owner, 2, "ipfs://bafkreib4pqtikzdjlj4zigobmd63lig7u6oxlug24snlr6atjlmlza45dq"
    )
    evm_chain.send(nft, mint, owner, 3, "data:application/json;base64,!!!")
    evm_chain.send(nft, "transferFrom(address,address,uint256)", owner, other, 2, sender=owner)
    token = evm_chain.deploy_token("NOISE")
    evm_chain.send(token, "mint(address,uint256)", owner, 5)  # ERC-20 Transfer: not an item

    mine = {i for i in scan_holdings(evm_chain.backend, owner) if i.contract == nft}
    assert mine == {
        NftItem(nft, 1, NftStandard.ERC721, 1),
        NftItem(nft, 3, NftStandard.ERC721, 1),
    }
    theirs = {i for i in scan_holdings(evm_chain.backend, other) if i.contract == nft}
    assert theirs == {NftItem(nft, 2, NftStandard.ERC721, 1)}

    meta = fetch_metadata(evm_chain.backend, NftItem(nft, 1, NftStandard.ERC721, 1))
    assert meta.resolved
    assert (meta.name, meta.description, meta.image) == (
        TICKET["name"],
        TICKET["description"],
        TICKET["image"],
    )
    assert meta.attributes == (("date", "2026-12-31"),)

    ipfs = fetch_metadata(evm_chain.backend, NftItem(nft, 2, NftStandard.ERC721, 1))
    assert not ipfs.resolved
    assert ipfs.uri == "ipfs://bafkreib4pqtikzdjlj4zigobmd63lig7u6oxlug24snlr6atjlmlza45dq"

    with pytest.raises(InvalidMetadata, match="not readable JSON"):
        fetch_metadata(evm_chain.backend, NftItem(nft, 3, NftStandard.ERC721, 1))
    with pytest.raises(InvalidMetadata, match="refused tokenURI"):
        fetch_metadata(evm_chain.backend, NftItem(nft, 99, NftStandard.ERC721, 1))


def test_erc1155_holdings_and_metadata(evm_chain: EvmChain) -> None:
    owner, other = evm_chain.devnet.prefunded_accounts()[3:5]
    multi = evm_chain.deploy("ERC1155")
    doc = {"name": "Loyalty points", "image": "https://example.org/{id}.png"}
    evm_chain.send(
        multi,
        "mint(address,uint256,uint256,string)",
        owner,
        7,
        5,
        "data:application/json," + quote(json.dumps(doc)),
    )
    evm_chain.send(
        multi,
        "mint(address,uint256,uint256,string)",
        owner,
        10,
        1,
        "ipfs://bafybeihash/{id}.json",
    )
    evm_chain.send(multi, "mintBatch(address,uint256[],uint256[])", owner, [8, 9], [2, 3])
    evm_chain.send(
        multi,
        "safeTransferFrom(address,address,uint256,uint256,bytes)",
        owner,
        other,
        9,
        3,
        b"",
        sender=owner,
    )
    evm_chain.send(
        multi,
        "safeBatchTransferFrom(address,address,uint256[],uint256[],bytes)",
        owner,
        other,
        [7],
        [1],
        b"",
        sender=owner,
    )
    mine = {i for i in scan_holdings(evm_chain.backend, owner) if i.contract == multi}
    assert mine == {
        NftItem(multi, 7, NftStandard.ERC1155, 4),
        NftItem(multi, 8, NftStandard.ERC1155, 2),
        NftItem(multi, 10, NftStandard.ERC1155, 1),
    }
    theirs = {i for i in scan_holdings(evm_chain.backend, other) if i.contract == multi}
    assert theirs == {
        NftItem(multi, 9, NftStandard.ERC1155, 3),
        NftItem(multi, 7, NftStandard.ERC1155, 1),
    }
    meta = fetch_metadata(evm_chain.backend, NftItem(multi, 7, NftStandard.ERC1155, 4))
    assert meta.resolved
    assert meta.name == "Loyalty points"
    assert meta.image == "https://example.org/{id}.png"  # the image URI is kept as given
    ipfs = fetch_metadata(evm_chain.backend, NftItem(multi, 10, NftStandard.ERC1155, 1))
    assert ipfs.uri == "ipfs://bafybeihash/" + f"{10:064x}" + ".json"
    assert not ipfs.resolved
    with pytest.raises(InvalidMetadata, match="no metadata URI"):
        fetch_metadata(evm_chain.backend, NftItem(multi, 8, NftStandard.ERC1155, 2))
