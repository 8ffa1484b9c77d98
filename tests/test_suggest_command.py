"""``claimwatch baseline suggest``, through the real command, on a made-up baseline and a real
SQLite state holding alerts the real detector made and verdicts on them: the diff applies with
``patch -p0``, ``--write`` leaves a file that loads, and claimwatch's own dismissals are no
evidence."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from claimwatch.baselines import load_baseline
from claimwatch.store import open_store
from claimwatch.suggestcmd import diff_name
from claimwatch.verdicts import AUTOMATIC_BY, Verdict
from tests.commands import claimwatch
from tests.feedback_story import BASELINE, alert_of, ferry_baseline, judged
from tests.test_suggest import AGENCY, CAPTAIN, HARBOUR, INTENT, PORT_ONLY

CONFIG = 'state = "var/state.db"\nbaselines = ["baselines"]\n'


def workdir(root: Path) -> Path:
    """claimwatch.toml and baselines/marlow-ferry.yaml in ``root``; returns the baseline."""
    (root / "baselines").mkdir()
    (root / "claimwatch.toml").write_text(CONFIG, encoding="utf-8")
    ferry_baseline(root / "baselines")
    return root / "baselines" / "marlow-ferry.yaml"


def judge_in_state(root: Path, path: Path) -> None:
    """The analyst confirmed what names the agency, the captain and the harbour, dismissed
    what only the port brought in; claimwatch itself held back three reports of sabotage
    (which, were they the analyst's, would make a claim nobody confirms)."""
    ferry = load_baseline(path)
    calls = [
        judged(alert_of(ferry, text, f"https://c{n}.example/"), "confirmed")
        for n, text in enumerate([*AGENCY, *CAPTAIN, HARBOUR])
    ]
    calls += [
        judged(alert_of(ferry, text, f"https://d{n}.example/"), "dismissed")
        for n, text in enumerate(PORT_ONLY)
    ]
    for n, text in enumerate(INTENT):
        alert, said = judged(alert_of(ferry, text, f"https://h{n}.example/"), "dismissed")
        calls.append((alert, Verdict(alert.alert_id, "dismissed", AUTOMATIC_BY, said.at)))
    store = open_store(root / "var" / "state.db")
    try:
        store.add_alerts([alert for alert, _ in calls], [])
        assert store.record_verdicts([verdict for _, verdict in calls]) == []
    finally:
        store.close()


def suggest(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return claimwatch("baseline", "suggest", *args, "--config", "claimwatch.toml", cwd=root)


@pytest.mark.slow
def test_no_state_no_verdicts_yet(tmp_path: Path) -> None:
    workdir(tmp_path)
    done = suggest(tmp_path, "marlow-ferry")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# marlow-ferry: no verdicts yet: the state (")
    assert not (tmp_path / "var").exists()  # no state is created
    unknown = suggest(tmp_path, "ferry")
    assert unknown.returncode == 2
    assert "ferry: no such file, and no baseline of" in unknown.stderr
    assert "(ids: marlow-ferry)" in unknown.stderr


@pytest.mark.slow
def test_the_diff_applies_and_write_replaces_the_file(tmp_path: Path) -> None:
    path = workdir(tmp_path)
    judge_in_state(tmp_path, path)
    path.chmod(0o640)

    shown = suggest(tmp_path, "marlow-ferry")
    assert shown.returncode == 0, shown.stderr
    head, diff = shown.stdout.split("--- ", 1)
    assert head.startswith("# marlow-ferry (baselines/marlow-ferry.yaml): 7 verdicts: ")
    assert "5 confirmed, 2 dismissed" in head  # claimwatch's own three are left out
    assert "no-foul-play" not in head  # their claim is nobody's concern yet
    assert "# entities.person: add 'Jane Harlow'" in head
    assert "# claims[harbour-closed].about: 'harbour|port' -> 'harbour'" in head
    assert all(line.startswith("# ") for line in head.splitlines())
    assert diff.startswith("baselines/marlow-ferry.yaml\n+++ baselines/marlow-ferry.yaml\n")
    assert path.read_text(encoding="utf-8") == BASELINE  # shown, not written

    patch = shutil.which("patch")
    if patch is not None:  # the whole output, notes included, as a user would pipe it
        subprocess.run([patch, "-p0"], input=shown.stdout, text=True, cwd=tmp_path, check=True)
        patched = path.read_text(encoding="utf-8")
        assert '  person: "Jane Harlow"\n' in patched
        path.write_text(BASELINE, encoding="utf-8")

    written = suggest(tmp_path, "baselines/marlow-ferry.yaml", "--write")
    assert written.returncode == 0, written.stderr
    assert "# written to baselines/marlow-ferry.yaml: 3 edit(s), the diff below" in written.stdout
    text = path.read_text(encoding="utf-8")
    assert patch is None or text == patched
    assert '    about: "harbour"   # the harbour of Marlow\n' in text  # the comment kept
    loaded = load_baseline(path)
    assert {e.kind for e in loaded.entities} >= {"person", "organisation"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in path.parent.iterdir()) == ["marlow-ferry.yaml"]

    again = suggest(tmp_path, "marlow-ferry")
    assert again.returncode == 0 and "# no edit proposed" in again.stdout
    assert "--- " not in again.stdout


def test_the_diff_names_the_file_as_seen_from_where_the_command_ran(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """patch -p0 refuses absolute names and "..": a file under the current folder is named
    relative to it; one elsewhere can only be named in full."""
    path = workdir(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert diff_name(path.resolve()) == "baselines/marlow-ferry.yaml"
    monkeypatch.chdir(path.parent)
    assert diff_name(path) == "marlow-ferry.yaml"
    (tmp_path / "other").mkdir()
    monkeypatch.chdir(tmp_path / "other")
    assert diff_name(path) == str(path.resolve())
