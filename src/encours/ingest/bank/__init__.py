"""Bank statements (camt.053/054, OFX, CFONB 120, MT940): statements of bank lines.

They are not ledger files: the bank journal (encours.bank) imports them, so the ledger's
parser registry does not list them. ``BANK_PARSERS`` maps each format to its reader.
"""

from __future__ import annotations

from collections.abc import Callable

from encours.ingest import detect
from encours.ingest.bank.camt import parse_camt053, parse_camt054
from encours.ingest.bank.cfonb120 import parse_cfonb120
from encours.ingest.bank.mt940 import parse_mt940
from encours.ingest.bank.ofx import parse_ofx
from encours.ingest.bank.records import BankFile

BankParser = Callable[[str, bytes], BankFile]

BANK_PARSERS: dict[str, BankParser] = {
    detect.CAMT053: parse_camt053,
    detect.CAMT054: parse_camt054,
    detect.OFX: parse_ofx,
    detect.CFONB120: parse_cfonb120,
    detect.MT940: parse_mt940,
}


def format_family(format_name: str) -> str:
    """camt.053 and camt.054 of one bank share their references; other formats are their own."""
    return "camt" if format_name in (detect.CAMT053, detect.CAMT054) else format_name
