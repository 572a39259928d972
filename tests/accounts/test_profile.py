from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
URL = "/accounts/profile/"
KINDS = ("notify_import_failed", "notify_feed_paused", "notify_removal_held", "notify_new_errors")


def test_the_url_is_named():
    assert reverse("accounts:profile") == URL


def test_a_logged_out_visitor_is_sent_to_the_login(client):
    for response in (client.get(URL), client.post(URL, {})):
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={URL}"


def test_the_page_shows_the_four_checkboxes_ticked_and_a_csrf_token(client, owner, store):
    client.force_login(owner)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for name in KINDS:
        assert f'type="checkbox" name="{name}" id="id_{name}" checked' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "alice@example.lu" in html
    assert "Alpha Store · Owner" in html


def test_saving_unticks_only_the_kinds_left_out_and_says_so(client, owner, manager):
    client.force_login(owner)
    response = client.post(URL, {"notify_import_failed": "on", "notify_new_errors": "on"}, follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "Your email preferences are saved." in response.content.decode()
    owner.refresh_from_db()
    assert [getattr(owner, name) for name in KINDS] == [True, False, False, True]
    html = response.content.decode()
    assert 'name="notify_feed_paused" id="id_notify_feed_paused">' in html
    # Only one's own: another user's preferences stay as they were.
    manager.refresh_from_db()
    assert all(getattr(manager, name) for name in KINDS)


def test_saving_the_same_choices_again_says_nothing_changed(client, owner):
    client.force_login(owner)
    response = client.post(URL, dict.fromkeys(KINDS, "on"), follow=True)
    assert "Nothing to save" in response.content.decode()


def test_ticking_a_kind_again_switches_it_back_on(client, owner):
    owner.notify_removal_held = False
    owner.save()
    client.force_login(owner)
    client.post(URL, dict.fromkeys(KINDS, "on"))
    owner.refresh_from_db()
    assert owner.notify_removal_held is True


def test_a_post_without_the_csrf_token_is_refused(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(URL, {})
    assert response.status_code == 403
    owner.refresh_from_db()
    assert all(getattr(owner, name) for name in KINDS)


def test_a_post_with_the_token_from_the_page_is_accepted(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    client.get(URL)
    token = client.cookies["csrftoken"].value
    response = client.post(URL, {"csrfmiddlewaretoken": token, "notify_feed_paused": "on"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.notify_import_failed, owner.notify_feed_paused) == (False, True)


def test_other_users_fields_cannot_be_changed_through_the_form(client, owner):
    client.force_login(owner)
    client.post(URL, {"email": "evil@example.lu", "is_staff": "on", "username": "mallory"})
    owner.refresh_from_db()
    assert (owner.username, owner.email, owner.is_staff) == ("alice", "alice@example.lu", False)


def test_a_user_without_an_address_is_told_no_email_can_reach_them(client, owner):
    owner.email = ""
    owner.save()
    client.force_login(owner)
    assert "Your account has no email address" in client.get(URL).content.decode()


def test_staff_members_see_that_their_role_gets_no_emails(client, staff_member):
    client.force_login(staff_member)
    assert "(read-only: no emails)" in client.get(URL).content.decode()


def test_the_portal_user_menu_links_to_the_profile(client, owner, store):
    client.force_login(owner)
    response = client.get(reverse("dashboard:store", args=[store.code]))
    assert f'href="{URL}"' in response.content.decode()


def test_the_admin_user_menu_links_to_the_profile(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert f'<a href="{URL}">Email notifications</a>' in response.content.decode()
    assert client.get(URL).status_code == 200


def test_other_methods_are_refused(client, owner):
    client.force_login(owner)
    assert client.put(URL, {}).status_code == 405
