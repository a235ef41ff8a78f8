"""What several Rasa servers share when they run as a cluster (make cluster): Redis, when
ANKLE_COACH_REDIS_URL is set. One server (make run) needs none of it and keeps all of it in memory."""

from __future__ import annotations

import os
from typing import Any, Optional


def redis_url() -> Optional[str]:
    return os.environ.get("ANKLE_COACH_REDIS_URL") or None


def socketio_manager() -> Any:
    """socket.io's message queue: a reply reaches the widget whichever server holds its socket."""
    url = redis_url()
    if not url:
        return None
    import socketio  # noqa: PLC0415

    return socketio.AsyncRedisManager(url, channel="ankle-coach-socketio")


def deliveries() -> Any:
    """Telegram and Slack deliveries already handled (serving/deliveries.py): Redis when shared."""
    from serving.deliveries import deliveries as make  # noqa: PLC0415

    return make(redis_url())
