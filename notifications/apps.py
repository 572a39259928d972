from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from feeds.signals import feed_paused
        from marketplace.signals import import_finished, removal_held
        from notifications import receivers

        import_finished.connect(receivers.on_import_finished, dispatch_uid="notifications.import_finished")
        feed_paused.connect(receivers.on_feed_paused, dispatch_uid="notifications.feed_paused")
        removal_held.connect(receivers.on_removal_held, dispatch_uid="notifications.removal_held")
