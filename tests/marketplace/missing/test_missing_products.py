"""SPEC 11, missing products: a full feed's absent products go missing under the store's
policy after the grace, come back when a feed lists them again, and nothing is deleted;
the safety net holds a mass removal until the owner applies or keeps it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.missing import RemovalNotHeld, removal_settle
from marketplace.models import MarketplaceProduct, MarketplaceProductTranslation, ProductPresenceChange
from marketplace.signals import removal_held
from tests.marketplace.missing.conftest import product, run

pytestmark = pytest.mark.django_db

TEN = range(1, 11)
NINE = range(1, 10)  # product 10 dropped: 1 of 10, under the 20% net


def _kinds(job):
    return dict(
        ProductPresenceChange.objects.filter(import_job=job).values_list("product__marketplace_product_id", "kind")
    )


def test_a_dropped_product_is_deactivated_after_the_grace_and_returns(store, tmp_path):
    store.missing_grace = 2
    store.save()
    run(store, tmp_path, TEN)
    first = run(store, tmp_path, NINE)
    assert first.missing_count == 0 and product(store, 10).missing_since is None
    assert MarketplaceProductTranslation.objects.get(product=product(store, 10)).absent_streak == 1

    second = run(store, tmp_path, NINE)
    assert second.missing_count == 1 and second.removal == "applied" and not second.removal_held
    gone = product(store, 10)
    assert gone.missing_action == "deactivated" and gone.missing_since is not None
    assert _kinds(second) == {"SKU-0010": "missing"}
    assert MarketplaceProduct.objects.filter(store=store).count() == 10  # nothing deleted

    # A partial upload that lists it brings it back as well as a full feed would.
    back = run(store, tmp_path, [10], full=False)
    assert back.returned_count == 1 and back.missing_count == 0
    returned = product(store, 10)
    assert (returned.missing_since, returned.missing_action) == (None, "")
    assert _kinds(back) == {"SKU-0010": "returned"}
    assert MarketplaceProductTranslation.objects.get(product=returned).absent_streak == 0


def test_out_of_stock_restores_the_previous_availability_even_when_the_row_is_unchanged(store, tmp_path):
    store.missing_policy = "out_of_stock"
    store.save()
    run(store, tmp_path, TEN, availability="backorder")
    run(store, tmp_path, NINE, availability="backorder")
    gone = product(store, 10)
    assert (gone.availability, gone.availability_before_missing, gone.missing_action) == (
        "out_of_stock",
        "backorder",
        "out_of_stock",
    )

    back = run(store, tmp_path, TEN, availability="backorder")
    assert back.returned_count == 1
    returned = product(store, 10)
    assert (returned.availability, returned.availability_before_missing, returned.missing_since) == (
        "backorder",
        "",
        None,
    )


def test_a_returning_row_that_changed_keeps_the_feeds_availability(store, tmp_path):
    store.missing_policy = "out_of_stock"
    store.save()
    run(store, tmp_path, TEN, availability="backorder")
    run(store, tmp_path, NINE, availability="backorder")
    run(store, tmp_path, TEN, availability="preorder")
    assert product(store, 10).availability == "preorder"


def test_keep_reports_the_missing_product_and_changes_nothing_it_shows(store, tmp_path):
    store.missing_policy = "keep"
    store.save()
    run(store, tmp_path, TEN)
    job = run(store, tmp_path, NINE)
    kept = product(store, 10)
    assert job.missing_count == 1
    assert (kept.missing_action, kept.availability) == ("kept", "in_stock")


def test_a_partial_upload_removes_nothing(store, tmp_path):
    run(store, tmp_path, TEN)
    job = run(store, tmp_path, [1, 2], full=False)
    assert (job.is_full_feed, job.missing_count, job.removal) == (False, 0, "")
    assert not MarketplaceProduct.objects.filter(store=store, missing_since__isnull=False).exists()
    assert not MarketplaceProductTranslation.objects.filter(absent_streak__gt=0).exists()


def test_a_product_present_in_another_language_is_not_missing(store, tmp_path):
    run(store, tmp_path, TEN, language="fr")
    run(store, tmp_path, TEN, language="de")
    job = run(store, tmp_path, NINE, language="fr")
    assert job.missing_count == 0 and product(store, 10).missing_since is None
    job = run(store, tmp_path, NINE, language="de")
    assert job.missing_count == 1 and product(store, 10).missing_action == "deactivated"


def test_a_row_skipped_with_an_error_is_not_missing(store, tmp_path):
    run(store, tmp_path, TEN)
    job = run(store, tmp_path, TEN, price="-5 EUR")
    assert job.error_count == 10 and job.missing_count == 0
    assert not MarketplaceProduct.objects.filter(store=store, missing_since__isnull=False).exists()


def test_a_feed_that_drops_to_40_percent_is_held_until_apply(store, tmp_path, django_capture_on_commit_callbacks):
    received = []

    def listener(**kwargs):
        received.append((kwargs["job_id"], kwargs["count"]))

    removal_held.connect(listener)
    try:
        run(store, tmp_path, TEN)
        with django_capture_on_commit_callbacks(execute=True):
            job = run(store, tmp_path, range(1, 5))
    finally:
        removal_held.disconnect(listener)
    assert (job.removal_held, job.removal, job.missing_count) == (True, "held", 0)
    assert received == [(job.pk, 6)]
    assert set(_kinds(job).values()) == {"held"} and len(_kinds(job)) == 6
    assert not MarketplaceProduct.objects.filter(store=store, missing_since__isnull=False).exists()

    job = removal_settle(job=job, action="apply")
    assert (job.removal_held, job.removal, job.missing_count) == (False, "applied", 6)
    assert MarketplaceProduct.objects.filter(store=store, missing_action="deactivated").count() == 6
    with pytest.raises(RemovalNotHeld):
        removal_settle(job=job, action="apply")


def test_apply_spares_what_a_later_feed_brought_back(store, tmp_path):
    run(store, tmp_path, TEN)
    held = run(store, tmp_path, range(1, 5))
    run(store, tmp_path, [9, 10], full=False)
    held = removal_settle(job=held, action="apply")
    assert held.missing_count == 4
    assert product(store, 9).missing_since is None and product(store, 10).missing_since is None
    assert product(store, 5).missing_action == "deactivated"


def test_keep_resets_the_streaks(store, tmp_path):
    run(store, tmp_path, TEN)
    held = run(store, tmp_path, range(1, 5))
    held = removal_settle(job=held, action="keep")
    assert (held.removal_held, held.removal, held.missing_count) == (False, "kept", 0)
    assert not MarketplaceProductTranslation.objects.filter(absent_streak__gt=0).exists()
    assert not MarketplaceProduct.objects.filter(store=store, missing_since__isnull=False).exists()


def test_a_shrunken_row_count_alone_holds(store, tmp_path):
    store.removal_max_percent = 100
    store.save()
    run(store, tmp_path, TEN)
    job = run(store, tmp_path, range(1, 5))
    assert job.removal_held


def test_the_query_count_of_the_missing_step_does_not_grow_with_the_catalog(store, tmp_path):
    from marketplace.missing import import_presence_update

    def queries(size):
        MarketplaceProduct.objects.filter(store=store).delete()
        run(store, tmp_path, range(1, size + 1))
        job = run(store, tmp_path, range(1, size * 9 // 10 + 1))  # 10% missing: applied
        assert job.missing_count == size - size * 9 // 10
        run(store, tmp_path, range(1, size + 1))  # every one comes back
        job = run(store, tmp_path, range(1, size * 9 // 10 + 1))
        with CaptureQueriesContext(connection) as ctx:
            import_presence_update(job=job)
        return len(ctx.captured_queries)

    assert queries(20) == queries(400)


def test_with_nothing_missing_or_absent_the_step_only_probes(store, tmp_path):
    # The usual import: the partial indexes say nothing is missing or absent, and the step
    # skips the statements that would look for what came back (they cost an unchanged
    # 100,000-row re-import 0.2-0.5 s, to change no row).
    from marketplace.missing import import_presence_update

    run(store, tmp_path, TEN)
    job = run(store, tmp_path, TEN, full=False)
    with CaptureQueriesContext(connection) as ctx:
        outcome = import_presence_update(job=job)
    assert (outcome.returned, outcome.missing, outcome.held) == (0, 0, 0)
    written = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]
    # Only the job's own counters.
    assert len(written) == 1 and "marketplace_import_jobs" in written[0]

    # Once a product is missing, the step looks again, and a feed that lists it brings it back.
    store.missing_grace = 1
    store.save()
    assert run(store, tmp_path, NINE).missing_count == 1
    assert run(store, tmp_path, NINE, full=False).returned_count == 0
    back = run(store, tmp_path, TEN, full=False)
    assert back.returned_count == 1 and product(store, 10).missing_since is None


def test_a_failed_import_changes_nothing(store, tmp_path):
    from tests.marketplace.importing.conftest import import_file, write_feed

    run(store, tmp_path, TEN)
    broken = write_feed(tmp_path / "broken.csv", [["x"]], header=["nothing"])
    job = import_file(store, broken, language="fr", is_full_feed=True)
    assert job.status == "failed"
    assert not MarketplaceProductTranslation.objects.filter(absent_streak__gt=0).exists()
    assert (job.missing_count, job.removal) == (0, "")


def test_a_retry_of_a_complete_catalog_is_a_full_feed(store, owner):
    from marketplace.services import import_job_retry
    from tests.factories.marketplace import MarketplaceImportJobFactory

    failed = MarketplaceImportJobFactory(store=store, status="failed", is_full_feed=True)
    assert import_job_retry(job=failed, user=owner).is_full_feed
