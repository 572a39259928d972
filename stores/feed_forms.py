"""The Feeds section of the store's Settings page and of the admin store edit page: one
schedule form per language beside the language's feed URL (SPEC 11)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.http import QueryDict
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy
from django_stubs_ext import StrOrPromise

from core.forms import add_service_errors
from feeds import state as feed_states
from feeds.models import StoreFeed
from feeds.schedule import LUXEMBOURG
from feeds.services import feeds_for_store
from feeds.state import feed_state
from stores.feed_services import store_feeds_update
from stores.models import Language, Store

if TYPE_CHECKING:
    from accounts.models import User

# What each state means, in words beside the badge (never colour alone).
STATE_LABELS = {
    feed_states.OFF: pgettext_lazy("feed state", "Off"),
    feed_states.OK: pgettext_lazy("feed state", "OK"),
    feed_states.FAILING: pgettext_lazy("feed state", "Failing"),
    feed_states.PAUSED: pgettext_lazy("feed state", "Paused"),
    feed_states.STALE: pgettext_lazy("feed state", "Stale"),
    feed_states.HELD: pgettext_lazy("feed state", "Removal held"),
}


class FeedScheduleForm(forms.Form):
    """One language's schedule. The inputs stay strings: feeds.services checks them and says
    what is wrong in the same words as the API."""

    schedule = forms.ChoiceField(label=gettext_lazy("Schedule"), choices=StoreFeed.Schedule.choices, required=False)
    every_hours = forms.CharField(
        label=gettext_lazy("Every how many hours"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": 24, "step": 1, "class": "feed-hours"}),
    )
    daily_at = forms.CharField(
        label=gettext_lazy("Daily at (Luxembourg time)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time", "class": "feed-time"}),
    )

    def __init__(self, *args: Any, feed: StoreFeed, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", feed.language)
        kwargs.setdefault(
            "initial",
            {
                "schedule": feed.schedule,
                "every_hours": feed.every_hours,
                "daily_at": feed.daily_at.strftime("%H:%M") if feed.daily_at else "",
            },
        )
        super().__init__(*args, **kwargs)
        self.feed = feed

    def changes(self) -> dict[str, Any]:
        """What store_feeds_update takes for this language (an unsent schedule is left alone)."""
        data = self.cleaned_data
        if not data.get("schedule"):
            return {}
        return {"schedule": data["schedule"], "every_hours": data["every_hours"], "daily_at": data["daily_at"]}


def _feed_changes(*, settings_form: forms.Form, schedule_forms: list[FeedScheduleForm]) -> dict[str, dict[str, Any]]:
    """Each language's URL (a field of the settings form) and schedule, for store_feeds_update."""
    changes: dict[str, dict[str, Any]] = {}
    for schedule_form in schedule_forms:
        language = schedule_form.feed.language
        change = schedule_form.changes()
        url_field = f"letzshop_csv_url_{language}"
        if url_field in settings_form.cleaned_data:
            change["url"] = settings_form.cleaned_data[url_field] or ""
        changes[language] = change
    return changes


def _add_feed_errors(
    *, settings_form: forms.Form, schedule_forms: list[FeedScheduleForm], error: ValidationError
) -> None:
    """Put store_feeds_update's "<language>-<field>" errors beside their inputs."""
    by_language = {schedule_form.feed.language: schedule_form for schedule_form in schedule_forms}
    for key, field_errors in error.message_dict.items():
        language, _, field = key.partition("-")
        schedule_form = by_language.get(language)
        if field == "url":
            settings_form.add_error(f"letzshop_csv_url_{language}", field_errors)
        elif schedule_form is not None and field in schedule_form.fields:
            schedule_form.add_error(field, field_errors)
        else:
            # Not a feed's: another service of the same save (the store's own settings).
            add_service_errors(settings_form, ValidationError({key: field_errors}))


@dataclass(frozen=True)
class FeedPanel:
    """One language's block of the Feeds section: its inputs and its health."""

    language: str
    label: StrOrPromise
    url_field: BoundField
    form: FeedScheduleForm
    feed: StoreFeed
    state: str
    # Fetch now reads the saved address, not what the form shows after an error.
    has_url: bool

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


