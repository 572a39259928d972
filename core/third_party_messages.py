"""Texts of django-q2's admin entries, for our catalogs to translate.

django-q2 ships French and German .po files but no compiled .mo, so its model names
("Scheduled tasks", "Failed tasks", ...) would show in English in our admin sidebar.
Django looks a msgid up in LOCALE_PATHS first, so our catalog translating the same
msgids is enough; `gettext_noop` only marks them for `makemessages` (nothing imports
this module at run time). The translations are django-q2's own.
"""

from django.utils.translation import gettext_noop

DJANGO_Q_MODEL_NAMES = (
    gettext_noop("Successful task"),
    gettext_noop("Successful tasks"),
    gettext_noop("Failed task"),
    gettext_noop("Failed tasks"),
    gettext_noop("Scheduled task"),
    gettext_noop("Scheduled tasks"),
    gettext_noop("Queued task"),
    gettext_noop("Queued tasks"),
)
