"""The coach: one object the actions ask for a whole reply. It routes what the runner asked to the
module that answers it, and applies what holds for every answer: a red flag earlier in the
conversation comes first, a clinician's diagnosis is theirs to manage, and the first medical answer
carries the disclaimer.

Where each answer is made:
- topic entries (shoes, warm-up, treatment, ...): coach/entries.py; why it hurts: coach/why_pain.py
- named conditions: coach/conditions.py; exercises: coach/exercise_answers.py; plans: coach/plans.py
- red flags and safety checks: coach/safety.py; "should I rest?": coach/rest_check.py
- other body parts, prescriptions, nutrition: coach/off_topic.py; not sure / menus: coach/fallbacks.py
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Dict, Optional, Sequence, Tuple

from coach.conditions import ConditionAnswers
from coach.context import Context, acknowledgement
from coach.entries import TopicEntries
from coach.exercise_answers import ExerciseAnswers
from coach.exercises import ExerciseLibrary
from coach.fallbacks import (
    FOR_A_PAIN,
    MAX_ALTERNATIVES,
    QUESTIONS_A_SUBJECT_KEEPS,
    SUBJECT_CLOSE_TO_TOP,
    SUBJECT_DECIDES_BELOW,
    Fallbacks,
    alternatives,
    likeliest_topics,
    mostly_another_script,
    ranked_intents,
)
from coach.knowledge import Knowledge
from coach.off_topic import OffTopic
from coach.plans import PlanBuilder
from coach.replies import Reply, button, source_line
from coach.rest_check import RestAnswers, decide, explain
from coach.safety import SafetyReplies
from coach.topics import ANSWERABLE_INTENTS, DECLINED_REQUESTS, MEDICAL_TOPICS, SAFE_AFTER_RED_FLAG, topic_of
from coach.triage import CheckOutcome, asks_a_question
from coach.why_pain import WhyPainAnswers

# A "yes" or "no" of this many words or more is not one ("no swelling, no numbness, it just aches after runs").
MIN_WORDS_OF_A_QUESTION = 6
RETURN_TO_RUN, TRAINING_LOAD = "return_to_run", "training_load"
# Time off named as no injury (knowledge/vocabulary.yml), and what would make it an injury after all.
BREAK_WITHOUT_INJURY = "break_without_injury"
INJURY_ENTITIES = ("condition", "diagnosis")
# The plan kind (custom.plan.kind) each plan question asks for.
PLAN_KINDS = {"plan": "weekly", "return_to_run": "return_to_run"}
# Intents the conversation does not remember as "the topic we were on".
NOT_REMEMBERED = ("help", "out_of_scope")
BOT_CHALLENGE = "bot_challenge"


def break_without_injury(entities: Sequence[dict], context: Context) -> bool:
    """Does the message name time off that was no injury (a holiday, covid, a baby), and no injury?"""
    named = {(e.get("entity"), e.get("value")) for e in entities}
    # a condition, a diagnosis or an injury named, or a sore place ("took the winter off because of my shins")
    injured = any(kind in INJURY_ENTITIES + ("location",) for kind, _ in named) or ("onset", "injury") in named
    return ("subject", BREAK_WITHOUT_INJURY) in named and not (injured or context.condition or context.diagnosis)


class Coach:
    def __init__(self, knowledge: Knowledge):
        self.knowledge = knowledge
        self.entries = TopicEntries(knowledge)
        self.exercise_library = ExerciseLibrary(knowledge)
        self.exercises = ExerciseAnswers(knowledge, self.exercise_library, self.entries)
        self.conditions = ConditionAnswers(knowledge, self.entries)
        self.why_pain = WhyPainAnswers(knowledge, self.entries)
        self.plans = PlanBuilder(knowledge, self.exercise_library)
        self.safety = SafetyReplies(knowledge)
        self.off_topic = OffTopic(knowledge)
        self.fallbacks = Fallbacks(knowledge)

    # ---- what the runner asked ---------------------------------------------------------------
    def answer(self, topic: str, context: Context) -> Reply:
        off_topic = self.off_topic.reply(topic, context)
        if off_topic is not None:
            return off_topic
        if topic in ("fallback", "out_of_scope", "help"):
            return self.fallback(topic)
        if context.red_flags and topic not in SAFE_AFTER_RED_FLAG:
            reminder = self.safety.red_flag_reminder(topic_of(topic), context.red_flags)
            return self.with_disclaimer(self.plan_from_clinician(reminder, topic), context)
        if context.diagnosis and topic != "shoes":
            clinician_plan = self.clinician_plan(topic, context.diagnosis)
            return self.with_disclaimer(self.plan_from_clinician(clinician_plan, topic), context)
        reply = self._topic_answer(topic, context)
        if context.red_flags:  # e.g. treatment or shoes after a red flag: answer, but remind first
            reply.text = self.knowledge.messages["red_flag_reminder"] + "\n\n" + reply.text
            reply.urgency = self.safety.most_urgent_level(context.red_flags)
        return self.with_disclaimer(reply, context)

    def _topic_answer(self, topic: str, context: Context) -> Reply:
        reply: Optional[Reply]
        if topic == "why_pain":
            reply = self.why_pain.answer(context)
        elif topic == "condition_info":
            reply = self.conditions.answer(context)
        elif topic == "exercise_howto":
            reply = self.exercises.how_to(context)
        elif topic == "exercises":
            reply = self.exercises.suggestions(context)
        elif topic == "plan":
            reply = self.plans.weekly(context)
        elif topic == "return_to_run":
            reply = self.plans.return_to_run(context)
        else:
            entry = self.entries.best(topic, context)
            reply = self.entries.reply(entry) if entry is not None else None
        # The knowledge schema requires a general entry per topic; never crash on a curator's slip.
        return reply if reply is not None else self.fallback("fallback")

    def answer_question(
        self, intent: Optional[str], parse_data: Dict[str, Any], context: Context
    ) -> Tuple[Reply, Optional[str]]:
        """The answer to a classified question, and the topic the conversation is now on (None: keep
        the last one). A subject the message names ("orthotics", "cadence") decides between topics
        the classifier ranked close."""
        if intent == BOT_CHALLENGE:  # "are you a real person?": what the bot is, with the disclaimer
            return self.fallback(BOT_CHALLENGE), None
        if intent not in ANSWERABLE_INTENTS:
            return self.fallback("fallback"), None
        entities = parse_data.get("entities") or []
        confidence = float((parse_data.get("intent") or {}).get("confidence") or 0)
        if confidence < SUBJECT_DECIDES_BELOW and intent not in QUESTIONS_A_SUBJECT_KEEPS:
            close = ranked_intents(parse_data, confidence * SUBJECT_CLOSE_TO_TOP)[:3]
            intent = self.fallbacks.topic_named_by(entities, close) or intent
            if intent == "out_of_scope":  # "how do I get more flexible?" is ours, whatever else it says
                intent = self.fallbacks.topic_settled_by(entities) or intent
        others = alternatives(parse_data, intent)
        others += [t for t in self.fallbacks.offered_by(entities, intent) if t not in others]
        if intent == RETURN_TO_RUN and break_without_injury(entities, context):
            # back after a holiday, an illness or a baby: building up again is training load; the
            # return-to-running plan is an injury's (still one tap away)
            intent, others = TRAINING_LOAD, [RETURN_TO_RUN] + [t for t in others if t != TRAINING_LOAD]
        reply = self.answer(intent, context)
        # An answer the classifier was unsure of offers the runner-up topics, an out-of-scope one
        # too ("my son's shins hurt": maybe it is about running after all); a guard's always-declined
        # answer is sure, and offers none.
        if reply.topic == topic_of(intent) and not context.red_flags and intent != "help":
            reply = self.fallbacks.with_alternatives(reply, others[:MAX_ALTERNATIVES], entities)
        return reply, (intent if intent not in NOT_REMEMBERED else None)

    def answer_unsure(
        self, parse_data: Dict[str, Any], context: Context, last_topic: Optional[str] = None
    ) -> Tuple[Reply, Optional[str]]:
        """A message the classifier wasn't sure about, and the topic the conversation is now on (None:
        keep the last one): off-topic answers first; a first message nowhere near running or the lower
        leg is out of scope; a subject named by the message answers its topic if it is among the
        likeliest, or if it settles its topic alone (``answers_when_unsure``); otherwise "Did you mean
        ...?" with the likeliest topics; with none, the menu."""
        off_topic = self.off_topic.reply("out_of_scope", context)
        if off_topic is not None:
            return off_topic, None
        if mostly_another_script(parse_data.get("text") or ""):
            return self.fallbacks.english_only(), None
        entities = parse_data.get("entities") or []
        elsewhere = last_topic is None and not self.fallbacks.in_our_world(parse_data.get("text") or "", entities)
        if elsewhere:
            return self.fallback("out_of_scope"), None
        likely = likeliest_topics(parse_data)
        settled = self.fallbacks.topic_settled_by(entities)  # "how do I get more flexible?": ours, whatever else
        # likely out, but our world - unless it says where in the lower leg it hurts ("my son's shins hurt,
        # should he race?"): that asks one of our topics, so "Did you mean" offers them
        where_it_hurts = any(e.get("entity") in FOR_A_PAIN for e in entities)
        if ranked_intents(parse_data)[:1] == ["out_of_scope"] and settled is None and not where_it_hurts:
            reply = self.fallback("out_of_scope")
            return self.fallbacks.with_alternatives(reply, likely[:MAX_ALTERNATIVES], entities), None
        named = self.fallbacks.topic_named_by(entities, likely) or settled
        if named is not None:  # unsure, but the message names the subject of a topic
            reply = self.answer(named, context)
            others = [topic for topic in likely if topic != named][:MAX_ALTERNATIVES]
            return self.fallbacks.with_alternatives(reply, others, entities), named
        if not likely:
            return self.fallback("fallback"), None
        return self.fallbacks.did_you_mean(likely, entities), None

    def answer_acknowledgement(
        self, parse_data: Dict[str, Any], context: Context, last_topic: Optional[str] = None
    ) -> Optional[Tuple[Reply, Optional[str]]]:
        """A message classified as a bare yes or no when the bot asked nothing. A short one is just
        that (None: the caller says "OK, what else?"); a longer one that names likely topics is a
        question the classifier was unsure of."""
        words = len((parse_data.get("text") or "").split())
        if words < MIN_WORDS_OF_A_QUESTION or not likeliest_topics(parse_data):
            return None
        return self.answer_unsure(parse_data, context, last_topic)

    def answer_context_update(
        self, last_topic: Optional[str], parse_data: Dict[str, Any], context: Context
    ) -> Tuple[Reply, Optional[str]]:
        """The runner told us something (where it hurts, kit, a correction): confirm it, then answer
        the topic we were on again for what we now know."""
        entities = parse_data.get("entities") or []
        told = acknowledgement(self.knowledge, entities)
        if last_topic not in ANSWERABLE_INTENTS and (context.location or context.condition):
            last_topic = "why_pain"  # a first message telling where it hurts asks, in effect, why
        if last_topic not in ANSWERABLE_INTENTS:
            if asks_a_question(parse_data.get("text") or "") and likeliest_topics(parse_data):
                # "rolling foot on a tennis ball help?" names a move but asks about it: a question
                # the classifier was unsure of, not news to file away
                return self.answer_unsure(parse_data, context, last_topic)
            return self.fallbacks.what_next(told), None
        reply = self.answer(last_topic, context)
        reply.text = told + "\n\n" + reply.text if told else reply.text
        return reply, last_topic

    # ---- safety ------------------------------------------------------------------------------
    def red_flag_answer(self, flag_ids: Sequence[str], context: Context) -> Reply:
        """The warning for red flags found in this message."""
        return self.with_disclaimer(self.safety.red_flag_reply(flag_ids), context)

    def check_question(self, check_id: str, re_ask: bool = False) -> Reply:
        return self.safety.check_question(check_id, re_ask)

    def check_result(
        self, check_id: str, outcome: CheckOutcome, asked: str, context: Context, resume: bool = False
    ) -> Reply:
        """What a safety check's answer leads to: the advice it decides, or, when none of the warning
        signs applies, the answer the runner asked for with a short note first (only the note when
        the check interrupted the rest check, whose next question follows)."""
        if not outcome.answer_question:
            return self.with_disclaimer(self.safety.check_advice(check_id, outcome), context)
        note = self.safety.check_note(outcome, topic="when_to_rest" if resume else "red_flag")
        if resume:
            return note
        if asked in DECLINED_REQUESTS:  # "just tell me yes or no": checked first, then kindly declined
            reply = self.answer("out_of_scope", replace(context, mentioned=(asked,)))
        else:
            reply = self.answer(asked, context)
        reply.text = note.text + "\n\n" + reply.text
        reply.sources = list(dict.fromkeys(note.sources + reply.sources))
        return reply

    @staticmethod
    def plan_from_clinician(reply: Reply, topic: str) -> Reply:
        """A reply that leaves a plan to a clinician (get checked first; follow their plan) still says which
        plan was asked (``plan_kind``), so a test can tell "when can I run again?" from "a week of rehab";
        it carries no ``plan`` of ours for a widget to draw."""
        if topic in PLAN_KINDS:
            reply.data["plan_kind"] = PLAN_KINDS[topic]
        return reply

    def clinician_plan(self, topic: str, diagnosis: str) -> Reply:
        """A diagnosis a clinician manages: their plan, not training advice from here."""
        sources = self.knowledge.citations(["clinical_guidance"])
        text = self.knowledge.messages["clinician_plan"].format(diagnosis=diagnosis).strip()
        return Reply(
            topic=topic_of(topic),
            urgency="soon",
            text=text + "\n\n" + source_line(sources),
            sources=sources,
            data={"diagnosis": diagnosis},
        )

    # ---- should I rest? ------------------------------------------------------------------------
    def rest_question(self, slot: str) -> dict:
        return self.knowledge.rest_check["questions"][slot]

    def rest_question_reply(self, slot: str, parse_data: Optional[Dict[str, Any]] = None) -> Reply:
        """One rest-check question, a question (clarify) about when to rest; yes/no ones get buttons.
        ``parse_data``: the message that started the check. If the classifier was not sure it asked
        "should I rest?", the other likeliest topics are offered as a way out of the questions, and
        "Just tell me" skips them (actions/rest_check.py answers a topic pressed here instead)."""
        question = self.rest_question(slot)
        buttons = [button("Yes", "affirm"), button("No", "deny")] if question["answer"] == "yes_no" else []
        reply = Reply(
            topic="when_to_rest", urgency="self_care", text=question["text"].strip(), buttons=buttons, clarify=True
        )
        if parse_data is None:
            return reply
        reply.buttons.append(button(self.knowledge.messages["skip_rest_check"], "skip_questions"))
        others = alternatives(parse_data, "when_to_rest")
        return self.fallbacks.offer(reply, others, parse_data.get("entities") or []) if others else reply

    def rest_hint(self, kind: str) -> Reply:
        return Reply(
            topic="when_to_rest", urgency="self_care", clarify=True, text=self.knowledge.rest_check["hints"][kind]
        )

    def rest_advice(self, answers: Optional[RestAnswers], context: Context) -> Reply:
        """The rest check's decision by the pain-monitoring model, explained. A runner who skipped
        questions, or who described a red flag, gets the general answer (after a red flag: the
        get-checked reminder) instead: the pain rule is not for them."""
        if answers is None or not answers.complete or context.red_flags:
            return self.answer("when_to_rest", context)
        return self.with_disclaimer(explain(decide(answers, self.knowledge), answers, self.knowledge), context)

    # ---- no answer ---------------------------------------------------------------------------
    def fallback(self, kind: str) -> Reply:
        return self.fallbacks.menu(kind)

    def unavailable(self) -> Reply:
        return self.fallbacks.unavailable()

    def with_disclaimer(self, reply: Reply, context: Context) -> Reply:
        """The disclaimer goes with the first medical answer of a conversation, once."""
        if reply.clarify and not reply.sources:
            return reply  # a bare question ("which exercise?") is not the first medical answer
        if reply.topic in MEDICAL_TOPICS and not context.disclaimer_shown and not reply.disclaimer:
            reply.text += "\n\n" + self.knowledge.messages["disclaimer"]
            reply.disclaimer = True
        return reply
