"""The store portal in a real browser: a store owner imports the French feed and works through
its errors; a staff member only reads; an owner saves the feed URLs. Saves the README's screenshots."""

from __future__ import annotations

import csv
import io
import re

import pytest

from demo.feeds import demo_feed_bytes, demo_feed_rows
from marketplace.models import MarketplaceImportJob
from tests.factories.marketplace import MarketplaceImportErrorFactory, MarketplaceImportJobFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Status = MarketplaceImportJob.Status
FINAL = "completed,completed_with_errors,failed,cancelled"
FEED_ROWS = 1200


def french_feed() -> bytes:
    """The demo's French export (cp1252, semicolons, decimal commas), longer and with a title
    missing on every 20th row, so that the error viewer has several pages."""
    header = demo_feed_bytes("letzshop-fr.csv").decode("cp1252").split("\r\n", 1)[0].split(";")
    rows = demo_feed_rows("fr", rows=FEED_ROWS)
    for index in range(4, len(rows), 20):
        rows[index][1] = ""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("cp1252")


def slow_body(body: bytes, *, seconds: float, chunks: int = 20):
    """A handler that sends the body in pieces over a few seconds, like a slow shop server,
    so the import stays visibly in progress for a moment."""
    step = -(-len(body) // chunks)

    def handler(request) -> None:
        request.send_response(200)
        request.send_header("Content-Type", "text/csv; charset=windows-1252")
        request.send_header("Content-Length", str(len(body)))
        request.send_header("Connection", "close")
        request.end_headers()
        for start in range(0, len(body), step):
            request.wfile.write(body[start : start + step])
            request.wfile.flush()
            if request.server.stopping.wait(seconds / chunks):
                return

    return handler


def _count(page, job_id: int, name: str) -> str:
    return page.locator(f"#job-row-{job_id} [data-count={name}]").inner_text().strip()


@pytest.mark.worker
def test_an_owner_imports_the_french_feed_and_works_through_its_errors(
    page, login, screenshot, live_server, feed_server, qcluster, store, owner
):
    feed_server.handle("/letzshop-fr.csv", slow_body(french_feed(), seconds=3))
    store.letzshop_csv_url_fr = feed_server.url("/letzshop-fr.csv")
    store.save()

    # Log in: a store owner lands on the store's dashboard, which invites the first import.
    page.goto("/accounts/login/")
    screenshot.both(page, "login")
    login(page, "alice")
    assert page.url.endswith(f"/store/{store.code}/")
    assert page.get_by_role("heading", name="Import your first products").is_visible()
    screenshot.both(page, "dashboard-first-run")

    # The sidebar leads to the import page.
    page.get_by_role("navigation", name="Store").get_by_role("link", name="Marketplace Import").click()
    page.wait_for_url(f"**/store/{store.code}/marketplace")
    assert page.get_by_role("button", name="DE German").is_disabled()  # no German URL saved

    # Quick Fill (French) fills in the URL and the language.
    page.get_by_role("button", name="FR French").click()
    assert page.get_by_label("CSV feed URL").input_value() == store.letzshop_csv_url_fr
    assert page.get_by_label("Language").input_value() == "fr"
    assert page.evaluate("document.activeElement.id") == "id_source_url"
    page.get_by_label("Batch size").fill("100")
    screenshot.both(page, "marketplace-import")

    page.get_by_role("button", name="Start import").click()
    page.wait_for_selector(".msg-success")
    job = MarketplaceImportJob.objects.get(store=store)
    assert page.locator(".msg-success").inner_text().startswith(f"Import #{job.pk} of the French feed has started")
    row = f"#job-row-{job.pk}"
    # From here on nothing reloads the page: a reload would drop this marker.
    page.evaluate("window.__noReload = 'still here'")

    # The history follows the job on its own: first running, then finished with its counts.
    page.wait_for_selector(f"{row}[data-status=processing]", timeout=30_000)
    assert page.locator(f"{row} .badge").inner_text() == "Processing"
    screenshot(page, "marketplace-import-running-desktop", full_page=False)
    page.wait_for_function(
        "([sel, finals]) => finals.split(',').includes(document.querySelector(sel)?.dataset.status)",
        arg=[row, FINAL],
        timeout=90_000,
    )
    job.refresh_from_db()
    assert job.status == Status.COMPLETED_WITH_ERRORS, job.error_message
    assert page.evaluate("window.__noReload") == "still here"
    assert page.locator(f"{row} .badge").inner_text() == "Completed with errors"
    # The "has started" message does not outlive the job.
    assert page.locator(".msg-success").inner_text() == f"Import #{job.pk} has ended: Completed with errors."
    assert _count(page, job.pk, "imported") == f"{job.imported_count:,}"
    assert _count(page, job.pk, "errors") == f"{job.error_count:,}"
    assert _count(page, job.pk, "warnings") == f"{job.warning_count:,}"
    assert job.imported_count > 1000 and job.error_count >= 60
    # Once nothing runs, the history stops polling.
    page.wait_for_selector("#import-history[data-polling=off]")
    assert "every" not in page.locator("#import-history").get_attribute("hx-trigger")
    screenshot.both(page, "marketplace-history")

    # Job details open in a modal, focus on its title.
    page.locator(f"#job-{job.pk}-details").click()
    page.wait_for_selector("#job-dialog[open] #job-title")
    assert page.evaluate("document.activeElement.id") == "job-title"
    dialog = page.locator("#job-dialog")
    for text in ("Letzshop", "French", store.letzshop_csv_url_fr, "Semicolon (;)", "Rows read"):
        assert text in dialog.inner_text(), text
    assert "1252" in dialog.locator(".facts").nth(2).inner_text()  # the detected encoding
    total = job.error_count + job.warning_count
    assert page.locator("#errors-range").inner_text() == f"1–25 of {total}"
    first_rows = page.locator(".error-row").evaluate_all("rows => rows.map(r => r.dataset.row)")
    assert first_rows == sorted(first_rows, key=int) and first_rows[0] == "6"  # row 6 is the first missing title
    assert "Missing title" in page.locator(".error-row").first.inner_text()
    screenshot.both(page, "job-details", full_page=False)
    screenshot.both(
        page,
        "job-errors",
        full_page=False,
        before=lambda p: p.evaluate("document.getElementById('job-errors').scrollIntoView()"),
    )
    page.evaluate("document.getElementById('job-title').scrollIntoView()")

    # Page through the errors.
    page.locator("#errors-next").click()
    page.wait_for_selector(f"#errors-range:text-is('26–50 of {total}')")
    assert page.locator(".error-row").count() == 25
    # The new page is shown from its top, not left scrolled to the pager at the bottom.
    page.wait_for_function(
        """() => {
            const box = document.getElementById("job-errors").getBoundingClientRect();
            const frame = document.getElementById("job-dialog").getBoundingClientRect();
            return box.top >= frame.top - 1 && box.top < frame.top + frame.height / 2;
        }""",
        timeout=3_000,
    )
    assert page.locator(".error-row").first.get_attribute("data-row") not in first_rows
    page.locator("#errors-prev").click()
    page.wait_for_selector(f"#errors-range:text-is('1–25 of {total}')")

    # Only the warnings.
    page.select_option("#error-severity", "warning")
    page.wait_for_selector(f"#errors-range:text-is('1–{job.warning_count} of {job.warning_count}')")
    badges = page.locator(".error-row .badge").all_inner_texts()
    assert badges and set(badges) == {"Warning"}

    # The CSV has every error and warning.
    with page.expect_download() as download_info:
        page.locator("#job-errors-csv").click()
    download = download_info.value
    assert download.suggested_filename == f"{store.code}-import-{job.pk}-errors.csv"
    with open(download.path(), encoding="utf-8-sig") as downloaded:
        lines = downloaded.read().strip().splitlines()
    assert lines[0].startswith("row_number,identifier,severity,error_type")
    assert len(lines) == total + 1

    # Esc closes the modal and gives the focus back to the button that opened it.
    page.keyboard.press("Escape")
    page.wait_for_selector("#job-dialog:not([open])", state="attached")
    assert page.evaluate("document.activeElement.id") == f"job-{job.pk}-details"
    assert page.evaluate("window.__noReload") == "still here"

    # The dashboard now shows the counts and the job.
    page.get_by_role("navigation", name="Store").get_by_role("link", name="Dashboard").click()
    assert page.locator("[data-stat=products]").inner_text() == f"{job.imported_count:,}"
    assert page.get_by_role("link", name=re.compile(f"#{job.pk}")).is_visible()
    screenshot.both(page, "dashboard")


def test_a_staff_member_reads_imports_without_any_form_or_button(
    live_server, page, login, screenshot, store, owner, staff_member
):
    job = MarketplaceImportJobFactory(
        store=store,
        user=owner,
        status=Status.FAILED,
        language="de",
        source_url="https://shop.example.lu/de.tsv",
        error_message="The server answered 404 Not Found: check the feed address in the store settings.",
    )
    done = MarketplaceImportJobFactory(
        store=store,
        user=owner,
        status=Status.COMPLETED_WITH_ERRORS,
        imported_count=296,
        error_count=3,
        warning_count=2,
        total_processed=301,
        progress_percent=100,
        detected_encoding="cp1252",
        detected_delimiter=";",
    )
    MarketplaceImportErrorFactory.create_batch(3, import_job=done)
    login(page, "bob")
    page.goto(f"/store/{store.code}/marketplace")
    assert page.locator("#import-form").count() == 0
    assert page.get_by_role("button", name="Start import").count() == 0
    assert page.get_by_text("You have read-only access to this store.").is_visible()
    assert page.get_by_role("navigation", name="Store").get_by_role("link", name="Settings").count() == 0
    screenshot.both(page, "marketplace-staff")

    # Keyboard only: focus the failed job's Details link, open it with Enter, close it with Esc.
    page.locator(f"#job-{job.pk}-details").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#job-dialog[open] #job-title")
    assert page.evaluate("document.activeElement.id") == "job-title"
    dialog = page.locator("#job-dialog")
    assert "The server answered 404 Not Found" in dialog.inner_text()
    assert dialog.get_by_role("button", name="Retry import").count() == 0
    assert dialog.get_by_role("button", name="Cancel import").count() == 0
    screenshot(page, "job-details-failed-desktop", full_page=False)
    page.keyboard.press("Escape")
    page.wait_for_selector("#job-dialog:not([open])", state="attached")
    assert page.evaluate("document.activeElement.id") == f"job-{job.pk}-details"

    # The close button works as well, and the settings page is not for staff.
    page.locator(f"#job-{done.pk}-details").click()
    page.wait_for_selector("#job-dialog[open]")
    page.get_by_role("button", name="Close details").click()
    page.wait_for_selector("#job-dialog:not([open])", state="attached")
    response = page.goto(f"/store/{store.code}/settings")
    assert response.status == 403
    assert page.get_by_role("heading", name="You can't do this here").is_visible()
    screenshot(page, "forbidden-desktop")

    # Every job also has a page of its own (the modal's content, for links and no-JavaScript use).
    page.goto(f"/store/{store.code}/marketplace/jobs/{done.pk}")
    assert page.get_by_role("heading", level=1, name=f"Import #{done.pk}").is_visible()
    assert page.locator(".error-row").count() == 3
    screenshot.both(page, "job-page")


def test_an_owner_saves_the_feed_urls(live_server, page, login, screenshot, store, owner):
    login(page, "alice")
    page.get_by_role("navigation", name="Store").get_by_role("link", name="Settings").click()
    page.get_by_label("French feed URL").fill("ftp://feeds.example.lu/fr.csv")
    page.get_by_role("button", name="Save settings").click()
    error = page.locator("#letzshop_csv_url_fr-errors")
    assert error.inner_text() == "Only http:// and https:// addresses can be downloaded, not ftp: addresses."
    assert page.get_by_label("French feed URL").get_attribute("aria-invalid") == "true"

    page.get_by_label("French feed URL").fill("https://feeds.example.lu/letzshop-fr.csv")
    page.get_by_label("English feed URL").fill("https://feeds.example.lu/letzshop-en.csv")
    page.get_by_label("Default language").select_option("en")
    page.get_by_role("button", name="Save settings").click()
    assert "Settings saved." in page.locator(".msg-success").inner_text()
    screenshot.both(page, "settings")
    store.refresh_from_db()
    assert store.letzshop_csv_url_fr == "https://feeds.example.lu/letzshop-fr.csv"
    assert store.default_language == "en"

    # Quick Fill picks the new URLs up; German stays disabled with a hint.
    page.get_by_role("link", name="Go to Marketplace Import").click()
    assert page.get_by_role("button", name="EN English").is_enabled()
    assert page.get_by_role("button", name="DE German").is_disabled()
    assert "Not set yet: German." in page.locator("#quick-fill-hint").inner_text()


def test_a_second_import_of_a_running_language_is_explained(
    page, login, screenshot, live_server, store, owner, settings
):
    # The portal's usual pace, so that the test sees the faster poll of a stopping job.
    settings.MARKETPLACE_PORTAL_REFRESH_SECONDS = 10
    running = MarketplaceImportJobFactory(
        store=store,
        user=owner,
        status=Status.PROCESSING,
        language="fr",
        progress_percent=40,
        total_processed=480,
        source_url="https://shop.example.lu/letzshop-fr.csv",
    )
    store.letzshop_csv_url_fr = "https://shop.example.lu/letzshop-fr.csv"
    store.save()
    login(page, "alice")
    page.goto(f"/store/{store.code}/marketplace")
    assert page.locator("#import-history").get_attribute("data-polling") == "on"
    page.get_by_role("button", name="FR French").click()
    page.keyboard.press("Enter")  # in the URL field, which Quick Fill focused: submits the form

    alert = page.locator("#import-conflict")
    alert.wait_for()
    assert "An import of the French feed is already processing" in alert.inner_text()
    assert page.get_by_label("CSV feed URL").input_value() == store.letzshop_csv_url_fr  # kept for later
    screenshot(page, "marketplace-conflict-desktop", full_page=False)

    # The link opens the running job in the modal, where the owner may cancel it.
    page.locator("#running-job-link").click()
    page.wait_for_selector("#job-dialog[open] #job-title")
    assert f"Import #{running.pk}" in page.locator("#job-title").inner_text()
    page.once("dialog", lambda confirm: confirm.accept())
    page.get_by_role("button", name="Cancel import").click()
    page.wait_for_selector("#job-dialog .alert-info")
    assert "is stopping" in page.locator("#job-dialog .alert-info").inner_text()
    running.refresh_from_db()
    assert running.cancel_requested

    # The worker stops at its next batch (here: the job ends as the worker would end it). The
    # modal follows within a couple of seconds, not the 10 s of its usual pace, and the
    # "is stopping" notice goes once the summary says "Cancelled".
    MarketplaceImportJob.objects.filter(pk=running.pk).update(status=Status.CANCELLED)
    page.wait_for_selector("#job-dialog .badge.status-cancelled", timeout=4_000)
    assert "Cancelled." in page.locator("#job-summary").inner_text()
    assert page.locator("#job-dialog .alert-info").count() == 0


def _horizontal_offset(page, selector: str) -> float:
    """How far the element's centre is from the viewport's, in CSS pixels."""
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.left + box.width / 2 - document.documentElement.clientWidth / 2;
        }""",
        selector,
    )


@pytest.mark.parametrize("width", [1280, 1600, 390])
def test_the_login_and_forbidden_cards_are_centred(live_server, page, login, store, staff_member, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/accounts/login/")
    assert abs(_horizontal_offset(page, ".card.narrow")) <= 1

    login(page, staff_member.username)
    response = page.goto(f"/store/{store.code}/settings")
    assert response.status == 403
    assert abs(_horizontal_offset(page, ".card.narrow")) <= 1


def test_the_history_pager_changes_the_address(page, login, live_server, store, owner):
    for _ in range(12):
        MarketplaceImportJobFactory(store=store, user=owner, status=Status.COMPLETED, total_processed=3)
    login(page, "alice")
    page.goto(f"/store/{store.code}/marketplace")

    page.locator("#history-older").click()
    page.wait_for_url(f"**/store/{store.code}/marketplace?page=2")
    assert "Page 2 of 2" in page.locator(".pager-label").inner_text()
    # The address is worth sharing or reloading: it opens the same page of the history.
    page.reload()
    assert "Page 2 of 2" in page.locator(".pager-label").inner_text()
    page.locator("#history-newer").click()
    page.wait_for_url(f"**/store/{store.code}/marketplace?page=1")
    assert "Page 1 of 2" in page.locator(".pager-label").inner_text()
