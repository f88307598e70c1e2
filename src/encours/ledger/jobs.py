"""Ledger work as jobs: importing files (e.g. uploaded in the browser) and cash application.

An import job imports each file all or nothing, in the pipeline's order, reports progress
per file, keeps every line error in its result, and then has the whole-ledger figures
computed (the ``figures`` sub-job), so the first page after an import reads them ready.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from encours.domain.errors import InvalidInput
from encours.jobs.registry import JobContext, JobFailed, job_day, job_kind
from encours.ledger.cash_application import CashApplication
from encours.ledger.cash_schemas import run_document
from encours.ledger.import_service import ImportRejected, ImportService, import_order, read_source

SHOWN_ERRORS = 500  # line errors kept per file in the job's result


def _rejected(name: str, rejected: ImportRejected) -> dict[str, Any]:
    errors = [e._asdict() for e in rejected.errors[:SHOWN_ERRORS]]
    return {"file": name, "status": "rejected", "message": rejected.message, "errors": errors,
            "error_count": len(rejected.errors)}  # fmt: skip


@job_kind("import_file")
def import_files(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Import ledger files: ``paths`` (files on the worker's disk), optional ``format`` and ``names``."""
    paths = [Path(p) for p in params.get("paths", [])]
    if not paths:
        raise InvalidInput("no file to import", field="paths")
    names = {str(p): str(n) for p, n in zip(paths, params.get("names") or [], strict=False)}
    files: list[dict[str, Any]] = []
    sources = []
    for path in paths:
        try:
            sources.append(read_source(path, params.get("format")))
        except ImportRejected as rejected:
            files.append(_rejected(names.get(str(path), path.name), rejected))
    ordered = import_order(sources)
    for done, source in enumerate(ordered):
        name = names.get(str(source.path), source.path.name)
        context.progress(done, len(ordered), name)
        try:
            with context.session() as session:
                counts = ImportService(session, context.settings.fec_customer_prefixes).import_source(source)
            files.append({**counts._asdict(), "file": name, "status": "imported"})
        except ImportRejected as rejected:
            files.append(_rejected(name, rejected))
    context.progress(len(ordered), len(ordered), "computing the figures")
    if params.get("remove_files"):
        for path in paths:
            path.unlink(missing_ok=True)
    result = {"files": files}
    bad = [f for f in files if f["status"] == "rejected"]
    if any(f["status"] == "imported" for f in files):
        context.spawn("figures", {}, "figures")
    if bad:
        raise JobFailed(f"{len(bad)} of {len(files)} files rejected: {bad[0]['message']}", result)
    return result


@job_kind("cash_application")
def cash_application(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Match unmatched bank credits at ``as_of`` (default today); ``dry_run`` stores nothing."""
    day = job_day(params)
    dry_run = bool(params.get("dry_run"))
    actor = str(params.get("actor") or "job")
    with context.session() as session:
        run = CashApplication(session, context.settings.charge_tolerance, actor=actor).apply(
            day, dry_run=dry_run
        )
        document = run_document(run)
    if not dry_run and document["summary"].get("matched"):
        context.spawn("figures", {"as_of": day.isoformat()}, "figures")
    return {"dry_run": dry_run, **document}
