"""gunicorn's settings for the web processes: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Chosen with `make bench-api` (50 clients polling the job list and a job's detail without
pause, PostgreSQL, on a 2-core machine); the README quotes the numbers. Options given on
the command line, or WEB_CONCURRENCY / DJANGO_CONN_MAX_AGE in the environment, win.
"""

from __future__ import annotations

import multiprocessing
import os

# Sync workers, two per core. A poll is about 5 ms of Python and two short queries, so a
# process per request in flight keeps both cores busy. gthread (2x4, 2x8, 4x2, 4x4
# threads) served about as many requests/s, with a little less CPU per request (kept-alive
# connections), but its p99 was typically 2 to 5 times its median (once 27 times), where
# sync workers' stayed between 1.3 and 3 times: a kept-alive connection stays with the
# process that accepted it, and with 50 of them one process queued while another idled;
# a sync worker accepts only when free. 3 and 6 sync workers were within the noise of 4;
# 8 did worse. Behind the TLS proxy, which buffers slow clients, sync workers are
# gunicorn's own recommendation.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
worker_class = "sync"

# Each web process keeps its database connection between requests (Django's
# CONN_MAX_AGE; CONN_HEALTH_CHECKS tests it before reuse). Opening a PostgreSQL
# connection for every request cost two thirds of the throughput. Set here, before the
# workers start and load the settings, so that only the web processes keep theirs.
os.environ.setdefault("DJANGO_CONN_MAX_AGE", "60")
