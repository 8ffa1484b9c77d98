"""Baseline files (YAML) -> frozen Baseline / Claim / Expectation records (``claims``).

A baseline is the set of claims one article made. A claim is written one of two ways:

- with a frame (``frame: people-count``, ``fate: missing``, ``value: 6``): the frame brings
  the words coverage uses, the claim adds the story's own (``about``); ``frames.compile``
  turns it into expectations;
- with its own terms (``about``) and typed expectations (``expect``), as before frames.

Every problem names the file, the line, the claim and the field, and all problems of a file
are reported at once.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from claimwatch.claims import (
    Absence,
    Assertion,
    Baseline,
    Change,
    Claim,
    DateRule,
    Entity,
    Expectation,
    Quantity,
    State,
    TimeRule,
    Unquantified,
    minutes_after_midnight,
)
from claimwatch.config_messages import unknown_name
from claimwatch.errors import BaselineError, ClaimwatchError, Problem
from claimwatch.frames import FrameLibrary, library
from claimwatch.frames.build import ENTITY_KINDS, frame_claim, with_competitors, with_rivals
from claimwatch.terms import PatternSet, compile_pattern
from claimwatch.yaml_files import YAML_SUFFIXES, locate_problems, located, read_yaml

__all__ = [
    "Absence",
    "Assertion",
    "Baseline",
    "Change",
    "Claim",
    "DateRule",
    "Entity",
    "Expectation",
    "Quantity",
    "State",
    "TimeRule",
    "Unquantified",
    "baseline_files",
    "load_baseline",
    "load_baselines",
]

_ID = r"^[a-z0-9][a-z0-9._-]*$"
CLOCK = r"^(?:[01]?[0-9]|2[0-3]):[0-5][0-9]$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_patterns(values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        compile_pattern(value)
    return values


def _as_tuple(value: Any) -> Any:
    return (value,) if isinstance(value, str) else value


Patterns = Annotated[tuple[str, ...], Field(default=())]


class _Source(_Model):
    outlet: str = Field(min_length=1)
    url: str | None = None
    date: dt.date | None = None


class _Subject(_Model):
    terms: tuple[str, ...] = Field(min_length=1)
    required: Patterns

    _valid = field_validator("terms", "required")(classmethod(lambda c, v: _check_patterns(v)))


class _Quantity(_Model):
    type: Literal["quantity"]
    value: float = Field(gt=0)
    approx: Literal["exact", "about", "at_least", "at_most"] = "about"
    tolerance: float = Field(default=0.05, ge=0, lt=1)
    counts: tuple[str, ...] = Field(min_length=1)
    parts: Patterns
    trend: Literal["fixed", "grows", "shrinks"] = "fixed"

    _valid = field_validator("counts", "parts")(classmethod(lambda c, v: _check_patterns(v)))


class _Unquantified(_Model):
    type: Literal["unquantified"]
    measures: dict[str, str] = Field(min_length=1)

    @field_validator("measures")
    @classmethod
    def _valid(cls, value: dict[str, str]) -> dict[str, str]:
        _check_patterns(tuple(value.values()))
        return value


class _Change(_Model):
    name: str = Field(min_length=1, max_length=60)
    terms: str | tuple[str, ...]

    @field_validator("terms")
    @classmethod
    def _valid(cls, value: str | tuple[str, ...]) -> tuple[str, ...]:
        return _check_patterns((value,) if isinstance(value, str) else value)


class _State(_Model):
    type: Literal["state"]
    holds: str = Field(min_length=1)
    changes: tuple[_Change, ...] = Field(min_length=1)
    contradicted_by: Patterns
    followed_up_by: Patterns

    _valid = field_validator("contradicted_by", "followed_up_by")(
        classmethod(lambda c, v: _check_patterns(v))
    )


class _Assertion(_Model):
    type: Literal["assertion"]
    holds: str | None = None
    contradicted_by: Patterns
    followed_up_by: Patterns
    doubt_contradicts: bool = False

    _valid = field_validator("contradicted_by", "followed_up_by")(
        classmethod(lambda c, v: _check_patterns(v))
    )
    _valid_holds = field_validator("holds")(
        classmethod(lambda c, v: v if v is None else (compile_pattern(v) and v))
    )

    @model_validator(mode="after")
    def _something_to_judge(self) -> _Assertion:
        if not (
            self.contradicted_by or self.followed_up_by or self.doubt_contradicts or self.holds
        ):
            raise ValueError(
                "an assertion needs holds, contradicted_by, followed_up_by or doubt_contradicts"
            )
        return self


class _Absence(_Model):
    type: Literal["absence"]
    things: str = Field(min_length=1)
    rebuttals: Patterns
    scope: Patterns

    _valid = field_validator("rebuttals", "scope")(classmethod(lambda c, v: _check_patterns(v)))
    _valid_things = field_validator("things")(classmethod(lambda c, v: compile_pattern(v) and v))


class _Date(_Model):
    type: Literal["date"]
    event: str | None = None
    date: dt.date | None = None
    not_before: dt.date | None = None
    not_after: dt.date | None = None

    _valid = field_validator("event")(
        classmethod(lambda c, v: v if v is None else (compile_pattern(v) and v))
    )

    @model_validator(mode="after")
    def _one_rule(self) -> _Date:
        if not (self.date or self.not_before or self.not_after):
            raise ValueError("a date expectation needs date, not_before or not_after")
        return self


class _Time(_Model):
    type: Literal["time"]
    time: str = Field(pattern=CLOCK)
    tolerance: int = Field(default=5, ge=1, le=180)
    event: str = Field(min_length=1)

    _valid = field_validator("event")(classmethod(lambda c, v: compile_pattern(v) and v))


_Expectation = Annotated[
    _Quantity | _Unquantified | _State | _Assertion | _Absence | _Date | _Time,
    Field(discriminator="type"),
]
_FRAME_ONLY = (
    *("value", "unit", "approx", "tolerance", "trend", "time", "date"),
    *("not_before", "not_after", "counts", "parts"),
)


class _Claim(_Model):
    # a frame claim names its choice under the frame's own key ("fate: missing"): checked
    # against the frame in ``frames.build``, where the library is known
    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(pattern=_ID)
    statement: str = Field(min_length=1)
    quote: str | None = None
    short: str | None = None
    about: Patterns
    context: Patterns
    expect: tuple[_Expectation, ...] = ()
    frame: str | tuple[str, ...] | None = None
    value: float | None = Field(default=None, gt=0)
    unit: str | None = None
    approx: Literal["exact", "about", "at_least", "at_most"] | None = None
    tolerance: float | None = Field(default=None, ge=0, lt=1)
    trend: Literal["fixed", "grows", "shrinks"] | None = None
    time: str | None = Field(default=None, pattern=CLOCK)
    date: dt.date | None = None
    not_before: dt.date | None = None
    not_after: dt.date | None = None
    counts: Patterns
    parts: Patterns

    _tuples = field_validator("about", "context", "counts", "parts", mode="before")(
        classmethod(lambda c, v: _as_tuple(v))
    )
    _valid = field_validator("about", "context", "counts", "parts")(
        classmethod(lambda c, v: _check_patterns(v))
    )

    @field_validator("frame")
    @classmethod
    def _frame_ids(cls, value: str | tuple[str, ...] | None) -> str | tuple[str, ...] | None:
        for frame_id in (value,) if isinstance(value, str) else value or ():
            if not frame_id or not frame_id[0].isalnum() or not frame_id.replace("-", "").isalnum():
                raise ValueError(f"{frame_id!r} is not a frame id")
        return value


class _Baseline(_Model):
    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    source: _Source
    since: dt.date | None = None
    languages: tuple[str, ...] = ("en",)
    entities: dict[str, str | tuple[str, ...]] = Field(default_factory=dict)
    subject: _Subject | None = None
    # no claims ("claims: []", or each one commented out) loads: ``check`` warns about it,
    # ``run`` and ``once`` refuse it (inputs.require_claims)
    claims: tuple[_Claim, ...]

    _none_is_empty = field_validator("claims", mode="before")(
        classmethod(lambda c, v: () if v is None else v)
    )

    @field_validator("entities")
    @classmethod
    def _valid_entities(
        cls, value: dict[str, str | tuple[str, ...]]
    ) -> dict[str, str | tuple[str, ...]]:
        for kind, names in value.items():
            if kind not in ENTITY_KINDS:
                raise ValueError(f"{kind!r} is not a kind of entity; use {', '.join(ENTITY_KINDS)}")
            _check_patterns(_as_tuple(names))
        return value

    @model_validator(mode="after")
    def _subject_or_entities(self) -> _Baseline:
        if self.subject is None and not self.entities:
            raise ValueError("a baseline needs entities (the story's own names) or a subject")
        return self


# ---- building the records -----------------------------------------------------------------


def _expectation(raw: Any) -> Expectation:
    if isinstance(raw, _Quantity):
        return Quantity(
            raw.value,
            raw.approx,
            raw.tolerance,
            PatternSet.of(raw.counts),
            PatternSet.of(raw.parts),
            trend=raw.trend,
        )
    if isinstance(raw, _Unquantified):
        return Unquantified(tuple((k, PatternSet.of([v])) for k, v in raw.measures.items()))
    if isinstance(raw, _State):
        changes = tuple(Change(c.name, PatternSet.of(list(c.terms))) for c in raw.changes)
        return State(
            raw.holds,
            changes,
            PatternSet.of(raw.contradicted_by),
            PatternSet.of(raw.followed_up_by),
            holds_terms=_as_terms(raw.holds),
        )
    if isinstance(raw, _Date):
        event = PatternSet.of([raw.event] if raw.event else [])
        return DateRule(event, raw.date, raw.not_before, raw.not_after)
    if isinstance(raw, _Time):
        minutes = minutes_after_midnight(raw.time)
        return TimeRule(minutes, raw.tolerance, PatternSet.of([raw.event]))
    if isinstance(raw, _Absence):
        return Absence(
            PatternSet.of([raw.things]), PatternSet.of(raw.rebuttals), PatternSet.of(raw.scope)
        )
    return Assertion(
        PatternSet.of([raw.holds] if raw.holds else []),
        PatternSet.of(raw.contradicted_by),
        PatternSet.of(raw.followed_up_by),
        raw.doubt_contradicts,
    )


def _claim(raw: _Claim, languages: tuple[str, ...], frames: FrameLibrary) -> Claim:
    about, expectations = raw.about, tuple(_expectation(e) for e in raw.expect)
    local = False
    if raw.frame is not None:
        compiled = frame_claim(raw, languages, frames)
        about = compiled.about
        expectations = (*compiled.expectations, *expectations)
        local = bool(raw.about) and not compiled.counts
    return Claim(
        id=raw.id,
        statement=" ".join(raw.statement.split()),
        short=(raw.short or raw.statement).strip(),
        quote=raw.quote,
        about=PatternSet.of(list(dict.fromkeys(about))),
        context=PatternSet.of(raw.context),
        expectations=expectations,
        frame=raw.frame if isinstance(raw.frame, str | None) else "+".join(raw.frame),
        local=local,
        own=PatternSet.of(raw.about) if raw.frame is not None else PatternSet(()),
    )


def _entities(raw: _Baseline) -> tuple[Entity, ...]:
    return tuple(
        Entity(kind, PatternSet.of(list(_as_tuple(names)))) for kind, names in raw.entities.items()
    )


def _baseline(raw: _Baseline, path: Path, frames: FrameLibrary) -> Baseline:
    entities = _entities(raw)
    names = [p.source for e in entities for p in e.names.patterns]
    subject = PatternSet.of(raw.subject.terms if raw.subject else names)
    required = raw.subject.required if raw.subject and raw.subject.required else ()
    claims = tuple(_claim(c, raw.languages, frames) for c in raw.claims)
    return Baseline(
        id=raw.id,
        title=raw.title,
        outlet=raw.source.outlet,
        url=raw.source.url,
        date=raw.source.date,
        since=raw.since,
        languages=raw.languages,
        subject=subject,
        required=PatternSet.of(required) if required else subject,
        claims=with_competitors(with_rivals(claims)),
        path=path,
        entities=entities,
    )


# ---- loading ----------------------------------------------------------------------------


def _as_terms(holds: str) -> PatternSet:
    """A state's ``holds`` as terms, as an assertion's is; a description that is not term
    syntax (it has brackets, say) is only quoted, as before frames."""
    try:
        return PatternSet.of([holds])
    except ValueError:
        return PatternSet.of([])


def load_baseline(path: Path, frames: FrameLibrary | None = None) -> Baseline:
    """Read and validate one baseline file; raise BaselineError listing every problem."""
    file = str(path)
    data, node = read_yaml(path)
    if not isinstance(data, dict):
        raise BaselineError(
            file, [Problem("", "a baseline must be a mapping with id, claims, ...")]
        )
    duplicates = _duplicate_claim_ids(data, node)
    library_ = frames or library()
    shape = _claim_shape(data, node, library_)
    try:
        raw = _Baseline.model_validate(data)
    except ValidationError as exc:
        problems = [*locate_problems(exc, data, node, _Baseline), *shape, *duplicates]
        raise BaselineError(file, _once(problems)) from None
    if shape or duplicates:
        raise BaselineError(file, [*shape, *duplicates])
    problems = _frame_problems(raw, library_, data, node)
    if problems:
        raise BaselineError(file, problems)
    return _baseline(raw, path, library_)


def check_generated(text: str, what: str, frames: FrameLibrary | None = None) -> None:
    """Load a baseline claimwatch wrote (a draft, a suggestion) as ``claimwatch check``
    would, from a temporary file: one that does not load is a bug, reported as such."""
    handle, name = tempfile.mkstemp(suffix=".yaml", prefix=".claimwatch-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(text.encode("utf-8"))
        load_baseline(Path(name), frames)
    except ClaimwatchError as exc:
        raise ClaimwatchError(f"{what} does not load (please report this): {exc}") from exc
    finally:
        Path(name).unlink(missing_ok=True)


def _claim_shape(data: dict[str, Any], node: Any, frames: FrameLibrary) -> list[Problem]:
    """What each claim's form requires, found even when the claim has other errors: no key
    it does not take ("statment"); without a frame, its own ``about`` and ``expect``."""
    claims = data.get("claims")
    problems = []
    for index, claim in enumerate(claims if isinstance(claims, list) else []):
        if not isinstance(claim, dict):
            continue
        named = claim.get("frame")
        ids = [named] if isinstance(named, str) else named if isinstance(named, list) else []
        allowed = {f.choice_key for f in (frames.get(str(i)) for i in ids) if f and f.choice_key}
        takes = f"; frame {', '.join(map(str, ids))} takes " + (
            ", ".join(repr(k) for k in sorted(allowed)) or "no choice key"
        )
        for key in claim:
            if key not in _Claim.model_fields and key not in allowed:
                known = [*_Claim.model_fields, *sorted(allowed)]
                message = unknown_name("key", str(key), known) + (takes if ids else "")
                problems.append(located(("claims", index, key), message, data, node))
        if not ids:
            problems.extend(_own_terms(claim, index, data, node))
    return problems


def _own_terms(claim: dict[str, Any], index: int, data: Any, node: Any) -> list[Problem]:
    """A claim without a frame brings its own terms (``about``) and ``expect`` list."""
    found = []
    for key in ("about", "expect"):
        if key not in claim:
            message = "required field is missing (or name a frame)"
            found.append(located(("claims", index, key), message, data, node))
        elif claim[key] in ([], (), "", None):
            found.append(located(("claims", index, key), "must not be empty", data, node))
    for key in _FRAME_ONLY:
        if key in claim:
            message = "only a claim with a frame takes this key"
            found.append(located(("claims", index, key), message, data, node))
    return found


def _once(problems: list[Problem]) -> list[Problem]:
    """Each location's first problem: the shape check and pydantic may both see one key."""
    seen: set[str] = set()
    kept = []
    for problem in problems:
        if problem.location not in seen:
            seen.add(problem.location)
            kept.append(problem)
    return kept


