"""Clear signing offline: the carried ERC-7730 descriptors, their reading, and reconciliation.

No node: the keystore reads calls and typed messages with its own descriptors only, and the
wallet's reconciliation is checked on simulated effects given as values.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from eth_abi.abi import encode

from chains.evm.abi import encode_call
from keystore.clearsign import (
    DescriptorError,
    FieldKind,
    NativeAsset,
    TokenMeta,
    intent_of_request,
    interpret_call,
    interpret_typed_data,
    load_registry,
)
from keystore.clearsign.registry import parse_descriptor, parse_signature
from keystore.types import EvmParams, EvmTxRequest
from primitives.hashes import keccak256
from wallet.evm.review import reconcile
from wallet.evm.review_types import ApprovalChange, AssetChange

ROOT = Path(__file__).parents[2]
ME = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
FRIEND = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
WETH = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
PERMIT2 = "0x000000000022D473030F116dDEE9F6B43aC78BA3"
ROUTER = "0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D"
TOKENS = {TOKEN: TokenMeta(TOKEN, "USDC", 6), WETH: TokenMeta(WETH, "WETH", 18)}
ETH = NativeAsset("ETH")
REGISTRY = load_registry()


def read(to: str | None, data: bytes, value: int = 0, chain_id: int = 1) -> str | None:
    intent = interpret_call(chain_id, ME, to, value, data, REGISTRY, TOKENS, ETH)
    return None if intent is None else intent.text


def test_every_carried_descriptor_loads_and_names_its_source() -> None:
    files = sorted(p.name for p in (ROOT / "keystore/clearsign/registry").glob("*.json"))
    assert [d.file for d in REGISTRY.descriptors] == files
    sources = (ROOT / "keystore/clearsign/registry/SOURCES.md").read_text()
    for d in REGISTRY.descriptors:
        assert d.source.startswith("https://"), d.file
        assert d.file in sources
    ids = {d.id for d in REGISTRY.descriptors}
    assert {"ERC-20 token", "ERC-721 collection", "ERC-1155 collection", "Permit2"} <= ids
    assert {"EIP-2612 permit", "Uniswap V2 Router 02"} <= ids


@pytest.mark.parametrize(
    ("key", "selector"),
    [
        ("approve(address _spender,uint256 _value)", "095ea7b3"),
        ("transfer(address _to,uint256 _value)", "a9059cbb"),
        ("setApprovalForAll(address _operator,bool _approved)", "a22cb465"),
        (
            "permit(address owner,((address token,uint160 amount,uint48 expiration,uint48 nonce)"
            " details,address spender,uint256 sigDeadline) permitSingle,bytes signature)",
            "2b67b570",  # Permit2 IAllowanceTransfer.permit (PermitSingle)
        ),
    ],
    ids=["approve", "transfer", "setApprovalForAll", "permit2-permit"],
)
def test_format_keys_give_the_solidity_selectors(key: str, selector: str) -> None:
    canonical, _params = parse_signature(key)
    assert keccak256(canonical.encode())[:4].hex() == selector


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        json.dumps({"context": {}, "metadata": {}, "display": {"formats": {}}}),
        json.dumps(
            {
                "context": {"contract": {}},
                "metadata": {},
                "display": {
                    "formats": {
                        "f(uint256 a)": {
                            "intent": "x",
                            "fields": [{"path": "a", "label": "A", "format": "percentage"}],
                        }
                    }
                },
            }
        ),
        json.dumps(
            {
                "context": {"contract": {}},
                "metadata": {},
                "display": {"formats": {"f(uint256)": {"intent": "x", "fields": []}}},
            }
        ),
    ],
    ids=["not-json", "no-binding", "unknown-format", "unnamed-parameter"],
)
def test_a_bad_descriptor_is_refused(text: str) -> None:
    with pytest.raises(DescriptorError):
        parse_descriptor(text, "bad.json")


def test_erc20_calls_read_with_the_token_list() -> None:
    approve = encode_call("approve(address,uint256)", ROUTER, 100 * 10**6)
    assert read(TOKEN, approve) == f"Approve Uniswap V2 Router 02 ({ROUTER}) to spend 100 USDC"
    unlimited = encode_call("approve(address,uint256)", ROUTER, 2**256 - 1)
    assert read(TOKEN, unlimited) == (
        f"Approve Uniswap V2 Router 02 ({ROUTER}) to spend Unlimited USDC"
    )
    transfer = encode_call("transfer(address,uint256)", FRIEND, 1_500_000)
    assert read(TOKEN, transfer) == f"Send 1.5 USDC to {FRIEND}"
    unknown = "0x" + "12" * 20
    assert read(unknown, transfer) == (
        f"Send 1500000 base units of the token {unknown} to {FRIEND}"
    )


def test_one_selector_two_standards_reads_by_what_the_contract_is() -> None:
    call = encode_call("transferFrom(address,address,uint256)", ME, FRIEND, 7)
    assert read(TOKEN, call) == f"Send 0.000007 USDC from {ME} to {FRIEND}"
    collection = "0x" + "34" * 20
    assert read(collection, call) == f"Send item 7 of {collection} to {FRIEND}"


def test_appended_bytes_or_an_unknown_selector_make_a_call_blind() -> None:
    approve = encode_call("approve(address,uint256)", FRIEND, 1)
    assert read(TOKEN, approve + b"\x00" * 32) is None  # something hides after the arguments
    assert read(TOKEN, approve[:-1]) is None
    assert read(TOKEN, bytes.fromhex("deadbeef")) is None
    assert read(None, b"\x60\x80") is None  # a contract creation is never clear


def test_a_plain_transfer_is_its_own_intent() -> None:
    assert read(FRIEND, b"", 25 * 10**16) == f"Send 0.25 ETH to {FRIEND}"


def test_a_bound_descriptor_reads_only_its_deployments() -> None:
    swap = encode_call(
        "swapExactTokensForTokens(uint256,uint256,address[],address,uint256)",
        5 * 10**6,
        10**15,
        [TOKEN, WETH],
        ME,
        4102444800,
    )
    assert read(ROUTER, swap) == "Swap 5 USDC for at least 0.001 WETH"
    assert read(ROUTER, swap, chain_id=10) is None  # not deployed there in the descriptor
    eth_in = encode_call(
        "swapExactETHForTokens(uint256,address[],address,uint256)",
        10**6,
        [WETH, TOKEN],
        ME,
        4102444800,
    )
    assert read(ROUTER, eth_in, value=10**17) == "Swap 0.1 ETH for at least 1 USDC"


def test_permit2_calls_and_typed_messages() -> None:
    approve = encode_call(
        "approve(address,address,uint160,uint48)", TOKEN, ROUTER, 2**160 - 1, 4102444800
    )
    assert read(PERMIT2, approve) == (
        f"Approve Uniswap V2 Router 02 ({ROUTER}) to spend Unlimited USDC through Permit2 "
        "until 2100-01-01 00:00 UTC"
    )
    typed = {
        "types": {
            "PermitSingle": [
                {"name": "details", "type": "PermitDetails"},
                {"name": "spender", "type": "address"},
                {"name": "sigDeadline", "type": "uint256"},
            ],
            "PermitDetails": [
                {"name": "token", "type": "address"},
                {"name": "amount", "type": "uint160"},
                {"name": "expiration", "type": "uint48"},
                {"name": "nonce", "type": "uint48"},
            ],
        },
        "primaryType": "PermitSingle",
        "domain": {"name": "Permit2", "chainId": 1, "verifyingContract": PERMIT2},
        "message": {
            "details": {"token": TOKEN, "amount": "2500000", "expiration": 0, "nonce": 0},
            "spender": FRIEND,
            "sigDeadline": "4102444800",
        },
    }
    intent = interpret_typed_data(typed, REGISTRY, TOKENS, ETH)
    assert intent is not None
    assert intent.text == f"Permit {FRIEND} to spend 2.5 USDC until 1970-01-01 00:00 UTC"
    [amount] = [f for f in intent.fields if f.kind is FieldKind.TOKEN_AMOUNT]
    assert (amount.token, amount.amount) == (TOKEN, 2_500_000)
    # The same name with another shape is not read as a permit.
    reshaped = json.loads(json.dumps(typed))
    reshaped["types"]["PermitSingle"][1]["name"] = "recipient"
    reshaped["message"]["recipient"] = reshaped["message"].pop("spender")
    assert interpret_typed_data(reshaped, REGISTRY, TOKENS, ETH) is None
    # Another verifying contract is not Permit2.
    elsewhere = json.loads(json.dumps(typed))
    elsewhere["domain"]["verifyingContract"] = "0x" + "56" * 20
    assert interpret_typed_data(elsewhere, REGISTRY, TOKENS, ETH) is None


def test_an_eip2612_permit_of_any_token() -> None:
    typed = {
        "types": {
            "Permit": [
                {"name": "owner", "type": "address"},
                {"name": "spender", "type": "address"},
                {"name": "value", "type": "uint256"},
                {"name": "nonce", "type": "uint256"},
                {"name": "deadline", "type": "uint256"},
            ]
        },
        "primaryType": "Permit",
        "domain": {"name": "USD Coin", "version": "2", "chainId": 1, "verifyingContract": TOKEN},
        "message": {
            "owner": ME,
            "spender": ROUTER,
            "value": 100 * 10**6,
            "nonce": 3,
            "deadline": 4102444800,
        },
    }
    intent = interpret_typed_data(typed, REGISTRY, TOKENS, ETH)
    assert intent is not None
    assert intent.text == (
        f"Permit Uniswap V2 Router 02 ({ROUTER}) to spend 100 USDC until 2100-01-01 00:00 UTC"
    )


def _request(to: str, data: bytes, value: int = 0) -> EvmTxRequest:
    return EvmTxRequest(1, 0, to, value, data, 100_000, 10**9, 10**9)


def _out(amount: int, to: str = FRIEND, token: str = TOKEN) -> AssetChange:
    return AssetChange("erc20", ME, to, amount, token, None, f"-{amount}", True, False)


def _approval(amount: int, spender: str = ROUTER, unlimited: bool = False) -> ApprovalChange:
    return ApprovalChange("erc20", ME, spender, TOKEN, amount, None, True, unlimited, "approves")


def test_reconcile_passes_what_the_intent_shows() -> None:
    data = encode_call("approve(address,uint256)", ROUTER, 100)
    intent = interpret_call(1, ME, TOKEN, 0, data, REGISTRY, TOKENS, ETH)
    assert reconcile(intent, _request(TOKEN, data), ME, (), (_approval(100),)) == ()
    revoke = ApprovalChange("erc20", ME, FRIEND, TOKEN, 0, None, False, False, "revokes")
    assert reconcile(intent, _request(TOKEN, data), ME, (), (revoke,)) == ()


def test_reconcile_finds_what_the_intent_hides() -> None:
    data = encode_call("approve(address,uint256)", ROUTER, 100)
    intent = interpret_call(1, ME, TOKEN, 0, data, REGISTRY, TOKENS, ETH)
    request = _request(TOKEN, data)
    [bigger] = reconcile(intent, request, ME, (), (_approval(2**256 - 1, unlimited=True),))
    assert bigger.startswith("an approval the intent does not show")
    [other] = reconcile(intent, request, ME, (), (_approval(100, FRIEND),))
    assert other.startswith("an approval the intent does not show")
    # An allowance shown is not a transfer shown: tokens that leave on an approve are hidden.
    [hidden] = reconcile(intent, request, ME, (_out(1),), ())
    assert hidden.startswith("outgoing transfers the intent does not show")

    transfer = encode_call("transfer(address,uint256)", FRIEND, 5)
    sent = interpret_call(1, ME, TOKEN, 0, transfer, REGISTRY, TOKENS, ETH)
    assert reconcile(sent, _request(TOKEN, transfer), ME, (_out(5),), ()) == ()
    [twice] = reconcile(sent, _request(TOKEN, transfer), ME, (_out(5), _out(5, ROUTER)), ())
    assert twice.startswith("outgoing transfers the intent does not show")

    native = AssetChange("native", ME, FRIEND, 10, None, None, "-10 wei", True, False)
    [coins] = reconcile(None, _request(TOKEN, b"\x01\x02\x03\x04", 9), ME, (native,), ())
    assert "more than the transaction's value" in coins


def test_the_keystore_reader_loads_no_network_code() -> None:
    code = (
        "import sys, keystore.clearsign as c; c.load_registry();"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('chains', 'wallet', 'web3', 'requests', 'urllib3', 'httpx', 'aiohttp')"
        " or m in ('http.client', 'ssl')];"
        "print(','.join(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert out.stdout.strip() == ""


def test_tuple_parameters_decode_like_the_abi() -> None:
    key = "f((address a,uint256[] b)[] xs,bytes32 y)"
    canonical, params = parse_signature(key)
    assert canonical == "f((address,uint256[])[],bytes32)"
    assert [p.abi_type() for p in params] == ["(address,uint256[])[]", "bytes32"]
    assert encode(["(address,uint256[])[]"], [[(ME, [1, 2])]])  # eth-abi accepts the type


def test_the_signer_reads_a_request_with_its_own_descriptors_only() -> None:
    mainnet = EvmParams("ethereum", "Ethereum", "ETH", 1)
    data = encode_call("approve(address,uint256)", ROUTER, 100 * 10**6)
    intent = intent_of_request(_request(TOKEN, data), mainnet, ME, TOKENS)
    assert intent is not None
    assert intent.text == f"Approve Uniswap V2 Router 02 ({ROUTER}) to spend 100 USDC"
    # Without the token in its list, the signer cannot tell an ERC-20 approve from an ERC-721
    # one (one selector): it says the NFT reading, never a token amount it cannot scale.
    unknown = intent_of_request(_request(TOKEN, data), mainnet, ME)
    assert unknown is not None
    assert unknown.descriptor == "ERC-721 collection"
    assert (
        unknown.text == f"Approve Uniswap V2 Router 02 ({ROUTER}) to move item 100000000 of {TOKEN}"
    )
    assert intent_of_request(_request(TOKEN, b"\x01\x02\x03\x04"), mainnet, ME) is None


def test_large_amounts_are_shown_exactly() -> None:
    big = 10**30 + 1  # 31 digits: past Decimal's default 28-digit precision
    call = encode_call("transfer(address,uint256)", FRIEND, big)
    assert read(WETH, call) == f"Send 1000000000000.000000000000000001 WETH to {FRIEND}"
