"""Web app under load: 100k customers, 1M open items in PostgreSQL, 50 concurrent clients.

Starts `encours serve` as a subprocess on a free loopback port (and a job worker), signs in,
warms the whole-ledger figures once (first dashboard), then runs 50 concurrent aiohttp clients,
each going through the dashboard, a random customer sheet, the worklist under five filter
combinations (own customers, bucket, segment + risk class, dunning stage + collector,
accent-insensitive search), every board (disputes, promises, plans, litigation) on a random
page, and the task queue, for a bounded count and time; then the same clients on /healthz as
the baseline. Prints p50/p95/p99 per page, the error count and the load average, and appends
them to bench/RESULTS.md. Target (issues 5 and 12): every page p99 < 300 ms, no error.

Load once, then reuse the database (loading takes about a minute, the figures job more):

    uv run python bench/bench_web.py --load-into postgresql+psycopg://USER@HOST:PORT/DB
    uv run python bench/bench_web.py --url postgresql+psycopg://USER@HOST:PORT/DB [--clients 50]
        [--requests 120] [--seconds 120] [--think-ms 0] [--workers 2] [--no-append]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import aiohttp
import httpx
import sqlalchemy as sa
import uvloop

from child import encours_command
from dbload import ThrowawayPostgres, load_postgres, postgres_available
from encours.casework import assignment, disputes, promises
from encours.storage.database import get_engine, unit_of_work
from encours.users.service import UserService
from encours.web.workspace_actions import open_invoices
from ledger_data import AS_OF, BenchLedger, generate
from workers import cpu_seconds

EMAIL, PASSWORD = "bench@encours.example", "Bench-lagune-pivoine-4417"
RESULTS = Path(__file__).with_name("RESULTS.md")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [*encours_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--db", url,
               "--workers", str(workers)]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def start_job_worker(url: str) -> subprocess.Popen[bytes]:
    """The worker that computes the whole-ledger figures pages ask for (SPEC §12: not the web process)."""
    command = [*encours_command(), "worker", "--no-scheduler", "--db", url]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def listening(port: int) -> int:
    """How many sockets listen on ``port`` (each server worker has its own: encours.web.server)."""
    hex_port = f":{port:04X}"
    lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for line in lines if line.split()[1].endswith(hex_port) and line.split()[3] == "0A")


def wait_ready(base: str, process: subprocess.Popen[bytes], workers: int = 1) -> None:
    """Until the server answers and each worker listens: a worker still starting when the
    clients connect would leave every connection to the others for the whole run."""
    port = int(base.rsplit(":", 1)[1])
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(
                f"encours serve exited: {process.stderr.read().decode() if process.stderr else ''}"
            )
        try:
            answered = httpx.get(f"{base}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            answered = False
        if answered and (workers == 1 or listening(port) >= workers):
            return
        time.sleep(0.2)
    raise SystemExit("encours serve did not start")


def sign_in(base: str) -> httpx.Cookies:
    with httpx.Client(base_url=base) as client:
        page = client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf is not None
        response = client.post(
            "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf.group(1)}
        )
        if response.status_code != 303:
            raise SystemExit(f"sign-in failed: {response.status_code}")
        client.get("/login")  # as a browser's first page would, puts the CSRF token in the session
        return client.cookies


# what each page must contain to count as served (not an error page or a redirect)
WORKLIST, DASHBOARD = b'id="worklist"', b'id="kpi-outstanding-'
MARKERS = {
    "dashboard": DASHBOARD, "customer sheet": b'id="open-items"',
    "worklist (my customers)": WORKLIST, "worklist (bucket)": WORKLIST,
    "worklist (segment + risk)": WORKLIST, "worklist (stage + collector)": WORKLIST,
    "worklist (search)": WORKLIST, "disputes board": b'id="disputes"', "promises board": b'id="promises"',
    "plans board": b'id="plans"', "litigation board": b'id="litigation"',
    "task queue": b'id="tasks-late_tasks"',
}  # fmt: skip
BUCKETS = ("1-30", "31-60", "61-90", "91%2B")
SEGMENTS = ("PME", "ETI", "GE", "Public")
STATUSES = ("", "open", "broken")  # the promises board's filter
STEPS = ("courtesy", "reminder", "firm_reminder", "phone_call", "formal_notice")
CASES = 300  # disputes and promises the bench user opens through the services before the load
ASSIGNED = 5000  # customers assigned to the bench user (their worklist)


def page_of(index: int, rng: random.Random, customers: int) -> tuple[str, str]:
    """A client's ``index``-th page, in turn: the dashboard, a customer sheet, the worklist
    under five filter combinations (the bench user's own, an overdue bucket, segment and risk
    class, dunning stage of the bench user's customers, an accent-insensitive search), each
    board on a random page or filter, and the task queue."""
    day = f"as_of={AS_OF.isoformat()}"
    wl = f"/worklist?{day}&collector="
    search = rng.choice(("client c00", "CLIENT C01", "c0002")) + str(rng.randint(0, 9))
    pages: list[tuple[str, str]] = [
        ("dashboard", f"/?{day}"),
        ("customer sheet", f"/customers/C{rng.randint(1, customers):07d}?{day}"),
        ("worklist (my customers)", f"/worklist?{day}&page={rng.randint(1, 3)}"),
        ("worklist (bucket)", f"{wl}&bucket={rng.choice(BUCKETS)}&page={rng.randint(1, 3)}"),
        ("worklist (segment + risk)", f"{wl}&segment={rng.choice(SEGMENTS)}&risk={rng.choice('ABCD')}"),
        ("worklist (stage + collector)", f"{wl}{EMAIL}&stage={rng.choice(STEPS)}"),
        ("worklist (search)", f"{wl}&q={search}"),
        ("disputes board", f"/disputes?{day}&page={rng.randint(1, 200)}"),
        ("promises board", f"/promises?{day}&status={rng.choice(STATUSES)}&page={rng.randint(1, 9)}"),
        ("plans board", f"/plans?{day}&page={rng.randint(1, 30)}"),
        ("litigation board", f"/litigation?{day}&page={rng.randint(1, 20)}"),
        ("task queue", f"/tasks?{day}&page={rng.randint(1, 4)}"),
    ]  # fmt: skip
    return pages[index % len(pages)]


def health_check(index: int, rng: random.Random, customers: int) -> tuple[str, str]:
    """The baseline: the server stack's cheapest answer (no database, no template)."""
    return "baseline /healthz", "/healthz"


async def client_loop(
    client: aiohttp.ClientSession, pages: Callable[[int, random.Random, int], tuple[str, str]],
    customers: int, requests: int, deadline: float, think: float, seed: int,
    timings: dict[str, list[float]], errors: list[str],
) -> None:  # fmt: skip
    rng = random.Random(seed)
    if think:
        await asyncio.sleep(rng.uniform(0, 2 * think))  # users do not all click at the same instant
    for index in range(requests):
        if time.perf_counter() > deadline:
            return
        name, path = pages(index + seed, rng, customers)  # clients start on different pages
        start = time.perf_counter()
        try:
            async with client.get(path, allow_redirects=False) as response:
                body = await response.read()
                elapsed = time.perf_counter() - start
                if response.status != 200 or MARKERS.get(name, b"") not in body:
                    errors.append(f"{path}: {response.status}, {len(body)} bytes")  # e.g. sent to /login
                else:
                    timings.setdefault(name, []).append(elapsed)
        except (aiohttp.ClientError, TimeoutError) as exc:  # no answer within the client's timeout
            errors.append(f"{path}: {exc!r}")
        if think:
            await asyncio.sleep(rng.uniform(0, 2 * think))


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the server's supervisor and worker processes)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        found.append(current := todo.pop())
        todo.extend(parents.get(current, []))
    return found


def database_backends(url: str) -> list[int]:
    """The PostgreSQL backends serving ``url``'s database (readable in /proc when on this host)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            query = sa.text(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return [int(pid) for pid in connection.execute(query).scalars()]
    finally:
        engine.dispose()


class CpuMeter:
    """CPU seconds spent by each party during a phase: server, database, job worker, bench."""

    def __init__(self, url: str, server: int, worker: int) -> None:
        self.url, self.server, self.worker = url, server, worker

    def sample(self) -> dict[str, float]:
        return {
            "server processes": cpu_seconds(process_tree(self.server)),
            "PostgreSQL backends": cpu_seconds(database_backends(self.url)),
            "job worker": cpu_seconds(process_tree(self.worker)),
            "bench clients": time.process_time(),
        }


def per_request(before: dict[str, float], after: dict[str, float], requests: int) -> str:
    """'server processes 12.3 ms, …' of CPU per request between two samples."""
    if not requests:
        return "no request"
    parts = [f"{name} {(after[name] - before[name]) * 1000 / requests:.1f} ms" for name in before]
    total = sum(after[name] - before[name] for name in before)
    return ", ".join(parts) + f" (total {total * 1000 / requests:.1f} ms)"


def wait_background(base: str, cookies: httpx.Cookies, seconds: float) -> str:
    """Wait until the dashboard shows the DSO trend and the forecast (computed by the figures job)."""
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        page = httpx.get(f"{base}/?as_of={AS_OF.isoformat()}", cookies=cookies, timeout=60).text
        forecast_done = 'id="chart-forecast"' in page or 'id="forecast-offline"' in page
        if 'id="chart-trend"' in page and forecast_done:
            return f"ready after {time.perf_counter() - started:.0f} s"
        time.sleep(5)
    return f"still computing after {seconds:.0f} s (load measured while they run)"


JOBS_BUSY = (  # a running job's heartbeat is refreshed every few seconds; older: its worker died
    "SELECT count(*) FROM jobs WHERE status = 'queued' OR (status = 'running' "
    "AND waiting IS NOT TRUE AND heartbeat_at > now() - interval '30 seconds')"
)
JOBS_STARTED = "SELECT count(*) FROM jobs WHERE started_at >= :since"


def jobs_scalar(url: str, query: str, **params: object) -> int:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text(query), params).scalar_one())
    finally:
        engine.dispose()


def wait_jobs_idle(url: str, seconds: float) -> str:
    """Wait until the job worker has nothing queued or running: figures jobs queued by earlier
    runs (one per ledger state and 5-minute window; a worker stopped mid-job leaves it to the
    next) would otherwise be computed during the load, on the same cores."""
    started = time.perf_counter()
    while (busy := jobs_scalar(url, JOBS_BUSY)) and time.perf_counter() - started < seconds:
        time.sleep(2)
    waited = time.perf_counter() - started
    return f"{busy} job(s) queued or running after {waited:.0f} s" if busy else f"idle after {waited:.0f} s"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def load(
    base: str, cookies: httpx.Cookies, args: argparse.Namespace,
    pages: Callable[[int, random.Random, int], tuple[str, str]] = page_of,
) -> tuple[dict[str, list[float]], list[str], float]:  # fmt: skip
    """Each client keeps one connection open, as a browser does, and sends the signed-in
    session cookie; connections are opened before the clock starts (opening fifty at once is
    not what the pages cost). aiohttp rather than httpx: the load generator shares the cores
    with the server, and aiohttp spends about a third of httpx's CPU per request."""
    timings: dict[str, list[float]] = {}
    errors: list[str] = []
    header = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}
    clients = [
        aiohttp.ClientSession(
            base_url=base, headers=header, cookie_jar=aiohttp.DummyCookieJar(),
            connector=aiohttp.TCPConnector(limit=1), timeout=aiohttp.ClientTimeout(total=30),
        )
        for _ in range(args.clients)
    ]  # fmt: skip
    try:
        for response in await asyncio.gather(*(client.get("/healthz") for client in clients)):
            await response.read()
            response.release()
        start = time.perf_counter()
        deadline = start + args.seconds
        await asyncio.gather(*(
            client_loop(client, pages, args.customers, args.requests, deadline, args.think_ms / 1000, i,
                        timings, errors)
            for i, client in enumerate(clients)
        ))  # fmt: skip
        return timings, errors, time.perf_counter() - start
    finally:
        await asyncio.gather(*(client.close() for client in clients))


