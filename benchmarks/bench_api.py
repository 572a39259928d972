"""`make bench-api`: the store API under the portal's polling load, on real gunicorn.

    python -m benchmarks.bench_api [--clients 50] [--seconds 20] [--workers N] [--worker-class sync|gthread]
                                   [--threads M] [--no-etag] [--sqlite] [--jobs 200]

1. Create a throw-away database (PostgreSQL at BENCH_API_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/letzshop_bench_api_<pid>, dropped and created again; or a
   SQLite file with --sqlite), migrate it, and seed three stores of --jobs finished jobs
   each (counters, some row errors) plus one import in progress in the measured store.
2. Start gunicorn on a free loopback port with the deployment the README documents
   (DJANGO_DEBUG=0, a generated secret key, behind a TLS proxy: clients send
   `X-Forwarded-Proto: https`); --workers, --worker-class and --threads override it.
3. Log in once through `POST /api/v1/auth/token`, then run --clients clients on one
   asyncio loop, each as a portal tab that auto-refreshes: `GET /imports`, then
   `GET /imports/{id}` of its job, again and again without pause, sending `If-None-Match`
   with the last ETag it got (as a browser's cache does; not with --no-etag). Meanwhile
   the import in progress moves its counters twice a second, as a worker's batches do,
   so the list and that job do change. The first --warmup seconds are not counted.
4. Print requests/s, latency percentiles, errors and the share of 304s, then one
   `BENCH-API ...` line; stop gunicorn and drop the database.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/letzshop_bench_api"
STORE_API = "/api/v1/store/marketplace"
# The README's "Growing past one machine" deployment.
GUNICORN_CONFIG = "config/gunicorn.conf.py"
USERNAME = "bench-owner"
STORE_CODE = "bench"
# Issue 13: 50 polling clients, at least 150 requests/s with p99 under 500 ms and no error.
TARGET_RPS = 150
TARGET_P99_MS = 500
REQUEST_TIMEOUT = 30.0
# The access token lives 5 minutes (SPEC section 6); one token serves the whole run.
MAX_SECONDS = 240


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time (after the warm-up)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring")
    parser.add_argument("--workers", type=int, help=f"gunicorn --workers (default: {GUNICORN_CONFIG}'s)")
    parser.add_argument("--worker-class", help="gunicorn --worker-class, e.g. sync or gthread")
    parser.add_argument("--threads", type=int, help="gunicorn --threads (gthread)")
    parser.add_argument(
        "--no-config",
        action="store_true",
        help=f"run gunicorn without {GUNICORN_CONFIG} (before issue 13 the README said --workers 4)",
    )
    parser.add_argument("--no-etag", action="store_true", help="never send If-None-Match (the state before ETags)")
    parser.add_argument("--sqlite", action="store_true", help="a throw-away SQLite file instead of PostgreSQL")
    # One database per run, so that two runs at once never drop each other's.
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_API_DATABASE_URL", f"{DEFAULT_PG}_{os.getpid()}"))
    parser.add_argument("--jobs", type=int, default=200, help="finished jobs per store")
    parser.add_argument(
        "--updates-per-second",
        type=float,
        default=2.0,
        help="how often the import in progress moves its counters (0: never)",
    )
    args = parser.parse_args()
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be in (0, {MAX_SECONDS}]: one access token serves the run")
    return args


# --- The throw-away database ------------------------------------------------------------
def _admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def create_postgres(url: str) -> None:
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_postgres(url: str) -> None:
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(*, database_url: str, secret_key: str, log_dir: Path) -> dict[str, str]:
    """Production settings, as the README's deployment sets them (a TLS proxy in front)."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secret_key,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_BEHIND_TLS_PROXY="1",
        DJANGO_LOG_DIR=str(log_dir),
        DJANGO_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)


@dataclass
class Seeded:
    password: str
    job_ids: list[int]
    processing_job_id: int


