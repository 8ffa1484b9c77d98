"""Judging figures: a claim's own figure against the figures coverage gives for the same thing.

A figure counts the claim's matter when it stands next to one of the claim's terms and no
other claim's term is nearer to it (``attach``). Then, by the claim's trend:

- compatible with the claim (within its tolerance, or a bound that admits it): a
  restatement, silent; except that a count that ``grows`` is followed up by a higher floor
  ("at least 227 killed" after "at least 164");
- above the claim: a count that grows is followed up (a new total), any other contradicted;
- below it: a count that ``shrinks`` (the missing) is followed up when the text says the rest
  remain ("four still missing"), a count that grows when the figure is an increment ("35
  more"); otherwise contradicted.

Measures compare in the claim's unit: figures in other units of the same dimension are
converted, figures in no unit or another dimension are not this claim's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from claimwatch.claims import Quantity, Unquantified
from claimwatch.matching import reasons
from claimwatch.matching.attach import counts_term, distance, qualified_as_part
from claimwatch.matching.figures import Figure, find_figures
from claimwatch.matching.trace import term_list
from claimwatch.matching.verdicts import Context, Verdict, score
from claimwatch.terms import PatternSet
from claimwatch.units import Unit, comparable, convert, unit_named, unit_of

PLAUSIBLE_RATIO = 3.0  # a figure further than this from the claim's counts something else
GROWTH_RATIO = 100.0  # how far a count that grows may rise: a toll of 2 can reach 150
APPOSITION = 6  # words between a measured thing and its size ("The ship, about 230 feet")
_WORD = re.compile(r"\w+")
_REMAINING = re.compile(
    r"\b(?:still|remain\w*|left|other|others|rest|yet to|continue\w* to be|not yet|"
    r"have not been|haven't been|has not been|hasn't been)\b|(?<!\w)(?:остаются|остаётся|"
    r"остается|по-прежнему|еще|ещё)(?!\w)",
    re.I,
)
_HISTORY = re.compile(
    r"\b(?:initially|originally|at first|at one point|first reported|earlier estimates?|"
    r"previously)\b|(?<!\w)(?:первоначально|изначально|сначала|ранее)(?!\w)",
    re.I,
)
_INCREMENT = re.compile(
    r"\b(?:more|additional|another|further|new|extra|latest)\b|(?<!\w)(?:ещ[её]|новых|"
    r"дополнительн\w*)(?!\w)",
    re.I,
)


def judge_quantity(exp: Quantity, sentence: str, ctx: Context) -> Iterator[Verdict]:
    claim_unit = unit_named(exp.unit) if exp.unit else None
    figures = find_figures(sentence)
    for figure in figures:
        found = _reading(exp, claim_unit, sentence, figure, figures)
        if isinstance(found, str):
            if ctx.trace is not None and found:
                _note_figure(exp, sentence, figure, ctx, found)
            continue
        (low, high), term = found
        history = _HISTORY.search(sentence[max(0, figure.start - 40) : figure.end + 40])
        if history and exp.trend != "fixed":
            if ctx.trace is not None:
                _note_figure(exp, sentence, figure, ctx, "history", history.group())
            continue  # "eight were initially unaccounted for": an earlier count, not news
        kind = _kind(exp, low, high, sentence, figure)
        yield _verdict(kind or "restatement", exp, sentence, figure, term, ctx)


# Why a figure is not the claim's: ``_reading``'s answers, for ``scan --explain``.
_NOT_COUNTED = {
    "part": "is one part of a larger total",
    "vague": "is vague, not a count",
    "sizes": "sizes a thing, it counts nothing",
    "unit": "is in another unit than the claim's",
    "distance": "is a distance, not a size",
    "no_term": "counts none of the claim's words ({counts})",
    "rival": "counts another claim's words, nearer to it",
    "member": "counts one member of the whole, not the whole",
    "implausible": "is too far from the claim's {value:g} to count the same thing",
    "history": "is an earlier count (“{cue}”), not news",
}


def _note_figure(
    exp: Quantity, sentence: str, figure: Figure, ctx: Context, why: str, cue: str = ""
) -> None:
    counts = exp.counts.source
    text = _NOT_COUNTED[why].format(counts=term_list(counts, 60), value=exp.value, cue=cue)
    code = "history" if why == "history" else "figure_not_counted"
    ctx.note(code, f"“{figure.text}” {text}", sentence, (figure.start, figure.end), exp)


def _reading(
    exp: Quantity,
    claim_unit: Unit | None,
    sentence: str,
    figure: Figure,
    figures: list[Figure],
) -> tuple[tuple[float, float], tuple[int, int]] | str:
    """The figure's interval in the claim's unit and the term it counts, if it is this
    claim's figure at all; otherwise why not (a key of ``_NOT_COUNTED``, "" for no figure)."""
    if figure.is_part or figure.vague or figure.sizes or figure.value <= 0:
        return _not_a_count(figure)
    if claim_unit is None:
        if figure.unit is not None:
            return "unit"
        interval = (figure.low, figure.high)
    else:
        unit = unit_of(sentence, figure)
        if unit is None or not comparable(claim_unit, unit):
            return "" if unit is None else "unit"  # a plain count says nothing of a measure
        if unit.dimension == "length" and not _a_size(sentence, figure):
            return "distance"  # "when the vessel was 320 metres from the bridge"
        interval = (convert(figure.low, unit, claim_unit), convert(figure.high, unit, claim_unit))
    term = counts_term(sentence, figure, figures, exp.counts, exp.members)
    if term is None and claim_unit is not None:
        term = _measured_thing(sentence, figure, exp.counts)  # "The ship, 230 feet long, ..."
    if term is None:
        return "no_term"
    if _rival_nearer(sentence, figure, figures, term, exp.rivals):
        return "rival"
    if qualified_as_part(sentence, figure, exp.parts):
        return "member"
    value = interval[0] if interval[1] == float("inf") else (interval[0] + interval[1]) / 2
    top = GROWTH_RATIO if exp.trend == "grows" else PLAUSIBLE_RATIO  # tolls grow a lot
    if not exp.value / PLAUSIBLE_RATIO <= max(value, interval[0]) <= exp.value * top:
        return "implausible"
    return interval, term


