"""Actions that answer from the knowledge file: topics, context updates, fallback. Each asks the
coach for the whole reply (coach/answers.py) and only sends it."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import context_from, get_coach, send
from actions.fail_safe import fail_safe


class ActionAnswer(Action):
    """Answer the question the latest intent asks, for what we know about this runner."""

    def name(self) -> Text:
        return "action_answer"

    @fail_safe
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        intent = tracker.latest_message.get("intent", {}).get("name")
        reply, topic = get_coach().answer_question(intent, tracker.latest_message, context_from(tracker))
        return send(dispatcher, reply, topic_slot=topic)


class ActionUpdateContext(Action):
    """The runner told us something (where it hurts, kit, a correction): confirm, then re-answer."""

    def name(self) -> Text:
        return "action_update_context"

    @fail_safe
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        reply, topic = get_coach().answer_context_update(
            tracker.get_slot("last_topic"), tracker.latest_message, context_from(tracker)
        )
        return send(dispatcher, reply, topic_slot=topic)


class ActionFallback(Action):
    """A message the classifier wasn't sure about: "Did you mean ...?" with the likeliest topics as
    buttons and "Something else"; with no likely topic, what the bot can help with. Both carry the
    disclaimer."""

    def name(self) -> Text:
        return "action_fallback"

    @fail_safe
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        last_topic = tracker.get_slot("last_topic")
        reply, topic = get_coach().answer_unsure(tracker.latest_message, context_from(tracker), last_topic)
        return send(dispatcher, reply, topic_slot=topic)


class ActionAcknowledge(Action):
    """A yes or no when the bot asked nothing: "OK, what else?". A longer message that only sounds like
    one ("no swelling, no numbness, just sore after runs") is answered as a question instead."""

    def name(self) -> Text:
        return "action_acknowledge"

    @fail_safe
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        last_topic = tracker.get_slot("last_topic")
        answered = get_coach().answer_acknowledgement(tracker.latest_message, context_from(tracker), last_topic)
        if answered is None:
            dispatcher.utter_message(response="utter_anything_else")
            return []
        reply, topic = answered
        return send(dispatcher, reply, topic_slot=topic)