def feed_panels(
    *, store: Store, settings_form: forms.Form, schedule_forms: list[FeedScheduleForm], now: datetime
) -> list[FeedPanel]:
    labels = dict(Language.choices)
    panels = []
    for schedule_form in schedule_forms:
        feed = schedule_form.feed
        job = feed.last_import_job
        panels.append(
            FeedPanel(
                language=feed.language,
                label=labels[feed.language],
                url_field=settings_form[f"letzshop_csv_url_{feed.language}"],
                form=schedule_form,
                feed=feed,
                state=feed_state(feed, now=now, removal_held=bool(job and job.removal_held)),
                has_url=bool(store.feed_url(feed.language)),
            )
        )
    return panels


def without_feed_urls(data: dict[str, Any]) -> dict[str, Any]:
    """The settings form's data minus the feed URLs, which FeedsSection.save writes."""
    return {field: value for field, value in data.items() if not field.startswith("letzshop_csv_url_")}


class FeedsSection:
    """The three schedule forms beside a settings form that holds the feed URLs, like a
    formset: the Settings page and the admin store edit page validate, save and show
    their Feeds section through it."""

    def __init__(self, *, store: Store, settings_form: forms.Form, data: QueryDict | None = None) -> None:
        self.store = store
        self.settings_form = settings_form
        self.forms = [FeedScheduleForm(data, feed=feed) for feed in feeds_for_store(store=store)]

    def is_valid(self) -> bool:
        valid = [schedule_form.is_valid() for schedule_form in self.forms]  # every form, for every error
        return all(valid)

    def save(self) -> bool:
        """Save the URLs and schedules; whether anything changed. Raises ValidationError
        ("<language>-<field>" keys): give it to add_errors."""
        changes = _feed_changes(settings_form=self.settings_form, schedule_forms=self.forms)
        _, changed = store_feeds_update(store=self.store, changes=changes)
        return changed

    def add_errors(self, error: ValidationError) -> None:
        _add_feed_errors(settings_form=self.settings_form, schedule_forms=self.forms, error=error)

    def panels(self) -> list[FeedPanel]:
        return feed_panels(
            store=self.store, settings_form=self.settings_form, schedule_forms=self.forms, now=timezone.now()
        )


def feed_fetch_now_message(
    *, store: Store, language: str, user: User, job_url: Callable[[int], str]
) -> tuple[int, str]:
    """Run Fetch now and say how it went, as (messages level, HTML) for the page that asked.

    `job_url` turns a job id into the page's link to it (the portal's or the admin's).
    """
    # The sync engine and the import services load the import pipeline: only for the button.
    from feeds.sync import FeedFetchFailed, feed_fetch_now
    from marketplace.services import ImportAlreadyRunning

    label = dict(Language.choices)[language]
    try:
        result = feed_fetch_now(store=store, language=language, user=user)
    except ImportAlreadyRunning as exc:
        link = format_html(
            '<a href="{}">{}</a>', job_url(exc.job.pk), gettext("Open import #%(id)s") % {"id": exc.job.pk}
        )
        return messages.WARNING, format_html("{} {}", exc.message, link)
    except FeedFetchFailed as exc:
        return messages.ERROR, format_html(
            gettext("{language} feed: the fetch failed. {reason}"), language=label, reason=exc.message
        )
    except ValidationError as exc:
        return messages.ERROR, format_html(
            gettext("{language} feed: {reason}"), language=label, reason=" ".join(exc.messages)
        )
    if result.job is not None:
        link = format_html(
            '<a href="{}">{}</a>', job_url(result.job.pk), gettext("Import #%(id)s") % {"id": result.job.pk}
        )
        return messages.SUCCESS, format_html(
            gettext("{language} feed changed: {import_link} started."), language=label, import_link=link
        )
    last_job_id = StoreFeed.objects.filter(store=store, language=language).values_list("last_import_job_id", flat=True)
    job_id = last_job_id.first()
    checked = localtime(result.checked_at, LUXEMBOURG).strftime("%H:%M")
    if job_id is None:
        return messages.INFO, format_html(
            gettext("{language} feed checked at {time}: unchanged."), language=label, time=checked
        )
    link = format_html('<a href="{}">{}</a>', job_url(job_id), gettext("import #%(id)s") % {"id": job_id})
    return messages.INFO, format_html(
        gettext("{language} feed checked at {time}: unchanged since {import_link}."),
        language=label,
        time=checked,
        import_link=link,
    )
