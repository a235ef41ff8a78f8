"""The "should I rest?" form: lenient answer parsing with clear re-asks, then the decision."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import context_from, get_coach, send
from actions.fail_safe import fail_safe
from coach.rest_check import BONE_SCREEN, QUESTIONS, RestAnswers, parse_pain, parse_weeks, parse_yes_no
from coach.topics import ANSWERABLE_INTENTS

PARSERS = {"pain": parse_pain, "yes_no": parse_yes_no, "weeks": parse_weeks}
REST_INTENT = "when_to_rest"


def topic_chosen_instead(tracker: Tracker) -> Optional[str]:
    """A topic button pressed during the rest check ("Not quite what you asked?"): the runner wants
    that answer, not the questions. Only a button's payload keeps its leading "/" (channels/intake.py),
    so typed answers the classifier reads as another topic still answer the question asked."""
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    pressed = str(message.get("text") or "").startswith("/")
    return intent if pressed and intent in ANSWERABLE_INTENTS and intent != REST_INTENT else None


def _validated(slot: str, value: Any, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
    """Parse an answer; if it makes no sense, say what kind of answer we need (the form re-asks)."""
    kind = get_coach().rest_question(slot)["answer"]
    parsed = PARSERS[kind](str(value)) if value is not None else None
    if parsed is None:
        send(dispatcher, get_coach().rest_hint(kind))
    return {slot: parsed}


class _AskRestQuestion:
    """Asks one rest-check question (Rasa forms call action_ask_<slot>); wording from the knowledge file.
    Not an Action itself, so rasa_sdk registers only the concrete per-question classes below."""

    slot = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    @fail_safe
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        # The message that started the check may have meant something else: offer a way out.
        message = tracker.latest_message
        started = message if (message.get("intent") or {}).get("name") == REST_INTENT else None
        return send(dispatcher, get_coach().rest_question_reply(self.slot, started))


# One ask action per question; rasa_sdk registers every Action subclass it can see.
ASK_ACTIONS = [type(f"AskRestQuestion_{slot}", (_AskRestQuestion, Action), {"slot": slot}) for slot in QUESTIONS]


def _validator(slot: str):
    def validate(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return _validated(slot, value, dispatcher)

    validate.__name__ = f"validate_{slot}"
    return validate


class ValidateRestForm(FormValidationAction):
    run = fail_safe(FormValidationAction.run)

    def name(self) -> Text:
        return "validate_rest_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        # After a red flag there is nothing to weigh up: the advice is to get checked. A topic button
        # pressed instead of an answer ends the questions too (it is answered, not parsed as one). After
        # a yes in the bone screen the pain rule doesn't apply, so its questions are not asked.
        if tracker.get_slot("red_flags") or topic_chosen_instead(tracker):
            return []
        if any(tracker.get_slot(slot) is True for slot in BONE_SCREEN):
            return []
        return domain_slots


for _slot in QUESTIONS:  # validate_<slot> for every question: parse leniently, re-ask on nonsense
    setattr(ValidateRestForm, f"validate_{_slot}", _validator(_slot))


class ActionRestAdvice(Action):
    """Decide from the answers; if the runner skipped (or a red flag came first), give the general answer."""

    def name(self) -> Text:
        return "action_rest_advice"

    @fail_safe
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        clear = [SlotSet(slot, None) for slot in QUESTIONS]
        chosen = topic_chosen_instead(tracker)
        if chosen:  # the runner pressed another topic instead of answering
            reply, topic = get_coach().answer_question(chosen, tracker.latest_message, context_from(tracker))
            return send(dispatcher, reply, topic_slot=topic) + clear
        reply = get_coach().rest_advice(self._answers(tracker), context_from(tracker))
        return send(dispatcher, reply, topic_slot=REST_INTENT) + clear

    @staticmethod
    def _answers(tracker: Tracker) -> RestAnswers:
        values = {slot: tracker.get_slot(slot) for slot in QUESTIONS}
        for slot in BONE_SCREEN:
            values[slot] = values[slot] is True
        return RestAnswers(**values)
