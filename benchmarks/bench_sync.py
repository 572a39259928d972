"""`make bench-sync`: the feed sync at scale (issue 16), two clusters on Redis and PostgreSQL.

    python -m benchmarks.bench_sync [--stores 2000] [--explain-stores 10000] [--rows 100000] [--pg-url URL]

1. A throw-away PostgreSQL database (BENCH_SYNC_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/letzshop_bench_sync_<pid>; dropped at the end) and a
   private `redis-server` on a free loopback port (the shared one is not touched).
2. --stores stores, each with a small English feed on one threaded loopback HTTP server
   that counts requests. Even stores' feeds were imported before (the feed keeps their
   ETag) and the server answers 304 to their If-None-Match; odd stores' feeds are new.
   All are due in the same minute.
3. Two `manage.py qcluster` processes (two hosts in miniature, 2 workers each). Four
   dispatcher tasks are enqueued at the same moment, so both clusters run the dispatcher
   at once, and the clusters' own schedule runs it too; then wait until every feed was
   checked, every import finished and the queue is empty.
4. Count: requests per feed (a second request to one feed is a duplicate), jobs per store.
5. Before the run, the other stores up to --explain-stores are added (their feeds due
   later, or off), ANALYZE, and the dispatcher's query is EXPLAINed (ANALYZE) as it runs
   at that minute: it must be an index scan on feed_due_idx.
6. The cost of an unchanged --rows feed to one check (issue 16 item 3): a 304, and a
   server without conditional requests whose body hashes to the last import's.
Prints `SYNC stores=... due=... fetched=... jobs=... duplicates=0 drain_s=... dispatcher_ms=...`,
the EXPLAIN, and `SYNC_UNCHANGED rows=... not_modified_s=... same_body_s=...`.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import hashlib
import io
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchmarks.bench_api import create_postgres, drop_postgres

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/letzshop_bench_sync"
SMALL_FEED = b"id,title,price,availability\nsku-1,Lamp,19.99 EUR,in stock\nsku-2,Chair,49.00 EUR,in stock\n"
# Issue 16 item 3: worker time per scheduled run of an unchanged 100,000-row feed.
TARGET_NOT_MODIFIED_S = 0.3
TARGET_SAME_BODY_S = 1.0
DISPATCHERS = 4
DRAIN_TIMEOUT = 1200


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stores", type=int, default=2000)
    parser.add_argument("--explain-stores", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2, help="workers per cluster")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_SYNC_DATABASE_URL", f"{DEFAULT_PG}_{os.getpid()}"))
    return parser.parse_args()


# --- the feed server ---------------------------------------------------------------------------


class FeedServer:
    """/feed/<n>.csv: even n supports If-None-Match (ETag "e<n>"), odd n does not.
    /big.csv and /big-plain.csv: the large feed, with and without conditional support."""

    def __init__(self, big: bytes) -> None:
        self.big = big
        self.counts: collections.Counter[str] = collections.Counter()
        self.not_modified = 0
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path
                with owner._lock:
                    owner.counts[path] += 1
                match = re.fullmatch(r"/feed/(\d+)\.csv", path)
                etag = ""
                if match:
                    number = int(match.group(1))
                    body = SMALL_FEED.replace(b"sku-", f"s{number}-".encode())
                    etag = f'"e{number}"' if number % 2 == 0 else ""
                elif path == "/big.csv":
                    body, etag = owner.big, '"big"'
                elif path == "/big-plain.csv":
                    body = owner.big
                else:
                    self.send_error(404)
                    return
                if etag and self.headers.get("If-None-Match") == etag:
                    with owner._lock:
                        owner.not_modified += 1
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(body)))
                if etag:
                    self.send_header("ETag", etag)
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.request_queue_size = 256
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def netloc(self) -> str:
        return f"127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return f"http://{self.netloc}{path}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_redis(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return process
        time.sleep(0.05)
    process.kill()
    raise SystemExit(f"redis-server did not start on port {port}")


def environment(*, database_url: str, redis_url: str, work: Path, allowed: str, workers: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_LOG_DIR=str(work / "logs"),
        DJANGO_MEDIA_ROOT=str(work / "media"),
        MARKETPLACE_FETCH_ALLOWED_HOSTS=allowed,
        # Each small import in the same process: a forked reader per 3-row feed costs more than it saves.
        MARKETPLACE_IMPORT_READER_PROCESS="0",
        Q_WORKERS=str(workers),
        PYTHONUNBUFFERED="1",
    )
    return env


def start_cluster(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_cluster(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_for_log(path: Path, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise SystemExit(f"{path.name}: no {text!r} within {timeout:.0f} s:\n{path.read_text(errors='replace')[-3000:]}")


# --- the measured steps --------------------------------------------------------------------------


def seed(*, stores: int, server: FeedServer) -> None:
    from django.utils import timezone

    from feeds.models import StoreFeed
    from stores.models import Store

    due = timezone.now() - timedelta(seconds=30)
    Store.objects.bulk_create(
        [
            Store(code=f"sync-{n}", name=f"Sync store {n}", letzshop_csv_url_en=server.url(f"/feed/{n}.csv"))
            for n in range(stores)
        ],
        batch_size=1000,
    )
    by_code = dict(Store.objects.filter(code__startswith="sync-").values_list("code", "id"))
    StoreFeed.objects.bulk_create(
        [
            StoreFeed(
                store_id=by_code[f"sync-{n}"],
                language="en",
                schedule=StoreFeed.Schedule.HOURS,
                every_hours=24,
                next_run_at=due,
                # Imported before: the server's ETag is kept, so it answers 304.
                etag=f'"e{n}"' if n % 2 == 0 else "",
            )
            for n in range(stores)
        ],
        batch_size=1000,
    )


def drained(*, since: Any, broker: Any) -> bool:
    from feeds.models import StoreFeed
    from marketplace.models import MarketplaceImportJob

    if broker.queue_size():
        return False
    if StoreFeed.objects.filter(store__code__startswith="sync-").filter(last_checked_at__isnull=True).exists():
        return False
    if StoreFeed.objects.filter(store__code__startswith="sync-", last_checked_at__lt=since).exists():
        return False
    return not MarketplaceImportJob.objects.filter(status__in=MarketplaceImportJob.ACTIVE_STATUSES).exists()


def dispatcher_runs(logs: list[Path]) -> list[tuple[str, int, float]]:
    runs = []
    for log in logs:
        for match in re.finditer(r"Dispatched (\d+) due feeds in (\d+) ms", log.read_text(errors="replace")):
            runs.append((log.stem, int(match.group(1)), float(match.group(2))))
    return runs


def seed_other_stores(*, total: int, existing: int) -> None:
    """Stores up to `total` whose feeds are not due in this run: most scheduled over the
    next 24 hours, a third off (no next run): what the index holds on a busy platform."""
    from django.utils import timezone

    from feeds.models import StoreFeed
    from stores.models import Store

    now = timezone.now()
    Store.objects.bulk_create(
        [Store(code=f"other-{n}", name=f"Other store {n}") for n in range(total - existing)], batch_size=2000
    )
    ids = list(Store.objects.filter(code__startswith="other-").values_list("id", flat=True))
    feeds = []
    for index, store_id in enumerate(ids):
        feeds.append(StoreFeed(store_id=store_id, language="de"))
        for offset, language in ((0, "fr"), (720, "en")):
            minutes = 60 + (index * 7 + offset) % 1380  # none due while the run lasts
            feeds.append(
                StoreFeed(
                    store_id=store_id,
                    language=language,
                    schedule=StoreFeed.Schedule.HOURS,
                    next_run_at=now + timedelta(minutes=minutes),
                )
            )
    StoreFeed.objects.bulk_create(feeds, batch_size=2000)


def explain() -> str:
    """The dispatcher's query as it runs at the minute the feeds are due."""
    from django.db import connection, transaction
    from django.utils import timezone

    from feeds.dispatch import due_feeds
    from feeds.models import StoreFeed
    from stores.models import Store

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE store_feeds")
    with transaction.atomic(), connection.cursor() as cursor:
        sql, params = due_feeds(now=timezone.now()).query.sql_with_params()
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)  # the locks only
    return f"EXPLAIN at stores={Store.objects.count()} feeds={StoreFeed.objects.count()}:\n{plan}"


