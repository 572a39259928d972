"""End to end: API clients import a feed served over HTTP on loopback, run by a real worker.

A JWT client starts the import, a real `qcluster` downloads and imports the feed, the client
polls the job until it has finished and reads its errors. Then the example client script,
written only from the guide's API Quick Reference and SPEC section 6, runs unchanged
against a live server.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from marketplace.models import MarketplaceProduct
from tests.api.conftest import ADMIN_API, STORE_API, obtain_tokens

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
FINISHED = {"completed", "completed_with_errors", "failed", "cancelled"}
# Ten products; row 4 has no title and row 7 an unreadable price (errors: skipped);
# row 9's GTIN has a bad check digit (a warning: the product is kept without it).
FEED = (
    "id,title,description,link,image_link,price,availability,brand,gtin\n"
    "P-1,Cafetière,Verre,https://shop.lu/p1,https://shop.lu/p1.jpg,29.99 EUR,in stock,Moselle,4006381333931\n"
    'P-2,Théière,Fonte,https://shop.lu/p2,https://shop.lu/p2.jpg,"19,50 EUR",out of stock,Moselle,\n'
    "P-3,,Sans titre,https://shop.lu/p3,https://shop.lu/p3.jpg,9.00 EUR,in stock,Moselle,\n"
    "P-4,Tasse,Porcelaine,https://shop.lu/p4,https://shop.lu/p4.jpg,5 EUR,preorder,Moselle,\n"
    "P-5,Sous-tasse,Porcelaine,https://shop.lu/p5,https://shop.lu/p5.jpg,3.50 EUR,in stock,Moselle,\n"
    "P-6,Bol,Grès,https://shop.lu/p6,https://shop.lu/p6.jpg,a lot,in stock,Moselle,\n"
    "P-7,Assiette,Grès,https://shop.lu/p7,https://shop.lu/p7.jpg,12.00 EUR,in stock,Moselle,\n"
    "P-8,Plat,Grès,https://shop.lu/p8,https://shop.lu/p8.jpg,24.00 EUR,in stock,Moselle,4006381333932\n"
    "P-9,Pichet,Verre,https://shop.lu/p9,https://shop.lu/p9.jpg,15.00 EUR,in stock,Moselle,\n"
    "P-10,Carafe,Verre,https://shop.lu/p10,https://shop.lu/p10.jpg,18.00 EUR,backorder,Moselle,\n"
).encode()


def _poll(client: APIClient, path: str, *, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(path).json()
        if job["status"] in FINISHED:
            return job
        time.sleep(0.5)
    raise AssertionError(f"the import at {path} did not finish within {timeout} s")


def test_a_jwt_client_imports_a_feed_over_http_and_reads_its_errors(feed_server, qcluster, store, owner, password):
    feed_server.route("/letzshop-fr.csv", FEED, headers={"Content-Type": "text/csv; charset=utf-8"})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(owner, password, store_code='alpha')['access']}")

    started = client.post(
        f"{STORE_API}/import",
        {
            "source_url": feed_server.url("/letzshop-fr.csv"),
            "marketplace": "Letzshop",
            "batch_size": 100,
            "language": "fr",
        },
        format="json",
    )
    assert started.status_code == 202, started.content
    job_id = started.json()["job_id"]
    job = _poll(client, f"{STORE_API}/imports/{job_id}")

    assert job["status"] == "completed_with_errors", job["error_message"]
    assert (job["total_processed"], job["imported_count"], job["error_count"]) == (10, 8, 2)
    assert job["warning_count"] == 1
    assert (job["progress_percent"], job["detected_delimiter"]) == (100, ",")
    assert job["detected_encoding"].startswith("utf-8")
    assert job["started_at"] and job["completed_at"] and job["duration_seconds"] is not None
    assert feed_server.paths == ["/letzshop-fr.csv"]
    assert MarketplaceProduct.objects.filter(store=store).count() == 8

    errors = client.get(f"{STORE_API}/imports/{job_id}/errors", {"severity": "error"}).json()
    assert [(e["row_number"], e["error_type"], e["identifier"]) for e in errors["items"]] == [
        (4, "missing_title", "P-3"),
        (7, "parse_error", "P-6"),
    ]
    warnings = client.get(f"{STORE_API}/imports/{job_id}/errors?severity=warning").json()
    assert [(w["row_number"], w["field"]) for w in warnings["items"]] == [(9, "gtin")]
    exported = client.get(f"{STORE_API}/imports/{job_id}/errors.csv")
    assert b"".join(exported.streaming_content).decode("utf-8-sig").count("\r\n") == 1 + 3
    listed = client.get(f"{STORE_API}/imports").json()
    assert [item["id"] for item in listed["items"]] == [job_id]


def test_the_example_client_written_from_the_guide_runs_unchanged(
    live_server, feed_server, qcluster, store, owner, admin_user, password
):
    feed_server.route("/feed.csv", FEED, headers={"Content-Type": "text/csv"})

    result = subprocess.run(
        [
            sys.executable,
            "scripts/api_client_example.py",
            "--base-url",
            live_server.url,
            "--username",
            owner.username,
            "--password",
            password,
            "--store-code",
            "alpha",
            "--source-url",
            feed_server.url("/feed.csv"),
            "--language",
            "de",
            "--batch-size",
            "100",
            "--timeout",
            "120",
            "--admin-username",
            admin_user.username,
            "--admin-password",
            password,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "completed_with_errors: 100%" in result.stdout
    assert "row 4 [error] missing_title 'P-3'" in result.stdout
    assert "the store has 1 import(s)" in result.stdout
    assert '"completed_with_errors": 1' in result.stdout
    assert "started by alice" in result.stdout


def test_the_admin_api_polls_a_worker_import_to_its_end(feed_server, qcluster, store, admin_user, password):
    feed_server.route("/feed.csv", FEED, headers={"Content-Type": "text/csv"})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {obtain_tokens(admin_user, password)['access']}")

    started = client.post(
        ADMIN_API,
        {"store_id": store.pk, "source_url": feed_server.url("/feed.csv"), "language": "en", "batch_size": 100},
        format="json",
    )
    job = _poll(client, f"{ADMIN_API}/{started.json()['job_id']}")

    assert (job["status"], job["imported_count"], job["created_by"]) == ("completed_with_errors", 8, "root")
    assert client.get(f"{ADMIN_API}/stats").json()["completed_with_errors"] == 1
