"""The Etherscan-compatible explorer client against a fixture server on loopback.

The explorer is a remote third-party API, so (as STYLE.md section 8 allows) a local HTTP server
replays its documented response format: Etherscan API v2, "Accounts" module
(https://docs.etherscan.io/api-reference/endpoint/txlist, .../tokentx, .../tokennfttx,
.../token1155tx): ``{"status": "1", "message": "OK", "result": [...]}`` with decimal strings,
``{"status": "0", "message": "No transactions found", "result": []}`` for nothing, and
``{"status": "0", "message": "NOTOK", "result": "<reason>"}`` for errors.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from chains.errors import BackendProtocolError, BackendUnavailable, Unsupported
from chains.evm.explorer import ExplorerClient, ExplorerError, ExplorerRateLimited
from chains.evm.history import TransferKind, nft_holdings
from chains.evm.nfts import NftItem, NftStandard
from chains.registry import EvmNetwork, get_network

ME = "0x9fB29AAc15b9A4B7F17c3385939b007540f4d791"
OTHER = "0x4bbeEB066eD09B7AEd07bF39EEe0460DFa261520"
TOKEN = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
NFT = "0x06012c8cf97BEaD5deAe237070F9587f8E7A266d"
KEY = "SECRETKEY123456"
ETHEREUM = get_network("ethereum")
assert isinstance(ETHEREUM, EvmNetwork)

Handler = Callable[[dict[str, str]], tuple[int, Any]]


def tx(block: int, h: int, frm: str, to: str, value: int, **extra: str) -> dict[str, str]:
    row = {
        "blockNumber": str(block),
        "timeStamp": str(1_700_000_000 + block),
        "hash": "0x" + f"{h:064x}",
        "nonce": "0",
        "blockHash": "0x" + "ab" * 32,
        "transactionIndex": "0",
        "from": frm.lower(),
        "to": to.lower(),
        "value": str(value),
        "gas": "21000",
        "gasPrice": "1000000000",
        "isError": "0",
        "txreceipt_status": "1",
        "input": "0x",
        "contractAddress": "",
        "cumulativeGasUsed": "21000",
        "gasUsed": "21000",
        "confirmations": "100",
    }
    row.update(extra)
    return row


NO_TX = {"status": "0", "message": "No transactions found", "result": []}


def ok(rows: list[dict[str, str]]) -> dict[str, Any]:
    return {"status": "1", "message": "OK", "result": rows}


@pytest.fixture
def explorer() -> Iterator[tuple[str, list[dict[str, str]], list[Handler]]]:
    """A loopback HTTP server; tests set ``handler[0]`` and read the ``seen`` queries."""
    seen: list[dict[str, str]] = []
    handler: list[Handler] = [lambda q: (200, NO_TX)]

    class Replay(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            seen.append(query)
            status, body = handler[0](query)
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Replay)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v2/api", seen, handler
    server.shutdown()
    server.server_close()


def test_history_of_all_four_kinds(explorer: Any) -> None:
    url, seen, handler = explorer
    answers = {
        "txlist": ok(
            [
                tx(10, 1, OTHER, ME, 5 * 10**17),
                tx(12, 2, ME, OTHER, 10**17, isError="1"),
            ]
        ),
        "tokentx": ok(
            [
                tx(
                    11,
                    3,
                    OTHER,
                    ME,
                    2_500_000,
                    contractAddress=TOKEN.lower(),
                    tokenName="USD Coin",
                    tokenSymbol="USDC",
                    tokenDecimal="6",
                    logIndex="7",
                )
            ]
        ),
        "tokennfttx": ok(
            [
                tx(
                    13,
                    4,
                    OTHER,
                    ME,
                    0,
                    contractAddress=NFT.lower(),
                    tokenID="1234",
                    tokenName="CryptoKitties",
                    tokenSymbol="CK",
                    tokenDecimal="0",
                )
            ]
        ),
        "token1155tx": ok(
            [
                tx(
                    14,
                    5,
                    OTHER,
                    ME,
                    0,
                    contractAddress=NFT.lower(),
                    tokenID="9",
                    tokenValue="3",
                    tokenName="Tickets",
                    tokenSymbol="TIX",
                )
            ]
        ),
    }
    handler[0] = lambda q: (200, answers[q["action"]])
    client = ExplorerClient(ETHEREUM, KEY, base_url=url)
    page = client.history(ME, start_block=5)

    assert {q["action"] for q in seen} == set(answers)
    for q in seen:
        assert q["chainid"] == "1"
        assert q["module"] == "account"
        assert q["address"] == ME.lower()
        assert q["startblock"] == "5"
        assert q["sort"] == "asc"
        assert q["apikey"] == KEY
    kinds = [(r.kind, r.block_number, r.amount, r.contract, r.token_id) for r in page.records]
    assert kinds == [
        (TransferKind.NATIVE, 10, 5 * 10**17, None, None),
        (TransferKind.ERC20, 11, 2_500_000, TOKEN, None),
        (TransferKind.NATIVE, 12, 10**17, None, None),
        (TransferKind.ERC721, 13, 1, NFT, 1234),
        (TransferKind.ERC1155, 14, 3, NFT, 9),
    ]
    incoming, failed_out = page.records[0], page.records[2]
    assert (incoming.sender, incoming.recipient, incoming.fee) == (OTHER, ME, None)
    assert incoming.timestamp == 1_700_000_010
    assert failed_out.success is False
    assert failed_out.fee == 21000 * 10**9
    assert page.records[1].log_index == 7
    assert page.next_block == 14
    assert nft_holdings(page.records, ME) == (
        NftItem(NFT, 1234, NftStandard.ERC721, 1),
        NftItem(NFT, 9, NftStandard.ERC1155, 3),
    )
    assert nft_holdings(page.records, OTHER) == ()


def test_pagination_and_dedup(explorer: Any) -> None:
    url, seen, handler = explorer
    rows = [tx(20 + i, 100 + i, OTHER, ME, i + 1) for i in range(5)]

    def paged(q: dict[str, str]) -> tuple[int, Any]:
        if q["action"] != "txlist":
            return 200, NO_TX
        size, page = int(q["offset"]), int(q["page"])
        chunk = rows[(page - 1) * size : page * size]
        return 200, ok(chunk) if chunk else NO_TX

    handler[0] = paged
    client = ExplorerClient(ETHEREUM, None, base_url=url, page_size=2)
    page = client.history(ME)
    assert [r.amount for r in page.records] == [1, 2, 3, 4, 5]
    assert [q["page"] for q in seen if q["action"] == "txlist"] == ["1", "2", "3"]
    assert all("apikey" not in q for q in seen)


def test_nothing_found(explorer: Any) -> None:
    url, _, _ = explorer
    page = ExplorerClient(ETHEREUM, KEY, base_url=url).history(ME, start_block=77)
    assert page.records == ()
    assert page.next_block == 77


def test_bad_api_key_is_refused_without_showing_it(explorer: Any) -> None:
    url, _, handler = explorer
    handler[0] = lambda q: (200, {"status": "0", "message": "NOTOK", "result": "Invalid API Key"})
    client = ExplorerClient(ETHEREUM, KEY, base_url=url)
    with pytest.raises(ExplorerError, match="Invalid API Key") as info:
        client.history(ME)
    assert KEY not in str(info.value)
    assert KEY not in repr(client)


def test_rate_limit(explorer: Any) -> None:
    url, _, handler = explorer
    handler[0] = lambda q: (
        200,
        {"status": "0", "message": "NOTOK", "result": "Max rate limit reached"},
    )
    with pytest.raises(ExplorerRateLimited):
        ExplorerClient(ETHEREUM, KEY, base_url=url).history(ME)
    handler[0] = lambda q: (429, {"error": "slow down"})
    with pytest.raises(ExplorerRateLimited):
        ExplorerClient(ETHEREUM, KEY, base_url=url).history(ME)


@pytest.mark.parametrize(
    "body",
    [
        b"<html>oops</html>",
        b"[1, 2]",
        json.dumps(ok([{**tx(1, 1, OTHER, ME, 1), "value": "lots"}])).encode(),
        json.dumps(ok([{**tx(1, 1, OTHER, ME, 1), "hash": "0x12"}])).encode(),
    ],
    ids=["html", "array", "bad-number", "bad-hash"],
)
def test_garbage_is_a_typed_error(explorer: Any, body: bytes) -> None:
    url, _, handler = explorer
    handler[0] = lambda q: (200, body)
    with pytest.raises(BackendProtocolError):
        ExplorerClient(ETHEREUM, KEY, base_url=url).history(ME)


def test_server_errors_and_down(explorer: Any) -> None:
    url, _, handler = explorer
    handler[0] = lambda q: (502, b"bad gateway")
    with pytest.raises(BackendUnavailable, match="HTTP 502"):
        ExplorerClient(ETHEREUM, KEY, base_url=url).history(ME)
    dead = "http://127.0.0.1:9/api"
    with pytest.raises(BackendUnavailable) as info:
        ExplorerClient(ETHEREUM, KEY, base_url=dead, timeout=2).history(ME)
    assert KEY not in str(info.value)
    assert info.value.__cause__ is None  # the URL (with the key) is not chained either


def test_network_without_explorer() -> None:
    local = get_network("evm-local")
    assert isinstance(local, EvmNetwork)
    with pytest.raises(Unsupported):
        ExplorerClient(local, None)
    with pytest.raises(ValueError, match="http"):
        ExplorerClient(dataclasses.replace(ETHEREUM), None, base_url="ftp://x")
