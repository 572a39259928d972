"""Signals of the feed sync, so that other apps (notifications) listen without being imported here."""

from __future__ import annotations

from django.dispatch import Signal

# Sent (after commit) with `feed` when a feed paused itself after too many failures in a row.
feed_paused = Signal()
