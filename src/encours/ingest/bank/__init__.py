"""Bank statements (camt.053/054, OFX, CFONB 120, MT940): customer receipts as unapplied payments."""

from __future__ import annotations

from encours.ingest import detect
from encours.ingest.bank.camt import parse_camt053, parse_camt054
from encours.ingest.bank.cfonb120 import parse_cfonb120
from encours.ingest.bank.identify import resolve_invoice_references
from encours.ingest.bank.mt940 import parse_mt940
from encours.ingest.bank.ofx import parse_ofx
from encours.ingest.registry import register, register_resolver

BANK_FORMATS = {
    detect.CAMT053: parse_camt053,
    detect.CAMT054: parse_camt054,
    detect.OFX: parse_ofx,
    detect.CFONB120: parse_cfonb120,
    detect.MT940: parse_mt940,
}

for _format, _parser in BANK_FORMATS.items():
    register(_format, _parser)
    register_resolver(_format, resolve_invoice_references)
