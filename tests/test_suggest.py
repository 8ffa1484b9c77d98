"""suggest: baseline edits from verdicts, as a diff that ``patch -p0`` applies and a file the
baseline loader accepts; baseline_text: edits that keep the rest of the file as written."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from claimwatch import baseline_text
from claimwatch.alerts import Alert
from claimwatch.baselines import load_baseline
from claimwatch.suggest import suggest
from claimwatch.verdicts import Verdict
from tests.feedback_story import BASELINE, alert_of, ferry_baseline, judged

AGENCY = [
    "Nine passengers of the Silver Tern are still missing off Marlow Point, the Coastguard "
    "Agency said.",
    "The Coastguard Agency said 9 passengers of the Silver Tern remain missing off Marlow.",
]
CAPTAIN = [
    "Nine passengers of the Silver Tern are still missing off Marlow Point, Captain Jane "
    "Harlow said.",
    "Captain Jane Harlow said nine passengers of the Silver Tern are still missing off Marlow.",
]
PORT_ONLY = [  # "port" alone brings these in; the analyst dismissed them
    "The port of Marlow reopened its cafe for the Silver Tern's rescuers, the owners said.",
    "The port authority said the owners of the Silver Tern reopened their Marlow office.",
]
HARBOUR = (
    "The harbour of Marlow reopened to all shipping on Friday after the Silver Tern was towed."
)
INTENT = [
    "Police are treating the sinking of the Silver Tern off Marlow as a deliberate attack.",
    "A local blogger claimed the Silver Tern was sabotaged off Marlow.",
    "A radio host claimed the Silver Tern off Marlow was sabotaged by rivals.",
]


def _judged(folder: Path) -> list[tuple[Alert, Verdict]]:
    ferry = ferry_baseline(folder)
    found = []
    for n, text in enumerate([*AGENCY, *CAPTAIN, HARBOUR]):
        found.append(judged(alert_of(ferry, text, f"https://c{n}.example/"), "confirmed"))
    for n, text in enumerate([*PORT_ONLY, *INTENT]):
        found.append(judged(alert_of(ferry, text, f"https://d{n}.example/"), "dismissed"))
    return found


def test_edits_from_verdicts_load_and_keep_the_file_as_written(tmp_path: Path) -> None:
    ferry = ferry_baseline(tmp_path)
    proposal = suggest(BASELINE, ferry, _judged(tmp_path), name="marlow-ferry.yaml")
    assert {(e.kind, e.where, e.after) for e in proposal.edits} == {
        ("alias", "entities.organisation", "Coastguard Agency"),
        ("alias", "entities.person", "Jane Harlow"),
        ("about", "claims[harbour-closed].about", "harbour"),
    }
    assert '  organisation: "Marine Accident Investigation Branch|MAIB|Coastguard Agency"\n' in (
        proposal.text
    )
    assert '|MAIB|Coastguard Agency"\n  person: "Jane Harlow"\nclaims:' in proposal.text
    assert '    about: "harbour"   # the harbour of Marlow\n' in proposal.text
    changed = [line for line in proposal.diff.splitlines() if line[:1] in "+-"]
    assert len(changed) == 2 + 2 * 2 + 1  # headers, two lines replaced, one added
    assert (
        proposal.text.replace('"harbour"', '"harbour|port"')
        .replace("|Coastguard Agency", "")
        .replace('  person: "Jane Harlow"\n', "")
        == BASELINE
    )
    written = tmp_path / "proposed" / "marlow-ferry.yaml"
    written.parent.mkdir()
    written.write_text(proposal.text, encoding="utf-8")
    loaded = load_baseline(written)
    assert {e.kind for e in loaded.entities} == {"vessel", "place", "organisation", "person"}
    claim = next(c for c in loaded.claims if c.id == "harbour-closed")
    assert claim.own.matches("the harbour") and not claim.own.matches("the port")


def test_notes_say_what_a_baseline_cannot_hold(tmp_path: Path) -> None:
    ferry = ferry_baseline(tmp_path)
    notes = suggest(BASELINE, ferry, _judged(tmp_path), name="marlow-ferry.yaml").notes
    (words,) = [n for n in notes if n.startswith("harbour-closed:")]
    assert '"owners" (2 articles)' in words and "no key to exclude words" in words
    assert '"port"' not in words  # the claim's own word: narrowing about handles it
    (mute,) = [n for n in notes if n.startswith("no-foul-play:") and "never" in n]
    assert "dismissed in 3 articles and never confirmed: mute the claim" in mute
    assert not [n for n in notes if n.startswith("missing:")]


def test_the_diff_applies_with_patch(tmp_path: Path) -> None:
    patch = shutil.which("patch")
    if patch is None:
        pytest.skip("no patch tool")
    ferry = ferry_baseline(tmp_path)
    proposal = suggest(BASELINE, ferry, _judged(tmp_path), name="marlow-ferry.yaml")
    subprocess.run([patch, "-p0"], input=proposal.diff, text=True, cwd=tmp_path, check=True)
    assert (tmp_path / "marlow-ferry.yaml").read_text(encoding="utf-8") == proposal.text


def test_no_edit_without_enough_support(tmp_path: Path) -> None:
    ferry = ferry_baseline(tmp_path)
    alerts = [alert_of(ferry, text, f"https://e{n}.example/") for n, text in enumerate(AGENCY)]
    one_article = [judged(alerts[0], "confirmed")]
    also_dismissed = [judged(alerts[0], "confirmed"), judged(alerts[1], "dismissed")]
    for verdicts in ([], one_article, also_dismissed):
        proposal = suggest(BASELINE, ferry, verdicts, name="marlow-ferry.yaml")
        assert (proposal.text, proposal.diff, proposal.edits) == (BASELINE, "", ())
    elsewhere = dataclasses.replace(alert_of(ferry, HARBOUR, "https://f.example/"), baseline_id="x")
    others = [  # another baseline's verdicts say nothing about this one
        judged(dataclasses.replace(elsewhere, alert_id=f"x{n}", article_url=f"x{n}"), "dismissed")
        for n in range(3)
    ]
    assert suggest(BASELINE, ferry, others, name="x").notes == ()


def test_baseline_text_edits_scalars_in_place() -> None:
    text = (
        "entities:\n"
        "  place: [\"Marlow\", 'Marlow Point']\n"
        "  vessel: Silver Tern  # the ferry\n"
        "claims: []\n"
    )
    root = baseline_text.tree(text)
    added = baseline_text.add_entity(text, root, "place", 'Marlow "Old" Quay')
    new_kind = baseline_text.add_entity(text, root, "person", "Jane Harlow")
    assert added is not None and new_kind is not None
    edited = baseline_text.apply(text, [added, new_kind])
    assert edited == (
        "entities:\n"
        '  place: ["Marlow", "Marlow Point|Marlow \\"Old\\" Quay"]\n'
        "  vessel: Silver Tern  # the ferry\n"
        '  person: "Jane Harlow"\n'
        "claims: []\n"
    )
    assert yaml.safe_load(edited)["entities"]["place"][1] == 'Marlow Point|Marlow "Old" Quay'
    with pytest.raises(ValueError, match="overlapping"):
        baseline_text.apply(text, [added, added])
    flow = "entities: {place: Marlow}\n"
    assert baseline_text.add_entity(flow, baseline_text.tree(flow), "person", "X") is None
