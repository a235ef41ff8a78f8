"""Safety actions: the warning for a red flag, and the safety check (ask, read the answer, decide).

Thin: coach/triage.py reads answers and decides by the table in knowledge/safety_checks.yml;
coach/safety.py words the replies.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import context_from, get_check_table, get_coach, get_triager, send
from actions.fail_safe import fail_safe
from coach.topics import ANSWERABLE_INTENTS
from coach.triage import NOT_SURE, CheckAnswer, asked_intent

CHECK_SLOTS = ("check_answer", "safety_check", "check_asked", "check_resume", "check_reasked")
REST_FORM = "rest_form"


def triage_of(tracker: Tracker) -> Dict[str, Any]:
    """The red-flag guard's decision for the latest message (components/red_flag_guard.py)."""
    triage = tracker.latest_message.get("triage")
    return triage if isinstance(triage, dict) else {}


def read_in_words(tracker: Tracker, check_id: str, text: str) -> CheckAnswer:
    """The guard's reading of the runner's words as this check's answer (made where the language model
    runs); only if it is missing is the answer read here."""
    readings = tracker.latest_message.get("check_answers")
    reading = readings.get(check_id) if isinstance(readings, dict) else None
    if isinstance(reading, dict) and reading.get("kind"):
        return CheckAnswer(tuple(str(q) for q in reading.get("yes") or ()), str(reading["kind"]))
    return get_triager().read_answer(check_id, text)


def loop_before_latest_message(tracker: Tracker) -> Optional[str]:
    """The form that was active when the runner's latest message arrived (rules deactivate it first)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "active_loop":
            return event.get("name")
    return None


class ActionRedFlag(Action):
    """First reply to a plain red flag: what to do now and why. Remembered for the rest of the chat."""

    def name(self) -> Text:
        return "action_red_flag"

    @fail_safe
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        context = context_from(tracker)
        flags = [flag for flag in triage_of(tracker).get("flags") or [] if flag in get_coach().safety.flags]
        flags = flags or list(context.red_flags)  # a red_flag intent without a new flag: repeat the warning
        if not flags:  # ... or, with none in this conversation, there is nothing to warn of
            return send(dispatcher, get_coach().answer("why_pain", context))
        reply = get_coach().red_flag_answer(flags, context)
        remembered = list(dict.fromkeys(list(context.red_flags) + flags))
        return send(dispatcher, reply) + [SlotSet("red_flags", remembered)]


class ActionAskCheckAnswer(Action):
    """Asks the safety check's questions (the form calls action_ask_<slot>); a re-ask leads with a hint."""

    def name(self) -> Text:
        return "action_ask_check_answer"

    @fail_safe
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        check_id = tracker.get_slot("safety_check")
        events: List[EventType] = []
        if not check_id:  # first time: remember which check, what was asked, and the form it interrupted
            triage = triage_of(tracker)
            check_id = get_check_table().check(triage.get("check"))["id"]
            events = [
                SlotSet("safety_check", check_id),
                SlotSet("check_asked", triage.get("asked")),
                SlotSet("check_resume", loop_before_latest_message(tracker)),
            ]
        reply = get_coach().check_question(check_id, re_ask=bool(tracker.get_slot("check_reasked")))
        return send(dispatcher, reply) + events


class ValidateSafetyCheckForm(FormValidationAction):
    run = fail_safe(FormValidationAction.run)

    def name(self) -> Text:
        return "validate_safety_check_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        # One check per conversation: a second possible red flag goes straight to the answer.
        return [] if tracker.get_slot("safety_checked") else domain_slots

    def validate_check_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        check_id = tracker.get_slot("safety_check") or "general"
        text = str(value) if value is not None else ""
        answer = get_check_table().read_button(check_id, text) or read_in_words(tracker, check_id, text)
        # A plain red flag typed as the answer ("it's bent sideways") counts as well.
        flags = [flag for flag in triage_of(tracker).get("flags") or [] if flag in get_coach().safety.flags]
        if answer.kind == "unclear" and not flags:
            if not tracker.get_slot("check_reasked"):
                return {"check_answer": None, "check_reasked": True}
            answer = CheckAnswer(kind=NOT_SURE)  # still unclear after the hint: the cautious row
        return {"check_answer": {"yes": list(answer.yes), "kind": answer.kind, "flags": flags}}


class ActionSafetyCheckResult(Action):
    """What the check's answer decides: advice at its level, or the answer the runner asked for (or,
    when the check interrupted the rest check, the rest check's next question)."""

    def name(self) -> Text:
        return "action_safety_check_result"

    @fail_safe
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        coach, table = get_coach(), get_check_table()
        context = context_from(tracker)
        check = table.check(tracker.get_slot("safety_check") or triage_of(tracker).get("check"))
        asked = asked_intent(tracker.get_slot("check_asked") or triage_of(tracker).get("asked"), check["answer_topic"])
        resume = tracker.get_slot("check_resume") == REST_FORM
        answer = tracker.get_slot("check_answer")
        events: List[EventType] = [SlotSet(slot, None) for slot in CHECK_SLOTS]
        if answer is None and tracker.get_slot("safety_checked"):  # one check per conversation: no second quiz
            outcome = table.already_checked()
        else:  # an answer that was never read (its validation failed) counts as "not sure"
            answer = answer if isinstance(answer, dict) else {"kind": NOT_SURE}
            outcome = table.decide(check["id"], CheckAnswer(tuple(answer.get("yes") or ()), str(answer.get("kind"))))
            flags = [flag for flag in answer.get("flags") or [] if flag in coach.safety.flags]
            if flags:  # a red flag stated outright while answering: the most urgent advice wins
                outcome = table.with_flags(outcome, flags)
            events.append(SlotSet("safety_checked", True))
            if outcome.flags:
                events.append(SlotSet("red_flags", list(dict.fromkeys(list(context.red_flags) + list(outcome.flags)))))
        reply = coach.check_result(check["id"], outcome, asked, context, resume=resume)
        if outcome.answer_question and resume:
            return send(dispatcher, reply) + events + [ActiveLoop(REST_FORM)]  # its next question follows
        remembered = asked if outcome.answer_question and asked in ANSWERABLE_INTENTS else None  # not a refusal
        return send(dispatcher, reply, topic_slot=remembered) + events
