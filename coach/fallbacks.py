"""When the bot is not sure what was asked: the two-stage fallback ("Did you mean ...?" with the
likeliest topics as buttons, and "Something else" for the full menu), and the menus themselves.
Reads the classifier's ranking as Rasa's parse data gives it, but imports nothing from Rasa."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from coach.knowledge import Knowledge
from coach.off_topic import phrase_pattern, plain_apostrophes
from coach.replies import Reply, button
from coach.topics import ANSWERABLE_INTENTS

# Offered by the two-stage fallback when the classifier gives them at least this much.
SUGGESTION_CONFIDENCE = 0.05
MAX_SUGGESTIONS = 3
# An answer the classifier was less sure of than this also offers the next likeliest topics (at most
# MAX_ALTERNATIVES): on the topic sets H and I, 0.9 put the right topic one tap away for a quarter of
# the wrong answers, at the cost of two extra buttons on about one right answer in eleven.
ALTERNATIVES_BELOW = 0.9
MAX_ALTERNATIVES = 2
# Intents that are not topics a runner could be offered (the fallback itself, and the safety layer's).
NOT_OFFERED = ("nlu_fallback", "red_flag", "safety_check")
# Topics a button can offer: every answerable one but the menus.
SUGGESTABLE_TOPICS = tuple(intent for intent in ANSWERABLE_INTENTS if intent not in ("help", "out_of_scope"))
# Entities whose kind alone says what a message is about, when the classifier half-agrees.
TOPIC_OF_ENTITY = {"shoe_term": "shoes", "exercise": "exercise_howto"}
# Insoles or orthotics asked about for a named pain or condition ("heel cups for PF?") are a
# treatment question; in general ("do I need insoles?") a shoes one.
INSOLES, FOR_A_PAIN, TREATMENT = "insoles", ("condition", "location"), "treatment"
# A subject named in the message overrides the classifier only when it was less sure than this:
# "which exercises stop me rolling my ankle on trails" stays an exercises question.
SUBJECT_DECIDES_BELOW = 0.8
# ... for a topic the classifier ranked close to its first (at least this share of its confidence):
# "what should I do in the gym so my ankles stop rolling on trails" stays an exercises question ...
SUBJECT_CLOSE_TO_TOP = 0.5
# ... and never turns a why-question round: "why is my heel sore? same shoes, same routes" names shoes
# as what the runner has ruled out, not as what they ask about.
QUESTIONS_A_SUBJECT_KEEPS = ("why_pain",)
# Entities a suggestion button carries on, so the answer it leads to knows what the message named.
CARRIED_ENTITIES = ("location", "condition", "exercise", "subject")


# A message whose letters are mostly outside the Latin script is one the English model can't read.
LATIN_SHARE_TO_READ = 0.5


def mostly_another_script(text: str) -> bool:
    """Is most of the message written in another script (Chinese, Cyrillic, ...)? Digits, emoji and
    punctuation don't count either way."""
    letters = [c for c in text or "" if c.isalpha()]
    latin = sum(1 for c in letters if c.isascii() or "\u00c0" <= c <= "\u024f")
    return bool(letters) and latin < LATIN_SHARE_TO_READ * len(letters)


def ranked_intents(parse_data: Dict[str, Any], minimum: float = 0.0) -> List[str]:
    """The classifier's intents, most confident first (the fallback and guard intents left out)."""
    ranking = [r for r in parse_data.get("intent_ranking") or [] if isinstance(r, dict)]
    ranked: List[str] = [
        r["name"]
        for r in sorted(ranking, key=lambda r: -float(r.get("confidence") or 0))
        if isinstance(r.get("name"), str)
        and r["name"] not in NOT_OFFERED
        and float(r.get("confidence") or 0) >= minimum
    ]
    return list(dict.fromkeys(ranked))


def likeliest_topics(parse_data: Dict[str, Any]) -> List[str]:
    """The topic intents the classifier ranked highest for a message it wasn't sure about."""
    return [i for i in ranked_intents(parse_data, SUGGESTION_CONFIDENCE) if i in SUGGESTABLE_TOPICS][:MAX_SUGGESTIONS]


def alternatives(parse_data: Dict[str, Any], answered: str) -> List[str]:
    """The other likeliest topics, when the classifier was not sure of the one answered."""
    confidence = float((parse_data.get("intent") or {}).get("confidence") or 0)
    if confidence >= ALTERNATIVES_BELOW:
        return []
    return [topic for topic in likeliest_topics(parse_data) if topic != answered][:MAX_ALTERNATIVES]


