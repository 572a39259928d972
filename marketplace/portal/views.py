"""The store's Marketplace Import pages: start an import, follow it, read its errors.

Full pages for a normal request; for an htmx request (HX-Request header) only the
fragment that changes: the history table, a job's details in the modal, its errors.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.requests import AuthenticatedHttpRequest
from core.exceptions import ApplicationError
from core.forms import add_service_errors
from marketplace.error_summary import import_error_summary
from marketplace.exports import errors_csv_lines, rows_to_fix_response
from marketplace.forms import ErrorFilterForm
from marketplace.missing import RemovalNotHeld, presence_lists, removal_settle
from marketplace.models import MarketplaceImportJob
from marketplace.outcomes import language_in_sentence
from marketplace.portal.forms import ImportForm
from marketplace.selectors import (
    import_error_kinds,
    import_error_list,
    import_job_get_for_store,
    import_job_has_active,
    import_job_list_for_store,
)
from marketplace.services import (
    BATCH_SIZE_DEFAULT,
    ImportAlreadyRunning,
    import_job_cancel,
    import_job_create,
    import_job_retry,
)
from stores.models import Language, Store
from stores.permissions import store_for_request

HISTORY_PAGE_SIZE = 10
ERRORS_PAGE_SIZE = 25
_RETRYABLE = (
    MarketplaceImportJob.Status.FAILED,
    MarketplaceImportJob.Status.CANCELLED,
    MarketplaceImportJob.Status.COMPLETED_WITH_ERRORS,
)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _poll_seconds() -> int:
    return int(getattr(settings, "MARKETPLACE_PORTAL_REFRESH_SECONDS", 10))


def _login_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """login_required that, for an htmx request, sends the whole window to the login page.

    A plain redirect would be followed by htmx and the login form swapped into the table.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated and _is_htmx(request):
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            page = current.path + (f"?{current.query}" if current.query else "") or request.get_full_path()
            response = HttpResponse(status=204)
            response["HX-Redirect"] = redirect_to_login(page)["Location"]
            return response
        return login_required(view)(request, *args, **kwargs)

    return wrapper


def _history_context(request: HttpRequest, store: Store) -> dict[str, Any]:
    page = Paginator(import_job_list_for_store(store=store), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "store": store,
        "page": page,
        "jobs": list(page.object_list),
        "keep_polling": import_job_has_active(store=store),
        "poll_seconds": _poll_seconds(),
        "can_write": request.can_write,  # type: ignore[attr-defined]
    }


def _errors_context(request: HttpRequest, job: MarketplaceImportJob) -> dict[str, Any]:
    filters = ErrorFilterForm(request.GET).filters()
    errors = import_error_list(job=job, **filters)
    page = Paginator(errors, ERRORS_PAGE_SIZE).get_page(request.GET.get("page"))
    kinds = import_error_kinds(job=job)
    types: dict[str, int] = {}
    for kind in kinds:
        types[kind["error_type"]] = types.get(kind["error_type"], 0) + kind["count"]
    query = {key: value for key, value in filters.items() if value}
    return {
        "errors_page": page,
        "errors": list(page.object_list),
        "error_filters": filters,
        "error_query": urlencode(query),
        "error_kinds_total": sum(types.values()),
        "error_summary": import_error_summary(job=job) if types else [],
        "error_types": sorted(types.items()),
        "severity_counts": {
            severity: sum(k["count"] for k in kinds if k["severity"] == severity) for severity in ("error", "warning")
        },
    }


def _job_context(request: HttpRequest, store: Store, job: MarketplaceImportJob, **extra: Any) -> dict[str, Any]:
    can_write = request.can_write  # type: ignore[attr-defined]
    return {
        "store": store,
        "job": job,
        "can_write": can_write,
        "can_cancel": can_write and job.is_active and not job.cancel_requested,
        "can_retry": can_write and job.status in _RETRYABLE,
        "poll_seconds": _poll_seconds(),
        **extra,
    }


def _presence_context(request: HttpRequest, job: MarketplaceImportJob) -> dict[str, Any]:
    return presence_lists(job=job, page=request.GET.get("presence_page"))


def _quick_fill_options(store: Store) -> list[dict[str, str]]:
    return [{"language": code, "label": str(label), "url": store.feed_url(code)} for code, label in Language.choices]


