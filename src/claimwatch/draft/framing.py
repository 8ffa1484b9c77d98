"""One sentence -> the frames its claims are instances of, with the facts each frame takes.

The frame library is the knowledge: a sentence is read with each frame's own words, so what
claimwatch knows about counts of the missing or ports closed until further notice is known
once, for drafting and for judging alike.

    a figure with a unit              measure (948-foot)      money (a currency)
    a figure counting a fate          people-count            (6 workers are missing)
    a figure counting people/things   people-count / thing-count (the predicate as `counts`)
    a clock time or date at an event  time                    (the crash occurred at 1:30AM)
    a negation of a ruled-out thing   none                    (no evidence of terrorism)
    a future act                      promise                 (will leave, will be presented)
    a frame's cues or words           state, cause, investigation, warning, control, ...
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from claimwatch.draft.keywords import STOPWORDS, is_content, stem, tokens
from claimwatch.frames import Choice, Frame, FrameLibrary
from claimwatch.frames.compile import words
from claimwatch.matching.attach import counts_term
from claimwatch.matching.clock import find_times
from claimwatch.matching.cues import negation
from claimwatch.matching.dates import find_dates, is_dateline
from claimwatch.matching.figures import Figure, find_figures
from claimwatch.terms import PatternSet
from claimwatch.units import unit_of


def _words(text: str) -> tuple[str, ...]:
    """A word list written as one string (keeps the long vocabularies readable)."""
    return tuple(text.split())


# Frames read without a figure, in the order a sentence's claim is drafted with them.
EVENT_FRAMES = _words(
    "state cause investigation warning control role mission accusation legal arrest safety denial"
)
# A state's kinds from the most to the least specific: "a state of emergency" is no closure.
STATE_ORDER = _words(
    "emergency order restriction outage closure suspension deployment blockage ban operation"
)
_APPROX = {
    "exact": "exact",
    "about": "about",
    "nearly": "about",
    "range": "about",
    "at_least": "at_least",
    "more_than": "at_least",
    "at_most": "at_most",
    "less_than": "at_most",
}
_PEOPLE = re.compile(
    r"^\s*(?:(?:other|more|of\s+the|of\s+them|of\s+its|of\s+that|of\s+their)\s+)?"
    r"(?P<noun>(?:[a-z-]+\s+){0,2}?(?:people|persons|workers|members|residents|passengers|"
    r"crew|crewmembers|civilians|children|students|employees|soldiers|officers|victims|men|"
    r"women|protesters|demonstrators|migrants|tourists|patients|miners|firefighters|"
    r"journalists|detainees|others))\b",
    re.I,
)
_PREDICATE_STOP = re.compile(r"[,;:.!?()“”\"]|\s(?:and|but|while|after|before|when|as)\s", re.I)
_AUXILIARY = frozenset(
    _words(
        "are is was were have has had been be being could may might would will can of that the "
        "who which reportedly believed thought said"
    )
)
_FUTURE = re.compile(
    r"\b(?:will|shall|would|going to|plans? to|planned to|pledged to|promised to|vowed to|"
    r"intends? to|is to|are to|expected to|set to)\b|(?<!\w)(?:будет|будут|обещал\w*)(?!\w)",
    re.I,
)
_GROUP = re.compile(
    r"\b(?:everyone|everybody|all|those|people|persons|protesters|demonstrators|detainees|"
    r"participants|residents|workers|dozens|hundreds|thousands)\b",
    re.I,
)
# Fates named without a figure that still make a claim: a toll that coverage will count.
UNTALLIED = ("killed", "injured", "missing")
# "On January 2, ...": a date that opens the sentence dates its main event.
_OPENING_DATE = re.compile(r"^\W*(?:on|by|since|as of|from)?\s*$", re.I)
BEFORE_PENALTY = 20  # characters: a term after a figure beats one as near before it
MAX_TIME_GAP = 8
MAX_DATE_GAP = 6


@dataclass
class Hit:
    """One frame a sentence's claim is an instance of, with the facts it takes."""

    frame: Frame
    choices: list[str] = field(default_factory=list)
    value: float | None = None
    unit: str | None = None
    approx: str | None = None
    time: str | None = None
    date: str | None = None
    counts: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    span: tuple[int, int] = (0, 0)  # the words that decided the frame
    cued: bool = True  # found by a specific cue, not only by the frame's own words

    @property
    def figure(self) -> bool:
        return self.frame.type in ("count", "measure")


