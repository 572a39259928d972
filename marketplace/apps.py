from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Marketplace import")

    def ready(self) -> None:
        # Here rather than in admin.py: django_q is listed after this app (for its qcluster
        # command), so its ModelAdmins exist only once every admin module is imported, which
        # django.contrib.admin's ready() does, and it runs first (first in INSTALLED_APPS).
        from marketplace.admin import restrict_django_q_admin

        restrict_django_q_admin()
