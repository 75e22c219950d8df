"""Parse untrusted XML (bank statements, e-invoices) into ElementTree, refusing any DTD.

A statement or an invoice has no use for a document type declaration; entities are how
"billion laughs" and external-entity attacks work, so any ``<!DOCTYPE`` or entity declaration
is refused before it is expanded (what defusedxml does, written here with expat since
defusedxml is not a dependency). Each element's line is kept for error messages.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from xml.parsers import expat

__all__ = ["XmlDocument", "XmlRefused", "parse_xml"]


class XmlRefused(ValueError):
    """The XML is malformed or declares a DTD or entities.

    Attributes:
        line: the line of the fault (1-based).
        reason: what is wrong.
    """

    def __init__(self, reason: str, line: int) -> None:
        """Record the reason and the line."""
        super().__init__(f"line {line}: {reason}")
        self.reason = reason
        self.line = line


@dataclass(frozen=True, slots=True)
class XmlDocument:
    """A parsed document: its root and each element's line.

    Attributes:
        root: the root element (tags as ``{namespace}local``).
        lines: the line each element starts on, by ``id()`` of the element.
    """

    root: ET.Element
    lines: dict[int, int]

    def line(self, element: ET.Element) -> int:
        """Return the line ``element`` starts on."""
        return self.lines.get(id(element), 1)


def parse_xml(data: bytes) -> XmlDocument:
    """Parse ``data`` as XML with namespaces, refusing DTDs and entities.

    Raises:
        XmlRefused: malformed XML, a DTD, or an entity declaration.
    """
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    lines: dict[int, int] = {}

    def refuse_dtd(*_args: object) -> None:
        raise XmlRefused("a document type declaration (DTD) is refused", parser.CurrentLineNumber)

    def start(name: str, attrs: dict[str, str]) -> None:
        element = builder.start(_name(name), {_name(k): v for k, v in attrs.items()})
        lines[id(element)] = parser.CurrentLineNumber

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.UnparsedEntityDeclHandler = refuse_dtd
    parser.ExternalEntityRefHandler = refuse_dtd  # type: ignore[assignment]  # returns nothing
    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: builder.end(_name(name))
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except expat.ExpatError as err:
        raise XmlRefused(expat.errors.messages[err.code], err.lineno) from None
    root = builder.close()
    return XmlDocument(root, lines)


def _name(name: str) -> str:
    return "{" + name if "}" in name else name
