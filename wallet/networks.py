"""Networks as people type them (any case, or the usual ticker), and servers as shown.

The CLI and scripts look networks up here rather than in ``chains``: errors come back as the
public ``wallet.errors`` types.
"""

from __future__ import annotations

from chains.connect import parse_server
from chains.registry import EvmNetwork, Network, UtxoNetwork, all_networks, get_network
from wallet.errors import translate_errors

__all__ = [
    "EvmNetwork",
    "Network",
    "UtxoNetwork",
    "all_networks",
    "network_info",
    "resolve_network",
    "server_display",
]


def network_info(name: str) -> Network:
    """Return the facts of the network ``name`` means (see ``resolve_network``).

    Raises:
        UnknownNetwork: no such network; the message lists the known names.
    """
    with translate_errors():
        return get_network(name)


def resolve_network(name: str) -> str:
    """Return the registry name of the network ``name`` means.

    Args:
        name: a network name in any case (``"Bitcoin"``), or a ticker such as ``"btc"``,
            ``"ltc"``, ``"doge"``, ``"eth"``, ``"tbtc"`` or ``"tltc"``.

    Returns:
        The registry name, for example ``"bitcoin"``.

    Raises:
        UnknownNetwork: no such network; the message lists the known names.
    """
    return network_info(name).name


def server_display(server: str) -> str:
    """Return a configured server as it may be shown: without credentials or path.

    Raises:
        WalletError: not a server specification (``InvalidServer``'s sentence).
    """
    with translate_errors():
        return parse_server(server).display
