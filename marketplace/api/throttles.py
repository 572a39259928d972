from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle


class ImportCreateThrottle(ScopedRateThrottle):
    """ScopedRateThrottle for the views with `throttle_scope = "import_create"`, per user.

    The rate is read from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (env
    MARKETPLACE_IMPORT_THROTTLE) on each request rather than once at import time, so a
    settings override (tests) takes effect.
    """

    def get_rate(self) -> str | None:
        self.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES  # type: ignore[assignment]  # DRF's settings stub types the rates as numbers; they are strings ("10/hour")
        return super().get_rate()
