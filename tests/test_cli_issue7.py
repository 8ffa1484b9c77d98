"""``claimwatch status``, ``report``, ``replay`` and ``once`` progress, run as a user runs them."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from claimwatch.archive import collect
from claimwatch.baselines import load_baselines
from claimwatch.config import load_config
from claimwatch.replay import replay
from claimwatch.store import open_store
from tests import replay_corpus
from tests.commands import claimwatch as run_claimwatch
from tests.commands import piped_env
from tests.e2e.helpers import RELEVANT, rss
from tests.servers import FEED_TYPE, FeedServer


def claimwatch(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_claimwatch(*args, cwd=cwd, env=piped_env())


def events(stderr: str, name: str) -> list[dict[str, object]]:
    found = []
    for line in stderr.splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("event") == name:
                found.append(record)
    return found


@pytest.fixture
def work(tmp_path: Path) -> Path:
    replay_corpus.write_workdir(tmp_path)
    replay_corpus.write_corpus(tmp_path / "news")
    return tmp_path


@pytest.mark.parametrize("command", ["status", "report", "replay"])
def test_help(command: str, work: Path) -> None:
    result = claimwatch(command, "--help", cwd=work)
    assert result.returncode == 0 and "--config" in result.stdout


def test_status_without_state(work: Path) -> None:
    result = claimwatch("status", "--config", "claimwatch.toml", cwd=work)
    assert result.returncode == 0, result.stderr
    assert "no state yet" in result.stdout and "The Freedonia bridge stayed open." in result.stdout
    assert not (work / "var").exists()


def test_replay_twice(work: Path) -> None:
    result = claimwatch("replay", "--config", "claimwatch.toml", "news", cwd=work)
    assert result.returncode == 0, result.stderr
    assert "4 files, 6 articles (6 new), 5 alerts (5 contradiction)" in result.stderr
    assert "not delivered" in result.stderr
    assert [e["status"] for e in events(result.stderr, "replay.progress")][-1] == "6/6"
    assert not (work / "var" / "alerts.jsonl").exists()
    again = claimwatch("replay", "--config", "claimwatch.toml", "news", cwd=work)
    assert again.returncode == 0 and "(0 new), 0 alerts" in again.stderr


@pytest.fixture
async def replayed(work: Path) -> Path:
    """``work`` with the corpus replayed into its state (in this process: quicker)."""
    config = load_config(work / "claimwatch.toml")
    store = open_store(config.state)
    try:
        items = collect([work / "news"]).items
        await replay(config, load_baselines(config.baselines), store, items)
    finally:
        store.close()
    return work


def test_status_after_a_replay(replayed: Path) -> None:
    status = claimwatch("status", "--config", "claimwatch.toml", cwd=replayed)
    assert status.returncode == 0, status.stderr
    bridge = next(line for line in status.stdout.splitlines() if "freedonia/bridge" in line)
    statement = "The Freedonia bridge stayed open."
    cells = re.split(r"\s{2,}", bridge.strip())
    assert cells == ["freedonia/bridge", statement, "0", "4", "2022-01-13"]
    assert max(map(len, status.stdout.splitlines())) <= 120


def test_report_after_a_replay(replayed: Path) -> None:
    out = replayed / "site" / "report.html"
    out.parent.mkdir()
    report = claimwatch("report", "--config", "claimwatch.toml", "--out", str(out), cwd=replayed)
    assert report.returncode == 0, report.stderr
    page = out.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert "The Freedonia bridge stayed open." in page and "Freedonia Gazette" in page
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temporary left
    piped = claimwatch("report", "--config", "claimwatch.toml", "--out", "-", cwd=replayed)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.lstrip().lower().startswith("<!doctype html")  # the page, not a path
    assert "The Freedonia bridge stayed open." in piped.stdout and not piped.stderr


def test_report_into_a_missing_folder_is_an_input_error(work: Path) -> None:
    result = claimwatch("report", "--config", "claimwatch.toml", "--out", "no/such.html", cwd=work)
    assert result.returncode == 2
    assert "no/such.html" in result.stderr and "Traceback" not in result.stderr


def test_replay_deliver_writes_the_alert_log(work: Path) -> None:
    args = ("replay", "--config", "claimwatch.toml", "--deliver", "news")
    result = claimwatch(*args, cwd=work)
    assert result.returncode == 0, result.stderr
    assert "5 delivered" in result.stderr
    lines = (work / "var" / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    published = [json.loads(line)["published"] for line in lines]
    assert [p[:10] for p in published if p] == list(replay_corpus.DATED)


def test_replay_names_bad_files_and_goes_on(work: Path) -> None:
    (work / "news" / "broken.rss").write_text("<rss><channel>", encoding="utf-8")
    result = claimwatch("replay", "--config", "claimwatch.toml", "news", "gone.jsonl", cwd=work)
    assert result.returncode == 0, result.stderr
    assert "news/broken.rss: not a usable feed" in result.stderr
    assert "gone.jsonl: no such file or folder" in result.stderr
    assert "5 alerts" in result.stderr and "Traceback" not in result.stderr


def test_replay_with_nothing_usable_exits_2(work: Path) -> None:
    (work / "empty").mkdir()
    (work / "empty" / "bad.jsonl").write_text("nope\n", encoding="utf-8")
    result = claimwatch("replay", "--config", "claimwatch.toml", "empty", cwd=work)
    assert result.returncode == 2
    assert "empty/bad.jsonl:1: not JSON" in result.stderr
    assert "no usable articles in empty" in result.stderr and "Traceback" not in result.stderr
    assert not (work / "var").exists()


def test_once_logs_progress_per_feed_off_a_terminal(work: Path, feed_server: FeedServer) -> None:
    feed_server.route("/a.xml", rss(feed_server, [RELEVANT]), content_type=FEED_TYPE)
    feed_server.route("/b.xml", rss(feed_server, []), content_type=FEED_TYPE)
    config = work / "claimwatch.toml"
    text = config.read_text(encoding="utf-8").split("[[feeds]]")[0]
    text += "[http]\nallow_private_addresses = true\n"
    for name in ("a", "b"):
        url = feed_server.url(f"/{name}.xml")
        text += f'[[feeds]]\nname = "{name}"\nurl = "{url}"\nfetch_articles = "none"\n'
    config.write_text(text, encoding="utf-8")
    result = claimwatch("once", "--config", "claimwatch.toml", cwd=work)
    assert result.returncode == 0, result.stderr
    progress = events(result.stderr, "once.progress")
    assert sorted(str(e["status"]) for e in progress) == ["1/2", "2/2"]
    assert sorted(str(e["feed"]) for e in progress) == ["a", "b"]