class Reader:
    """Reads sentences with one library's frames in the article's languages."""

    def __init__(self, frames: FrameLibrary, languages: tuple[str, ...], year: int) -> None:
        self.frames = frames
        self.languages = languages
        self.year = year
        self._sets: dict[tuple[str, str, str], PatternSet] = {}

    def _set(self, frame: Frame, choice: Choice, key: str) -> PatternSet:
        cache = (frame.id, choice.name, key)
        if cache not in self._sets:
            lexicon = getattr(choice, key)
            self._sets[cache] = PatternSet.of(list(words([lexicon], self.languages)))
        return self._sets[cache]

    def read(self, sentence: str, names: PatternSet | None = None) -> list[Hit]:
        """Every frame hit of ``sentence``: figures first, then times, absences, events.
        Words inside the story's names ("Fire Department") are no cue ("fire")."""
        plain = _masked(sentence, names)
        hits = list(self._figures(sentence))
        if not any(h.frame.type == "count" for h in hits):
            tally = self._tally(plain)
            if tally is not None:
                hits.append(tally)
        hits.extend(self._times(plain))
        absence = self._absence(plain)
        if absence is not None:
            hits.append(absence)
        promise = self._promise(plain)
        if promise is not None:
            hits.append(promise)
        for hit in self._events(plain, {h.frame.id for h in hits}):
            if absence is None or not _overlaps(hit.span, absence.span):
                hits.append(self._grouped(hit, plain))
        return hits

    def _grouped(self, hit: Hit, sentence: str) -> Hit:
        """ "Everyone who had been detained ... has been set free": an arrest or release of a
        group is a count of people by fate, which later figures follow up."""
        frame = self.frames.get("people-count")
        if hit.frame.id != "arrest" or frame is None or not _GROUP.search(sentence):
            return hit
        fate = {"arrested": "detained"}.get(hit.choices[0], hit.choices[0]) if hit.choices else ""
        if fate not in frame.choices:
            return hit
        return Hit(frame, [fate], span=hit.span, cued=hit.cued)

    # ---- figures ------------------------------------------------------------------------

    def _figures(self, sentence: str) -> Iterator[Hit]:
        figures = find_figures(sentence)
        for figure in figures:
            if figure.is_part or figure.vague or figure.value <= 0:
                continue
            hit = self._measure(sentence, figure) or self._count(sentence, figure, figures)
            if hit is not None:
                yield hit

    def _measure(self, sentence: str, figure: Figure) -> Hit | None:
        unit = unit_of(sentence, figure)
        if unit is None:
            return None
        frame_id = "money" if unit.dimension.startswith("currency") else "measure"
        frame = self.frames.get(frame_id)
        if frame is None:
            return None
        hit = Hit(frame, value=figure.value, unit=unit.name, span=(figure.start, figure.end))
        hit.approx = _APPROX[figure.approx]
        if frame_id == "money":
            hit.choices = self._best_choice(frame, sentence, figure, figures=[figure])
            hit.unit = unit.name if unit.name != "ANY" else "currency"
        return hit

    def _count(self, sentence: str, figure: Figure, figures: list[Figure]) -> Hit | None:
        if figure.unit is not None:
            return None
        for frame_id in ("people-count", "thing-count"):
            frame = self.frames.get(frame_id)
            if frame is None:
                continue
            choices = self._best_choice(frame, sentence, figure, figures)
            if choices:
                return self._count_hit(frame, choices, sentence, figure)
        people = _PEOPLE.match(sentence[figure.end :])
        frame = self.frames.get("people-count")
        if people is None or frame is None:
            return None
        predicate = _predicate(sentence[figure.end + people.end() :]) or _verb_before(
            sentence[: figure.start]
        )
        if not predicate:
            return self._things(sentence, figure)
        hit = self._count_hit(frame, [], sentence, figure)
        hit.counts = predicate
        return hit

    def _tally(self, sentence: str) -> Hit | None:
        """ "There are casualties among police and civilians": a toll named without a
        figure, which any figure later follows up."""
        frame = self.frames.get("people-count")
        if frame is None:
            return None
        found = []
        for name in UNTALLIED:
            choice = frame.choices.get(name)
            hit = self._set(frame, choice, "terms").first(sentence) if choice else None
            if hit is not None and not _negated(sentence, hit[1][0]):
                found.append((name, hit[1][0]))
        if not found:
            return None
        return Hit(frame, [n for n, _ in found], span=found[0][1], cued=False)

    def _things(self, sentence: str, figure: Figure) -> Hit | None:
        """ "peacekeepers ..., totaling about 2,500 people": the figure's plain "people" are
        the things the sentence names."""
        frame = self.frames.get("thing-count")
        if frame is None:
            return None
        for name, choice in frame.choices.items():
            found = self._set(frame, choice, "terms").first(sentence)
            if found is not None:
                start, end = found[1][0]
                hit = self._count_hit(frame, [name], sentence, figure)
                hit.counts = [stem(sentence[start:end])]
                return hit
        return None

    def _count_hit(self, frame: Frame, choices: list[str], sentence: str, figure: Figure) -> Hit:
        people = _PEOPLE.match(sentence[figure.end :])
        members = _noun_terms(people.group("noun")) if people else []
        return Hit(
            frame,
            choices=choices,
            value=figure.value,
            approx=_APPROX[figure.approx],
            members=members,
            span=(figure.start, figure.end),
        )

    def _best_choice(
        self, frame: Frame, sentence: str, figure: Figure, figures: list[Figure]
    ) -> list[str]:
        """The choice whose words the figure counts, the nearest first."""
        best: tuple[int, str] | None = None
        for name, choice in frame.choices.items():
            term = counts_term(sentence, figure, figures, self._set(frame, choice, "terms"))
            if term is None:
                continue
            after = term[0] >= figure.end  # the predicate after the count comes first
            distance = term[0] - figure.end if after else figure.start - term[1] + BEFORE_PENALTY
            if best is None or distance < best[0]:
                best = (distance, name)
        return [best[1]] if best else []

    # ---- times and dates ----------------------------------------------------------------

    def _times(self, sentence: str) -> Iterator[Hit]:
        frame = self.frames.get("time")
        if frame is None:
            return
        events = self._event_spans(frame, sentence)
        if not events:
            return
        for time in find_times(sentence):
            near = [
                e for e in events if _gap(sentence, e[1], (time.start, time.end)) <= MAX_TIME_GAP
            ]
            if near:
                hours, minutes = divmod(int(time.minutes), 60)
                yield Hit(
                    frame,
                    [near[0][0]],
                    time=f"{hours:02d}:{minutes:02d}",
                    span=(time.start, time.end),
                )
                return
        for mention in find_dates(sentence, self.year):
            if is_dateline(sentence, mention):
                continue
            opening = _OPENING_DATE.match(sentence[: mention.start]) and sentence[
                mention.end : mention.end + 2
            ].startswith(",")
            near = [
                e
                for e in events
                if opening or _gap(sentence, e[1], (mention.start, mention.end)) <= MAX_DATE_GAP
            ]
            if near:
                yield Hit(
                    frame,
                    [near[0][0]],
                    date=mention.date.isoformat(),
                    span=(mention.start, mention.end),
                )
                return

    def _event_spans(self, frame: Frame, sentence: str) -> list[tuple[str, tuple[int, int]]]:
        spans: list[tuple[str, tuple[int, int]]] = []
        for name, choice in frame.choices.items():
            for pattern in self._set(frame, choice, "terms").patterns:
                spans.extend((name, s) for s in pattern.group_spans(sentence, 0))
        return spans

    # ---- absences and promises ----------------------------------------------------------

    def _absence(self, sentence: str) -> Hit | None:
        frame = self.frames.get("none")
        negations = negation(sentence)
        if frame is None or not negations:
            return None
        for start, end in negations:
            clause = _clause(sentence, end)
            evidence = _EVIDENCE.match(sentence, start) is not None
            for name, choice in frame.choices.items():
                found = self._set(frame, choice, "terms").first(clause)
                if found is None:
                    continue
                at = found[1][0]
                if evidence or _governs(clause[: at[0]]):
                    return Hit(frame, [name], span=(start, end + at[1]))
        return None

    def _promise(self, sentence: str) -> Hit | None:
        frame = self.frames.get("promise")
        future = _FUTURE.search(sentence)
        if frame is None or future is None:
            return None
        for name, choice in frame.choices.items():
            for _, lexicon in choice.changes:
                acts = PatternSet.of(list(words([lexicon], self.languages)))
                found = acts.first(sentence)
                if found is None:
                    continue
                verb = found[1][-1]  # the act's verb: after the future marker, close to it
                if future.end() <= verb[0] <= future.end() + 40:
                    return Hit(frame, [name], span=(future.start(), verb[1]))
        return None

    # ---- the other frames ---------------------------------------------------------------

    def _events(self, sentence: str, taken: set[str]) -> list[Hit]:
        """The frames found by their cues first (a specific phrase), then those found by
        their own words; in ``EVENT_FRAMES`` order within each."""
        found: list[tuple[int, int, Hit]] = []
        for order, frame_id in enumerate(EVENT_FRAMES):
            frame = self.frames.get(frame_id)
            if frame is None or frame_id in taken:
                continue
            hit = self._event(frame, sentence)
            if hit is not None:
                found.append((0 if hit.cued else 1, order, hit))
        return [hit for _, _, hit in sorted(found, key=lambda f: (f[0], f[1]))]

    def _event(self, frame: Frame, sentence: str) -> Hit | None:
        """A frame with words of its own (safety: "safe") needs them; its choice (what is
        safe) then follows from the choices' words. A frame of choices alone (state, cause)
        is found by a choice's cues or words."""
        base = self._cue(frame, frame.base, sentence)
        has_own = bool(frame.base.cues or frame.base.terms)
        if has_own and base is None:
            return None
        order = STATE_ORDER if frame.id == "state" else tuple(frame.choices)
        matches: list[tuple[str, tuple[int, int]]] = []
        for name in order:
            choice = frame.choices.get(name)
            span = self._cue(frame, choice, sentence) if choice is not None else None
            if span is not None:
                matches.append((name, span))
        if matches:
            name, span = _predicate_choice(sentence, matches)
            cued = self._cued(frame, frame.choices[name]) or self._cued(frame, frame.base)
            return Hit(frame, [name], span=base or span, cued=cued)
        if base is None or (frame.choices and not frame.default):
            return None
        return Hit(frame, list(frame.default), span=base, cued=self._cued(frame, frame.base))

    def _cue(self, frame: Frame, choice: Choice, sentence: str) -> tuple[int, int] | None:
        """Where the frame's drafting cues occur (its own words where it has no cues), not
        negated: a frame whose words are common ("attack", "taken") drafts by its cues only."""
        key = "cues" if words([choice.cues], self.languages) else "terms"
        found = self._set(frame, choice, key).first(sentence)
        if found is None:
            return None
        span = found[1][0]
        return None if _negated(sentence, span) else span

    def _cued(self, frame: Frame, choice: Choice) -> bool:
        return bool(words([choice.cues], self.languages))


