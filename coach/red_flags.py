"""Deterministic red-flag detection: spaCy Matcher patterns over lemmas, with negation.

Runs on every user message regardless of what the intent classifier thinks (see
components/red_flag_guard.py). Patterns, word classes and cue words live in
knowledge/red_flags.yml (syntax documented at its top); this module compiles and applies them.
Two kinds of hit come out: a plain red flag (``check`` is None: warn at once) and a possible one
(``check`` names the safety check that decides it). It errs on the side of care: a hedge such as
"not sure if I heard a pop" still counts, a plain denial such as "no numbness" does not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Token

from coach.knowledge import Knowledge
from coach.topics import URGENCY_ORDER

POSSIBLE = "possible"  # the urgency of a possible red flag: its safety check decides

# Spellings the lookup lemmatizer does not unify: "can't" -> "ca" + "n't", "couldn't" -> "could" + "n't".
_KEY_ALIASES = {
    "ca": "can",
    "could": "can",
    "n't": "not",
    "wo": "will",
    "calves": "calf",
    "calve": "calf",
    "heels": "heel",
    "toes": "toe",
    "worst": "bad",
    "worse": "bad",
}
# Runners drop apostrophes ("cant", "didnt"); put them back so the tokenizer splits the negation off.
_MISSING_APOSTROPHE = re.compile(
    r"\b(can|couldn|didn|don|doesn|isn|wasn|aren|weren|won|haven|hasn|hadn|wouldn|shouldn|ain)t\b"
)
_KEY = "coach_key"
NUMBER = "#num"  # every number ("4", "two") has this key, so "#num" can stand among alternatives
YEAR = "#year"  # a calendar year ("in 2019") dates a report; it is no count
MANY = "#many"  # 10 or more ("took 20 paracetamol", "twenty paracetamol", "195/122"); "#num" matches it too
# 6 to 9, in figures or words: with "#many", "#six_up|#many weeks" is six weeks or more, when most
# sprains should have settled ("2 weeks ago, still swollen" is normal); "#num" matches it too
SIX_UP = "#six_up"
_SIX_TO_NINE = {"6", "7", "8", "9", "six", "seven", "eight", "nine"}
# 15 to 99, in figures or words: an age past childhood's heel pain ("my daughter (15)", "a 16 year old");
# "#many" and "#num" match it too
FIFTEEN_UP = "#fifteen_up"
_FIFTEEN_TO_NINETY_NINE = re.compile(r"1[5-9]|[2-9]\d")
_AGE = re.compile(r"(\d{1,2})(yo|y/o|yrs?)")
_YEAR = re.compile(r"(19|20)\d\d")
_MANY = re.compile(r"[1-9]\d+([/.]\d+)?")
# counts of ten or more written in words ("about twenty paracetamol")
_MANY_WORDS = frozenset(
    "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty"
    " seventy eighty ninety hundred".split()
)
_FIFTEEN_UP_WORDS = _MANY_WORDS - frozenset("ten eleven twelve thirteen fourteen hundred".split())


# Words the lookup lemmatizer folds into another word, kept apart by spelling: "worse" reads as
# "wrong" ("something wrong" is not "worse"), "as" as "a" ("worse the day after a run" is not "worse
# as I run"), "number" as "numb", "wound" as "wind" and "ground" as "grind"; and "cutting" stays apart from
# "cut" ("I've been cutting myself" is self-harm, "I cut myself on a rock" an accident), and "bent" from
# "bend" (a bent ankle is misshapen; "where the foot bends" is where it moves).
_BY_SPELLING = {
    "bit": "bit",  # "a bit sore" is no bite ("bit me" is listed as spelled)
    "'s": "be",  # "she's confused", "it's swollen": far more often "is" than "has" (the lemmatizer says "have")
    "cutting": "cutting",
    "bent": "bent",
    "worse": "bad",
    "worst": "bad",
    "as": "as",
    "number": "number",
    "wound": "wound",
    "ground": "ground",
}


def _key(token: Token) -> str:
    age = _AGE.fullmatch(token.lower_)  # "16yo" is one token: its key is the number's
    if (token.like_num or age) and token.lower_ != "zero":  # "zero" is a denial cue, not a count
        number = age.group(1) if age else token.lower_
        if _YEAR.fullmatch(number):
            return YEAR
        if _FIFTEEN_TO_NINETY_NINE.fullmatch(number) or number in _FIFTEEN_UP_WORDS:
            return FIFTEEN_UP
        if _MANY.fullmatch(number) or number in _MANY_WORDS:
            return MANY
        return SIX_UP if number in _SIX_TO_NINE else NUMBER
    return _BY_SPELLING.get(token.lower_) or _KEY_ALIASES.get(token.lemma_, token.lemma_)


# Each token's key is worked out once, when the detector reads a message, and kept in the token's
# NORM, so spaCy's Matcher compares it in C: a Python getter it called for every token and pattern
# step cost ~6 ms a message with ~1,000 patterns. The extension reads it back for the filters below.
if not Token.has_extension(_KEY):
    Token.set_extension(_KEY, getter=lambda token: token.norm_)
_SENTENCE_ENDS = {".", "!", "?", "\n"}
_LIST_WORDS = {"or", "nor", ",", "/"}  # skipped when measuring how far a denial inside a match reaches


def _new_matcher(nlp: Language) -> Matcher:
    # spaCy checks each pattern against its schema unless told not to; ours all come out of ``_compile`` in
    # one fixed shape, and checking ~1,000 of them cost a third of a second of every server start
    return Matcher(nlp.vocab, validate=False)


@dataclass(frozen=True)
class RedFlagHit:
    flag_id: str
    urgency: str  # emergency | urgent | soon; POSSIBLE for a possible red flag
    matched_text: str
    check: Optional[str] = None  # the safety check that decides a possible red flag

    @property
    def plain(self) -> bool:
        return self.check is None


def normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'")
    text = _MISSING_APOSTROPHE.sub(lambda m: m.group(1) + "'t", text)
    return text.replace("cannot", "can not")


def most_urgent(hits: Sequence[RedFlagHit]) -> Optional[str]:
    """The most urgent level among the plain red flags (possible ones have no level yet)."""
    return min((hit.urgency for hit in hits if hit.plain), key=URGENCY_ORDER.__getitem__, default=None)


class RedFlagDetector:
    """Compiles knowledge/red_flags.yml into spaCy Matchers for one pipeline's vocab."""

    NEGATION_REACH = 6  # tokens before a match that a denial ("no", "didn't") can reach
    HYPOTHETICAL_REACH = 3  # tokens before a match that "if" / "how" can reach
    GUESS_REACH = 5  # tokens before a rule-out that "I thought it was (a blister)" can reach
    # tokens before a match's last word that a denial inside the match can reach: "skin isn't broken",
    # but not "hot and swollen, I can't bend it and my temperature is 38.6"
    INSIDE_NEGATION_REACH = 4

    def __init__(self, nlp: Language, knowledge: Knowledge):
        self.nlp = nlp
        self._word_keys: Dict[str, List[str]] = {}
        config = knowledge.red_flags
        entries = config["red_flags"] + config.get("possible_red_flags", [])
        self.flags: Dict[str, dict] = {flag["id"]: flag for flag in entries}
        self.word_classes = {name: self._class_keys(name, words) for name, words in config["word_classes"].items()}
        self.negation_cues = set(self._keys(config["negation_cues"]))
        self.hypothetical_cues = set(self._keys(config["hypothetical_cues"]))
        self.non_negating = set(self._keys(config["non_negating"]))
        self.mistaken_cues = set(self._keys(config.get("mistaken_cues", [])))
        self.clause_breaks = set(self._keys(config["clause_breaks"]))
        self.clause_starters = set(self._keys(config["clause_starters"]))
        self.question_openers = set(self._keys(config["question_openers"]))
        self.comparison_cues = set(self._keys(config["comparison_cues"]))
        self.first_person = set(self._keys(config["first_person"]))
        # One matcher key per pattern, so we know whether the pattern spells out a negation itself
        # ("can not walk"): only patterns that don't may be cancelled by a "not" inside the match.
        self.matcher = _new_matcher(nlp)
        self._flag_of: Dict[str, str] = {}
        self._spells_negation: Dict[str, bool] = {}
        for flag in entries:
            for key in self._add_keyed(self.matcher, flag["id"], flag["patterns"]):
                self._flag_of[key] = flag["id"]
        self.resolved = self._matcher("resolved", config["resolved_cues"])
        self.question_starts = self._matcher("question", config["question_starts"])
        self.past = self._matcher("past", config.get("past_cues", []))
        self.present = self._matcher("present", config.get("present_cues", []))
        self.not_hypothetical = self._matcher("not_hypothetical", config.get("not_hypothetical", []))
        # A rule-out is one pattern (in the same sentence) or a list of patterns that must all appear
        # in the message ("walking normally" and "pressing the bone doesn't hurt").
        self.ruled_out = {
            f["id"]: self._matcher(f["id"], [p for p in f["ruled_out_by"] if isinstance(p, str)])
            for f in entries
            if f.get("ruled_out_by")
        }
        self.ruled_out_together = {
            f["id"]: [
                [self._matcher(f"{f['id']}/all", [p]) for p in group]
                for group in f.get("ruled_out_by", [])
                if isinstance(group, list)
            ]
            for f in entries
        }
        # What a flag also needs, one key per pattern too: "not improving" may be what it needs.
        self.also_needs = {
            f["id"]: self._keyed_matcher(f"{f['id']}/needs", f["also_needs"]) for f in entries if f.get("also_needs")
        }
        self.about_history = {f["id"] for f in entries if f.get("about_history")}
        self.leading = {f["id"] for f in entries if f.get("leads")}
        self.when_settled = {f["id"]: f["when_settled"] for f in entries if f.get("when_settled")}

    # ---- compiling ---------------------------------------------------------------------------
    def read(self, text: str) -> Doc:
        return self._doc(text)

    def _doc(self, text: str) -> Doc:
        doc = self.nlp.make_doc(normalise(text))
        if "lemmatizer" in self.nlp.pipe_names:
            doc = self.nlp.get_pipe("lemmatizer")(doc)
        for token in doc:
            token.norm_ = _key(token)
        return doc

    def _keys(self, words: Iterable[str]) -> List[str]:
        """The match key of each word (or of each token of a multi-word entry)."""
        keys: List[str] = []
        for word in words:
            if word not in self._word_keys:  # ~9,000 pattern words, ~1,500 of them different
                self._word_keys[word] = [token._.get(_KEY) for token in self._doc(word)]
            keys.extend(self._word_keys[word])
        return keys

    def _one_key(self, pattern: str, word: str) -> str:
        """The match key of one word of a pattern. A word the tokenizer splits ("pain-free", "x-ray",
        "3am") can't stand among alternatives: only its first piece would be matched, so "painless|pain-free"
        would rule out every "pain". Write its pieces as pattern words instead ("pain -? free")."""
        keys = self._keys([word])
        if len(keys) != 1:
            raise ValueError(
                f"knowledge/red_flags.yml: pattern '{pattern}': '{word}' reads as {len(keys)} words "
                f"({' '.join(keys)}); write them as separate pattern words"
            )
        return keys[0]

    def _class_keys(self, name: str, words: Iterable[str]) -> List[str]:
        keys = []
        for word in words:
            word_keys = self._keys([word])
            if len(word_keys) != 1:
                raise ValueError(f"knowledge/red_flags.yml: word class '{name}': '{word}' is not a single word")
            keys.append(word_keys[0])
        return keys

    def _compile(self, pattern: str) -> List[dict]:
        compiled: List[dict] = []
        for word in pattern.split():
            if re.fullmatch(r"\*\d*", word):
                # a gap never reaches over the end of a sentence: "after every run. Good or bad?" is
                # not "worse every run"
                gap = {"OP": "?", "TEXT": {"NOT_IN": sorted(_SENTENCE_ENDS)}}
                compiled.extend(dict(gap) for _ in range(int(word[1:] or 1)))
                continue
            optional = word.endswith("?") and len(word) > 1
            word = word.rstrip("?") if optional else word
            alternatives: Set[str] = set()
            for alternative in word.split("|"):
                if alternative.startswith("$"):
                    alternatives.update(self.word_classes[alternative[1:]])
                elif alternative == NUMBER:
                    alternatives.update((NUMBER, MANY, SIX_UP, FIFTEEN_UP))
                elif alternative == MANY:
                    alternatives.update((MANY, FIFTEEN_UP))
                elif alternative in (YEAR, SIX_UP, FIFTEEN_UP):
                    alternatives.add(alternative)
                else:
                    alternatives.add(self._one_key(pattern, alternative))
            spec: dict = {"NORM": {"IN": sorted(alternatives)}}
            if optional:
                spec["OP"] = "?"
            compiled.append(spec)
        return compiled

    def _spells_out_negation(self, compiled: List[dict]) -> bool:
        return any(set(spec.get("NORM", {}).get("IN", [])) & self.negation_cues for spec in compiled)

    def _add_keyed(self, matcher: Matcher, name: str, patterns: Sequence[str]) -> List[str]:
        """Add each pattern under its own key (``name/index``), remembering whether it spells out a
        negation (``_spells_negation``) so that its matches can be checked for denial; the keys."""
        keys = []
        for index, pattern in enumerate(patterns):
            key, compiled = f"{name}/{index}", self._compile(pattern)
            matcher.add(key, [compiled])
            self._spells_negation[key] = self._spells_out_negation(compiled)
            keys.append(key)
        return keys

    def _keyed_matcher(self, name: str, patterns: Sequence[str]) -> Matcher:
        """A matcher of its own with one key per pattern (``_add_keyed``)."""
        matcher = _new_matcher(self.nlp)
        self._add_keyed(matcher, name, patterns)
        return matcher

    def _undenied(self, doc: Doc, matches: Iterable[Tuple[int, int, int]]) -> List[Tuple[int, int]]:
        """The spans of ``matches`` (from a keyed matcher) that no negation cue denies."""
        return [
            (start, end)
            for match_id, start, end in matches
            if not self._is_denied(doc, start, end, self._spells_negation[self.nlp.vocab.strings[match_id]])
        ]

    def _rule_outs(self, doc: Doc, matches: Iterable[Tuple[int, int, int]]) -> List[Tuple[int, int]]:
        """The spans of rule-out ``matches`` not denied by the word right before them ("definitely not
        pregnant" rules nothing out; "without the ankle giving way" still says what collapsed) and not
        a mistaken first guess ("I thought it was a blood blister, but it has grown")."""
        return [
            (start, end)
            for _, start, end in matches
            if not (start > 0 and self._negates(doc, start - 1)) and not self._guessed(doc, start)
        ]

    def _guessed(self, doc: Doc, start: int) -> bool:
        first = max(self._clause_start(doc, start), start - self.GUESS_REACH)
        return any(doc[i]._.get(_KEY) in self.mistaken_cues for i in range(first, start))

    def _matcher(self, name: str, patterns: Sequence[str]) -> Matcher:
        matcher = _new_matcher(self.nlp)
        matcher.add(name, [self._compile(pattern) for pattern in patterns])
        return matcher

    # ---- reading a message -------------------------------------------------------------------
    def _sentence(self, doc: Doc, index: int) -> Tuple[int, int]:
        start = index
        while start > 0 and doc[start - 1].text not in _SENTENCE_ENDS:
            start -= 1
        end = index
        while end < len(doc) and doc[end].text not in _SENTENCE_ENDS:
            end += 1
        return start, end

    def _clause_start(self, doc: Doc, index: int) -> int:
        """Index of the first token of the clause that holds token ``index``."""
        for i in range(index - 1, -1, -1):
            key = doc[i]._.get(_KEY)
            if key in self.clause_breaks or doc[i].text in _SENTENCE_ENDS:
                return i + 1
            if key == "," and i + 1 < len(doc) and doc[i + 1]._.get(_KEY) in self.clause_starters:
                return i + 1
        return 0

    def _negates(self, doc: Doc, i: int) -> bool:
        next_key = doc[i + 1]._.get(_KEY) if i + 1 < len(doc) else None
        return doc[i]._.get(_KEY) in self.negation_cues and next_key not in self.non_negating

    def _asks(self, doc: Doc, i: int) -> bool:
        """Is token ``i`` a hypothetical cue ("if", "worried about") rather than part of a phrase that
        asks nothing ("stumbling about", "about 20 minutes")?"""
        if doc[i]._.get(_KEY) not in self.hypothetical_cues:
            return False
        if "not_hypothetical" not in doc.user_data:  # matched once per text, not once per cue
            doc.user_data["not_hypothetical"] = [(s, e) for _, s, e in self.not_hypothetical(doc)]
        return not any(s <= i < e for s, e in doc.user_data["not_hypothetical"])

    def _is_denied(self, doc: Doc, start: int, end: int, spells_negation: bool) -> bool:
        first = max(self._clause_start(doc, start), start - self.NEGATION_REACH)
        for i in range(first, start):
            if self._negates(doc, i):
                return True
            if self._asks(doc, i) and i >= start - self.HYPOTHETICAL_REACH:
                return True
        # "skin isn't broken": the denial sits inside the words the pattern skipped over, close to its end
        # (a list's "or" and commas don't count: "not swollen or red or hot").
        if spells_negation:
            return False
        listed = [i for i in range(start, end) if doc[i]._.get(_KEY) not in _LIST_WORDS]
        return any(self._negates(doc, i) for i in listed[-1 - self.INSIDE_NEGATION_REACH :])

    def _is_general_question(self, doc: Doc, start: int) -> bool:
        """'Can you get a DVT from running?' asks about a symptom without reporting one. A sentence that
        opens like "how can I tell" or "what are the signs" asks, with or without its question mark; so does one that
        compares ("high ankle sprain vs normal sprain?")."""
        first, last = self._sentence(doc, start)
        if any(q_start == first for _, q_start, _ in self.question_starts(doc)):
            return True
        if last >= len(doc) or doc[last].text != "?":
            return False
        keys = {doc[i]._.get(_KEY) for i in range(first, last)}
        asks = doc[first]._.get(_KEY) in self.question_openers or bool(keys & self.comparison_cues)
        return asks and not keys & (self.first_person | self.negation_cues)

    def _is_resolved(self, doc: Doc, end: int, resolutions: List[Tuple[int, int]]) -> bool:
        """'...went numb, loosened my laces and it went away': a symptom that has gone."""
        _, sentence_end = self._sentence(doc, max(end - 1, 0))
        for r_start, _ in resolutions:
            if end <= r_start < sentence_end and not any(
                self._negates(doc, i) for i in range(max(end, r_start - 3), r_start)
            ):
                return True
        return False

    def _settling_drops(self, flag_id: str, doc: Doc, end: int, resolutions: List[Tuple[int, int]]) -> bool:
        """Does whether the symptom has passed ("...and it went away") drop this match? By default a
        settled symptom is dropped; a flag that ``stands`` keeps it; one raised ``only`` when settled
        drops it while it lasts."""
        when_settled = self.when_settled.get(flag_id)
        if when_settled == "stands":
            return False
        settled = self._is_resolved(doc, end, resolutions)
        return not settled if when_settled == "only" else settled

    def phrases(self, name: str, patterns: Sequence[str]) -> "Phrases":
        """Compile other patterns in the same syntax (safety-check answers and cues)."""
        return Phrases(self, self._matcher(name, patterns) if patterns else None)

    @staticmethod
    def _dated(past: List[Tuple[int, int]], present: List[int], sentence: Tuple[int, int], start: int) -> bool:
        """Does a past cue in the sentence date the match at ``start``? Not when a present cue ("now",
        "today") stands between an earlier past cue and the match."""
        return any(
            sentence[0] <= s < sentence[1] and not (e <= start and any(e <= p < start for p in present))
            for s, e in past
        )

    @staticmethod
    def _in_sentence(spans: List[Tuple[int, int]], sentence: Tuple[int, int]) -> bool:
        return any(sentence[0] <= s < sentence[1] for s, _ in spans)

    def detect(self, text: str) -> List[RedFlagHit]:
        """Red flags described in the text: plain ones most urgent first, then possible ones; empty
        when there are none."""
        if not text or not text.strip():
            return []
        doc = self._doc(text)
        resolutions = [(s, e) for _, s, e in self.resolved(doc)]
        past = [(s, e) for _, s, e in self.past(doc)]
        present = [s for _, s, _ in self.present(doc)]
        # for a flag that is a history, "months ago" dates it; only a real resolution ("came back") ends it
        present_resolutions = [(s, e) for s, e in resolutions if not any(ps < e and s < pe for ps, pe in past)]
        found: Dict[str, RedFlagHit] = {}
        for match_id, start, end in self.matcher(doc):
            pattern_key = self.nlp.vocab.strings[match_id]
            flag_id = self._flag_of[pattern_key]
            if flag_id in found:
                continue
            if flag_id in self.also_needs and not self._undenied(doc, self.also_needs[flag_id](doc)):
                continue  # what the flag also needs, not denied ("hit my head, no headache" needs no A&E)
            sentence = self._sentence(doc, start)
            if flag_id in self.ruled_out and self._in_sentence(
                self._rule_outs(doc, self.ruled_out[flag_id](doc)), sentence
            ):
                continue
            if any(all(matcher(doc) for matcher in group) for group in self.ruled_out_together[flag_id]):
                continue
            history = flag_id in self.about_history
            if not history and self._dated(past, present, sentence, start):
                continue  # "dislocated it when I was 19, never bothered me since": history, not a report
            if (
                self._is_general_question(doc, start)
                or self._settling_drops(flag_id, doc, end, present_resolutions if history else resolutions)
                or self._is_denied(doc, start, end, self._spells_negation[pattern_key])
            ):
                continue
            flag = self.flags[flag_id]
            found[flag_id] = RedFlagHit(flag_id, flag.get("urgency", POSSIBLE), doc[start:end].text, flag.get("check"))
        return sorted(
            found.values(),
            key=lambda hit: (
                not hit.plain,
                URGENCY_ORDER.get(hit.urgency, 9),
                hit.flag_id not in self.leading,
                hit.flag_id,
            ),
        )


class Phrases:
    """Patterns in the red-flag syntax, matched with the same denial rule: "it doesn't look bent"
    does not say "looks bent"."""

    def __init__(self, detector: RedFlagDetector, matcher: Optional[Matcher]):
        self.detector, self.matcher = detector, matcher

    def found_in(self, text: str, doc: Optional[Doc] = None) -> bool:
        """``doc``: the text already read by ``RedFlagDetector.read`` (to read one text many times)."""
        if self.matcher is None or not text or not text.strip():
            return False
        doc = doc if doc is not None else self.detector.read(text)
        return any(
            not self.detector._is_denied(doc, start, end, spells_negation=True) for _, start, end in self.matcher(doc)
        )
