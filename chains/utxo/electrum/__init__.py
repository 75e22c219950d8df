"""The Electrum-protocol backend (``ElectrumBackend``) and the parts it is made of.

``backend`` syncs, broadcasts and estimates fees; ``session`` holds the link to the servers
(handshake, failover, subscriptions); ``connection`` is one JSON-RPC connection over
``transport`` (TCP or TLS); ``pacing`` keeps a throttling server answering; ``parsing``
checks every answer.
"""

from __future__ import annotations

from chains.utxo.electrum.backend import ElectrumBackend
from chains.utxo.electrum.connection import BatchMode, ServerAddress
from chains.utxo.electrum.pacing import ThrottleStats

__all__ = ["BatchMode", "ElectrumBackend", "ServerAddress", "ThrottleStats"]
