"""The judges of a claim's date and clock time: another date or time near the event's words
contradicts the claim, a finer time that fits follows it up. (``judges`` dispatches here.)"""

from __future__ import annotations

import re
from collections.abc import Iterator

from claimwatch.claims import DateRule, TimeRule
from claimwatch.matching import reasons
from claimwatch.matching.clock import ClockTime, find_times
from claimwatch.matching.dates import find_dates, is_dateline
from claimwatch.matching.verdicts import Context, Kind, Verdict, negated_near, score

_TOKEN = re.compile(r"\w+")
MAX_DATE_GAP = 6  # words between an event and the date that dates it
MAX_TIME_GAP = 8  # words between an event and the clock time that times it
TIMELINE_MINUTES = 60  # a precise time this long before the event belongs to its timeline
# "initially reported around 2 a.m.": the time a report came in, not the event's.
_REPORTED_TIME = re.compile(
    r"\b(?:reported|report|calls?|called|notified|alerted|received|dispatched|911|"
    r"press conference|briefing|news conference|updated?)\b",
    re.I,
)


def judge_date(exp: DateRule, sentence: str, ctx: Context) -> Iterator[Verdict]:
    if exp.scope and not exp.scope.matches(sentence):
        return  # "the withdrawal began on 13 January" dates no protest
    terms = exp.event or ctx.claim.about
    hit = terms.first(sentence)
    if hit is None:
        return
    yield from _dated(exp, sentence, ctx, hit[1][0])


def _dated(exp: DateRule, sentence: str, ctx: Context, event: tuple[int, int]) -> Iterator[Verdict]:
    """The date nearest the event, against the claim's."""
    dates = [d for d in find_dates(sentence, ctx.year) if not is_dateline(sentence, d)]
    near = [
        d
        for d in dates
        if _token_distance(sentence, event, (d.start, d.end)) <= MAX_DATE_GAP
        and not _OTHER_CLAUSE.search(_between(sentence, event, (d.start, d.end)))
    ]
    if not near:
        return
    if exp.date is not None and any(d.date == exp.date for d in near):
        if ctx.trace is not None:
            same = next(d for d in near if d.date == exp.date)
            detail = f"dates it to {same.text}, as the baseline does"
            ctx.note("restatement", detail, sentence, (same.start, same.end), exp)
        return  # "on 2 and 3 January" still names the claim's date
    nearest = min(near, key=lambda d: _token_distance(sentence, event, (d.start, d.end)))
    wrong = (
        (exp.date is not None and nearest.date != exp.date)
        or (exp.not_before is not None and nearest.date < exp.not_before)
        or (exp.not_after is not None and nearest.date > exp.not_after)
    )
    negated = wrong and negated_near(sentence, event)
    if not wrong or negated:
        if ctx.trace is not None:
            code = "negated" if negated else "restatement"
            why = "with the event negated" if negated else "within the baseline's dates"
            detail = f"dates it to {nearest.text}, {why}"
            ctx.note(code, detail, sentence, (nearest.start, nearest.end), exp)
        return
    expected = exp.date or exp.not_before or exp.not_after
    yield Verdict(
        kind="contradiction",
        fact=f"date:{nearest.date.isoformat()}",
        reason=reasons.reason(
            sentence,
            f"dates {ctx.claim.short} to {nearest.text}{{source}}; "
            f"the baseline says {expected:%-d %B %Y}",
        ),
        score=score(0.7, sentence),
        highlight=(nearest.start, nearest.end),
        rule="date",
    )


def judge_time(exp: TimeRule, sentence: str, ctx: Context) -> Iterator[Verdict]:
    """A clock time for the claim's event: off by ``tolerance`` minutes or more contradicts,
    a finer minute that fits follows up; a precise time of the hour before the event belongs
    to its timeline (a follow-up)."""
    if exp.scope and not exp.scope.matches(sentence):
        return
    events = [s for p in exp.event.patterns for s in p.group_spans(sentence, 0)]
    for time in find_times(sentence):
        if _REPORTED_TIME.search(sentence[max(0, time.start - 40) : time.start]):
            if ctx.trace is not None:
                detail = f"“{time.text}” is when a report came in, not the event's time"
                ctx.note("reported_time", detail, sentence, (time.start, time.end), exp)
            continue
        at = (time.start, time.end)
        near = [
            e
            for e in events
            if _token_distance(sentence, e, at) <= MAX_TIME_GAP
            and not _CLAUSE_BREAK.search(_between(sentence, e, at))
        ]
        kind = _time_kind(exp, time, bool(near))
        if kind is None:
            if ctx.trace is not None and near:
                detail = f"gives {time.text} for the event, within the baseline's time"
                ctx.note("restatement", detail, sentence, (time.start, time.end), exp)
            continue
        said = f"{exp.minutes // 60}:{exp.minutes % 60:02d}"
        relation = "against" if kind == "contradiction" else "a finer account of"
        yield Verdict(
            kind=kind,
            fact=f"time:{time.minutes:g}",
            reason=reasons.reason(
                sentence,
                f"gives {time.text}{{source}}, {relation} {ctx.claim.short} (about {said})",
            ),
            score=score(0.8 if kind == "contradiction" else 0.75, sentence),
            highlight=(time.start, time.end),
            rule="time",
        )
        return


def _time_kind(exp: TimeRule, time: ClockTime, at_event: bool) -> Kind | None:
    low, high = exp.minutes - exp.tolerance, exp.minutes + exp.tolerance
    if at_event:
        if time.high <= low or time.low >= high:
            return "contradiction"
        return "follow_up" if time.precise and time.minutes != exp.minutes else None
    before = exp.minutes - TIMELINE_MINUTES <= time.minutes < exp.minutes
    return "follow_up" if time.precise and before else None


_CLAUSE_BREAK = re.compile(r"[;:—–]|\s-\s")  # another clause: "failed at 6:02; it capsized"
# A clause opener between an event and a date: the date belongs to another event ("erupted
# after the price doubled on 1 January", "вспыхнули после того, как с 1 января цена выросла").
_OTHER_CLAUSE = re.compile(
    r"\b(?:after|because|when|before|prior to|ahead of)\b"
    r"|(?<!\w)(?:после того,?\s+как|потому что|так как|когда|задолго до|до начала|после|"
    r"перед)(?!\w)",
    re.I,
)


def _between(sentence: str, a: tuple[int, int], b: tuple[int, int]) -> str:
    return sentence[a[1] : b[0]] if a[1] <= b[0] else sentence[b[1] : a[0]]


def _token_distance(sentence: str, a: tuple[int, int], b: tuple[int, int]) -> int:
    return len(_TOKEN.findall(_between(sentence, a, b)))
