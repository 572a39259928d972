"""Pagination of every list API: `{items, total, page, limit}` (SPEC section 6).

`page` and `limit` must be integers of at least 1 (400 otherwise); a `limit` above 100 is
served as 100, and the answer's `limit` says so; a page past the end is an empty `items`
list. A query parameter a list does not know is a 400, so that a misspelt filter never
answers with everything.
"""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField, QuerySet, Subquery
from rest_framework import serializers
from rest_framework.settings import api_settings

MAX_LIMIT = 100
# Far past any real history, and small enough that (page - 1) * limit stays a valid OFFSET.
MAX_PAGE = 1_000_000


def limit_field(default: int) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        default=default,
        help_text=f"Items per page; values above {MAX_LIMIT} are served as {MAX_LIMIT}.",
    )


class PaginationInput(serializers.Serializer[dict[str, Any]]):
    """Query parameters `page` and `limit` (10 by default; subclasses may change it with limit_field)."""

    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1, help_text="1-based page number.")
    limit = limit_field(10)

    def validate_limit(self, value: int) -> int:
        return min(value, MAX_LIMIT)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A misspelt filter (`created_by_mee=true`) must not silently answer with everything.
        unknown = sorted(set(self.initial_data) - set(self.fields) - {api_settings.URL_FORMAT_OVERRIDE})
        if unknown:
            raise serializers.ValidationError(dict.fromkeys(unknown[:10], ["Unknown query parameter."]))
        return attrs


class _Count(Subquery):
    """`(SELECT COUNT(*) FROM (subquery))`: an uncorrelated scalar subquery, which PostgreSQL
    and SQLite both evaluate once per statement."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def page_rows(*, queryset: QuerySet[Any], page: int, limit: int) -> tuple[int, list[Any]]:
    """The total and one page's rows of the queryset, in one query: the total rides on every
    row as a scalar subquery. Only a page past the end (no row to ride on) costs a second
    query. For plain querysets (no annotations of their own); the polled job list uses it.
    """
    offset = (page - 1) * limit
    rows = list(queryset.annotate(_total=_Count(queryset.order_by().values("pk")))[offset : offset + limit])
    total = rows[0]._total if rows else queryset.count()
    return total, rows


def page_body(
    *, rows: list[Any], total: int, page: int, limit: int, serializer_class: type[serializers.Serializer[Any]]
) -> dict[str, Any]:
    return {"items": serializer_class(rows, many=True).data, "total": total, "page": page, "limit": limit}


def paginate(
    *, queryset: QuerySet[Any], page: int, limit: int, serializer_class: type[serializers.Serializer[Any]]
) -> dict[str, Any]:
    """One page of the queryset as `{items, total, page, limit}`, in two queries whatever the limit."""
    total = queryset.count()
    offset = (page - 1) * limit
    rows = list(queryset[offset : offset + limit]) if offset < total else []
    return page_body(rows=rows, total=total, page=page, limit=limit, serializer_class=serializer_class)


def page_serializer(
    name: str, item_serializer: type[serializers.Serializer[Any]]
) -> type[serializers.Serializer[dict[str, Any]]]:
    """The schema component of a page of items, e.g. `ImportJobPage`."""
    return type(
        f"{name}Serializer",
        (serializers.Serializer,),
        {
            "items": item_serializer(many=True),
            "total": serializers.IntegerField(help_text="Items matching the filters, on all pages."),
            "page": serializers.IntegerField(),
            "limit": serializers.IntegerField(),
            "Meta": type("Meta", (), {"ref_name": name}),
        },
    )
