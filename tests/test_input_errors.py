"""Every way to get the config or a baseline wrong: exit 2 and one message per problem.

Each row of the table is one mistake. ``claimwatch check`` must exit 2 and print one line for
it naming the file, the line (where the parser knows it) and the field. The table runs
through ``cli.main`` in-process; a few rows also run as a real subprocess.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from claimwatch import cli
from tests import freedonia

FEED = '[[feeds]]\nname = "a"\nurl = "https://example.org/feed"\n'
EMAIL = (
    '[alerts.email]\nhost = "smtp.example.org"\nsender = "cw@example.org"\n'
    'recipients = ["desk@example.org"]\nusername = "cw"\n'
)
SMTP = (
    '[alerts.email]\nhost = "smtp.example.org"\nsender = "cw@example.org"\n'
    'recipients = ["desk@example.org"]\n'
)
BASELINE = freedonia.baseline(freedonia.BRIDGE, freedonia.PEACEKEEPERS)
CONFIG = 'baselines = ["baselines"]\n' + FEED


@dataclass(frozen=True)
class Case:
    id: str
    file: str  # "config" or "baseline": which file carries the mistake
    text: str
    field: str  # the key path the message must name ("" when the file as a whole is wrong)
    line: int | None  # the line the message must name, None when no line is known
    words: str


def baseline(old: str, new: str) -> str:
    assert old in BASELINE
    return BASELINE.replace(old, new, 1)


CASES = [
    # -- config: missing keys, wrong types, unknown keys
    Case("missing-feed-url", "config", '[[feeds]]\nname = "a"\n', "feeds[0].url", 1, "required"),
    Case("missing-feed-name", "config", '[[feeds]]\nurl = "https://e.org/f"\n', "feeds[0].name",
         1, "required"),
    Case("missing-email-host", "config",
         '[alerts.email]\nsender = "cw@example.org"\nrecipients = ["d@example.org"]\n',
         "alerts.email.host", 1, "required"),
    Case("wrong-type-int", "config", '[http]\nmax_bytes = "lots"\n', "http.max_bytes", 2,
         "integer"),
    Case("wrong-type-bool", "config", FEED + 'enabled = "maybe"\n', "feeds[0].enabled", 4,
         "boolean"),
    Case("wrong-type-table", "config", 'feeds = "all of them"\n', "feeds", 1, "array"),
    Case("wrong-type-state", "config", "state = 5\n" + FEED, "state", 1, "string"),
    # -- config: no silent coercion; the type TOML should have written
    Case("wrong-type-port-quoted", "config", SMTP + 'port = "587"\n', "alerts.email.port", 5,
         'expected an integer, got the string "587" (write 587 without quotes)'),
    Case("wrong-type-bool-yes", "config", FEED + 'enabled = "yes"\n', "feeds[0].enabled", 4,
         'expected a boolean (true or false), got the string "yes"'),
    Case("wrong-type-bool-quoted", "config", FEED + 'enabled = "false"\n', "feeds[0].enabled",
         4, "(write false without quotes)"),
    Case("wrong-type-int-quoted", "config", '[http]\nmax_bytes = "10_000_000"\n',
         "http.max_bytes", 2, "(write 10_000_000 without quotes)"),
    Case("wrong-type-int-float", "config", "[outbox]\nreserve_mb = 1.5\n", "outbox.reserve_mb",
         2, "expected an integer, got the float 1.5"),
    Case("wrong-type-int-bool", "config", "[http]\nmax_per_host = true\n",
         "http.max_per_host", 2, "expected an integer, got the boolean true"),
    Case("wrong-type-listen-number", "config", "[http]\nlisten = 8650\n", "http.listen", 2,
         "expected a string, got the integer 8650"),
    Case("wrong-type-recipients", "config", SMTP.replace('["desk@example.org"]',
         '"desk@example.org"'), "alerts.email.recipients", 4, "expected an array, got a string"),
    Case("wrong-type-sink", "config", '[alerts]\nlog = "-"\n', "alerts.log", 2,
         "expected a table, got a string"),
    # -- config: misspelt tables on their header's line, unknown keys with the nearest one
    Case("unknown-table-alert-log", "config", FEED + '[alert.log]\npath = "-"\n', "alert.log",
         4, "unknown table [alert.log]: did you mean [alerts.log]?"),
    Case("unknown-table-schedular", "config", FEED + "[schedular]\njitter = 0\n", "schedular",
         4, "unknown table [schedular]: did you mean [scheduler]?"),
    Case("unknown-table-feed", "config", '[[feed]]\nname = "a"\nurl = "https://e.org/f"\n',
         "feed", 1, "unknown table [[feed]]: did you mean [[feeds]]?"),
    Case("unknown-table-emial", "config", FEED + SMTP.replace("email", "emial", 1),
         "alerts.emial", 4, "unknown table [alerts.emial]: did you mean [alerts.email]?"),
    Case("unknown-key-intervall", "config", FEED + 'intervall = "20m"\n', "feeds[0].intervall",
         4, "unknown key 'intervall': did you mean 'interval'?"),
    Case("unknown-key-nearest", "config", '[http]\nmax_byte = 1024\n', "http.max_byte", 2,
         "unknown key 'max_byte': did you mean 'max_bytes'?"),
    Case("unknown-top-key", "config", 'stat = "x.db"\n', "stat", 1, "unknown key"),
    Case("unknown-feed-key", "config", FEED + 'colour = "red"\n', "feeds[0].colour", 4,
         "unknown key"),
    Case("unknown-nested-key", "config", '[alerts.log]\npath = "-"\ncolour = 1\n',
         "alerts.log.colour", 3, "unknown key"),
    Case("unknown-sink", "config", '[alerts.pigeon]\npath = "-"\n', "alerts.pigeon", 1,
         "unknown table [alerts.pigeon] (known tables: [[feeds]], [http]"),
    # -- config: bad URLs and intervals
    Case("url-ftp", "config", '[[feeds]]\nname = "a"\nurl = "ftp://example.org/x"\n',
         "feeds[0].url", 3, "http(s) URL"),
    Case("url-relative", "config", '[[feeds]]\nname = "a"\nurl = "/feed.xml"\n', "feeds[0].url",
         3, "http(s) URL"),
    Case("url-no-host", "config", '[[feeds]]\nname = "a"\nurl = "http://"\n', "feeds[0].url", 3,
         "http(s) URL"),
    Case("interval-too-short", "config", FEED + 'interval = "5s"\n', "feeds[0].interval", 4,
         "between 30 seconds and 7 days"),
    Case("interval-too-long", "config", FEED + 'interval = "8d"\n', "feeds[0].interval", 4,
         "between 30 seconds and 7 days"),
    Case("interval-negative", "config", FEED + "interval = -60\n", "feeds[0].interval", 4,
         "negative"),
    Case("interval-words", "config", FEED + 'interval = "soon"\n', "feeds[0].interval", 4,
         "duration"),
    Case("interval-boolean", "config", FEED + "interval = true\n", "feeds[0].interval", 4,
         "boolean"),
    Case("grace-too-short", "config", '[scheduler]\nmisfire_grace = "10s"\n',
         "scheduler.misfire_grace", 2, "at least 60"),
    Case("failing-after-too-short", "config", '[scheduler]\nfailing_after = "10s"\n',
         "scheduler.failing_after", 2, "greater than or equal to 60"),
    # -- config: secrets, duplicates, syntax
    Case("password-file-missing", "config", EMAIL + 'password_file = "absent.txt"\n',
         "alerts.email.password_file", 6, "No such file"),
    Case("password-file-is-a-folder", "config", EMAIL + 'password_file = "."\n',
         "alerts.email.password_file", 6, "Is a directory"),
    Case("password-in-clear", "config", EMAIL + 'password = "hunter2"\n', "alerts.email.password",
         6, "plaintext password"),
    Case("duplicate-feed-name", "config", FEED + FEED, "feeds[1].name", 5,
         "duplicate feed name 'a'"),
    Case("invalid-toml-string", "config", '[http]\nuser_agent = "x\n', "", 2, "invalid TOML"),
    Case("invalid-toml-duplicate-key", "config", 'state = "a"\nstate = "b"\n', "", 2,
         "invalid TOML"),
    Case("invalid-toml-table-twice", "config", "[http]\n[http]\n", "", 2, "invalid TOML"),
    # -- baselines: missing keys, wrong types, unknown keys
    Case("missing-title", "baseline", baseline("title: Freedonia test baseline\n", ""), "title", 1,
         "required field is missing"),
    Case("missing-statement", "baseline",
         baseline("    statement: The Freedonia bridge stayed open.\n", ""),
         "claims[bridge].statement", 6, "required field is missing"),
    Case("unknown-claim-key", "baseline", baseline("    about: [\"bridge\"]\n",
         "    about: [\"bridge\"]\n    colour: red\n"), "claims[bridge].colour", 9, "unknown key"),
    Case("unknown-key-misspelt-baseline", "baseline",
         baseline("title: Freedonia test baseline\n",
                  "title: Freedonia test baseline\nsinse: 2022-01-10\n"),
         "sinse", 3, "unknown key 'sinse': did you mean 'since'?"),
    Case("unknown-key-misspelt-claim", "baseline", baseline("    about: [\"bridge\"]\n",
         "    about: [\"bridge\"]\n    quot: stayed open\n"), "claims[bridge].quot", 9,
         "unknown key 'quot': did you mean 'quote'?"),
    Case("claims-not-a-list", "baseline", BASELINE.split("claims:")[0] + "claims: lots\n",
         "claims", 5, "tuple"),
    Case("figure-not-a-number", "baseline", baseline("value: 2500", "value: lots"),
         "claims[troops].expect[0].value", 16, "valid number"),
    Case("unknown-expectation-type", "baseline", baseline("type: assertion", "type: rumour"),
         "claims[bridge].expect[0]", 10, "rumour"),
    # -- baselines: the claim itself
    Case("claim-without-terms", "baseline", baseline('    about: ["bridge"]\n', ""),
         "claims[bridge].about", 6, "required field is missing"),
    Case("claim-with-empty-terms", "baseline", baseline('about: ["bridge"]', "about: []"),
         "claims[bridge].about", 8, "must not be empty"),
    Case("subject-without-terms", "baseline", baseline('terms: ["Freedonia"]', "terms: []"),
         "subject.terms", 4, "must not be empty"),
    Case("quantity-without-value", "baseline", baseline("        value: 2500\n", ""),
         "claims[troops].expect[0].value", 16, "required field is missing"),
    Case("quantity-value-negative", "baseline", baseline("value: 2500", "value: -3"),
         "claims[troops].expect[0].value", 16, "greater than 0"),
    Case("claim-without-expectation", "baseline",
         baseline('      - type: assertion\n        contradicted_by: ["bridge + closed|shut"]\n',
                  ""), "claims[bridge].expect", 9, "valid tuple"),
    Case("bad-term-pattern", "baseline", baseline('about: ["bridge"]', 'about: ["bridge + "]'),
         "claims[bridge].about", 8, "empty term"),
    Case("bad-claim-id", "baseline", baseline("id: bridge", "id: Bridge!"), "claims[Bridge!].id",
         6, "should match pattern"),
    Case("duplicate-claim-id", "baseline", baseline("id: troops", "id: bridge"),
         "claims[bridge].id", 12, "duplicate claim id 'bridge'"),
    Case("impossible-date", "baseline", baseline("date: 2022-01-09", "date: 2022-13-45"),
         "source.date", 3, "month must be in 1..12"),
    # -- baselines: syntax
    Case("invalid-yaml-bracket", "baseline", baseline('about: ["bridge"]', 'about: ["bridge"'),
         "", 9, "invalid YAML"),
    Case("invalid-yaml-tab", "baseline", baseline("    statement: The", "\tstatement: The"), "",
         7, "invalid YAML"),
    Case("yaml-not-a-mapping", "baseline", "- a\n- b\n", "", None, "must be a mapping"),
    Case("empty-baseline", "baseline", "", "", None, "must be a mapping"),
]  # fmt: skip


def write_case(tmp_path: Path, case: Case) -> tuple[Path, Path]:
    """The config and baseline of ``case`` in ``tmp_path``; returns (config, faulty file)."""
    folder = tmp_path / "baselines"
    folder.mkdir()
    config = tmp_path / "claimwatch.toml"
    bad_baseline = folder / "freedonia.yaml"
    bad_baseline.write_text(case.text if case.file == "baseline" else BASELINE, encoding="utf-8")
    if case.file == "config":
        config.write_text('baselines = ["baselines"]\n' + case.text, encoding="utf-8")
        return config, config
    config.write_text(CONFIG, encoding="utf-8")
    return config, bad_baseline


def expected_prefix(file: Path, case: Case, offset: int) -> str:
    """``file:line: field: `` as the message starts (the config gains one line on top)."""
    line = None if case.line is None else case.line + offset
    where = f"{file}:{line}" if line else str(file)
    return f"{where}: {case.field}: " if case.field else f"{where}: "


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_mistake_exits_2_with_one_located_message(
    tmp_path: Path,
    case: Case,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(cli, "setup_logging", lambda *args: None)  # leave pytest's logging be
    config, faulty = write_case(tmp_path, case)
    assert cli.main(["check", "--config", str(config)]) == cli.EXIT_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    header, *problems = captured.err.splitlines()
    assert header == "claimwatch check: invalid input:"
    assert len(problems) == 1, captured.err
    offset = 1 if case.file == "config" else 0
    assert problems[0].startswith(expected_prefix(faulty, case, offset)), problems[0]
    assert case.words in problems[0]


def test_the_table_covers_every_kind_of_mistake() -> None:
    kinds = (
        "missing", "wrong-type", "unknown-table", "unknown-key", "url", "interval",
        "password-file", "duplicate", "without-terms", "quantity-without-value", "invalid-yaml",
        "invalid-toml",
    )  # fmt: skip
    for kind in kinds:
        assert any(kind in case.id for case in CASES), kind


def test_several_mistakes_are_all_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "baselines"
    folder.mkdir()
    (folder / "one.yaml").write_text(baseline("value: 2500", "value: lots"), encoding="utf-8")
    (folder / "two.yaml").write_text(
        baseline("id: freedonia", "id: other").replace("title: ", "titel: "), encoding="utf-8"
    )
    config = tmp_path / "claimwatch.toml"
    config.write_text(CONFIG, encoding="utf-8")
    result = run_check(config)
    assert result.returncode == 2
    problems = result.stderr.splitlines()[1:]
    assert len(problems) == 3, result.stderr
    assert problems[0].startswith(f"{folder / 'one.yaml'}:16: claims[troops].expect[0].value: ")
    assert {p.split(": ")[1] for p in problems[1:]} == {"title", "titel"}


@pytest.mark.parametrize("index", range(3))
def test_missing_or_unreadable_files(tmp_path: Path, index: int) -> None:
    config = tmp_path / "claimwatch.toml"
    if index == 0:
        target, words = config, "cannot read config"  # no config at all
    elif index == 1:
        config.write_bytes('state = "caf\xe9.db"\n'.encode("latin-1"))
        target, words = config, "not UTF-8"
    else:
        config.write_text('baselines = ["absent"]\n', encoding="utf-8")
        target, words = tmp_path / "absent", "cannot read baseline"
    result = run_check(config)
    assert result.returncode == 2
    assert str(target) in result.stderr and words in result.stderr
    assert "Traceback" not in result.stderr


def run_check(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimwatch", "check", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "case",
    [
        c
        for c in CASES
        if c.id
        in {
            "duplicate-feed-name",
            "impossible-date",
            "duplicate-claim-id",
            "wrong-type-port-quoted",
            "unknown-table-alert-log",
        }
    ],
    ids=lambda c: c.id,
)
def test_as_a_real_process(tmp_path: Path, case: Case) -> None:
    config, faulty = write_case(tmp_path, case)
    result = run_check(config)
    assert result.returncode == 2
    offset = 1 if case.file == "config" else 0
    assert expected_prefix(faulty, case, offset) in result.stderr
    assert case.words in result.stderr
    assert "Traceback" not in result.stderr
