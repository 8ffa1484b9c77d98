"""Baseline files (YAML) -> frozen Baseline / Claim / Expectation records.

A baseline is the set of claims one article made. Each claim says how to recognise coverage
of it (``about``: term patterns, see ``matching.terms``) and how to judge that coverage
(``expect``: typed expectations). Every problem names the file, the line, the claim and the
field, and all problems of a file are reported at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from claimwatch import bounded_yaml
from claimwatch.errors import BaselineError, Problem
from claimwatch.terms import PatternSet, compile_pattern

BASELINE_SUFFIXES = (".yaml", ".yml")
_ID = r"^[a-z0-9][a-z0-9._-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_patterns(values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        compile_pattern(value)
    return values


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
    name: str = Field(pattern=_ID)
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

    _valid = field_validator("contradicted_by")(classmethod(lambda c, v: _check_patterns(v)))


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


_Expectation = Annotated[
    _Quantity | _Unquantified | _State | _Assertion | _Date, Field(discriminator="type")
]


class _Claim(_Model):
    id: str = Field(pattern=_ID)
    statement: str = Field(min_length=1)
    quote: str | None = None
    short: str | None = None
    about: tuple[str, ...] = Field(min_length=1)
    context: Patterns
    expect: tuple[_Expectation, ...] = Field(min_length=1)

    _valid = field_validator("about", "context")(classmethod(lambda c, v: _check_patterns(v)))


class _Baseline(_Model):
    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    source: _Source
    since: dt.date | None = None
    languages: tuple[str, ...] = ("en",)
    subject: _Subject
    claims: tuple[_Claim, ...] = Field(min_length=1)


# ---- the records the detector reads ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quantity:
    """The claim states a figure; an incompatible figure contradicts it."""

    value: float
    approx: Literal["exact", "about", "at_least", "at_most"]
    tolerance: float
    counts: PatternSet
    parts: PatternSet

    @property
    def interval(self) -> tuple[float, float]:
        low, high = self.value * (1 - self.tolerance), self.value * (1 + self.tolerance)
        if self.approx == "exact":
            return self.value, self.value
        if self.approx == "at_least":
            return self.value, float("inf")
        if self.approx == "at_most":
            return 0.0, self.value
        return low, high


@dataclass(frozen=True, slots=True)
class Unquantified:
    """The claim names a matter without a figure; any figure for it follows it up."""

    measures: tuple[tuple[str, PatternSet], ...]


@dataclass(frozen=True, slots=True)
class Change:
    name: str
    terms: PatternSet


@dataclass(frozen=True, slots=True)
class State:
    """The claim describes a state; coverage of its changes follows it up."""

    holds: str
    changes: tuple[Change, ...]
    contradicted_by: PatternSet


@dataclass(frozen=True, slots=True)
class Assertion:
    """The claim asserts something; its denial or named counter-facts contradict it."""

    holds: PatternSet  # the claim's own predicate: negating it contradicts
    contradicted_by: PatternSet
    followed_up_by: PatternSet
    doubt_contradicts: bool  # "no evidence that ..." about the claim contradicts it


@dataclass(frozen=True, slots=True)
class DateRule:
    """The claim dates an event; another date for it contradicts."""

    event: PatternSet  # empty: the claim's ``about`` terms stand for the event
    date: dt.date | None
    not_before: dt.date | None
    not_after: dt.date | None


Expectation = Quantity | Unquantified | State | Assertion | DateRule


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    statement: str
    short: str  # a noun phrase for reasons ("about 2,500 CSTO peacekeepers")
    quote: str | None
    about: PatternSet
    context: PatternSet
    expectations: tuple[Expectation, ...]


@dataclass(frozen=True, slots=True)
class Baseline:
    id: str
    title: str
    outlet: str
    url: str | None
    date: dt.date | None
    since: dt.date | None
    languages: tuple[str, ...]
    subject: PatternSet  # worth fetching and reading
    required: PatternSet  # must occur in an article for any finding (defaults to subject)
    claims: tuple[Claim, ...]
    path: Path


def _expectation(raw: _Quantity | _Unquantified | _State | _Assertion | _Date) -> Expectation:
    if isinstance(raw, _Quantity):
        return Quantity(
            raw.value,
            raw.approx,
            raw.tolerance,
            PatternSet.of(raw.counts),
            PatternSet.of(raw.parts),
        )
    if isinstance(raw, _Unquantified):
        return Unquantified(tuple((k, PatternSet.of([v])) for k, v in raw.measures.items()))
    if isinstance(raw, _State):
        changes = tuple(Change(c.name, PatternSet.of(list(c.terms))) for c in raw.changes)
        return State(raw.holds, changes, PatternSet.of(raw.contradicted_by))
    if isinstance(raw, _Date):
        event = PatternSet.of([raw.event] if raw.event else [])
        return DateRule(event, raw.date, raw.not_before, raw.not_after)
    return Assertion(
        PatternSet.of([raw.holds] if raw.holds else []),
        PatternSet.of(raw.contradicted_by),
        PatternSet.of(raw.followed_up_by),
        raw.doubt_contradicts,
    )


def _claim(raw: _Claim) -> Claim:
    return Claim(
        id=raw.id,
        statement=raw.statement.strip(),
        short=(raw.short or raw.statement).strip(),
        quote=raw.quote,
        about=PatternSet.of(raw.about),
        context=PatternSet.of(raw.context),
        expectations=tuple(_expectation(e) for e in raw.expect),
    )


def _baseline(raw: _Baseline, path: Path) -> Baseline:
    subject = PatternSet.of(raw.subject.terms)
    return Baseline(
        id=raw.id,
        title=raw.title,
        outlet=raw.source.outlet,
        url=raw.source.url,
        date=raw.source.date,
        since=raw.since,
        languages=raw.languages,
        subject=subject,
        required=PatternSet.of(raw.subject.required) if raw.subject.required else subject,
        claims=tuple(_claim(c) for c in raw.claims),
        path=path,
    )


# libyaml's safe loader where PyYAML was built with it (its wheels are): the same documents
# and marks, read some ten times faster than in pure Python.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# ---- loading ----------------------------------------------------------------------------


def load_baseline(path: Path) -> Baseline:
    """Read and validate one baseline file; raise BaselineError listing every problem."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(file, [Problem("", f"cannot read baseline: {exc}")]) from exc
    try:
        node, data = bounded_yaml.read(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise BaselineError(
            file, [Problem("", f"invalid YAML: {_yaml_message(exc)}", line)]
        ) from exc
    except (ValueError, OverflowError) as exc:  # a scalar YAML types but cannot build
        raise BaselineError(file, [_unbuildable(text, exc)]) from None
    if not isinstance(data, dict):
        raise BaselineError(
            file, [Problem("", "a baseline must be a mapping with id, claims, ...")]
        )
    duplicates = _duplicate_claim_ids(data, node)
    try:
        raw = _Baseline.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(err, data, node) for err in _root_causes(exc.errors())]
        raise BaselineError(file, [*problems, *duplicates]) from None
    if duplicates:
        raise BaselineError(file, duplicates)
    return _baseline(raw, path)


