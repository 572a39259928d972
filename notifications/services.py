"""Email notifications to a store's owners and managers (SPEC 12).

An event (an import failed, a feed paused itself, a removal was held, a scheduled import
has new errors) becomes at most one email per recipient: the receivers hand it to a
django-q2 task (notifications.tasks.notification_send), which calls `notification_send`.
That claims the event's fold slot first, so a burst of the same kind for the same store
and feed within NOTIFICATION_FOLD_SECONDS sends one email, and the next one after the
window says how many were folded. Sending never raises: an SMTP failure is logged and the
email is lost, the import it is about is not touched.
"""

from __future__ import annotations

import functools
import gettext as gettext_module
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from feeds.models import StoreFeed
from marketplace.models import MarketplaceImportJob, MarketplaceProduct, ProductPresenceChange
from marketplace.row_messages import language_name
from notifications.models import Notification
from stores.models import Language, Store, StoreMembership

logger = logging.getLogger(__name__)
Kind = Notification.Kind
Status = MarketplaceImportJob.Status

# Which opt-out of accounts.User switches each kind off.
PREFERENCE_FIELDS: dict[str, str] = {
    Kind.IMPORT_FAILED: "notify_import_failed",
    Kind.FEED_PAUSED: "notify_feed_paused",
    Kind.REMOVAL_HELD: "notify_removal_held",
    Kind.NEW_ERRORS: "notify_new_errors",
}
HELD_SAMPLE_SIZE = 5


@dataclass(frozen=True)
class Fold:
    """A claimed send: how many events of the kind were folded since `since` (the email before)."""

    count: int = 0
    since: datetime | None = None


@dataclass
class Event:
    """One thing that happened, ready to be emailed: the template of its kind gets `context`."""

    kind: str
    store: Store
    key: str
    subject: Callable[[], str]  # called with the recipient's language active
    link: str
    context: dict[str, Any] = field(default_factory=dict)


# --- the fold claim ---------------------------------------------------------------------


def notification_claim(*, store_id: int, kind: str, key: str, now: datetime | None = None) -> Fold | None:
    """Take the right to email this event. Return the Fold to report, or None when the
    event falls within the window of the last email and was counted into it instead.

    Every step is one conditional statement, so two workers with the same event at once
    send one email: PostgreSQL re-checks a waiting UPDATE's WHERE against the winner's row,
    SQLite runs writers one at a time, and the unique (store, kind, key) lets one of two
    first-ever events create the row.
    """
    now = now or timezone.now()
    window_start = now - timedelta(seconds=settings.NOTIFICATION_FOLD_SECONDS)
    rows = Notification.objects.filter(store_id=store_id, kind=kind, key=key)
    for _attempt in range(3):
        # SQL assigns from the row as it was: the reported_* columns get the old fold.
        claimed = rows.filter(sent_at__lte=window_start).update(
            reported_folded_count=F("folded_count"),
            reported_since=F("sent_at"),
            folded_count=0,
            sent_at=now,
            last_event_at=now,
            updated_at=now,
        )
        if claimed:
            count, since = rows.values_list("reported_folded_count", "reported_since").get()
            return Fold(count=count, since=since)
        folded = rows.filter(sent_at__gt=window_start).update(
            folded_count=F("folded_count") + 1, last_event_at=now, updated_at=now
        )
        if folded:
            return None
        try:
            with transaction.atomic():
                Notification.objects.create(store_id=store_id, kind=kind, key=key, sent_at=now, last_event_at=now)
        except IntegrityError:
            continue  # Another worker created it a moment ago: its email covers this event.
        return Fold()
    return None


# --- who gets it, in which language ------------------------------------------------------


def notification_recipients(*, store: Store, kind: str) -> QuerySet[User]:
    """The store's owners and managers who can receive this kind: active, with an address,
    not opted out. Staff members (read-only) are not told."""
    return (
        User.objects.filter(
            memberships__store=store,
            memberships__role__in=[StoreMembership.Role.OWNER, StoreMembership.Role.MANAGER],
            is_active=True,
            **{PREFERENCE_FIELDS[kind]: True},
        )
        .exclude(email="")
        .order_by("id")
    )


