"""Every django-q2 task runs in English.

A task has no request, so Django would translate in LANGUAGE_CODE (French). What a task
stores -- a job's or a feed's error message, a bulk action's failure -- is read back by
the API, which speaks English, and the pages translate what they show from keys. A task
that writes for a person (an email) switches to that person's language itself.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import translation
from django_q.signals import pre_execute


@receiver(pre_execute, dispatch_uid="core.tasks_in_english")
def tasks_run_in_english(sender: Any, **kwargs: Any) -> None:
    translation.activate("en")
