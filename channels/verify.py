"""Is a webhook request really from Telegram / Slack? Plain Python, no Rasa.

Slack signs every request (https://api.slack.com/authentication/verifying-requests-from-slack):
``X-Slack-Signature: v0=hex(HMAC-SHA256(signing secret, "v0:{X-Slack-Request-Timestamp}:{raw body}"))``.
A timestamp more than five minutes from now is refused, so a captured request can't be replayed.
Telegram sends the ``secret_token`` given to setWebhook in ``X-Telegram-Bot-Api-Secret-Token``.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Optional, Union

SLACK_MAX_AGE_SECONDS = 5 * 60


def _bytes(value: Union[str, bytes]) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def slack_signature(secret: str, timestamp: Union[str, int], body: Union[str, bytes]) -> str:
    base = b"v0:" + str(timestamp).encode("ascii") + b":" + _bytes(body)
    return "v0=" + hmac.new(_bytes(secret), base, hashlib.sha256).hexdigest()


def verify_slack_request(
    secret: str,
    timestamp: Optional[str],
    signature: Optional[str],
    body: bytes,
    now: Optional[float] = None,
    max_age: int = SLACK_MAX_AGE_SECONDS,
) -> bool:
    """True only for a request signed with ``secret`` whose timestamp is within ``max_age`` of now."""
    if not secret or not timestamp or not signature:
        return False
    try:
        sent = int(timestamp.strip())
    except (ValueError, AttributeError):
        return False
    if abs((time.time() if now is None else now) - sent) > max_age:
        return False
    expected = slack_signature(secret, timestamp.strip(), body or b"")
    return hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("utf-8", "replace"))


def telegram_secret_ok(expected: str, received: Optional[str]) -> bool:
    """The secret_token header matches (constant time); nothing matches an unset secret."""
    if not expected or received is None:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), received.encode("utf-8", "replace"))


def valid_telegram_secret(secret: str) -> bool:
    """Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - as secret_token."""
    return 1 <= len(secret) <= 256 and all(c.isascii() and (c.isalnum() or c in "_-") for c in secret)
