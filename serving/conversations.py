"""Runners' conversations at rest: erase one ("forget me"), and erase those older than the retention
period (`make forget-old`). Works on the tracker stores this project uses (SQL: SQLite or
PostgreSQL; in memory); others are refused with a clear error rather than silently kept."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from typing import Any, Optional

logger = logging.getLogger(__name__)
DEFAULT_RETENTION_DAYS = 30


def retention_days() -> float:
    try:
        days = float(os.environ.get("ANKLE_COACH_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))
    except ValueError:
        return DEFAULT_RETENTION_DAYS
    return days if days > 0 else DEFAULT_RETENTION_DAYS


def _innermost(store: Any) -> Any:
    """Rasa wraps the configured store (FailSafeTrackerStore, AwaitableTrackerStore)."""
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


def _sql_events(store: Any) -> Optional[Any]:
    from rasa.core.tracker_store import SQLTrackerStore  # noqa: PLC0415 (Rasa only where it runs)

    return SQLTrackerStore.SQLEvent if isinstance(store, SQLTrackerStore) else None


async def forget(tracker_store: Any, sender_id: str) -> int:
    """Erase every event of one conversation; the number of events erased."""
    store = _innermost(tracker_store)
    events = _sql_events(store)
    if events is not None:
        with store.session_scope() as session:
            erased = session.query(events).filter(events.sender_id == sender_id).delete(synchronize_session=False)
            session.commit()
        return int(erased)
    if hasattr(store, "store") and isinstance(store.store, dict):  # InMemoryTrackerStore
        return 1 if store.store.pop(sender_id, None) is not None else 0
    raise NotImplementedError(f"forgetting is not implemented for {type(store).__name__}")


def forget_older_than(tracker_store: Any, days: float, now: Optional[float] = None) -> int:
    """Erase every conversation whose last event is older than ``days``; the number of conversations."""
    import sqlalchemy as sa  # noqa: PLC0415

    store = _innermost(tracker_store)
    events = _sql_events(store)
    if events is None:
        raise NotImplementedError(f"retention is not implemented for {type(store).__name__}")
    cutoff = (now or time.time()) - days * 86400
    with store.session_scope() as session:
        stale = (
            session.query(events.sender_id)
            .group_by(events.sender_id)
            .having(sa.func.max(events.timestamp) < cutoff)
            .all()
        )
        senders = [row[0] for row in stale]
        for start in range(0, len(senders), 500):
            batch = senders[start : start + 500]
            session.query(events).filter(events.sender_id.in_(batch)).delete(synchronize_session=False)
        session.commit()
    return len(senders)


def _store_from_endpoints(path: str) -> Any:
    from rasa.core.tracker_store import TrackerStore  # noqa: PLC0415
    from rasa.core.utils import AvailableEndpoints  # noqa: PLC0415

    endpoints = AvailableEndpoints.read_endpoints(path)
    return TrackerStore.create(endpoints.tracker_store)


def main() -> int:
    parser = argparse.ArgumentParser(description="Erase conversations older than the retention period.")
    parser.add_argument("--endpoints", default="endpoints.yml")
    parser.add_argument("--days", type=float, default=None, help="default: ANKLE_COACH_RETENTION_DAYS or 30")
    args = parser.parse_args()
    days = args.days if args.days is not None else retention_days()
    erased = forget_older_than(_store_from_endpoints(args.endpoints), days)
    print(f"forget-old: erased {erased} conversation(s) with no activity in the last {days:g} days")
    return 0


if __name__ == "__main__":
    sys.exit(main())
