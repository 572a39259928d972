"""The owner schedules the French feed on the Settings page, fetches it now, and an admin
finds it on the Feeds page. Saves the README's feed-sync screenshots."""

from __future__ import annotations

import re

import pytest

from feeds.models import StoreFeed
from marketplace.models import MarketplaceImportJob
from tests.feeds.conftest import FeedEndpoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_schedules_the_french_feed_daily_and_fetches_it_now(
    live_server, page, new_page, login, screenshot, store, owner, admin_user, feed_server
):
    endpoint = FeedEndpoint(feed_server)
    login(page, "alice")
    page.get_by_role("navigation", name="Store").get_by_role("link", name="Settings").click()
    french = page.locator("#feed-fr")
    assert french.locator(".feed-state").inner_text() == "Off"

    # A daily schedule without its time is refused beside the time, and nothing is saved.
    page.get_by_label("French feed URL").fill(endpoint.url)
    french.get_by_label("Daily at").check()
    page.get_by_role("button", name="Save settings").click()
    error = page.locator("#fr-daily_at-errors")
    assert error.inner_text() == "A daily schedule needs a time (HH:MM, Luxembourg time)."
    assert (
        french.get_by_label("French: time of the daily fetch, Luxembourg time").get_attribute("aria-invalid") == "true"
    )
    assert StoreFeed.objects.get(store=store, language="fr").schedule == "off"

    french = page.locator("#feed-fr")
    french.get_by_label("French: time of the daily fetch, Luxembourg time").fill("06:30")
    page.get_by_role("button", name="Save settings").click()
    assert "Settings saved." in page.locator(".msg-success").inner_text()
    french = page.locator("#feed-fr")
    next_run = french.locator(".feed-next-run").inner_text()
    assert re.fullmatch(r"\w{3} \d{1,2} \w{3} 06:30", next_run), next_run
    assert french.locator(".feed-state").inner_text() == "OK"
    assert french.get_by_label("Daily at").is_checked()
    feed = StoreFeed.objects.get(store=store, language="fr")
    assert (feed.schedule, feed.daily_at.strftime("%H:%M")) == ("daily", "06:30")

    # Fetch now: the feed changed (first check), so an import starts; the message links to it.
    french.get_by_role("button", name="Fetch now").click()
    message = page.locator(".msg-success")
    job = MarketplaceImportJob.objects.get()
    assert message.inner_text() == f"French feed changed: Import #{job.pk} started."
    assert message.get_by_role("link", name=f"Import #{job.pk}").get_attribute("href") == (
        f"/store/{store.code}/marketplace/jobs/{job.pk}"
    )
    french = page.locator("#feed-fr")
    assert f"Import #{job.pk}" in french.locator(".feed-health").inner_text()
    screenshot.both(page, "feed-settings")

    # The admin sees the feed on the Feeds page of Platform Monitoring.
    admin_page = new_page()
    login(admin_page, admin_user.username)
    admin_page.goto("/admin/imports")
    admin_page.get_by_role("navigation", name="Sidebar").get_by_role("link", name="Feeds").click()
    admin_page.wait_for_url("**/admin/feeds")
    row = admin_page.locator(f'#feeds-table tr[data-feed-id="{feed.pk}"]')
    assert "Alpha Store" in row.inner_text() and "Daily at 06:30" in row.inner_text()
    assert row.get_by_role("link", name=f"#{job.pk}").get_attribute("href") == f"/admin/imports/{job.pk}"
    screenshot(admin_page, "admin-feeds-desktop")

    # Its store link opens the admin store edit page at that feed, with the same schedule and health.
    row.get_by_role("link", name="Alpha Store").click()
    admin_page.wait_for_url(f"**/admin/stores/{store.code}/edit#feed-fr")
    admin_french = admin_page.locator("#feed-fr")
    assert admin_french.locator(".feed-state").inner_text() == "OK"
    assert admin_french.get_by_label("Daily at").is_checked()
    assert admin_french.locator(".feed-next-run").inner_text() == next_run
    admin_job_link = admin_french.get_by_role("link", name=f"Import #{job.pk}")
    assert admin_job_link.get_attribute("href") == f"/admin/imports/{job.pk}"
    screenshot(admin_page, "admin-store-feeds-desktop")
