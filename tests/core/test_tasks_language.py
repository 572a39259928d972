"""What a django-q2 task stores is English, whatever the portal's default language."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext
from django_q.signals import post_execute, pre_execute


def test_a_task_runs_in_english_although_the_default_is_french(settings):
    settings.LANGUAGE_CODE = "fr"
    with translation.override("fr"):
        assert gettext("Store") != "Store"  # the French catalog is there
        pre_execute.send(sender="django_q", func=None, task={"name": "t"})
        assert translation.get_language() == "en"
        assert gettext("Store") == "Store"
        # Run inline (sync mode, a request in French), the task gives the language back.
        post_execute.send(sender="django_q", task={"name": "t"})
        assert translation.get_language() == "fr"
