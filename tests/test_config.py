"""Config errors, one by one: each names the file and the key, and ``check`` exits 2."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from claimwatch.config import _RawConfig, load_config
from claimwatch.config_messages import known_tables, model_at
from claimwatch.errors import ConfigError

FEED = '[[feeds]]\nname = "a"\nurl = "https://example.org/feed"\n'

# (id, config text, key path expected in the message, words expected in the message)
CASES = [
    ("unknown-top-key", 'stat = "x.db"\n', "stat", "unknown key"),
    ("unknown-feed-key", FEED + 'colour = "red"\n', "feeds[0].colour", "unknown key"),
    ("unknown-section-key", "[http]\nspeed = 3\n", "http.speed", "unknown key"),
    ("unknown-sink", '[alerts.pigeon]\npath = "-"\n', "alerts.pigeon", "unknown table"),
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


# Every key of every table, each written in the TOML type an operator would write: strict
# validation (no "587" for a port) must still take all of them. Durations take both forms.
EVERY_KEY = """\
state = "var/claimwatch.db"
baselines = ["baselines"]
frames = []
opml = []

[feed_defaults]
fetch_articles = "relevant"

[http]
user_agent = "claimwatch-test"
connect_timeout = 10
read_timeout = "30s"
total_timeout = 60.5
max_bytes = 10_000_000
max_connections = 50
max_per_host = 4
allow_private_addresses = false
listen = "127.0.0.1:8650"
allowed_networks = ["10.0.0.0/8", "192.168.1.0/24"]
allowed_hosts = ["status.example.org"]
auth_token_file = "token"
auth_username = "monitor"
auth_password_file = "password"
token_file = "token"
listen_max_clients = 100
listen_header_timeout = "10s"
listen_idle_timeout = 30
healthz_max_poll_age = "1h"
healthz_backlog_window = 0

[scheduler]
jitter = 0
misfire_grace = "5m"
max_backoff = "6h"
max_retry_after = 86400
failing_after = "1d"
lease = 300.0

[alerts.log]
path = "-"

[alerts.email]
host = "smtp.example.org"
port = 587
security = "starttls"
username = "claimwatch"
password_file = "password"
sender = "Claimwatch <claimwatch@example.org>"
recipients = ["desk@example.org"]
digest = "1h"
subject_prefix = "[cw]"
timeout = 30
ca_file = "ca.pem"

{APPRISE}
[outbox]
unknown_hold = "30m"
unknown_retries = 2
reserve_mb = 64

[[feeds]]
name = "wire"
url = "https://example.org/feed"
interval = 900
fetch_articles = "all"
enabled = true
title = "The Wire"
"""
# loaded only by the key check below: the optional apprise package has its own tests
APPRISE = '[alerts.apprise]\nurls = ["json://hooks.example.org/claimwatch"]\nrepeats = true\n'
NOT_WRITTEN = {"alerts.email": {"password", "password_env"}}  # refused; exclusive (below)


def test_every_key_loads_in_its_natural_toml_type(tmp_path: Path) -> None:
    for name in ("token", "password", "ca.pem"):
        (tmp_path / name).write_text("secret\n", encoding="utf-8")
    config = load_config(write(tmp_path, EVERY_KEY.format(APPRISE="")))
    assert (config.http.connect_timeout, config.http.read_timeout) == (10.0, 30.0)
    assert config.http.total_timeout == 60.5 and config.http.max_bytes == 10_000_000
    assert config.http.allowed_networks == ("10.0.0.0/8", "192.168.1.0/24")
    assert config.feeds[0].interval == 900.0 and config.feeds[0].enabled is True
    assert config.alerts.email is not None and config.alerts.email.recipients == (
        "desk@example.org",
    )
    assert config.alerts.email.digest == 3600.0 and config.outbox.reserve_mb == 64
    with_env = EVERY_KEY.format(APPRISE="").replace(
        '\npassword_file = "password"', '\npassword_env = "CW_PASSWORD"'
    )
    assert load_config(write(tmp_path, with_env)).alerts.email is not None


def test_the_every_key_config_names_every_key() -> None:
    """A key added to the config's models needs a row above, so strict types are tried on it."""
    data = tomllib.loads(EVERY_KEY.format(APPRISE=APPRISE))
    for name, array in [("", False), *known_tables(_RawConfig)]:
        model = model_at(_RawConfig, tuple(name.split("."))) if name else _RawConfig
        assert model is not None
        table: Any = data
        for part in name.split(".") if name else ():
            table = table[part]
        written = set(table[0] if array else table)
        missing = set(model.model_fields) - written - NOT_WRITTEN.get(name, set())
        assert not missing, f"EVERY_KEY lacks [{name}] {sorted(missing)}"