def email_language(*, user: User) -> str:
    """The recipient's language (SPEC 13): the user's choice, else the portal's default
    (French; an email has no browser to ask), each only while the portal has a catalog in it,
    English otherwise. A blank `user.language` is "not chosen"."""
    for language in (user.language, settings.LANGUAGE_CODE):
        if language and _has_catalog(language):
            return str(language)
    return Language.ENGLISH


@functools.cache
def _has_catalog(language: str) -> bool:
    # Django and DRF ship French and German for their own strings; what counts is ours:
    # LOCALE_PATHS and the project's own apps' locale folders.
    if language == Language.ENGLISH:
        return True
    base = Path(settings.BASE_DIR).resolve()
    own_apps = [Path(config.path).resolve() for config in apps.get_app_configs()]
    local_dirs = [path / "locale" for path in own_apps if path.is_relative_to(base) and ".venv" not in path.parts]
    dirs = [*map(str, settings.LOCALE_PATHS), *map(str, local_dirs)]
    locale = translation.to_locale(language)
    return any(gettext_module.find("django", directory, [locale]) for directory in dirs)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _language_name(code: str) -> str:
    # Lazy: the context is built once and rendered in each recipient's language.
    return language_name(code)


# --- the four kinds ----------------------------------------------------------------------


def _job(job_id: int) -> MarketplaceImportJob | None:
    return MarketplaceImportJob.objects.select_related("store").filter(id=job_id).first()


def _job_link(job: MarketplaceImportJob) -> str:
    return _absolute(reverse("marketplace:job-detail", kwargs={"code": job.store.code, "job_id": job.pk}))


def _import_failed(job_id: int, count: int | None) -> Event | None:
    job = _job(job_id)
    if job is None or job.status != Status.FAILED:
        return None
    store = job.store
    return Event(
        kind=Kind.IMPORT_FAILED,
        store=store,
        key=job.language,
        subject=lambda: _("[%(store)s] Import #%(job)s failed") % {"store": store.name, "job": job.pk},
        link=_job_link(job),
        context={"job": job, "language_name": _language_name(job.language)},
    )


def _new_errors(job_id: int, count: int | None) -> Event | None:
    job = _job(job_id)
    if (
        job is None
        or job.trigger != MarketplaceImportJob.Trigger.SCHEDULED
        or job.status != Status.COMPLETED_WITH_ERRORS
        or job.error_count == 0
    ):
        return None
    # The previous scheduled import that got to read its feed (a failed one has no row errors to compare).
    previous = (
        MarketplaceImportJob.objects.filter(
            store_id=job.store_id,
            language=job.language,
            trigger=MarketplaceImportJob.Trigger.SCHEDULED,
            status__in=[Status.COMPLETED, Status.COMPLETED_WITH_ERRORS],
        )
        .filter(Q(created_at__lt=job.created_at) | Q(created_at=job.created_at, id__lt=job.pk))
        .order_by("-created_at", "-id")
        .only("id", "error_count")
        .first()
    )
    if previous is not None and previous.error_count > 0:
        return None
    store = job.store
    return Event(
        kind=Kind.NEW_ERRORS,
        store=store,
        key=job.language,
        subject=lambda: _("[%(store)s] Scheduled import #%(job)s has %(count)s errors")
        % {"store": store.name, "job": job.pk, "count": job.error_count},
        link=_job_link(job),
        context={"job": job, "previous": previous, "language_name": _language_name(job.language)},
    )


def _removal_held(job_id: int, count: int | None) -> Event | None:
    job = _job(job_id)
    if job is None or not job.removal_held:
        return None  # Gone, or already settled with Apply / Keep them before the email left.
    held = ProductPresenceChange.objects.filter(import_job_id=job.pk, kind=ProductPresenceChange.Kind.HELD)
    sample = list(
        MarketplaceProduct.objects.filter(pk__in=held.values("product_id"))
        .order_by("marketplace_product_id")
        .values_list("marketplace_product_id", "title")[:HELD_SAMPLE_SIZE]
    )
    held_count = count if count is not None else job.missing_count
    store = job.store
    return Event(
        kind=Kind.REMOVAL_HELD,
        store=store,
        key=job.language,
        subject=lambda: _("[%(store)s] Removal of %(count)s products held: your decision")
        % {"store": store.name, "count": held_count},
        link=_job_link(job),
        context={
            "job": job,
            "count": held_count,
            "sample": sample,
            "language_name": _language_name(job.language),
        },
    )


