"""Which parser reads which format; each importer registers itself here."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

from encours.domain.records import Customer, Entry
from encours.ingest import detect
from encours.ingest.canonical_csv import parse_canonical_csv
from encours.ingest.parsed import ParsedFile
from encours.ingest.textfile import decode, physical_lines

Parser = Callable[[str, bytes, Mapping[str, Customer]], ParsedFile]


def _csv(file: str, data: bytes, known: Mapping[str, Customer]) -> ParsedFile:
    return parse_canonical_csv(file, list(physical_lines(decode(data))), known)


PARSERS: dict[str, Parser] = {detect.CSV: _csv}


def register(format_name: str, parser: Parser) -> None:
    PARSERS[format_name] = parser


def parser_for(format_name: str) -> Parser | None:
    _load_builtin_parsers()
    return PARSERS.get(format_name)


# A resolver completes a parsed file with what only the stored ledger knows (e-invoices:
# the customer an invoice number is already stored under). It reads the stored invoices
# whose number (reference) is among the candidates through ``InvoiceLookup`` and returns the
# file, still unstored; parsers themselves stay pure.
InvoiceLookup = Callable[[Collection[str]], Mapping[str, Sequence[Entry]]]
Resolver = Callable[[ParsedFile, InvoiceLookup], ParsedFile]
RESOLVERS: dict[str, Resolver] = {}


def register_resolver(format_name: str, resolver: Resolver) -> None:
    RESOLVERS[format_name] = resolver


def resolver_for(format_name: str) -> Resolver | None:
    _load_builtin_parsers()
    return RESOLVERS.get(format_name)


def _load_builtin_parsers() -> None:
    """Importers living in their own modules register on import."""
    import importlib

    for module in ("fec", "einvoice"):
        try:
            importlib.import_module(f"encours.ingest.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"encours.ingest.{module}":
                raise
