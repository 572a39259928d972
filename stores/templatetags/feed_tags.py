"""The feed's last check in the reader's language.

feeds.sync stores `last_check_message` in English (the API returns it as it is, and the
worker that writes it has no reader); its few sentences are read back here and shown
translated. A failure's reason comes from the download and stays as it was written.
"""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext, pgettext

from feeds.models import StoreFeed

register = template.Library()

# The sentences of feeds.sync, exactly as it writes them.
_CHANGED = re.compile(r"Changed: import #(?P<job>\d+) started")
_UNCHANGED_SINCE = re.compile(r"Unchanged since import #(?P<job>\d+)")
_BUSY = re.compile(r"Not fetched: import #(?P<job>\d+) was still (?P<status>\w+)")
_IMPORT_FAILED = re.compile(r"Import #(?P<job>\d+) failed: (?P<reason>.*)", re.DOTALL)


@register.filter
def check_message(feed: StoreFeed) -> str:
    """The feed's last check as a sentence for the page: its stored message, translated
    when it is one of feeds.sync's own, else its result's label."""
    message = feed.last_check_message
    if not message:
        return str(feed.get_last_check_result_display())
    if message == "Unchanged":
        return pgettext("feed check", "Unchanged")
    if match := _CHANGED.fullmatch(message):
        return gettext("Changed: import #%(job)s started") % {"job": match["job"]}
    if match := _UNCHANGED_SINCE.fullmatch(message):
        return gettext("Unchanged since import #%(job)s") % {"job": match["job"]}
    if match := _BUSY.fullmatch(message):
        if match["status"] == "pending":
            return gettext("Not fetched: import #%(job)s was still pending") % {"job": match["job"]}
        return gettext("Not fetched: import #%(job)s was still processing") % {"job": match["job"]}
    if match := _IMPORT_FAILED.fullmatch(message):
        return gettext("Import #%(job)s failed: %(reason)s") % {"job": match["job"], "reason": match["reason"]}
    return message
