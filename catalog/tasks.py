"""django-q2 entry points of the catalog: turn an id into a service call, nothing more."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def run_catalog_bulk_action(action_id: int) -> None:
    # Imported here, not at module level: django-q2 loads this module by dotted path.
    from catalog.bulk_actions import bulk_action_claim, bulk_action_run

    action = bulk_action_claim(action_id=action_id)
    if action is None:
        logger.info("Catalog bulk action %s is not pending any more; another worker or a redelivery took it", action_id)
        return
    bulk_action_run(action=action)