_EVIDENCE = re.compile(
    r"no\s+(?:\w+\s+)?(?:evidence|indication|sign|signs|proof|link|connection)|not\s+linked|"
    r"ruled\s+out|нет\s+(?:никаких\s+)?(?:доказательств|признаков)",
    re.I,
)


def _governs(between: str) -> bool:
    """A negation rules out the thing when the thing follows it closely ("no changes", "not
    intentional") or under "any" ("did not put forward any political demands")."""
    count = len(re.findall(r"\w+", between))
    return count <= 3 or (
        count <= 10 and re.search(r"\b(?:any|никаких|каких-либо)\b", between, re.I) is not None
    )


def _predicate_choice(
    sentence: str, matches: list[tuple[str, tuple[int, int]]]
) -> tuple[str, tuple[int, int]]:
    """Of several choices, the one the sentence says happened: its word after "were",
    "has been" ("all those detained were released"), else the first."""
    for name, span in matches:
        if re.search(
            r"\b(?:was|were|is|are|has been|have been|had been|got)\s+$", sentence[: span[0]]
        ):
            return name, span
    return matches[0]


def _masked(sentence: str, names: PatternSet | None) -> str:
    """The sentence with the story's names blanked out (offsets kept)."""
    if not names:
        return sentence
    chars = list(sentence)
    for pattern in names.patterns:
        for start, end in pattern.group_spans(sentence, 0):
            chars[start:end] = "_" * (end - start)
    return "".join(chars)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _negated(sentence: str, span: tuple[int, int]) -> bool:
    for _, end in negation(sentence):
        if end <= span[0] and len(sentence[end : span[0]].split()) <= 3:
            return True
    return False


