"""Django's makemessages, without fuzzy matching.

msgmerge would otherwise guess a translation for every new message from a similar old
one and mark it fuzzy; gettext skips fuzzy entries, so the page would silently show the
English text. A new message stays untranslated instead, which the catalog test names.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