def _duplicate_claim_ids(data: dict[str, Any], node: yaml.Node | None) -> list[Problem]:
    """Each repeated claim id, located at its second and later occurrences."""
    claims = data.get("claims")
    seen: set[str] = set()
    problems: list[Problem] = []
    for index, claim in enumerate(claims if isinstance(claims, list) else []):
        claim_id = claim.get("id") if isinstance(claim, dict) else None
        if not isinstance(claim_id, str):
            continue
        if claim_id in seen:
            loc = ("claims", index, "id")
            message = f"duplicate claim id {claim_id!r}"
            problems.append(Problem(_named_location(loc, data), message, _node_line(node, loc)))
        seen.add(claim_id)
    return problems


def _unbuildable(text: str, error: Exception) -> Problem:
    """Locate the scalar PyYAML typed but could not build (``date: 2022-13-45``)."""
    found = _bad_scalar(bounded_yaml.compose(text), ())
    if found is None:
        return Problem("", f"invalid value: {error}")
    loc, line = found
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    return Problem(where, f"invalid value: {error}", line)


def _bad_scalar(node: yaml.Node | None, loc: tuple[Any, ...]) -> tuple[tuple[Any, ...], int] | None:
    if isinstance(node, yaml.ScalarNode):
        try:
            yaml.SafeLoader("").construct_object(node)
        except (ValueError, OverflowError):
            return loc, node.start_mark.line + 1
        return None
    children: list[tuple[Any, yaml.Node]] = []
    if isinstance(node, yaml.MappingNode):
        children = [(getattr(key, "value", "?"), value) for key, value in node.value]
    elif isinstance(node, yaml.SequenceNode):
        children = list(enumerate(node.value))
    for part, child in children:
        found = _bad_scalar(child, (*loc, part))
        if found is not None:
            return found
    return None


