"""``claimwatch scan --explain``: why every baseline and claim did or did not fire.

Each reason the detector can have is produced by a real scan of a short made-up article
against small test baselines, and read back from ``--json``; the text form, the hint after
"no findings" and ``-v`` are checked on the command's output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from claimwatch import cli
from claimwatch.baselines import load_baselines
from claimwatch.matching import Document, Explanation, Trace, match
from tests.commands import claimwatch

HARBOUR = """\
id: harbour
title: Ferry sinks off Marlow (test baseline)
source: {outlet: Test Courier, date: 2023-03-12}
since: 2023-03-12
entities:
  vessel: "Silver Tern"
  place: "Marlow|Marlow Point"
claims:
  - id: missing
    statement: Fourteen passengers are missing.
    about: ["passenger*"]
    expect:
      - {type: quantity, value: 14, approx: exact, counts: ["missing"], trend: shrinks}
  - id: harbour-closed
    statement: The harbour is closed to shipping.
    about: ["harbour"]
    expect:
      - type: state
        holds: "closed"
        changes: [{name: reopening, terms: "reopen*"}]
  - id: bridge-open
    statement: The Marlow bridge stayed open.
    about: ["bridge"]
    expect:
      - type: assertion
        contradicted_by: ["closed|shut + bridge"]
        followed_up_by: ["inspection"]
  - id: no-foul-play
    statement: Police see no sign of foul play.
    about: ["police"]
    expect:
      - {type: absence, things: "foul play|sabotage"}
  - id: crew-unhurt
    statement: None of the crew was hurt.
    about: ["injur*|hurt"]
    expect:
      - {type: absence, things: "injur*|hurt", scope: ["crew"]}
  - id: sinking-time
    statement: The ferry sank at about 6:15 a.m.
    about: ["ferry|Silver Tern"]
    expect:
      - {type: time, time: "06:15", event: "sank|capsized"}
  - id: mayor-inquiry
    statement: The mayor promised an inquiry.
    about: ["inquiry"]
    context: ["mayor"]
    expect:
      - {type: assertion, followed_up_by: ["inquiry + opened"]}
  - id: tow
    statement: A tug will tow the wreck.
    about: ["tug + towline"]
    expect:
      - {type: assertion, followed_up_by: ["salvage"]}
  - id: lifeboats
    statement: Three lifeboats were launched.
    about: ["lifeboat*"]
    expect:
      - {type: quantity, value: 3, counts: ["lifeboat*"]}
"""
STORM = """\
id: storm
title: Storm hits Dunmere (test baseline)
source: {outlet: Test Courier, date: 2023-03-12}
subject: {terms: ["Dunmere"]}
claims:
  - id: passengers-missing
    statement: Nine passengers are missing.
    frame: people-count
    fate: missing
    value: 9
    approx: exact
    about: "passenger*"
  - id: crew-missing
    statement: Four crew members are missing.
    frame: people-count
    fate: missing
    value: 4
    approx: exact
    about: "crew"
