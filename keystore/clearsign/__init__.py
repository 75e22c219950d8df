"""Clear signing: what a transaction or typed message does, read with ERC-7730 descriptors.

The descriptors are carried in this package (``registry/``), so an offline signer shows the
same intent as the online wallet without any network. See ``registry/SOURCES.md``.
"""

from __future__ import annotations

from keystore.clearsign.interpret import (
    NativeAsset,
    intent_of_request,
    interpret_call,
    interpret_typed_data,
    native_intent,
    readings_of_request,
)
from keystore.clearsign.registry import Registry, load_registry
from keystore.clearsign.types import DescriptorError, FieldKind, Intent, IntentField, TokenMeta

__all__ = [
    "DescriptorError",
    "FieldKind",
    "Intent",
    "IntentField",
    "NativeAsset",
    "Registry",
    "TokenMeta",
    "intent_of_request",
    "interpret_call",
    "interpret_typed_data",
    "load_registry",
    "native_intent",
    "readings_of_request",
]