def _feed_paused(feed_id: int, count: int | None) -> Event | None:
    feed = StoreFeed.objects.select_related("store").filter(id=feed_id).first()
    if feed is None or feed.paused_at is None:
        return None  # Resumed before the email left: nothing to tell any more.
    store = feed.store
    language_name = _language_name(feed.language)
    return Event(
        kind=Kind.FEED_PAUSED,
        store=store,
        key=feed.language,
        subject=lambda: _("[%(store)s] The %(language)s feed paused itself")
        % {"store": store.name, "language": language_name},
        link=_absolute(reverse("stores:settings", kwargs={"code": store.code})),
        context={"feed": feed, "url": store.feed_url(feed.language), "language_name": language_name},
    )


_EVENTS: dict[str, Callable[[int, int | None], Event | None]] = {
    Kind.IMPORT_FAILED: _import_failed,
    Kind.NEW_ERRORS: _new_errors,
    Kind.REMOVAL_HELD: _removal_held,
    Kind.FEED_PAUSED: _feed_paused,
}


# --- sending -----------------------------------------------------------------------------


def notification_send(*, kind: str, object_id: int, count: int | None = None) -> int:
    """Email one event to whoever should get it. Return the number of emails sent (0 when
    the event no longer calls for one, nobody is to receive it, it was folded, or SMTP failed)."""
    build = _EVENTS.get(kind)
    if build is None:
        logger.error("Notification of unknown kind %r for %s: not sent", kind, object_id)
        return 0
    event = build(object_id, count)
    if event is None:
        logger.info("Notification %s for %s: nothing to tell any more", kind, object_id)
        return 0
    recipients = list(notification_recipients(store=event.store, kind=kind))
    if not recipients:
        return 0
    fold = notification_claim(store_id=event.store.pk, kind=kind, key=event.key)
    if fold is None:
        logger.info("Notification %s for store %s (%s) folded into the latest email", kind, event.store.code, event.key)
        return 0
    messages = _messages(event, recipients, fold)
    try:
        with get_connection() as connection:
            sent = connection.send_messages(messages) or 0
    except (smtplib.SMTPException, OSError) as exc:
        # Lost, on purpose: the event is in the job or feed itself, and a retry loop against
        # a dead server would only pile up. The log says who missed what.
        logger.error(
            "Notification %s for store %s lost: the email server refused or did not answer (%s); not sent to %s",
            kind,
            event.store.code,
            exc,
            ", ".join(user.email for user in recipients),
        )
        return 0
    logger.info("Notification %s for store %s sent to %s recipient(s)", kind, event.store.code, sent)
    return int(sent)


def _messages(event: Event, recipients: list[User], fold: Fold) -> list[EmailMultiAlternatives]:
    rendered: dict[str, tuple[str, str, str]] = {}
    messages = []
    for user in recipients:
        language = email_language(user=user)
        if language not in rendered:
            rendered[language] = _render(event, fold, language)
        subject, text, html = rendered[language]
        # One message per person: recipients do not see each other's addresses.
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            to=[user.email],
            headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
        )
        message.attach_alternative(html, "text/html")
        messages.append(message)
    return messages


def _render(event: Event, fold: Fold, language: str) -> tuple[str, str, str]:
    with translation.override(language):
        context = {
            **event.context,
            "store": event.store,
            "link": event.link,
            "fold": fold,
            "since": timezone.localtime(fold.since) if fold.since else None,
            "profile_link": _absolute(reverse("accounts:profile")),
            "site_url": settings.SITE_URL,
        }
        subject = " ".join(event.subject().split())  # never a header with a line break
        text = render_to_string(f"notifications/{event.kind}.txt", context)
        html = render_to_string(f"notifications/{event.kind}.html", context)
    return subject, text, html
