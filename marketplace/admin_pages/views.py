"""The platform's own pages inside the Django admin: its login, header and sidebar apply.

/admin/marketplace   self-service import for any store, with the admin's own job history
/admin/imports       platform monitoring: statistics, filters, every job, job details and errors
/admin/stores/<code>/edit   a store's settings, its feeds' schedules and health
/admin/feeds         every scheduled feed's health (feeds.py)
/admin/logs          the latest lines of the application log

Every view is wrapped in `admin.site.admin_view` (staff only; others get the admin login).
The pages refresh their live parts with htmx while jobs are active, without a page reload.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cached_property, wraps
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.requests import AuthenticatedHttpRequest
from core.exceptions import ApplicationError
from core.forms import add_service_errors
from core.log_reader import log_tail
from core.services import model_update
from marketplace.admin_pages.forms import (
    STATUS_ACTIVE,
    AdminImportForm,
    AdminStoreForm,
    ImportFilterForm,
    LogFilterForm,
)
from marketplace.error_summary import RECENT_DAYS, import_error_summary, recent_error_codes
from marketplace.exports import errors_csv_lines, rows_to_fix_response
from marketplace.forms import ErrorFilterForm
from marketplace.missing import presence_lists
from marketplace.models import Marketplace, MarketplaceImportJob
from marketplace.selectors import (
    import_error_kinds,
    import_error_list,
    import_job_get_for_user,
    import_job_list_filtered,
)
from marketplace.services import (
    ImportAlreadyRunning,
    import_job_cancel,
    import_job_create,
    import_job_retry,
    import_job_stats,
)
from stores.feed_forms import FeedsSection, without_feed_urls
from stores.forms import MissingProductsForm
from stores.models import Store
from stores.services import SETTINGS_FIELDS, store_update_missing_settings, store_update_settings

logger = logging.getLogger(__name__)
Status = MarketplaceImportJob.Status

IMPORTS_PER_PAGE = 25
HISTORY_PER_PAGE = 10
ERRORS_PER_PAGE = 50


def _imports_refresh_seconds() -> int:
    return int(getattr(settings, "ADMIN_IMPORTS_REFRESH_SECONDS", 15))


def _history_refresh_seconds() -> int:
    return int(getattr(settings, "ADMIN_MARKETPLACE_REFRESH_SECONDS", 10))


def staff_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """admin.site.admin_view, plus: an htmx request whose session ended navigates to the login.

    Without this, a poll after a logout would swap the login page into a table cell.
    """
    protected = admin.site.admin_view(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.headers.get("HX-Request") and not admin.site.has_permission(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("admin:login") + f"?next={request.path}"
            return response
        return protected(request, *args, **kwargs)

    return wrapper


def _page_context(request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
    return {**admin.site.each_context(request), "title": title, **extra}


class KnownCountPaginator(Paginator[MarketplaceImportJob]):
    """A paginator for big, ordered querysets that is told the count instead of counting.

    On 100,000 jobs every COUNT(*) is a scan, and the statistics query already counted.
    Deep pages are read in two steps (the page's ids from the ordering index alone, then
    those rows with their joins), and from whichever end of the ordering is nearer, so
    an OFFSET never walks past half the table and never drags joined rows along.
    """

    # Below this offset a plain LIMIT/OFFSET with the joins is the cheapest.
    DIRECT_OFFSET = 500

    def __init__(self, object_list: QuerySet[MarketplaceImportJob], per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count

    def page(self, number: Any) -> Any:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if bottom < self.DIRECT_OFFSET:
            return super().page(number)
        queryset = cast("QuerySet[MarketplaceImportJob]", self.object_list)  # the queryset given to __init__
        from_end = bottom > self.count // 2
        if from_end:
            ids = list(queryset.reverse().values_list("pk", flat=True)[self.count - top : self.count - bottom])[::-1]
        else:
            ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in queryset.filter(pk__in=ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)  # type: ignore[attr-defined]  # django-stubs omits Paginator._get_page


# --- /admin/marketplace -----------------------------------------------------------------
def _history_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    jobs = import_job_list_filtered(user=request.user, filters={"created_by_me": True})
    page = Paginator(jobs, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    has_active = jobs.filter(status__in=MarketplaceImportJob.ACTIVE_STATUSES).exists()
    return {
        "history_page": page,
        "history_poll": has_active,
        "history_refresh_seconds": _history_refresh_seconds(),
        "history_query": f"page={page.number}",
    }


@staff_view
@require_http_methods(["GET", "POST"])
def marketplace(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = AdminImportForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = import_job_create(
                    store=data["store"],
                    user=request.user,
                    source_url=data["source_url"],
                    marketplace=Marketplace.LETZSHOP,
                    language=data["language"],
                    batch_size=data["batch_size"],
                    complete_catalog=data.get("complete_catalog", False),
                    dry_run=data.get("dry_run", False),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except ImportAlreadyRunning as exc:
                url = reverse("admin_pages:import-detail", args=[exc.job.pk])
                form.add_error(
                    None,
                    format_html(
                        '{} <a href="{}">{}</a>', exc.message, url, gettext("Open job #%(id)s") % {"id": exc.job.pk}
                    ),
                )
            else:
                logger.info("Admin %s started import job %s for store %s", request.user, job.pk, job.store.code)
                url = reverse("admin_pages:import-detail", args=[job.pk])
                if job.dry_run:
                    messages.success(
                        request,
                        format_html(
                            gettext('Check job <a href="{url}">#{id}</a> queued for {store}: nothing will be written.'),
                            url=url,
                            id=job.pk,
                            store=job.store.name,
                        ),
                    )
                    return redirect(url)
                messages.success(
                    request,
                    format_html(
                        gettext('Import job <a href="{url}">#{id}</a> queued for {store}.'),
                        url=url,
                        id=job.pk,
                        store=job.store.name,
                    ),
                )
                return redirect(reverse("admin_pages:marketplace") + f"?store={job.store.code}")
    else:
        store = Store.objects.filter(code=request.GET.get("store", ""), is_active=True).first()
        initial = {"store": store, "language": store.default_language} if store else {}
        form = AdminImportForm(initial=initial)
    context = _page_context(request, gettext("Marketplace Import"), form=form, **_history_context(request))
    return render(request, "admin/platform/marketplace.html", context)


@staff_view
@require_GET
def marketplace_history(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "admin/platform/_marketplace_history.html", _history_context(request))


# --- /admin/imports ---------------------------------------------------------------------
def _imports_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """Statistics, filters and one page of jobs, in three queries whatever the table size.

    The statistics count the jobs of the store/marketplace/language/creator filters by
    status in one aggregate; the status filter then narrows only the table, and its
    count is read from the statistics instead of a second COUNT(*).
    """
    form = ImportFilterForm(request.GET)
    scope = import_job_list_filtered(user=request.user, filters=form.selector_filters())
    stats = import_job_stats(queryset=scope, held_removals=True)
    # Counted in the same aggregate, shown on a card of its own (not a status).
    held_removals = stats.pop("held_removals")
    status = form.status_filter()
    jobs = scope
    if status == STATUS_ACTIVE:
        jobs = scope.filter(status__in=MarketplaceImportJob.ACTIVE_STATUSES)
    elif status:
        jobs = scope.filter(status=status)
    count = stats.get(status or "total", 0)
    page = KnownCountPaginator(jobs, IMPORTS_PER_PAGE, count=count).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query["page"] = str(page.number)
    without_page = request.GET.copy()
    without_page.pop("page", None)
    without_status = without_page.copy()
    without_status.pop("status", None)
    return {
        "filter_form": form,
        "stats": stats,
        "status": status,
        "page_obj": page,
        "poll": stats["active"] > 0,
        "refresh_seconds": _imports_refresh_seconds(),
        "live_query": query.urlencode(),
        "page_query": without_page.urlencode(),
        "status_query": without_status.urlencode(),
        "held_removals": held_removals,
    }


@staff_view
@require_GET
def imports(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = _page_context(
        request,
        gettext("Import Jobs"),
        recent_error_codes=recent_error_codes(days=RECENT_DAYS),
        recent_error_days=RECENT_DAYS,
        **_imports_context(request),
    )
    return render(request, "admin/platform/imports.html", context)


@staff_view
@require_GET
def imports_live(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "admin/platform/_imports_live.html", _imports_context(request))


def _errors_context(request: HttpRequest, job: MarketplaceImportJob) -> dict[str, Any]:
    error_filter = ErrorFilterForm(request.GET)
    filters = error_filter.filters()
    errors = import_error_list(job=job, **filters)
    page = Paginator(errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({key: value for key, value in filters.items() if value})
    return {
        "job": job,
        "error_filter": error_filter,
        "error_filters": filters,
        "error_page": page,
        "error_query": query,
        "error_summary": import_error_summary(job=job),
    }


@staff_view
@require_GET
def import_detail(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job = import_job_get_for_user(user=request.user, job_id=job_id)
    context = _page_context(
        request,
        gettext("Import job #%(id)s") % {"id": job.pk},
        error_kinds=import_error_kinds(job=job),
        refresh_seconds=_imports_refresh_seconds(),
        **_errors_context(request, job),
        **presence_lists(job=job, page=request.GET.get("presence_page")),
    )
    return render(request, "admin/platform/import_detail.html", context)


@staff_view
@require_GET
def import_summary(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job = import_job_get_for_user(user=request.user, job_id=job_id)
    response = render(
        request, "admin/platform/_import_summary.html", {"job": job, "refresh_seconds": _imports_refresh_seconds()}
    )
    if not job.is_active:
        # The page polled an active job that has now finished: its error viewer reloads once.
        response["HX-Trigger"] = "job-finished"
    return response


@staff_view
@require_GET
def import_errors(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job = import_job_get_for_user(user=request.user, job_id=job_id)
    context = {"error_kinds": import_error_kinds(job=job), **_errors_context(request, job)}
    return render(request, "admin/platform/_import_errors.html", context)


@staff_view
@require_GET
def import_errors_csv(request: AuthenticatedHttpRequest, job_id: int) -> StreamingHttpResponse:
    job = import_job_get_for_user(user=request.user, job_id=job_id)
    errors = import_error_list(job=job).iterator(chunk_size=2000)
    language = translation.get_language() or settings.LANGUAGE_CODE  # the page's (SPEC 13)
    response = StreamingHttpResponse(
        errors_csv_lines(errors, language=language), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response


@staff_view
@require_GET
def import_rows_to_fix_csv(request: AuthenticatedHttpRequest, job_id: int) -> StreamingHttpResponse:
    job = import_job_get_for_user(user=request.user, job_id=job_id)
    return rows_to_fix_response(job, language=translation.get_language() or settings.LANGUAGE_CODE)


@staff_view
@require_POST
def import_cancel(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job = import_job_get_for_user(user=request.user, job_id=job_id)
    try:
        job = import_job_cancel(job=job)
    except ApplicationError as exc:
        messages.warning(request, exc.message)
    else:
        logger.info("Admin %s cancelled import job %s", request.user, job.pk)
        messages.success(
            request,
            gettext("Cancel requested for job #%(id)s: it is now %(status)s.")
            % {"id": job.pk, "status": job.get_status_display().lower()},
        )
    return redirect("admin_pages:import-detail", job_id=job.pk)


@staff_view
@require_POST
def import_retry(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job = import_job_get_for_user(user=request.user, job_id=job_id)
    try:
        new_job = import_job_retry(job=job, user=request.user)
    except ImportAlreadyRunning as exc:
        messages.warning(request, exc.message)
        return redirect("admin_pages:import-detail", job_id=exc.job.pk)
    except (ApplicationError, ValidationError) as exc:
        messages.warning(request, exc.message if isinstance(exc, ApplicationError) else "; ".join(exc.messages))
        return redirect("admin_pages:import-detail", job_id=job.pk)
    logger.info("Admin %s retried import job %s as %s", request.user, job.pk, new_job.pk)
    messages.success(request, gettext("Job #%(id)s retried as job #%(new_id)s.") % {"id": job.pk, "new_id": new_job.pk})
    return redirect("admin_pages:import-detail", job_id=new_job.pk)


# --- /admin/stores/<code>/edit ----------------------------------------------------------
@staff_view
@require_POST
def store_missing_settings(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The store edit page's missing-product section: a form of its own."""
    store = get_object_or_404(Store, code=code)
    form = MissingProductsForm(request.POST)
    if form.is_valid():
        try:
            _, changed = store_update_missing_settings(store=store, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if changed:
                logger.info("Admin %s changed the missing-product settings of store %s", request.user, store.code)
                messages.success(
                    request, gettext("Missing-product settings of %(store)s saved.") % {"store": store.name}
                )
            else:
                messages.info(
                    request, gettext("Nothing to save: the missing-product settings were already up to date.")
                )
            return redirect(reverse("admin_pages:store-edit", args=[store.code]) + "#missing-products")
    settings_form = AdminStoreForm(
        initial={field: getattr(store, field) for field in [*SETTINGS_FIELDS, "name", "is_active"]}
    )
    context = _page_context(
        request,
        gettext("Store settings: %(store)s") % {"store": store.name},
        store=store,
        form=settings_form,
        feed_panels=FeedsSection(store=store, settings_form=settings_form).panels(),
        missing_form=form,
    )
    return render(request, "admin/platform/store_edit.html", context, status=400)


@staff_view
@require_http_methods(["GET", "POST"])
def store_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    store = get_object_or_404(Store, code=code)
    if request.method == "POST":
        form = AdminStoreForm(request.POST)
        feeds = FeedsSection(store=store, settings_form=form, data=request.POST)
        if form.is_valid() and feeds.is_valid():
            try:
                with transaction.atomic():
                    feeds_changed = feeds.save()  # the feed URLs with the schedules
                    _, settings_changed = store_update_settings(store=store, data=without_feed_urls(form.cleaned_data))
                    _, other_changed = model_update(
                        instance=store, fields=["name", "is_active"], data=form.cleaned_data
                    )
            except ValidationError as exc:
                store.refresh_from_db()
                feeds.add_errors(exc)
            else:
                if settings_changed or other_changed or feeds_changed:
                    logger.info("Admin %s changed the settings of store %s", request.user, store.code)
                    messages.success(request, gettext("Settings of %(store)s saved.") % {"store": store.name})
                else:
                    messages.info(request, gettext("Nothing to save: the settings were already up to date."))
                return redirect("admin_pages:store-edit", code=store.code)
    else:
        form = AdminStoreForm(
            initial={field: getattr(store, field) for field in [*SETTINGS_FIELDS, "name", "is_active"]}
        )
        feeds = FeedsSection(store=store, settings_form=form)
    context = _page_context(
        request,
        gettext("Store settings: %(store)s") % {"store": store.name},
        store=store,
        form=form,
        feed_panels=feeds.panels(),
    )
    return render(request, "admin/platform/store_edit.html", context)


# --- /admin/logs ------------------------------------------------------------------------
@staff_view
@require_GET
def logs(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = LogFilterForm(request.GET)
    filters = form.filters()
    log_file = settings.LOG_FILE
    tail = log_tail(log_file, limit=filters["limit"], level=filters["level"], job=filters["job"])
    context = _page_context(
        request, gettext("Application Logs"), form=form, tail=tail, log_file=log_file, filters=filters
    )
    return render(request, "admin/platform/logs.html", context)
