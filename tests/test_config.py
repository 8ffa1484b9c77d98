"""Config errors, one by one: each names the file and the key, and ``check`` exits 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from claimwatch.config import load_config
from claimwatch.errors import ConfigError

FEED = '[[feeds]]\nname = "a"\nurl = "https://example.org/feed"\n'

# (id, config text, key path expected in the message, words expected in the message)
CASES = [
    ("unknown-top-key", 'stat = "x.db"\n', "stat", "unknown key"),
    ("unknown-feed-key", FEED + 'colour = "red"\n', "feeds[0].colour", "unknown key"),
    ("unknown-section-key", "[http]\nspeed = 3\n", "http.speed", "unknown key"),
    ("unknown-sink", '[alerts.pigeon]\npath = "-"\n', "alerts.pigeon", "unknown key"),
    ("wrong-type", '[http]\nmax_bytes = "lots"\n', "http.max_bytes", "integer"),
    ("wrong-type-bool", FEED + 'enabled = "maybe"\n', "feeds[0].enabled", "boolean"),
    ("duplicate-feed", FEED + FEED, "", "duplicate feed name 'a'"),
    ("non-http-url", '[[feeds]]\nname = "a"\nurl = "ftp://example.org/x"\n', "feeds[0].url",
     "http(s) URL"),
    ("relative-url", '[[feeds]]\nname = "a"\nurl = "/feed.xml"\n', "feeds[0].url", "http(s) URL"),
    ("interval-too-short", FEED + 'interval = "5s"\n', "feeds[0].interval", "between 30 seconds"),
    ("interval-unreadable", FEED + 'interval = "soon"\n', "feeds[0].interval", "duration"),
    ("fetch-mode", FEED + 'fetch_articles = "some"\n', "feeds[0].fetch_articles", "relevant"),
    ("missing-url", '[[feeds]]\nname = "a"\n', "feeds[0].url", "required"),
    ("short-grace", '[scheduler]\nmisfire_grace = "10s"\n', "scheduler.misfire_grace",
     "at least 60"),
    ("invalid-toml", 'state = "x.db\n', "", "invalid TOML"),
]  # fmt: skip
BY_SUBPROCESS = {"unknown-feed-key", "duplicate-feed", "non-http-url", "invalid-toml"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "claimwatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimwatch", "check", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("text", "key", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_load_config_names_file_and_key(tmp_path: Path, text: str, key: str, words: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert str(path) in message
    assert f": {key}: " in message if key else True
    assert words in message


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [c[1:] for c in CASES if c[0] in BY_SUBPROCESS],
    ids=[c[0] for c in CASES if c[0] in BY_SUBPROCESS],
)
def test_check_exits_2_naming_file_and_key(tmp_path: Path, text: str, key: str, words: str) -> None:
    path = write(tmp_path, text)
    result = check(path)
    assert result.returncode == 2, result.stderr
    assert str(path) in result.stderr and words in result.stderr
    assert key in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(ConfigError, match="cannot read config") as caught:
        load_config(path)
    assert str(path) in str(caught.value)
    result = check(path)
    assert result.returncode == 2 and str(path) in result.stderr


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, FEED + 'interval = "5s"\ncolour = 1\n[http]\nspeed = 3\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    for key in ("feeds[0].interval", "feeds[0].colour", "http.speed"):
        assert key in message


def test_problems_point_at_a_line(tmp_path: Path) -> None:
    path = write(tmp_path, FEED + 'interval = "5s"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert f"{path}:4: feeds[0].interval" in str(caught.value)


def test_the_shipped_config_is_valid() -> None:
    shipped = Path(__file__).resolve().parent.parent / "config" / "claimwatch.toml"
    config = load_config(shipped)
    assert len(config.feeds) >= 5
    assert all(feed.url.startswith("https://") for feed in config.feeds)
    assert config.state.name == "claimwatch.db" and config.state.parent.name == "var"
    assert config.alert_log_path is not None and config.alert_log_path.name == "alerts.jsonl"
