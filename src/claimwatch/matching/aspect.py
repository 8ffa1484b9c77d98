"""What stage of an event a sentence reports: completed, started, announced or ongoing.

Read from generic tense and aspect markers near the event word, and from the event word's own
form ("withdrew", "were withdrawn", "are leaving", "выведены"). Rules, in order:
- a completion or start word governed by a future ("will be completed", "to begin") announces;
- "first"/"partly" with a simple past ("the first units left") reports a start;
- otherwise the marker nearest the event wins; on a tie completed > started > announced > ongoing;
- a real start beats an announced completion ("began ... and will be completed" = started).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    """A word list written as one string (keeps the long vocabularies readable)."""
    return tuple(text.split(sep))


Stage = Literal["completed", "started", "announced", "ongoing"]

BEFORE_TOKENS = 6  # how far before the event a marker may stand
AFTER_TOKENS = 10  # after it: "the withdrawal of the troops from X has been completed"
SUBJECT_TOKENS = 12  # how far back a "first" in the subject of a past event may stand
_RANK: dict[str, int] = {"completed": 0, "started": 1, "announced": 2, "ongoing": 3}

_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|[0-9]+|[;:]")
_MARKERS: dict[str, Stage] = {
    **dict.fromkeys(
        _words(
            "completed complete completes completion finished finish finishes concluded concludes "
            "ended end fully last wrapped over полностью"
        ),
        "completed",
    ),
    **dict.fromkeys(
        _words(
            "began begun begin begins beginning start starts started starting commenced commence "
            "commences underway first initial partly partially kicked gradual gradually"
        ),
        "started",
    ),
    **dict.fromkeys(
        _words(
            "will would shall won't plans plan planned planning expected scheduled decided decide "
            "agreed intends intend intended promised pledged announced announces announce within "
            "soon next tomorrow будет будут начнется начнётся начнут скоро"
        ),
        "announced",
    ),
    **dict.fromkeys(
        _words(
            "continues continue continued continuing still remain remains remained ongoing "
            "остаются остается остаётся по-прежнему"
        ),
        "ongoing",
    ),
}
_RU_MARKERS: list[tuple[re.Pattern[str], Stage]] = [
    (re.compile(r"(?:заверш|законч|оконч)\w*"), "completed"),
    (re.compile(r"последн\w*"), "completed"),
    (re.compile(r"(?:начал|начат|приступил|начинаю|начинае|перв|частичн)\w*"), "started"),
    (re.compile(r"ид[её]т|идут"), "started"),  # "идет вывод": under way
    (re.compile(r"(?:планиру|намерен|должн|решил|объявил|соби?раю)\w*"), "announced"),
    (re.compile(r"продолжа\w*"), "ongoing"),
]
# Words that put the next few words in the future or in a plan ("will be lifted", "to begin").
_FUTURE = frozenset(
    _words(
        "will would shall won't must should can could may might будет будут должны должен должна"
    )
)
_TIME_WORDS = frozenset(_words("week month year night time day days weeks months"))
_UNTIL = frozenset(_words("by until till before"))
_SEEN_START = frozenset(_words("first initial partly partially gradual gradually"))
_BE = frozenset(_words("is are was were been am being 're"))
_IRREGULAR_PAST = frozenset(
    _words(
        "left withdrew withdrawn began begun went gone took taken brought held kept lost won drew "
        "drawn sent fled flew flown came became got made undone rebuilt"
    )
)
_NOT_PAST = frozenset(_words("need needed speed seed feed bed shed red bred hundred"))
_RU_PAST = re.compile(r"\w{2,}(?:ли|ла|ло|л)$")
_RU_PARTICIPLE = re.compile(
    r"\w{2,}(?:ен|ена|ено|ены|ён|ан|ана|ано|аны|ят|ята|ято|яты|ыт|ыта|ыты)$"
)
_BY_DATE = re.compile(
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun|end|mid)\w*"
    r"|[0-9]+"
)


def aspect(sentence: str, event_span: tuple[int, int]) -> Stage | None:
    """The stage the sentence reports for the event word at ``event_span``, or None."""
    tokens = _tokens(sentence)
    inside = [i for i, (_, s, e) in enumerate(tokens) if s < event_span[1] and event_span[0] < e]
    if not inside:
        return None
    words = [t[0] for t in tokens]
    first, last = inside[0], inside[-1]
    found = _markers(words, first, last)
    own = _own_form(words, first)
    if own is not None:
        found.append((0, own, own == "announced"))
    near = words[max(0, first - BEFORE_TOKENS) : last + AFTER_TOKENS + 1]
    return _choose(found, near, _first_in_subject(words, first))


def _first_in_subject(words: list[str], first: int) -> bool:
    """A "first"/"initial" in the words that lead up to the event word, however long the
    subject: "The first transport aircraft carrying ... servicemen left". "For the first
    time", "in the first week" and "at first" are about something else."""
    lo = max(0, first - SUBJECT_TOKENS)
    for i in range(first - 1, lo - 1, -1):
        word = words[i]
        if word in (";", ":"):
            return False
        starts = word in ("first", "initial") or word.startswith("перв")
        if starts and words[i + 1] not in _TIME_WORDS and not (i and words[i - 1] == "at"):
            return True
    return False


