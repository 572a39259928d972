from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.requests import AuthenticatedHttpRequest
from stores.feed_forms import FeedsSection, without_feed_urls
from stores.forms import StoreSettingsForm
from stores.permissions import store_for_request
from stores.services import SETTINGS_FIELDS, store_update_settings


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
                    messages.success(request, "Settings saved. Quick Fill on the import page uses them now.")
                else:
                    messages.info(request, "Nothing to save: the settings were already up to date.")
                return redirect("stores:settings", code=store.code)
    else:
        form = StoreSettingsForm(initial={field: getattr(store, field) for field in SETTINGS_FIELDS})
        feeds = FeedsSection(store=store, settings_form=form)
    return render(request, "stores/settings.html", {"store": store, "form": form, "feed_panels": feeds.panels()})