"""
CONFIG = """\
state = "var/state.db"
baselines = ["baselines"]
[alerts.log]
path = "var/alerts.jsonl"
"""
DAY = "2023-03-14"  # after both baselines' dates


@pytest.fixture
def config(tmp_path: Path) -> Path:
    (tmp_path / "baselines").mkdir()
    (tmp_path / "baselines" / "harbour.yaml").write_text(HARBOUR, encoding="utf-8")
    (tmp_path / "baselines" / "storm.yaml").write_text(STORM, encoding="utf-8")
    path = tmp_path / "claimwatch.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def scan(
    config: Path, capsys: pytest.CaptureFixture[str], text: str, *args: str, day: str = DAY
) -> str:
    """``claimwatch scan`` of ``text`` (written to a file) in this process; its output."""
    article = config.parent / "article.txt"
    article.write_text(text, encoding="utf-8")
    dated = ["--published", day] if day else []
    code = cli.main(["-q", "scan", "--config", str(config), *dated, *args, str(article)])
    out = capsys.readouterr().out
    assert code == cli.EXIT_OK, out
    return out


def explained(config: Path, capsys: pytest.CaptureFixture[str], text: str, day: str = DAY) -> Any:
    return json.loads(scan(config, capsys, text, "--explain", "--json", day=day))


def claim(data: Any, baseline_id: str, claim_id: str) -> Any:
    (baseline,) = [b for b in data["explanation"]["baselines"] if b["baseline_id"] == baseline_id]
    (found,) = [c for c in baseline["claims"] if c["claim_id"] == claim_id]
    return found


def reason(data: Any, claim_id: str, baseline_id: str = "harbour") -> Any:
    found = claim(data, baseline_id, claim_id)
    assert not found["fired"], found["fired"]
    return found["reason"]


def baseline(data: Any, baseline_id: str) -> Any:
    return next(b for b in data["explanation"]["baselines"] if b["baseline_id"] == baseline_id)


# ---- the baseline's scope -------------------------------------------------------------------


def test_out_of_scope_names_the_required_terms(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = explained(config, capsys, "A ferry sank somewhere far away. Passengers are missing.")
    harbour = baseline(data, "harbour")
    assert harbour["in_scope"] is False and harbour["scope"]["code"] == "required_missing"
    assert "Silver Tern|Marlow|Marlow Point" in harbour["scope"]["detail"]
    assert all(c["reason"]["code"] == "required_missing" for c in harbour["claims"])
    assert len(harbour["claims"]) == 9  # every claim is listed, each with the baseline's reason


def test_published_before_since(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = explained(config, capsys, "The Silver Tern sank off Marlow.", day="2023-03-01")
    scope = baseline(data, "harbour")["scope"]
    assert scope["code"] == "before_since" and "2023-03-01" in scope["detail"]
    assert "2023-03-12" in scope["detail"]


def test_an_undated_look_back(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "In 2019 the Silver Tern ran aground off Marlow.\n\nNobody was hurt that year."
    scope = baseline(explained(config, capsys, text, day=""), "harbour")["scope"]
    assert scope["code"] == "look_back" and "2023" in scope["detail"]


# ---- a claim never judged -------------------------------------------------------------------


def test_claims_not_named_and_a_missing_context(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = explained(config, capsys, "The Silver Tern sank off Marlow. An inquiry will follow.")
    assert reason(data, "lifeboats")["code"] == "about_missing"
    assert "lifeboat*" in reason(data, "lifeboats")["detail"]
    context = reason(data, "mayor-inquiry")
    assert context["code"] == "context_missing" and "mayor" in context["detail"]


def test_terms_spread_over_sentences(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "The Silver Tern sank off Marlow. A tug arrived at dawn. Its towline snapped."
    found = reason(explained(config, capsys, text), "tow")
    assert found["code"] == "about_spread" and "tug + towline" in found["detail"]


def test_a_sentence_set_in_an_earlier_year(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "The Silver Tern sank off Marlow.\n\nIn 2019 the harbour was closed for a week."
    found = reason(explained(config, capsys, text), "harbour-closed")
    assert found["code"] == "earlier_year" and "2019" in found["sentence"]


def test_another_claim_of_the_frame_holds_the_focus(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "Dunmere waits for news.\n\nFour crew members are still missing, officials said."
    data = explained(config, capsys, text)
    found = reason(data, "passengers-missing", "storm")
    assert found["code"] == "focus_elsewhere" and "crew" in found["detail"]
    assert claim(data, "storm", "passengers-missing")["sentences_naming"] == 0


def test_nothing_said(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "The Silver Tern sank off Marlow.\n\nThe harbour master spoke to reporters."
    data = explained(config, capsys, text)
    assert reason(data, "harbour-closed")["code"] == "nothing_said"
    assert claim(data, "harbour", "harbour-closed")["sentences_naming"] == 1


# ---- judged, and not fired ------------------------------------------------------------------


def test_a_figure_within_the_claim_is_a_restatement(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "The Silver Tern sank off Marlow.\n\nFourteen passengers are missing."
    found = reason(explained(config, capsys, text), "missing")
    assert found["code"] == "restatement" and found["quote"] == "Fourteen"
    assert "figure 14 (exact" in found["detail"] and found["expectation"].startswith("figure 14")


@pytest.mark.parametrize(
    ("sentence", "code", "words"),
    [
        ("The ferry carried 90 passengers.", "figure_not_counted", "counts none"),
        ("Twenty passengers were initially reported missing.", "history", "initially"),
    ],
)
def test_a_figure_that_is_not_the_claims(
    config: Path, capsys: pytest.CaptureFixture[str], sentence: str, code: str, words: str
) -> None:
    found = reason(
        explained(config, capsys, f"The Silver Tern sank off Marlow. {sentence}"), "missing"
    )
    assert found["code"] == code and words in found["detail"]


@pytest.mark.parametrize(
    ("sentence", "code", "words"),
    [
        ("The bridge was not closed at any point.", "negated", "negated"),
        (
            "Officials denied reports that the bridge was closed.",
            "denied",
            "according to Officials",
        ),
        ('"I think the bridge was shut," one driver said.', "opinion", "I think"),
        ("Residents called for the bridge to be closed.", "irrealis", "request"),
        ("No inspection of the bridge has been ordered.", "absent", "inspection"),
    ],
)
def test_words_set_aside_by_a_cue(
    config: Path, capsys: pytest.CaptureFixture[str], sentence: str, code: str, words: str
) -> None:
    found = reason(
        explained(config, capsys, f"The Silver Tern sank off Marlow. {sentence}"), "bridge-open"
    )
    assert found["code"] == code and words in found["detail"]
    assert found["sentence"] == sentence and found["quote"]


@pytest.mark.parametrize(
    ("claim_id", "sentence", "code"),
    [
        ("no-foul-play", "Police asked whether it was sabotage?", "question"),
        ("no-foul-play", "Police said there was no sign of sabotage.", "restatement"),
        ("crew-unhurt", "Two passengers were injured.", "scope_missing"),
    ],
)
def test_a_ruled_out_thing_not_asserted(
    config: Path, capsys: pytest.CaptureFixture[str], claim_id: str, sentence: str, code: str
) -> None:
    found = reason(
        explained(config, capsys, f"The Silver Tern sank off Marlow. {sentence}"), claim_id
    )
    assert found["code"] == code and found["expectation"].startswith("rules out")


def test_a_change_without_a_stage(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "The Silver Tern sank off Marlow. The harbour will reopen once the wreck is removed."
    found = reason(explained(config, capsys, text), "harbour-closed")
    assert found["code"] == "no_stage" and found["quote"] == "reopen"


@pytest.mark.parametrize(
    ("sentence", "code"),
    [
        ("The sinking of the ferry was first reported at 6:40 a.m.", "reported_time"),
        ("The ferry capsized at 6:15 a.m., the coast guard said.", "restatement"),
    ],
)
def test_clock_times_that_do_not_fire(
    config: Path, capsys: pytest.CaptureFixture[str], sentence: str, code: str
) -> None:
    found = reason(
        explained(config, capsys, f"The Silver Tern sank off Marlow. {sentence}"), "sinking-time"
    )
    assert found["code"] == code and found["expectation"] == "time 6:15 ±5 min"


def test_a_sentence_about_another_vessel(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "The Silver Tern sank.\n\nAboard the ferry Blue Heron, sixteen passengers are missing."
    found = reason(explained(config, capsys, text), "missing")
    assert found["code"] == "not_grounded" and "another vessel, “Blue Heron”" in found["detail"]


def test_an_article_set_in_another_country(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "Ferry disaster in Norway leaves sixteen passengers missing.\n\n"
        "Rescuers searched the fjord all night.\n\nThe operator also runs the Silver Tern."
    )
    data = explained(config, capsys, text)
    assert baseline(data, "harbour")["setting"] == "Norway"
    found = reason(data, "missing")
    assert found["code"] == "not_grounded" and "set in Norway" in found["detail"]


def test_a_headline_overruled_by_its_body(tmp_path: Path) -> None:
    path = tmp_path / "harbour.yaml"
    path.write_text(HARBOUR, encoding="utf-8")
    baselines = load_baselines([path])
    document = Document(
        "Sixteen passengers missing after the Silver Tern sinks",
        "The Silver Tern sank off Marlow.\n\nFourteen passengers are missing.",
    )
    trace = Trace()
    assert match(document, baselines, trace=trace) == []
    found = trace.explanation().claim("harbour", "missing")
    assert found is not None and found.reason is not None
    assert found.reason.code == "headline_overruled" and found.reason.quote == "Sixteen"


# ---- fired ----------------------------------------------------------------------------------


def test_fired_claims_give_the_sentence_figure_and_rule(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "The Silver Tern sank.\n\nSixteen passengers are missing. The harbour reopened on Friday."
    )
    data = explained(config, capsys, text)
    (figure,) = claim(data, "harbour", "missing")["fired"]
    assert figure["kind"] == "contradiction" and figure["rule"] == "figure"
    assert figure["figure"] == "Sixteen" and figure["sentence"] == "Sixteen passengers are missing."
    assert figure["expectation"] == "figure 14 (exact, shrinks)"
    assert claim(data, "harbour", "missing")["reason"] is None
    (stage,) = claim(data, "harbour", "harbour-closed")["fired"]
    assert stage["rule"] == "stage" and stage["quote"] == "reopened"
    assert [f["claim_id"] for f in data["findings"]] == ["missing", "harbour-closed"]


def test_json_shape(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = explained(
        config, capsys, "The Silver Tern sank off Marlow. Sixteen passengers are missing."
    )
    assert set(data) == {"findings", "explanation"}
    harbour = baseline(data, "harbour")
    assert set(harbour) == {"baseline_id", "in_scope", "scope", "setting", "summary", "claims"}
    assert harbour["summary"] == "1 of 9 claims fired"
    claims = harbour["claims"]
    assert [c["claim_id"] for c in claims][:2] == ["missing", "harbour-closed"]
    keys = {"claim_id", "fired", "reason", "notes", "more_notes", "sentences_naming"}
    assert all(set(c) == keys for c in claims)
    note_keys = {"code", "label", "detail", "sentence", "quote", "expectation"}
    assert all(set(n) == note_keys for c in claims for n in c["notes"])
    fired_keys = {"kind", "rule", "rule_text", "expectation", "sentence", "quote", "figure"}
    assert set(claims[0]["fired"][0]) == fired_keys | {"reason", "score"}
    plain = json.loads(scan(config, capsys, "The Silver Tern sank off Marlow.", "--json"))
    assert set(plain) == {"findings"}  # without --explain, as before
    stored = json.loads(json.dumps(data["explanation"]))  # as a store would keep it
    assert Explanation.from_dict(stored).to_dict() == data["explanation"]


# ---- text -----------------------------------------------------------------------------------


def test_text_groups_per_baseline_fired_first(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "The Silver Tern sank.\n\nFourteen passengers are missing. The harbour reopened on Friday."
    )
    out = scan(config, capsys, text, "--explain")
    assert out.startswith("follow_up: harbour/harbour-closed")
    why = out.split("why, per baseline and claim:")[1]
    harbour = why[why.index("harbour: 1 of 9 claims fired") :]
    assert harbour.index("FIRED follow_up harbour-closed") < harbour.index("- missing: restatement")
    assert "rule: a change of the claim's state, at a stage" in harbour
    assert "sentence: “Fourteen passengers are missing.”" in harbour
    assert "- not named in the article (6): bridge-open, no-foul-play, crew-unhurt," in harbour
    assert "storm: out of scope: the article names no word of “Dunmere” (required)" in why


def test_no_findings_is_followed_by_the_main_reason_per_baseline(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = scan(config, capsys, "The Silver Tern sank off Marlow. Fourteen passengers are missing.")
    lines = out.splitlines()
    assert lines[0] == "no findings"
    assert lines[1].startswith("  harbour: closest claim missing: restatement: restates Fourteen")
    assert lines[2] == "  storm: out of scope: the article names no word of “Dunmere” (required)"
    assert lines[3] == "(claimwatch scan --explain shows why for every claim)"


@pytest.mark.slow
def test_verbose_explains_too(config: Path) -> None:
    article = config.parent / "article.txt"
    article.write_text("The Silver Tern sank off Marlow. Sixteen passengers are missing.")
    result = claimwatch("scan", "-v", "--config", str(config), str(article))
    assert result.returncode == 0, result.stderr
    assert "why, per baseline and claim:" in result.stdout
    assert "FIRED contradiction missing" in result.stdout


def test_a_bad_published_date_exits_2(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["scan", "--config", str(config), "--published", "14/03/2023", "x.txt"])
    assert stop.value.code == 2
    assert "not a date (YYYY-MM-DD): '14/03/2023'" in capsys.readouterr().err


# ---- the trace changes nothing --------------------------------------------------------------


def test_tracing_finds_exactly_what_matching_finds() -> None:
    root = Path(__file__).resolve().parent
    baselines = load_baselines(sorted((root.parent / "baselines").glob("*.yaml")))
    for path in sorted((root / "corpus").glob("*.txt")):
        document = Document("", path.read_text(encoding="utf-8"))
        for indexed in (True, False):
            plain = match(document, baselines, indexed=indexed)
            assert match(document, baselines, indexed=indexed, trace=Trace()) == plain, path.name
