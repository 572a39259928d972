"""Cross-language conflicts (SPEC 7): a language-neutral value that one language's feed
sets differently from the last import of the product in another language.

The feeds of one store are exports of one catalog, so a price of 29.99 in the English feed
and 31.00 in the French one means one of them is stale. The newer import wins, as for any
change, and the row gets a `language_conflict` warning naming both values and imports.
Only rows already planned as changed can conflict; their products' old values are read in
one query per batch that has such rows, so an unchanged re-import pays nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from marketplace.importing.classification import WARNING, Existing, Snapshot, WritePlan
from marketplace.importing.rows import ErrorRow, FeedRow
from marketplace.models import MarketplaceImportError, MarketplaceImportJob, MarketplaceProduct
from marketplace.row_messages import english

# The values SPEC 7 compares: what a shopper sees differ between two languages' shops.
CHECKED_FIELDS = ("price", "sale_price", "availability", "gtin", "brand", "condition")
_DECIMALS = {"price", "sale_price"}
# A valid row -> its CHECKED_FIELDS values as stored text (None for no value)
NeutralValues = Callable[[FeedRow], dict[str, str | None]]


def _same(name: str, old: Any, new: str | None) -> bool:
    if old is None or old == "":
        return new is None or new == ""
    if new is None:
        return False
    if name in _DECIMALS:
        try:
            return Decimal(old) == Decimal(new)
        except InvalidOperation:
            return False
    return str(old) == new


def _shown(value: Any) -> str:
    return "" if value is None else str(value)  # "" is shown as "(none)" (row_messages)


def add_language_conflicts(
    plan: WritePlan, *, job: MarketplaceImportJob, values: NeutralValues, snapshot: Snapshot
) -> int:
    """Add a warning to `plan` for each conflicting value of its changed rows; return how many."""
    candidates = [
        (row, ex, ex.last_job_id) for row, ex in plan.updates if ex.last_job_id is not None and ex.last_job_id != job.id
    ]
    if not candidates:
        return 0
    languages = dict(
        MarketplaceImportJob.objects.filter(id__in={last for _r, _e, last in candidates}).values_list("id", "language")
    )
    others: list[tuple[FeedRow, Existing, str]] = [
        (row, ex, languages[last]) for row, ex, last in candidates if languages.get(last, job.language) != job.language
    ]
    if not others:
        return 0
    old_values = {
        pk: rest
        for pk, *rest in MarketplaceProduct.objects.filter(id__in=[ex.product_id for _r, ex, _l in others]).values_list(
            "id", *CHECKED_FIELDS
        )
    }
    added = 0
    for row, ex, language in others:
        new_values = values(row)
        warned = False
        for name, old in zip(CHECKED_FIELDS, old_values[ex.product_id], strict=True):
            new = new_values[name]
            if _same(name, old, new):
                continue
            params = {
                "field": name,
                "new": _shown(new),
                "old": _shown(old),
                "language": job.language,
                "other_language": language,
                "job": ex.last_job_id,
            }
            plan.errors.append(
                ErrorRow(
                    row_number=row.number,
                    identifier=row.identifier,
                    error_type=MarketplaceImportError.ErrorType.LANGUAGE_CONFLICT,
                    severity=WARNING,
                    field=name,
                    message=english("language_conflict", params),
                    key="language_conflict",
                    params=params,
                    row_data=snapshot(row.cells, name),
                )
            )
            added += 1
            warned = True
        if warned and not row.issues:
            plan.warnings += 1
    if added:
        plan.errors.sort(key=lambda e: e.row_number)
    return added