def baseline_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their ``*.yaml``/``*.yml`` files, sorted; keep files as given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in BASELINE_SUFFIXES))
        else:
            files.append(path)
    return files


def load_baselines(paths: Iterable[Path]) -> tuple[Baseline, ...]:
    """Load every baseline; problems of all files are reported together."""
    baselines, problems = [], []
    for file in baseline_files(paths):
        try:
            baselines.append(load_baseline(file))
        except BaselineError as exc:
            problems.append(exc)
    seen: dict[str, Path] = {}
    for baseline in baselines:
        if baseline.id in seen:
            problems.append(
                BaselineError(
                    str(baseline.path),
                    [
                        Problem(
                            "id",
                            f"duplicate baseline id {baseline.id!r} (also in {seen[baseline.id]})",
                        )
                    ],
                )
            )
        seen[baseline.id] = baseline.path
    if problems:
        raise BaselineError(problems[0].file, [p for e in problems for p in _reparent(e)])
    return tuple(baselines)


def _reparent(error: BaselineError) -> Iterator[Problem]:
    for problem in error.problems:
        yield Problem(problem.location, problem.message, problem.line)


def _root_causes(errors: list[Any]) -> list[Any]:
    """Drop "too short" errors of a list whose items failed: the items' errors say why."""
    locations = [tuple(e["loc"]) for e in errors]
    return [
        e
        for e in errors
        if e["type"] != "too_short"
        or not any(
            len(o) > len(e["loc"]) and o[: len(e["loc"])] == tuple(e["loc"]) for o in locations
        )
    ]


def _yaml_message(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    return str(problem) if problem else str(exc).splitlines()[0]


def _problem(error: Any, data: dict[str, Any], node: yaml.Node | None) -> Problem:
    loc = _named_location(tuple(error["loc"]), data)
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    elif error["type"] == "missing":
        message = "required field is missing"
    elif error["type"] == "too_short":
        message = "must not be empty"
    return Problem(loc, message, _node_line(node, tuple(error["loc"])))


def _named_location(loc: tuple[Any, ...], data: Any) -> str:
    """``("claims", 3, "expect", 0, "quantity", "value")`` -> ``claims[<id>].expect[0].value``."""
    out, cursor = "", data
    for part in loc:
        if isinstance(part, int):
            item = cursor[part] if isinstance(cursor, list) and part < len(cursor) else None
            label = (
                item.get("id")
                if isinstance(item, dict) and isinstance(item.get("id"), str)
                else part
            )
            out += f"[{label}]"
            cursor = item
        elif part in ("quantity", "unquantified", "state", "assertion", "date") and not (
            isinstance(cursor, dict) and part in cursor
        ):
            continue  # pydantic's union tag, not a key the user wrote
        else:
            out += f".{part}" if out else str(part)
            cursor = cursor.get(part) if isinstance(cursor, dict) else None
    return out


def _node_line(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Walk the composed YAML tree to the deepest node of ``loc`` and return its line."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node, line = child, child.start_mark.line + 1
    return line


def _child(node: yaml.Node | None, part: Any) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return value if not isinstance(value, yaml.ScalarNode) else key
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        child: yaml.Node = node.value[part]
        return child
    return None
