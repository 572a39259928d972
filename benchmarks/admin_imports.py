"""Time the admin's monitoring pages over a large job table.

Seeds N import jobs (default 100,000) over 200 stores and 21 creators, spread over a
year, then requests /admin/imports and its neighbours as a superuser and prints the best
of three timings and the query count of each. Use a scratch database:

    createdb letzshop_bench_admin
    export DJANGO_DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/letzshop_bench_admin
    .venv/bin/python manage.py migrate
    .venv/bin/python -m benchmarks.admin_imports --jobs 100000

The seeding is skipped when the table already holds the jobs; --reseed starts over.
tests/admin_pages/test_volume.py runs the same seeding and timings as a test (RUN_VOLUME=1).
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import timedelta
from typing import Any

PAGES_PER_PAGE = 25
STORES = 200
CREATORS = 20
SEED_PREFIX = "vol-"


def seed_jobs(*, jobs: int, admin_user: Any) -> dict[str, Any]:
    """Bulk-create `jobs` finished jobs plus five active ones; return the stores and the total.

    created_at is set explicitly (the field's auto_now_add is bypassed for the seeding) so
    the jobs spread over a year like real history.
    """
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from marketplace.models import MarketplaceImportJob
    from stores.models import Store

    status = MarketplaceImportJob.Status
    rng = random.Random(6)
    stores = Store.objects.bulk_create(Store(code=f"{SEED_PREFIX}{i}", name=f"Volume store {i}") for i in range(STORES))
    users = [admin_user, *User.objects.bulk_create(User(username=f"{SEED_PREFIX}user-{i}") for i in range(CREATORS))]
    finished = [status.COMPLETED] * 6 + [status.COMPLETED_WITH_ERRORS] * 2 + [status.FAILED, status.CANCELLED]
    created_at = MarketplaceImportJob._meta.get_field("created_at")
    now = timezone.now()
    created_at.auto_now_add = False
    try:
        batch: list[MarketplaceImportJob] = []
        for n in range(jobs):
            created = now - timedelta(minutes=(jobs - n) * 5)
            batch.append(
                MarketplaceImportJob(
                    store=stores[rng.randrange(STORES)],
                    user=users[rng.randrange(len(users))],
                    source_url=f"https://feeds.example.lu/{n}.csv",
                    language=rng.choice(["fr", "en", "de"]),
                    batch_size=1000,
                    status=rng.choice(finished),
                    imported_count=rng.randrange(5000),
                    error_count=rng.randrange(10),
                    total_processed=5000,
                    created_at=created,
                    started_at=created,
                    completed_at=created + timedelta(seconds=rng.randrange(600)),
                )
            )
            if len(batch) == 5000:
                MarketplaceImportJob.objects.bulk_create(batch)
                batch = []
        MarketplaceImportJob.objects.bulk_create(batch)
    finally:
        created_at.auto_now_add = True
    # A few active jobs (one per store and language), so the pages poll.
    for store in stores[:5]:
        MarketplaceImportJob.objects.create(
            store=store,
            user=admin_user,
            source_url="https://feeds.example.lu/a.csv",
            language="fr",
            status=status.PROCESSING,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE marketplace_import_jobs" if connection.vendor == "postgresql" else "ANALYZE")
    return {"store": stores[7], "total": jobs + 5}


def page_urls(*, store_id: int, total: int) -> dict[str, str]:
    return {
        "imports": "/admin/imports",
        "imports page 2": "/admin/imports?page=2",
        "imports middle page": f"/admin/imports?page={total // PAGES_PER_PAGE // 2}",
        "imports last page": f"/admin/imports?page={total // PAGES_PER_PAGE + 1}",
        "imports store": f"/admin/imports?store={store_id}",
        "imports mine": "/admin/imports?creator=me",
        "imports failed": "/admin/imports?status=failed",
        "imports active": "/admin/imports?status=active",
        "imports live partial": "/admin/imports/live?page=1",
        "dashboard": "/admin/",
        "admin marketplace": "/admin/marketplace",
        "job changelist": "/admin/marketplace/marketplaceimportjob/",
        "job changelist store": f"/admin/marketplace/marketplaceimportjob/?store__id__exact={store_id}",
    }


def time_pages(client: Any, urls: dict[str, str], *, repeat: int = 3) -> list[dict[str, Any]]:
    """Best-of-`repeat` wall time and the query count of each page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(urls["imports"])  # warm the template cache and the session
    results = []
    for name, url in urls.items():
        timings = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise AssertionError(f"{url} answered {response.status_code}")
        sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
        results.append(
            {
                "name": name,
                "url": url,
                "ms": min(timings) * 1000,
                "queries": len(ctx.captured_queries),
                "sql_ms": sql_ms,
            }
        )
    return results


def format_results(results: list[dict[str, Any]]) -> str:
    lines = [f"  {'page':<22} {'best':>9} {'SQL':>9}  queries"]
    for row in results:
        lines.append(f"  {row['name']:<22} {row['ms']:7.1f}ms {row['sql_ms']:7.1f}ms  {row['queries']}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--reseed", action="store_true", help="delete the seeded stores and jobs first")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from marketplace.models import MarketplaceImportJob
    from stores.models import Store

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.DEBUG = False  # no SQL collection outside CaptureQueriesContext
    admin_user, _ = User.objects.get_or_create(
        username=f"{SEED_PREFIX}admin", defaults={"is_staff": True, "is_superuser": True}
    )
    if args.reseed:
        Store.objects.filter(code__startswith=SEED_PREFIX).delete()
        User.objects.filter(username__startswith=f"{SEED_PREFIX}user-").delete()
    store = Store.objects.filter(code=f"{SEED_PREFIX}7").first()
    if store is None:
        started = time.perf_counter()
        seeded = seed_jobs(jobs=args.jobs, admin_user=admin_user)
        print(f"seeded {seeded['total']} jobs in {time.perf_counter() - started:.1f} s")
        store = seeded["store"]
    total = MarketplaceImportJob.objects.count()
    client = Client()
    client.force_login(admin_user)
    print(f"{connection.vendor}: {total} jobs, load average {os.getloadavg()[0]:.1f}")
    print(format_results(time_pages(client, page_urls(store_id=store.pk, total=total))))


if __name__ == "__main__":
    main()
