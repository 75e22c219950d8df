"""Key types of the UR registry: crypto-keypath, crypto-coin-info, crypto-hdkey, crypto-eckey.

BCR-2020-007 (``crypto-hdkey`` 303, ``crypto-keypath`` 304, ``crypto-coin-info`` 305) and
BCR-2020-008 (``crypto-eckey`` 306), in the tag numbering Sparrow, Keystone, Passport, Jade
and Coldcard use (the "v1" tags; the 2023 revision moved them to 40303...). The field readers
here are shared with ``primitives.ur.account``.
"""

from __future__ import annotations

from dataclasses import dataclass

from primitives.base58 import Base58Error, b58check_decode, b58check_encode
from primitives.ur import cbor
from primitives.ur.cbor import CborValue, Tag
from primitives.ur.errors import CborError, RegistryError
from primitives.ur.ur import UR

__all__ = [
    "TAG_COIN_INFO",
    "TAG_ECKEY",
    "TAG_HDKEY",
    "TAG_KEYPATH",
    "CoinInfo",
    "ECKey",
    "FieldMap",
    "HDKey",
    "Keypath",
    "PathStep",
    "decode_item",
    "field_map",
    "opt_int",
]

TAG_HDKEY = 303
TAG_KEYPATH = 304
TAG_COIN_INFO = 305
TAG_ECKEY = 306
_HARDENED = 0x80000000
FieldMap = dict[CborValue, CborValue]

_XPUB = {0: bytes.fromhex("0488b21e"), 1: bytes.fromhex("043587cf")}
_XPRV = {0: bytes.fromhex("0488ade4"), 1: bytes.fromhex("04358394")}
# Public versions read: xpub/tpub and the SLIP-132 ypub/zpub, upub/vpub (mainnet, testnet).
_PUBLIC_VERSIONS = {
    bytes.fromhex("0488b21e"): 0,
    bytes.fromhex("049d7cb2"): 0,
    bytes.fromhex("04b24746"): 0,
    bytes.fromhex("043587cf"): 1,
    bytes.fromhex("044a5262"): 1,
    bytes.fromhex("045f1cf6"): 1,
}


def field_map(item: CborValue, what: str, tag: int | None = None) -> FieldMap:
    """Return the map a (tagged) registry item holds.

    Raises:
        RegistryError: the item has another tag, or is not a map.
    """
    if tag is not None and isinstance(item, Tag):
        if item.tag != tag:
            raise RegistryError(f"A {what} is tagged {item.tag}, not {tag}.")
        item = item.value
    if not isinstance(item, dict):
        raise RegistryError(f"A {what} is not a CBOR map.")
    return item


def opt_int(m: FieldMap, key: int, what: str, bits: int = 32) -> int | None:
    """Return the unsigned integer at ``key`` (``None`` if absent).

    Raises:
        RegistryError: the value is not an unsigned ``bits``-bit integer.
    """
    value = m.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 1 << bits:
        raise RegistryError(f"The {what} is not an unsigned {bits}-bit number.")
    return value


def _opt_bytes(m: FieldMap, key: int, what: str, size: int) -> bytes | None:
    value = m.get(key)
    if value is None:
        return None
    if not isinstance(value, bytes) or len(value) != size:
        raise RegistryError(f"The {what} is not {size} bytes.")
    return value


def _opt_text(m: FieldMap, key: int, what: str) -> str | None:
    value = m.get(key)
    if value is not None and not isinstance(value, str):
        raise RegistryError(f"The {what} is not text.")
    return value


def _opt_bool(m: FieldMap, key: int, what: str) -> bool:
    value = m.get(key, False)
    if not isinstance(value, bool):
        raise RegistryError(f"The {what} flag is not true or false.")
    return value


@dataclass(frozen=True, slots=True)
class PathStep:
    """One step of a key path: an index (``None`` for the wildcard ``*``), hardened or not."""

    index: int | None
    hardened: bool

    def text(self) -> str:
        """Return the step as descriptors write it (``84'``, ``0``, ``*``)."""
        return ("*" if self.index is None else str(self.index)) + ("'" if self.hardened else "")


