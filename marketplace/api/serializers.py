"""The Job and Error JSON of SPEC section 6, shared by the store and the admin API."""

from __future__ import annotations

from typing import Any, cast

from rest_framework import serializers

from core.api.pagination import page_serializer
from marketplace.error_catalogue import error_code
from marketplace.models import MarketplaceImportError, MarketplaceImportJob


class ImportJobOutputSerializer(serializers.Serializer[MarketplaceImportJob]):
    """An import job: its settings, status, counters and timings."""

    # Read the job from a selector with store and user joined. The docstring above is the
    # API schema's description, so it speaks to the API's users.

    id = serializers.IntegerField()
    store_id = serializers.IntegerField()
    store_code = serializers.CharField(source="store.code")
    store_name = serializers.CharField(source="store.name")
    user_id = serializers.IntegerField(allow_null=True, help_text="Who started the import.")
    created_by = serializers.SerializerMethodField(help_text="Username of who started the import.")
    marketplace = serializers.CharField()
    source_url = serializers.CharField(help_text="Empty for an uploaded file.")
    # Language.choices: a flat list of (value, label), never grouped nor None for this field.
    language = serializers.ChoiceField(
        choices=cast("list[tuple[str, str]]", MarketplaceImportJob._meta.get_field("language").choices)
    )
    batch_size = serializers.IntegerField()
    status = serializers.ChoiceField(choices=MarketplaceImportJob.Status.choices)
    imported_count = serializers.IntegerField()
    updated_count = serializers.IntegerField()
    unchanged_count = serializers.IntegerField()
    translations_added = serializers.IntegerField(
        help_text="Products that got this job's language for the first time; also counted updated or unchanged."
    )
    error_count = serializers.IntegerField()
    warning_count = serializers.IntegerField()
    total_processed = serializers.IntegerField()
    progress_percent = serializers.IntegerField()
    detected_encoding = serializers.CharField()
    detected_delimiter = serializers.CharField()
    error_message = serializers.CharField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    duration_seconds = serializers.FloatField(allow_null=True, help_text="From start to end; null until finished.")
    is_full_feed = serializers.BooleanField(
        help_text="The feed lists the whole catalog in its language (scheduled, Quick Fill, or complete_catalog)."
    )
    missing_count = serializers.IntegerField(help_text="Products this import made missing.")
    returned_count = serializers.IntegerField(help_text="Missing products this import brought back.")
    removal_held = serializers.BooleanField(
        help_text="The safety net holds this import's removal of missing products until it is applied or kept."
    )
    dry_run = serializers.BooleanField(
        help_text="A check of a feed: nothing was written; the counts say what an import would do "
        "(imported = would add, updated = would change, missing_count = would go missing)."
    )
    check_report = serializers.JSONField(
        allow_null=True,
        help_text="A check's report (null for an import): columns (each column, the field it maps to, "
        "a suggestion for an unmapped one), sample (the first rows as they would be stored), "
        "would_go_missing and removal_would_hold (what a full import of the feed would do).",
    )

    class Meta:
        ref_name = "ImportJob"

    def get_created_by(self, job: MarketplaceImportJob) -> str | None:
        return job.user.username if job.user is not None else None


class ImportErrorOutputSerializer(serializers.Serializer[MarketplaceImportError]):
    """One problem of an import: a row that was skipped (error) or imported with a warning."""

    id = serializers.IntegerField()
    row_number = serializers.IntegerField(help_text="As a spreadsheet shows it: the header is row 1.")
    identifier = serializers.CharField()
    error_type = serializers.ChoiceField(choices=MarketplaceImportError.ErrorType.choices)
    severity = serializers.ChoiceField(choices=MarketplaceImportError.Severity.choices)
    field = serializers.CharField()
    error_message = serializers.CharField(help_text="In English, whatever the language of the request.")
    code = serializers.SerializerMethodField(
        help_text="The error catalogue's stable code of the problem (`parse_error.price`, `missing_id`...)."
    )
    row_data = serializers.DictField(help_text="The row's key fields.")

    class Meta:
        ref_name = "ImportError"

    def get_code(self, error: MarketplaceImportError) -> str:
        return error_code(error.error_type, error.field)


class ImportJobCreatedSerializer(serializers.Serializer[dict[str, Any]]):
    job_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=MarketplaceImportJob.Status.choices)

    class Meta:
        ref_name = "ImportJobCreated"


class RemovalInputSerializer(serializers.Serializer[dict[str, Any]]):
    action = serializers.ChoiceField(
        choices=[("apply", "Apply the store's policy to the held products"), ("keep", "Keep them")]
    )

    class Meta:
        ref_name = "RemovalRequest"


ImportJobPageSerializer = page_serializer("ImportJobPage", ImportJobOutputSerializer)
ImportErrorPageSerializer = page_serializer("ImportErrorPage", ImportErrorOutputSerializer)
