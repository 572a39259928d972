"""Small display helpers for the import pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.importing.messages import column_name
from marketplace.models import MarketplaceImportError, MarketplaceImportJob
from marketplace.outcomes import import_job_outcome, language_in_sentence
from marketplace.row_messages import message_of

register = template.Library()

_DELIMITERS = {",": _("Comma (,)"), ";": _("Semicolon (;)"), "\t": _("Tab"), "|": _("Pipe (|)")}
_ERROR_TYPES = dict(MarketplaceImportError.ErrorType.choices)
_SEVERITIES = dict(MarketplaceImportError.Severity.choices)
_LANGUAGE_FLAGS = {"fr": "FR", "en": "EN", "de": "DE"}


@register.filter
def duration(seconds: float | None) -> str:
    """A duration as people say it.

    >>> duration(4.3), duration(75), duration(3725), duration(None)
    ('4.3 s', '1 min 15 s', '1 h 02 min', '—')
    """
    if seconds is None:
        return "—"
    if seconds < 60:
        # The decimal separator of the reader's language: "4.3 s", "4,3 s".
        return f"{number_format(round(seconds, 1), 1)} s" if seconds < 10 else f"{round(seconds)} s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s"


@register.filter
def job_duration(job: MarketplaceImportJob) -> str:
    """How long a finished job took, or how long a running one has been running."""
    if job.duration_seconds is not None:
        return duration(job.duration_seconds)
    if job.started_at is not None and job.is_active:
        elapsed = (timezone.now() - job.started_at).total_seconds()
        return gettext("%(duration)s so far") % {"duration": duration(max(elapsed, 0))}
    return "—"


@register.filter
def job_progress(job: MarketplaceImportJob) -> int:
    """0-100 for the progress bar: a finished job is full, whatever it counted last."""
    if job.status in (MarketplaceImportJob.Status.COMPLETED, MarketplaceImportJob.Status.COMPLETED_WITH_ERRORS):
        return 100
    return min(max(int(job.progress_percent or 0), 0), 100)


@register.filter
def delimiter_name(value: str) -> str:
    if not value:
        return "—"
    return str(_DELIMITERS.get(value, repr(value)))


@register.filter
def error_type_label(value: str) -> str:
    """The label of a known error type, or the code made readable ("gtin_invalid" -> "Gtin invalid")."""
    return str(_ERROR_TYPES.get(value) or value.replace("_", " ").capitalize())


@register.filter
def severity_label(value: str) -> str:
    """ "error" / "warning" in the active language."""
    return str(_SEVERITIES.get(value, value))


@register.filter
def column(field: str) -> str:
    """A field as the feed's column names it (the id is `id`, not the internal name)."""
    return column_name(field)


@register.filter
def example_message(example: dict[str, Any]) -> str:
    """An error summary example's message in the active language (see row_messages)."""
    return message_of(example.get("message_key", ""), example.get("params"), example.get("error_message", ""))


@register.filter
def language_code(value: str) -> str:
    return _LANGUAGE_FLAGS.get(value, value.upper())


@register.filter(name="language_in_sentence")
def language_in_sentence_filter(code: str) -> str:
    """A feed language's name inside a sentence: {% blocktranslate %}the {{ language }} feed{% endblocktranslate %}."""
    return language_in_sentence(code)


@register.filter
def source_short(job: MarketplaceImportJob) -> str:
    """The feed's host and file name, short enough for a table cell."""
    if job.source_filename and not job.source_url:
        return job.source_filename
    url = job.source_url or ""
    without_scheme = url.split("://", 1)[-1]
    host, _, path = without_scheme.partition("/")
    name = path.rsplit("/", 1)[-1].split("?", 1)[0]
    return f"{host}/…/{name}" if name and path.count("/") else without_scheme


@register.filter
def row_data_items(row_data: object) -> list[tuple[str, object]]:
    if isinstance(row_data, dict):
        return [(str(key), value) for key, value in row_data.items()]
    return []


@register.filter
def number(value: int | None) -> str:
    """1234567 -> "1,234,567"."""
    return "—" if value is None else f"{value:,}"


@register.filter
def job_outcome(job: MarketplaceImportJob) -> str:
    """What a finished import changed, in words (marketplace.outcomes)."""
    return import_job_outcome(job)


@register.filter
def has_counts(job: MarketplaceImportJob) -> bool:
    """Whether the job's counters mean something yet: not for a job that never read a row."""
    return bool(job.total_processed) or job.status in (
        MarketplaceImportJob.Status.PROCESSING,
        MarketplaceImportJob.Status.COMPLETED,
        MarketplaceImportJob.Status.COMPLETED_WITH_ERRORS,
    )
