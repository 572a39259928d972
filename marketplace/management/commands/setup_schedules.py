from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_q.models import Schedule

SCHEDULES = [
    {
        "name": "recover-stale-imports",
        "func": "marketplace.tasks.recover_stale_imports",
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
    },
    {
        # SPEC 11: the one feed dispatcher; every cluster's scheduler may run it, the
        # claims make each due feed run once.
        "name": "dispatch-due-feeds",
        "func": "feeds.tasks.dispatch_due_feeds",
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
    },
]


class Command(BaseCommand):
    help = "Create or update every periodic task of the platform (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        for spec in SCHEDULES:
            defaults = {k: v for k, v in spec.items() if k != "name"}
            _, created = Schedule.objects.update_or_create(name=spec["name"], defaults=defaults)
            self.stdout.write(f"{'created' if created else 'updated'} schedule {spec['name']}")
