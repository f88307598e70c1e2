"""Reading XML exports safely and namespace-agnostic: bank statements and e-invoices alike.

Elements are found by local name along a path, so every schema version (camt.053.001.02 or
.08, CII D16B or D22B) reads alike, and every problem can point at the element's line.
"""

from __future__ import annotations

from lxml import etree

from encours.domain.errors import LedgerError


def xml_root(file: str, data: bytes) -> tuple[etree._Element | None, list[LedgerError]]:
    """Parse XML safely (no entities, no network); a syntax error names its line."""
    parser = etree.XMLParser(
        resolve_entities=False,  # no entity expansion (billion laughs) nor external entities (XXE)
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,  # libxml2's limits on depth (256) and text sizes stay on
        remove_comments=True,
    )
    try:
        return etree.fromstring(data, parser), []
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        return None, [LedgerError(file, line, "", f"malformed XML: {exc.msg}")]


def local(element: etree._Element) -> str:
    """Tag without its namespace, so every schema version reads alike."""
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""  # comments and PIs have none


def children(element: etree._Element, *path: str) -> list[etree._Element]:
    """Descendants along ``path`` of local names, namespace-agnostic."""
    current = [element]
    for name in path:
        current = [child for node in current for child in node if local(child) == name]
    return current


def child(element: etree._Element, *path: str) -> etree._Element | None:
    found = children(element, *path)
    return found[0] if found else None


def text_of(element: etree._Element | None, *path: str) -> str:
    if element is None:
        return ""
    found = child(element, *path) if path else element
    return "" if found is None or found.text is None else found.text.strip()


def line_of(element: etree._Element | None) -> int:
    return (element.sourceline or 1) if element is not None else 1
