"""The exceptions that mean "the database (or the broker) is unreachable", not "bad input".

Django wraps driver errors raised through its own cursors, but the import's COPY path
talks to psycopg directly, whose errors arrive unwrapped; both kinds are listed here.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

_errors: list[type[BaseException]] = [OperationalError, InterfaceError]
try:
    import psycopg

    _errors += [psycopg.OperationalError, psycopg.InterfaceError]
except ImportError:  # SQLite-only installs
    pass

DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = tuple(_errors)
