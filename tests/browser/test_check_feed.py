"""Checking a feed in a real browser, with a real worker (issue 18): an owner uploads a
cp1252 ";" export with "Check the feed", reads on the job page what an import would do,
the column mapping (a misspelt column with its suggestion) and the problems by code,
and downloads the rows to fix; the catalog is untouched. Saves the README's screenshots."""

from __future__ import annotations

import csv
import io
import time

import pytest

from marketplace.models import MarketplaceImportJob, MarketplaceProduct, MarketplaceProductTranslation
from tests.marketplace.importing.conftest import import_file

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]
FINAL = ("completed", "completed_with_errors", "failed", "cancelled")
# "Marqe" is misspelt on purpose: the check suggests `brand`.
HEADER = ["ID", "Titre", "Prix", "Disponibilité", "GTIN", "Marqe"]


def _feed(path, numbers, price="{n},50 €"):
    rows = [[f"SKU-{n:02d}", f"Café n°{n}", price.format(n=n), "en stock", "", "L’Atelier"] for n in numbers]
    rows += [
        ["SKU-13", "", "3,00 €", "en stock", "", "L’Atelier"],
        ["SKU-14", "Thé vert", "4,00 €", "en stock", "4006381333932", "L’Atelier"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([HEADER, *rows])
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return path


def words(locator) -> str:
    return " ".join(locator.inner_text().split())


def test_an_owner_checks_a_feed_reads_the_mapping_and_the_codes_and_downloads_the_rows_to_fix(
    page, login, screenshot, live_server, qcluster, store, owner, tmp_path
):
    # The catalog as the last import left it: SKU-01..06.
    import_file(store, _feed(tmp_path / "before.csv", range(1, 7)))
    catalog = list(MarketplaceProduct.objects.order_by("id").values_list("id", "content_hash", "updated_at"))
    texts = list(MarketplaceProductTranslation.objects.order_by("id").values_list("id", "title", "updated_at"))

    login(page, owner.username)
    page.goto(f"/store/{store.code}/marketplace")
    page.locator("#check-feed").scroll_into_view_if_needed()
    screenshot(page, "check-form", full_page=False)
    # SKU-01..04 as before, SKU-05..06 at a new price, SKU-07..10 new.
    path = tmp_path / "export.csv"
    _feed(path, range(1, 11), price="{n},50 €")
    text = path.read_bytes().decode("cp1252").replace("5,50 €", "5,90 €").replace("6,50 €", "6,90 €")
    path.write_bytes(text.encode("cp1252"))
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_language", "fr")
    page.click("#check-feed")
    page.wait_for_url(f"**/store/{store.code}/marketplace/jobs/*")
    job = MarketplaceImportJob.objects.filter(store=store).order_by("-id").first()
    assert job.dry_run
    deadline = time.monotonic() + 60
    while job.status not in FINAL:
        assert time.monotonic() < deadline, "the worker did not finish the check"
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.status == "completed_with_errors", job.error_message
    page.wait_for_function(
        "() => document.querySelector('#job-summary').dataset.status === 'completed_with_errors'"
        " && document.querySelectorAll('#error-summary .error-code').length === 2"
    )

    assert words(page.locator("#job-title .badge-check")) == "Check"
    report = page.locator("#check-report")
    assert words(report.locator('[data-count="imported"]')) == "4"
    assert words(report.locator('[data-count="updated"]')) == "2"
    assert words(report.locator('[data-count="unchanged"]')) == "5"
    assert words(report.locator('[data-count="errors"]')) == "1"
    assert "Would add" in words(report) and "Would change" in words(report)
    assert "cp1252" in words(page.locator("#job-summary"))

    mapping = page.locator("#check-columns tbody tr")
    assert mapping.count() == 6
    pairs = [(words(mapping.nth(i).locator("th")), words(mapping.nth(i).locator("td").first)) for i in range(6)]
    assert pairs[:5] == [
        ("ID", "id"),
        ("Titre", "title"),
        ("Prix", "price"),
        ("Disponibilité", "availability"),
        ("GTIN", "gtin"),
    ]
    assert pairs[5] == ("Marqe", "not mapped")
    assert "Did you mean brand?" in words(mapping.nth(5))
    first = page.locator("#check-sample .check-row").first
    assert "SKU-01" in words(first.locator("summary"))
    assert "1.50" in words(first)

    codes = page.locator("#error-summary .error-code")
    assert "1 row: Title missing" in words(codes.nth(0))
    assert "GTIN invalid" in words(codes.nth(1))
    assert page.locator("#job-publish-link").count() == 0
    screenshot.both(page, "check-report", full_page=True)

    with page.expect_download() as download_info:
        page.locator("#job-rows-to-fix").click()
    download = download_info.value
    with open(download.path(), "rb") as file:
        rows = list(csv.reader(io.StringIO(file.read().decode("cp1252")), delimiter=";"))
    assert rows[0] == [*HEADER, "import_problem"]
    assert [row[0] for row in rows[1:]] == ["SKU-13"]

    # The history marks it, and the catalog is as it was.
    page.goto(f"/store/{store.code}/marketplace")
    assert words(page.locator(f"#job-row-{job.pk} .badge-check")) == "Check"
    screenshot(page, "check-history", full_page=False)
    assert list(MarketplaceProduct.objects.order_by("id").values_list("id", "content_hash", "updated_at")) == catalog
    assert list(MarketplaceProductTranslation.objects.order_by("id").values_list("id", "title", "updated_at")) == texts
