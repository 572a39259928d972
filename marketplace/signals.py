"""Signals other apps listen to, so that marketplace never imports them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `import_jobs_recover` (cluster start and the once-a-minute schedule) with `now`:
# apps whose background work can be left behind by a dead worker recover it here, under
# the same schedule, instead of a second one. A receiver returns a dict of counts, which
# the recovery's result includes.
recovery_requested = Signal()
