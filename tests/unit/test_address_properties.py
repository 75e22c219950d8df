"""Property tests of address encoding and parsing on every registered network.

Round trips from random public keys; random and mutated text only ever raises the typed
address errors (``chains``) or wallet errors (``wallet``); and a valid address of one network
given to another is refused as that network's, unless both use the very same encoding.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from coincurve import PrivateKey
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chains.addresses import (
    encode_address,
    identify_networks,
    output_address,
    parse_address,
    parse_evm_address,
    script_for_pubkey,
)
from chains.errors import AddressError, WrongNetworkAddress
from chains.registry import EvmNetwork, ScriptKind, UtxoNetwork, all_networks
from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.errors import NetworkMismatch, WalletError

CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
UTXO = [n for n in all_networks() if isinstance(n, UtxoNetwork)]
EVM = [n for n in all_networks() if isinstance(n, EvmNetwork)]
PAIRS = [(n, k) for n in UTXO for k in n.script_kinds]
KIND_TEXT = {
    ScriptKind.P2WPKH: "p2wpkh",
    ScriptKind.P2TR: "p2tr",
    ScriptKind.P2SH_P2WPKH: "p2sh",
    ScriptKind.P2PKH: "p2pkh",
}
SEGWIT = {ScriptKind.P2WPKH, ScriptKind.P2TR}
# Characters that appear in addresses of any kind, plus a few that never do.
ADDRESS_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:/? \u00e9"

pubkeys = st.integers(1, CURVE_ORDER - 1).map(
    lambda s: PrivateKey(s.to_bytes(32, "big")).public_key.format(compressed=True)
)
pairs = st.sampled_from(PAIRS)


def _shares_encoding(kind: ScriptKind, owner: UtxoNetwork, other: UtxoNetwork) -> bool:
    """Return whether ``other`` reads ``owner``'s address of ``kind`` as its own."""
    if kind in SEGWIT:
        return owner.hrp == other.hrp
    if kind is ScriptKind.P2PKH:
        return owner.p2pkh_version == other.p2pkh_version
    return owner.p2sh_versions[0] in other.p2sh_versions


@settings(max_examples=400, deadline=None)
@given(pair=pairs, pubkey=pubkeys)
def test_encode_parse_round_trip(pair: tuple[UtxoNetwork, ScriptKind], pubkey: bytes) -> None:
    network, kind = pair
    address = encode_address(network, kind, pubkey)
    script = script_for_pubkey(network, kind, pubkey)
    parsed = parse_address(network, address)
    assert parsed.address == address
    assert parsed.script_pubkey == script
    assert parsed.kind == KIND_TEXT[kind]
    assert output_address(network, script) == address
    assert network.name in identify_networks(address)
    if kind in SEGWIT:  # bech32 is case-insensitive; the canonical form is lowercase
        assert parse_address(network, address.upper()).address == address


@settings(max_examples=400, deadline=None)
@given(pair=pairs, other=st.sampled_from(UTXO), pubkey=pubkeys)
def test_an_address_of_another_network_is_refused_naming_it(
    pair: tuple[UtxoNetwork, ScriptKind], other: UtxoNetwork, pubkey: bytes
) -> None:
    owner, kind = pair
    assume(other != owner)
    address = encode_address(owner, kind, pubkey)
    if _shares_encoding(kind, owner, other):
        assert parse_address(other, address).script_pubkey == script_for_pubkey(owner, kind, pubkey)
        return
    with pytest.raises(WrongNetworkAddress) as info:
        parse_address(other, address)
    assert owner.name in info.value.address_networks
    assert info.value.expected == other.name
    assert owner.title in str(info.value)


@settings(max_examples=200, deadline=None)
@given(pair=pairs, evm=st.sampled_from(EVM), pubkey=pubkeys)
def test_utxo_and_evm_addresses_are_refused_across_families(
    pair: tuple[UtxoNetwork, ScriptKind], evm: EvmNetwork, pubkey: bytes
) -> None:
    network, kind = pair
    address = encode_address(network, kind, pubkey)
    with pytest.raises(WrongNetworkAddress) as info:
        parse_evm_address(address, evm)
    assert network.name in info.value.address_networks
    evm_address = parse_evm_address("0x" + pubkey[1:21].hex())
    with pytest.raises(WrongNetworkAddress) as info:
        parse_address(network, evm_address)
    assert evm.name in info.value.address_networks


def _valid_addresses() -> st.SearchStrategy[str]:
    utxo = st.builds(lambda p, k: encode_address(p[0], p[1], k), pairs, pubkeys)
    evm = pubkeys.map(lambda p: parse_evm_address("0x" + p[1:21].hex()))
    return utxo | evm


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    """A valid address with one edit: substitute, insert, delete, swap, flip case or cut."""
    text = draw(_valid_addresses())
    i = draw(st.integers(0, len(text) - 1))
    char = draw(st.sampled_from(ADDRESS_CHARS))
    edit = draw(st.sampled_from(["sub", "ins", "del", "swap", "case", "cut", "prefix"]))
    if edit == "sub":
        return text[:i] + char + text[i + 1 :]
    if edit == "ins":
        return text[:i] + char + text[i:]
    if edit == "del":
        return text[:i] + text[i + 1 :]
    if edit == "swap" and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if edit == "case":
        return text[:i] + text[i].swapcase() + text[i + 1 :]
    if edit == "cut":
        return text[:i]
    return char + text


texts = st.text(max_size=100) | st.text(ADDRESS_CHARS, max_size=100) | _mutated()


@settings(max_examples=600, deadline=None)
@given(network=st.sampled_from(UTXO), text=texts)
def test_parse_address_only_raises_address_errors(network: UtxoNetwork, text: str) -> None:
    refused: AddressError | None = None
    try:
        parsed = parse_address(network, text)
    except AddressError as err:
        refused = err
    if refused is not None:
        assert refused.address in (text, text.strip())
        return
    # Whatever is accepted is canonical and reads back the same.
    assert parse_address(network, parsed.address) == parsed


@settings(max_examples=600, deadline=None)
@given(network=st.sampled_from(EVM) | st.none(), text=texts)
def test_parse_evm_address_only_raises_address_errors(
    network: EvmNetwork | None, text: str
) -> None:
    try:
        address = parse_evm_address(text, network)
    except AddressError:
        return
    assert parse_evm_address(address) == address
    assert address.lower() == text.strip().lower()


@pytest.fixture(scope="module")
def wallet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wallet]:
    path: Path = tmp_path_factory.mktemp("properties") / "wallet.coffer"
    with Wallet.create(path, PASSWORD, ABANDON) as opened:
        yield opened


NETWORK_NAMES = [n.name for n in all_networks()]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.sampled_from(NETWORK_NAMES), text=texts)
def test_verify_address_only_raises_wallet_errors(wallet: Wallet, name: str, text: str) -> None:
    refused: WalletError | None = None
    try:
        check = wallet.accounts_book.verify_address(name, text)
    except WalletError as err:
        refused = err
    if isinstance(refused, NetworkMismatch):
        assert refused.address_networks
        assert name not in refused.address_networks
    if refused is None:
        assert check.address.lower() == text.strip().lower()
