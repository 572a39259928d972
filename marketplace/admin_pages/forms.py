"""Forms of the platform pages inside the Django admin (/admin/marketplace, /admin/imports, ...)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.forms import HttpURLField
from core.log_reader import LEVELS
from feeds.state import OFF, STATES
from marketplace.models import Marketplace, MarketplaceImportJob
from marketplace.services import BATCH_SIZE_DEFAULT, BATCH_SIZE_MAX, BATCH_SIZE_MIN
from stores.feed_forms import STATE_LABELS
from stores.forms import StoreSettingsForm
from stores.models import Language, Store


class StoreSelect(forms.Select):
    """A store <select> rendered in Python rather than one widget template per option.

    Hundreds of stores through the template-based option rendering cost most of a page's
    time. With quick_fill=True each option carries the store's feed URLs and default
    language as data attributes, for the Quick Fill script.
    """

    def __init__(self, attrs: dict[str, Any] | None = None, *, quick_fill: bool = False) -> None:
        super().__init__(attrs)
        self.quick_fill = quick_fill

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        selected = set(self.format_value(value))
        rows = []
        for option_value, label in self.choices:
            key = str(option_value)
            data: dict[str, Any] = {"selected": key in selected}
            store = getattr(option_value, "instance", None)
            if self.quick_fill and isinstance(store, Store):
                data.update({f"data-url-{language}": store.feed_url(language) for language in Language.values})
                data.update({"data-default-language": store.default_language, "data-code": store.code})
            rows.append((key, flatatt(data), label))
        options = format_html_join("", '<option value="{}"{}>{}</option>', rows)
        select_attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return format_html('<select name="{}"{}>{}</select>', name, select_attrs, options)


class AdminImportForm(forms.Form):
    """Start an import for any active store; the marketplace is always Letzshop."""

    store = forms.ModelChoiceField(
        label=_("Store"),
        queryset=Store.objects.filter(is_active=True).order_by("name", "id"),
        empty_label=_("Choose a store…"),
        widget=StoreSelect(quick_fill=True),
        help_text=_("Active stores only. Quick Fill uses the feed URLs saved in the store's settings."),
    )
    source_url = HttpURLField(label=_("CSV feed URL"))
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial=Language.FRENCH)
    batch_size = forms.IntegerField(
        label=_("Batch size"),
        min_value=BATCH_SIZE_MIN,
        max_value=BATCH_SIZE_MAX,
        initial=BATCH_SIZE_DEFAULT,
        # format_lazy: the text is read in the language of each request, not at import.
        help_text=format_lazy(_("Products written per batch, {min}–{max}."), min=BATCH_SIZE_MIN, max=BATCH_SIZE_MAX),
    )
    complete_catalog = forms.BooleanField(
        label=_("This file is the store's complete catalog"),
        required=False,
        help_text=_(
            "Products it does not list may go missing under the store's policy (always so for the "
            "store's configured feed URL)."
        ),
    )
    # Set by the form's "Check the feed" button (a second submit button, no field of its own).
    dry_run = forms.BooleanField(required=False)


STATUS_ACTIVE = "active"


class StoreChoiceField(forms.ModelChoiceField[Store]):
    """A store by its id (what the <select> sends) or by its code (what people type in a
    URL: /admin/imports?store=alpha)."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value and not value.isdigit():
            store = Store.objects.filter(code=value).first()
            if store is None:
                raise forms.ValidationError(
                    _("No store has the code or id “%(value)s”."), code="invalid_choice", params={"value": value}
                )
            return store
        return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        # The <select> marks its option by id, also when the URL named the store by code.
        if isinstance(value, str) and value and not value.isdigit():
            return Store.objects.filter(code=value).values_list("pk", flat=True).first() or value
        return super().prepare_value(value)