def _clause(sentence: str, start: int) -> str:
    tail = sentence[start:]
    stop = re.search(r"[;:.!?]|,\s+(?:but|while|although)\b", tail)
    return tail[: stop.start()] if stop else tail


def _gap(sentence: str, a: tuple[int, int], b: tuple[int, int]) -> int:
    between = sentence[a[1] : b[0]] if a[1] <= b[0] else sentence[b[1] : a[0]]
    return len(re.findall(r"\w+", between))


def _predicate(text: str) -> list[str]:
    """ "... fell into the water" -> ["fell into the water", "into the water"]: what the
    figure's people did, as the claim's own words for what it counts."""
    clause = _PREDICATE_STOP.split(text, maxsplit=1)[0]
    kept = [w.text for w in tokens(clause)]
    while kept and kept[0].lower() in _AUXILIARY:
        kept.pop(0)
    kept = kept[:5]
    if not kept or all(w.lower() in STOPWORDS for w in kept):
        return []
    phrase = " ".join(kept)
    if len(kept) >= 3 and kept[1].lower() not in STOPWORDS:
        return [phrase, " ".join(kept[1:])]  # "crew fell into the water": also the verb on
    return [phrase]


def _verb_before(text: str) -> list[str]:
    """ "was carrying 96 people": the verb before the figure says what it counts."""
    words = [w for w in tokens(text)[-2:] if w.lower not in STOPWORDS and w.lower not in _AUXILIARY]
    return [words[-1].text.lower()] if words and words[-1].lower.endswith(("ing", "ed")) else []


def _noun_terms(noun: str) -> list[str]:
    """ "construction workers" -> ["construction worker*", "worker*"]."""
    found = [w for w in tokens(noun) if is_content(w)]
    if not found:
        return []
    head = stem(found[-1].text)
    return [head] if len(found) == 1 else [f"{found[-2].text.lower()} {head}", head]
