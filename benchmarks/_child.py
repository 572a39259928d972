"""Shared by the benchmark's child processes: Django set-up and the one-line JSON report.

Each measurement runs in a process of its own so that its peak RSS (ru_maxrss) is its
own, not the orchestrator's or another measurement's.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from typing import Any

RESULT_PREFIX = "RESULT "


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def peak_rss_mb() -> float:
    """The larger peak RSS of this process and of its children that have ended (the
    import's reader process is one)."""
    # Linux reports ru_maxrss in KiB.
    return (
        max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        / 1024
    )


def report(**values: Any) -> None:
    values["rss_mb"] = round(peak_rss_mb(), 1)
    sys.stdout.write(RESULT_PREFIX + json.dumps(values) + "\n")
    sys.stdout.flush()
