"""Compile the portal's translation catalogs (locale/*/LC_MESSAGES/*.po) into .mo files.

Django's own `compilemessages` runs GNU gettext's `msgfmt`, a system program that pip
cannot install; `make install` must work on a fresh machine without it, so the catalogs
are compiled with polib, a pure-Python reader and writer of the same formats. The .mo
files are build products (git ignores them); a catalog is compiled only when its .po is
newer than its .mo.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po into .mo files (without GNU gettext)."

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        for root in settings.LOCALE_PATHS:
            for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                try:
                    catalog = polib.pofile(str(po_path))
                except (OSError, ValueError) as exc:
                    raise CommandError(f"{po_path}: {exc}") from exc
                # Written aside and renamed, so a server or a test process reading the
                # catalog meanwhile sees the old file or the new one, never half of one.
                partial = mo_path.with_suffix(f".mo.{os.getpid()}")
                catalog.save_as_mofile(str(partial))
                os.replace(partial, mo_path)
                compiled += 1
        if options["verbosity"]:
            self.stdout.write(f"Compiled {compiled} catalog(s).")
