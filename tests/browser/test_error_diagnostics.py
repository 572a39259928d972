"""The error catalogue in a real browser: the job page opens with the problems by code, a
code opens on its explanation and fix, "Show these rows" filters the list, and "Download
the rows to fix" gives the rejected rows back in the feed's own format."""

from __future__ import annotations

import csv
import io

import pytest

from tests.marketplace.importing.conftest import import_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["ID", "Titre", "Prix", "Disponibilité", "GTIN", "Marque"]


def cp1252_feed(path):
    rows = [[f"SKU-{n:02d}", f"Café n°{n}", f"{n},50 €", "en stock", "", "L’Atelier"] for n in range(1, 9)]
    rows += [
        [f"SKU-{n:02d}", f"Thé n°{n}", f"{n},50 €", "en stock", "4006381333932", "L’Atelier"] for n in range(9, 13)
    ]
    rows += [
        ["SKU-13", "", "3,00 €", "en stock", "", "L’Atelier"],
        ["SKU-14", "", "4,00 €", "en stock", "", "L’Atelier"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([HEADER, *rows])
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return path


def words(locator) -> str:
    return " ".join(locator.inner_text().split())


def test_an_owner_reads_the_problems_by_code_and_downloads_the_rows_to_fix(
    page, login, screenshot, live_server, store, owner, tmp_path
):
    job = import_file(store, cp1252_feed(tmp_path / "export.csv"))
    assert (job.error_count, job.warning_count) == (2, 4)
    login(page, owner.username)
    page.goto(f"/store/{store.code}/marketplace/jobs/{job.pk}")

    codes = page.locator("#error-summary .error-code")
    assert codes.count() == 2
    assert codes.nth(0).locator("summary").inner_text().startswith("Skipped")
    assert "2 rows: Title missing" in words(codes.nth(0))
    assert "4 rows: GTIN invalid" in words(codes.nth(1))
    gtin = codes.nth(1)
    assert not gtin.locator(".error-code-fix").is_visible()
    gtin.locator("summary").click()
    assert gtin.locator(".error-code-fix").is_visible()
    assert "barcode" in gtin.locator(".error-code-fix").inner_text()
    assert gtin.locator(".error-code-examples li").count() == 3
    screenshot.both(page, "job-error-summary", full_page=False)

    gtin.get_by_role("link", name="Show these rows").click()
    page.wait_for_function("() => document.querySelectorAll('.error-row').length === 4")
    assert page.locator("#error-type").input_value() == "validation_error"

    with page.expect_download() as download_info:
        page.locator("#job-rows-to-fix").click()
    download = download_info.value
    assert download.suggested_filename == f"{store.code}-import-{job.pk}-rows-to-fix.csv"
    with open(download.path(), "rb") as file:
        rows = list(csv.reader(io.StringIO(file.read().decode("cp1252")), delimiter=";"))
    assert rows[0] == [*HEADER, "import_problem"]
    assert [row[0] for row in rows[1:]] == ["SKU-13", "SKU-14"]
    assert rows[1][5] == "L’Atelier"
