"""What an import did, in words a store owner reads on the job page and in the history.

The counters alone mislead after a language switch: 298 products "unchanged" by the
English feed did get their English text. So the sentence names that first, and says
plainly when nothing a shopper sees (price, stock, image) changed.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from marketplace.models import MarketplaceImportJob
from stores.models import Language

_FINISHED = (MarketplaceImportJob.Status.COMPLETED, MarketplaceImportJob.Status.COMPLETED_WITH_ERRORS)


def language_in_sentence(code: str) -> str:
    """A feed language's name as it reads inside a sentence ("the French feed").

    The Language labels are menu labels; inside a sentence French writes them in lower
    case ("du flux en français") and German as "auf Deutsch".
    """
    names: dict[str, str] = {
        Language.FRENCH: pgettext("language inside a sentence", "French"),
        Language.GERMAN: pgettext("language inside a sentence", "German"),
        Language.ENGLISH: pgettext("language inside a sentence", "English"),
    }
    return names.get(code, code)


def status_in_sentence(status: str) -> str:
    """A job's status as it reads inside a sentence ("job 12 is completed with errors")."""
    names: dict[str, str] = {
        MarketplaceImportJob.Status.PENDING: pgettext("import status inside a sentence", "pending"),
        MarketplaceImportJob.Status.PROCESSING: pgettext("import status inside a sentence", "processing"),
        MarketplaceImportJob.Status.COMPLETED: pgettext("import status inside a sentence", "completed"),
        MarketplaceImportJob.Status.COMPLETED_WITH_ERRORS: pgettext(
            "import status inside a sentence", "completed with errors"
        ),
        MarketplaceImportJob.Status.FAILED: pgettext("import status inside a sentence", "failed"),
        MarketplaceImportJob.Status.CANCELLED: pgettext("import status inside a sentence", "cancelled"),
    }
    return names.get(status, status)


def _says(text: str, n: int, **values: str) -> str:
    # The ngettext calls stay at the call sites, with their literal texts, so that
    # makemessages finds them.
    return text % {"n": f"{n:,}", **values}


def import_job_outcome(job: MarketplaceImportJob) -> str:
    """One or two sentences on what a finished import changed; "" for any other job."""
    if job.status not in _FINISHED:
        return ""
    if job.dry_run:
        return _check_outcome(job)
    parts: list[str] = []
    if job.imported_count:
        parts.append(
            _says(ngettext("%(n)s new product.", "%(n)s new products.", job.imported_count), job.imported_count)
        )
    if job.translations_added:
        added = _says(
            ngettext(
                "%(n)s product got its %(language)s text",
                "%(n)s products got their %(language)s text",
                job.translations_added,
            ),
            job.translations_added,
            language=language_in_sentence(job.language),
        )
        parts.append(added + ("." if job.updated_count else _("; no price, stock or image changed.")))
    if job.updated_count:
        parts.append(
            _says(ngettext("%(n)s product changed.", "%(n)s products changed.", job.updated_count), job.updated_count)
        )
    if not parts and job.unchanged_count:
        parts.append(
            _says(
                ngettext(
                    "Nothing changed: the product is as the catalog has it.",
                    "Nothing changed: all %(n)s products are as the catalog has them.",
                    job.unchanged_count,
                ),
                job.unchanged_count,
            )
        )
    if job.error_count:
        parts.append(
            _says(ngettext("%(n)s row was skipped.", "%(n)s rows were skipped.", job.error_count), job.error_count)
        )
    return " ".join(parts)


def _check_outcome(job: MarketplaceImportJob) -> str:
    """What importing a checked feed would change (a check itself changed nothing)."""
    parts: list[str] = []
    if job.imported_count:
        parts.append(
            _says(
                ngettext("Would add %(n)s new product.", "Would add %(n)s new products.", job.imported_count),
                job.imported_count,
            )
        )
    if job.updated_count:
        parts.append(
            _says(
                ngettext("Would change %(n)s product.", "Would change %(n)s products.", job.updated_count),
                job.updated_count,
            )
        )
    if job.is_full_feed and job.missing_count:
        parts.append(
            _says(
                ngettext("%(n)s product would go missing.", "%(n)s products would go missing.", job.missing_count),
                job.missing_count,
            )
        )
    if not parts and job.unchanged_count:
        parts.append(
            _says(
                ngettext(
                    "Nothing would change: the product is as the catalog has it.",
                    "Nothing would change: all %(n)s products are as the catalog has them.",
                    job.unchanged_count,
                ),
                job.unchanged_count,
            )
        )
    if job.error_count:
        parts.append(
            _says(
                ngettext("%(n)s row would be skipped.", "%(n)s rows would be skipped.", job.error_count),
                job.error_count,
            )
        )
    return " ".join(parts)
