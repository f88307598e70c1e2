"""E-invoices (Factur-X PDF, CII and UBL XML): invoices and credit notes with their buyer."""

from __future__ import annotations

from encours.ingest import detect
from encours.ingest.einvoice.cii import parse_cii
from encours.ingest.einvoice.facturx import parse_facturx
from encours.ingest.einvoice.identify import keep_stored_customer
from encours.ingest.einvoice.ubl import parse_ubl
from encours.ingest.registry import register, register_resolver

for _format, _parser in ((detect.CII, parse_cii), (detect.UBL, parse_ubl), (detect.FACTURX, parse_facturx)):
    register(_format, _parser)
    register_resolver(_format, keep_stored_customer)
