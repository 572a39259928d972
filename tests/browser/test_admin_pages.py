"""The admin side in a real browser: an admin starts an import for the demo store from
/admin/marketplace, follows it in /admin/imports filtered to their own jobs, watches it
finish without a reload, and opens its errors. Saves the README's admin screenshots."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from marketplace.models import MarketplaceImportJob

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
Status = MarketplaceImportJob.Status
FINAL = "completed,completed_with_errors,failed,cancelled"


@pytest.fixture
def start_worker(transactional_db, tmp_path, monkeypatch, settings) -> Iterator[Callable[[], None]]:
    """Like the `qcluster` fixture, but the worker starts when the test says so.

    Until then a queued job stays pending, so the test sees /admin/imports follow it from
    pending to finished. Tasks are queued for a worker (not run inline) from the start.
    The worker logs into a file of its own, which /admin/logs then reads: the shared
    logs/app.log holds other tests' jobs with the same ids.
    """
    from tests.worker import running_qcluster

    monkeypatch.setattr("django_q.conf.Conf.SYNC", False)
    log_dir = tmp_path / "logs"
    settings.LOG_FILE = log_dir / "app.log"
    with ExitStack() as stack:
        yield lambda: stack.enter_context(
            running_qcluster(log_path=tmp_path / "qcluster.log", extra_env={"DJANGO_LOG_DIR": str(log_dir)})
        )


@pytest.fixture
def demo(live_server, demo_feeds, settings):
    """seed_demo pointing the demo store's Quick Fill URLs at the live server's /demo-feeds/."""
    netloc = urlsplit(live_server.url).netloc
    settings.MARKETPLACE_FETCH_ALLOWED_HOSTS = [*settings.MARKETPLACE_FETCH_ALLOWED_HOSTS, netloc]
    settings.ADMIN_IMPORTS_REFRESH_SECONDS = 2
    settings.ADMIN_MARKETPLACE_REFRESH_SECONDS = 1
    call_command("seed_demo", "--base-url", live_server.url, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return live_server


def _row(job_id: int) -> str:
    return f'#imports-table tr[data-job-id="{job_id}"]'


def test_an_admin_imports_for_the_demo_store_and_watches_it_finish(page, login, screenshot, demo, start_worker):
    # An admin lands on the admin's Dashboard, with the import statistics and the platform's pages.
    login(page, "admin", "demo-admin-pass")
    page.wait_for_url("**/admin/")
    assert page.locator(".platform-dashboard .stat-card").count() == 6

    # Marketplace Import: choose the store, Quick Fill the French feed, start.
    page.locator("#content-main .platform-nav").get_by_role("link", name="Marketplace Import").click()
    page.wait_for_url("**/admin/marketplace")
    page.get_by_label("Store:").select_option(label="Maison Demo (demo)")
    assert page.get_by_label("Language").input_value() == "fr"  # the store's default language
    page.get_by_role("button", name="French").click()
    assert page.get_by_label("CSV feed URL").input_value() == f"{demo.url}/demo-feeds/letzshop-fr.csv"
    page.get_by_label("Batch size").fill("100")
    page.get_by_role("button", name="Start import").click()
    page.wait_for_selector(".messagelist .success")
    screenshot(page, "admin-marketplace-desktop")
    job = MarketplaceImportJob.objects.get()
    assert (job.store.code, job.language, job.batch_size, job.user.username) == ("demo", "fr", 100, "admin")
    assert page.locator(f'#my-jobs-table tr[data-job-id="{job.pk}"]').get_attribute("data-status") == "pending"

    # Follow it to Import Jobs and keep only my jobs.
    page.get_by_role("link", name="Import Jobs").first.click()
    page.wait_for_url("**/admin/imports")
    page.get_by_label("Created by").select_option("me")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/admin/imports?*creator=me*")
    assert page.locator(_row(job.pk)).get_attribute("data-status") == "pending"
    assert page.locator("#imports-live").get_attribute("hx-trigger") == "every 2s"
    # From here on nothing reloads the page: a reload would drop this marker.
    page.evaluate("window.__noReload = 'still here'")

    start_worker()
    page.wait_for_function(
        "([sel, finals]) => finals.split(',').includes(document.querySelector(sel)?.dataset.status)",
        arg=[_row(job.pk), FINAL],
        timeout=90_000,
    )
    job.refresh_from_db()
    assert job.status == Status.COMPLETED_WITH_ERRORS, job.error_message
    assert page.evaluate("window.__noReload") == "still here"
    row = page.locator(_row(job.pk))
    assert "Completed with errors" in row.inner_text()
    assert "Maison Demo" in row.inner_text() and "admin" in row.inner_text()
    card = page.locator('#imports-live [data-stat="completed_with_errors"] .stat-value')
    assert card.inner_text() == "1"
    # Nothing active any more: the page stops polling.
    assert page.locator("#imports-live").get_attribute("hx-trigger") is None
    screenshot(page, "admin-imports-desktop")

    # The job's details and its errors.
    row.get_by_role("link", name=f"#{job.pk}").click()
    page.wait_for_url(f"**/admin/imports/{job.pk}")
    errors = page.locator("#errors-table tbody tr")
    assert errors.count() == job.error_count + job.warning_count
    assert "LS-00010" in page.locator("#errors-table").inner_text()  # the row without a title
    screenshot(page, "admin-import-errors-desktop")
    page.locator("#error-viewer").get_by_label("Severity").select_option("warning")
    page.locator("#error-viewer").get_by_role("button", name="Show").click()
    page.wait_for_function("() => !document.querySelector('#errors-table tbody tr[data-severity=error]')")
    assert errors.count() == job.warning_count
    assert page.evaluate("window.__noReload") is None  # a new page since the click on the job

    # The job's log lines.
    page.get_by_role("link", name="Log lines").click()
    page.wait_for_url(f"**/admin/logs?job={job.pk}")
    assert page.locator("#log-table tbody tr").count() >= 1
    assert "Import started" in page.locator("#log-table").inner_text()
    screenshot(page, "admin-logs-desktop")

    # The store's settings, reached from the job.
    page.goto("/admin/stores/demo/edit")
    assert page.get_by_label("French feed URL").input_value() == f"{demo.url}/demo-feeds/letzshop-fr.csv"
    screenshot(page, "admin-store-edit-desktop")

    # Back on the Dashboard, the statistics count the finished import.
    page.get_by_role("navigation", name="Sidebar").get_by_role("link", name="Dashboard").click()
    page.wait_for_url("**/admin/")
    assert page.locator('.platform-dashboard [data-stat="completed_with_errors"] .stat-value').inner_text() == "1"
    screenshot(page, "admin-dashboard-desktop")


@pytest.mark.parametrize("width", [1280, 900])
def test_application_logs_wrap_long_messages_inside_the_page(page, login, admin_user, settings, tmp_path, width):
    settings.LOG_FILE = tmp_path / "app.log"
    url = "https://feeds.example.lu/" + "very-long-path-segment-" * 12 + "feed.csv"
    settings.LOG_FILE.write_text(
        f"2026-11-27 04:00:00,000 ERROR [job=7] marketplace.importing.fetching: Download of {url} failed\n"
        "Traceback (most recent call last):\n"
        f'  File "/srv/app/{"deeply/nested/" * 12}fetching.py", line 42, in fetch_feed\n'
        f"    raise FetchError({url!r})\n"
        "2026-11-27 04:00:01,000 INFO [job=7] marketplace.importing.pipeline: " + "x" * 400 + "\n",
        encoding="utf-8",
    )
    page.set_viewport_size({"width": width, "height": 900})
    login(page, admin_user.username)
    page.goto("/admin/logs")
    page.wait_for_selector("#log-table")

    layout = page.evaluate(
        """() => {
            const table = document.querySelector('#log-table').getBoundingClientRect();
            const content = document.querySelector('#content').getBoundingClientRect();
            return {table: table.right, content: content.right,
                    scroll: document.documentElement.scrollWidth, width: document.documentElement.clientWidth};
        }"""
    )
    assert layout["table"] <= layout["content"] + 1, layout
    assert layout["scroll"] <= layout["width"], layout
    assert page.get_by_text(url).first.is_visible()
