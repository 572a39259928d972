"""What a poll of the portal's auto-refresh costs in queries, and the store JWT's one-query
authentication, which must answer exactly as simplejwt's lookup followed by the store check.
"""

from __future__ import annotations

import pytest

from marketplace.models import MarketplaceImportJob
from stores.models import StoreMembership
from tests.api.conftest import LIST, detail_url
from tests.factories.marketplace import MarketplaceImportJobFactory
from tests.factories.stores import StoreMembershipFactory

pytestmark = pytest.mark.django_db

Status = MarketplaceImportJob.Status


# --- Queries per poll ----------------------------------------------------------------------
def test_a_list_poll_takes_two_queries_whatever_the_limit(api, store, owner, django_assert_num_queries):
    # The store JWT's user, membership and store in one; the page with its total in the other.
    MarketplaceImportJobFactory.create_batch(30, store=store, user=owner, status=Status.COMPLETED)
    with django_assert_num_queries(2):
        first = api.get(f"{LIST}?limit=5")
    with django_assert_num_queries(2):
        assert len(api.get(f"{LIST}?limit=30").json()["items"]) == 30
    with django_assert_num_queries(2):
        assert api.get(f"{LIST}?limit=5", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert first.json()["total"] == 30


def test_a_page_past_the_end_still_has_the_total(api, store, owner, other_store):
    MarketplaceImportJobFactory.create_batch(3, store=store, user=owner, status=Status.COMPLETED)
    MarketplaceImportJobFactory(store=other_store, status=Status.COMPLETED)

    body = api.get(f"{LIST}?limit=2&page=3").json()

    assert (body["items"], body["total"]) == ([], 3)
    assert api.get(f"{LIST}?limit=2&page=2").json()["total"] == 3


def test_a_detail_poll_takes_two_queries(api, job, django_assert_num_queries):
    with django_assert_num_queries(2):
        first = api.get(detail_url(job))
    with django_assert_num_queries(2):
        assert api.get(detail_url(job), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


# --- The store JWT's one-query path answers as the two-query one did -----------------------------
def test_a_platform_admin_with_a_store_token_still_acts_as_admin(client_for, admin_user, store, job):
    admin = client_for(admin_user, store_code="alpha")

    assert admin.get(LIST).json()["items"][0]["id"] == job.pk
    assert admin.post(f"{detail_url(job)}/cancel").status_code == 200


def test_a_platform_admin_who_is_also_a_staff_member_keeps_admin_rights(client_for, admin_user, store, job):
    StoreMembershipFactory(user=admin_user, store=store, role=StoreMembership.Role.STAFF)
    admin = client_for(admin_user, store_code="alpha")

    assert admin.post(f"{detail_url(job)}/cancel").status_code == 200


def test_a_read_only_member_reads_but_cannot_cancel(client_for, staff_member, job):
    bob = client_for(staff_member)

    assert bob.get(detail_url(job)).status_code == 200
    assert bob.post(f"{detail_url(job)}/cancel").status_code == 403
