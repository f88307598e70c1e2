"""One file stored where its format belongs, all or nothing, in its own transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from encours.bank.import_service import BankImportCounts, BankImportService, is_bank_format
from encours.domain.errors import Conflict
from encours.einvoicing.service import StatusCounts, StatusImport
from encours.ingest.detect import CDAR
from encours.ledger.import_service import ImportCounts, ImportService, SourceFile
from encours.storage.database import unit_of_work

Counts = ImportCounts | BankImportCounts | StatusCounts
RACE_RETRIES = 3  # a concurrent import stored the same new records first: redo, now seeing them


def store_source(session: Session, source: SourceFile, prefixes: Sequence[str]) -> Counts:
    """Ledger files into the ledger; bank statements into the bank journal, never receivables
    (SPEC §10); CDAR lifecycle statuses to e-invoicing (SPEC §11). Flushes, never commits."""
    if is_bank_format(source.format):
        return BankImportService(session).import_file(source.path, source.data, source.format)
    if source.format == CDAR:
        return StatusImport(session).import_source(source)
    return ImportService(session, prefixes).import_source(source)


def import_one(engine: Engine, source: SourceFile, prefixes: Sequence[str]) -> Counts:
    """One file in its own transaction (all or nothing per file, SPEC §1); a concurrent import
    that stored the same new records first is caught by the constraints and the file redone.

    Raises the file's refusal (``InvalidLines`` with every bad line), or ``Conflict`` when the
    race was lost every time.
    """
    for _ in range(RACE_RETRIES):
        try:
            with unit_of_work(engine) as session:
                return store_source(session, source, prefixes)
        except IntegrityError:
            continue
    raise Conflict(
        f"{source.path}: another import stored the same records at the same time; "
        "nothing imported from this file, run it again"
    )
