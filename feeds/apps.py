from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedsConfig(AppConfig):
    name = "feeds"
    verbose_name = _("Feed sync")

    def ready(self) -> None:
        from feeds.receivers import on_import_finished
        from marketplace.signals import import_finished

        import_finished.connect(on_import_finished, dispatch_uid="feeds.on_import_finished")
