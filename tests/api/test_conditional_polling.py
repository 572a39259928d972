"""What the portal's auto-refresh costs: queries per poll, and conditional answers.

A poll of the job list or of a job's detail answers with an ETag; sending it back in
`If-None-Match` gets `304 Not Modified` with no body while nothing shown has changed.
The caller's access is checked before any tag is: another store's job is a 404 whatever
`If-None-Match` says.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from marketplace.models import MarketplaceImportJob
from stores.models import StoreMembership
from tests.api.conftest import ADMIN_API, LIST, STORE_API, detail_url
from tests.factories.marketplace import MarketplaceImportJobFactory
from tests.factories.stores import StoreMembershipFactory

pytestmark = pytest.mark.django_db

Status = MarketplaceImportJob.Status


def _progress(job: MarketplaceImportJob, **changes) -> None:
    # As the worker's batches write: one UPDATE, updated_at included.
    MarketplaceImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now(), **changes)


# --- The job detail ------------------------------------------------------------------------
def test_an_unchanged_job_answers_304_with_no_body(api, job):
    first = api.get(detail_url(job))

    again = api.get(detail_url(job), HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200 and first["ETag"].startswith('"')
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == first["Cache-Control"] == "private, no-cache"
    assert "Authorization" in again["Vary"]


def test_a_job_that_moved_answers_200_with_a_new_etag(api, job):
    first = api.get(detail_url(job))
    _progress(job, total_processed=2000)

    again = api.get(detail_url(job), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert again.json()["total_processed"] == 2000


def test_the_etag_follows_every_shown_value_not_only_updated_at(api, job):
    first = api.get(detail_url(job))
    MarketplaceImportJob.objects.filter(pk=job.pk).update(error_message="The feed is gone.")

    again = api.get(detail_url(job), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again.json()["error_message"] == "The feed is gone."


def test_a_renamed_creator_or_store_name_changes_the_etag(api, job, owner, store):
    first = api.get(detail_url(job))["ETag"]
    owner.username = "alice-renamed"
    owner.save()
    renamed_user = api.get(detail_url(job), HTTP_IF_NONE_MATCH=first)
    store.name = "Alpha Store Renamed"
    store.save()
    renamed_store = api.get(detail_url(job), HTTP_IF_NONE_MATCH=renamed_user["ETag"])

    assert (renamed_user.status_code, renamed_user.json()["created_by"]) == (200, "alice-renamed")
    assert (renamed_store.status_code, renamed_store.json()["store_name"]) == (200, "Alpha Store Renamed")


def test_another_stores_job_is_404_even_with_its_own_etag(api, client_for, outsider, other_store):
    theirs = MarketplaceImportJobFactory(store=other_store, user=outsider, status=Status.PROCESSING)
    their_etag = client_for(outsider).get(detail_url(theirs))["ETag"]

    unknown = api.get(f"{STORE_API}/imports/{theirs.pk + 1000}")

    for if_none_match in (their_etag, "*"):
        response = api.get(detail_url(theirs), HTTP_IF_NONE_MATCH=if_none_match)

        # Exactly the answer for a job that does not exist.
        assert (response.status_code, response.json()) == (404, unknown.json())
        assert "ETag" not in response


def test_a_member_removed_since_gets_401_not_304(api, job, owner):
    etag = api.get(detail_url(job))["ETag"]
    StoreMembership.objects.filter(user=owner).delete()

    assert api.get(detail_url(job), HTTP_IF_NONE_MATCH=etag).status_code == 401
    assert api.get(LIST, HTTP_IF_NONE_MATCH=etag).status_code == 401


def test_a_json_etag_does_not_validate_the_browsable_page(api, job):
    etag = api.get(detail_url(job))["ETag"]

    page = api.get(detail_url(job), HTTP_ACCEPT="text/html", HTTP_IF_NONE_MATCH=etag)

    assert page.status_code == 200
    assert page["ETag"] != etag


def test_the_admin_detail_is_conditional_too(client_for, admin_user, job):
    admin = client_for(admin_user)
    first = admin.get(f"{ADMIN_API}/{job.pk}")

    assert admin.get(f"{ADMIN_API}/{job.pk}", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    _progress(job, total_processed=5000)
    assert admin.get(f"{ADMIN_API}/{job.pk}", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


# --- The job list --------------------------------------------------------------------------
def test_an_unchanged_list_answers_304_with_no_body(api, job):
    first = api.get(LIST)

    again = api.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"])

    assert (first.status_code, again.status_code, again.content) == (200, 304, b"")
    assert again["ETag"] == first["ETag"]


def test_the_list_etag_changes_when_a_job_is_added(api, store, owner, job):
    etag = api.get(LIST)["ETag"]
    added = MarketplaceImportJobFactory(store=store, user=owner, language="de")

    again = api.get(LIST, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 200
    assert again.json()["items"][0]["id"] == added.pk


def test_the_list_etag_changes_when_a_job_changes_status(api, job):
    etag = api.get(LIST)["ETag"]
    _progress(job, status=Status.COMPLETED, completed_at=timezone.now(), progress_percent=100)

    again = api.get(LIST, HTTP_IF_NONE_MATCH=etag)

    assert again.status_code == 200
    assert again.json()["items"][0]["status"] == "completed"


def test_the_list_etag_changes_when_a_job_past_the_page_is_deleted(api, store, owner):
    oldest, *_ = [MarketplaceImportJobFactory(store=store, user=owner, status=Status.COMPLETED) for _ in range(3)]
    etag = api.get(f"{LIST}?limit=2")["ETag"]
    oldest.delete()

    again = api.get(f"{LIST}?limit=2", HTTP_IF_NONE_MATCH=etag)

    assert (again.status_code, again.json()["total"]) == (200, 2)


def test_each_page_has_its_own_etag(api, store, owner):
    MarketplaceImportJobFactory.create_batch(4, store=store, user=owner, status=Status.COMPLETED)
    first_page = api.get(f"{LIST}?limit=2")["ETag"]

    assert api.get(f"{LIST}?limit=2&page=2", HTTP_IF_NONE_MATCH=first_page).status_code == 200


def test_an_empty_list_of_one_store_does_not_validate_another_stores(password, owner, other_store, client_for):
    # Without store claims the X-Store-Code header picks the store; both lists are empty.
    StoreMembershipFactory(user=owner, store=other_store, role=StoreMembership.Role.OWNER)
    api = client_for(owner)
    alpha = api.get(LIST, HTTP_X_STORE_CODE="alpha")

    bravo = api.get(LIST, HTTP_X_STORE_CODE="bravo", HTTP_IF_NONE_MATCH=alpha["ETag"])

    assert (alpha.status_code, bravo.status_code) == (200, 200)
    assert bravo["ETag"] != alpha["ETag"]
