"""The ERC-7730 descriptors the signer carries, parsed once into typed values.

A descriptor (``registry/*.json``, sources in ``registry/SOURCES.md``) binds display formats
to the functions of a contract (``context.contract``) or to the primary types of EIP-712
messages (``context.eip712``). With ``deployments`` it describes those contracts only; without,
it describes an interface (ERC-20, ERC-721...) and reads a call to any contract.

Only the descriptors in this package are ever read: a descriptor the host sends could make
any call look harmless, so the signer takes none from outside.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from keystore.clearsign.types import DescriptorError, FieldKind
from primitives.evm_address import to_checksum_address
from primitives.hashes import keccak256

__all__ = [
    "Descriptor",
    "FieldSpec",
    "MessageFormat",
    "Param",
    "Registry",
    "SelectorFormat",
    "load_registry",
    "parse_signature",
]

_KINDS = {k.value: k for k in FieldKind}


@dataclass(frozen=True, slots=True)
class Param:
    """One ABI parameter of a format key: its name and type (a tuple has components).

    Attributes:
        name: the parameter's name, used in paths.
        type: its ABI type without the components (``"address"``, ``"uint256[]"``,
            ``"tuple"`` or ``"tuple[]"``).
        components: a tuple's members.
    """

    name: str
    type: str
    components: tuple[Param, ...] = ()

    def abi_type(self) -> str:
        """Return the canonical ABI type (``"(address,uint160)"`` for a tuple)."""
        if not self.type.startswith("tuple"):
            return self.type
        inner = ",".join(c.abi_type() for c in self.components)
        return f"({inner}){self.type.removeprefix('tuple')}"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a display format.

    Attributes:
        path: where the value is (``"_value"``, ``"permitSingle.details.amount"``,
            ``"@.value"``).
        label: what the person reads before it.
        kind: the ERC-7730 format.
        token_path: the token of a ``tokenAmount`` (a path, or ``None`` with ``token``).
        token: a constant token address of a ``tokenAmount``.
        threshold: from this amount on, ``message`` is shown instead of the number.
        message: the text for amounts at or above ``threshold`` ("Unlimited").
        collection_path: the collection of an ``nftName``.
    """

    path: str
    label: str
    kind: FieldKind
    token_path: str | None = None
    token: str | None = None
    threshold: int | None = None
    message: str | None = None
    collection_path: str | None = None


@dataclass(frozen=True, slots=True)
class SelectorFormat:
    """The display of one function: its signature, parameters and fields.

    Attributes:
        signature: the canonical signature (``"approve(address,uint256)"``).
        selector: its 4-byte selector.
        params: the named parameters, in order.
        intent: the short intent.
        template: the ``interpolatedIntent``, if any.
        fields: the fields to show.
    """

    signature: str
    selector: bytes
    params: tuple[Param, ...]
    intent: str
    template: str | None
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True, slots=True)
class MessageFormat:
    """The display of one EIP-712 primary type.

    Attributes:
        primary_type: the message's primary type.
        types: the member names of each struct type the schema declares.
        intent: the short intent.
        template: the ``interpolatedIntent``, if any.
        fields: the fields to show.
    """

    primary_type: str
    types: tuple[tuple[str, tuple[str, ...]], ...]
    intent: str
    template: str | None
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True, slots=True)
class Descriptor:
    """One descriptor file, parsed.

    Attributes:
        id: its ``context.$id`` (the name the intent shows).
        source: its ``metadata.info.url``.
        file: the file name in the registry.
        deployments: ``(chain id, address)`` pairs it is bound to; empty for an interface.
        domain_name: the EIP-712 domain name it requires, if any.
        calls: function formats by selector.
        messages: EIP-712 formats by primary type.
    """

    id: str
    source: str
    file: str
    deployments: frozenset[tuple[int, str]]
    domain_name: str | None
    calls: tuple[tuple[bytes, SelectorFormat], ...]
    messages: tuple[tuple[str, MessageFormat], ...]

    @property
    def generic(self) -> bool:
        """Return whether it describes an interface rather than given contracts."""
        return not self.deployments


