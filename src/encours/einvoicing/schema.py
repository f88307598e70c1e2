"""The CDAR D22B XSD shipped with the package (``cdar_xsd``, Apache 2.0, see its README)."""

from __future__ import annotations

import functools
from importlib import resources

from lxml import etree

ENTRY_POINT = "CrossDomainAcknowledgementAndResponse_100pD22B.xsd"


@functools.cache
def cdar_schema() -> etree.XMLSchema:
    """The schema, loaded once; its imports resolve beside the entry point, never on the network."""
    folder = resources.files("encours.einvoicing").joinpath("cdar_xsd")
    with resources.as_file(folder) as path:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        return etree.XMLSchema(etree.parse(str(path / ENTRY_POINT), parser))


def schema_errors(document: bytes) -> list[str]:
    """Why ``document`` is not a valid CDAR D22B message (empty when it is)."""
    schema = cdar_schema()
    tree = etree.fromstring(document, etree.XMLParser(resolve_entities=False, no_network=True))
    if schema.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
