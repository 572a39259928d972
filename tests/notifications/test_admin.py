from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_admins_see_what_was_sent_and_folded_read_only(
    client, admin_user, store, other_store, django_assert_max_num_queries
):
    now = timezone.now()
    for target in (store, other_store):
        for key in ("fr", "en", "de"):
            Notification.objects.create(
                store=target, kind="import_failed", key=key, sent_at=now, last_event_at=now, folded_count=3
            )
    client.force_login(admin_user)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:notifications_notification_changelist"))

    assert response.status_code == 200
    assert response.content.decode().count("Alpha Store (alpha)") == 3
    assert client.get(reverse("admin:notifications_notification_add")).status_code == 403


def test_store_users_do_not_reach_it(client, owner):
    client.force_login(owner)
    response = client.get(reverse("admin:notifications_notification_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
