"""When the action server can't be reached, the turn still ends with a reply, and the reply is recorded.

Rasa logs a failed custom action and goes on without its events, so the runner would get nothing
(each channel then sent a last-resort reply of its own, outside the conversation's record). Here a
custom action that fails to reach the action server returns the safe reply itself, as the turn's
bot message: a red-flag warning when the message describes one (it never depends on the action
server), else "I can't reach my knowledge right now" with the disclaimer (coach/messages_in.py).
Once per turn: later actions of the same turn add nothing."""

from __future__ import annotations

import logging
from typing import Any, List

from rasa.shared.core.events import BotUttered, UserUttered

logger = logging.getLogger(__name__)
_installed = False


def answered_this_turn(events: List[Any]) -> bool:
    for event in reversed(events):
        if isinstance(event, BotUttered):
            return True
        if isinstance(event, UserUttered):
            return False
    return False


def install() -> None:
    global _installed
    if _installed:
        return
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance  # noqa: PLC0415

    from coach.messages_in import unanswered_reply  # noqa: PLC0415

    run = RemoteAction.run

    async def run_or_answer_safely(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
        try:
            return await run(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise  # a form's own "not my turn": Rasa handles it
        except Exception as error:
            logger.error(
                "Custom action %s failed (%s); answering with the safe reply", self.name(), type(error).__name__
            )
            if answered_this_turn(list(tracker.events)):
                return []
            text = (tracker.latest_message.text if tracker.latest_message else "") or ""
            return [create_bot_utterance(dict(reply)) for reply in unanswered_reply(text)]

    RemoteAction.run = run_or_answer_safely
    _installed = True
