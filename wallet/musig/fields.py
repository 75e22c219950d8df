"""BIP-373 fields of a ``musig()`` key path (participants and their origins) for PSBTs.

``PolicyScripts`` adds these to the inputs and change outputs of a policy account whose
taproot internal key is a BIP-390 ``musig()``: the signers find the participants, aggregate
them (BIP-327 KeyAgg), follow the BIP-328 derivation named in the internal key's
``PSBT_IN_TAP_BIP32_DERIVATION`` (fingerprint of the aggregate) and check the result against
the spent output key.
"""

from __future__ import annotations

from typing import Any

from primitives.descriptors import DerivedOutput
from primitives.hashes import hash160
from primitives.musig2 import MusigError, key_agg
from primitives.psbt import KeySource

__all__ = ["musig_fields", "musig_participants"]


def musig_participants(derived: DerivedOutput) -> tuple[bytes, tuple[bytes, ...]] | None:
    """Return the plain aggregate and the sorted participants of a MuSig2 key path, if any.

    The participants are the 33-byte keys among the output's key sources (taproot leaf keys
    are x-only); their aggregate must be the one the internal key is derived from.
    """
    tap = derived.taproot
    if tap is None:
        return None
    full = sorted({s.pubkey for s in derived.key_sources if len(s.pubkey) == 33})
    if len(full) < 2:
        return None
    try:
        aggregate = key_agg(full)
    except MusigError:
        return None
    fingerprint = hash160(aggregate)[:4]
    if (
        not any(
            s.fingerprint == fingerprint and s.pubkey == tap.internal_key
            for s in derived.key_sources
        )
        and aggregate[1:] != tap.internal_key
    ):
        return None
    return aggregate, tuple(full)


def musig_fields(derived: DerivedOutput) -> dict[str, Any]:
    """Return the BIP-373 fields of an input or output of a ``musig()`` key path.

    ``musig2_participants`` (aggregate -> participants in KeyAgg order) and the participants'
    origins as ``bip32_derivations`` (33-byte keys: BIP-373 puts them there, not in the
    x-only taproot derivations); the aggregate's BIP-328 child keeps its
    ``tap_bip32_derivations`` entry. Empty for a descriptor without ``musig()``.
    """
    found = musig_participants(derived)
    if found is None:
        return {}
    aggregate, participants = found
    return {
        "musig2_participants": {aggregate: participants},
        "bip32_derivations": {
            s.pubkey: KeySource(s.fingerprint, s.path)
            for s in derived.key_sources
            if s.pubkey in participants
        },
    }