@dataclass(frozen=True, slots=True)
class Registry:
    """Every descriptor the signer carries, with lookups by selector and primary type."""

    descriptors: tuple[Descriptor, ...]

    def calls_for(
        self, chain_id: int, contract: str, selector: bytes
    ) -> list[tuple[Descriptor, SelectorFormat]]:
        """Return the formats that may read a call: the contract's own first, then interfaces.

        Args:
            chain_id: the transaction's chain id.
            contract: the called contract, EIP-55.
            selector: the call's first four bytes.
        """
        bound = [
            (d, f)
            for d in self.descriptors
            if (chain_id, contract) in d.deployments
            for s, f in d.calls
            if s == selector
        ]
        if bound:
            return bound
        return [(d, f) for d in self.descriptors if d.generic for s, f in d.calls if s == selector]

    def messages_for(
        self, chain_id: int | None, contract: str | None, domain_name: str | None, primary: str
    ) -> list[tuple[Descriptor, MessageFormat]]:
        """Return the formats that may read a typed message, the contract's own first."""
        out: list[tuple[Descriptor, MessageFormat]] = []
        for generic in (False, True):
            for d in self.descriptors:
                if d.generic != generic:
                    continue
                if not generic and (chain_id, contract) not in d.deployments:
                    continue
                if d.domain_name is not None and d.domain_name != domain_name:
                    continue
                out.extend((d, f) for p, f in d.messages if p == primary)
            if out:
                return out
        return out

    def name_of(self, chain_id: int, address: str) -> str | None:
        """Return the ``$id`` of the descriptor bound to an address, if one is."""
        for d in self.descriptors:
            if (chain_id, address) in d.deployments:
                return d.id
        return None


# -- parsing ------------------------------------------------------------------------------------