def prepare(url: str, ledger: BenchLedger) -> None:
    """The generated ledger and the bench's signed-in user in a migrated database, with some
    casework: customers assigned to the user, disputes and promises on the boards."""
    load_postgres(url, ledger)
    with unit_of_work(get_engine(url)) as session:
        UserService(session).create(EMAIL, "admin", PASSWORD, actor="bench", language="en")
        customers = sorted(ledger.customers.column("customer_id").to_pylist())
        for cid in customers[:ASSIGNED]:
            assignment.assign(session, cid, "collector", EMAIL, actor="bench")
        opened = 0
        for cid in customers[ASSIGNED : ASSIGNED + 4 * CASES]:
            owed = open_invoices(session, cid, AS_OF)
            if not owed or opened >= CASES:
                continue
            disputes.open_dispute(session, cid, owed[0].invoice_id, reason="bench", actor=EMAIL)
            if len(owed) > 1:
                promises.make_promise(
                    session, cid, Decimal("1.00"), AS_OF + dt.timedelta(days=10), actor=EMAIL,
                    invoices=[owed[1].invoice_id], as_of=AS_OF,
                )  # fmt: skip
            opened += 1
    add_bulk_casework(url)
    get_engine(url).dispose()


BULK_SQL = Path(__file__).with_name("bench_casework.sql")


