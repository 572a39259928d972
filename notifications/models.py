from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel


class Notification(BaseModel):
    """What was last emailed for one kind of event of one store (and feed language), so
    repeats within NOTIFICATION_FOLD_SECONDS are folded into the next email (SPEC 12).

    One row per (store, kind, key), claimed with conditional UPDATEs: see
    notifications.services.notification_claim.
    """

    class Kind(models.TextChoices):
        IMPORT_FAILED = "import_failed", "An import failed"
        FEED_PAUSED = "feed_paused", "A feed paused itself"
        REMOVAL_HELD = "removal_held", "A removal was held"
        NEW_ERRORS = "new_errors", "A scheduled import has new errors"

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The feed's language for every kind today; "" would mean the whole store.
    key = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(help_text="When the latest email of this kind went out")
    last_event_at = models.DateTimeField()
    folded_count = models.PositiveIntegerField(default=0, help_text="Events since sent_at that were not emailed")
    # Copied from folded_count and sent_at by the claim that sent the latest email: what it
    # reported as "and N more since ...".
    reported_folded_count = models.PositiveIntegerField(default=0)
    reported_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "notifications"
        verbose_name = _("Notification")
        verbose_name_plural = _("Notifications")
        constraints = [
            models.UniqueConstraint(fields=["store", "kind", "key"], name="uniq_notification_store_kind_key"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["import_failed", "feed_paused", "removal_held", "new_errors"]),
                name="notification_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store_id}/{self.kind}/{self.key} sent {self.sent_at:%Y-%m-%d %H:%M}"
