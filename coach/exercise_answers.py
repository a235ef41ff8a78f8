"""Answers about exercises: which ones suit this runner (with why each was chosen), and how to do one."""

from __future__ import annotations

from typing import List

from coach.context import Context, location_buttons
from coach.entries import TopicEntries
from coach.exercises import ExerciseLibrary
from coach.knowledge import Knowledge
from coach.replies import Reply, bullet_list, button, source_line


class ExerciseAnswers:
    def __init__(self, knowledge: Knowledge, library: ExerciseLibrary, entries: TopicEntries):
        self.knowledge = knowledge
        self.library = library
        self.entries = entries

    def how_to(self, context: Context) -> Reply:
        exercise = self.knowledge.exercises.get(context.exercise or "")
        if exercise is None:
            choices = [ex for ex, _ in self.library.choose(context, limit=6)]
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
            data={"title": exercise["name"], "exercises": [self.library.card(exercise)]},
        )

    def suggestions(self, context: Context) -> Reply:
        chosen = self.library.choose(context)
        general = self.entries.general.get("exercises")
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
            buttons += location_buttons(self.knowledge)[:4]
        return Reply(
            topic="exercises",
            urgency="self_care",
            text="\n\n".join(parts),
            sources=sources,
            buttons=buttons,
            data={"exercises": [self.library.card(ex, why) for ex, why in chosen]},
        )
