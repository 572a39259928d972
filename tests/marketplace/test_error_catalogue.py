"""The error catalogue and the summary by code (issue 18): every type has a text, the job
page opens with the summary, admin monitoring shows the week's most common codes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from marketplace.error_catalogue import CATALOGUE, describe, error_code
from marketplace.error_summary import import_error_summary, recent_error_codes
from marketplace.models import MarketplaceImportError, MarketplaceImportJob
from tests.factories.marketplace import MarketplaceImportErrorFactory, MarketplaceImportJobFactory
from tests.factories.stores import StoreFactory
from tests.marketplace.importing.conftest import HEADER, import_file, product_row, write_feed


def test_every_error_type_has_a_code_with_all_its_texts():
    for error_type in MarketplaceImportError.ErrorType.values:
        code = error_code(error_type, "")
        assert code != "other", error_type
        entry = describe(code)
        assert entry.title and entry.explanation and entry.how_to_fix
    for entry in CATALOGUE.values():
        assert entry.severity in ("error", "warning")
        assert str(entry.how_to_fix).strip() and len(str(entry.title)) < 60


@pytest.mark.parametrize(
    ("error_type", "field", "code"),
    [
        ("validation_error", "gtin", "validation_error.gtin"),
        ("parse_error", "price", "parse_error.price"),
        ("parse_error", "multipack", "parse_error.value"),
        ("parse_error", "", "parse_error"),
        ("validation_error", "", "validation_error.row"),
        ("validation_error", "title", "validation_error.text"),
        ("missing_title", "title", "missing_title"),
        ("something_new", "", "other"),
    ],
)
def test_codes_refine_a_type_by_its_field(error_type, field, code):
    assert error_code(error_type, field) == code


@pytest.mark.django_db
def test_a_real_import_is_summarized_by_code_with_examples(store, tmp_path, django_assert_num_queries):
    rows = [product_row(n) for n in range(1, 6)]
    rows += [product_row(n, gtin="4006381333932") for n in range(6, 11)]  # check digit wrong: warnings
    rows += [product_row(n, title="") for n in range(11, 13)]  # skipped
    job = import_file(store, write_feed(tmp_path / "feed.csv", rows, HEADER))
    assert (job.error_count, job.warning_count) == (2, 5)

    with django_assert_num_queries(2):
        summary = import_error_summary(job=job)

    assert [(s.code, s.severity, s.count) for s in summary] == [
        ("missing_title", "error", 2),
        ("validation_error.gtin", "warning", 5),
    ]
    gtin = summary[1]
    assert [e["row_number"] for e in gtin.examples] == [7, 8, 9]  # the first three, header is row 1
    assert "check digit" in gtin.examples[0]["error_message"].lower()
    assert "barcode" in str(gtin.entry.how_to_fix)


@pytest.mark.django_db
def test_the_job_page_opens_with_the_summary_and_links_to_the_rows(client, owner, store, tmp_path):
    job = import_file(store, write_feed(tmp_path / "feed.csv", [product_row(1, title=""), product_row(2)], HEADER))
    client.force_login(owner)
    html = client.get(reverse("marketplace:job-detail", args=[store.code, job.pk])).content.decode()
    summary_at, rows_at = html.index('id="error-summary"'), html.index("errors-table")
    assert summary_at < rows_at
    assert "1 row:" in html and "Title missing" in html and "How to fix:" in html
    assert "severity=error&amp;error_type=missing_title" in html


@pytest.mark.django_db
def test_admin_monitoring_shows_the_weeks_top_codes_with_the_stores_most_affected(client, admin_user):
    cache.clear()
    north, south = StoreFactory(name="Nord Boutique"), StoreFactory(name="Sud Boutique")
    recent_north = MarketplaceImportJobFactory(store=north, status="completed_with_errors")
    recent_south = MarketplaceImportJobFactory(store=south, status="completed_with_errors")
    old = MarketplaceImportJobFactory(store=south, status="completed_with_errors")
    MarketplaceImportJob.objects.filter(id=old.id).update(created_at=timezone.now() - timedelta(days=8))
    MarketplaceImportErrorFactory.create_batch(4, import_job=recent_north, error_type="validation_error", field="gtin")
    MarketplaceImportErrorFactory.create_batch(1, import_job=recent_south, error_type="validation_error", field="gtin")
    MarketplaceImportErrorFactory.create_batch(2, import_job=recent_south, error_type="missing_title", field="title")
    MarketplaceImportErrorFactory.create_batch(9, import_job=old, error_type="missing_id", field="")
    check = MarketplaceImportJobFactory(store=north, status="completed_with_errors", dry_run=True)
    MarketplaceImportErrorFactory.create_batch(7, import_job=check, error_type="missing_title", field="title")

    top = recent_error_codes()
    assert [(r.code, r.count, r.store_count) for r in top] == [("validation_error.gtin", 5, 2), ("missing_title", 2, 1)]
    assert [name for _, name, _ in top[0].stores] == ["Nord Boutique", "Sud Boutique"]

    client.force_login(admin_user)
    html = client.get(reverse("admin_pages:imports")).content.decode()
    assert "Most common problems, last 7 days" in html
    assert "GTIN invalid" in html and "Nord Boutique" in html and "Id missing" not in html
    cache.clear()
