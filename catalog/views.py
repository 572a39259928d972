"""All Products: the store's imported products, publishing, and a product's overrides."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.requests import AuthenticatedHttpRequest
from catalog import forms
from catalog.bulk_actions import BulkActionRunning, BulkOutcome, catalog_bulk_request
from catalog.models import CatalogBulkAction, Product
from catalog.selectors import (
    PAGE_SIZE_DEFAULT,
    PUBLISHABLE_JOB_STATUSES,
    JobScope,
    catalog_brand_list,
    catalog_bulk_action_get,
    catalog_counts,
    catalog_item_filter,
    catalog_item_get,
    catalog_item_translation_table,
    catalog_item_with_languages,
    catalog_job_get,
    catalog_job_list,
    catalog_job_publish_preview,
    catalog_language_coverage,
)
from catalog.services import (
    OVERRIDE_FIELDS,
    JobNotFinished,
    PublishResult,
    UnpublishResult,
    product_update_overrides,
)
from core.forms import add_service_errors
from stores.permissions import store_for_request


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _back(request: HttpRequest, code: str) -> HttpResponseRedirect:
    """Back to the page the form came from (same site only), else All Products."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect("catalog:product-list", code=code)


def _published_message(result: PublishResult, job_id: int | None = None) -> str:
    # Whole sentences per case, so each language can order and inflect them its own way.
    count = result.published
    if job_id is None:
        text = ngettext("Published %(count)s product.", "Published %(count)s products.", count) % {"count": count}
    else:
        text = ngettext(
            "Published %(count)s product from import #%(job)s.",
            "Published %(count)s products from import #%(job)s.",
            count,
        ) % {"count": count, "job": job_id}
    if result.already_published:
        text += " " + ngettext(
            "%(count)s was already published and was left as it was.",
            "%(count)s were already published and were left as they were.",
            result.already_published,
        ) % {"count": result.already_published}
    return text


