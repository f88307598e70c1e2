"""Factur-X / ZUGFeRD: a PDF/A-3 carrying a CII invoice, extracted with the ``factur-x`` library."""

from __future__ import annotations

from collections.abc import Mapping

from encours.domain.errors import LedgerError
from encours.domain.records import Customer
from encours.ingest import detect
from encours.ingest.einvoice.cii import parse_cii_root
from encours.ingest.parsed import ParsedFile
from encours.ingest.xmltree import xml_root


def parse_facturx(file: str, data: bytes, known: Mapping[str, Customer]) -> ParsedFile:
    """Errors inside the embedded XML name its line, with the attachment's name."""
    from facturx import get_facturx_xml_from_pdf  # heavy (pypdf): loaded on first use

    try:
        name, xml = get_facturx_xml_from_pdf(data, check_xsd=False)
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on a damaged PDF
        message = f"unreadable PDF: {exc}"
        return ParsedFile(file, detect.FACTURX, errors=(LedgerError(file, 1, "", message),))
    if not xml:
        message = "no Factur-X/ZUGFeRD XML embedded in this PDF"
        return ParsedFile(file, detect.FACTURX, errors=(LedgerError(file, 1, "", message),))
    note = f" (in embedded {name})"
    root, errors = xml_root(file, xml)
    if root is None:
        errors = [e._replace(message=e.message + note) for e in errors]
        return ParsedFile(file, detect.FACTURX, errors=tuple(errors))
    return parse_cii_root(file, root, known, detect.FACTURX, note)
