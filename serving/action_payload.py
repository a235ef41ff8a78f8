"""What Rasa sends the action server for each custom action - the recent part of the conversation -
and how it checks the answer.

Stock Rasa 3.6 posts the whole tracker (every event of the session) and the whole domain on every
action call, so a long chat gets slower and heavier with every turn, and a 120-turn conversation no
longer fits the action server's 256 KB request cap. The actions here read only the slots, the latest
message, the active form and the events of the last few turns (a form's slot candidates, the form a
safety check interrupted), so the payload keeps the events since the third-last user message. Only
form validation actions get the domain (they read the form's required slots from it).

Rasa also checked every answer with ``jsonschema.validate``, which re-checks the schema itself on each
call (a quarter of a turn's time in a profile); the answer is now checked with a validator built once.
"""

from __future__ import annotations

from typing import Any, Dict, List

RECENT_USER_TURNS = 3
_installed = False


def recent_events(events: List[Dict[str, Any]], user_turns: int = RECENT_USER_TURNS) -> List[Dict[str, Any]]:
    """The events from the ``user_turns``-th last user message on (all of them if there are fewer)."""
    seen = 0
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "user":
            seen += 1
            if seen == user_turns:
                return events[index:]
    return events


def trim(call: Dict[str, Any]) -> Dict[str, Any]:
    tracker = call.get("tracker") or {}
    if isinstance(tracker.get("events"), list):
        call["tracker"] = {**tracker, "events": recent_events(tracker["events"])}
    if not str(call.get("next_action", "")).startswith("validate_"):
        call.pop("domain", None)
    return call


def install() -> None:
    """Wrap Rasa's RemoteAction payload once per process."""
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import RemoteAction  # noqa: PLC0415

    original = RemoteAction._action_call_format

    def _action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> Dict[str, Any]:
        return trim(original(self, tracker, domain))

    RemoteAction._action_call_format = _action_call_format  # type: ignore[assignment]

    from jsonschema import ValidationError, validators  # noqa: PLC0415

    spec = RemoteAction.action_response_format_spec()
    validator = validators.validator_for(spec)(spec)

    def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        error = next(iter(validator.iter_errors(result)), None)
        if error is not None:
            raise ValidationError(f"{error.message}. Failed to validate Action server response from API.")
        return True

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]
    _installed = True
