"""The "should I rest?" form: lenient answer parsing with clear re-asks, then the decision."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import coach, context_from, send
from coach.rest_check import QUESTIONS, RestAnswers, decide, explain, parse_pain, parse_weeks, parse_yes_no


YES_NO_BUTTONS = [{"title": "Yes", "payload": "/affirm"}, {"title": "No", "payload": "/deny"}]
PARSERS = {"pain": parse_pain, "yes_no": parse_yes_no, "weeks": parse_weeks}


def _question(slot: str) -> Dict[str, str]:
    return coach().knowledge.rest_check["questions"][slot]


def _validated(slot: str, value: Any, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
    """Parse an answer; if it makes no sense, say what kind of answer we need (the form re-asks)."""
    kind = _question(slot)["answer"]
    parsed = PARSERS[kind](str(value)) if value is not None else None
    if parsed is None:
        dispatcher.utter_message(text=coach().knowledge.rest_check["hints"][kind])
    return {slot: parsed}


class _AskRestQuestion:
    """Asks one rest-check question (Rasa forms call action_ask_<slot>); wording from the knowledge file.
    Not an Action itself, so rasa_sdk registers only the concrete per-question classes below."""
    slot = ""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        question = _question(self.slot)
        buttons = YES_NO_BUTTONS if question["answer"] == "yes_no" else []
        dispatcher.utter_message(text=question["text"].strip(), buttons=buttons)
        return []


# One ask action per question; rasa_sdk registers every Action subclass it can see.
ASK_ACTIONS = [type(f"AskRestQuestion_{slot}", (_AskRestQuestion, Action), {"slot": slot}) for slot in QUESTIONS]


class ValidateRestForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_rest_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> List[Text]:
        # After a red flag there is nothing to weigh up: the advice is to get checked.
        return [] if tracker.get_slot("red_flags") else domain_slots

    def validate_pain_during_run(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> Dict[Text, Any]:
        return _validated("pain_during_run", value, dispatcher)

    def validate_settles_by_morning(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return _validated("settles_by_morning", value, dispatcher)

    def validate_limping(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return _validated("limping", value, dispatcher)

    def validate_swelling(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return _validated("swelling", value, dispatcher)

    def validate_rest_or_night_pain(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return _validated("rest_or_night_pain", value, dispatcher)

    def validate_weeks_of_pain(self, value, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return _validated("weeks_of_pain", value, dispatcher)


class ActionRestAdvice(Action):
    """Decide from the answers; if the runner skipped (or a red flag came first), give the general answer."""

    def name(self) -> Text:
        return "action_rest_advice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        context = context_from(tracker)
        answers = self._answers(tracker, red_flag=bool(context.red_flags))
        if answers is None or context.red_flags:
            reply = coach().answer("when_to_rest", context)
        else:
            knowledge = coach().knowledge
            reply = coach().with_disclaimer(explain(decide(answers, knowledge), answers, knowledge), context)
        clear = [SlotSet(slot, None) for slot in QUESTIONS]
        return send(dispatcher, reply, topic_slot="when_to_rest") + clear

    @staticmethod
    def _answers(tracker: Tracker, red_flag: bool) -> Optional[RestAnswers]:
        values = [tracker.get_slot(slot) for slot in QUESTIONS]
        if any(value is None for value in values):
            return None
        return RestAnswers(*values, red_flag=red_flag)