def add_bulk_casework(url: str) -> None:
    """Segments, risk classes, dunning stages, and thousands of cases on every board, once."""
    with unit_of_work(get_engine(url)) as session:
        if session.execute(sa.text("SELECT COUNT(*) FROM customer_holds")).scalar_one():
            return  # already there: a database loaded once is reused with --url
        script = "\n".join(line for line in BULK_SQL.read_text().splitlines() if not line.startswith("--"))
        for statement in filter(str.strip, script.split(";\n")):
            session.execute(sa.text(statement), {"user": EMAIL} if ":user" in statement else {})
    raw = get_engine(url).raw_connection()
    try:
        raw.cursor().execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def first_visits(base: str, cookies: httpx.Cookies, args: argparse.Namespace) -> str:
    """Open every page of the mix a few times on new connections before the clock starts, so
    that each server process has filled its per-process caches once (the filter sets, the
    search directory): what a server does in its first minute, and again after each change of
    the ledger. Reported here, not mixed into the steady-state percentiles."""
    rng = random.Random(0)
    slowest: dict[str, float] = {}
    for _ in range(3 * args.workers):
        for index in range(len(MARKERS)):
            name, path = page_of(index, rng, args.customers)
            started = time.perf_counter()
            httpx.get(f"{base}{path}", cookies=cookies, timeout=1800).raise_for_status()
            slowest[name] = max(slowest.get(name, 0.0), time.perf_counter() - started)
    worst = sorted(slowest.items(), key=lambda item: -item[1])[:3]
    return "slowest first visits " + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in worst)


