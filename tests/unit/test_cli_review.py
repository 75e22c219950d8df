"""What ``coffer`` shows before signing comes from the signer's own reading (issue 13 item 14).

The summaries here are the signer's (``keystore.signers.evm_summary.summarize``) of real
transaction requests: the lines must say the nonce, that the EVM fee is a maximum, and the
call the signer decoded from the call data.
"""

from __future__ import annotations

from chains.evm.abi import encode_call
from keystore.signers.evm_summary import summarize
from keystore.types import EvmParams, EvmTxRequest
from wallet.cli.signing import format_summary

LOCAL = EvmParams("evm-local", "EVM local", "ETH", 31337)
ME = "0x9858EfFD232B4033E47d90003D41EC34EcaEda94"
FRIEND = "0x6813Eb9362372EEF6200f3b1dbC3f819671cBA69"
TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
GWEI = 10**9


def _request(to: str, value: int, data: bytes, nonce: int) -> EvmTxRequest:
    return EvmTxRequest(31337, nonce, to, value, data, 60_000, 30 * GWEI, 2 * GWEI)


def test_an_erc20_transfer_shows_nonce_max_fee_and_the_decoded_call() -> None:
    data = encode_call("transfer(address,uint256)", FRIEND, 1_500_000)
    summary = summarize(_request(TOKEN, 0, data, 7), LOCAL, ME)
    lines = format_summary(summary, "ETH", 18)
    assert lines[0] == "Network: evm-local (chain id 31337)"
    assert "  nonce   7" in lines
    assert f"  call    transfer({FRIEND}, 1500000) on {TOKEN}" in lines
    (fee,) = [line for line in lines if "fee" in line]
    assert fee.startswith("  max fee ")
    assert "0.0018 ETH" in fee  # 60,000 gas at most 30 gwei
    assert "the most it can cost" in fee


def test_another_call_is_named_and_a_plain_send_has_no_call_line() -> None:
    data = encode_call("approve(address,uint256)", FRIEND, 5)
    lines = format_summary(summarize(_request(TOKEN, 0, data, 0), LOCAL, ME), "ETH", 18)
    assert f"  call    approve: let {FRIEND} spend 5 base units of the token {TOKEN}" in lines
    plain = format_summary(summarize(_request(FRIEND, 10**18, b"", 3), LOCAL, ME), "ETH", 18)
    assert not any("call" in line for line in plain)
    assert "  nonce   3" in plain
    assert f"  send    {'1 ETH':>28}  {FRIEND}" in plain
