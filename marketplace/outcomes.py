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