def measure(
    url: str, args: argparse.Namespace
) -> tuple[dict[str, list[float]], list[str], float, float, str, dict[str, str]]:
    """Serve ``url``, sign in, warm the whole-ledger figures, then run the clients."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_server(url, port, args.workers)
    worker = start_job_worker(url)
    try:
        wait_ready(base, process, args.workers)
        cookies = sign_in(base)
        started = time.perf_counter()
        warm = httpx.get(f"{base}/?as_of={AS_OF.isoformat()}", cookies=cookies, timeout=1800)
        warm.raise_for_status()
        warmup = time.perf_counter() - started
        print(f"first dashboard (computes and caches the whole-ledger figures): {warmup:.1f} s")
        started = time.perf_counter()
        for _ in range(3 * args.workers):  # each server process ranks the worklist once per ledger state
            httpx.get(
                f"{base}/worklist?as_of={AS_OF.isoformat()}", cookies=cookies, timeout=1800
            ).raise_for_status()
        print(f"first worklists (rank every customer, per process): {time.perf_counter() - started:.1f} s")
        visits = first_visits(base, cookies, args)
        print(f"first visit of every page, per process (their caches filled): {visits}")
        background = wait_background(base, cookies, args.wait_background)
        print(f"background figures (DSO trend, cash-in forecast): {background}")
        print(f"job queue: {wait_jobs_idle(url, args.wait_background)}")
        load_started = dt.datetime.now(dt.UTC)
        meter = CpuMeter(url, process.pid, worker.pid)
        start = meter.sample()
        baseline, _, _ = uvloop.run(load(base, cookies, args, health_check))
        middle = meter.sample()
        timings, errors, elapsed = uvloop.run(load(base, cookies, args))
        end = meter.sample()
        background += f"; jobs started during the load: {jobs_scalar(url, JOBS_STARTED, since=load_started)}"
        background += f"; before the clock, each page visited on each process ({visits})"
        pages = sum(len(values) for values in timings.values())
        cpu = {
            "pages": per_request(middle, end, pages),
            "baseline": per_request(start, middle, sum(len(values) for values in baseline.values())),
        }
        timings.update(baseline)
    finally:
        process.terminate()
        worker.terminate()
        process.wait(timeout=30)
        worker.wait(timeout=60)
    return timings, errors, elapsed, warmup, background, cpu


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="server processes")
    parser.add_argument("--requests", type=int, default=40, help="requests per client")
    parser.add_argument("--seconds", type=float, default=120.0, help="time bound of the load phase")
    parser.add_argument("--think-ms", type=float, default=0.0, help="mean pause between a client's requests")
    parser.add_argument("--wait-background", type=float, default=900.0, help="seconds to wait for them")
    parser.add_argument("--no-append", action="store_true", help="do not append to bench/RESULTS.md")
    parser.add_argument("--url", help="an already loaded database (skips generating and loading)")
    parser.add_argument(
        "--load-into", metavar="URL", help="generate and load the ledger and casework into this empty "
        "database, then stop (to reuse it with --url)",
    )  # fmt: skip
    args = parser.parse_args()
    if args.load_into:
        started = time.perf_counter()
        prepare(args.load_into, generate(args.items, args.customers))
        print(f"loaded {args.items:,} open items, {args.customers:,} customers into {args.load_into} "
              f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
        return
    load_before = os.getloadavg()
    if args.url:
        add_bulk_casework(args.url)  # a database loaded by an older bench gets the boards' cases
        timings, errors, elapsed, warmup, background, cpu = measure(args.url, args)
    else:
        admin = postgres_available()
        if admin is None:
            raise SystemExit("no PostgreSQL (set ENCOURS_TEST_POSTGRES_URL)")
        ledger = generate(args.items, args.customers)
        with ThrowawayPostgres(admin) as url:
            started = time.perf_counter()
            prepare(url, ledger)
            print(
                f"loaded {args.items:,} open items over {args.customers:,} customers "
                f"in {time.perf_counter() - started:.1f} s"
            )
            timings, errors, elapsed, warmup, background, cpu = measure(url, args)
    load_after = os.getloadavg()
    baseline = timings.pop(health_check(0, random.Random(), 0)[0], [])
    total = sum(len(v) for v in timings.values())
    lines = [
        f"## Web under load ({time.strftime('%Y-%m-%d')}, {platform.machine()}, "
        f"{os.cpu_count()} cores, PostgreSQL)",
        "",
        f"Load average (1/5/15 min) {' / '.join(f'{v:.1f}' for v in load_before)} before the run, "
        f"{' / '.join(f'{v:.1f}' for v in load_after)} after it "
        f"({time.strftime('%H:%M UTC', time.gmtime())}).",
        "",
        f"`bench/bench_web.py`: {args.items:,} open items, {args.customers:,} customers, "
        f"{args.clients} concurrent clients on loopback (think time {args.think_ms:.0f} ms), "
        f"{args.workers} server process(es), "
        f"{total} requests in {elapsed:.1f} s "
        f"({total / elapsed:.0f} req/s), errors: {len(errors)}; first dashboard {warmup:.1f} s (cache fill); "
        f"background figures {background}.",
        "",
        f"CPU per request (from /proc): pages: {cpu['pages']}; baseline /healthz: {cpu['baseline']}.",
        "",
        "| page | requests | p50 ms | p95 ms | p99 ms | p99 / baseline p99 | target p99 |",
        "|---|---|---|---|---|---|---|",
    ]
    base_p99 = percentile(baseline, 0.99) if baseline else float("nan")
    for name, values in [*timings.items(), ("baseline /healthz (same clients)", baseline)]:
        if values:
            p99 = percentile(values, 0.99)
            lines.append(
                f"| {name} | {len(values)} | {statistics.median(values) * 1000:.0f} | "
                f"{percentile(values, 0.95) * 1000:.0f} | {p99 * 1000:.0f} | {p99 / base_p99:.1f}× | 300 ms |"
            )
    report = "\n".join(lines) + "\n"
    print(report)
    for error in errors[:10]:
        print("error:", error)
    if not args.no_append:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write("\n" + report)


if __name__ == "__main__":
    main()