@dataclass(frozen=True, slots=True)
class Keypath:
    """A ``crypto-keypath``: the steps, the fingerprint of the key they start from, the depth."""

    components: tuple[PathStep, ...] = ()
    source_fingerprint: int | None = None
    depth: int | None = None

    def path(self) -> str:
        """Return the steps as ``84'/0'/0'`` (empty for none)."""
        return "/".join(step.text() for step in self.components)

    def to_item(self) -> Tag:
        """Return the tagged CBOR item."""
        steps: list[CborValue] = []
        for step in self.components:
            steps.extend([[] if step.index is None else step.index, step.hardened])
        m: FieldMap = {1: steps}
        if self.source_fingerprint is not None:
            m[2] = self.source_fingerprint
        if self.depth is not None:
            m[3] = self.depth
        return Tag(TAG_KEYPATH, m)

    @classmethod
    def from_item(cls, item: CborValue) -> Keypath:
        """Read a (tagged) ``crypto-keypath``.

        Raises:
            RegistryError: a field is missing or malformed.
        """
        m = field_map(item, "crypto-keypath", TAG_KEYPATH)
        raw = m.get(1)
        if not isinstance(raw, list) or len(raw) % 2:
            raise RegistryError("A crypto-keypath's components are not index/hardened pairs.")
        steps = []
        for index, hardened in zip(raw[::2], raw[1::2], strict=True):
            if not isinstance(hardened, bool):
                raise RegistryError("A crypto-keypath step's hardened flag is not true or false.")
            if index == []:
                steps.append(PathStep(None, hardened))
            elif isinstance(index, int) and not isinstance(index, bool) and 0 <= index < _HARDENED:
                steps.append(PathStep(index, hardened))
            else:
                raise RegistryError("A crypto-keypath step is not an index below 2^31 or '*'.")
        return cls(
            tuple(steps),
            opt_int(m, 2, "source fingerprint"),
            opt_int(m, 3, "key path depth", 8),
        )


@dataclass(frozen=True, slots=True)
class CoinInfo:
    """A ``crypto-coin-info``: SLIP-44 coin type (0 bitcoin, 60 ether) and network (0 main)."""

    type: int = 0
    network: int = 0

    def to_item(self) -> Tag:
        """Return the tagged CBOR item (defaults left out, as the document's examples)."""
        m: FieldMap = {}
        if self.type:
            m[1] = self.type
        if self.network:
            m[2] = self.network
        return Tag(TAG_COIN_INFO, m)

    @classmethod
    def from_item(cls, item: CborValue) -> CoinInfo:
        """Read a (tagged) ``crypto-coin-info``.

        Raises:
            RegistryError: a field is malformed.
        """
        m = field_map(item, "crypto-coin-info", TAG_COIN_INFO)
        network = m.get(2, 0)
        if not isinstance(network, int) or isinstance(network, bool):
            raise RegistryError("A crypto-coin-info network is not a number.")
        return cls(opt_int(m, 1, "coin type", 31) or 0, network)


