"""Generated plans from knowledge/plans.yml, personalised by what the conversation told us.

- 7-day programme: run days follow the runner's runs per week; moves needing kit they don't have
  are swapped for ones that need none; while it's sore, only gentle moves and no running days;
  moves chosen for where it hurts (or the condition) join the strength days.
- Return to running after a sprain: stages that advance on criteria (pain, limp, balance, heel
  raises, hop tests), not on days alone; the starting stage follows whether it is sore now.
Both come as readable text plus a structured ``plan`` payload a widget can render.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence

from coach.context import Context
from coach.exercises import ExerciseLibrary
from coach.knowledge import Knowledge
from coach.replies import Reply, button, source_line

# Which days become running days for 1..7 runs a week, most important first (long run on day 7).
RUN_DAY_PRIORITY = [7, 2, 4, 6, 3, 5, 1]
STRENGTH_DAYS = (1, 3)


class PlanBuilder:
    def __init__(self, knowledge: Knowledge, exercises: ExerciseLibrary):
        self.knowledge = knowledge
        self.exercises = exercises
        self.plans = knowledge.plans

    # ---- shared -----------------------------------------------------------------------------
    def _usable(self, exercise_id: str, context: Context) -> bool:
        exercise = self.knowledge.exercises[exercise_id]
        if context.painful_now and not exercise["ok_when_sore"]:
            return False
        return not (context.equipment and set(exercise["equipment"]) - set(context.equipment))

    def _substitute(self, exercise_id: str, context: Context, taken: List[str]) -> Optional[str]:
        """A kit-free (and, if sore, gentle) move that trains a similar area, for one we can't use."""
        original = self.knowledge.exercises[exercise_id]
        candidates = []
        for candidate in self.knowledge.exercises.values():
            if candidate["id"] in taken or candidate["equipment"] or not self._usable(candidate["id"], context):
                continue
            overlap = len(set(candidate["helps"]["locations"]) & set(original["helps"]["locations"]))
            overlap += len(set(candidate["helps"]["conditions"]) & set(original["helps"]["conditions"]))
            candidates.append((-overlap, candidate["id"]))
        return min(candidates)[1] if candidates else None

    def _slot(self, exercise_id: str, dose: Optional[str] = None) -> Dict[str, str]:
        exercise = self.knowledge.exercises[exercise_id]
        return {"id": exercise_id, "name": exercise["name"], "dose": dose or exercise["dose"]}

    def _slots(
        self, template_slots: List[dict], context: Context, extra: Sequence[str] = (), extra_count: int = 2
    ) -> List[Dict[str, str]]:
        """The template's moves (swapped where unusable), plus up to ``extra_count`` new targeted ones."""
        chosen: List[Dict[str, str]] = []
        taken: List[str] = []
        for slot in template_slots:
            exercise_id, dose = slot["exercise"], slot.get("dose")
            if not self._usable(exercise_id, context):
                exercise_id, dose = self._substitute(exercise_id, context, taken), None
            if exercise_id and exercise_id not in taken:
                chosen.append(self._slot(exercise_id, dose))
                taken.append(exercise_id)
        added = 0
        for exercise_id in extra:
            if added < extra_count and exercise_id not in taken and self._usable(exercise_id, context):
                chosen.append(self._slot(exercise_id))
                taken.append(exercise_id)
                added += 1
        return chosen

    def _personalised_for(self, context: Context) -> Dict[str, object]:
        facts: Dict[str, object] = {}
        if context.runs_per_week:
            facts["runs_per_week"] = context.runs_per_week
        if context.equipment:
            facts["equipment"] = [self.knowledge.equipment[e]["label"] for e in context.equipment]
        if context.painful_now is not None:
            facts["sore_now"] = context.painful_now
        if context.condition:
            facts["condition"] = self.knowledge.conditions[context.condition]["name"]
        elif context.location:
            facts["location"] = self.knowledge.location_label(context.location)
        return facts

    # ---- 7-day programme ---------------------------------------------------------------------
    def weekly(self, context: Context) -> Reply:
        template = self.plans["weekly_programme"]
        if context.runs_per_week:
            run_days = set(RUN_DAY_PRIORITY[: max(0, min(7, context.runs_per_week))])
        else:
            run_days = {day["day"] for day in template["days"] if day.get("run")}
        if context.painful_now:
            run_days = set()
        targeted = (
            [exercise["id"] for exercise, _ in self.exercises.choose(context, limit=8)]
            if (context.location or context.condition)
            else []
        )
        days = []
        for day in template["days"]:
            extra = targeted if day["day"] in STRENGTH_DAYS else []
            days.append(
                {
                    "day": day["day"],
                    "focus": day["focus"],
                    "run": day["day"] in run_days,
                    "exercises": self._slots(day["exercises"], context, extra),
                }
            )
        lines = [template["title"], template["intro"].strip()]
        if context.painful_now:
            lines.append(template["while_sore"].strip())
        for day in days:
            run = " + easy run" if day["run"] else ""
            moves = "; ".join(f"{slot['name']} ({slot['dose']})" for slot in day["exercises"]) or "rest"
            lines.append(f"Day {day['day']} - {day['focus']}{run}: {moves}")
        sources = self.knowledge.citations(template["sources"])
        lines.append(source_line(sources))
        payload = {
            "kind": "weekly",
            "title": template["title"],
            "days": days,
            "personalised_for": self._personalised_for(context),
        }
        buttons = [
            button(f"How to: {slot['name']}", "exercise_howto", exercise=slot["id"])
            for slot in days[0]["exercises"][:2]
        ]
        return Reply(
            topic="plan",
            urgency="self_care",
            text="\n\n".join(lines),
            sources=sources,
            buttons=buttons,
            data={"title": template["title"], "plan": payload},
        )

    # ---- return to running -------------------------------------------------------------------
    def return_to_run(self, context: Context) -> Reply:
        template = self.plans["return_to_run"]
        stages = []
        for stage in template["stages"]:
            stages.append(
                {
                    "id": stage["id"],
                    "name": stage["name"],
                    "goal": stage["goal"],
                    "activities": stage["activities"],
                    "exercises": self._slots(stage.get("exercises", []), context),
                    "advance_when": stage["advance_when"],
                }
            )
        start = stages[1]["id"] if context.painful_now is False else stages[0]["id"]
        lines = [template["title"], template["intro"].strip(), "Pain rule: " + template["pain_rule"].strip()]
        if context.painful_now is False:
            lines.append(template["not_sore_now"].strip().format(stage=stages[1]["name"]))
        if context.runs_per_week:
            lines.append(template["runs_per_week"].strip().format(runs=context.runs_per_week))
        for stage in stages:
            moves = ", ".join(slot["name"] for slot in stage["exercises"])
            lines.append(
                f"{stage['name']}: {stage['goal']}\n  Do: {'; '.join(stage['activities'])}"
                + (f"\n  Exercises: {moves}" if moves else "")
                + f"\n  Move on when: {' '.join(stage['advance_when'])}"
            )
        sources = self.knowledge.citations(template["sources"])
        lines.append(source_line(sources))
        payload = {
            "kind": "return_to_run",
            "title": template["title"],
            "pain_rule": template["pain_rule"].strip(),
            "start_stage": start,
            "stages": stages,
            "personalised_for": self._personalised_for(context),
        }
        return Reply(
            topic="plan",
            urgency="self_care",
            text="\n\n".join(lines),
            sources=sources,
            buttons=[button("Self-tests", "self_test"), button("7-day programme", "plan")],
            data={"title": template["title"], "plan": payload},
        )
