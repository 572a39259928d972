"""Signals other apps listen to, so that marketplace never imports them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `import_jobs_recover` (cluster start and the once-a-minute schedule) with `now`:
# apps whose background work can be left behind by a dead worker recover it here, under
# the same schedule, instead of a second one. A receiver returns a dict of counts, which
# the recovery's result includes.
recovery_requested = Signal()

# Sent after commit with `job_id` once an import reached a final status (completed,
# completed_with_errors, failed, cancelled): the feed sync records it on its feed, the
# notifications tell the store's owners and managers.
import_finished = Signal()

# Sent after commit with `job_id` and `count` when the safety net held a full import's
# removal of missing products (SPEC 11).
removal_held = Signal()
