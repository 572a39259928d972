"""django-q2 entry points: turn an id into a service call, nothing more."""

from __future__ import annotations


def notification_send(kind: str, object_id: int, count: int | None = None) -> int:
    # Imported here, not at module level: django-q2 loads this module by dotted path.
    from notifications.services import notification_send as send

    return send(kind=kind, object_id=object_id, count=count)