def _split_top(text: str) -> list[str]:
    """Split ``text`` at the commas that are not inside parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise DescriptorError(f"Unbalanced parentheses in {text!r}.")
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if depth:
        raise DescriptorError(f"Unbalanced parentheses in {text!r}.")
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _param(text: str) -> Param:
    if text.startswith("("):
        close = text.rindex(")")
        rest = text[close + 1 :].split()
        suffix, name = ("", rest[0]) if len(rest) == 1 else (*rest, "", "")[:2]
        if suffix and not suffix.startswith("["):
            raise DescriptorError(f"The parameter {text!r} is not '(...) name'.")
        if not name:
            raise DescriptorError(f"The parameter {text!r} has no name.")
        components = tuple(_param(p) for p in _split_top(text[1:close]))
        return Param(name, "tuple" + suffix, components)
    words = text.split()
    if len(words) != 2:
        raise DescriptorError(f"The parameter {text!r} is not 'type name'.")
    return Param(words[1], words[0])


def parse_signature(key: str) -> tuple[str, tuple[Param, ...]]:
    """Parse a format key such as ``"approve(address _spender,uint256 _value)"``.

    Returns:
        The canonical signature (``"approve(address,uint256)"``) and the named parameters.

    Raises:
        DescriptorError: the key is not a function signature with named parameters.
    """
    open_at = key.find("(")
    if open_at <= 0 or not key.endswith(")"):
        raise DescriptorError(f"{key!r} is not a function signature.")
    params = tuple(_param(p) for p in _split_top(key[open_at + 1 : -1]))
    canonical = f"{key[:open_at]}({','.join(p.abi_type() for p in params)})"
    return canonical, params


def _integer(value: object, constants: dict[str, object], where: str) -> int:
    if isinstance(value, str) and value.startswith("$.metadata.constants."):
        value = constants.get(value.removeprefix("$.metadata.constants."))
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value, 0)
        except ValueError:
            pass
    raise DescriptorError(f"{where}: {value!r} is not a number.")


def _field(raw: object, constants: dict[str, object], where: str) -> FieldSpec:
    if not isinstance(raw, dict):
        raise DescriptorError(f"{where}: a field is not an object.")
    path, label, kind = raw.get("path"), raw.get("label"), _KINDS.get(str(raw.get("format")))
    if not isinstance(path, str) or not isinstance(label, str):
        raise DescriptorError(f"{where}: a field needs a path and a label.")
    if kind is None:
        raise DescriptorError(f"{where}: the format {raw.get('format')!r} is not supported.")
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise DescriptorError(f"{where}: the params of {path!r} are not an object.")
    threshold = params.get("threshold")
    token = params.get("token")
    return FieldSpec(
        path,
        label,
        kind,
        token_path=params.get("tokenPath"),
        token=None if token is None else to_checksum_address(str(token)),
        threshold=None if threshold is None else _integer(threshold, constants, where),
        message=params.get("message"),
        collection_path=params.get("collectionPath"),
    )


def _fields(
    raw: dict[str, object], constants: dict[str, object], where: str
) -> tuple[str, str | None, tuple[FieldSpec, ...]]:
    intent, template, fields = raw.get("intent"), raw.get("interpolatedIntent"), raw.get("fields")
    if not isinstance(intent, str) or not isinstance(fields, list):
        raise DescriptorError(f"{where}: a format needs an intent and fields.")
    if template is not None and not isinstance(template, str):
        raise DescriptorError(f"{where}: interpolatedIntent is not text.")
    return intent, template, tuple(_field(f, constants, where) for f in fields)


def _deployments(raw: object, where: str) -> frozenset[tuple[int, str]]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        raise DescriptorError(f"{where}: deployments is not a list.")
    out = set()
    for d in raw:
        try:
            out.add((int(d["chainId"]), to_checksum_address(str(d["address"]))))
        except (KeyError, TypeError, ValueError) as e:
            raise DescriptorError(f"{where}: a deployment is not a chain id and address.") from e
    return frozenset(out)


def parse_descriptor(text: str, file: str) -> Descriptor:
    """Parse one descriptor file.

    Raises:
        DescriptorError: bad JSON, or a part this reader does not support.
    """
    try:
        doc = json.loads(text)
        context, metadata, display = doc["context"], doc["metadata"], doc["display"]
        formats = display["formats"]
    except (ValueError, KeyError, TypeError) as e:
        raise DescriptorError(f"{file}: not an ERC-7730 descriptor ({e}).") from e
    constants = metadata.get("constants", {})
    source = str(metadata.get("info", {}).get("url", ""))
    calls: list[tuple[bytes, SelectorFormat]] = []
    messages: list[tuple[str, MessageFormat]] = []
    domain_name = None
    if "contract" in context:
        deployments = _deployments(context["contract"].get("deployments"), file)
        for key, raw in formats.items():
            canonical, params = parse_signature(key)
            intent, template, fields = _fields(raw, constants, f"{file} {key}")
            selector = keccak256(canonical.encode())[:4]
            calls.append(
                (selector, SelectorFormat(canonical, selector, params, intent, template, fields))
            )
    elif "eip712" in context:
        eip712 = context["eip712"]
        deployments = _deployments(eip712.get("deployments"), file)
        domain_name = eip712.get("domain", {}).get("name")
        schemas = {s["primaryType"]: s["types"] for s in eip712.get("schemas", [])}
        for key, raw in formats.items():
            if key not in schemas:
                raise DescriptorError(f"{file}: no schema for the primary type {key!r}.")
            types = tuple(
                (name, tuple(m["name"] for m in members))
                for name, members in sorted(schemas[key].items())
                if name != "EIP712Domain"
            )
            intent, template, fields = _fields(raw, constants, f"{file} {key}")
            messages.append((key, MessageFormat(key, types, intent, template, fields)))
    else:
        raise DescriptorError(f"{file}: the context binds neither a contract nor EIP-712.")
    return Descriptor(
        str(context.get("$id", file)),
        source,
        file,
        deployments,
        domain_name,
        tuple(calls),
        tuple(messages),
    )


def load_registry() -> Registry:
    """Read every descriptor this package carries (``keystore/clearsign/registry/*.json``).

    Raises:
        DescriptorError: a descriptor cannot be read (a packaging fault, found by the tests).
    """
    folder = resources.files("keystore.clearsign").joinpath("registry")
    found = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".json")),
        key=lambda entry: entry.name,
    )
    return Registry(tuple(parse_descriptor(e.read_text("utf-8"), e.name) for e in found))
