"""Checks on what arrives from a channel, before any model sees it (plain Python, no Rasa).

The stock REST channel answers an empty body with a 500, and one 100,000-character message
drove the stock server out of memory. Here a malformed request is a clear 400, and an over-long
message gets a polite reply without going near the model; it is still scanned for red flags,
because safety comes before length limits.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

from coach.answers import Coach
from coach.knowledge import load_knowledge
from coach.language import load_pipeline
from coach.red_flags import RedFlagDetector

MAX_MESSAGE_CHARS = 2000       # longer messages are not run through the NLU model
MAX_BODY_BYTES = 256 * 1024    # a REST body beyond this is refused outright
RED_FLAG_SCAN_CHARS = 20_000   # how much of an over-long message is still read for red flags


class BadRequest(ValueError):
    """The request cannot be processed; the message says what a valid request looks like."""


@dataclass(frozen=True)
class IncomingMessage:
    sender: str
    text: str
    metadata: Optional[Dict[str, Any]]

    @property
    def too_long(self) -> bool:
        return len(self.text) > MAX_MESSAGE_CHARS


def parse_rest_body(body: Optional[bytes]) -> IncomingMessage:
    example = 'send JSON like {"sender": "runner-1", "message": "why does my ankle hurt?"}'
    if not body or not body.strip():
        raise BadRequest(f"empty request body: {example}")
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(f"request body over {MAX_BODY_BYTES} bytes")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
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
    return IncomingMessage(str(sender), text, metadata)


@functools.lru_cache(maxsize=1)
def _safety_net() -> Tuple[Coach, RedFlagDetector]:
    knowledge = load_knowledge()
    return Coach(knowledge), RedFlagDetector(load_pipeline(), knowledge)


def oversized_reply(text: str, coach: Optional[Coach] = None,
                    detector: Optional[RedFlagDetector] = None) -> List[Dict[str, Any]]:
    """Reply to a message too long for the model: red-flag advice if it describes one, else a polite ask.
    Every channel calls this; coach and detector default to the process-wide ones."""
    if coach is None or detector is None:
        coach, detector = _safety_net()
    plain = [hit.flag_id for hit in detector.detect(text[:RED_FLAG_SCAN_CHARS]) if hit.plain]
    messages = []
    if plain:
        messages += coach.safety.red_flag_reply(plain).messages()
    messages.append({"text": coach.knowledge.messages["too_long"]})
    return messages
