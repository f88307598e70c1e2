"""E-invoices (Factur-X PDF, CII and UBL XML): invoices and credit notes with their buyer."""

from __future__ import annotations

from encours.ingest import detect
from encours.ingest.einvoice.cii import parse_cii
from encours.ingest.einvoice.facturx import parse_facturx
from encours.ingest.einvoice.ubl import parse_ubl
from encours.ingest.registry import register

register(detect.CII, parse_cii)
register(detect.UBL, parse_ubl)
register(detect.FACTURX, parse_facturx)
