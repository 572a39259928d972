"""What the feed sync does when other apps' events happen."""

from __future__ import annotations

from typing import Any


def on_import_finished(sender: Any, *, job_id: int, **kwargs: Any) -> None:
    from feeds.sync import feed_record_import_end

    feed_record_import_end(job_id=job_id)
