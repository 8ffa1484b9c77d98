"""Event frames: the library, user folders, frame claims in baselines and their errors.

A frame claim compiles to the same typed expectations a baseline written with its own terms
has; old baselines keep loading. Every mistake names the file, the line, the claim and the
field, as other baseline errors do.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from claimwatch.baselines import (
    Absence,
    Assertion,
    DateRule,
    Quantity,
    State,
    TimeRule,
    Unquantified,
    load_baseline,
    load_baselines,
)
from claimwatch.errors import BaselineError
from claimwatch.frames import library
from claimwatch.matching import Document, match

ROOT = Path(__file__).parent.parent
REQUIRED_FRAMES = {
    "people-count", "thing-count", "measure", "money", "time", "cause", "investigation",
    "legal", "arrest", "state", "safety", "promise", "denial", "accusation", "none",
}  # fmt: skip

HEAD = """\
id: harbour
title: Harbour town after the storm
source: {outlet: our own test, date: 2023-03-12}
since: 2023-03-12
entities:
  place: "Marlow"
  vessel: "Silver Tern"
claims:
"""


def write(tmp_path: Path, claims: str, name: str = "harbour.yaml") -> Path:
    path = tmp_path / name
    path.write_text(HEAD + claims, encoding="utf-8")
    return path


def problems(path: Path, frames: tuple[Path, ...] = ()) -> list[str]:
    with pytest.raises(BaselineError) as caught:
        load_baselines([path], frames)
    return str(caught.value).splitlines()


# ---- the library -----------------------------------------------------------------------------


def test_the_library_ships_every_kind_of_event_the_issue_names() -> None:
    frames = library()
    assert set(frames.ids()) >= REQUIRED_FRAMES
    fates = frames.frames["people-count"].choices
    assert {"killed", "injured", "missing", "rescued", "detained", "evacuated"} <= set(fates)
    assert {"displaced", "charged", "convicted"} <= set(fates)
    states = frames.frames["state"].choices
    assert {"closure", "order", "emergency", "deployment", "suspension"} <= set(states)
    for frame_id in ("people-count", "state", "investigation", "none"):
        lexicons = frames.frames[frame_id]
        languages = {lang for c in lexicons.choices.values() for lang in c.terms} | set(
            lexicons.base.terms
        )
        assert {"en", "ru"} <= languages, frame_id


def test_a_frame_of_a_users_folder_is_used_by_a_claim(tmp_path: Path) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    (folder / "strike.yaml").write_text(
        "id: strike\ntype: state\nsummary: A labour strike.\nchoice: action\n"
        "choices:\n  walkout:\n    terms: {en: 'strike|walkout'}\n"
        "    changes:\n      ending: {en: 'called off|ended|back to work'}\n",
        encoding="utf-8",
    )
    path = write(
        tmp_path,
        "  - id: dockers-strike\n    statement: Dock workers walked out.\n"
        "    frame: strike\n    action: walkout\n    about: 'dock workers|dockers'\n",
    )
    (baseline,) = load_baselines([path], [folder])
    state = baseline.claims[0].expectations[0]
    assert isinstance(state, State) and state.changes[0].name == "ending"
    news = Document("Marlow", "In Marlow the dockers called off their strike on Monday.", None)
    assert [f.kind for f in match(news, [baseline])] == ["follow_up"]


def test_a_users_frame_may_not_take_a_built_in_id(tmp_path: Path) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    (folder / "state.yaml").write_text("id: state\ntype: state\nsummary: mine\n", encoding="utf-8")
    path = write(tmp_path, "  - {id: a, statement: s, frame: state, state: closure}\n")
    found = problems(path, (folder,))
    assert any("state.yaml" in line and "already defined" in line for line in found)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("id: x\ntype: state\nsummary: s\ncolour: red\n", "colour: unknown key"),
        ("id: x\ntype: state\nsummary: s\nterms: {en: 'a(b'}\n", "terms"),
        ("id: x\ntype: count\nsummary: s\nchoices: {a: {}}\n", "choice: a frame with choices"),
        (
            "id: x\ntype: count\nsummary: s\nchoice: fate\nchoices: {a: {next: [b]}}\n",
            "'b' is not a choice",
        ),
        ("id: x\ntype: state\nsummary: s\nsummary: t\n", "duplicate key"),
    ],
)
def test_a_broken_frame_is_named_with_its_line(tmp_path: Path, text: str, words: str) -> None:
    folder = tmp_path / "frames"
    folder.mkdir()
    (folder / "broken.yaml").write_text(text, encoding="utf-8")
    path = write(tmp_path, "  - {id: a, statement: s, frame: state, state: closure}\n")
    found = problems(path, (folder,))
    assert any(str(folder / "broken.yaml") in line and words in line for line in found), found


# ---- frame claims ------------------------------------------------------------------------------


def test_each_frame_type_compiles_to_its_expectations(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
  - {id: missing, statement: 14 are missing., frame: people-count, fate: missing, value: 14}
  - {id: dead, statement: People died., frame: people-count, fate: [killed, injured]}
  - {id: length, statement: The ferry is 62 m long., frame: measure, value: 62, unit: m,
     about: "Silver Tern|ferry"}
  - {id: when, statement: It sank at 6:15., frame: time, event: sinking, time: "06:15",
     date: 2023-03-12}
  - {id: harbour, statement: The harbour is closed., frame: state, state: closure,
     about: harbour}
  - {id: foul-play, statement: No foul play., frame: none, of: intent}
  - {id: inquiry, statement: Inspectors are on their way., frame: investigation}
""",
    )
    claims = {c.id: c for c in load_baseline(path).claims}
    types = {cid: {type(e) for e in c.expectations} for cid, c in claims.items()}
    assert types["missing"] >= {Quantity, Unquantified} and types["dead"] >= {Unquantified}
    missing = next(e for e in claims["missing"].expectations if isinstance(e, Quantity))
    assert missing.trend == "shrinks" and missing.value == 14
    assert types["length"] == {Quantity} and types["when"] >= {TimeRule, DateRule}
    assert State in types["harbour"] and Absence in types["foul-play"]
    assert Assertion in types["inquiry"]


