"""Event frames: what news says about a kind of claim, shipped as data and read like baselines.

Most claims in news are instances of a few event types: a count of people by what happened to
them, a state in force that will end, a cause, an investigation, a time. A *frame* holds the
words coverage uses for one such type, in each language: the words that name the matter
(``terms``), the words that bring news on it (``follow_up``), the words that deny it
(``contradict``), the changes of a state (``changes``) and, for counts, which way the figure
moves over time (``trend``) and which later fates follow a count up (``next``). A claim names
its frame and, where the frame offers choices, its choice (``fate: missing``); the claim adds
only the story's own words (``frames.compile``).

The library is the ``*.yaml`` files beside this module plus the folders a config names under
``frames``; a frame of a user folder may not reuse a built-in id. Every problem names the file,
the line and the field, as baseline errors do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from claimwatch.errors import BaselineError, Problem
from claimwatch.terms import compile_pattern
from claimwatch.yaml_files import YAML_SUFFIXES, locate_problems, read_yaml

__all__ = [
    "BUILTIN",
    "Choice",
    "Frame",
    "FrameLibrary",
    "FrameType",
    "Trend",
    "library",
]

BUILTIN = Path(__file__).resolve().parent
FrameType = Literal["count", "measure", "time", "state", "event", "absence"]
Trend = Literal["fixed", "grows", "shrinks"]
_ID = r"^[a-z0-9][a-z0-9._-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _patterns(value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else tuple(value)
    for item in items:
        compile_pattern(item)
    return items


def _lexicon(value: Mapping[str, str | list[str]]) -> dict[str, tuple[str, ...]]:
    return {language: _patterns(patterns) for language, patterns in value.items()}


_Lexicon = dict[str, str | list[str]]


class _Choice(_Model):
    terms: _Lexicon = Field(default_factory=dict)
    follow_up: _Lexicon = Field(default_factory=dict)
    contradict: _Lexicon = Field(default_factory=dict)
    rebuttal: _Lexicon = Field(default_factory=dict)
    cues: _Lexicon = Field(default_factory=dict)
    changes: dict[str, _Lexicon] = Field(default_factory=dict)
    next: tuple[str, ...] = ()
    trend: Trend | None = None
    doubt_contradicts: bool | None = None
    anchors: bool | None = None

    @field_validator("terms", "follow_up", "contradict", "rebuttal", "cues")
    @classmethod
    def _valid(cls, value: _Lexicon) -> _Lexicon:
        _lexicon(value)
        return value

    @field_validator("changes")
    @classmethod
    def _valid_changes(cls, value: dict[str, _Lexicon]) -> dict[str, _Lexicon]:
        for name, lexicon in value.items():
            if not name.replace("-", "").isalnum():
                raise ValueError(f"change name {name!r}: use letters, digits and hyphens")
            _lexicon(lexicon)
        return value


class _Frame(_Choice):
    id: str = Field(pattern=_ID)
    type: FrameType
    summary: str = Field(min_length=1)
    choice: str | None = Field(default=None, pattern=r"^[a-z][a-z_]*$")
    default: tuple[str, ...] = ()
    unit: Literal["currency"] | None = None
    negation_contradicts: bool = True
    choices: dict[str, _Choice] = Field(default_factory=dict)


# ---- the records compile reads ------------------------------------------------------------

Lexicon = Mapping[str, tuple[str, ...]]  # language -> term patterns


@dataclass(frozen=True, slots=True)
class Choice:
    """One variant of a frame (a fate, a kind of state); the frame's own lexicons are the
    choice named ``""``, which every choice extends."""

    name: str
    terms: Lexicon = field(default_factory=dict)
    follow_up: Lexicon = field(default_factory=dict)
    contradict: Lexicon = field(default_factory=dict)
    rebuttal: Lexicon = field(default_factory=dict)  # absence: reports the thing to reject it
    cues: Lexicon = field(default_factory=dict)  # drafting: an article's claim of this kind
    changes: tuple[tuple[str, Lexicon], ...] = ()
    next: tuple[str, ...] = ()
    trend: Trend | None = None
    doubt_contradicts: bool | None = None
    anchors: bool | None = None  # its words find a claim's sentences (None: as the frame says)


@dataclass(frozen=True, slots=True)
class Frame:
    id: str
    type: FrameType
    summary: str
    choice_key: str | None  # the claim key that names a choice ("fate"), if any
    default: tuple[str, ...]  # the choices a claim gets when it names none
    unit: str | None
    negation_contradicts: bool  # an event frame: its own words negated contradict a claim
    base: Choice
    choices: Mapping[str, Choice]
    path: Path

    def choice_names(self) -> tuple[str, ...]:
        return tuple(self.choices)


@dataclass(frozen=True, slots=True)
class FrameLibrary:
    frames: Mapping[str, Frame]

    def get(self, frame_id: str) -> Frame | None:
        return self.frames.get(frame_id)

    def ids(self) -> tuple[str, ...]:
        return tuple(sorted(self.frames))


def _choice(name: str, raw: _Choice) -> Choice:
    return Choice(
        name=name,
        terms=_lexicon(raw.terms),
        follow_up=_lexicon(raw.follow_up),
        contradict=_lexicon(raw.contradict),
        rebuttal=_lexicon(raw.rebuttal),
        cues=_lexicon(raw.cues),
        changes=tuple((n, _lexicon(lex)) for n, lex in raw.changes.items()),
        next=raw.next,
        trend=raw.trend,
        doubt_contradicts=raw.doubt_contradicts,
        anchors=raw.anchors,
    )


def _frame(raw: _Frame, path: Path) -> Frame:
    return Frame(
        id=raw.id,
        type=raw.type,
        summary=" ".join(raw.summary.split()),
        choice_key=raw.choice,
        default=raw.default,
        unit=raw.unit,
        negation_contradicts=raw.negation_contradicts,
        base=_choice("", raw),
        choices={name: _choice(name, c) for name, c in raw.choices.items()},
        path=path,
    )


def _consistency(raw: _Frame) -> list[Problem]:
    """What pydantic cannot see: choices, defaults and ``next`` naming real choices."""
    problems = []
    if raw.choices and raw.choice is None:
        problems.append(Problem("choice", "a frame with choices must name its claim key"))
    if raw.choice is not None and not raw.choices:
        problems.append(Problem("choices", "a frame with a choice key needs choices"))
    for name in raw.default:
        if name not in raw.choices:
            problems.append(Problem("default", f"{name!r} is not one of the choices"))
    for name, choice in raw.choices.items():
        for later in choice.next:
            if later not in raw.choices:
                problems.append(Problem(f"choices.{name}.next", f"{later!r} is not a choice"))
    return problems


def load_frame(path: Path) -> Frame:
    """Read and validate one frame file; raise BaselineError listing every problem."""
    data, node = read_yaml(path, what="frame")
    if not isinstance(data, dict):
        raise BaselineError(str(path), [Problem("", "a frame must be a mapping with id, type")])
    try:
        raw = _Frame.model_validate(data)
    except ValidationError as exc:
        raise BaselineError(str(path), locate_problems(exc, data, node, _Frame)) from None
    problems = _consistency(raw)
    if problems:
        raise BaselineError(str(path), problems)
    return _frame(raw, path)


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise BaselineError(str(folder), [Problem("", "frames folder not found")])
    return sorted(p for p in folder.iterdir() if p.suffix in YAML_SUFFIXES)


def library(folders: Iterable[Path] = ()) -> FrameLibrary:
    """The built-in frames plus those of ``folders``. Read again only when a file changed
    (a reload picks up an edited frame; a thousand baselines share one reading)."""
    files = tuple(p for folder in (BUILTIN, *folders) for p in _files(Path(folder)))
    return _library(tuple((p, *_stamp(p)) for p in files))


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except OSError:
        return (0, 0)  # unreadable: reading it reports the problem
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=8)
def _library(files: tuple[tuple[Path, int, int], ...]) -> FrameLibrary:
    frames: dict[str, Frame] = {}
    problems: list[tuple[str, Problem]] = []
    for path, _, _ in files:
        try:
            frame = load_frame(path)
        except BaselineError as exc:
            problems.extend((exc.file, p) for p in exc.problems)
            continue
        if frame.id in frames:
            message = f"frame id {frame.id!r} is already defined in {frames[frame.id].path}"
            problems.append((str(path), Problem("id", message)))
            continue
        frames[frame.id] = frame
    if problems:
        located = [Problem(p.location, p.message, p.line, file) for file, p in problems]
        raise BaselineError(problems[0][0], located)
    return FrameLibrary(frames)


def describe(frame: Frame) -> dict[str, Any]:
    """A frame as ``claimwatch frames`` shows it: id, type, summary and choices."""
    return {
        "id": frame.id,
        "type": frame.type,
        "summary": frame.summary,
        "choice": frame.choice_key,
        "choices": list(frame.choices),
        "path": str(frame.path),
    }
