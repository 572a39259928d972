from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from marketplace.row_messages import message_of
from stores.models import Language


class Marketplace(models.TextChoices):
    LETZSHOP = "Letzshop", "Letzshop"


class Availability(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    OUT_OF_STOCK = "out_of_stock", _("Out of stock")
    PREORDER = "preorder", _("Preorder")
    BACKORDER = "backorder", _("Backorder")


class Condition(models.TextChoices):
    NEW = "new", _("New")
    REFURBISHED = "refurbished", _("Refurbished")
    USED = "used", _("Used")


class MarketplaceImportJob(BaseModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSING = "processing", _("Processing")
        COMPLETED = "completed", _("Completed")
        COMPLETED_WITH_ERRORS = "completed_with_errors", _("Completed with errors")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE_STATUSES = (Status.PENDING, Status.PROCESSING)
    FINISHED_STATUSES = (Status.COMPLETED, Status.COMPLETED_WITH_ERRORS, Status.FAILED, Status.CANCELLED)

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="import_jobs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_jobs",
        help_text="Who started the import",
    )
    marketplace = models.CharField(max_length=32, choices=Marketplace.choices, default=Marketplace.LETZSHOP)
    source_url = models.URLField(max_length=2000, blank=True)
    # An uploaded feed is kept under MARKETPLACE_UPLOAD_DIR until the job finishes.
    source_file = models.CharField(max_length=500, blank=True)
    source_filename = models.CharField(max_length=255, blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    batch_size = models.PositiveIntegerField(default=1000)
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.PENDING, db_index=True)

    imported_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    # Products that got this job's language for the first time (SPEC 7); they are also
    # counted updated or unchanged, by what happened to their language-neutral data.
    translations_added = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    total_processed = models.PositiveIntegerField(default=0)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    bytes_total = models.BigIntegerField(null=True, blank=True)
    bytes_processed = models.BigIntegerField(default=0)

    detected_encoding = models.CharField(max_length=32, blank=True)
    detected_delimiter = models.CharField(max_length=8, blank=True)
    # The feed's header as read: "the rows to fix" file gives rejected rows back under it.
    source_header = models.JSONField(default=list, blank=True)
    error_message = models.TextField(blank=True)

    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # When the job's task was last handed to the broker; null while no broker took it
    # (it was down). The recovery re-enqueues a pending job whose hand-over is old or missing.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    retried_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="retries")

    # Feed sync (SPEC 11).
    class Trigger(models.TextChoices):
        MANUAL = "manual", _("Started by hand")
        SCHEDULED = "scheduled", _("Scheduled")
        FETCH_NOW = "fetch_now", _("Fetch now")

    class Removal(models.TextChoices):
        NONE = "", _("Nothing to remove")
        APPLIED = "applied", _("Applied")
        HELD = "held", _("Held by the safety net")
        KEPT = "kept", _("Kept by the owner")

    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    # A full feed lists the whole catalog in its language: only its import makes missing the
    # products it does not contain (scheduled, Fetch now, Quick Fill, or "complete catalog" ticked).
    is_full_feed = models.BooleanField(default=False)
    missing_count = models.PositiveIntegerField(default=0)
    returned_count = models.PositiveIntegerField(default=0)
    removal_held = models.BooleanField(default=False)
    removal = models.CharField(max_length=8, choices=Removal.choices, blank=True)
    # A fetched feed's validators and whole-body hash: they become the feed's once this
    # import has completed, so a failed import is fetched again in full next time.
    feed_etag = models.CharField(max_length=500, blank=True)
    feed_last_modified = models.CharField(max_length=100, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    # A check of a feed (issue 18): the whole pipeline runs and records its errors, but no
    # product, translation or feed state is written; the counters are "would be" counts.
    dry_run = models.BooleanField(default=False, db_default=False)
    # A check's report: the file's column mapping and its first rows as they would be
    # stored (marketplace.importing.check); bounded in size, None for an import.
    check_report = models.JSONField(null=True, blank=True)

    class Meta:
        db_table = "marketplace_import_jobs"
        verbose_name = _("Marketplace import job")
        verbose_name_plural = _("Marketplace import jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["store", "-created_at", "-id"], name="job_store_created_idx"),
            models.Index(fields=["user", "-created_at", "-id"], name="job_user_created_idx"),
            models.Index(fields=["-created_at", "-id"], name="job_created_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat_idx"),
            models.Index(fields=["removal_held"], condition=Q(removal_held=True), name="job_removal_held_idx"),
        ]
        constraints = [
            # The database itself guarantees the 409 rule: one active import per store and language.
            models.UniqueConstraint(
                fields=["store", "language"],
                condition=Q(status__in=["pending", "processing"]),
                name="uniq_active_job_per_store_language",
            ),
            models.CheckConstraint(condition=Q(batch_size__gte=100, batch_size__lte=5000), name="job_batch_size_range"),
            models.CheckConstraint(condition=Q(progress_percent__lte=100), name="job_progress_range"),
        ]

    def __str__(self) -> str:
        return f"Import #{self.pk} {self.store_id}/{self.language} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None:
            return None
        if self.completed_at is None:
            return None
        return round((self.completed_at - self.started_at).total_seconds(), 3)

    @property
    def source_display(self) -> str:
        return self.source_url or (f"upload: {self.source_filename}" if self.source_filename else "")


class MarketplaceImportError(models.Model):
    class ErrorType(models.TextChoices):
        MISSING_TITLE = "missing_title", _("Missing title")
        MISSING_ID = "missing_id", _("Missing id")
        PARSE_ERROR = "parse_error", _("Parse error")
        VALIDATION_ERROR = "validation_error", _("Validation error")
        ROW_TOO_LONG = "row_too_long", _("Row too long")
        LANGUAGE_CONFLICT = "language_conflict", _("Language conflict")
        # Once per import (row 0), with the number of rows concerned.
        CURRENCY_ASSUMED = "currency_assumed", _("Currency assumed")
        HTML_CLEANED = "html_cleaned", _("HTML cleaned")
        # Google's value rules (warnings: the row is kept).
        GENDER_VALUE = "gender_value", _("Gender value")
        AGE_GROUP_VALUE = "age_group_value", _("Age group value")
        ID_TOO_LONG = "id_too_long", _("Id over 50 characters")
        MISSING_DESCRIPTION = "missing_description", _("Missing description")

    class Severity(models.TextChoices):
        ERROR = "error", _("Error")
        WARNING = "warning", _("Warning")

    import_job = models.ForeignKey(MarketplaceImportJob, on_delete=models.CASCADE, related_name="errors")
    row_number = models.PositiveIntegerField(
        help_text="As a spreadsheet shows it: the header is row 1; 0 for a warning about the whole import"
    )
    identifier = models.CharField(max_length=255, blank=True)
    error_type = models.CharField(max_length=32, choices=ErrorType.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.ERROR)
    field = models.CharField(max_length=64, blank=True)
    error_message = models.TextField()  # English, for the API (SPEC 13)
    # The message as a key of marketplace.row_messages and its parameters, which the pages
    # render in the viewer's language; blank for errors stored before keys existed.
    message_key = models.CharField(max_length=64, blank=True, default="")
    params = models.JSONField(default=dict, blank=True)
    row_data = models.JSONField(default=dict, blank=True)
    # A rejected row's cells as read, on its first error (null on warnings and on the
    # others): "the rows to fix" file gives them back in the feed's own columns.
    raw_cells = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "marketplace_import_errors"
        verbose_name = _("Marketplace import error")
        verbose_name_plural = _("Marketplace import errors")
        ordering = ["row_number", "id"]
        indexes = [
            models.Index(fields=["import_job", "row_number", "id"], name="err_job_row_idx"),
            models.Index(fields=["import_job", "severity", "error_type"], name="err_job_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"Row {self.row_number}: {self.error_type} ({self.severity})"

    @property
    def display_message(self) -> str:
        """The message in the active language (the stored English one for an old error)."""
        return message_of(self.message_key, self.params, self.error_message)


class MarketplaceProduct(BaseModel):
    """A product as the store's marketplace feed describes it (the staging area)."""

    # No index of its own: the unique (store, marketplace, marketplace_product_id) index serves it.
    store = models.ForeignKey(
        "stores.Store", on_delete=models.CASCADE, related_name="marketplace_products", db_index=False
    )
    marketplace = models.CharField(max_length=32, choices=Marketplace.choices, default=Marketplace.LETZSHOP)
    marketplace_product_id = models.CharField(max_length=255)
    store_name = models.CharField(max_length=200, blank=True)

    # A display copy of the store's default language (else the first language imported):
    # what lists, search and sorting use without a join. Every localized attribute, these
    # two included, lives on MarketplaceProductTranslation (SPEC 7).
    title = models.CharField(max_length=500)
    description = models.TextField(blank=True)
    image_link = models.CharField(max_length=2000, blank=True)
    additional_image_links = models.JSONField(default=list, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    sale_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    sale_price_currency = models.CharField(max_length=3, blank=True)
    sale_price_effective_date = models.CharField(max_length=100, blank=True)
    availability = models.CharField(max_length=20, choices=Availability.choices, blank=True)
    availability_date = models.CharField(max_length=50, blank=True)
    expiration_date = models.CharField(max_length=50, blank=True)
    condition = models.CharField(max_length=20, choices=Condition.choices, blank=True)
    brand = models.CharField(max_length=255, blank=True)
    gtin = models.CharField(max_length=14, blank=True)
    mpn = models.CharField(max_length=100, blank=True)
    identifier_exists = models.BooleanField(null=True, blank=True)
    google_product_category = models.CharField(max_length=500, blank=True)
    item_group_id = models.CharField(max_length=100, blank=True)
    size_type = models.CharField(max_length=50, blank=True)
    size_system = models.CharField(max_length=10, blank=True)
    gender = models.CharField(max_length=20, blank=True)
    age_group = models.CharField(max_length=20, blank=True)
    adult = models.BooleanField(null=True, blank=True)
    multipack = models.PositiveIntegerField(null=True, blank=True)
    is_bundle = models.BooleanField(null=True, blank=True)
    energy_efficiency_class = models.CharField(max_length=10, blank=True)
    unit_pricing_measure = models.CharField(max_length=50, blank=True)
    unit_pricing_base_measure = models.CharField(max_length=50, blank=True)
    shipping = models.CharField(max_length=500, blank=True)
    shipping_label = models.CharField(max_length=100, blank=True)
    shipping_weight = models.CharField(max_length=50, blank=True)
    shipping_length = models.CharField(max_length=50, blank=True)
    shipping_width = models.CharField(max_length=50, blank=True)
    shipping_height = models.CharField(max_length=50, blank=True)
    tax_category = models.CharField(max_length=100, blank=True)
    custom_label_0 = models.CharField(max_length=100, blank=True)
    custom_label_1 = models.CharField(max_length=100, blank=True)
    custom_label_2 = models.CharField(max_length=100, blank=True)
    custom_label_3 = models.CharField(max_length=100, blank=True)
    custom_label_4 = models.CharField(max_length=100, blank=True)
    ads_redirect = models.CharField(max_length=2000, blank=True)
    promotion_id = models.CharField(max_length=100, blank=True)

    extra_attributes = models.JSONField(default=dict, blank=True, help_text="Feed columns this platform does not map")
    # Missing products (SPEC 11): set when the store's policy acted on a product absent
    # from its full feeds, cleared when a feed contains it again. `missing_action` says what
    # was done ("out_of_stock": the availability it had is kept to restore it; "deactivated":
    # it left the catalog pages and API; "kept": the policy is keep).
    # Database defaults: the import's writers insert rows with COPY and raw INSERTs that
    # name only the feed's columns.
    missing_since = models.DateTimeField(null=True, blank=True)
    missing_action = models.CharField(max_length=16, blank=True, default="", db_default="")
    availability_before_missing = models.CharField(max_length=20, blank=True, default="", db_default="")
    # Hash of the normalized, language-independent data: equal hash means nothing to write.
    content_hash = models.CharField(max_length=64, blank=True)
    # Indexed once, by mp_last_job_idx below.
    last_import_job = models.ForeignKey(
        MarketplaceImportJob,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        help_text="The import that last created or changed it",
    )

    class Meta:
        db_table = "marketplace_products"
        verbose_name = _("Marketplace product")
        verbose_name_plural = _("Marketplace products")
        ordering = ["-updated_at", "-id"]
        constraints = [
            # Scoped by store so one store's feed can never overwrite another store's products.
            models.UniqueConstraint(
                fields=["store", "marketplace", "marketplace_product_id"], name="uniq_product_store_marketplace_id"
            ),
        ]
        indexes = [
            models.Index(fields=["marketplace"], name="mp_marketplace_idx"),
            models.Index(fields=["store_name"], name="mp_store_name_idx"),
            models.Index(fields=["brand"], name="mp_brand_idx"),
            models.Index(fields=["gtin"], name="mp_gtin_idx"),
            models.Index(fields=["availability"], name="mp_availability_idx"),
            models.Index(fields=["last_import_job"], name="mp_last_job_idx"),
            # The missing-product step (SPEC 11) starts from the few missing products.
            models.Index(fields=["store"], condition=Q(missing_since__isnull=False), name="mp_missing_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.marketplace_product_id}: {self.title}"


class MarketplaceProductTranslation(BaseModel):
    # No index of its own: the unique (product, language) index serves it.
    product = models.ForeignKey(
        MarketplaceProduct, on_delete=models.CASCADE, related_name="translations", db_index=False
    )
    language = models.CharField(max_length=2, choices=Language.choices)
    # The localized attributes (marketplace.importing.schema.TRANSLATABLE, SPEC 7).
    title = models.CharField(_("Title"), max_length=500)
    description = models.TextField(_("Description"), blank=True)
    link = models.CharField(_("Link"), max_length=2000, blank=True)
    mobile_link = models.CharField(_("Mobile link"), max_length=2000, blank=True)
    product_type = models.CharField(_("Product type"), max_length=750, blank=True)
    color = models.CharField(_("Color"), max_length=100, blank=True)
    size = models.CharField(_("Size"), max_length=100, blank=True)
    material = models.CharField(_("Material"), max_length=200, blank=True)
    pattern = models.CharField(_("Pattern"), max_length=100, blank=True)
    product_highlight = models.CharField(_("Product highlight"), max_length=1000, blank=True)
    product_detail = models.CharField(_("Product detail"), max_length=1000, blank=True)
    # Hash of the raw feed row this translation came from: an identical row is skipped unparsed.
    source_hash = models.CharField(max_length=64, blank=True)
    # A row that produced warnings is always re-normalized so its warnings are reported again.
    had_warnings = models.BooleanField(default=False)
    # Consecutive full imports of this language that did not contain the product (SPEC 11).
    # A database default: the writers insert translations with COPY and raw INSERTs.
    absent_streak = models.PositiveSmallIntegerField(default=0, db_default=0)

    class Meta:
        db_table = "marketplace_product_translations"
        constraints = [
            models.UniqueConstraint(fields=["product", "language"], name="uniq_translation_product_language"),
        ]
        # The missing-product step (SPEC 11) reads the few absent translations, not them all.
        indexes = [models.Index(fields=["product"], condition=Q(absent_streak__gt=0), name="mpt_absent_idx")]

    def __str__(self) -> str:
        return f"{self.product_id} [{self.language}] {self.title}"


class FeedMembership(models.Model):
    """Feed membership (SPEC 7): one row per product that an import's feed contained.

    The rows of a feed are "the products of that import" (publish all from it, the Import
    filter), and a translation's last import that contained it (its `last_seen_job`) is
    the latest import of its language with a row here (`marketplace.selectors`).

    A narrow table written with COPY, insert-only, rather than two columns on the
    translation: an unchanged re-import rewrites no product and no translation, and
    rewriting every translation row (1.4 KB each, four indexes) to record the new import
    halved its speed on PostgreSQL (see README, Performance). Older imports' rows are
    pruned (`MARKETPLACE_FEED_MEMBERSHIP_KEEP`).
    """

    pk = models.CompositePrimaryKey("import_job", "product")
    # Indexed by the primary key, whose first column it is. No database constraint: a
    # deferred foreign key check per row, run at every batch's commit, cost an unchanged
    # re-import of 100,000 rows half a second on PostgreSQL (a sixth of its time). Only the
    # import writes rows, for its own job, which exists; deleting a job deletes its rows
    # (Django's CASCADE, done by the ORM, not by the database).
    import_job = models.ForeignKey(
        MarketplaceImportJob, on_delete=models.CASCADE, db_constraint=False, db_index=False, related_name="+"
    )
    # No database constraint and no index of its own: rows are only ever read by import,
    # through the primary key, and a deleted product's rows are harmless (every read goes
    # through the product table) until its import's rows are pruned.
    product = models.ForeignKey(
        MarketplaceProduct, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )

    class Meta:
        db_table = "marketplace_feed_membership"

    def __str__(self) -> str:
        return f"import {self.import_job_id}: product {self.product_id}"


class ProductPresenceChange(models.Model):
    """A product an import made missing, or brought back (the job page's lists, SPEC 11)."""

    class Kind(models.TextChoices):
        MISSING = "missing", _("Went missing")
        RETURNED = "returned", _("Came back")
        HELD = "held", _("Held by the safety net")

    pk = models.CompositePrimaryKey("import_job", "product")
    import_job = models.ForeignKey(MarketplaceImportJob, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(MarketplaceProduct, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)

    class Meta:
        db_table = "marketplace_product_presence_changes"
        indexes = [models.Index(fields=["product"], name="presence_product_idx")]

    def __str__(self) -> str:
        return f"import {self.import_job_id}: product {self.product_id} {self.kind}"