def _not_a_count(figure: Figure) -> str:
    if figure.is_part:
        return "part"
    if figure.vague:
        return "vague"
    return "sizes" if figure.sizes else ""


def _measured_thing(sentence: str, figure: Figure, things: PatternSet) -> tuple[int, int] | None:
    """The measured thing named earlier in the sentence, across an apposition's comma."""
    before = [
        s for p in things.patterns for s in p.group_spans(sentence, 0) if s[1] <= figure.start
    ]
    if not before:
        return None
    nearest = max(before, key=lambda s: s[1])
    words = len(_WORD.findall(sentence[nearest[1] : figure.start]))
    return nearest if words <= APPOSITION else None


_HYPHENATED = re.compile(r"\s*-\s*[a-zа-я]+\.?(?:-long|-tall|-high|-wide|-deep)?\b", re.I)
_SIZE_WORDS = re.compile(
    r"^(?:\W*\w+\W*){0,3}?\b(?:long|length|tall|high|wide|deep|in length|in height|"
    r"длин\w*|высот\w*|ширин\w*|глубин\w*)\b",
    re.I,
)
_SIZE_BEFORE = re.compile(
    r"\b(?:measur\w*|length of|height of|spans?|stretch\w*|длин\w*)\W+$", re.I
)
_DISTANCE = re.compile(
    r"^\W*\w+\W*(?:from|away|off|behind|ahead|out|south|north|east|west|upstream|downstream|"
    r"below|above|into|inland|offshore|от|до)\b",
    re.I,
)


