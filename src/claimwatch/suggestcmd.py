"""``claimwatch baseline suggest BASELINE [--write]``: what the analysts' verdicts argue for.

The baseline is named by its file or by its id among the config's baselines. Its alerts'
verdicts are read from the state (the analysts' only: claimwatch's own dismissals of alerts
it held back are its own lessons at work, no evidence), ``suggest.suggest`` proposes the
edits, and the proposed file is loaded as a baseline before anything is shown or written, so
a proposal always passes ``claimwatch check``. Everything goes to stdout: the notes and the
summary as ``#`` lines, then a unified diff that ``patch -p0`` applies where the command ran
(patch skips the ``#`` lines). ``--write`` replaces the file in one step (a new file renamed
over it) with the proposal, keeping its permissions. A state with no verdicts on the baseline
is no error: there is nothing to learn from yet.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from claimwatch.alerts import Alert
from claimwatch.atomicfile import replace_file
from claimwatch.baselines import Baseline, check_generated, load_baseline, load_baselines
from claimwatch.config import Config, default_config_path, load_config
from claimwatch.errors import InputError
from claimwatch.frames import FrameLibrary, library
from claimwatch.holdback import by_analysts
from claimwatch.suggest import Edit, suggest
from claimwatch.triagecmd import state_of
from claimwatch.verdicts import Verdict

EXIT_OK = 0
Judged = list[tuple[Alert, Verdict]]


def run(args: argparse.Namespace) -> int:
    """The command; InputError (exit 2) for a baseline that is not found or does not load."""
    config = load_config(args.config or default_config_path())
    frames = library(config.frames)
    path, name, baseline = locate(args.baseline, config, frames)
    text = read(path)
    judged = analysts_verdicts(config, baseline.id)
    if not judged:
        print(f"# {baseline.id}: no verdicts yet: {why_none(config, judged)}")
        print("# judge its alerts first: claimwatch alerts confirm|dismiss ALERT_ID...")
        return EXIT_OK
    proposal = suggest(text, baseline, judged, name=name)
    print(f"# {baseline.id} ({name}): {counted(judged)}")
    for note in proposal.notes:
        print(f"# {note}")
    if not proposal.diff:
        print("# no edit proposed: the file is left as it is")
        return EXIT_OK
    check_generated(proposal.text, "the proposed baseline", frames)
    if args.write:
        replace_file(path, proposal.text)
        print(f"# written to {path}: {len(proposal.edits)} edit(s), the diff below")
    for edit in proposal.edits:
        print(f"# {described(edit)}")
    print(proposal.diff, end="")
    return EXIT_OK


def locate(given: str, config: Config, frames: FrameLibrary) -> tuple[Path, str, Baseline]:
    """The baseline file, its name in the diff, and the baseline: ``given`` is a file, or
    else the id of one of the config's baselines."""
    path = Path(given)
    if path.is_file():
        return path, given, load_baseline(path, frames)
    if path.exists():
        raise InputError("not a baseline file", subject=given)
    baselines = load_baselines(config.baselines, config.frames)
    for baseline in baselines:
        if baseline.id == given:
            return baseline.path, diff_name(baseline.path), baseline
    ids = ", ".join(sorted(b.id for b in baselines)) or "none"
    raise InputError(
        f"no such file, and no baseline of {config.path} has this id (ids: {ids})",
        subject=given,
    )


def diff_name(path: Path) -> str:
    """The file as the diff names it: relative to the current folder when it is under it
    (``patch -p0`` refuses absolute names and ``..``), else the absolute path."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path.resolve())


def read(path: Path) -> str:
    """The file's text exactly as written (line endings included)."""
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read baseline: {exc}", subject=str(path)) from None


def analysts_verdicts(config: Config, baseline_id: str) -> Judged | None:
    """The baseline's alerts with an analyst's latest verdict; None when there is no state
    (none is created here)."""
    if config.state_missing:
        return None
    with state_of(config) as store:
        judged = store.judged_alerts()
    return [(alert, v) for alert, v in by_analysts(judged) if alert.baseline_id == baseline_id]


def why_none(config: Config, judged: Judged | None) -> str:
    if judged is None:
        return f"the state ({config.state_display}) does not exist"
    return f"none of its alerts in {config.state_display} has an analyst's verdict"


def counted(judged: Sequence[tuple[Alert, Verdict]]) -> str:
    """``12 verdicts: 4 confirmed, 7 dismissed, 1 seen``."""
    kinds = Counter(verdict.verdict for _, verdict in judged)
    each = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    return f"{len(judged)} verdict{'s' if len(judged) != 1 else ''}: {each}"


def described(edit: Edit) -> str:
    """One line per edit: where, what, why."""
    if edit.kind == "alias":
        return f"{edit.where}: add {edit.after!r} ({edit.why})"
    return f"{edit.where}: {edit.before!r} -> {edit.after!r} ({edit.why})"
