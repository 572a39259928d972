from __future__ import annotations

from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "feeds"
    verbose_name = "Feed sync"

    def ready(self) -> None:
        from feeds.receivers import on_import_finished
        from marketplace.signals import import_finished

        import_finished.connect(on_import_finished, dispatch_uid="feeds.on_import_finished")
