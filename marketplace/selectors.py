"""Reads of import jobs and their errors, always limited to what the caller may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from accounts.models import User
from marketplace.filters import ImportJobFilter
from marketplace.models import MarketplaceImportError, MarketplaceImportJob
from stores.models import Store
from stores.selectors import store_list_for_user

JOB_ORDERING = ("-created_at", "-id")


def import_job_queryset() -> QuerySet[MarketplaceImportJob]:
    """Jobs with what every listing shows (store, creator) joined in, newest first."""
    return MarketplaceImportJob.objects.select_related("store", "user").order_by(*JOB_ORDERING)


def import_job_list_for_store(*, store: Store) -> QuerySet[MarketplaceImportJob]:
    return import_job_queryset().filter(store=store)


def import_job_list_for_user(*, user: User) -> QuerySet[MarketplaceImportJob]:
    """Every job the user may see: all for platform admins, their stores' otherwise."""
    qs = import_job_queryset()
    if user.is_staff:
        return qs
    # The stores come from the one tenancy selector, so "which stores may this user see"
    # has a single definition (a subquery: still one query for the list).
    return qs.filter(store__in=store_list_for_user(user=user))


def import_job_list_filtered(*, user: User, filters: dict[str, Any]) -> QuerySet[MarketplaceImportJob]:
    """Admin listing filters: store_id, store_code, status, marketplace, language, created_by_me.

    Values that are not valid filters are ignored here; the API validates its query first.
    """
    jobs: QuerySet[MarketplaceImportJob] = ImportJobFilter(
        filters, queryset=import_job_list_for_user(user=user), user=user
    ).qs  # django-filter is untyped
    return jobs


def import_job_get_for_store(*, store: Store, job_id: int) -> MarketplaceImportJob:
    """The job if it belongs to the store; 404 otherwise, so other stores' jobs stay invisible."""
    # get() rather than first(): no ORDER BY to build for a lookup by id (the polled detail).
    try:
        return import_job_list_for_store(store=store).get(id=job_id)
    except MarketplaceImportJob.DoesNotExist:
        raise Http404("No such import job") from None


def import_job_get_for_user(*, user: User, job_id: int) -> MarketplaceImportJob:
    # One row at most: a user has one membership per store.
    try:
        return import_job_list_for_user(user=user).get(id=job_id)
    except MarketplaceImportJob.DoesNotExist:
        raise Http404("No such import job") from None


def import_error_list(
    *, job: MarketplaceImportJob, severity: str = "", error_type: str = ""
) -> QuerySet[MarketplaceImportError]:
    """A job's errors and warnings in row order; the job must come from a scoped selector."""
    qs = MarketplaceImportError.objects.filter(import_job=job).order_by("row_number", "id")
    if severity:
        qs = qs.filter(severity=severity)
    if error_type:
        qs = qs.filter(error_type=error_type)
    return qs


def import_job_has_active(*, store: Store) -> bool:
    """Whether the store has a pending or processing job (the pages keep refreshing while so)."""
    return MarketplaceImportJob.objects.filter(store=store, status__in=MarketplaceImportJob.ACTIVE_STATUSES).exists()


def import_error_kinds(*, job: MarketplaceImportJob) -> list[dict[str, Any]]:
    """How many errors of each severity and type a job has, in one query, for the viewer's filters.

    Returns dicts with severity, error_type and count, errors before warnings.
    """
    rows = (
        MarketplaceImportError.objects.filter(import_job=job)
        .values("severity", "error_type")
        .annotate(count=Count("id"))
        .order_by("severity", "error_type")
    )
    return list(rows)
