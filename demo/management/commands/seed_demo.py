"""manage.py seed_demo: the demo admin, the demo store and its members, Quick Fill on the demo feeds."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from demo.feeds import DEMO_FEEDS
from feeds.services import feed_update
from stores.models import Store, StoreMembership

DEMO_STORE_CODE = "demo"
DEMO_USERS = [
    # username, password, is_staff, role in the demo store
    ("admin", "demo-admin-pass", True, None),
    ("owner", "demo-owner-pass", False, StoreMembership.Role.OWNER),
    ("staff", "demo-staff-pass", False, StoreMembership.Role.STAFF),
]


class Command(BaseCommand):
    help = "Create the demo admin, the demo store with its members, and point Quick Fill at the demo feeds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where this application is served, for the demo feed URLs.",
        )

    @transaction.atomic
    def handle(self, *args: Any, base_url: str, **options: Any) -> None:
        base_url = base_url.rstrip("/")
        # demo.urls' own paths: config/urls.py mounts them at the root, and only while MARKETPLACE_DEMO_FEEDS
        # is on, so the addresses are the same whether this process serves them or not.
        urls = {
            feed.language: base_url + reverse("demo-feed", args=[name], urlconf="demo.urls")
            for name, feed in DEMO_FEEDS.items()
        }
        store, created = Store.objects.update_or_create(
            code=DEMO_STORE_CODE,
            defaults={
                "name": "Maison Demo",
                "default_language": "fr",
                "is_active": True,
                "letzshop_csv_url_fr": urls["fr"],
                "letzshop_csv_url_en": urls["en"],
                "letzshop_csv_url_de": urls["de"],
            },
        )
        for username, password, is_staff, role in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@demo.lu"})
            user.is_staff = is_staff
            user.is_superuser = is_staff
            user.set_password(password)
            user.save()
            if role is not None:
                StoreMembership.objects.update_or_create(user=user, store=store, defaults={"role": role})
        if created:
            # The feed sync on show from the first visit: the French feed is fetched every
            # morning (re-seeding leaves whatever schedule the demo user chose since).
            feed_update(store=store, language="fr", schedule="daily", daily_at="06:00")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Log in at {base_url}/accounts/login/ as:")
        for username, password, is_staff, role in DEMO_USERS:
            what = "platform admin" if is_staff else f"{role} of store '{DEMO_STORE_CODE}'"
            self.stdout.write(f"    {username:<6} / {password:<16} ({what})")
        for language, url in urls.items():
            self.stdout.write(f"  Demo feed ({language}): {url}")
        if not settings.MARKETPLACE_DEMO_FEEDS:
            self.stdout.write(
                "  The application serves the demo feeds only with MARKETPLACE_DEMO_FEEDS=1 (make run sets it)."
            )
