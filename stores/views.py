from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.requests import AuthenticatedHttpRequest
from core.forms import add_service_errors
from stores.feed_forms import FeedsSection, feed_fetch_now_message, without_feed_urls
from stores.forms import MissingProductsForm, StoreSettingsForm
from stores.models import Language
from stores.permissions import store_for_request
from stores.services import SETTINGS_FIELDS, store_update_missing_settings, store_update_settings


@login_required
def store_settings(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    # Reading the settings is already an owner/manager matter: staff get 403, others 404.
    store = store_for_request(request, code, write=True)
    if request.method == "POST":
        form = StoreSettingsForm(request.POST)
        feeds = FeedsSection(store=store, settings_form=form, data=request.POST)
        if form.is_valid() and feeds.is_valid():
            try:
                with transaction.atomic():
                    feeds_changed = feeds.save()  # the URLs too: feed_update checks them as the importer does
                    _, changed = store_update_settings(store=store, data=without_feed_urls(form.cleaned_data))
            except ValidationError as exc:
                store.refresh_from_db()
                feeds.add_errors(exc)
            else:
                if changed or feeds_changed:
                    messages.success(request, gettext("Settings saved. Quick Fill on the import page uses them now."))
                else:
                    messages.info(request, gettext("Nothing to save: the settings were already up to date."))
                return redirect("stores:settings", code=store.code)
    else:
        form = StoreSettingsForm(initial={field: getattr(store, field) for field in SETTINGS_FIELDS})
        feeds = FeedsSection(store=store, settings_form=form)
    return render(request, "stores/settings.html", {"store": store, "form": form, "feed_panels": feeds.panels()})


@login_required
@require_POST
def store_feed_fetch(request: AuthenticatedHttpRequest, code: str, language: str) -> HttpResponse:
    store = store_for_request(request, code, write=True)
    if language not in Language.values:
        raise Http404("No such feed")
    level, message = feed_fetch_now_message(
        store=store,
        language=language,
        user=request.user,
        job_url=lambda job_id: reverse("marketplace:job-detail", args=[store.code, job_id]),
    )
    messages.add_message(request, level, message)
    return redirect(reverse("stores:settings", args=[store.code]) + f"#feed-{language}")


@login_required
@require_POST
def store_missing_settings(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Save the Settings page's missing-product section (its own form, its own URL)."""
    store = store_for_request(request, code, write=True)
    form = MissingProductsForm(request.POST)
    if form.is_valid():
        try:
            _, changed = store_update_missing_settings(store=store, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if changed:
                messages.success(request, gettext("Missing-product settings saved: the next full import follows them."))
            else:
                messages.info(
                    request, gettext("Nothing to save: the missing-product settings were already up to date.")
                )
            return redirect(reverse("stores:settings", args=[store.code]) + "#missing-products")
    settings_form = StoreSettingsForm(initial={field: getattr(store, field) for field in SETTINGS_FIELDS})
    context = {
        "store": store,
        "form": settings_form,
        "feed_panels": FeedsSection(store=store, settings_form=settings_form).panels(),
        "missing_form": form,
    }
    return render(request, "stores/settings.html", context, status=400)
