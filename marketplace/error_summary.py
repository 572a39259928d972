"""A job's problems grouped by the error catalogue's codes, and the platform's most
common codes of the last days (issue 18): reads only, a fixed number of queries each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from marketplace.error_catalogue import ErrorCode, describe, error_code
from marketplace.models import MarketplaceImportError, MarketplaceImportJob

EXAMPLES_PER_CODE = 3
RECENT_DAYS = 7
RECENT_CACHE_SECONDS = 300


@dataclass
class CodeSummary:
    code: str
    entry: ErrorCode
    severity: str
    count: int = 0
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def error_type(self) -> str:
        """The viewer's type filter that lists these rows (the code's own type)."""
        return self.code.split(".", 1)[0]


def import_error_summary(*, job: MarketplaceImportJob) -> list[CodeSummary]:
    """The job's problems by code, errors first then by count, each with its first rows.

    Two queries whatever the job's size: counts per (severity, type, field), and the first
    rows of each (severity, type, field) by a window function.
    """
    errors = MarketplaceImportError.objects.filter(import_job=job)
    groups: dict[tuple[str, str], CodeSummary] = {}
    for row in errors.values("severity", "error_type", "field").annotate(count=Count("id")).order_by():
        code = error_code(row["error_type"], row["field"])
        summary = groups.get((row["severity"], code))
        if summary is None:
            summary = groups[(row["severity"], code)] = CodeSummary(code, describe(code), row["severity"])
        summary.count += row["count"]
    if not groups:
        return []
    ranked = errors.annotate(
        rank=Window(
            RowNumber(), partition_by=[F("severity"), F("error_type"), F("field")], order_by=[F("row_number"), F("id")]
        )
    ).filter(rank__lte=EXAMPLES_PER_CODE)
    shown = ("severity", "error_type", "field", "row_number", "identifier", "error_message", "message_key", "params")
    for example in ranked.values(*shown):
        summary = groups[(example["severity"], error_code(example["error_type"], example["field"]))]
        summary.examples.append(example)
    for summary in groups.values():
        summary.examples.sort(key=lambda e: e["row_number"])
        del summary.examples[EXAMPLES_PER_CODE:]
    return sorted(groups.values(), key=lambda s: (s.severity != "error", -s.count, s.code))


@dataclass
class RecentCode:
    code: str
    entry: ErrorCode
    count: int
    store_count: int
    stores: list[tuple[str, str, int]]  # (code, name, count), the most affected first


def recent_error_codes(*, days: int = RECENT_DAYS, limit: int = 10) -> list[RecentCode]:
    """The most reported codes across all stores over the last `days`, with the stores most
    affected: for admin monitoring. Cached a few minutes: it reads every recent error row.
    Checks of a feed are left out: a store that checks a file and then imports it would
    count each problem twice."""
    key = f"marketplace:recent-error-codes:{days}:{limit}"
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    since = timezone.now() - timedelta(days=days)
    rows = (
        MarketplaceImportError.objects.filter(import_job__created_at__gte=since, import_job__dry_run=False)
        .values("error_type", "field", "import_job__store__code", "import_job__store__name")
        .annotate(count=Count("id"))
        .order_by()
    )
    by_code: dict[str, dict[tuple[str, str], int]] = {}
    for row in rows:
        code = error_code(row["error_type"], row["field"])
        store = (row["import_job__store__code"], row["import_job__store__name"])
        stores = by_code.setdefault(code, {})
        stores[store] = stores.get(store, 0) + row["count"]
    result = [
        RecentCode(
            code=code,
            entry=describe(code),
            count=sum(stores.values()),
            store_count=len(stores),
            stores=[(c, n, k) for (c, n), k in sorted(stores.items(), key=lambda item: -item[1])[:3]],
        )
        for code, stores in by_code.items()
    ]
    result.sort(key=lambda r: (-r.count, r.code))
    result = result[:limit]
    cache.set(key, result, RECENT_CACHE_SECONDS)
    return result
