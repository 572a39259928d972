"""Starting an import from the API, shared by the store and the admin endpoints."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.requests import authenticated_user
from marketplace.api.serializers import ImportJobCreatedSerializer
from marketplace.models import Marketplace
from marketplace.services import (
    BATCH_SIZE_DEFAULT,
    BATCH_SIZE_MAX,
    BATCH_SIZE_MIN,
    feed_url_clean,
    import_job_create,
)
from stores.models import Language, Store

SOURCE_URL_HELP = "The feed's http(s) address. Give either source_url or file, not both."
FILE_HELP = "The feed file (CSV/TSV, may be gzipped), instead of source_url."


class ImportSettingsInput(serializers.Serializer[dict[str, Any]]):
    """The body of every import request besides its store: source and settings.

    `file` is only documented for multipart bodies; a JSON body that names it gets 400.
    """

    source_url = serializers.CharField(max_length=2000, required=False, allow_blank=True, help_text=SOURCE_URL_HELP)
    marketplace = serializers.ChoiceField(choices=Marketplace.choices, default=Marketplace.LETZSHOP)
    batch_size = serializers.IntegerField(
        min_value=BATCH_SIZE_MIN,
        max_value=BATCH_SIZE_MAX,
        default=BATCH_SIZE_DEFAULT,
        help_text="Rows per transaction.",
    )
    language = serializers.ChoiceField(
        choices=Language.choices, default=Language.ENGLISH, help_text="The language of the feed's texts."
    )
    dry_run = serializers.BooleanField(
        default=False,
        help_text="Check the feed without importing it: the job reads, maps and normalizes the whole file, "
        "records its errors and what it would do (would-be counts, check_report), and writes no product.",
    )
    file = serializers.FileField(required=False, help_text=FILE_HELP)
    complete_catalog = serializers.BooleanField(
        default=False,
        help_text="This file is the store's complete catalog in its language: products it lacks may go missing. "
        "A Quick Fill URL (the store's configured feed) always is.",
    )

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        # Which source the request gives (a URL, a file, both or none) is no single field's
        # mistake, but it is reported together with the fields' own, so that one answer
        # names every mistake instead of the service's check coming in a second round.
        source_errors = self._source_errors(data)
        try:
            value: dict[str, Any] = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if source_errors and isinstance(exc.detail, dict):
                for key, messages in source_errors.items():
                    exc.detail.setdefault(key, [ErrorDetail(message, code="invalid") for message in messages])
            raise
        if source_errors:
            raise serializers.ValidationError(source_errors)
        return value

    def _source_errors(self, data: Any) -> dict[str, list[str]]:
        if not isinstance(data, Mapping):
            return {}  # the serializer itself says the body is not an object
        has_url = bool(str(data.get("source_url") or "").strip())
        has_file = "file" in self.fields and bool(data.get("file"))
        if has_url and has_file:
            return {"source_url": [_("Give either source_url or a file, not both.")]}
        if not has_url and not has_file:
            return {"source_url": [_("Give the address of your feed in source_url, or upload a file.")]}
        return {}

    def validate_source_url(self, value: str) -> str:
        # Here rather than only in the service, so that a bad address is reported together
        # with the other fields' mistakes, not in a second round. The service checks again.
        if not value:
            return value
        try:
            feed_url_clean(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return value


def start_import(
    *, request: Request, store: Store, data: dict[str, Any], rename: dict[str, str] | None = None
) -> Response:
    """Call import_job_create with a URL or an uploaded file; 202 `{job_id, status}`.

    `rename` maps the service's error keys to the request's field names (the admin API
    names the store `store_id`).
    """
    try:
        job = import_job_create(
            store=store,
            user=authenticated_user(request),
            source_url=data.get("source_url", ""),
            upload=data.get("file"),
            marketplace=data["marketplace"],
            language=data["language"],
            batch_size=data["batch_size"],
            complete_catalog=data.get("complete_catalog", False),
            dry_run=data.get("dry_run", False),
        )
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise serializers.ValidationError({"non_field_errors": exc.messages}) from None
        rename = rename or {}
        raise serializers.ValidationError(
            {rename.get(key, key): messages for key, messages in exc.message_dict.items()}
        ) from None
    body = ImportJobCreatedSerializer({"job_id": job.pk, "status": job.status}).data
    return Response(body, status=status.HTTP_202_ACCEPTED)
