"""Network names as people type them: any case, or the usual ticker (``BTC``, ``ltc``)."""

from __future__ import annotations

from chains.registry import get_network
from wallet.errors import translate_errors

__all__ = ["resolve_network"]


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
    with translate_errors():
        return get_network(name).name