def _frame_problems(raw: _Baseline, frames: FrameLibrary, data: Any, node: Any) -> list[Problem]:
    from claimwatch.frames.build import check_claim

    problems = []
    for index, claim in enumerate(raw.claims):
        for key, message in check_claim(claim, frames):
            problems.append(located(("claims", index, *key), message, data, node))
    return problems


def _duplicate_claim_ids(data: dict[str, Any], node: Any) -> list[Problem]:
    """Each repeated claim id, located at its second and later occurrences."""
    claims = data.get("claims")
    seen: set[str] = set()
    problems: list[Problem] = []
    for index, claim in enumerate(claims if isinstance(claims, list) else []):
        claim_id = claim.get("id") if isinstance(claim, dict) else None
        if not isinstance(claim_id, str):
            continue
        if claim_id in seen:
            problems.append(
                located(("claims", index, "id"), f"duplicate claim id {claim_id!r}", data, node)
            )
        seen.add(claim_id)
    return problems


def baseline_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their ``*.yaml``/``*.yml`` files, sorted; keep files as given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in YAML_SUFFIXES))
        else:
            files.append(path)
    return files


def load_baselines(
    paths: Iterable[Path], frame_folders: Iterable[Path] = ()
) -> tuple[Baseline, ...]:
    """Load every baseline; problems of all files are reported together."""
    frames = library(frame_folders)
    baselines, problems = [], []
    for file in baseline_files(paths):
        try:
            baselines.append(load_baseline(file, frames))
        except BaselineError as exc:
            problems.append(exc)
    seen: dict[str, Path] = {}
    for baseline in baselines:
        if baseline.id in seen:
            message = f"duplicate baseline id {baseline.id!r} (also in {seen[baseline.id]})"
            problems.append(BaselineError(str(baseline.path), [Problem("id", message)]))
        seen[baseline.id] = baseline.path
    if problems:
        first = problems[0].file
        raise BaselineError(first, [p for e in problems for p in _reparent(e, first)])
    return tuple(baselines)


def _reparent(error: BaselineError, first: str) -> Iterator[Problem]:
    """Every problem keeps the file it was found in when reported under the first one."""
    for problem in error.problems:
        yield Problem(problem.location, problem.message, problem.line, problem.file or error.file)
