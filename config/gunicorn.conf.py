"""gunicorn's settings for the web processes: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Chosen with `make bench-api` (50 clients polling the job list and a job's detail without
pause, PostgreSQL, on a 2-core machine); the README quotes the numbers. Options given on
the command line, or WEB_CONCURRENCY / DJANGO_CONN_MAX_AGE in the environment, win.
"""

from __future__ import annotations

import multiprocessing
import os

# Sync workers, two per core. A request is a few milliseconds of Python and a few short
# queries, so a process per request in flight keeps both cores busy; threads (gthread)
# share one interpreter lock per process, and kept-alive connections bunched on one
# process left the other idle: a worse p99 at every count measured. Behind the TLS
# proxy, which buffers slow clients, sync workers are gunicorn's own recommendation.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
worker_class = "sync"

# Each web process keeps its database connection between requests (Django's
# CONN_MAX_AGE; CONN_HEALTH_CHECKS tests it before reuse). Opening a PostgreSQL
# connection for every request cost two thirds of the throughput. Set here, before the
# workers start and load the settings, so that only the web processes keep theirs.
os.environ.setdefault("DJANGO_CONN_MAX_AGE", "60")
