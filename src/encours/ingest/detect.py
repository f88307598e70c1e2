"""Recognising a file's format from its content, never from its name."""

from __future__ import annotations

import csv
import re
import unicodedata

from encours.ingest.canonical_csv import csv_kind
from encours.ingest.textfile import decode, detect_separator

FEC = "fec"
CSV = "csv"
CAMT053 = "camt053"
CAMT054 = "camt054"
OFX = "ofx"
CFONB120 = "cfonb120"
MT940 = "mt940"
FACTURX = "facturx"
CII = "cii"
UBL = "ubl"
CDAR = "cdar"  # e-invoicing lifecycle statuses, stored by encours.einvoicing

FORMATS = (FEC, CSV, CAMT053, CAMT054, OFX, CFONB120, MT940, FACTURX, CII, UBL, CDAR)

_FEC_COLUMNS = ("journalcode", "comptenum", "ecrituredate")
_FEC_COLUMNS_ALT = ("codejournal", "numcompte", "dateecriture")


def _xml_format(head: str) -> str | None:
    if "camt.053" in head:
        return CAMT053
    if "camt.054" in head:
        return CAMT054
    if re.search(r"<(\w+:)?CrossDomainAcknowledgementAndResponse[\s>]", head):
        return CDAR
    if "CrossIndustryInvoice" in head:
        return CII
    if re.search(r"<(\w+:)?(Invoice|CreditNote)[\s>]", head):
        return UBL
    # camt without its namespace (some bank exports): told apart by the message element
    if re.search(r"<(\w+:)?BkToCstmrStmt[\s>]", head):
        return CAMT053
    if re.search(r"<(\w+:)?BkToCstmrDbtCdtNtfctn[\s>]", head):
        return CAMT054
    return None


_CFONB_RECORD = re.compile(r"0[1457]\d{5}")


def _looks_like_cfonb(head: str) -> bool:
    """CFONB 120 whose records lost their trailing spaces, or sit glued on one line."""
    lines = [line for line in head.splitlines() if line.strip()][:5]
    if not lines or not lines[0].startswith("01"):
        return False
    if len(lines) == 1 and len(lines[0]) % 120 == 0:
        lines = [lines[0][i : i + 120] for i in range(0, min(len(lines[0]), 600), 120)]
    return all(_CFONB_RECORD.match(line) and 32 <= len(line.rstrip()) <= 120 for line in lines)


def _is_fec_header(line: str) -> bool:
    """FEC headers in any case, with accents, spaces or underscores (``Écriture_Date``)."""
    decomposed = unicodedata.normalize("NFKD", line)
    squeezed = "".join(ch for ch in decomposed if ch.isascii() and (ch.isalnum() or ch in "\t|;")).lower()
    return all(column in squeezed for column in _FEC_COLUMNS) or all(
        column in squeezed for column in _FEC_COLUMNS_ALT
    )


def header_names(line: str) -> list[str]:
    """Header fields as a CSV reader sees them: quoted names (``"invoice_id"``) included."""
    return next(csv.reader([line], delimiter=detect_separator(line)), [])


def detect_format(data: bytes) -> str | None:
    """The format name of FORMATS, or None when nothing matches."""
    if data.startswith(b"%PDF"):
        return FACTURX
    if b"%PDF-" in data[:1024]:  # PDF readers accept a header within the first kilobyte
        return FACTURX
    head = decode(data[:65536])
    stripped = head.lstrip()
    if stripped.startswith("<?xml") or stripped.startswith("<"):
        found = _xml_format(head)
        if found:
            return found
    if "OFXHEADER" in head or "<OFX>" in head.upper():
        return OFX
    if re.search(r"^:20:", head, re.M) and re.search(r"^:6[01][FM]:", head, re.M):
        return MT940
    first = next((line for line in head.splitlines() if line.strip()), "")
    if _is_fec_header(first):
        return FEC
    if re.match(r"^01\d{4}", first) and len(first.rstrip("\r\n")) in range(118, 123):
        return CFONB120
    if _looks_like_cfonb(head):
        return CFONB120
    if csv_kind(header_names(first)) is not None:
        return CSV
    return None
