"""django-q2's qcluster, preceded by the import's start-up duties: its schedules, and the
recovery of the imports that a dead worker or a lost broker left behind.

`marketplace` is listed before `django_q` in INSTALLED_APPS so this command wins the name.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management import call_command
from django_q.management.commands.qcluster import Command as QClusterCommand

from marketplace.services import import_jobs_recover

logger = logging.getLogger(__name__)


class Command(QClusterCommand):  # type: ignore[misc]  # django-q2 is untyped
    help = "Start django-q2 workers, after recovering imports that a dead worker left behind."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("setup_schedules", verbosity=0)
        recovered = import_jobs_recover()
        logger.info("Worker cluster starting; import recovery: %s", recovered)
        super().handle(*args, **options)
