"""What an import did, in words (issue 15: honest counters and summaries)."""

from __future__ import annotations

import pytest

from marketplace.models import MarketplaceImportJob
from marketplace.outcomes import import_job_outcome
from tests.factories.marketplace import MarketplaceImportJobFactory

pytestmark = pytest.mark.django_db
Status = MarketplaceImportJob.Status


@pytest.mark.parametrize(
    ("language", "counts", "expected"),
    [
        ("en", {"unchanged_count": 298, "translations_added": 298},
         "298 products got their English text; no price, stock or image changed."),
        ("de", {"updated_count": 2, "unchanged_count": 1, "translations_added": 3},
         "3 products got their German text. 2 products changed."),
        ("fr", {"imported_count": 1, "error_count": 2}, "1 new product. 2 rows were skipped."),
        ("fr", {"unchanged_count": 1_234}, "Nothing changed: all 1,234 products are as the catalog has them."),
        ("fr", {"updated_count": 1, "unchanged_count": 5}, "1 product changed."),
    ],
)  # fmt: skip
def test_a_finished_import_says_what_it_changed(store, language, counts, expected):
    job = MarketplaceImportJobFactory(store=store, language=language, status=Status.COMPLETED, **counts)

    assert import_job_outcome(job) == expected


@pytest.mark.parametrize("status", [Status.PENDING, Status.PROCESSING, Status.FAILED, Status.CANCELLED])
def test_an_unfinished_or_failed_import_has_no_outcome_sentence(store, status):
    job = MarketplaceImportJobFactory(store=store, status=status, imported_count=5)

    assert import_job_outcome(job) == ""


def test_the_job_page_and_the_history_show_the_sentence(client, owner, store):
    job = MarketplaceImportJobFactory(
        store=store, language="en", status=Status.COMPLETED, unchanged_count=3, translations_added=3, total_processed=3
    )
    client.force_login(owner)
    sentence = "3 products got their English text; no price, stock or image changed."

    detail = client.get(f"/store/{store.code}/marketplace/jobs/{job.pk}")
    history = client.get(f"/store/{store.code}/marketplace/history", HTTP_HX_REQUEST="true")

    assert sentence in detail.content.decode()
    assert "English text added" in detail.content.decode()
    assert sentence in history.content.decode()