@_login_required
@require_http_methods(["GET", "POST"])
def import_page(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The import form (owners, managers and admins), the history, and the job modal."""
    store = store_for_request(request, code, write=request.method == "POST")
    running_job = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = import_job_create(
                    store=store,
                    user=request.user,
                    source_url=data["source_url"] or "",
                    upload=data["file"] or None,
                    language=data["language"],
                    batch_size=data["batch_size"],
                    complete_catalog=data.get("complete_catalog", False),
                    dry_run=data.get("dry_run", False),
                )
            except ImportAlreadyRunning as exc:
                running_job = exc.job
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if job.dry_run:
                    # A check is read on its own page, where its report appears as it runs.
                    messages.success(
                        request,
                        _("Check #%(id)s of the %(language)s feed has started: nothing will be written.")
                        % {"id": job.pk, "language": language_in_sentence(job.language)},
                    )
                    return redirect("marketplace:job-detail", code=store.code, job_id=job.pk)
                messages.success(
                    request,
                    _(
                        "Import #%(id)s of the %(language)s feed has started. "
                        "Follow its progress in the import history below."
                    )
                    % {"id": job.pk, "language": language_in_sentence(job.language)},
                    # marketplace.js rewrites the message once the history shows the job ended.
                    extra_tags=f"job-started job-started-{job.pk}",
                )
                # Straight to the history, where the new job's row follows its progress.
                return redirect(reverse("marketplace:import", args=[store.code]) + "#history")
    else:
        form = ImportForm(initial=_initial_form_data(request, store))
    quick_fill = _quick_fill_options(store)
    context = {
        "store": store,
        "form": form,
        "running_job": running_job,
        "quick_fill": quick_fill,
        "quick_fill_missing": [option["label"] for option in quick_fill if not option["url"]],
        "can_write": request.can_write,  # type: ignore[attr-defined]
        **_history_context(request, store),
    }
    return render(request, "marketplace/import.html", context, status=409 if running_job else 200)


def _initial_form_data(request: HttpRequest, store: Store) -> dict[str, Any]:
    """Defaults, or a Quick Fill asked for without JavaScript (?quick_fill=fr)."""
    initial: dict[str, Any] = {"language": store.default_language, "batch_size": BATCH_SIZE_DEFAULT}
    language = request.GET.get("quick_fill", "")
    if language in Language.values and store.feed_url(language):
        initial.update(language=language, source_url=store.feed_url(language))
    return initial


@_login_required
@require_GET
def import_history(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The history table alone: what the page's polling and pagination swap in."""
    store = store_for_request(request, code)
    if not _is_htmx(request):
        return _redirect_with_query(reverse("marketplace:import", args=[store.code]), request)
    return render(request, "marketplace/_history.html", _history_context(request, store))


@_login_required
@require_GET
def job_detail(request: AuthenticatedHttpRequest, code: str, job_id: int) -> HttpResponse:
    """A job's details and errors: the modal's content for htmx, a page of its own otherwise."""
    store = store_for_request(request, code)
    job = import_job_get_for_store(store=store, job_id=job_id)
    context = _job_context(request, store, job, **_errors_context(request, job), **_presence_context(request, job))
    if _is_htmx(request):
        return render(request, "marketplace/_job_detail.html", context)
    return render(request, "marketplace/job_detail.html", {**context, "standalone": True})


@_login_required
@require_GET
def job_summary(request: AuthenticatedHttpRequest, code: str, job_id: int) -> HttpResponse:
    """Status, metrics and actions of one job: polled by an open modal while the job runs."""
    store = store_for_request(request, code)
    job = import_job_get_for_store(store=store, job_id=job_id)
    if not _is_htmx(request):
        return redirect("marketplace:job-detail", code=store.code, job_id=job.pk)
    # Once the job has ended, the poll also empties the notice above the summary (an
    # out-of-band swap): "is stopping" must not stay above "Cancelled".
    context = _job_context(request, store, job, clear_notice=not job.is_active)
    return render(request, "marketplace/_job_summary.html", context)


@_login_required
@require_GET
def job_errors(request: AuthenticatedHttpRequest, code: str, job_id: int) -> HttpResponse:
    """One page of a job's errors, filtered: swapped into the error viewer."""
    store = store_for_request(request, code)
    job = import_job_get_for_store(store=store, job_id=job_id)
    if not _is_htmx(request):
        return _redirect_with_query(reverse("marketplace:job-detail", args=[store.code, job.pk]), request)
    context = _job_context(request, store, job, **_errors_context(request, job))
    return render(request, "marketplace/_job_errors.html", context)


@_login_required
@require_GET
def job_errors_csv(request: AuthenticatedHttpRequest, code: str, job_id: int) -> StreamingHttpResponse:
    """All of a job's errors and warnings as a spreadsheet-safe CSV file."""
    store = store_for_request(request, code)
    job = import_job_get_for_store(store=store, job_id=job_id)
    rows = import_error_list(job=job).iterator(chunk_size=2000)
    # In the page's language (SPEC 13); the API's CSV stays English.
    language = translation.get_language() or settings.LANGUAGE_CODE
    response = StreamingHttpResponse(errors_csv_lines(rows, language=language), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{store.code}-import-{job.pk}-errors.csv"'
    return response


@_login_required
@require_GET
def job_rows_to_fix_csv(request: AuthenticatedHttpRequest, code: str, job_id: int) -> StreamingHttpResponse:
    """The job's rejected rows as the feed had them, plus what to fix: to correct and upload again."""
    store = store_for_request(request, code)
    job = import_job_get_for_store(store=store, job_id=job_id)
    language = translation.get_language() or settings.LANGUAGE_CODE  # the problems in the page's language
    return rows_to_fix_response(job, filename=f"{store.code}-import-{job.pk}-rows-to-fix.csv", language=language)


@_login_required
@require_POST
def job_cancel(request: AuthenticatedHttpRequest, code: str, job_id: int) -> HttpResponse:
    store = store_for_request(request, code, write=True)
    job = import_job_get_for_store(store=store, job_id=job_id)
    try:
        job = import_job_cancel(job=job)
    except ApplicationError as exc:
        notice = {"level": "error", "text": exc.message}
    else:
        if job.status == MarketplaceImportJob.Status.CANCELLED:
            notice = {"level": "success", "text": _("Import #%(id)s was cancelled before it started.") % {"id": job.pk}}
        else:
            notice = {
                "level": "info",
                "text": _("Import #%(id)s is stopping; products already saved are kept.") % {"id": job.pk},
            }
    return _after_action(request, store, job, notice)


@_login_required
@require_POST
def job_retry(request: AuthenticatedHttpRequest, code: str, job_id: int) -> HttpResponse:
    store = store_for_request(request, code, write=True)
    job = import_job_get_for_store(store=store, job_id=job_id)
    try:
        new_job = import_job_retry(job=job, user=request.user)
    except ImportAlreadyRunning as exc:
        notice = {"level": "error", "text": exc.message, "running_job": exc.job}
    except (ApplicationError, ValidationError) as exc:
        text = exc.message if isinstance(exc, ApplicationError) else " ".join(exc.messages)
        notice = {"level": "error", "text": text}
    else:
        notice = {
            "level": "success",
            "text": _("Import #%(id)s started: a retry of import #%(old_id)s.") % {"id": new_job.pk, "old_id": job.pk},
        }
        job = import_job_get_for_store(store=store, job_id=new_job.pk)
    return _after_action(request, store, job, notice)


@_login_required
@require_POST
def job_removal(request: AuthenticatedHttpRequest, code: str, job_id: int) -> HttpResponse:
    """Apply or keep a held removal (the banner's and the job page's buttons)."""
    store = store_for_request(request, code, write=True)
    job = import_job_get_for_store(store=store, job_id=job_id)
    action = request.POST.get("action", "")
    if action not in ("apply", "keep"):
        return HttpResponseBadRequest(_("Choose apply or keep."))
    try:
        job = removal_settle(job=job, action=action)
    except RemovalNotHeld:
        messages.info(
            request, _("Import #%(id)s has no held removal any more: it was settled already.") % {"id": job.pk}
        )
    else:
        if action == "apply":
            text = ngettext(
                "Applied: %(count)s missing product was handled by your policy.",
                "Applied: %(count)s missing products were handled by your policy.",
                job.missing_count,
            )
            messages.success(request, text % {"count": job.missing_count})
        else:
            messages.success(
                request, _("Kept: the products import #%(id)s did not list stay as they are.") % {"id": job.pk}
            )
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("marketplace:job-detail", code=store.code, job_id=job.pk)


def _after_action(
    request: HttpRequest, store: Store, job: MarketplaceImportJob, notice: dict[str, Any]
) -> HttpResponse:
    """Show the job again in the modal (htmx) and tell the history to refresh, or go back to the page."""
    if not _is_htmx(request):
        getattr(messages, notice["level"])(request, notice["text"])
        return redirect("marketplace:import", code=store.code)
    context = _job_context(
        request, store, job, notice=notice, **_errors_context(request, job), **_presence_context(request, job)
    )
    response = render(request, "marketplace/_job_detail.html", context)
    response["HX-Trigger"] = "jobs-changed"
    return response


def _redirect_with_query(url: str, request: HttpRequest) -> HttpResponse:
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)