@pytest.mark.parametrize(
    ("claim", "where", "words"),
    [
        ("{id: a, statement: s, frame: storm}", "claims[a].frame", "unknown frame 'storm'"),
        (
            "{id: a, statement: s, frame: people-count, fate: vanished}",
            "claims[a].fate",
            "'vanished' is not a choice of people-count: killed, injured",
        ),
        (
            "{id: a, statement: s, frame: state, fate: missing}",
            "claims[a].fate",
            "unknown key 'fate': did you mean 'date'?; frame state takes 'state'",
        ),
        ("{id: a, statement: s, frame: measure, value: 3}", "claims[a].value", "value and unit"),
        (
            "{id: a, statement: s, frame: measure, value: 3, unit: cubits}",
            "claims[a].unit",
            "unknown unit 'cubits'",
        ),
        ("{id: a, statement: s, frame: time}", "claims[a].time", "needs time, date"),
        (
            "{id: a, statement: s, frame: state, state: closure, value: 3}",
            "claims[a].value",
            "takes no value",
        ),
        ("{id: a, statement: s, about: x}", "claims[a].expect", "required field is missing"),
        (
            "{id: a, statment: s, frame: state}",
            "claims[a].statment",
            "unknown key 'statment': did you mean 'statement'?",
        ),
        ("{id: a, statement: s, frame: time, time: '25:00'}", "claims[a].time", "pattern"),
    ],
)
def test_frame_claim_mistakes_name_file_line_claim_and_field(
    tmp_path: Path, claim: str, where: str, words: str
) -> None:
    path = write(tmp_path, f"  - {claim}\n")
    found = problems(path)
    assert any(line.startswith(f"{path}:") and where in line and words in line for line in found), (
        found
    )


def test_a_key_written_twice_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "  - {id: a, statement: s, frame: none, of: intent, of: injuries}\n")
    assert any("claims[0].of" in line and "duplicate key" in line for line in problems(path))


def test_a_baseline_needs_its_own_names(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(
        "id: b\ntitle: t\nsource: {outlet: o}\nclaims:\n"
        "  - {id: a, statement: s, frame: none, of: intent}\n",
        encoding="utf-8",
    )
    assert any("entities" in line for line in problems(path))


def test_problems_of_several_files_each_name_their_own_file(tmp_path: Path) -> None:
    one = write(tmp_path, "  - {id: a, statement: s, frame: storm}\n", "one.yaml")
    two = write(tmp_path, "  - {id: a, statement: s, frame: gale}\n", "two.yaml")
    with pytest.raises(BaselineError) as caught:
        load_baselines([one, two])
    lines = str(caught.value).splitlines()
    assert any(line.startswith(f"{one}:") and "storm" in line for line in lines)
    assert any(line.startswith(f"{two}:") and "gale" in line for line in lines)


# ---- old baselines -----------------------------------------------------------------------------


def test_baselines_written_with_their_own_terms_keep_loading() -> None:
    old = load_baseline(ROOT / "tests" / "data" / "baselines" / "kazakhstan-2022-01-terms.yaml")
    assert len(old.claims) == 19 and all(c.frame is None for c in old.claims)
    ever_given = load_baseline(ROOT / "baselines" / "ever-given-2021-03.yaml")
    assert ever_given.claims and not ever_given.entities


def test_the_seed_baseline_shrank_by_half_with_frames() -> None:
    old = (ROOT / "tests" / "data" / "baselines" / "kazakhstan-2022-01-terms.yaml").read_text()
    new = (ROOT / "baselines" / "kazakhstan-2022-01.yaml").read_text()
    assert len(new.splitlines()) <= len(old.splitlines()) / 2
