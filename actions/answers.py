"""Actions that answer from the knowledge file: topics, context updates, fallback."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import context_from, get_coach, send
from coach.topics import ANSWERABLE_INTENTS


class ActionAnswer(Action):
    """Answer the question the latest intent asks, for what we know about this runner."""

    def name(self) -> Text:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        intent = tracker.latest_message.get("intent", {}).get("name")
        if intent not in ANSWERABLE_INTENTS:
            return send(dispatcher, get_coach().fallback("fallback"))
        reply = get_coach().answer(intent, context_from(tracker))
        remember = intent if intent not in ("help", "out_of_scope") else None
        return send(dispatcher, reply, topic_slot=remember)


class ActionUpdateContext(Action):
    """The runner told us something (where it hurts, kit, a correction): confirm, then re-answer."""

    def name(self) -> Text:
        return "action_update_context"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        context = context_from(tracker)
        last_topic = tracker.get_slot("last_topic")
        acknowledgement = get_coach().acknowledge(context, tracker.latest_message.get("entities", []))
        if last_topic in ANSWERABLE_INTENTS:
            reply = get_coach().answer(last_topic, context)
            reply.text = acknowledgement + "\n\n" + reply.text if acknowledgement else reply.text
            return send(dispatcher, reply, topic_slot=last_topic)
        return send(dispatcher, get_coach().what_next(acknowledgement))


class ActionFallback(Action):
    """Low-confidence or unknown messages: what the bot can help with, plus the disclaimer."""

    def name(self) -> Text:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        return send(dispatcher, get_coach().fallback("fallback"))
