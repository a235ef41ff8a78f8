"""Choosing exercises from the library for a runner, and the card a channel shows for each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

from coach.context import Context
from coach.knowledge import Knowledge


@dataclass
class ExerciseLibrary:
    knowledge: Knowledge

    def card(self, exercise: dict, reason: Optional[str] = None) -> dict:
        """What a channel shows of an exercise: name, dose, steps, kit, and why it was chosen."""
        card = {
            "id": exercise["id"],
            "name": exercise["name"],
            "trains": exercise["trains"],
            "dose": exercise["dose"],
            "equipment": [self.knowledge.equipment[e]["label"] for e in exercise["equipment"]],
            "steps": exercise["steps"],
        }
        if reason:
            card["why"] = reason
        return card

    def choose(self, context: Context, limit: int = 4) -> List[Tuple[dict, str]]:
        """Exercises that fit where it hurts, the condition, the kit at hand and whether it's sore now."""
        ranked = []
        for order, exercise in enumerate(self.knowledge.exercises.values()):
            if context.painful_now and not exercise["ok_when_sore"]:
                continue
            missing = set(exercise["equipment"]) - set(context.equipment)
            if missing and context.equipment:  # the runner told us what they have: respect it
                continue
            helps = exercise["helps"]
            score, reasons = 0.0, []
            if context.condition and context.condition in helps["conditions"]:
                score += 3
                reasons.append(f"recommended for {self.knowledge.conditions[context.condition]['name'].lower()}")
            elif (
                context.location
                and context.location in helps["locations"]
                and not (context.condition and helps["conditions"])
            ):
                score += 2
                reasons.append(f"works the area around {self.knowledge.location_label(context.location)}")
            elif not helps["locations"] and not helps["conditions"]:
                score += 0.5
                reasons.append("general ankle strength and control for runners")
            elif context.location or context.condition:
                continue  # written for somewhere else
            else:
                score += 0.2
                reasons.append(f"trains {exercise['trains'].rstrip('.').lower()}")
            if not exercise["equipment"]:
                score += 0.3
                reasons.append("needs no equipment")
            elif not missing:
                score += 0.4
                kit = ", ".join(self.knowledge.equipment[e]["label"] for e in exercise["equipment"])
                reasons.append(f"uses the {kit} you have" if context.equipment else f"needs: {kit}")
            else:
                kit = ", ".join(self.knowledge.equipment[e]["label"] for e in exercise["equipment"])
                reasons.append(f"needs: {kit}")
            if context.painful_now:
                reasons.append("gentle enough while it's sore")
            ranked.append((-score, order, exercise, "; ".join(reasons)))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [(exercise, reason) for _, _, exercise, reason in ranked[:limit]]
