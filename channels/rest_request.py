"""The REST channel's request body, checked before anything else: a malformed or empty body is a
clear 400 (the stock channel answered an empty body with a 500, and 100,000 "[" with another)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Dict, Optional

from coach.messages_in import MAX_MESSAGE_CHARS
from serving.limits import MAX_BODY_BYTES, MAX_JSON_DEPTH, json_depth_ok

_MESSAGE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class BadRequest(ValueError):
    """The request cannot be processed; the message says what a valid request looks like."""


@dataclass(frozen=True)
class IncomingMessage:
    sender: str
    text: str
    metadata: Optional[Dict[str, Any]]
    # The client's id for this message: a retried or resent request with the same id is one turn
    # (serving/idempotent_turns.py), never two.
    message_id: Optional[str] = None

    @property
    def too_long(self) -> bool:
        return len(self.text) > MAX_MESSAGE_CHARS


def parse_rest_body(body: Optional[bytes]) -> IncomingMessage:
    example = 'send JSON like {"sender": "runner-1", "message": "why does my ankle hurt?"}'
    if not body or not body.strip():
        raise BadRequest(f"empty request body: {example}")
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(f"request body over {MAX_BODY_BYTES} bytes")
    if not json_depth_ok(body):
        raise BadRequest(f"request body nests deeper than {MAX_JSON_DEPTH} levels: {example}")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadRequest(f"request body is not valid JSON: {example}") from None
    if not isinstance(data, dict):
        raise BadRequest(f"request body must be a JSON object: {example}")
    text, sender, metadata = data.get("message"), data.get("sender", "default"), data.get("metadata")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest(f"'message' must be a non-empty string: {example}")
    if not isinstance(sender, (str, int)) or isinstance(sender, bool) or not str(sender).strip():
        raise BadRequest(f"'sender' must be a non-empty string: {example}")
    if metadata is not None and not isinstance(metadata, dict):
        raise BadRequest("'metadata' must be a JSON object when given")
    message_id = data.get("message_id")
    if message_id is not None and not (isinstance(message_id, str) and _MESSAGE_ID.match(message_id)):
        raise BadRequest("'message_id' must be 1-64 letters, digits or . _ : - when given")
    return IncomingMessage(str(sender), text, metadata, message_id)
