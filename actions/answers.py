"""Actions that answer from the knowledge file: topics, context updates, fallback."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import context_from, get_coach, send
from actions.fail_safe import fail_safe
from coach.topics import ANSWERABLE_INTENTS


class ActionAnswer(Action):
    """Answer the question the latest intent asks, for what we know about this runner."""

    def name(self) -> Text:
        return "action_answer"

    @fail_safe
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        intent = tracker.latest_message.get("intent", {}).get("name")
        if intent not in ANSWERABLE_INTENTS:
            return send(dispatcher, get_coach().fallback("fallback"))
        entities = tracker.latest_message.get("entities") or []
        intent = get_coach().topic_named_by(entities, ranked_intents(tracker.latest_message)[:3]) or intent
        reply = get_coach().answer(intent, context_from(tracker))
        remember = intent if intent not in ("help", "out_of_scope") else None
        return send(dispatcher, reply, topic_slot=remember)


class ActionUpdateContext(Action):
    """The runner told us something (where it hurts, kit, a correction): confirm, then re-answer."""

    def name(self) -> Text:
        return "action_update_context"

    @fail_safe
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        context = context_from(tracker)
        last_topic = tracker.get_slot("last_topic")
        acknowledgement = get_coach().acknowledge(context, tracker.latest_message.get("entities", []))
        if last_topic not in ANSWERABLE_INTENTS and (context.location or context.condition):
            last_topic = "why_pain"  # a first message telling where it hurts asks, in effect, why
        if last_topic in ANSWERABLE_INTENTS:
            reply = get_coach().answer(last_topic, context)
            reply.text = acknowledgement + "\n\n" + reply.text if acknowledgement else reply.text
            return send(dispatcher, reply, topic_slot=last_topic)
        return send(dispatcher, get_coach().what_next(acknowledgement))


# Offered by the two-stage fallback when the classifier gives them at least this much.
SUGGESTION_CONFIDENCE = 0.05
MAX_SUGGESTIONS = 3


def ranked_intents(parse_data: Dict[str, Any], minimum: float = 0.0) -> List[str]:
    """The classifier's intents, most confident first (the fallback and guard intents left out)."""
    ranking = [r for r in parse_data.get("intent_ranking") or [] if isinstance(r, dict)]
    ranked: List[str] = [
        r["name"]
        for r in sorted(ranking, key=lambda r: -float(r.get("confidence") or 0))
        if isinstance(r.get("name"), str)
        and r["name"] not in ("nlu_fallback", "red_flag", "safety_check")
        and float(r.get("confidence") or 0) >= minimum
    ]
    return list(dict.fromkeys(ranked))


def likeliest_topics(parse_data: Dict[str, Any]) -> List[str]:
    """The topic intents the classifier ranked highest for a message it wasn't sure about."""
    suggestable = [intent for intent in ANSWERABLE_INTENTS if intent not in ("help", "out_of_scope")]
    return [i for i in ranked_intents(parse_data, SUGGESTION_CONFIDENCE) if i in suggestable][:MAX_SUGGESTIONS]


class ActionFallback(Action):
    """A message the classifier wasn't sure about: "Did you mean ...?" with the likeliest topics as
    buttons and "Something else"; with no likely topic, what the bot can help with. Both carry the
    disclaimer."""

    def name(self) -> Text:
        return "action_fallback"

    @fail_safe
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        context = context_from(tracker)
        off_topic = get_coach().off_topic("out_of_scope", context)
        if off_topic is not None:
            return send(dispatcher, off_topic)
        ranked = ranked_intents(tracker.latest_message)
        if ranked[:1] == ["out_of_scope"]:  # unsure, but most likely not about the ankle at all
            return send(dispatcher, get_coach().fallback("out_of_scope"))
        likely = likeliest_topics(tracker.latest_message)
        if not likely:
            return send(dispatcher, get_coach().fallback("fallback"))
        return send(dispatcher, get_coach().did_you_mean(likely, tracker.latest_message.get("entities") or []))
