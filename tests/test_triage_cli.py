"""``claimwatch alerts confirm|dismiss|seen`` and ``claimwatch claims``, through the real
command on a real SQLite state: prefixes, all-or-nothing, what the listings show after."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from claimwatch.cli import build_parser
from claimwatch.config import Config, load_config
from claimwatch.store import open_store
from tests import replay_corpus
from tests.commands import claimwatch
from tests.test_status import alert

T0 = datetime(2022, 1, 11, 7, tzinfo=UTC)
# two ids share the prefix 8047; the third is alone under 93
IDS = ("80476602c9665f3e11be", "8047aa00000000000000", "93aa0000000000000000")


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """The replay corpus's workdir (baseline freedonia: claims bridge, troops), with three
    stored alerts, each pending for the log sink."""
    loaded = load_config(replay_corpus.write_workdir(tmp_path))
    store = open_store(loaded.state)
    try:
        store.add_alerts(
            [
                alert(1, "bridge", "contradiction", T0, alert_id=IDS[0]),
                alert(2, "bridge", "follow_up", T0, alert_id=IDS[1]),
                alert(3, "troops", "contradiction", T0, alert_id=IDS[2]),
            ],
            ["log"],
        )
    finally:
        store.close()
    return loaded


def run(config: Config, *args: str, user: str = "analyst7") -> tuple[int, str, str]:
    env = {**os.environ, "LOGNAME": user, "USER": user}
    result = claimwatch(*args, "--config", str(config.path), env=env)
    return result.returncode, result.stdout, result.stderr


def verdicts(config: Config) -> dict[str, tuple[str, str | None, str | None, str]]:
    store = open_store(config.state)
    try:
        return {k: (v.verdict, v.reason, v.note, v.by) for k, v in store.verdicts().items()}
    finally:
        store.close()


def test_a_unique_prefix_names_an_alert_and_the_listings_show_the_verdict(
    config: Config,
) -> None:
    code, out, err = run(config, "alerts", "dismiss", "80476", "--reason", "wrong-figure",
                         "--note", "the first wave only")  # fmt: skip
    assert code == 0, err
    assert out == f"dismissed (wrong-figure) {IDS[0]} freedonia/bridge: Report 1\n"
    code, out, err = run(config, "alerts", "confirm", "93", IDS[2].upper(), "--by", "bo")
    assert code == 0, err
    assert out.splitlines() == [f"confirmed {IDS[2]} freedonia/troops: Report 3"]  # once
    assert verdicts(config) == {
        IDS[0]: ("dismissed", "wrong-figure", "the first wave only", "analyst7"),
        IDS[2]: ("confirmed", None, None, "bo"),
    }

    _, out, _ = run(config, "alerts", "--json")
    listed = {r["alert_id"]: r["verdict"] for r in map(json.loads, out.splitlines())}
    assert listed[IDS[1]] is None
    assert listed[IDS[0]] is not None and listed[IDS[0]]["by"] == "analyst7"
    assert (listed[IDS[0]]["verdict"], listed[IDS[0]]["reason"]) == ("dismissed", "wrong-figure")
    assert datetime.fromisoformat(listed[IDS[2]]["at"]).utcoffset() is not None
    _, text, _ = run(config, "alerts")
    assert "dismissed (wrong-figure) by analyst7" in text and ": the first wave only" in text
    assert IDS[1] in text  # the full id, to pass to the verdict commands

    _, out, _ = run(config, "status", "--json")
    claims = {c["claim_id"]: c for c in json.loads(out)["claims"]}
    bridge, troops = claims["bridge"], claims["troops"]
    assert (bridge["contradictions"], bridge["follow_ups"], bridge["dismissed"]) == (0, 1, 1)
    assert (troops["contradictions"], troops["confirmed"], troops["unjudged"]) == (1, 1, 0)
    assert [a["verdict"] and a["verdict"]["verdict"] for a in bridge["alerts"]] == [
        "dismissed",
        None,
    ]  # every alert is still listed, with its verdict


def test_an_unknown_or_ambiguous_id_records_nothing(config: Config) -> None:
    code, out, err = run(config, "alerts", "seen", "93", "8047", "ffff")
    assert code == 2 and out == ""
    assert f"alert '8047': ambiguous, matches {IDS[0]}, {IDS[1]}" in err
    assert "alert 'ffff': no stored alert has this id" in err
    assert "no verdict was recorded" in err and "Traceback" not in err
    assert verdicts(config) == {}  # not even the one for 93
    code, _, err = run(config, "alerts", "dismiss", "93", user="claimwatch")
    assert code == 2 and "the login name 'claimwatch' is the name of claimwatch's own" in err
    assert verdicts(config) == {}  # an analyst's call must not pass for claimwatch's own


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["alerts", "confirm", "93", "--reason", "not-news"], "unrecognized arguments: --reason"),
        (["alerts", "dismiss", "93", "--reason", "boring"], "'wrong-story'"),  # choices named
        (["claims", "mute"], "BASELINE_ID/CLAIM_ID"),
    ],
)
def test_arguments_the_parser_refuses(
    args: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(args)
    assert stopped.value.code == 2 and said in capsys.readouterr().err


def test_without_a_state_nothing_is_created(tmp_path: Path) -> None:
    loaded = load_config(replay_corpus.write_workdir(tmp_path))
    code, _, err = run(loaded, "alerts", "dismiss", "abc")
    assert code == 1 and "no state yet" in err and str(loaded.state) in err
    code, _, err = run(loaded, "claims", "mute", "freedonia/bridge")
    assert code == 1 and "no state yet" in err
    assert not loaded.state.exists()


def test_claims_mute_close_open_and_the_listing(config: Config) -> None:
    code, out, err = run(config, "claims", "close", "freedonia/bridge", "--note",
                         "reopened on 14 January")  # fmt: skip
    assert code == 0, err
    assert out.startswith("closed freedonia/bridge (reopened on 14 January): new alerts")
    code, _, err = run(config, "claims", "mute", "freedonia/troops", "nope/x", "troops")
    assert code == 2
    assert "claim 'nope/x': no loaded baseline holds it" in err
    assert "claim 'troops': expected BASELINE_ID/CLAIM_ID" in err

    _, out, _ = run(config, "claims")
    head, bridge, troops = out.splitlines()
    assert head.split()[:3] == ["CLAIM", "STATE", "CONTRA"]
    assert bridge.split()[:4] == ["freedonia/bridge", "closed", "1", "1"]
    assert bridge.endswith("reopened on 14 January")
    assert troops.split()[:2] == ["freedonia/troops", "open"]  # the mute was not recorded

    assert run(config, "claims", "open", "freedonia/bridge")[0] == 0
    _, out, _ = run(config, "claims", "--json")
    records = {r["claim_id"]: r for r in map(json.loads, out.splitlines())}
    assert (records["bridge"]["state"], records["bridge"]["state_by"]) == ("open", "analyst7")
    assert "alerts" not in records["bridge"] and records["bridge"]["unjudged"] == 2
