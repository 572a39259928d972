"""Issue 17's import scenario in German and in French, in a real browser with a real worker:
an owner whose browser asks for English switches the portal with the header's chooser,
gets the import form's errors, starts a real import of a feed with bad rows, follows it in
the job modal and reads its errors -- each step in the chosen language. Saves the README's
scenario-<lang>-*.png screenshots.

The expected texts come from the catalogs (the same msgid, or the same rendering code, under
translation.override), not copied from the .po files; each is checked to differ from the
English, so an untranslated entry fails the test instead of passing it by accident.
"""

from __future__ import annotations

import csv
import io
import time

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext

from marketplace.error_summary import import_error_summary
from marketplace.models import MarketplaceImportError, MarketplaceImportJob
from marketplace.outcomes import import_job_outcome

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

FINAL = ("completed", "completed_with_errors", "failed", "cancelled")
HEADER = ["id", "title", "description", "link", "price", "availability", "gtin", "brand"]
GOOD_ROWS = 20


def feed_with_bad_rows(path):
    """Twenty good products, then three rows skipped (no title, a price that is no number, an
    id seen before) and two kept with a warning (a GTIN's check digit, an unknown availability)."""
    rows = [
        [f"SKU-{n:02d}", f"Produkt {n}", f"Beschreibung {n}", f"https://shop.example.lu/{n}", f"{n}.50 EUR", "in stock"]
        + ["", "Lëtz"]
        for n in range(1, GOOD_ROWS + 1)
    ]
    rows += [
        ["SKU-21", "", "Ohne Titel", "https://shop.example.lu/21", "9.50 EUR", "in stock", "", "Lëtz"],
        ["SKU-22", "Teekanne", "Teuer", "https://shop.example.lu/22", "abc", "in stock", "", "Lëtz"],
        ["SKU-01", "Doppelt", "Schon da", "https://shop.example.lu/1b", "1.50 EUR", "in stock", "", "Lëtz"],
        ["SKU-23", "Tasse", "Mit GTIN", "https://shop.example.lu/23", "4.50 EUR", "in stock", "4006381333932", "Lëtz"],
        ["SKU-24", "Teller", "Bald", "https://shop.example.lu/24", "5.50 EUR", "sometimes", "", "Lëtz"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([HEADER, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def flat(text: str) -> str:
    """Whitespace as one space: French puts a no-break space before ":" and "?"."""
    return " ".join(text.split())


def words(locator) -> str:
    return flat(locator.inner_text())


def translated(lang: str, english: str, text: str) -> str:
    """The catalog's text, after checking that it is a translation and not the English."""
    assert text != english, f"{english!r} has no {lang} translation"
    return flat(text)


def in_language(lang: str, msgid: str) -> str:
    with translation.override(lang):
        return translated(lang, msgid, gettext(msgid))


def catalog(lang: str, msgid: str) -> str:
    """For words a language may share with English ("Message", "Configuration" in French)."""
    with translation.override(lang):
        return flat(gettext(msgid))


def wait_until_final(job: MarketplaceImportJob) -> None:
    deadline = time.monotonic() + 90
    while job.status not in FINAL:
        assert time.monotonic() < deadline, "the worker did not finish the import"
        time.sleep(0.2)
        job.refresh_from_db()


@pytest.mark.parametrize("lang", ["de", "fr"])
def test_the_import_scenario_in_the_chosen_language(
    lang, page, login, screenshot, live_server, qcluster, store, owner, tmp_path
):
    # 1. The browser asks for English; the header's chooser switches the import page.
    login(page, owner.username)
    page.goto(f"/store/{store.code}/marketplace")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Marketplace Import"

    page.locator(".topbar .language-chooser").get_by_role("button", name=lang.upper(), exact=True).click()
    page.wait_for_function(f"() => document.documentElement.lang === '{lang}'")
    assert page.url.endswith(f"/store/{store.code}/marketplace")
    assert words(page.locator("h1")) == in_language(lang, "Marketplace Import")
    assert words(page.locator("#import-form-title")) == in_language(lang, "Start an import")
    assert words(page.locator("#start-import")) == in_language(lang, "Start import")
    assert words(page.locator("#history-title")) == in_language(lang, "Import history")
    assert words(page.locator("label[for=id_source_url]")) == in_language(lang, "CSV feed URL")
    chooser = page.locator(".topbar .language-chooser")
    assert chooser.get_by_role("button", name=lang.upper(), exact=True).get_attribute("aria-pressed") == "true"
    owner.refresh_from_db()
    assert owner.language == lang
    screenshot(page, f"scenario-{lang}-1-chooser", full_page=False)

    # 2. Neither a URL nor a file, and a batch size below the minimum: both errors in that language.
    page.locator("#id_batch_size").fill("50")
    page.locator("#start-import").click()
    page.wait_for_selector("#source-url-errors")
    assert page.locator("html").get_attribute("lang") == lang
    assert words(page.locator("#source-url-errors")) == in_language(
        lang, "Enter the feed URL, use Quick Fill, or upload a CSV file."
    )
    # Django's own message, from Django's catalog.
    minimum = "Ensure this value is greater than or equal to %(limit_value)s."
    with translation.override(lang):
        expected_minimum = translated(lang, minimum % {"limit_value": 100}, gettext(minimum) % {"limit_value": 100})
    assert words(page.locator("#batch-size-errors")) == expected_minimum
    assert not MarketplaceImportJob.objects.exists()
    page.locator("#source-url-errors").scroll_into_view_if_needed()
    screenshot(page, f"scenario-{lang}-2-form-errors", full_page=False)

    # 3. A real import of a file with bad rows; the job modal follows it to its result.
    page.locator("details.upload summary").click()
    page.set_input_files("#id_file", str(feed_with_bad_rows(tmp_path / "export.csv")))
    page.select_option("#id_language", lang)
    page.locator("#id_batch_size").fill("100")
    page.locator("#start-import").click()
    page.wait_for_selector(".msg-success")
    job = MarketplaceImportJob.objects.get(store=store)
    page.locator(f"#job-{job.pk}-details").click()
    page.wait_for_selector("#job-dialog[open] #job-title")
    wait_until_final(job)
    assert job.status == "completed_with_errors", job.error_message
    assert (job.imported_count, job.error_count, job.warning_count) == (GOOD_ROWS + 2, 3, 2), list(
        MarketplaceImportError.objects.values_list("row_number", "severity", "error_type", "message_key")
    )
    # The modal's summary polls itself while the job runs: wait for it to show the result.
    page.wait_for_function(
        "() => document.querySelector('#job-dialog #job-summary')?.dataset.status === 'completed_with_errors'",
        timeout=30_000,
    )
    dialog = page.locator("#job-dialog")
    summary = dialog.locator("#job-summary")
    english_status = "%(errors)s of %(total)s rows could not be imported: the list below says why and where."
    values = {"errors": job.error_count, "total": job.total_processed}
    with translation.override(lang):
        status = ngettext(english_status, english_status, job.error_count) % values
        outcome = import_job_outcome(job)
        badge = str(MarketplaceImportJob.Status(job.status).label)
    with translation.override("en"):
        english_outcome = import_job_outcome(job)
        english_badge = str(MarketplaceImportJob.Status(job.status).label)
    assert words(summary.locator(".status-text")) == translated(lang, english_status % values, status)
    assert words(summary.locator(".badge-lg")) == translated(lang, english_badge, badge)
    assert words(summary.locator("#job-outcome")) == translated(lang, english_outcome, outcome)
    assert summary.locator("progress").get_attribute("value") == "100"
    metrics = words(summary.locator(".metrics"))
    for label in ("Imported", "Updated", "Unchanged", "Errors", "Warnings", "Rows read", "rows skipped"):
        assert in_language(lang, label) in metrics, label
    assert words(summary.locator("[data-count=imported]")) == str(GOOD_ROWS + 2)
    # textContent: the headings are upper-cased by CSS, which innerText follows.
    headings = [flat(text) for text in summary.locator(".facts-grid h3").all_text_contents()]
    assert headings == [catalog(lang, name) for name in ("Configuration", "Timing", "File")]
    assert in_language(lang, "Language") in words(summary.locator(".facts-grid"))
    screenshot(page, f"scenario-{lang}-3-job-modal", full_page=False)

    # 4. The error viewer: the problems by code and each row's message, rendered from its key.
    # The viewer polls on its own clock: its last refresh is the one without a trigger.
    page.wait_for_function(
        "() => { const s = document.querySelector('#job-dialog #job-errors');"
        " return s && !s.hasAttribute('hx-trigger') && s.querySelectorAll('.error-row').length === 5; }",
        timeout=30_000,
    )
    errors_section = dialog.locator("#job-errors")
    errors_section.evaluate("section => section.scrollIntoView()")
    codes = errors_section.locator("#error-summary .error-code")
    with translation.override(lang):
        expected_codes = [(item.code, str(item.entry.title)) for item in import_error_summary(job=job)]
    with translation.override("en"):
        english_titles = [str(item.entry.title) for item in import_error_summary(job=job)]
    assert codes.count() == len(expected_codes) == 5
    for index, ((code, title), english_title) in enumerate(zip(expected_codes, english_titles, strict=True)):
        assert codes.nth(index).get_attribute("data-code") == code
        assert words(codes.nth(index).locator(".error-code-title")) == translated(lang, english_title, title)
    skipped = in_language(lang, "Skipped")
    assert [words(codes.nth(i).locator(".badge")) for i in range(3)] == [skipped] * 3
    first = codes.nth(0)
    first.locator("summary").click()
    assert first.locator(".error-code-fix").is_visible()
    assert words(first.locator(".error-code-fix")).startswith(in_language(lang, "How to fix:"))
    assert words(first.locator("a.button")) == in_language(lang, "Show these rows")

    rows = errors_section.locator(".error-row")
    assert rows.count() == 5
    stored = list(MarketplaceImportError.objects.filter(import_job=job).order_by("row_number", "id"))
    for row, error in zip(rows.all(), stored, strict=True):
        assert error.message_key, error.error_message
        with translation.override(lang):
            message = error.display_message
        assert words(row.locator(".message")) == translated(lang, error.error_message, message)
        assert row.get_attribute("data-row") == str(error.row_number)
    heading = words(errors_section.locator("#job-errors-title"))
    assert heading.startswith(in_language(lang, "Errors and warnings"))
    assert words(errors_section.locator("thead")) == " ".join(
        catalog(lang, name) for name in ("Row", "Identifier", "Problem", "Message", "Row data")
    )
    # Column names stay on one line ("availability" once broke in French: the cell's width
    # was set through its English data-label).
    terms = rows.first.locator(".row-data dt")
    assert "availability" in terms.all_inner_texts()
    heights = terms.evaluate_all("terms => terms.map(term => Math.round(term.getBoundingClientRect().height))")
    assert max(heights) == min(heights), heights
    screenshot(page, f"scenario-{lang}-4-error-viewer", full_page=False)

    # Back on the page, the history's longer German and French words still fit the card.
    page.keyboard.press("Escape")
    page.wait_for_selector("#job-dialog:not([open])", state="attached")
    page.wait_for_selector(f"#job-row-{job.pk}[data-status=completed_with_errors]")
    overflow = page.locator("#history .table-wrap").evaluate("wrap => wrap.scrollWidth - wrap.clientWidth")
    assert overflow <= 0, f"the import history is {overflow}px wider than its card"
    assert page.locator(f"#job-{job.pk}-details").is_visible()
