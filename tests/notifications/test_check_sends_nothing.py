"""A check of a feed (issue 18) is asked for and read on the spot: its failure is its
answer, never an "import failed" email, and it folds nothing for the next import."""

from __future__ import annotations

import pytest

from marketplace.models import MarketplaceImportJob
from marketplace.tasks import process_marketplace_import
from notifications.models import Notification
from tests.factories.marketplace import MarketplaceImportJobFactory
from tests.notifications.test_import_failed import run_failing_import

pytestmark = pytest.mark.django_db


def test_a_failed_check_sends_no_email(
    store, owner, manager, feed_server, smtp_server, django_capture_on_commit_callbacks
):
    feed_server.route("/broken.csv", b"Internal error", status=500)
    job = MarketplaceImportJobFactory(store=store, user=owner, source_url=feed_server.url("/broken.csv"), dry_run=True)
    with django_capture_on_commit_callbacks(execute=True):
        process_marketplace_import(job.pk)

    job.refresh_from_db()
    assert job.status == MarketplaceImportJob.Status.FAILED
    assert smtp_server.messages == []
    assert not Notification.objects.exists()

    # The import of the same feed that fails afterwards is emailed as usual.
    run_failing_import(store, owner, feed_server, django_capture_on_commit_callbacks)
    assert len(smtp_server.messages) == 2