def big_feed(rows: int) -> bytes:
    lines = ["id,title,description,price,availability,brand,gtin"]
    lines += [
        f"B-{n},Product {n},A sturdy product number {n} for the home,{n % 500 + 1}.99 EUR,in stock,Brand {n % 17},"
        for n in range(rows)
    ]
    return ("\n".join(lines) + "\n").encode()


def unchanged_cost(*, server: FeedServer, rows: int, repeat: int = 3) -> tuple[float, float]:
    """Best-of wall time of one scheduled check (what the worker's task runs) of an
    unchanged big feed: 304, then the hash path. The machine is shared: best of `repeat`."""
    from django.utils import timezone

    from feeds.models import StoreFeed
    from feeds.sync import feed_check
    from stores.models import Store

    sha = hashlib.sha256(server.big).hexdigest()
    timings: list[float] = []
    for path, etag in (("/big.csv", '"big"'), ("/big-plain.csv", "")):
        store = Store.objects.create(code=f"big{len(timings)}", name="Big", letzshop_csv_url_en=server.url(path))
        feed = StoreFeed.objects.create(
            store=store, language="en", schedule=StoreFeed.Schedule.HOURS, etag=etag, content_sha256=sha
        )
        best = float("inf")
        for _ in range(repeat):
            StoreFeed.objects.filter(pk=feed.pk).update(claimed_at=timezone.now())
            started = time.perf_counter()
            outcome = feed_check(feed_id=feed.pk)
            elapsed = time.perf_counter() - started
            if outcome.result != "unchanged":
                raise SystemExit(f"{path}: expected unchanged, got {outcome}")
            best = min(best, elapsed)
        timings.append(best)
    return timings[0], timings[1]


