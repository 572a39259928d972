"""The error viewer on a phone: every card (a row's problem, a problem by kind) keeps its
text inside it, however long the field name, the id or the column name it shows."""

from __future__ import annotations

import csv
import io

import pytest

from tests.browser.conftest import PHONE
from tests.marketplace.importing.conftest import import_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_ID = "WINTERJACKE-HERREN-GORETEX-SCHWARZ-XXL-2026-KOLLEKTION"
HEADER = ["id", "title", "price", "availability", "additional_image_link", "shipping(country:postal_code:price)"]


def feed_with_duplicates(path):
    rows = [
        ["SKU-1", "Jacket", "99.90 EUR", "in stock", "https://shop.example.lu/img/1.jpg", "LU:L-1234:5.00 EUR"],
        [LONG_ID, "Long jacket", "129.00 EUR", "in stock", "", "LU:L-1234:5.00 EUR"],
        ["SKU-1", "Jacket again", "99.90 EUR", "in stock", "", ""],
        [LONG_ID, "Long jacket again", "129.00 EUR", "in stock", "", ""],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([HEADER, *rows])
    path.write_bytes(buffer.getvalue().encode())
    return path


OVERFLOWS = """(selector) => {
    const found = [];
    for (const card of document.querySelectorAll(selector)) {
        const frame = card.getBoundingClientRect();
        for (const element of card.querySelectorAll("*")) {
            const box = element.getBoundingClientRect();
            if (box.width && (box.right > frame.right + 1 || box.left < frame.left - 1)) {
                found.push(`${element.tagName}.${element.className}: ${element.textContent.trim().slice(0, 40)}`);
            }
        }
    }
    return found;
}"""


def _assert_everything_fits(page, rows: int) -> None:
    page.locator(".error-row").first.wait_for()
    assert page.locator(".error-row").count() == rows
    for card in (".error-row", "#error-summary .error-code"):
        assert page.evaluate(OVERFLOWS, card) == [], card
    # Nor does the page, or the modal, scroll sideways.
    for scroller in ("document.documentElement", "document.querySelector('#job-dialog[open]')"):
        assert page.evaluate(f"() => !{scroller} || {scroller}.scrollWidth <= {scroller}.clientWidth"), scroller


def test_a_duplicate_id_and_its_field_stay_inside_their_cards_on_a_phone(
    new_page, login, live_server, store, owner, tmp_path
):
    job = import_file(store, feed_with_duplicates(tmp_path / "feed.csv"), language="en")
    assert job.error_count == 2
    page = new_page(PHONE)
    login(page, owner.username)

    # The job's own page.
    page.goto(f"/store/{store.code}/marketplace/jobs/{job.pk}")
    for summary in page.locator("#error-summary summary").all():
        summary.click()  # open each problem by kind: its explanation and examples must fit too
    _assert_everything_fits(page, job.error_count + job.warning_count)

    # The same viewer in the import page's modal, which takes the whole screen.
    page.goto(f"/store/{store.code}/marketplace")
    page.locator(f"#job-{job.pk}-details").click()
    page.wait_for_selector("#job-dialog[open] #job-title")
    _assert_everything_fits(page, job.error_count + job.warning_count)
