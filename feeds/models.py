from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import BaseModel
from stores.models import Language


class StoreFeed(BaseModel):
    """The schedule and health of one of a store's three Letzshop feeds (SPEC 11).

    The feed's address is the store's `letzshop_csv_url_{language}`: one place to set it.
    `next_run_at` is null while the schedule is off or paused, so the dispatcher's partial
    index holds only the feeds it may have to run.
    """

    class Schedule(models.TextChoices):
        OFF = "off", _("Off")
        HOURS = "hours", _("Every N hours")
        DAILY = "daily", _("Daily")

    class CheckResult(models.TextChoices):
        NONE = "", _("Never checked")
        IMPORTED = "imported", _("Changed: import started")
        UNCHANGED = "unchanged", pgettext_lazy("feed check", "Unchanged")
        FAILED = "failed", _("Failed")

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="feeds", db_index=False)
    language = models.CharField(max_length=2, choices=Language.choices)
    schedule = models.CharField(max_length=8, choices=Schedule.choices, default=Schedule.OFF)
    every_hours = models.PositiveSmallIntegerField(default=24, validators=[MinValueValidator(1), MaxValueValidator(24)])
    # Europe/Luxembourg wall-clock time (SPEC 11).
    daily_at = models.TimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    # When a dispatcher claimed the feed (the claim itself moves next_run_at on); cleared
    # when the check's task starts, so a redelivered task does not fetch twice.
    claimed_at = models.DateTimeField(null=True, blank=True)

    # Conditional fetch: the validators of the body last imported, sent back on the next check.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    content_sha256 = models.CharField(max_length=64, blank=True)

    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_check_result = models.CharField(max_length=16, choices=CheckResult.choices, blank=True)
    # The sentence the pages show: "Unchanged since import #12", or the failure's reason.
    last_check_message = models.CharField(max_length=1000, blank=True)
    # Last check that reached the feed and ended well (imported, 304 or same body).
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_import_job = models.ForeignKey(
        "marketplace.MarketplaceImportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    # Set when the feed paused itself (MARKETPLACE_FEED_PAUSE_AFTER failures in a row);
    # saving the schedule again, or a Fetch now that succeeds, resumes it.
    paused_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "store_feeds"
        ordering = ["store_id", "language"]
        constraints = [
            models.UniqueConstraint(fields=["store", "language"], name="uniq_feed_store_language"),
            models.CheckConstraint(condition=Q(schedule__in=["off", "hours", "daily"]), name="feed_schedule_valid"),
            models.CheckConstraint(condition=Q(every_hours__gte=1, every_hours__lte=24), name="feed_every_hours_range"),
        ]
        indexes = [
            # The dispatcher's: WHERE next_run_at <= now ORDER BY next_run_at.
            models.Index(fields=["next_run_at"], condition=Q(next_run_at__isnull=False), name="feed_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id}/{self.language} ({self.schedule})"
