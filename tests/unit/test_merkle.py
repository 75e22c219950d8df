"""Block headers, proof of work and merkle branches (chains.utxo.merkle), on public vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chains.registry import UtxoNetwork, get_network
from chains.utxo.backend import electrum_status, scripthash
from chains.utxo.merkle import (
    BlockHeader,
    InvalidHeader,
    InvalidMerkleProof,
    PowAlgorithm,
    PowRules,
    bits_to_target,
    merkle_root,
    pow_rules,
    verify_merkle_branch,
)
from primitives.bech32 import decode_segwit
from primitives.hashes import sha256d

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
HEADERS: dict[str, Any] = json.loads((VECTORS / "block_headers.json").read_text())
STATUS: dict[str, Any] = json.loads((VECTORS / "electrum_status.json").read_text())


def _network(name: str) -> UtxoNetwork:
    net = get_network(name)
    assert isinstance(net, UtxoNetwork)
    return net


def _branch(txids: list[bytes], pos: int) -> list[bytes]:
    """Build the merkle branch of ``txids[pos]`` the way a server does (internal order)."""
    branch = []
    level = list(txids)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        branch.append(level[pos ^ 1])
        level = [sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
        pos //= 2
    return branch


def _display(h: bytes) -> str:
    return h[::-1].hex()


@pytest.mark.parametrize("vector", HEADERS["headers"], ids=lambda v: v["name"])
def test_header_hash_pow_and_merkle_root(vector: dict[str, Any]) -> None:
    header = BlockHeader.parse(bytes.fromhex(vector["hex"]))
    assert header.hash == vector["hash"]
    header.check_pow(pow_rules(_network(vector["network"])))
    txids = [bytes.fromhex(t)[::-1] for t in vector["txids"]]
    assert merkle_root(txids) == header.merkle_root
    for pos, txid in enumerate(vector["txids"]):
        branch = [_display(h) for h in _branch(txids, pos)]
        verify_merkle_branch(txid, branch, pos, header)


def test_genesis_headers_hash_to_the_registry_genesis() -> None:
    for vector in HEADERS["headers"]:
        if vector["name"].endswith("-genesis"):
            net = _network(vector["network"])
            assert BlockHeader.parse(bytes.fromhex(vector["hex"])).hash == net.genesis_hash


def test_header_with_changed_nonce_fails_pow() -> None:
    vector = HEADERS["headers"][1]
    raw = bytearray.fromhex(vector["hex"])
    raw[-1] ^= 0x01
    header = BlockHeader.parse(bytes(raw))
    with pytest.raises(InvalidHeader, match="does not meet its target"):
        header.check_pow(pow_rules(_network("bitcoin")))


def test_litecoin_header_is_checked_with_scrypt_not_sha256d() -> None:
    header = BlockHeader.parse(bytes.fromhex(HEADERS["headers"][2]["hex"]))
    header.check_pow(PowRules(PowAlgorithm.SCRYPT, pow_rules(_network("litecoin")).limit))
    with pytest.raises(InvalidHeader):
        header.check_pow(PowRules(PowAlgorithm.SHA256D, pow_rules(_network("litecoin")).limit))


def test_regtest_target_is_refused_under_mainnet_rules() -> None:
    raw = bytearray.fromhex(HEADERS["headers"][0]["hex"])
    raw[72:76] = (0x207FFFFF).to_bytes(4, "little")
    header = BlockHeader.parse(bytes(raw))
    with pytest.raises(InvalidHeader, match="easier than the network allows"):
        header.check_pow(pow_rules(_network("bitcoin")))
    # The same header may meet the regtest limit (half of all hashes do); the limit is not
    # what refuses it there.
    assert header.target <= pow_rules(_network("bitcoin-regtest")).limit


@pytest.mark.parametrize("size", [0, 79])
def test_short_header_is_refused(size: int) -> None:
    with pytest.raises(InvalidHeader):
        BlockHeader.parse(bytes(size))


@pytest.mark.parametrize("vector", HEADERS["valid_bits"], ids=lambda v: v["bits"])
def test_bits_to_target(vector: dict[str, str]) -> None:
    assert bits_to_target(int(vector["bits"], 16)) == int(vector["target"], 16)


@pytest.mark.parametrize("vector", HEADERS["invalid_bits"], ids=lambda v: v["bits"])
def test_invalid_bits_are_refused(vector: dict[str, str]) -> None:
    with pytest.raises(InvalidHeader):
        bits_to_target(int(vector["bits"], 16))


def _block_100000() -> tuple[BlockHeader, list[str], list[bytes]]:
    vector = HEADERS["headers"][1]
    header = BlockHeader.parse(bytes.fromhex(vector["hex"]))
    txids = [bytes.fromhex(t)[::-1] for t in vector["txids"]]
    return header, vector["txids"], txids


def test_branch_for_another_position_is_refused() -> None:
    header, hexids, txids = _block_100000()
    branch = [_display(h) for h in _branch(txids, 1)]
    with pytest.raises(InvalidMerkleProof, match="is not in block"):
        verify_merkle_branch(hexids[1], branch, 0, header)


def test_tampered_sibling_is_refused() -> None:
    header, hexids, txids = _block_100000()
    branch = [_display(h) for h in _branch(txids, 2)]
    branch[0] = "00" * 32
    with pytest.raises(InvalidMerkleProof):
        verify_merkle_branch(hexids[2], branch, 2, header)


def test_txid_of_another_block_is_refused() -> None:
    header, _hexids, txids = _block_100000()
    branch = [_display(h) for h in _branch(txids, 0)]
    genesis_coinbase = HEADERS["headers"][0]["txids"][0]
    with pytest.raises(InvalidMerkleProof):
        verify_merkle_branch(genesis_coinbase, branch, 0, header)


@pytest.mark.parametrize(
    ("pos", "branch"),
    [(4, ["00" * 32, "11" * 32]), (-1, ["00" * 32]), (0, ["zz" * 32]), (0, ["00" * 31])],
    ids=["position-too-large", "negative-position", "not-hex", "short-hash"],
)
def test_malformed_branches_are_refused(pos: int, branch: list[str]) -> None:
    header, hexids, _ = _block_100000()
    with pytest.raises(InvalidMerkleProof):
        verify_merkle_branch(hexids[0], branch, pos, header)


def test_electrum_status_example() -> None:
    history = [(txid, height) for txid, height in STATUS["history"]]
    assert electrum_status(history) == STATUS["status"]
    assert electrum_status(list(reversed(history))) != STATUS["status"]
    assert electrum_status([]) is None


def test_electrum_script_hash_example() -> None:
    example = STATUS["script_hash_example"]
    _hrp, version, program = decode_segwit(example["address"])
    script = bytes([version, len(program)]) + program
    assert scripthash(script) == example["script_hash"]