class ImportFilterForm(forms.Form):
    """The filters of /admin/imports; an invalid value drops its own filter, and the page
    says so beside it."""

    store = StoreChoiceField(
        label=_("Store"),
        required=False,
        queryset=Store.objects.order_by("name", "id"),
        empty_label=_("All stores"),
        widget=StoreSelect,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All statuses")),
            (STATUS_ACTIVE, _("Active (pending or processing)")),
            *MarketplaceImportJob.Status.choices,
        ],
    )
    marketplace = forms.ChoiceField(
        label=_("Marketplace"), required=False, choices=[("", _("All marketplaces")), *Marketplace.choices]
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All languages")), *Language.choices]
    )
    creator = forms.ChoiceField(
        label=_("Created by"), required=False, choices=[("", _("All users")), ("me", _("My jobs only"))]
    )
    removal = forms.ChoiceField(
        label=_("Removal"),
        required=False,
        choices=[("", pgettext_lazy("removal filter", "Any")), ("held", _("Held by the safety net"))],
    )

    def _valid_data(self) -> dict[str, Any]:
        # The fields that are valid: a bad value drops its own filter, not the others.
        self.is_valid()
        return self.cleaned_data

    def selector_filters(self) -> dict[str, Any]:
        """Filters for import_job_list_filtered, without the status (the page counts statuses itself)."""
        data = self._valid_data()
        store = data.get("store")
        return {
            "store_id": store.pk if store else None,
            "marketplace": data.get("marketplace", ""),
            "language": data.get("language", ""),
            "created_by_me": data.get("creator") == "me",
            "removal_held": True if data.get("removal") == "held" else None,
        }

    def status_filter(self) -> str:
        status: str = self._valid_data().get("status", "")
        return status


class AdminStoreForm(StoreSettingsForm):
    """Everything an admin may change about a store: the portal's settings plus name and active."""

    name = forms.CharField(label=_("Name"), max_length=200)
    is_active = forms.BooleanField(
        label=pgettext_lazy("store", "Active"), required=False, help_text=_("An inactive store cannot start imports.")
    )

    field_order = [
        "name",
        "default_language",
        "is_active",
        "letzshop_csv_url_fr",
        "letzshop_csv_url_en",
        "letzshop_csv_url_de",
    ]


LOG_LIMITS = (100, 200, 500, 1000)


class LogFilterForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Level"),
        required=False,
        choices=[("", _("All levels")), *((name, format_lazy(_("{level} and above"), level=name)) for name in LEVELS)],
    )
    job = forms.IntegerField(label=_("Job id"), required=False, min_value=1)
    limit = forms.TypedChoiceField(
        label=_("Lines"),
        required=False,
        coerce=int,
        choices=[(n, str(n)) for n in LOG_LIMITS],
        empty_value=200,  # type: ignore[arg-type]  # any value (Django returns it as is); the stubs say str
    )

    def filters(self) -> dict[str, Any]:
        self.is_valid()  # a bad value drops its own filter, not the others
        data = self.cleaned_data
        job = data.get("job")
        return {"level": data.get("level") or "", "job": str(job) if job else "", "limit": data.get("limit") or 200}


class StoreCodeField(StoreChoiceField):
    """A store typed by its code (or id) in a text box: what the store filter becomes when a
    <select> would carry thousands of options (rendering 10,000 of them costs a second)."""

    widget = forms.TextInput(attrs={"placeholder": _("Store code or id"), "spellcheck": "false", "autocomplete": "off"})

    def prepare_value(self, value: Any) -> Any:
        # Show what was typed; a store given as initial value shows as its code.
        return value.code if isinstance(value, Store) else value


# Above this many stores the store filter of /admin/feeds is a text box rather than a <select>.
STORE_SELECT_LIMIT = 500


class FeedFilterForm(forms.Form):
    """The filters of /admin/feeds; like the imports' filters, a bad value drops only itself."""

    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        # "off" is no choice: the page lists scheduled feeds, and an unscheduled one only while it holds a removal.
        choices=[("", _("All states")), *((state, STATE_LABELS[state]) for state in STATES if state != OFF)],
    )
    store = StoreChoiceField(
        label=_("Store"),
        required=False,
        queryset=Store.objects.order_by("name", "id"),
        empty_label=_("All stores"),
        widget=StoreSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if Store.objects.count() > STORE_SELECT_LIMIT:
            self.fields["store"] = StoreCodeField(label=_("Store"), required=False, queryset=Store.objects.all())

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = self.cleaned_data
        store = data.get("store")
        return {"state": data.get("state") or "", "store_id": store.pk if store else None}
