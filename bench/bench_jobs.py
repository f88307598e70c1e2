"""Jobs on PostgreSQL with real worker processes (issue 13, SPEC §12).

1. 1,000 small jobs (``ping``) taken and finished by 4 workers: each run once (counted by the
   claims: every job's ``attempts`` is 1), throughput in jobs/s.
2. A dunning run split in shards, delivered by 2 workers against 1 (same ledger, same SMTP
   server answering each message after ``--smtp-ms``): the ratio of the two run times. On the
   demo ledger (``--dunning-customers``), or with ``--dunning-items N`` on the generated ledger
   of N open items (``ledger_data``, ``--customers``): a company's regular run of day D over
   all of them, after the one-off catch-up (see ``DayAfterCatchUp``).
3. The first dashboard after loading ``--items`` open items (default 1M), once the ``figures``
   job (queued by every import) has computed the whole-ledger figures: its time, against the
   job's own time (what that first page used to compute).

    uv run python bench/bench_jobs.py [--items 1000000] [--skip-dashboard] [--no-append]
    uv run python bench/bench_jobs.py --skip-small --skip-dashboard --dunning-items 1000000

Needs a PostgreSQL server (ENCOURS_TEST_POSTGRES_URL, as the tests); prints the figures and
appends them to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine

from child import encours_command
from dbload import ThrowawayPostgres, load_postgres, postgres_available
from dunning_day import regular_day
from encours.demo.generator import generate as demo_ledger
from encours.ingest.parsed import ParsedFile
from encours.jobs import service
from encours.ledger.import_service import ImportService, SourceFile
from encours.storage.database import get_engine, unit_of_work
from encours.users.service import UserService
from encours.web import job_kinds
from ledger_data import AS_OF, generate
from workers import smtp_env, smtp_server, start_workers, stop_workers, wait_finished

RESULTS = Path(__file__).with_name("RESULTS.md")
EMAIL, PASSWORD = "bench@encours.test", "Pivoine-grenier-7741-fjord"
DEMO_UNTIL = dt.date(2026, 10, 31)
assert job_kinds.kinds()


def small_jobs(admin: str, count: int, workers: int) -> dict[str, Any]:
    with ThrowawayPostgres(admin) as url:
        engine = get_engine(url)
        procs = start_workers(url, workers, {})
        time.sleep(3)  # the workers connected and listening
        started = time.perf_counter()
        with unit_of_work(engine) as session:
            ids = [service.enqueue(session, "ping", {"n": n}).job_id for n in range(count)]
        wait_finished(url, ids, 900)
        elapsed = time.perf_counter() - started
        stop_workers(procs)
        with unit_of_work(engine) as session:
            jobs = [service.get(session, i) for i in ids]
        per_worker = Counter(j.result["worker"] for j in jobs)
        runs = sum(j.attempts for j in jobs)
        engine.dispose()
    return {"jobs": count, "workers": workers, "seconds": elapsed, "runs": runs,
            "twice": sum(1 for j in jobs if j.attempts != 1), "done": sum(j.status == "done" for j in jobs),
            "per_worker": sorted(per_worker.values())}  # fmt: skip


def dunning_run(admin: str, workers: int, customers: int, smtp_ms: float, shards: int) -> dict[str, Any]:
    ledger = demo_ledger(seed=11, customers=customers, until=DEMO_UNTIL)
    data = Path(tempfile.mkdtemp(prefix="bench-jobs-"))
    with smtp_server(smtp_ms) as (handler, port), ThrowawayPostgres(admin) as url:
        env = {"ENCOURS_DATA_DIR": str(data), **smtp_env(port)}
        parsed = ParsedFile(file="bench", format="demo", customers=ledger.customers,
                            entries=ledger.entries, allocations=ledger.allocations)  # fmt: skip
        with unit_of_work(get_engine(url)) as session:
            ImportService(session).store(parsed, SourceFile(Path("bench"), b"bench-jobs", "demo"))
        procs = start_workers(url, workers, env)
        time.sleep(3)
        started = time.perf_counter()
        with unit_of_work(get_engine(url)) as session:
            run = service.enqueue(session, "dunning_run", {"as_of": DEMO_UNTIL.isoformat(), "shards": shards})
        wait_finished(url, [run.job_id], 3600)
        elapsed = time.perf_counter() - started
        stop_workers(procs)
        with unit_of_work(get_engine(url)) as session:
            job = service.get(session, run.job_id)
        get_engine(url).dispose()
    return {
        "workers": workers, "seconds": elapsed, "status": job.status, "actions": job.result.get("actions"),
        "messages": len(handler.ids), "duplicates": handler.duplicates,
    }  # fmt: skip


def first_dashboard(admin: str, items: int, customers: int) -> dict[str, Any]:
    with ThrowawayPostgres(admin) as url:
        started = time.perf_counter()
        load_postgres(url, generate(items, customers))
        with unit_of_work(get_engine(url)) as session:
            UserService(session).create(EMAIL, "admin", PASSWORD, actor="bench", language="en")
        loaded = time.perf_counter() - started
        procs = start_workers(url, 1, {})
        started = time.perf_counter()
        with unit_of_work(get_engine(url)) as session:  # what an import queues when it ends
            job = service.enqueue(session, "figures", {"as_of": AS_OF.isoformat()})
        wait_finished(url, [job.job_id], 3600)
        figures_seconds = time.perf_counter() - started
        stop_workers(procs)
        with unit_of_work(get_engine(url)) as session:
            status = service.get(session, job.job_id).status
        port = 8731
        server = subprocess.Popen(
            [*encours_command(), "serve", "--port", str(port), "--db", url],
            env={**os.environ, "ENCOURS_LOG_LEVEL": "error"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            client = httpx.Client(base_url=base, timeout=600)
            page = client.get("/login")
            csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            client.post(
                "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf, "next": "/"}
            )
            started = time.perf_counter()
            answer = client.get(f"/?as_of={AS_OF.isoformat()}")
            dashboard = time.perf_counter() - started
            answer.raise_for_status()
            client.close()
        finally:
            server.terminate()
            server.wait(30)
            get_engine(url).dispose()
    return {
        "items": items, "customers": customers, "load_seconds": loaded,
        "figures_job_seconds": figures_seconds, "figures_status": status,
        "first_dashboard_seconds": dashboard,
    }  # fmt: skip


def regular_day_lines(measured: dict[str, Any], args: argparse.Namespace) -> list[str]:
    """The lines of RESULTS.md for ``dunning_day.regular_day``'s figures."""
    setup = measured["setup"]
    runs = measured["runs"]
    one, two = runs
    channels = ", ".join(f"{n:,} {c}" for c, n in sorted(one["channels"].items()))
    lines = [
        f"- Catch-up run of day D-1 ({args.dunning_items:,} open items, {args.customers:,} customers, "
        f"loaded in {setup['load_seconds']:.0f} s): decisions {setup['catch_up_decisions_seconds']:.1f} s "
        f"({setup['catch_up_actions']:,} actions over {setup['catch_up_invoices']:,} invoices), writing "
        f"outbox + markers {setup['catch_up_writing_seconds']:.1f} s; its delivery recorded without "
        f"sending ({setup['marked_delivered']:,} actions marked sent on D-1 by the bench).",
        f"- Regular run of day D ({measured['day']}, {args.shards} shards, SMTP answering in "
        f"{args.smtp_ms:.0f} ms): {one['actions']:,} actions ({channels}); "
        f"{one['messages']:,} e-mails, {one['letters']:,} letters, {one['tasks']:,} tasks.",
    ]
    for run in runs:
        lines.append(
            f"  - {run['workers']} worker(s): decisions {run['decision_seconds']:.1f} s, delivery "
            f"{run['delivery_seconds']:.1f} s, total {run['job_seconds']:.1f} s ({run['status']}; "
            f"{run['seconds']:.1f} s from queueing to done; load average {run['load'][0]:.0f} at start, "
            f"{run['load'][1]:.0f} at end; workers' CPU {run['cpu_seconds']:.0f} s); "
            f"{run['received']:,} e-mails received, duplicates {run['duplicates']}, failed {run['failed']}."
        )
    lines.append(
        f"  - 2 workers against 1: **{one['job_seconds'] / two['job_seconds']:.2f}×** faster in total, "
        f"delivery {one['delivery_seconds'] / two['delivery_seconds']:.2f}×."
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--dunning-customers", type=int, default=120)
    parser.add_argument(
        "--dunning-items", type=int, default=0,
        help="measure the run of a regular day on this many generated open items (--customers) "
        "instead of the demo ledger",
    )  # fmt: skip
    parser.add_argument("--smtp-ms", type=float, default=50.0, help="the SMTP server's time per message")
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--skip-small", action="store_true")
    parser.add_argument("--skip-dunning", action="store_true")
    parser.add_argument("--skip-dashboard", action="store_true")
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    admin = postgres_available()
    if admin is None:
        sys.exit("no PostgreSQL server: set ENCOURS_TEST_POSTGRES_URL")
    create_engine(admin).dispose()
    day = dt.datetime.now(dt.UTC).date().isoformat()
    load = os.getloadavg()[0]
    lines = [f"## Jobs and workers, issue 13 ({day}, {platform.machine()}, {os.cpu_count()} cores, "
             f"load average {load:.0f} at start, PostgreSQL, `bench/bench_jobs.py`)", ""]  # fmt: skip
    if not args.skip_small:
        small = small_jobs(admin, args.jobs, 4)
        print(small)
        lines.append(
            f"- {small['jobs']:,} `ping` jobs, 4 worker processes: all done ({small['done']}), "
            f"{small['runs']:,} runs counted, run twice: {small['twice']}; {small['seconds']:.1f} s "
            f"({small['jobs'] / small['seconds']:.0f} jobs/s); jobs per worker {small['per_worker']}."
        )
    if not args.skip_dunning and args.dunning_items:
        measured = regular_day(admin, args.dunning_items, args.customers, args.shards, args.smtp_ms)
        lines += regular_day_lines(measured, args)
    elif not args.skip_dunning:
        one = dunning_run(admin, 1, args.dunning_customers, args.smtp_ms, args.shards)
        print(one)
        two = dunning_run(admin, 2, args.dunning_customers, args.smtp_ms, args.shards)
        print(two)
        lines.append(
            f"- Dunning run of the demo ledger ({args.dunning_customers} customers, "
            f"{one['actions']} actions, "
            f"{one['messages']} e-mails, SMTP answering in {args.smtp_ms:.0f} ms, {args.shards} shards): "
            f"1 worker {one['seconds']:.1f} s, 2 workers {two['seconds']:.1f} s: "
            f"**{one['seconds'] / two['seconds']:.2f}×** faster; "
            f"duplicates {one['duplicates']} / {two['duplicates']}."
        )
    if not args.skip_dashboard:
        board = first_dashboard(admin, args.items, args.customers)
        print(board)
        lines.append(
            f"- {board['items']:,} open items, {board['customers']:,} customers (loaded in "
            f"{board['load_seconds']:.0f} s): the `figures` job took {board['figures_job_seconds']:.1f} s "
            f"({board['figures_status']}) on a worker; then the first dashboard answered in "
            f"**{board['first_dashboard_seconds']:.2f} s** (target < 1 s), "
            f"{board['figures_job_seconds'] / board['first_dashboard_seconds']:.0f}× less than "
            "the job's time."
        )
    text_out = "\n".join(lines) + "\n"
    print(text_out)
    if not args.no_append:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write("\n" + text_out)


if __name__ == "__main__":
    main()
