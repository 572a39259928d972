"""Publish and unpublish of any size: in the request up to MARKETPLACE_PUBLISH_SYNC_LIMIT
products, above it as a ``CatalogBulkAction`` that a django-q2 worker runs chunk by chunk.

Every write to ``CatalogBulkAction`` is here: create and queue, claim, progress, finish,
fail, and the recovery of actions whose worker died (hooked into the import recovery that
runs when a cluster starts and every minute, see ``catalog.apps``).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import ngettext
from django_q.tasks import async_task

from accounts.models import User
from catalog import bulk
from catalog.models import CatalogBulkAction
from catalog.selectors import JobScope
from catalog.services import (
    PreparedSelection,
    PublishResult,
    UnpublishResult,
    product_publish_prepared,
    product_unpublish_prepared,
    selection_prepare,
)
from core.exceptions import ConflictError
from marketplace.models import MarketplaceImportJob
from stores.models import Store

logger = logging.getLogger(__name__)
Status = CatalogBulkAction.Status
Action = CatalogBulkAction.Action
TASK_PATH = "catalog.tasks.run_catalog_bulk_action"


def _message_running(action: CatalogBulkAction) -> str:
    values = {"count": action.total, "id": action.pk}
    # One sentence per action and state: each language words them its own way.
    if action.action == Action.PUBLISH:
        if action.status == Status.PENDING:
            text = ngettext(
                "A publish of %(count)s product is already waiting (bulk action %(id)s): wait for it to finish.",
                "A publish of %(count)s products is already waiting (bulk action %(id)s): wait for it to finish.",
                action.total,
            )
        else:
            text = ngettext(
                "A publish of %(count)s product is already running (bulk action %(id)s): wait for it to finish.",
                "A publish of %(count)s products is already running (bulk action %(id)s): wait for it to finish.",
                action.total,
            )
    elif action.status == Status.PENDING:
        text = ngettext(
            "An unpublish of %(count)s product is already waiting (bulk action %(id)s): wait for it to finish.",
            "An unpublish of %(count)s products is already waiting (bulk action %(id)s): wait for it to finish.",
            action.total,
        )
    else:
        text = ngettext(
            "An unpublish of %(count)s product is already running (bulk action %(id)s): wait for it to finish.",
            "An unpublish of %(count)s products is already running (bulk action %(id)s): wait for it to finish.",
            action.total,
        )
    return text % values


class BulkActionRunning(ConflictError):
    """The store already has a publish or unpublish running in the background."""

    def __init__(self, action: CatalogBulkAction) -> None:
        super().__init__(
            _message_running(action),
            extra={"bulk_action_id": action.pk, "bulk_action_status": action.status},
        )
        self.action = action


@dataclass(frozen=True)
class BulkOutcome:
    """What a publish or unpublish request led to: a result at once, or a background action."""

    result: PublishResult | UnpublishResult | None = None
    bulk_action: CatalogBulkAction | None = None


def catalog_bulk_request(
    *,
    store: Store,
    user: User | None,
    action: str,
    marketplace_product_ids: Any = None,
    job: MarketplaceImportJob | None = None,
    scope: str = JobScope.ALL,
) -> BulkOutcome:
    """Publish or unpublish (``action``) what ``selection_prepare`` accepts.

    Up to MARKETPLACE_PUBLISH_SYNC_LIMIT products: done here, the result returned. Above
    it: a pending ``CatalogBulkAction`` queued for a worker once this transaction commits;
    BulkActionRunning (409) while another one of the store's is pending or processing
    (two at once would race each other's products, a publish against an unpublish).
    Validation errors come before anything is written, whatever the size.
    """
    if action not in Action.values:
        raise ValueError(f"Unknown bulk action {action!r}")
    prepared = selection_prepare(store=store, marketplace_product_ids=marketplace_product_ids, job=job, scope=scope)
    if prepared.matched <= settings.MARKETPLACE_PUBLISH_SYNC_LIMIT:
        run = product_publish_prepared if action == Action.PUBLISH else product_unpublish_prepared
        return BulkOutcome(result=run(store=store, prepared=prepared))
    return BulkOutcome(bulk_action=_bulk_action_create(store=store, user=user, action=action, prepared=prepared))


def _bulk_action_create(
    *, store: Store, user: User | None, action: str, prepared: PreparedSelection
) -> CatalogBulkAction:
    with transaction.atomic():
        # Lock the store's row so that two requests at once cannot both start one.
        Store.objects.select_for_update().filter(pk=store.pk).first()
        running = CatalogBulkAction.objects.filter(store=store, status__in=[Status.PENDING, Status.PROCESSING]).first()
        if running is not None:
            raise BulkActionRunning(running)
        selection = prepared.selection
        bulk_action = CatalogBulkAction.objects.create(
            store=store,
            user=user,
            action=action,
            scope=selection.scope if selection.job_id else CatalogBulkAction.Scope.IDS,
            marketplace_product_ids=list(selection.ids) if selection.ids is not None else None,
            job_id=selection.job_id,
            total=prepared.matched,
        )
        transaction.on_commit(partial(bulk_action_enqueue, action_id=bulk_action.pk))
    logger.info(
        "catalog bulk action %s: %s of %d products for store %s queued",
        bulk_action.pk,
        action,
        prepared.matched,
        store.code,
    )
    return bulk_action


def bulk_action_enqueue(*, action_id: int) -> bool:
    """Hand the action's task to the broker; a broker that is down leaves it to the recovery."""
    now = timezone.now()
    CatalogBulkAction.objects.filter(id=action_id, status=Status.PENDING).update(enqueued_at=now)
    try:
        async_task(TASK_PATH, action_id, task_name=f"catalog-bulk-{action_id}-{uuid.uuid4().hex[:8]}")
    except Exception:  # any broker failure; the recovery hands it over again
        logger.warning("Catalog bulk action %s: the broker did not take the task", action_id, exc_info=True)
        CatalogBulkAction.objects.filter(id=action_id, enqueued_at=now).update(enqueued_at=None)
        return False
    return True


def bulk_action_claim(*, action_id: int) -> CatalogBulkAction | None:
    """Move a pending action to processing; None when another worker (or a redelivery) has it."""
    now = timezone.now()
    claimed = CatalogBulkAction.objects.filter(id=action_id, status=Status.PENDING).update(
        status=Status.PROCESSING,
        started_at=now,
        heartbeat_at=now,
        updated_at=now,
        attempts=F("attempts") + 1,
    )
    return CatalogBulkAction.objects.select_related("store").get(id=action_id) if claimed else None


def _selection_of(action: CatalogBulkAction) -> bulk.Selection:
    if action.scope == CatalogBulkAction.Scope.IDS:
        return bulk.Selection(store_id=action.store_id, ids=tuple(action.marketplace_product_ids or ()))
    if action.job_id is None:
        raise ValueError("The import of this action was deleted")
    return bulk.Selection(store_id=action.store_id, job_id=action.job_id, scope=action.scope)


def bulk_action_run(*, action: CatalogBulkAction, chunk_size: int = bulk.CHUNK_SIZE) -> CatalogBulkAction:
    """Run a claimed action from its cursor to the end; each chunk commits with its progress.

    A chunk's write and the action's ``cursor``, ``done``, ``changed`` and heartbeat are one
    transaction, so the progress page never shows more than was written, and a re-run
    (``bulk_actions_recover``) continues after the last committed chunk.
    """

    def progress(chunk: bulk.ChunkDone) -> None:
        CatalogBulkAction.objects.filter(id=action.pk).update(
            cursor=chunk.hi,
            done=F("done") + chunk.rows,
            changed=F("changed") + chunk.changed,
            heartbeat_at=timezone.now(),
            updated_at=timezone.now(),
        )

    try:
        selection = _selection_of(action)
        bulk.run(
            selection,
            publish=action.action == Action.PUBLISH,
            after=action.cursor,
            chunk_size=chunk_size,
            on_chunk=progress,
        )
    except Exception as exc:
        logger.exception("Catalog bulk action %s failed", action.pk)
        bulk_action_fail(action_id=action.pk, message=f"The {action.action} stopped with an error: {exc}")
        action.refresh_from_db()
        return action
    now = timezone.now()
    # done ends at total: a chunk counts the feed's rows, of which a deleted product's
    # would otherwise leave the bar short of 100%.
    CatalogBulkAction.objects.filter(id=action.pk, status=Status.PROCESSING).update(
        status=Status.COMPLETED, completed_at=now, heartbeat_at=now, updated_at=now, done=F("total")
    )
    action.refresh_from_db()
    logger.info(
        "Catalog bulk action %s: %s completed, %d of %d changed", action.pk, action.action, action.changed, action.total
    )
    return action


def bulk_action_fail(*, action_id: int, message: str) -> bool:
    now = timezone.now()
    return bool(
        CatalogBulkAction.objects.filter(id=action_id, status__in=[Status.PENDING, Status.PROCESSING]).update(
            status=Status.FAILED, error_message=message[:2000], completed_at=now, updated_at=now
        )
    )


def bulk_actions_recover(*, now: Any = None) -> dict[str, int]:
    """What a dead worker or a lost task left behind, with the imports' rules and settings.

    - processing with a heartbeat older than MARKETPLACE_STALE_JOB_SECONDS: back to
      pending and queued again while it has attempts left (MARKETPLACE_MAX_ATTEMPTS); the
      re-run resumes after the last committed chunk, and the writes are idempotent anyway;
      after the last attempt, failed with a message saying so;
    - pending and handed to the broker longer ago than MARKETPLACE_PENDING_REQUEUE_SECONDS
      (or never): handed over again; the claim is conditional, so one delivery runs it.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.MARKETPLACE_STALE_JOB_SECONDS)
    stale_heartbeat = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True)
    minutes = max(1, settings.MARKETPLACE_STALE_JOB_SECONDS // 60)
    failed = requeued = 0
    # Read before the stale ones below go back to pending: those are queued there, once.
    lost_cutoff = now - timedelta(seconds=settings.MARKETPLACE_PENDING_REQUEUE_SECONDS)
    lost = list(
        CatalogBulkAction.objects.filter(status=Status.PENDING)
        .filter(Q(enqueued_at__lt=lost_cutoff) | Q(enqueued_at__isnull=True))
        .values_list("id", flat=True)
    )
    for action_id in lost:
        transaction.on_commit(partial(bulk_action_enqueue, action_id=action_id))
    stale = CatalogBulkAction.objects.filter(stale_heartbeat, status=Status.PROCESSING)
    for action_id, attempts in stale.values_list("id", "attempts"):
        if attempts < settings.MARKETPLACE_MAX_ATTEMPTS:
            # Conditional on the stale heartbeat, so a worker that just woke up keeps its action.
            if CatalogBulkAction.objects.filter(stale_heartbeat, id=action_id, status=Status.PROCESSING).update(
                status=Status.PENDING, updated_at=now
            ):
                transaction.on_commit(partial(bulk_action_enqueue, action_id=action_id))
                requeued += 1
            continue
        # Stored, as the imports' error_message is: written in the worker, in English.
        message = (
            f"The worker running this stopped responding (no heartbeat for {minutes} minutes) on {attempts} "
            "attempts. The products done before it stopped are kept; start it again for the rest."
        )
        if bulk_action_fail(action_id=action_id, message=message):
            failed += 1
    if failed or requeued or lost:
        logger.warning(
            "Recovery: catalog bulk actions %d re-queued, %d failed, %d handed over again", requeued, failed, len(lost)
        )
    return {"bulk_actions_failed": failed, "bulk_actions_requeued": requeued, "bulk_actions_reenqueued": len(lost)}
