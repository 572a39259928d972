"""/admin/imports and its neighbours with 100,000 jobs: every page stays under a second.

Seeding takes a while, so this runs only with RUN_VOLUME=1 (VOLUME_JOBS sets the count):

    RUN_VOLUME=1 DATABASE_URL=postgres://... .venv/bin/pytest tests/admin_pages/test_volume.py -s

benchmarks/admin_imports.py runs the same seeding and timings against a scratch database.
"""

from __future__ import annotations

import os
import time

import pytest
from django.db import connection

from benchmarks.admin_imports import PAGES_PER_PAGE, format_results, page_urls, seed_jobs, time_pages

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not os.environ.get("RUN_VOLUME"), reason="volume test: set RUN_VOLUME=1"),
]
JOBS = int(os.environ.get("VOLUME_JOBS", "100000"))
BUDGET_MS = 1000


def test_the_monitoring_pages_stay_fast_with_100k_jobs(admin_client_root, admin_user):
    started = time.perf_counter()
    seeded = seed_jobs(jobs=JOBS, admin_user=admin_user)
    seconds = time.perf_counter() - started
    total = seeded["total"]

    results = time_pages(admin_client_root, page_urls(store_id=seeded["store"].pk, total=total))

    report = f"{connection.vendor}: {total} jobs seeded in {seconds:.1f} s, load {os.getloadavg()[0]:.1f}\n"
    report += format_results(results)
    print("\n" + report)
    response = admin_client_root.get("/admin/imports")
    assert response.context["stats"]["total"] == total
    assert response.context["page_obj"].paginator.num_pages == -(-total // PAGES_PER_PAGE)
    slow = [row["name"] for row in results if row["ms"] > BUDGET_MS]
    assert not slow, f"slower than {BUDGET_MS} ms: {slow}\n{report}"
