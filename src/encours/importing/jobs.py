"""The ``import_file`` job: files uploaded in the browser (kept in the database) or on the
worker's disk (``paths``, queued from the CLI on the same host), imported as ``encours import``
does: ledger files, bank statements, CDAR lifecycle statuses, each all or nothing.

It reports progress per file, keeps every line error in its result, and then has the
whole-ledger figures computed (the ``figures`` sub-job) so the first page reads them ready.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from encours.bank.import_service import BankImportCounts
from encours.domain.errors import Conflict, InvalidInput, InvalidLines
from encours.einvoicing.service import StatusCounts
from encours.importing.service import Counts, import_one
from encours.jobs import files as job_files
from encours.jobs.registry import JobContext, JobFailed, job_kind
from encours.ledger.import_service import ImportRejected, SourceFile, import_order, read_source, source_of

SHOWN_ERRORS = 500  # line errors kept per file in the job's result


def _rejected(name: str, refusal: InvalidLines) -> dict[str, Any]:
    errors = [e._asdict() for e in refusal.errors[:SHOWN_ERRORS]]
    return {"file": name, "status": "rejected", "message": refusal.message, "errors": errors,
            "error_count": len(refusal.errors)}  # fmt: skip


def counts_json(counts: Counts) -> dict[str, Any]:
    """What one imported file added, by where it went: ``ledger``, ``bank`` or ``lifecycle``."""
    if isinstance(counts, BankImportCounts):
        accounts = [{"account": a.account, "transactions": a.transactions, "new": a.new, "known": a.known}
                    for a in counts.accounts]  # fmt: skip
        return {"kind": "bank", "format": counts.format, "accounts": accounts}
    if isinstance(counts, StatusCounts):
        return {"kind": "lifecycle", "format": "cdar", **counts._asdict()}
    return {"kind": "ledger", **counts._asdict()}


def _sources(context: JobContext, params: dict[str, Any]) -> tuple[list[SourceFile], list[dict[str, Any]]]:
    """The job's files (kept in the database, else ``paths``) and those refused before importing."""
    forced = params.get("format")
    with context.session() as session:
        kept = job_files.read(session, context.job_id)
    sources: list[SourceFile] = []
    refused: list[dict[str, Any]] = []
    if kept:
        for file in kept:
            try:
                sources.append(source_of(Path(file.name), file.data, forced))
            except ImportRejected as rejected:
                refused.append(_rejected(file.name, rejected))
        return sources, refused
    paths = [Path(p) for p in params.get("paths", [])]
    if not paths:
        raise InvalidInput("no file to import (an upload is kept until its job ends: upload it again)",
                           field="files")  # fmt: skip
    names = {str(p): str(n) for p, n in zip(paths, params.get("names") or [], strict=False)}
    for path in paths:
        try:
            source = read_source(path, forced)
            sources.append(source._replace(path=Path(names.get(str(path), path.name))))
        except ImportRejected as rejected:
            refused.append(_rejected(names.get(str(path), path.name), rejected))
    return sources, refused


@job_kind("import_file")
def import_files(context: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Import ledger files, bank statements and lifecycle statuses: the job's uploaded files, or ``paths``."""
    sources, files = _sources(context, params)
    ordered = import_order(sources)
    prefixes = context.settings.fec_customer_prefixes
    for done, source in enumerate(ordered):
        name = str(source.path)
        context.progress(done, len(ordered), name)
        try:
            files.append({**counts_json(import_one(context.engine, source, prefixes)), "file": name,
                          "status": "imported"})  # fmt: skip
        except InvalidLines as refusal:  # a ledger file, a statement or a status message refused
            files.append(_rejected(name, refusal))
        except Conflict as lost:
            files.append({"file": name, "status": "rejected", "message": str(lost), "errors": [],
                          "error_count": 0})  # fmt: skip
    context.progress(len(ordered), len(ordered), "computing the figures")
    if params.get("remove_files"):
        for path in params.get("paths", []):
            Path(path).unlink(missing_ok=True)
    result = {"files": files}
    bad = [f for f in files if f["status"] == "rejected"]
    if any(f["status"] == "imported" for f in files):
        context.spawn("figures", {}, "figures")
    if bad:
        raise JobFailed(f"{len(bad)} of {len(files)} files rejected: {bad[0]['message']}", result)
    return result
