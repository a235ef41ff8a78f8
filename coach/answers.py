"""Compose answers from the knowledge file for what the runner asked and what we know of them.

``Coach.answer(topic, context)`` is the one entry point the actions use. Retrieval is plain and
inspectable: an entry written for the runner's situation (where it hurts, how it started, the
condition, terms they mentioned) beats the topic's general entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from coach.context import Context
from coach.exercises import ExerciseLibrary
from coach.knowledge import Knowledge
from coach.plans import PlanBuilder
from coach.replies import Reply, bullet_list, button, source_line
from coach.rest_check import RestAnswers, decide, explain
from coach.safety import SafetyReplies
from coach.topics import MEDICAL_TOPICS, SAFE_AFTER_RED_FLAG, topic_of
from coach.triage import CheckOutcome

# Topics whose questions name body parts for their own reasons ("high knees", "hip drive", "arm swing").
USES_BODY_WORDS = frozenset({"technique", "warmup", "self_test", "exercise_howto"})
EVIDENCE_WORDS = {
    "strong": "Evidence: strong",
    "moderate": "Evidence: moderate",
    "weak": "Evidence: weak",
    "mixed": "Evidence: mixed",
    "expert_opinion": "Evidence: expert opinion rather than trials",
}


@dataclass
class Coach:
    knowledge: Knowledge
    _general: Dict[str, dict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.exercises = ExerciseLibrary(self.knowledge)
        self.plans = PlanBuilder(self.knowledge, self.exercises)
        self.safety = SafetyReplies(self.knowledge)
        for entry in self.knowledge.topics:
            if "applies_to" not in entry:
                self._general.setdefault(entry["topic"], entry)

    # ---- entry point -------------------------------------------------------------------
    def answer(self, topic: str, context: Context) -> Reply:
        off_topic = self.off_topic(topic, context)
        if off_topic is not None:
            return off_topic
        if topic in ("fallback", "out_of_scope", "help"):
            return self.fallback(topic)
        if context.red_flags and topic not in SAFE_AFTER_RED_FLAG:
            reminder = self.safety.red_flag_reminder(topic_of(topic), context.red_flags)
            return self.with_disclaimer(reminder, context)
        if context.diagnosis and topic != "shoes":
            return self.with_disclaimer(self.clinician_plan(topic, context.diagnosis), context)
        handler = {
            "why_pain": self._why_pain,
            "condition_info": self._condition_info,
            "exercise_howto": self._exercise_howto,
            "exercises": self._exercises,
            "plan": lambda _topic, ctx: self.plans.weekly(ctx),
            "return_to_run": lambda _topic, ctx: self.plans.return_to_run(ctx),
        }.get(topic, self._from_entries)
        reply = handler(topic, context)
        if context.red_flags:  # e.g. treatment or shoes after a red flag: answer, but remind first
            reply.text = self.knowledge.messages["red_flag_reminder"] + "\n\n" + reply.text
            reply.urgency = self.safety.most_urgent_level(context.red_flags)
        return self.with_disclaimer(reply, context)

    # ---- retrieval -----------------------------------------------------------------------
    def best_entry(self, topic: str, context: Context) -> Optional[dict]:
        """The entry written for this runner's situation, else the topic's general entry."""
        best, best_score = self._general.get(topic), 0
        for entry in self.knowledge.topic_entries(topic):
            score = self._fit(entry.get("applies_to"), context)
            if score > best_score:
                best, best_score = entry, score
        return best

    @staticmethod
    def _fit(applies_to: Optional[dict], context: Context) -> int:
        """How well an entry's situation fits; 0 = does not apply (or is the general entry)."""
        if not applies_to:
            return 0
        score = 0
        if "locations" in applies_to:
            if context.location not in applies_to["locations"]:
                return 0
            score += 2
        if "onset" in applies_to:
            if context.onset is not None and context.onset != applies_to["onset"]:
                return 0
            score += 1 if context.onset == applies_to["onset"] else 0
        if "conditions" in applies_to:
            if context.condition not in applies_to["conditions"]:
                return 0
            score += 3
        if "mentions" in applies_to:
            if not set(applies_to["mentions"]) & set(context.mentioned):
                return 0
            score += 3
        return score

    # ---- topic handlers -------------------------------------------------------------------
    def _from_entries(self, topic: str, context: Context) -> Reply:
        entry = self.best_entry(topic, context)
        if entry is None:
            return self.fallback("fallback")
        return self.entry_reply(entry)

    def entry_reply(self, entry: dict, topic: Optional[str] = None, preface: str = "") -> Reply:
        parts = [preface + entry["text"].strip()] if preface else [entry["text"].strip()]
        if entry.get("tips"):
            parts.append(bullet_list(entry["tips"]))
        note = entry.get("evidence_note", "")
        parts.append(f"{EVIDENCE_WORDS[entry['evidence']]}{'. ' + note if note else '.'}")
        sources = self.knowledge.citations(entry["sources"])
        parts.append(source_line(sources))
        return Reply(
            topic=topic or entry["topic"],
            urgency=entry["urgency"],
            text="\n\n".join(parts),
            sources=sources,
            data={"title": entry["title"], "entry": entry["id"]},
        )

    def _why_pain(self, topic: str, context: Context) -> Reply:
        entry = self.best_entry("why_pain", context)
        if entry is None:  # the knowledge schema requires a general entry; never crash on a curator's slip
            return self.fallback("fallback")
        reply = self.entry_reply(entry)
        if context.location is None:
            reply.text += "\n\n" + self.knowledge.messages["clarify_location"]
            reply.buttons = self.location_buttons()
            reply.clarify = True
        else:
            reply.buttons = [button("Exercises for this", "exercises"), button("Should I rest?", "when_to_rest")]
        return reply

    def location_buttons(self) -> List[Dict[str, str]]:
        return [
            button(term["label"][0].upper() + term["label"][1:], "inform", location=term["id"])
            for term in self.knowledge.vocabulary["locations"]
        ]

    def _condition_info(self, topic: str, context: Context) -> Reply:
        condition = self.knowledge.conditions.get(context.condition or "")
        if condition is None:
            at_location = [c for c in self.knowledge.conditions.values() if context.location in c["locations"]]
            general = self._general["condition_info"]
            reply = self.entry_reply(general, topic="condition_info")
            reply.clarify = True
            choices = at_location or list(self.knowledge.conditions.values())
            reply.buttons = [button(c["name"], "condition_info", condition=c["id"]) for c in choices[:8]]
            return reply
        return self.condition_reply(condition, self_care=not context.red_flags)

    def condition_reply(self, condition: dict, self_care: bool = True) -> Reply:
        parts = [condition["name"]]
        if condition.get("summary"):
            parts.append(condition["summary"].strip())
        parts.append("Typical signs:\n" + bullet_list(condition["typical_signs"]))
        if self_care:  # never alongside a red flag: that runner needs a clinician, not self-help
            parts.append("What usually helps first:\n" + bullet_list(condition["first_advice"]))
        if self_care and condition.get("avoid"):
            parts.append("Avoid:\n" + bullet_list(condition["avoid"]))
        parts.append("See a physio or doctor if:\n" + bullet_list(condition["see_someone_when"]))
        if condition.get("evidence_note"):
            parts.append(condition["evidence_note"])
        sources = self.knowledge.citations(condition["sources"])
        parts.append(source_line(sources))
        buttons = (
            [button("Exercises for this", "exercises", condition=condition["id"])]
            if self_care and condition.get("exercises")
            else []
        )
        return Reply(
            topic="condition_info",
            urgency=condition["urgency"],
            text="\n\n".join(parts),
            sources=sources,
            buttons=buttons,
            data={"title": condition["name"], "condition": condition["id"]},
        )

    def _exercise_howto(self, topic: str, context: Context) -> Reply:
        exercise = self.knowledge.exercises.get(context.exercise or "")
        if exercise is None:
            choices = [ex for ex, _ in self.choose_exercises(context, limit=6)]
            return Reply(
                topic="exercise_howto",
                urgency="self_care",
                clarify=True,
                text="Which exercise would you like to know how to do?",
                buttons=[button(ex["name"], "exercise_howto", exercise=ex["id"]) for ex in choices],
            )
        sources = self.knowledge.citations(exercise["sources"])
        parts = [
            exercise["name"],
            f"What it trains: {exercise['trains']}",
            "How to do it:\n" + "\n".join(f"{i}. {step}" for i, step in enumerate(exercise["steps"], 1)),
            f"Dose: {exercise['dose']}",
            f"Progression: {exercise['progression']}",
            "Take care:\n" + bullet_list(exercise["cautions"]),
            source_line(sources),
        ]
        return Reply(
            topic="exercise_howto",
            urgency="self_care",
            text="\n\n".join(parts),
            sources=sources,
            data={"title": exercise["name"], "exercises": [self.exercise_card(exercise)]},
        )

    def exercise_card(self, exercise: dict, reason: Optional[str] = None) -> dict:
        return self.exercises.card(exercise, reason)

    def choose_exercises(self, context: Context, limit: int = 4) -> List[Tuple[dict, str]]:
        return self.exercises.choose(context, limit)

    def _exercises(self, topic: str, context: Context) -> Reply:
        chosen = self.choose_exercises(context)
        general = self._general.get("exercises")
        situation = []
        if context.condition:
            situation.append(self.knowledge.conditions[context.condition]["name"].lower())
        elif context.location:
            situation.append(f"pain around {self.knowledge.location_label(context.location)}")
        if context.painful_now:
            situation.append("sore right now")
        intro = (
            f"For {' and '.join(situation)}, these are a sensible start:"
            if situation
            else "These are good all-round ankle exercises for runners:"
        )
        lines = [f"{i}. {ex['name']} ({ex['dose']}) - {why}" for i, (ex, why) in enumerate(chosen, 1)]
        source_ids: List[str] = []
        for ex, _ in chosen:
            source_ids.extend(ex["sources"])
        if general:
            source_ids.extend(general["sources"])
        source_ids.extend(self.knowledge.pain_during_exercise["sources"])
        sources = self.knowledge.citations(source_ids)
        parts = [intro, "\n".join(lines)]
        if general:
            parts.append(general["text"].strip())
        parts.append(self.knowledge.pain_during_exercise["text"].strip())
        parts.append(source_line(sources))
        buttons = [button(f"How to: {ex['name']}", "exercise_howto", exercise=ex["id"]) for ex, _ in chosen[:3]]
        if context.location is None and context.condition is None:
            buttons += self.location_buttons()[:4]
        return Reply(
            topic="exercises",
            urgency="self_care",
            text="\n\n".join(parts),
            sources=sources,
            buttons=buttons,
            data={"exercises": [self.exercise_card(ex, why) for ex, why in chosen]},
        )

    # ---- safety -----------------------------------------------------------------------------
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
        reply = self.answer(asked, context)
        reply.text = note.text + "\n\n" + reply.text
        reply.sources = list(dict.fromkeys(note.sources + reply.sources))
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

    # ---- should I rest? -------------------------------------------------------------------------
    def rest_question(self, slot: str) -> dict:
        return self.knowledge.rest_check["questions"][slot]

    def rest_question_reply(self, slot: str) -> Reply:
        """One rest-check question, a question (clarify) about when to rest; yes/no ones get buttons."""
        question = self.rest_question(slot)
        buttons = [button("Yes", "affirm"), button("No", "deny")] if question["answer"] == "yes_no" else []
        return Reply(
            topic="when_to_rest", urgency="self_care", text=question["text"].strip(), buttons=buttons, clarify=True
        )

    def rest_hint(self, kind: str) -> Reply:
        return Reply(
            topic="when_to_rest", urgency="self_care", clarify=True, text=self.knowledge.rest_check["hints"][kind]
        )

    def rest_advice(self, answers: RestAnswers, context: Context) -> Reply:
        """The rest check's decision by the pain-monitoring model, explained."""
        return self.with_disclaimer(explain(decide(answers, self.knowledge), answers, self.knowledge), context)

    # ---- context --------------------------------------------------------------------------
    def acknowledge(self, context: Context, entities: Sequence[dict]) -> str:
        """'Got it: the inside of your ankle.' for what the latest message told us."""
        told = []
        for entity in entities:
            value, kind = entity.get("value"), entity.get("entity")
            if kind == "location" and value in self.knowledge.locations:
                told.append(self.knowledge.locations[value]["label"])
            elif kind == "condition" and value in self.knowledge.conditions:
                told.append(self.knowledge.conditions[value]["name"])
            elif kind == "equipment" and value in self.knowledge.equipment:
                told.append("you have " + self.knowledge.equipment[value]["label"])
            elif kind == "onset":
                told.append("it started " + ("with an injury" if value == "injury" else "gradually"))
            elif kind == "runs_per_week":
                told.append(f"you run {value} times a week")
            elif kind == "pain_state":
                told.append("it's sore right now" if value == "sore_now" else "it isn't sore right now")
        return f"Got it: {', '.join(dict.fromkeys(told))}." if told else ""

    def what_next(self, acknowledgement: str) -> Reply:
        text = (acknowledgement + " " if acknowledgement else "") + "What would you like to know?"
        buttons = [
            button("Why does it hurt?", "why_pain"),
            button("Exercises", "exercises"),
            button("Should I rest?", "when_to_rest"),
            button("Shoes", "shoes"),
        ]
        return Reply(topic="fallback", urgency="self_care", text=text, buttons=buttons, clarify=True)

    # ---- what this bot doesn't cover ---------------------------------------------------------
    def off_topic(self, topic: str, context: Context) -> Optional[Reply]:
        """Another body part, nutrition, the weather, bookings: a short honest answer saying who can help.
        A request to prescribe or to diagnose is always declined kindly. A message that also names
        something this bot covers (the ankle, a condition, an exercise) gets that answer instead."""
        mentioned = set(context.mentioned)
        kinds = [term for term in self.knowledge.vocabulary["off_topic"] if term["id"] in mentioned]
        if not kinds or topic == "help":
            return None
        covered = mentioned & (
            set(self.knowledge.locations)
            | set(self.knowledge.conditions)
            | set(self.knowledge.exercises)
            | {t["id"] for t in self.knowledge.vocabulary["covered_body"]}
        )
        answers = self.knowledge.messages["off_topic"]
        for term in kinds:
            if term["id"] in ("prescription", "diagnosis_request"):
                return self._off_topic_reply(answers[term["id"]])
        if covered or topic in USES_BODY_WORDS:
            return None
        term = kinds[0]
        if term["id"].startswith("body_"):
            return self._off_topic_reply(answers["body_part"].format(what=term["label"]))
        return self._off_topic_reply(answers[term["id"]])

    def _off_topic_reply(self, text: str) -> Reply:
        return Reply(
            topic="out_of_scope",
            urgency="self_care",
            disclaimer=True,
            text=text.strip() + "\n\n" + self.knowledge.messages["disclaimer"],
        )

    def topic_named_by(self, entities: Sequence[dict], ranked: Sequence[str]) -> Optional[str]:
        """The topic a subject in the message belongs to, if the classifier ranked it among ``ranked``."""
        hints = {term["id"]: term["topic"] for term in self.knowledge.vocabulary["subjects"] if term.get("topic")}
        for entity in entities:
            topic = hints.get(entity.get("value")) if entity.get("entity") == "subject" else None
            if topic in ranked:
                return topic
        return None

    def did_you_mean(self, intents: Sequence[str], entities: Sequence[dict]) -> Reply:
        """The two-stage fallback: the likeliest topics as buttons (with what the message named), and
        "Something else" for the full menu."""
        messages = self.knowledge.messages
        carried = {
            e["entity"]: e["value"]
            for e in entities
            if e.get("entity") in ("location", "condition", "exercise", "subject") and e.get("value")
        }
        buttons = [button(messages["topic_labels"][intent], intent, **carried) for intent in intents]
        buttons.append(button(messages["something_else"], "help"))
        text = messages["did_you_mean"] + " " + " / ".join(messages["topic_labels"][i].lower() for i in intents) + "?"
        return Reply(
            topic="fallback",
            urgency="self_care",
            clarify=True,
            disclaimer=True,
            buttons=buttons,
            text=text + "\n\n" + messages["disclaimer"],
            data={"suggestions": list(intents)},
        )

    # ---- no answer -------------------------------------------------------------------------
    def fallback(self, kind: str) -> Reply:
        """Help, fallback and out-of-scope replies always carry the disclaimer."""
        messages = self.knowledge.messages
        text = {"help": messages["capabilities"], "out_of_scope": messages["out_of_scope"]}.get(
            kind, messages["fallback"]
        )
        return Reply(
            topic="out_of_scope" if kind == "out_of_scope" else "fallback",
            urgency="self_care",
            disclaimer=True,
            text=text + "\n\n" + messages["disclaimer"],
        )

    def unavailable(self) -> Reply:
        """When the knowledge can't be reached (the action server is down): honest, with the disclaimer."""
        messages = self.knowledge.messages
        return Reply(
            topic="fallback",
            urgency="self_care",
            disclaimer=True,
            text=messages["unavailable"].strip() + "\n\n" + messages["disclaimer"],
        )

    def with_disclaimer(self, reply: Reply, context: Context) -> Reply:
        """The disclaimer goes with the first medical answer of a conversation, once."""
        if reply.clarify and not reply.sources:
            return reply  # a bare question ("which exercise?") is not the first medical answer
        if reply.topic in MEDICAL_TOPICS and not context.disclaimer_shown and not reply.disclaimer:
            reply.text += "\n\n" + self.knowledge.messages["disclaimer"]
            reply.disclaimer = True
        return reply
