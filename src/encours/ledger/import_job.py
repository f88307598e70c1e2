"""Importing uploaded files as a background job (the web app's import screen).

The same pipeline as ``encours import``: files in import order, each all or nothing (a
refused file stores nothing and the next is still imported), every bad line kept as
(file, line, field, message) in the job's result for the screen to list.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from encours.jobs.registry import JobContext, job_kind
from encours.ledger.import_service import ImportRejected, ImportService, SourceFile, import_order, read_source

KIND = "ledger_import"


def _named(source: SourceFile, name: str) -> SourceFile:
    """Errors name the file as the user uploaded it, not the folder it waited in."""
    return source._replace(path=Path(name))


@job_kind(KIND)
def import_uploaded(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Import the files uploaded to ``params["folder"]`` (names in ``params["files"]``), then remove them."""
    folder = Path(params["folder"])
    imported: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    try:
        sources = []
        for stored, shown in params["files"]:
            try:
                sources.append(_named(read_source(folder / stored), shown))
            except ImportRejected as rejected:
                errors += [error._replace(file=shown)._asdict() for error in rejected.errors]
        ordered = import_order(sources)
        for done, source in enumerate(ordered):
            context.progress(done, len(ordered), source.path.name)
            try:
                with context.session() as session:
                    counts = ImportService(session, context.settings.fec_customer_prefixes).import_source(
                        source
                    )
                imported.append(counts._asdict())
            except ImportRejected as rejected:
                errors += [error._asdict() for error in rejected.errors]
        context.progress(len(ordered), len(ordered), "")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {"imported": imported, "errors": errors}