def _a_size(sentence: str, figure: Figure) -> bool:
    """A length that sizes a thing ("948-foot", "984 feet long", "measures 300 metres"), not
    a distance ("320 metres from the bridge")."""
    after = sentence[figure.end : figure.end + 40]
    if _DISTANCE.match(after):
        return False
    if _HYPHENATED.match(after) and after.lstrip()[:1] == "-":
        return True
    if _SIZE_WORDS.match(after):
        return True
    return _SIZE_BEFORE.search(sentence[max(0, figure.start - 30) : figure.start]) is not None


def _rival_nearer(
    sentence: str,
    figure: Figure,
    figures: list[Figure],
    term: tuple[int, int],
    rivals: PatternSet,
) -> bool:
    """Another claim's counted term stands nearer to the figure than this claim's."""
    if not rivals:
        return False
    rival = counts_term(sentence, figure, figures, rivals)
    if rival is None:
        return False
    return distance(sentence, figure, rival) < distance(sentence, figure, term)


def _kind(exp: Quantity, low: float, high: float, sentence: str, figure: Figure) -> str | None:
    claim_low, claim_high = exp.interval
    around = sentence[max(0, figure.start - 20) : figure.end + 25]
    if exp.trend == "grows" and (low > exp.value or _INCREMENT.search(around)):
        return "follow_up"  # a new total, a higher floor, or "three more"
    if low <= claim_high and high >= claim_low:  # compatible with the claim
        return None
    if low > claim_high:  # above the claim
        return "contradiction"
    if exp.trend == "shrinks" and _REMAINING.search(sentence):
        return "follow_up"
    return "contradiction"


def _verdict(
    kind: str, exp: Quantity, sentence: str, figure: Figure, term: tuple[int, int], ctx: Context
) -> Verdict:
    phrase = reasons.figure_phrase(sentence, figure, term)
    if kind == "contradiction":
        text = f"reports {phrase}{{source}}; the baseline says {ctx.claim.short}"
        base = 0.9
    elif kind == "restatement":
        text = f"restates {phrase}"
        base = 0.5
    else:
        text = f"reports {phrase}{{source}}, a new figure; the baseline says {ctx.claim.short}"
        base = 0.85
    return Verdict(
        kind=kind,  # type: ignore[arg-type]
        fact=f"value:{figure.value:g}",
        reason=reasons.reason(sentence, text),
        score=score(base, sentence),
        highlight=(figure.start, figure.end),
        value=figure.value,
        value_text=figure.text,
        rule="figure",
    )


def _in_unit(sentence: str, figure: Figure, wanted: Unit) -> bool:
    unit = unit_of(sentence, figure)
    return unit is not None and comparable(wanted, unit) and not figure.is_part


def countable(figure: Figure) -> bool:
    return (
        not figure.is_part
        and figure.unit is None
        and not figure.vague
        and not figure.sizes
        and figure.value > 0
    )


def judge_unquantified(exp: Unquantified, sentence: str, ctx: Context) -> Iterator[Verdict]:
    """Any figure for the matter follows up a claim that gave none."""
    figures = find_figures(sentence)
    wanted = unit_named(exp.unit) if exp.unit else None
    for measure, terms in exp.measures:
        for figure in figures:
            fits = countable(figure) if wanted is None else _in_unit(sentence, figure, wanted)
            term = counts_term(sentence, figure, figures, terms) if fits else None
            if term is None:
                continue
            phrase = reasons.measured(reasons.figure_phrase(sentence, figure, term), measure)
            said = "says" if exp.later else "gave no figure for"
            yield Verdict(
                kind="follow_up",
                fact=f"{measure}:{figure.value:g}",
                reason=reasons.reason(
                    sentence, f"reports {phrase}{{source}}; the baseline {said} {ctx.claim.short}"
                ),
                score=score(0.85, sentence),
                highlight=(figure.start, figure.end),
                value=figure.value,
                value_text=figure.text,
                rule="measure",
            )
            break
