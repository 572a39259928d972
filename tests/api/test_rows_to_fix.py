"""The rows to fix (issue 18): rejected rows back in the feed's own columns, encoding and
delimiter, with what to fix; corrected and uploaded again they import without an error."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from marketplace.models import MarketplaceProduct
from tests.api.conftest import ADMIN_API, STORE_API
from tests.marketplace.importing.conftest import import_file

pytestmark = pytest.mark.django_db

HEADER = ["ID", "Titre", "Prix", "Disponibilité", "Marque", "Couleur"]
ROWS = [
    ["SKU-1", "Café crème", "12,50 €", "in stock", "L’Atelier Moselle", "Écru"],
    ["SKU-2", "", "9,90 €", "in stock", "L’Atelier Moselle", "Noir"],  # no title: rejected
    ["SKU-3", "Thé vert", "4,20 €", "in stock", "L’Atelier Moselle", "Vert"],
    ["SKU-3", "Thé vert (bis)", "4,30 €", "in stock", "L’Atelier Moselle", "Vert"],  # duplicate id: rejected
    ["SKU-5", '=HYPERLINK("http://evil")', "", "in stock", "Maison Moselle", "Rouge"],  # a formula title, kept
    ["", "Sans identifiant", "3,00 €", "in stock", "L’Atelier Moselle", "Bleu"],  # no id: rejected
]


def write_cp1252(path, header, rows):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return path


@pytest.fixture
def rejected_job(store, tmp_path):
    job = import_file(store, write_cp1252(tmp_path / "export.csv", HEADER, ROWS))
    assert (job.detected_encoding, job.detected_delimiter, job.error_count) == ("cp1252", ";", 3)
    return job


def read_rows(response, encoding="cp1252"):
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(body.decode(encoding)), delimiter=";"))


def test_the_rejected_rows_come_back_as_the_feed_had_them_with_the_problem(api, rejected_job):
    response = api.get(f"{STORE_API}/imports/{rejected_job.pk}/rows-to-fix.csv", HTTP_ACCEPT="text/csv")

    assert response["Content-Type"] == "text/csv; charset=cp1252"
    assert f"import-{rejected_job.pk}-rows-to-fix.csv" in response["Content-Disposition"]
    rows = read_rows(response)
    assert rows[0] == [*HEADER, "import_problem"]
    assert [row[:6] for row in rows[1:]] == [ROWS[1], ROWS[3], ROWS[5]]
    problems = [row[6] for row in rows[1:]]
    assert "title" in problems[0].lower()
    assert "already appeared in row 4" in problems[1]
    assert "id" in problems[2].lower()


def test_corrected_and_uploaded_again_they_import_without_an_error(api, store, rejected_job, tmp_path):
    rows = read_rows(api.get(f"{STORE_API}/imports/{rejected_job.pk}/rows-to-fix.csv"))
    header, fixed = rows[0], rows[1:]
    fixed[0][1] = "Chocolat noir"  # the missing title
    fixed[1][0] = "SKU-4"  # the duplicate id
    fixed[2][0] = "SKU-6"  # the missing id
    job = import_file(store, write_cp1252(tmp_path / "fixed.csv", header, fixed))

    assert (job.status, job.error_count, job.imported_count) == ("completed", 0, 3)
    products = MarketplaceProduct.objects.filter(store=store)
    assert set(products.values_list("marketplace_product_id", flat=True)) == {
        "SKU-1",
        "SKU-2",
        "SKU-3",
        "SKU-4",
        "SKU-5",
        "SKU-6",
    }
    chocolate = products.get(marketplace_product_id="SKU-2")
    assert chocolate.title == "Chocolat noir"
    assert "import_problem" not in chocolate.extra_attributes  # the problem column is no attribute


def test_cells_a_spreadsheet_would_run_are_neutralised(api, store, tmp_path):
    rows = [["SKU-9", "", "=1+2", "in stock", "@SUM(A1)", "-12.5"]]
    job = import_file(store, write_cp1252(tmp_path / "formula.csv", HEADER, rows))
    got = read_rows(api.get(f"{STORE_API}/imports/{job.pk}/rows-to-fix.csv"))
    assert got[1][:6] == ["SKU-9", "", "'=1+2", "in stock", "'@SUM(A1)", "-12.5"]


def test_a_utf8_comma_feed_comes_back_in_utf8_with_commas(api, store, tmp_path):
    path = tmp_path / "utf8.csv"
    path.write_text("id,title,price\r\nA-1,,5.00 EUR\r\nA-2,Ørsted ✓,6.00 EUR\r\n", encoding="utf-8")
    job = import_file(store, path)
    response = api.get(f"{STORE_API}/imports/{job.pk}/rows-to-fix.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))
    assert rows[0] == ["id", "title", "price", "import_problem"]
    assert [row[:3] for row in rows[1:]] == [["A-1", "", "5.00 EUR"]]
    assert rows[1][3]


def test_a_job_without_rejected_rows_gives_only_the_header(api, store, tmp_path):
    job = import_file(store, write_cp1252(tmp_path / "clean.csv", HEADER, [ROWS[0]]))
    assert read_rows(api.get(f"{STORE_API}/imports/{job.pk}/rows-to-fix.csv")) == [[*HEADER, "import_problem"]]


def test_another_stores_job_is_a_404_everywhere(client_for, outsider, rejected_job, client):
    assert client_for(outsider).get(f"{STORE_API}/imports/{rejected_job.pk}/rows-to-fix.csv").status_code == 404
    client.force_login(outsider)
    url = reverse("marketplace:job-rows-to-fix-csv", args=[rejected_job.store.code, rejected_job.pk])
    assert client.get(url).status_code == 404


def test_the_portal_page_and_the_admin_give_the_same_file(client, owner, admin_user, rejected_job, client_for):
    client.force_login(owner)
    detail = client.get(reverse("marketplace:job-detail", args=[rejected_job.store.code, rejected_job.pk]))
    portal_url = reverse("marketplace:job-rows-to-fix-csv", args=[rejected_job.store.code, rejected_job.pk])
    assert portal_url in detail.content.decode()
    portal = read_rows(client.get(portal_url))

    client.force_login(admin_user)
    admin_page = read_rows(client.get(reverse("admin_pages:import-rows-to-fix-csv", args=[rejected_job.pk])))
    api_rows = read_rows(client_for(admin_user).get(f"{ADMIN_API}/{rejected_job.pk}/rows-to-fix.csv"))
    assert portal == admin_page == api_rows
    assert len(portal) == 4