class Fallbacks:
    def __init__(self, knowledge: Knowledge):
        self.knowledge = knowledge
        self.messages = knowledge.messages
        self.running_words = phrase_pattern(knowledge.vocabulary["running_words"])
        # a subject's topic ("spm": technique), and what it may also mean ("rest days": training load or
        # whether to rest), read once from the vocabulary
        subjects = knowledge.vocabulary["subjects"]
        self.subject_topics = {term["id"]: term["topic"] for term in subjects if term.get("topic")}
        self.subject_offers = {term["id"]: term.get("offers", ()) for term in subjects}
        self.unsure_subject_topics = {t["id"]: t["topic"] for t in subjects if t.get("answers_when_unsure")}

    def in_our_world(self, text: str, entities: Sequence[dict]) -> bool:
        """Does the message name anything this bot covers, or talk about running at all?"""
        if any(e.get("entity") not in (None, "off_topic") for e in entities):
            return True
        return bool(self.running_words.search(plain_apostrophes(text or "")))

    def topic_named_by(self, entities: Sequence[dict], ranked: Sequence[str]) -> Optional[str]:
        """The topic a subject in the message belongs to ("spm": technique; a shoe term: shoes; a named
        exercise: how to do it), if the classifier ranked it among ``ranked``."""
        for entity in entities:
            if entity.get("entity") == "subject":
                topic = self.subject_topics.get(entity.get("value"))
            elif entity.get("value") == INSOLES and any(e.get("entity") in FOR_A_PAIN for e in entities):
                topic = TREATMENT
            else:
                topic = TOPIC_OF_ENTITY.get(entity.get("entity") or "")
            if topic in ranked:
                return topic
        return None

    def topic_settled_by(self, entities: Sequence[dict]) -> Optional[str]:
        """The topic of a subject that settles a question on its own, however unsure the classifier is
        ("poor dorsiflexion, how do I improve it?": stretching; the vocabulary's ``answers_when_unsure``)."""
        for entity in entities:
            if entity.get("entity") == "subject" and entity.get("value") in self.unsure_subject_topics:
                return self.unsure_subject_topics[entity["value"]]
        return None

    def offered_by(self, entities: Sequence[dict], answered: str) -> List[str]:
        """Topics a subject in the message may also mean ("how many rest days?": training load or whether
        to rest), other than the one answered: its vocabulary entry's ``offers``."""
        named = [e.get("value") for e in entities if e.get("entity") == "subject"]
        return list(dict.fromkeys(t for value in named for t in self.subject_offers.get(value, ()) if t != answered))

    def did_you_mean(self, intents: Sequence[str], entities: Sequence[dict]) -> Reply:
        """The likeliest topics as buttons (with what the message named), and "Something else"."""
        labels = self.messages["topic_labels"]
        carried = {e["entity"]: e["value"] for e in entities if e.get("entity") in CARRIED_ENTITIES and e.get("value")}
        buttons = [button(labels[intent], intent, **carried) for intent in intents]
        buttons.append(button(self.messages["something_else"], "help"))
        text = self.messages["did_you_mean"] + " " + " / ".join(labels[i].lower() for i in intents) + "?"
        return Reply(
            topic="fallback",
            urgency="self_care",
            clarify=True,
            disclaimer=True,
            buttons=buttons,
            text=text + "\n\n" + self.messages["disclaimer"],
            data={"suggestions": list(intents)},
        )

    def with_alternatives(self, reply: Reply, topics: Sequence[str], entities: Sequence[dict]) -> Reply:
        """An answer followed by "Not quite what you asked?" and the other likeliest topics as buttons."""
        if not topics or (reply.clarify and not reply.sources):
            return reply  # a bare question already asks the runner to choose; an answer that asks too can offer
        return self.offer(reply, topics, entities)

    def offer(self, reply: Reply, topics: Sequence[str], entities: Sequence[dict]) -> Reply:
        """``reply`` with "Not quite what you asked?" and ``topics`` as buttons after it."""
        labels = self.messages["topic_labels"]
        carried = {e["entity"]: e["value"] for e in entities if e.get("entity") in CARRIED_ENTITIES and e.get("value")}
        reply.text += "\n\n" + self.messages["also_asked"] + " " + " / ".join(labels[t].lower() for t in topics) + "."
        reply.buttons = list(reply.buttons) + [button(labels[t], t, **carried) for t in topics]
        reply.data["suggestions"] = list(topics)
        return reply

    def menu(self, kind: str) -> Reply:
        """Help, fallback and out-of-scope replies always carry the disclaimer. A question about the bot
        itself ("are you a real person?", "who made you?") is outside the ankle topics too: it gets what
        the bot is, with the disclaimer, as an out-of-scope answer."""
        text = {
            "help": self.messages["capabilities"],
            "out_of_scope": self.messages["out_of_scope"],
            "bot_challenge": self.messages["about_me"],
        }.get(kind, self.messages["fallback"])
        return Reply(
            topic="out_of_scope" if kind in ("out_of_scope", "bot_challenge") else "fallback",
            urgency="self_care",
            disclaimer=True,
            text=text + "\n\n" + self.messages["disclaimer"],
        )

    def english_only(self) -> Reply:
        """A message the bot can't read: say so (in English and Chinese), with the signs that can't wait."""
        return self._notice("english_only")

    def unavailable(self) -> Reply:
        """When the knowledge can't be reached (the action server is down): honest, with the disclaimer."""
        return self._notice("unavailable")

    def _notice(self, message: str) -> Reply:
        """A fixed message from the knowledge file instead of an answer, with the disclaimer."""
        return Reply(
            topic="fallback",
            urgency="self_care",
            disclaimer=True,
            text=self.messages[message].strip() + "\n\n" + self.messages["disclaimer"],
        )

    def what_next(self, acknowledgement: str) -> Reply:
        text = (acknowledgement + " " if acknowledgement else "") + "What would you like to know?"
        buttons = [
            button("Why does it hurt?", "why_pain"),
            button("Exercises", "exercises"),
            button("Should I rest?", "when_to_rest"),
            button("Shoes", "shoes"),
        ]
        return Reply(topic="fallback", urgency="self_care", text=text, buttons=buttons, clarify=True)
