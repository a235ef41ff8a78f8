"""Actions that answer from the knowledge file: topics, red flags, context updates, fallback."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import coach, context_from, send

# Intents that ask a question; the answer's topic is the intent name unless mapped here.
INTENT_TOPICS = {"help": "help"}
ANSWERABLE = {"why_pain", "shoes", "warmup", "when_to_rest", "exercises", "exercise_howto", "plan", "treatment",
              "condition_info", "self_test", "technique", "surface", "training_load", "stretching",
              "out_of_scope", "return_to_run", "help"}


class ActionAnswer(Action):
    """Answer the question the latest intent asks, for what we know about this runner."""

    def name(self) -> Text:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        intent = tracker.latest_message.get("intent", {}).get("name")
        if intent not in ANSWERABLE:
            return send(dispatcher, coach().fallback("fallback"))
        topic = INTENT_TOPICS.get(intent, intent)
        reply = coach().answer(topic, context_from(tracker))
        remember = intent if intent not in ("help", "out_of_scope") else None
        return send(dispatcher, reply, topic_slot=remember)


class ActionRedFlag(Action):
    """First reply to a red flag: what to do now and why. Remembered for the rest of the chat."""

    def name(self) -> Text:
        return "action_red_flag"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        context = context_from(tracker)
        new_flags = [flag["id"] for flag in tracker.latest_message.get("red_flags") or []]
        flags = new_flags or list(context.red_flags)
        if not flags:  # a red_flag intent without a detected flag (e.g. typed as a button payload)
            return send(dispatcher, coach().answer("why_pain", context))
        reply = coach().with_disclaimer(coach().red_flag_reply(flags), context)
        remembered = list(dict.fromkeys(list(context.red_flags) + flags))
        return send(dispatcher, reply) + [SlotSet("red_flags", remembered)]


class ActionUpdateContext(Action):
    """The runner told us something (where it hurts, kit, a correction): confirm, then re-answer."""

    def name(self) -> Text:
        return "action_update_context"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        context = context_from(tracker)
        last_topic = tracker.get_slot("last_topic")
        acknowledgement = coach().acknowledge(context, tracker.latest_message.get("entities", []))
        if last_topic in ANSWERABLE:
            reply = coach().answer(INTENT_TOPICS.get(last_topic, last_topic), context)
            reply.text = acknowledgement + "\n\n" + reply.text if acknowledgement else reply.text
            return send(dispatcher, reply, topic_slot=last_topic)
        return send(dispatcher, coach().what_next(acknowledgement))


class ActionFallback(Action):
    """Low-confidence or unknown messages: what the bot can help with, plus the disclaimer."""

    def name(self) -> Text:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        return send(dispatcher, coach().fallback("fallback"))
