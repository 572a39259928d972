"""Every django-q2 task runs in English.

A task has no request, so Django would translate in LANGUAGE_CODE (French). What a task
stores -- a job's or a feed's error message, a bulk action's failure -- is read back by
the API, which speaks English, and the pages translate what they show from keys. A task
that writes for a person (an email) switches to that person's language itself.
"""

from __future__ import annotations

import threading
from typing import Any

from django.dispatch import receiver
from django.utils import translation
from django_q.signals import post_execute, pre_execute

# The language before the task, given back after it. This matters where a task runs
# inline (django-q2's sync mode, the tests): in the middle of a request in French. In a
# real cluster post_execute is sent by the monitor, another process, which finds nothing.
_before = threading.local()


@receiver(pre_execute, dispatch_uid="core.tasks_in_english")
def tasks_run_in_english(sender: Any, **kwargs: Any) -> None:
    _before.language = translation.get_language()
    translation.activate("en")


@receiver(post_execute, dispatch_uid="core.tasks_language_restored")
def tasks_language_restored(sender: Any, **kwargs: Any) -> None:
    if not hasattr(_before, "language"):
        return
    language = _before.language
    del _before.language
    if language:
        translation.activate(language)
    else:
        translation.deactivate()