@lru_cache(maxsize=1024)
def _tokens(sentence: str) -> tuple[tuple[str, int, int], ...]:
    return tuple((m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(sentence))


def _markers(words: list[str], first: int, last: int) -> list[tuple[int, Stage, bool]]:
    """(distance, stage, announced-by-a-future) for each marker near the event."""
    found: list[tuple[int, Stage, bool]] = []
    lo, hi = _window(words, first, last)
    for i in range(lo, hi):
        if first <= i <= last:
            continue
        stage = _marker(words, i)
        if stage is None:
            continue
        distance = first - i if i < first else i - last
        if stage in ("completed", "started") and _future_before(words, i):
            found.append((distance, "announced", True))
        else:
            found.append((distance, stage, False))
    return found


def _window(words: list[str], first: int, last: int) -> tuple[int, int]:
    """The tokens around the event, not crossing ";" or ":"."""
    lo = max(0, first - BEFORE_TOKENS)
    hi = min(len(words), last + AFTER_TOKENS + 1)
    for i in range(first - 1, lo - 1, -1):
        if words[i] in (";", ":"):
            lo = i + 1
            break
    for i in range(last + 1, hi):
        if words[i] in (";", ":"):
            hi = i
            break
    return lo, hi


def _marker(words: list[str], i: int) -> Stage | None:
    word = words[i]
    prev = words[i - 1] if i else ""
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if word == "way" and prev == "under":
        return "started"
    if (word in ("is", "are") and nxt == "to") or (word == "set" and nxt == "to"):
        return "announced"  # "are to leave", "set to begin"
    if word == "by":
        after = words[i + 2] if nxt == "the" and i + 2 < len(words) else nxt
        return "announced" if _BY_DATE.fullmatch(after) else None  # "by Friday", "by the end"
    if word == "over" and prev not in _BE:
        return None  # "over 2,000": only "is over" ends something
    if word in ("last", "next", "end") and (nxt in _TIME_WORDS or prev in _UNTIL):
        return "announced" if word == "next" else None  # "last week" is a date, "next week" a plan
    if word in _MARKERS:
        return _MARKERS[word]
    for pattern, stage in _RU_MARKERS:
        if pattern.fullmatch(word):
            return stage
    return None


def _future_before(words: list[str], i: int) -> bool:
    """A modal within three words before ``i``, or "to" / "to be" right before it."""
    if (i >= 1 and words[i - 1] == "to") or (i >= 2 and words[i - 2 : i] == ["to", "be"]):
        return True
    return any(w in _FUTURE or w.endswith("'ll") for w in words[max(0, i - 3) : i])


def _own_form(words: list[str], i: int) -> Stage | None:
    """The stage the event word's own form gives: past or participle -> completed, etc."""
    word, prev = words[i], words[i - 1] if i else ""
    if _is_past(word):
        if _future_before(words, i):
            return "announced"  # "will be lifted", "is to be withdrawn"
        return "started" if prev == "being" else "completed"  # "is being lifted"
    if word.endswith("ing") and any(w in _BE for w in words[max(0, i - 2) : i]):
        return "announced" if _future_before(words, i) else "started"  # "are leaving"
    return None


def _is_past(word: str) -> bool:
    if word in _IRREGULAR_PAST:
        return True
    if word.endswith("ed") and len(word) > 3 and word not in _NOT_PAST:
        return not word.endswith("eed") or word in ("agreed", "freed", "decreed")
    if word.endswith(("лся", "лась", "лись", "ться")):
        return False  # reflexive forms ("выводились"): a process, not a result
    return bool(_RU_PAST.fullmatch(word) or _RU_PARTICIPLE.fullmatch(word))


def _choose(
    found: list[tuple[int, Stage, bool]], near: list[str], first_in_subject: bool
) -> Stage | None:
    if not found:
        return None
    real_start = any(stage == "started" and not future for _, stage, future in found)
    saw_start = first_in_subject or any(w in _SEEN_START or w.startswith("перв") for w in near)
    own_past = any(d == 0 and stage == "completed" for d, stage, _ in found)
    if own_past and saw_start:
        return "started"  # "the first units left"
    _, stage, future = min(found, key=lambda f: (f[0], _RANK[f[1]]))
    if future and real_start:
        return "started"  # "began on Monday and will be completed within ten days"
    return stage
