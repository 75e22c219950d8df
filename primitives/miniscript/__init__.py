"""Miniscript (BIP-379): parse, type-check, compile, satisfy and explain spending policies.

``parse`` turns text such as ``or_d(pk(OWNER),and_v(v:pkh(HEIR),older(52560)))`` into an
immutable ``Miniscript`` over the caller's key type, refusing what is not sane.
``Miniscript.script`` compiles it for a P2WSH witness script or a tapscript leaf, and
``decode`` recognises one in a Script. ``satisfy`` builds the cheapest non-malleable witness
when signing, ``Miniscript.max_satisfaction_size`` bounds that witness for fee estimation,
and ``spending_paths`` / ``describe_path`` say who can spend and when.

Own code, held to Bitcoin Core's ``miniscript_tests.cpp`` vectors (DESIGN.md lets either a
library or own code serve, whichever passes them): embit 0.8.0's miniscript rejects 15 valid
and accepts 7 invalid of Core's 97 fixed expressions in P2WSH (``andor(0,1,1)``,
``l:older(0)``, ...), and its miniscript module builds no witnesses (no satisfier).
"""

from primitives.miniscript._analysis import (
    AbsoluteLock,
    HashLock,
    KeyThreshold,
    LockUnit,
    RelativeLock,
    SpendingPath,
    absolute_lock,
    describe_path,
    relative_lock,
    spending_paths,
)
from primitives.miniscript._decode import MiniscriptDecodeError, decode
from primitives.miniscript._miniscript import Miniscript, insanity, parse
from primitives.miniscript._node import Node
from primitives.miniscript._satisfy import locktime_satisfies, satisfy, sequence_satisfies
from primitives.miniscript._types import (
    Context,
    Fragment,
    InsaneMiniscript,
    MiniscriptError,
    MiniscriptSyntaxError,
    MiniscriptTypeError,
    NotSatisfiable,
    Type,
)

__all__ = [
    "AbsoluteLock",
    "Context",
    "Fragment",
    "HashLock",
    "InsaneMiniscript",
    "KeyThreshold",
    "LockUnit",
    "Miniscript",
    "MiniscriptDecodeError",
    "MiniscriptError",
    "MiniscriptSyntaxError",
    "MiniscriptTypeError",
    "Node",
    "NotSatisfiable",
    "RelativeLock",
    "SpendingPath",
    "Type",
    "absolute_lock",
    "decode",
    "describe_path",
    "insanity",
    "locktime_satisfies",
    "parse",
    "relative_lock",
    "satisfy",
    "sequence_satisfies",
    "spending_paths",
]
