from __future__ import annotations

import pytest

from marketplace.models import MarketplaceImportJob, ProductPresenceChange
from marketplace.signals import removal_held
from tests.factories.marketplace import MarketplaceImportJobFactory, MarketplaceProductFactory
from tests.notifications.smtpserver import html_part, text_part

pytestmark = pytest.mark.django_db


def held_job(store, user, count=7) -> MarketplaceImportJob:
    """A full import whose removal of `count` missing products the safety net held."""
    job = MarketplaceImportJobFactory(
        store=store,
        user=user,
        trigger=MarketplaceImportJob.Trigger.SCHEDULED,
        status=MarketplaceImportJob.Status.COMPLETED,
        is_full_feed=True,
        removal_held=True,
        removal=MarketplaceImportJob.Removal.HELD,
        missing_count=count,
    )
    products = [
        MarketplaceProductFactory(store=store, marketplace_product_id=f"SKU-{n:03d}", title=f"Lampe {n}")
        for n in range(count)
    ]
    ProductPresenceChange.objects.bulk_create(
        ProductPresenceChange(import_job=job, product=product, kind=ProductPresenceChange.Kind.HELD)
        for product in products
    )
    return job


def test_a_held_removal_emails_the_count_a_sample_and_the_job_link(
    store, owner, manager, staff_member, outsider, smtp_server
):
    job = held_job(store, owner)

    removal_held.send(sender=MarketplaceImportJob, job_id=job.pk, count=7)

    assert sorted(smtp_server.recipients) == [["alice@example.lu"], ["mia@example.lu"]]
    message = smtp_server.messages[0]
    assert message["Subject"] == "[Alpha Store] Removal of 7 products held: your decision"
    text = text_part(message)
    assert "would take 7 products out of the catalog" in text
    assert "nothing has been removed" in text
    # A sample of five, in SKU order.
    assert [line for line in text.splitlines() if line.startswith("- ")] == [
        f"- SKU-00{n}: Lampe {n}" for n in range(5)
    ]
    link = f"https://shop.example.lu/store/alpha/marketplace/jobs/{job.pk}"
    assert link in text
    html = html_part(message)
    assert f'href="{link}"' in html and "<code>SKU-000</code>" in html


def test_a_removal_settled_before_the_email_left_sends_nothing(store, owner, smtp_server):
    job = held_job(store, owner)
    MarketplaceImportJob.objects.filter(pk=job.pk).update(removal_held=False, removal=MarketplaceImportJob.Removal.KEPT)

    removal_held.send(sender=MarketplaceImportJob, job_id=job.pk, count=7)

    assert smtp_server.recipients == []


def test_the_opt_out_of_this_kind_is_respected(store, owner, manager, smtp_server):
    manager.notify_removal_held = False
    manager.save()

    removal_held.send(sender=MarketplaceImportJob, job_id=held_job(store, owner).pk, count=7)

    assert smtp_server.recipients == [["alice@example.lu"]]


def test_one_product_is_said_in_the_singular(store, owner, smtp_server):
    removal_held.send(sender=MarketplaceImportJob, job_id=held_job(store, owner, count=1).pk, count=1)

    assert "would take 1 product out of the catalog" in text_part(smtp_server.messages[0])
