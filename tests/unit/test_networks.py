"""Network names as people type them: any case and the usual tickers (issue 13 item 13)."""

from __future__ import annotations

import pytest

from chains.errors import UnknownNetwork as ChainUnknownNetwork
from chains.registry import NETWORKS, get_network
from wallet.errors import UnknownNetwork
from wallet.networks import resolve_network


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("BITCOIN", "bitcoin"),
        ("Bitcoin", "bitcoin"),
        ("btc", "bitcoin"),
        ("BTC", "bitcoin"),
        ("ltc", "litecoin"),
        ("doge", "dogecoin"),
        ("ETH", "ethereum"),
        ("tbtc", "bitcoin-testnet"),
        ("tltc", "litecoin-testnet"),
        ("EVM-Local", "evm-local"),
    ],
    ids=lambda v: str(v),
)
def test_any_case_and_tickers_name_a_network(typed: str, name: str) -> None:
    assert get_network(typed).name == name
    assert resolve_network(typed) == name


@pytest.mark.parametrize("typed", ["notanetwork", "", "bitcoin\udcff", "bit coin"])
def test_unknown_names_are_refused_with_the_list(typed: str) -> None:
    with pytest.raises(ChainUnknownNetwork):
        get_network(typed)
    with pytest.raises(UnknownNetwork) as caught:
        resolve_network(typed)
    message = str(caught.value)
    assert "\n" not in message
    assert all(name in message for name in NETWORKS)
