"""SPEC 11 in a real browser, with a real worker: an owner uploads the complete catalog
twice ("this file is my complete catalog" ticked), the second time shrunken to 40% of its
rows; the safety net holds the removal, the dashboard's banner shows the count and a
sample, the owner clicks "Keep them" and the banner goes. Saves the README's screenshots."""

from __future__ import annotations

import csv
import io
import time

import pytest

from marketplace.models import MarketplaceImportJob, MarketplaceProduct

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
FINAL = ("completed", "completed_with_errors", "failed", "cancelled")


def _feed(tmp_path, numbers, name):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["id", "title", "description", "price", "availability", "brand"])
    for n in numbers:
        writer.writerow([f"LS-{n:03d}", f"Moselle Riesling {n}", "Dry white wine.", f"{n}.50 EUR", "in stock", "Caves"])
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _upload(page, store, path):
    page.goto(f"/store/{store.code}/marketplace")
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_language", "fr")
    page.check("#id_complete_catalog")
    page.click("#start-import")
    page.wait_for_url(f"**/store/{store.code}/marketplace#history")
    job = MarketplaceImportJob.objects.filter(store=store).order_by("-id").first()
    deadline = time.monotonic() + 60
    while job.status not in FINAL:
        assert time.monotonic() < deadline, "the worker did not finish the import"
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.status == "completed", job.error_message
    assert job.is_full_feed
    return job


def test_a_shrunken_feed_is_held_and_the_owner_keeps_the_products(
    page, login, screenshot, live_server, qcluster, store, owner, tmp_path
):
    login(page, owner.username)
    _upload(page, store, _feed(tmp_path, range(1, 21), "all.csv"))
    held = _upload(page, store, _feed(tmp_path, range(1, 9), "shrunken.csv"))
    assert held.removal_held

    page.goto(f"/store/{store.code}/")
    banner = page.get_by_test_id("removal-banner")
    banner.wait_for()
    assert banner.get_by_test_id("removal-count").inner_text() == "12"
    assert "Moselle Riesling 9 (LS-009)" in banner.inner_text()
    screenshot.both(page, "missing-products-held-banner")

    page.goto(f"/store/{store.code}/marketplace/jobs/{held.pk}")
    page.get_by_test_id("presence-held").wait_for()
    screenshot(page, "missing-products-job-page")

    page.goto(f"/store/{store.code}/")
    page.get_by_test_id("removal-banner").get_by_test_id("removal-keep").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("removal-banner").count() == 0
    assert "Kept" in page.locator("body").inner_text()
    held.refresh_from_db()
    assert (held.removal, held.removal_held) == ("kept", False)
    assert not MarketplaceProduct.objects.filter(store=store, missing_since__isnull=False).exists()
