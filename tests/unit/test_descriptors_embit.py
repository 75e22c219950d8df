"""Differential test against embit: the first 20 receive and change addresses of several
descriptors (single key, multisig, and the miniscript recovery policies), on Bitcoin mainnet,
testnet and regtest; the same scripts on Litecoin, whose
addresses are checked against the chains registry's address parameters.
"""

from __future__ import annotations

import pytest
from embit.descriptor import Descriptor as EmbitDescriptor
from embit.networks import NETWORKS

from chains.addresses import address_format
from chains.registry import UtxoNetwork, get_network
from keystore.bip32 import HARDENED, ExtendedPrivateKey
from primitives.descriptors import (
    BITCOIN_MAINNET_XPUBS,
    BITCOIN_TESTNET_XPUBS,
    LITECOIN_MAINNET_XPUBS,
    LITECOIN_TESTNET_XPUBS,
    Descriptor,
    NetworkMismatchError,
    ParseOptions,
)
from primitives.script import address_to_script

ROOTS = [ExtendedPrivateKey.from_seed(bytes([i]) * 32) for i in range(11, 14)]
ACCOUNT = (48 + HARDENED, HARDENED, HARDENED, 2 + HARDENED)
VERSIONS = {"xpub": 0x0488B21E, "tpub": 0x043587CF, "Ltub": 0x019DA462, "ttub": 0x0436F6E1}


def _keys(prefix: str) -> list[str]:
    return [
        f"[{r.fingerprint.hex()}/48h/0h/0h/2h]"
        + r.derive_path(ACCOUNT).public().serialize(VERSIONS[prefix])
        + "/<0;1>/*"
        for r in ROOTS
    ]


TEMPLATES = {
    "wpkh": "wpkh({0})",
    "sh-wpkh": "sh(wpkh({0}))",
    "wsh-sortedmulti-2of3": "wsh(sortedmulti(2,{0},{1},{2}))",
    "tr-multi_a-leaf": "tr({0},multi_a(2,{1},{2}))",
    "tr-two-leaves": "tr({0},{{pk({1}),sortedmulti_a(1,{1},{2})}})",
    "sh-wsh-multi": "sh(wsh(multi(2,{0},{1},{2})))",
    "pkh": "pkh({0})",
    # the miniscript recovery (inheritance) policies Coffer writes, and a decaying 2-of-3
    "wsh-recovery": "wsh(or_d(pk({0}),and_v(v:pkh({1}),older(52560))))",
    "tr-recovery-leaf": "tr({0},and_v(v:pk({1}),older(52560)))",
    "wsh-decaying-2of3": "wsh(thresh(2,pk({0}),s:pk({1}),s:pk({2}),sln:older(12960)))",
}
BITCOIN = {"bitcoin": "main", "bitcoin-testnet": "test", "bitcoin-regtest": "regtest"}


def _network(name: str) -> UtxoNetwork:
    network = get_network(name)
    assert isinstance(network, UtxoNetwork)
    return network


@pytest.mark.parametrize("template", TEMPLATES.values(), ids=list(TEMPLATES))
@pytest.mark.parametrize("name", list(BITCOIN))
def test_first_20_receive_and_change_addresses_match_embit(template: str, name: str) -> None:
    network = _network(name)
    prefix = "xpub" if name == "bitcoin" else "tpub"
    versions = BITCOIN_MAINNET_XPUBS if name == "bitcoin" else BITCOIN_TESTNET_XPUBS
    text = template.format(*_keys(prefix))
    ours = Descriptor.parse(text, ParseOptions(versions))
    theirs = EmbitDescriptor.from_string(text)
    embit_net = NETWORKS[BITCOIN[name]]
    for branch in (0, 1):
        expected = [theirs.derive(i, branch_index=branch).address(embit_net) for i in range(20)]
        assert ours.addresses(0, 20, address_format(network), branch) == expected
        assert [ours.derive(i, branch).address(address_format(network)) for i in (0, 19)] == [
            expected[0],
            expected[19],
        ]


@pytest.mark.parametrize("template", TEMPLATES.values(), ids=list(TEMPLATES))
@pytest.mark.parametrize(
    ("name", "prefix", "versions"),
    [
        ("litecoin", "Ltub", LITECOIN_MAINNET_XPUBS),
        ("litecoin", "xpub", LITECOIN_MAINNET_XPUBS),
        ("litecoin-testnet", "ttub", LITECOIN_TESTNET_XPUBS),
        ("litecoin-regtest", "tpub", LITECOIN_TESTNET_XPUBS),
    ],
)
def test_litecoin_addresses_have_the_bitcoin_scripts(
    template: str, name: str, prefix: str, versions: frozenset[int]
) -> None:
    params = address_format(_network(name))
    ours = Descriptor.parse(template.format(*_keys(prefix)), ParseOptions(versions))
    bitcoin = Descriptor.parse(template.format(*_keys("xpub")))
    scripts = ours.script_pubkeys(0, 5, 1)
    assert scripts == bitcoin.script_pubkeys(0, 5, 1)
    for address, script in zip(ours.addresses(0, 5, params, 1), scripts, strict=True):
        assert address_to_script(address, params) == script


@pytest.mark.parametrize(
    ("prefix", "versions"),
    [
        ("tpub", BITCOIN_MAINNET_XPUBS),
        ("xpub", BITCOIN_TESTNET_XPUBS),
        ("Ltub", BITCOIN_MAINNET_XPUBS),
        ("ttub", LITECOIN_MAINNET_XPUBS),
    ],
)
def test_keys_of_another_network_are_refused(prefix: str, versions: frozenset[int]) -> None:
    with pytest.raises(NetworkMismatchError, match="another network") as info:
        Descriptor.parse(f"wpkh({_keys(prefix)[0]})", ParseOptions(versions))
    assert info.value.position == 5 + len("[00000000/48h/0h/0h/2h]")