@login_required
def product_list(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    store = store_for_request(request, code)
    form = forms.ProductFilterForm(request.GET)
    filters, ordering = form.filters()
    items = catalog_item_with_languages(catalog_item_filter(store=store, filters=filters, ordering=ordering))
    page = Paginator(items, PAGE_SIZE_DEFAULT).get_page(request.GET.get("page"))
    jobs = catalog_job_list(store=store)
    selected_job = next((job for job in jobs if job.pk == filters["job"]), None)
    context = {
        "store": store,
        "form": form,
        "page_obj": page,
        "items": page.object_list,
        "filtering": any(value not in ("", None) for value in filters.values()),
        "selected_job": selected_job,
        "publishable_statuses": PUBLISHABLE_JOB_STATUSES,
        "language_filter_errors": form.errors.get("missing_language"),
    }
    if request.headers.get("HX-Request") and not request.headers.get("HX-Boosted"):
        return render(request, "catalog/_product_results.html", context)
    context.update(
        counts=catalog_counts(store=store),
        brands=catalog_brand_list(store=store),
        jobs=jobs,
        coverage=catalog_language_coverage(store=store),
    )
    return render(request, "catalog/product_list.html", context)


def _selected_ids(request: HttpRequest) -> list[str]:
    return request.POST.getlist("ids")


def _unpublished_message(result: UnpublishResult) -> str:
    count = result.unpublished
    text = ngettext("Unpublished %(count)s product.", "Unpublished %(count)s products.", count) % {"count": count}
    if result.not_published:
        text += " " + ngettext(
            "%(count)s was not published.", "%(count)s were not published.", result.not_published
        ) % {"count": result.not_published}
    return text


def _bulk_action_page(store_code: str, outcome: BulkOutcome) -> HttpResponseRedirect:
    assert outcome.bulk_action is not None
    return redirect("catalog:bulk-action", code=store_code, action_id=outcome.bulk_action.pk)


def _act_on_selected(request: AuthenticatedHttpRequest, code: str, action: str) -> HttpResponse:
    """Publish or unpublish the ticked products: at once, or on the progress page when many."""
    store = store_for_request(request, code, write=True)
    ids = _selected_ids(request)
    if not ids:
        if action == CatalogBulkAction.Action.PUBLISH:
            messages.error(request, _("Select at least one product to publish."))
        else:
            messages.error(request, _("Select at least one product to unpublish."))
        return _back(request, code)
    try:
        outcome = catalog_bulk_request(store=store, user=request.user, action=action, marketplace_product_ids=ids)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except BulkActionRunning as exc:
        messages.error(request, exc.message)
    else:
        if outcome.bulk_action is not None:
            return _bulk_action_page(store.code, outcome)
        if isinstance(outcome.result, PublishResult):
            messages.success(request, _published_message(outcome.result))
        elif isinstance(outcome.result, UnpublishResult):
            messages.success(request, _unpublished_message(outcome.result))
    return _back(request, code)


@login_required
@require_POST
def product_publish_selected(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    return _act_on_selected(request, code, CatalogBulkAction.Action.PUBLISH)


@login_required
@require_POST
def product_unpublish_selected(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    return _act_on_selected(request, code, CatalogBulkAction.Action.UNPUBLISH)


@login_required
def product_publish_job(request: AuthenticatedHttpRequest, code: str, job_id: int) -> HttpResponse:
    """ "Publish all from this import": GET shows what it would publish, POST publishes
    (in the request, or above MARKETPLACE_PUBLISH_SYNC_LIMIT products on the progress page).

    Any member may look; only owners and managers may publish.
    """
    store = store_for_request(request, code, write=request.method == "POST")
    job = catalog_job_get(store=store, job_id=int(job_id))
    form = forms.PublishJobForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = catalog_bulk_request(
                store=store,
                user=request.user,
                action=CatalogBulkAction.Action.PUBLISH,
                job=job,
                scope=form.cleaned_data["scope"],
            )
        except (JobNotFinished, BulkActionRunning) as exc:
            messages.error(request, exc.message)
        else:
            if outcome.bulk_action is not None:
                return _bulk_action_page(store.code, outcome)
            assert isinstance(outcome.result, PublishResult)
            messages.success(request, _published_message(outcome.result, job_id=job.pk))
            return redirect(f"{reverse('catalog:product-list', args=[store.code])}?published=yes")
    return render(
        request,
        "catalog/publish_job.html",
        {
            "store": store,
            "job": job,
            "form": form,
            "finished": job.status in PUBLISHABLE_JOB_STATUSES,
            "preview": catalog_job_publish_preview(store=store, job=job),
            "scope_all": JobScope.ALL,
            "sync_limit": settings.MARKETPLACE_PUBLISH_SYNC_LIMIT,
        },
    )


@login_required
def bulk_action_detail(request: AuthenticatedHttpRequest, code: str, action_id: int) -> HttpResponse:
    """A background publish or unpublish: its progress bar, refreshed in place while it runs."""
    store = store_for_request(request, code)
    action = catalog_bulk_action_get(store=store, action_id=int(action_id))
    context = {"store": store, "action": action, "poll_seconds": settings.MARKETPLACE_PORTAL_REFRESH_SECONDS}
    if request.headers.get("HX-Request"):
        return render(request, "catalog/_bulk_action_progress.html", context)
    return render(request, "catalog/bulk_action.html", context)


@login_required
def product_detail(request: AuthenticatedHttpRequest, code: str, product_id: int) -> HttpResponse:
    """A published product: imported vs. effective values, and the overrides form."""
    store = store_for_request(request, code, write=request.method == "POST")
    item = catalog_item_get(store=store, product_id=int(product_id))
    initial = {
        "price": item.price_override,
        "sale_price": item.sale_price_override,
        "availability": item.availability_override,
        "condition": item.condition_override,
        "is_featured": item.is_featured,
        "is_active": item.is_active,
        "display_order": item.display_order,
        "min_quantity": item.min_quantity,
        "max_quantity": item.max_quantity,
    }
    form = forms.ProductOverridesForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        # catalog_item_get answers published products only: their catalog_product_id is set.
        product = Product.objects.select_related("marketplace_product").get(pk=cast(int, item.catalog_product_id))
        data = {name: form.cleaned_data[name] for name in OVERRIDE_FIELDS}
        try:
            product_update_overrides(product=product, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved. Empty fields follow the imported values."))
            return redirect("catalog:product-detail", code=store.code, product_id=product.pk)
    context = {
        "store": store,
        "item": item,
        "form": form,
        "translation_table": catalog_item_translation_table(store=store, item=item),
    }
    return render(request, "catalog/product_detail.html", context)
