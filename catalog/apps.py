from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _recover_bulk_actions(sender: Any, now: Any = None, **kwargs: Any) -> dict[str, int]:
    from catalog.bulk_actions import bulk_actions_recover

    return bulk_actions_recover(now=now)


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from marketplace.signals import recovery_requested

        # The import recovery (cluster start, every minute) also recovers the catalog's
        # background publishes: one scheduler, one set of rules.
        recovery_requested.connect(_recover_bulk_actions, dispatch_uid="catalog-bulk-actions-recover")
