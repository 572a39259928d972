"""What an import did, in words a store owner reads on the job page and in the history.

The counters alone mislead after a language switch: 298 products "unchanged" by the
English feed did get their English text. So the sentence names that first, and says
plainly when nothing a shopper sees (price, stock, image) changed.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from marketplace.models import MarketplaceImportJob
from stores.models import Language

_FINISHED = (MarketplaceImportJob.Status.COMPLETED, MarketplaceImportJob.Status.COMPLETED_WITH_ERRORS)


def _says(singular: str, plural: str, n: int, **values: str) -> str:
    return ngettext(singular, plural, n) % {"n": f"{n:,}", **values}


def import_job_outcome(job: MarketplaceImportJob) -> str:
    """One or two sentences on what a finished import changed; "" for any other job."""
    if job.status not in _FINISHED:
        return ""
    if job.dry_run:
        return _check_outcome(job)
    parts: list[str] = []
    if job.imported_count:
        parts.append(_says("%(n)s new product.", "%(n)s new products.", job.imported_count))
    if job.translations_added:
        added = _says(
            "%(n)s product got its %(language)s text",
            "%(n)s products got their %(language)s text",
            job.translations_added,
            language=str(Language(job.language).label),
        )
        parts.append(added + ("." if job.updated_count else _("; no price, stock or image changed.")))
    if job.updated_count:
        parts.append(_says("%(n)s product changed.", "%(n)s products changed.", job.updated_count))
    if not parts and job.unchanged_count:
        parts.append(
            _says(
                "Nothing changed: the product is as the catalog has it.",
                "Nothing changed: all %(n)s products are as the catalog has them.",
                job.unchanged_count,
            )
        )
    if job.error_count:
        parts.append(_says("%(n)s row was skipped.", "%(n)s rows were skipped.", job.error_count))
    return " ".join(parts)


def _check_outcome(job: MarketplaceImportJob) -> str:
    """What importing a checked feed would change (a check itself changed nothing)."""
    parts: list[str] = []
    if job.imported_count:
        parts.append(_says("Would add %(n)s new product.", "Would add %(n)s new products.", job.imported_count))
    if job.updated_count:
        parts.append(_says("Would change %(n)s product.", "Would change %(n)s products.", job.updated_count))
    if job.is_full_feed and job.missing_count:
        parts.append(_says("%(n)s product would go missing.", "%(n)s products would go missing.", job.missing_count))
    if not parts and job.unchanged_count:
        parts.append(
            _says(
                "Nothing would change: the product is as the catalog has it.",
                "Nothing would change: all %(n)s products are as the catalog has them.",
                job.unchanged_count,
            )
        )
    if job.error_count:
        parts.append(_says("%(n)s row would be skipped.", "%(n)s rows would be skipped.", job.error_count))
    return " ".join(parts)
