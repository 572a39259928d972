"""Reads of import jobs and their errors, always limited to what the caller may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from marketplace.models import MarketplaceImportError, MarketplaceImportJob
from stores.models import Store

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
    return qs.filter(store__memberships__user=user)


def import_job_list_filtered(*, user: User, filters: dict[str, Any]) -> QuerySet[MarketplaceImportJob]:
    """Admin listing filters: store_id, status, marketplace, language, created_by_me."""
    qs = import_job_list_for_user(user=user)
    if filters.get("store_id"):
        qs = qs.filter(store_id=filters["store_id"])
    if filters.get("store_code"):
        qs = qs.filter(store__code=filters["store_code"])
    for name in ("status", "marketplace", "language"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("created_by_me"):
        qs = qs.filter(user=user)
    return qs


def import_job_get_for_store(*, store: Store, job_id: int) -> MarketplaceImportJob:
    """The job if it belongs to the store; 404 otherwise, so other stores' jobs stay invisible."""
    job = import_job_list_for_store(store=store).filter(id=job_id).first()
    if job is None:
        raise Http404("No such import job")
    return job


def import_job_get_for_user(*, user: User, job_id: int) -> MarketplaceImportJob:
    job = import_job_list_for_user(user=user).filter(id=job_id).first()
    if job is None:
        raise Http404("No such import job")
    return job


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