def seed(*, jobs: int) -> Seeded:
    """Three stores of `jobs` finished jobs each, spread over a year, with row errors on the
    partly failed ones; the measured store also has one import in progress."""
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from marketplace.models import MarketplaceImportError, MarketplaceImportJob
    from stores.models import Store, StoreMembership

    status = MarketplaceImportJob.Status
    rng = random.Random(13)
    password = secrets.token_urlsafe(16)
    user = User.objects.create_user(username=USERNAME, email="bench@example.lu", password=password)
    stores = [Store.objects.create(code=code, name=f"Store {code}") for code in (STORE_CODE, "bench-b", "bench-c")]
    for store in stores:
        StoreMembership.objects.create(user=user, store=store, role=StoreMembership.Role.OWNER)
    finished = [status.COMPLETED] * 6 + [status.COMPLETED_WITH_ERRORS] * 2 + [status.FAILED, status.CANCELLED]
    now = timezone.now()
    created_at = MarketplaceImportJob._meta.get_field("created_at")
    created_at.auto_now_add = False  # history spread over a year, as admin_imports seeds it
    try:
        for store in stores:
            batch = []
            for n in range(jobs):
                created = now - timedelta(minutes=(jobs - n) * 60 * 24 * 365 // jobs)
                state = rng.choice(finished)
                errors = rng.randrange(1, 40) if state == status.COMPLETED_WITH_ERRORS else 0
                total = rng.randrange(1_000, 50_000)
                batch.append(
                    MarketplaceImportJob(
                        store=store,
                        user=user,
                        source_url=f"https://feeds.example.lu/{store.code}/{n}.csv",
                        language=rng.choice(["fr", "en", "de"]),
                        batch_size=1000,
                        status=state,
                        imported_count=total // 3,
                        updated_count=total // 3,
                        unchanged_count=total - 2 * (total // 3) - errors,
                        error_count=errors,
                        warning_count=rng.randrange(5),
                        total_processed=total,
                        progress_percent=100,
                        detected_encoding="utf-8",
                        detected_delimiter=",",
                        error_message="The feed could not be downloaded." if state == status.FAILED else "",
                        created_at=created,
                        started_at=created,
                        completed_at=created + timedelta(seconds=rng.randrange(5, 600)),
                    )
                )
            MarketplaceImportJob.objects.bulk_create(batch)
    finally:
        created_at.auto_now_add = True
    bench_store = stores[0]
    MarketplaceImportError.objects.bulk_create(
        MarketplaceImportError(
            import_job=job,
            row_number=row,
            identifier=f"SKU-{row}",
            error_type=MarketplaceImportError.ErrorType.MISSING_TITLE,
            field="title",
            error_message="The row has no title.",
            row_data={"id": f"SKU-{row}", "title": ""},
        )
        for job in MarketplaceImportJob.objects.filter(error_count__gt=0)
        for row in range(2, 2 + job.error_count)
    )
    processing = MarketplaceImportJob.objects.create(
        store=bench_store,
        user=user,
        source_url="https://feeds.example.lu/bench/now.csv",
        language="fr",
        status=status.PROCESSING,
        started_at=now,
        heartbeat_at=now,
        detected_encoding="utf-8",
        detected_delimiter=",",
        bytes_total=10**9,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    job_ids = list(MarketplaceImportJob.objects.filter(store=bench_store).values_list("id", flat=True))
    return Seeded(password=password, job_ids=job_ids, processing_job_id=processing.pk)


def move_counters(*, job_id: int, rate: float, stop: threading.Event) -> int:
    """Advance the import in progress `rate` times a second, as the worker's batches do
    (counters and heartbeat in one UPDATE); return how many times it moved."""
    from django.db import connections
    from django.db.models import F
    from django.utils import timezone

    from marketplace.models import MarketplaceImportJob

    moves = 0
    try:
        while rate > 0 and not stop.wait(1 / rate):
            now = timezone.now()
            MarketplaceImportJob.objects.filter(id=job_id).update(
                imported_count=F("imported_count") + 900,
                unchanged_count=F("unchanged_count") + 100,
                total_processed=F("total_processed") + 1000,
                bytes_processed=F("bytes_processed") + 200_000,
                heartbeat_at=now,
                updated_at=now,
            )
            moves += 1
    finally:
        connections.close_all()
    return moves


# --- gunicorn -----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gunicorn_command(args: argparse.Namespace, port: int) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        *([] if args.no_config else ["-c", GUNICORN_CONFIG]),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
    ]
    if args.workers is not None:
        command += ["--workers", str(args.workers)]
    if args.worker_class:
        command += ["--worker-class", args.worker_class]
    if args.threads is not None:
        command += ["--threads", str(args.threads)]
    return command


def start_gunicorn(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_gunicorn(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


# --- Where the CPU went (Linux /proc) ----------------------------------------------------
@dataclass
class CpuSnapshot:
    gunicorn: float  # CPU seconds of gunicorn's workers
    postgres: float | None  # of the local PostgreSQL server, all its databases (None: not on this machine)
    client: float  # of this process (the clients and the counter mover)
    busy: float  # that the whole machine was busy
    wall: float


def _processes() -> dict[int, tuple[str, int, list[str]]]:
    """Every process: pid -> (name, parent pid, the /proc stat fields after the name)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError):
                stat = (entry / "stat").read_text()
                fields = stat.rsplit(")", 1)[1].split()
                found[int(entry.name)] = (stat[stat.index("(") + 1 : stat.rindex(")")], int(fields[1]), fields)
    return found


def _seconds(ticks: int) -> float:
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(master_pid: int, *, postgres_server: bool) -> CpuSnapshot:
    """CPU seconds so far; with `postgres_server`, also those of the local PostgreSQL server
    (all its clients: others' connections count too)."""
    processes = _processes()
    # utime + stime; a PostgreSQL backend that has exited counts in its postmaster's
    # cutime + cstime (one connection per request ends thousands of them).
    gunicorn = sum(_seconds(int(f[11]) + int(f[12])) for _, ppid, f in processes.values() if ppid == master_pid)
    postgres: float | None = None
    for name, ppid, fields in processes.values():
        if postgres_server and name == "postgres":
            postgres = (postgres or 0.0) + _seconds(int(fields[11]) + int(fields[12]))
            if processes.get(ppid, ("",))[0] != "postgres":
                postgres += _seconds(int(fields[13]) + int(fields[14]))
    usage = os.times()
    busy = 0.0
    with contextlib.suppress(OSError):
        ticks = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        busy = _seconds(sum(ticks[:8]) - ticks[3] - ticks[4])  # all but idle and iowait
    return CpuSnapshot(
        gunicorn=gunicorn, postgres=postgres, client=usage.user + usage.system, busy=busy, wall=time.perf_counter()
    )


# --- A small HTTP/1.1 client on asyncio streams ---------------------------------------------
class HttpError(Exception):
    pass


class Connection:
    """One kept-alive connection, opened again when the server closes it (sync workers
    close after every answer; that cost is part of the measured latency)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, dict[str, str], bytes]:
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: 127.0.0.1:{self.port}",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        for attempt in range(2):
            reused = self.writer is not None
            if not reused:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                assert self.reader is not None and self.writer is not None
                self.writer.write(raw)
                await self.writer.drain()
                return await self._read_response(self.reader)
            except (ConnectionError, asyncio.IncompleteReadError, HttpError):
                self.close()
                # A kept-alive connection the server closed meanwhile: send again once, as
                # browsers do for a GET. A fresh connection that fails is an error.
                if not reused or attempt:
                    raise
        raise AssertionError("unreachable")

    async def _read_response(self, reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
        status_line = await reader.readline()
        if not status_line:
            raise HttpError("connection closed before the answer")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if status in (204, 304):
            body = b""
        elif "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._read_chunked(reader)
        else:
            body = await reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, headers, body

    @staticmethod
    async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
        parts = []
        while size := int((await reader.readline()).split(b";")[0], 16):
            parts.append(await reader.readexactly(size))
            await reader.readline()
        await reader.readline()
        return b"".join(parts)


@dataclass
class Sample:
    kind: str  # "list" or "detail"
    status: int  # 0 for a request that got no answer
    started: float
    seconds: float


@dataclass
class Load:
    port: int
    token: str
    use_etag: bool
    stop_at: float
    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    cpu: list[CpuSnapshot] = field(default_factory=list)  # at the start and the end of the measured window


async def poll(load: Load, job_id: int) -> None:
    """One auto-refreshing portal tab: the history list, then its job, until stop_at."""
    conn = Connection(load.port)
    etags: dict[str, str] = {}
    base = {"Authorization": f"Bearer {load.token}", "Accept": "application/json", "X-Forwarded-Proto": "https"}
    paths = [("list", f"{STORE_API}/imports"), ("detail", f"{STORE_API}/imports/{job_id}")]
    try:
        while time.perf_counter() < load.stop_at:
            for kind, path in paths:
                headers = dict(base)
                if load.use_etag and path in etags:
                    headers["If-None-Match"] = etags[path]
                started = time.perf_counter()
                try:
                    status, answer, body = await asyncio.wait_for(conn.request("GET", path, headers), REQUEST_TIMEOUT)
                except (OSError, TimeoutError, asyncio.IncompleteReadError, HttpError, ValueError) as exc:
                    conn.close()
                    load.samples.append(Sample(kind, 0, started, time.perf_counter() - started))
                    load.failures.append(f"{kind}: {type(exc).__name__}: {exc}")
                    continue
                load.samples.append(Sample(kind, status, started, time.perf_counter() - started))
                if status == 200 and "etag" in answer:
                    etags[path] = answer["etag"]
                elif status not in (200, 304):
                    load.failures.append(f"{kind}: HTTP {status}: {body[:200]!r}")
    finally:
        conn.close()


async def obtain_token(port: int, password: str) -> str:
    conn = Connection(port)
    body = json.dumps({"username": USERNAME, "password": password, "store_code": STORE_CODE}).encode()
    try:
        status, _, answer = await conn.request(
            "POST",
            "/api/v1/auth/token",
            {"Content-Type": "application/json", "Accept": "application/json", "X-Forwarded-Proto": "https"},
            body,
        )
    finally:
        conn.close()
    if status != 200:
        raise SystemExit(f"POST /api/v1/auth/token answered {status}: {answer[:500]!r}")
    return str(json.loads(answer)["access"])


async def wait_until_up(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        conn = Connection(port)
        try:
            # 401 without a token: the API answers (the pages would need collectstatic).
            status, _, _ = await conn.request("GET", f"{STORE_API}/imports", {"X-Forwarded-Proto": "https"})
            if status == 401:
                return
        except (OSError, HttpError, asyncio.IncompleteReadError):
            pass
        finally:
            conn.close()
        await asyncio.sleep(0.2)
    raise SystemExit("gunicorn did not answer within a minute")


async def measure_cpu(load: Load, master_pid: int, measured_from: float, *, postgres_server: bool) -> None:
    for moment in (measured_from, load.stop_at):
        await asyncio.sleep(max(0.0, moment - time.perf_counter()))
        load.cpu.append(cpu_snapshot(master_pid, postgres_server=postgres_server))


async def run_load(
    args: argparse.Namespace, port: int, master_pid: int, password: str, seeded: Seeded
) -> tuple[Load, float]:
    token = await obtain_token(port, password)
    rng = random.Random(50)
    finished = [job_id for job_id in seeded.job_ids if job_id != seeded.processing_job_id]
    # Every fifth tab watches the import in progress, the others a finished job.
    jobs = [seeded.processing_job_id if i % 5 == 0 else rng.choice(finished) for i in range(args.clients)]
    started = time.perf_counter()
    load = Load(port=port, token=token, use_etag=not args.no_etag, stop_at=started + args.warmup + args.seconds)
    await asyncio.gather(
        measure_cpu(load, master_pid, started + args.warmup, postgres_server=not args.sqlite),
        *(poll(load, job_id) for job_id in jobs),
    )
    return load, started + args.warmup


# --- The report ---------------------------------------------------------------------------
def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list (0.0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, round(share * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarize(samples: list[Sample]) -> dict[str, Any]:
    latencies = sorted(s.seconds * 1000 for s in samples)
    return {
        "requests": len(samples),
        "p50": percentile(latencies, 0.50),
        "p90": percentile(latencies, 0.90),
        "p99": percentile(latencies, 0.99),
        "max": latencies[-1] if latencies else 0.0,
        "errors": sum(1 for s in samples if s.status not in (200, 304)),
        "not_modified": sum(1 for s in samples if s.status == 304) / len(samples) if samples else 0.0,
    }


def server_options(command: list[str]) -> list[str]:
    """gunicorn's command-line options, without the benchmark's own --bind."""
    options = command[command.index("-m") + 2 :]
    bind = options.index("--bind")
    return options[:bind] + options[bind + 2 :]


def report(args: argparse.Namespace, load: Load, measured_from: float, command: list[str], moves: int) -> None:
    # The requests answered inside the measured window; those still in flight when the
    # clients stop are left out, like the warm-up's.
    counted = [s for s in load.samples if measured_from <= s.started + s.seconds <= load.stop_at]
    rps = len(counted) / args.seconds
    total = summarize(counted)
    database = "SQLite" if args.sqlite else "PostgreSQL"
    options = server_options(command)
    print()
    print(
        f"bench-api: {args.clients} clients for {args.seconds:g} s (after {args.warmup:g} s of warm-up), "
        f"{database}, ETag {'off' if args.no_etag else 'on'}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.2f}"
    )
    print(f"  server: gunicorn {' '.join(options)}")
    print(f"  the import in progress moved {moves} times")
    print()
    print(f"  {'':<8} {'requests':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>7} {'304':>6}")
    for name, rows in (
        ("list", [s for s in counted if s.kind == "list"]),
        ("detail", [s for s in counted if s.kind == "detail"]),
        ("all", counted),
    ):
        m = summarize(rows)
        print(
            f"  {name:<8} {m['requests']:>9,} {m['p50']:>8.1f} {m['p90']:>8.1f} {m['p99']:>8.1f} {m['max']:>8.1f} "
            f"{m['errors']:>7} {m['not_modified']:>6.1%}"
        )
    print()
    print(f"  {rps:,.1f} requests/s")
    cpu_ms = ""
    if len(load.cpu) == 2 and counted:
        start, end = load.cpu
        wall, cpus = end.wall - start.wall, os.cpu_count() or 1
        gunicorn = end.gunicorn - start.gunicorn
        client = end.client - start.client
        postgres = end.postgres - start.postgres if end.postgres is not None and start.postgres is not None else 0.0
        other = max(0.0, (end.busy - start.busy) - gunicorn - client - postgres)
        per_request = (gunicorn + client + postgres) * 1000 / len(counted)
        server = "" if end.postgres is None else f"the PostgreSQL server {postgres * 1000 / len(counted):.2f} ms, "
        print(
            f"  CPU per request: gunicorn workers {gunicorn * 1000 / len(counted):.2f} ms, {server}"
            f"these clients {client * 1000 / len(counted):.2f} ms; "
            f"{per_request:.2f} ms in all, so {cpus} CPUs alone would serve at most "
            f"{cpus * 1000 / per_request:,.0f} requests/s"
        )
        # Anything else running meanwhile (another test run, a build) took CPU from the measurement.
        print(f"  other processes used {other / (wall * cpus):.0%} of the machine meanwhile")
        cpu_ms = f" cpu_ms={per_request:.2f} other_load={other / (wall * cpus):.2f}"
    met = rps >= TARGET_RPS and total["p99"] < TARGET_P99_MS and total["errors"] == 0
    print(
        f"  issue 13's target (>= {TARGET_RPS} requests/s, p99 < {TARGET_P99_MS} ms, 0 errors): "
        f"{'met' if met else 'NOT met'}"
    )
    for failure in sorted(set(load.failures))[:10]:
        print(f"  error: {failure}")
    print()
    print(
        f"BENCH-API rps={rps:.1f} p50_ms={total['p50']:.1f} p90_ms={total['p90']:.1f} p99_ms={total['p99']:.1f} "
        f"max_ms={total['max']:.1f} errors={total['errors']} not_modified={total['not_modified']:.3f} "
        f"clients={args.clients} db={database.lower()} etag={'off' if args.no_etag else 'on'} "
        f"server={','.join(o.removeprefix('--') for o in options if o != 'config.wsgi')}{cpu_ms}"
    )


def main() -> None:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-api-"))
    database_url = f"sqlite:///{work / 'bench.sqlite3'}" if args.sqlite else args.pg_url
    env = server_env(database_url=database_url, secret_key=secrets.token_urlsafe(50), log_dir=work / "logs")
    process: subprocess.Popen[bytes] | None = None
    stop = threading.Event()
    try:
        print(f"preparing {'a SQLite file' if args.sqlite else database_url} ...", file=sys.stderr)
        if not args.sqlite:
            create_postgres(database_url)
        setup_django(env)
        migrate()
        seeded = seed(jobs=args.jobs)
        port = free_port()
        command = gunicorn_command(args, port)
        # The measured store's bodies must be what the worker renders: start after seeding.
        process = start_gunicorn(command, env, work / "gunicorn.log")
        asyncio.run(wait_until_up(port, process))
        print(f"loading {port} with {args.clients} clients for {args.warmup + args.seconds:g} s ...", file=sys.stderr)
        moves: list[int] = []
        mover = threading.Thread(
            target=lambda: moves.append(
                move_counters(job_id=seeded.processing_job_id, rate=args.updates_per_second, stop=stop)
            )
        )
        mover.start()
        try:
            load, measured_from = asyncio.run(run_load(args, port, process.pid, seeded.password, seeded))
        finally:
            stop.set()
            mover.join()
        report(args, load, measured_from, command, moves[0] if moves else 0)
    finally:
        stop.set()
        if process is not None:
            stop_gunicorn(process)
            log = (work / "gunicorn.log").read_text(errors="replace")
            if "Traceback" in log or "[CRITICAL]" in log:
                print(f"gunicorn log:\n{log[-3000:]}", file=sys.stderr)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.sqlite:
            drop_postgres(database_url)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