@dataclass(frozen=True, slots=True)
class HDKey:
    """A ``crypto-hdkey``: an extended key with its origin and the children it is for."""

    key: bytes
    chain_code: bytes | None = None
    is_master: bool = False
    is_private: bool = False
    use_info: CoinInfo | None = None
    origin: Keypath | None = None
    children: Keypath | None = None
    parent_fingerprint: int | None = None
    name: str | None = None
    note: str | None = None

    def to_item(self) -> FieldMap:
        """Return the (untagged) CBOR map."""
        if self.is_master:
            return {1: True, 3: self.key, 4: self.chain_code}
        m: FieldMap = {3: self.key}
        if self.is_private:
            m[2] = True
        optional: dict[int, CborValue] = {
            4: self.chain_code,
            5: None if self.use_info is None else self.use_info.to_item(),
            6: None if self.origin is None else self.origin.to_item(),
            7: None if self.children is None else self.children.to_item(),
            8: self.parent_fingerprint,
            9: self.name,
            10: self.note,
        }
        m.update({k: v for k, v in optional.items() if v is not None})
        return m

    def cbor(self) -> bytes:
        """Return the CBOR a ``ur:crypto-hdkey`` carries."""
        return cbor.encode(self.to_item())

    def ur(self) -> UR:
        """Return the key as a ``crypto-hdkey`` UR."""
        return UR("crypto-hdkey", self.cbor())

    @classmethod
    def from_item(cls, item: CborValue) -> HDKey:
        """Read a (tagged) ``crypto-hdkey``.

        Raises:
            RegistryError: a field is missing or malformed.
        """
        m = field_map(item, "crypto-hdkey", TAG_HDKEY)
        key = _opt_bytes(m, 3, "key data", 33)
        if key is None:
            raise RegistryError("A crypto-hdkey has no key data.")
        chain_code = _opt_bytes(m, 4, "chain code", 32)
        if _opt_bool(m, 1, "is-master"):
            if chain_code is None:
                raise RegistryError("A master crypto-hdkey has no chain code.")
            return cls(key, chain_code, is_master=True, is_private=True)
        use_info = None if m.get(5) is None else CoinInfo.from_item(m[5])
        origin = None if m.get(6) is None else Keypath.from_item(m[6])
        children = None if m.get(7) is None else Keypath.from_item(m[7])
        return cls(
            key,
            chain_code,
            is_private=_opt_bool(m, 2, "is-private"),
            use_info=use_info,
            origin=origin,
            children=children,
            parent_fingerprint=opt_int(m, 8, "parent fingerprint"),
            name=_opt_text(m, 9, "key name"),
            note=_opt_text(m, 10, "key note"),
        )

    @classmethod
    def from_extended_key(
        cls,
        text: str,
        origin: Keypath | None = None,
        children: Keypath | None = None,
        *,
        name: str | None = None,
    ) -> HDKey:
        """Return the ``crypto-hdkey`` of an extended public key, for an account export.

        Args:
            text: an xpub or tpub (SLIP-132 ypub/zpub/upub/vpub are read as xpub/tpub).
            origin: how the key was derived (the path from the master key and its
                fingerprint); its depth is left out when it equals the path's length.
            children: the children meant to be derived (``0/*``), if any.
            name: a short name for the key.

        Raises:
            RegistryError: the text is not an extended public key.
        """
        try:
            raw = b58check_decode(text)
        except Base58Error as err:
            raise RegistryError(f"This is not an extended public key: {err}") from err
        if len(raw) != 78 or raw[:4] not in _PUBLIC_VERSIONS or raw[45] not in (2, 3):
            raise RegistryError("This is not an extended public key (xpub or tpub).")
        depth, parent = raw[4], int.from_bytes(raw[5:9], "big")
        if origin is not None and origin.depth == len(origin.components):
            origin = Keypath(origin.components, origin.source_fingerprint)
        network = _PUBLIC_VERSIONS[raw[:4]]
        return cls(
            raw[45:],
            raw[13:45],
            use_info=CoinInfo(0, network) if network else None,
            origin=origin,
            children=children,
            parent_fingerprint=parent if depth else None,
            name=name,
        )

    def extended_key(self) -> str:
        """Return the BIP-32 extended key (xpub/tpub, or xprv/tprv for a private key).

        Raises:
            RegistryError: the key has no chain code, or its network is not 0 or 1.
        """
        if self.chain_code is None:
            raise RegistryError("This crypto-hdkey has no chain code: it is not an extended key.")
        network = self.use_info.network if self.use_info else 0
        versions = _XPRV if self.is_private else _XPUB
        if network not in versions:
            raise RegistryError(f"Network {network} has no extended key version.")
        steps = self.origin.components if self.origin else ()
        depth = 0
        if self.origin is not None:
            depth = self.origin.depth if self.origin.depth is not None else len(steps)
        index = 0
        if steps and steps[-1].index is not None:
            index = steps[-1].index | (_HARDENED if steps[-1].hardened else 0)
        parent = self.parent_fingerprint
        if parent is None and self.origin is not None and len(steps) == 1:
            parent = self.origin.source_fingerprint  # BCR-2020-007: may stand for the parent
        key = self.key if not self.is_private or len(self.key) == 33 else b"\x00" + self.key
        payload = (
            versions[network]
            + bytes([depth])
            + (parent or 0).to_bytes(4, "big")
            + index.to_bytes(4, "big")
            + self.chain_code
            + key
        )
        return b58check_encode(payload)

    def descriptor_key(self) -> str:
        """Return the key as a descriptor writes it: ``[fingerprint/path]xpub/children``."""
        text = self.extended_key()
        steps = self.origin.components if self.origin else ()
        # A one-step origin whose fingerprint stood in for the parent's is already in the
        # extended key (BCR-2020-010 example 5, and urtypes): no "[...]" prefix for it.
        implied = len(steps) == 1 and self.parent_fingerprint is None
        if self.origin is not None and self.origin.source_fingerprint is not None and not implied:
            origin = f"{self.origin.source_fingerprint:08x}"
            if self.origin.components:
                origin += "/" + self.origin.path()
            text = f"[{origin}]{text}"
        if self.children is not None and self.children.components:
            text += "/" + self.children.path()
        return text


@dataclass(frozen=True, slots=True)
class ECKey:
    """A ``crypto-eckey``: a bare secp256k1 key (BCR-2020-008)."""

    data: bytes
    is_private: bool = False

    def to_item(self) -> FieldMap:
        """Return the (untagged) CBOR map."""
        m: FieldMap = {3: self.data}
        if self.is_private:
            m[2] = True
        return m

    @classmethod
    def from_item(cls, item: CborValue) -> ECKey:
        """Read a (tagged) ``crypto-eckey``.

        Raises:
            RegistryError: a field is missing or malformed, or the curve is not secp256k1.
        """
        m = field_map(item, "crypto-eckey", TAG_ECKEY)
        if m.get(1, 0) != 0:
            raise RegistryError("A crypto-eckey is on a curve other than secp256k1.")
        data = m.get(3)
        if not isinstance(data, bytes) or len(data) not in (32, 33, 65):
            raise RegistryError("A crypto-eckey's data is not a key.")
        return cls(data, _opt_bool(m, 2, "is-private"))

    def descriptor_key(self) -> str:
        """Return the key as a descriptor writes it (hex)."""
        return self.data.hex()


def decode_item(data: bytes, what: str) -> CborValue:
    """Return the CBOR item of a registry value ``what``.

    Raises:
        RegistryError: the CBOR is malformed.
    """
    try:
        return cbor.decode(data)
    except CborError as err:
        raise RegistryError(f"The {what} holds invalid CBOR: {err}") from err