def main() -> None:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    print(f"building a {args.rows}-row feed ...", file=sys.stderr)
    server = FeedServer(big_feed(args.rows))
    server.start()
    redis_port = free_port()
    redis = start_redis(redis_port)
    clusters: list[subprocess.Popen[bytes]] = []
    env = environment(
        database_url=args.pg_url,
        redis_url=f"redis://127.0.0.1:{redis_port}/0",
        work=work,
        allowed=server.netloc,
        workers=args.workers,
    )
    try:
        print(f"preparing {args.pg_url} ...", file=sys.stderr)
        create_postgres(args.pg_url)
        os.environ.update(env)
        import django

        django.setup()
        import logging

        from django.core.management import call_command

        # The clusters log at INFO (the dispatcher's timing is read from there); this process quietly.
        logging.getLogger().setLevel(logging.WARNING)

        call_command("migrate", interactive=False, verbosity=0, skip_checks=True)
        call_command("setup_schedules", verbosity=0, stdout=io.StringIO())
        seed(stores=args.stores, server=server)
        seed_other_stores(total=args.explain_stores, existing=args.stores)
        plan = explain()

        from django.utils import timezone
        from django_q.brokers import get_broker
        from django_q.models import Schedule
        from django_q.tasks import async_task

        from marketplace.models import MarketplaceImportJob

        logs = [work / f"cluster-{n}.log" for n in (1, 2)]
        print("starting two clusters ...", file=sys.stderr)
        clusters = [start_cluster(env, log) for log in logs]
        for log in logs:
            wait_for_log(log, "running.", timeout=120)
        since = timezone.now()
        started = time.monotonic()
        # Both clusters' schedulers may pick the dispatcher now, and four workers race on it too.
        Schedule.objects.filter(name="dispatch-due-feeds").update(next_run=since - timedelta(seconds=1))
        for _ in range(DISPATCHERS):
            async_task("feeds.tasks.dispatch_due_feeds")
        broker = get_broker()
        print(f"dispatching {args.stores} due feeds ...", file=sys.stderr)
        deadline = time.monotonic() + DRAIN_TIMEOUT
        while not drained(since=since, broker=broker):
            if time.monotonic() > deadline:
                raise SystemExit("the queue did not drain in time")
            time.sleep(0.5)
        drain_s = time.monotonic() - started
        time.sleep(2)  # a duplicate delivery would show up now

        feed_paths = {path: count for path, count in server.counts.items() if path.startswith("/feed/")}
        fetched = sum(feed_paths.values())
        duplicates = sum(count - 1 for count in feed_paths.values())
        jobs_per_store = collections.Counter(
            MarketplaceImportJob.objects.filter(store__code__startswith="sync-").values_list("store_id", flat=True)
        )
        jobs = sum(jobs_per_store.values())
        duplicates += sum(count - 1 for count in jobs_per_store.values())
        finished = MarketplaceImportJob.objects.filter(status=MarketplaceImportJob.Status.COMPLETED).count()
        runs = dispatcher_runs(logs)
        dispatcher_ms = max((ms for _, count, ms in runs if count), default=0.0)
        per_cluster = ", ".join(f"{name}: {count} feeds in {ms:.0f} ms" for name, count, ms in runs if count)
        print(
            f"dispatcher runs that won claims: {per_cluster}; 304s: {server.not_modified}; "
            f"imports completed: {finished}/{jobs}",
            file=sys.stderr,
        )
        for cluster in clusters:
            stop_cluster(cluster)
        clusters = []
        print(
            f"SYNC stores={args.stores} due={args.stores} fetched={fetched} jobs={jobs} duplicates={duplicates} "
            f"drain_s={drain_s:.1f} dispatcher_ms={dispatcher_ms:.0f}"
        )
        print(plan)
        not_modified_s, same_body_s = unchanged_cost(server=server, rows=args.rows)
        print(f"SYNC_UNCHANGED rows={args.rows} not_modified_s={not_modified_s:.3f} same_body_s={same_body_s:.3f}")
        print(
            f"targets: not_modified_s < {TARGET_NOT_MODIFIED_S} "
            f"({'met' if not_modified_s < TARGET_NOT_MODIFIED_S else 'MISSED'}), same_body_s < {TARGET_SAME_BODY_S} "
            f"({'met' if same_body_s < TARGET_SAME_BODY_S else 'MISSED'})",
            file=sys.stderr,
        )
    finally:
        for cluster in clusters:
            stop_cluster(cluster)
        for log in work.glob("cluster-*.log"):
            text = log.read_text(errors="replace")
            if "Traceback" in text:
                print(f"{log.name} (tail):\n{text[-3000:]}", file=sys.stderr)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        with contextlib.suppress(Exception):
            drop_postgres(args.pg_url)
        redis.kill()
        redis.wait(timeout=10)
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
