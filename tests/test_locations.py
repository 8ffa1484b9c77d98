"""Where the config is found and where the state goes: the search order, systemd's
``$STATE_DIRECTORY``, and ``check`` saying which config it read."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from claimwatch import locations
from claimwatch.config import default_config_path, load_config
from claimwatch.errors import InputError
from claimwatch.locations import find_config, state_path, try_find_config
from tests import freedonia
from tests.commands import claimwatch

CONFIG = freedonia.CONFIG


def _write_config(path: Path, text: str = CONFIG) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    baselines = path.parent / "baselines"
    baselines.mkdir(exist_ok=True)
    (baselines / "freedonia.yaml").write_text(
        freedonia.baseline(freedonia.BRIDGE), encoding="utf-8"
    )
    return path


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Every searched place inside tmp_path, none existing yet; the current folder is empty."""
    here, home, xdg = tmp_path / "here", tmp_path / "home", tmp_path / "xdg"
    for folder in (here, home, xdg):
        folder.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    monkeypatch.delenv("CLAIMWATCH_CONFIG", raising=False)
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    system = tmp_path / "etc" / "claimwatch" / "claimwatch.toml"
    monkeypatch.setattr(locations, "SYSTEM_CONFIG", system)
    return {
        "env": tmp_path / "env" / "claimwatch.toml",
        "cwd": here / "config" / "claimwatch.toml",
        "xdg": xdg / "claimwatch" / "claimwatch.toml",
        "home": home / ".config" / "claimwatch" / "claimwatch.toml",
        "system": system,
    }


def _found(places: dict[str, Path]) -> tuple[Path, str]:
    found = find_config(None)
    return found.path.absolute(), found.source


def test_the_search_order_takes_the_first_that_exists(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_config(places["system"])
    assert _found(places) == (places["system"], str(places["system"]))
    _write_config(places["xdg"])
    assert _found(places) == (places["xdg"], "$XDG_CONFIG_HOME/claimwatch/claimwatch.toml")
    _write_config(places["cwd"])
    assert _found(places) == (places["cwd"], "./config/claimwatch.toml")
    monkeypatch.setenv("CLAIMWATCH_CONFIG", str(_write_config(places["env"])))
    assert _found(places) == (places["env"], "$CLAIMWATCH_CONFIG")
    given = find_config(Path("elsewhere.toml"))
    assert (given.path, given.source) == (Path("elsewhere.toml"), "--config")
    assert default_config_path() == places["env"]


def test_without_xdg_config_home_the_home_folder_is_searched(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_config(places["home"])
    _write_config(places["system"])
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert _found(places) == (places["home"], "~/.config/claimwatch/claimwatch.toml")
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/folder")  # ignored, as the XDG rules say
    assert _found(places) == (places["home"], "~/.config/claimwatch/claimwatch.toml")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(places["xdg"].parent.parent))  # set, no config
    assert _found(places) == (places["system"], str(places["system"]))


def test_a_missing_file_named_by_the_variable_is_not_passed_over(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_config(places["cwd"])
    monkeypatch.setenv("CLAIMWATCH_CONFIG", str(places["env"]))
    assert _found(places) == (places["env"], "$CLAIMWATCH_CONFIG")
    with pytest.raises(InputError, match="cannot read config"):
        load_config(find_config(None).path)


def test_no_config_anywhere_names_every_place_and_suggests_init(places: dict[str, Path]) -> None:
    assert try_find_config(None) is None
    with pytest.raises(InputError) as caught:
        find_config(None)
    message = str(caught.value)
    for key in ("cwd", "xdg", "system"):
        assert str(places[key]) in message
    assert "$CLAIMWATCH_CONFIG" in message and "claimwatch init" in message
    lines = message.splitlines()
    order = [
        next(i for i, line in enumerate(lines) if str(places[key]) in line)
        for key in ("cwd", "xdg", "system")
    ]
    assert order == sorted(order)


def test_check_says_which_config_it_found(tmp_path: Path) -> None:
    here, xdg = tmp_path / "here", tmp_path / "xdg"
    here.mkdir()
    config = _write_config(xdg / "claimwatch" / "claimwatch.toml")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(xdg)}
    result = claimwatch("check", cwd=here, env=env)
    assert result.returncode == 0, result.stderr
    assert f"config: {config} (from $XDG_CONFIG_HOME/claimwatch/claimwatch.toml)" in result.stdout
    _write_config(here / "config" / "claimwatch.toml")
    result = claimwatch("check", cwd=here, env=env)
    assert result.returncode == 0, result.stderr
    local = here / "config" / "claimwatch.toml"
    assert f"config: {local} (from ./config/claimwatch.toml)" in result.stdout


@pytest.mark.skipif(os.path.exists("/etc/claimwatch/claimwatch.toml"), reason="a system config")
def test_check_without_any_config_exits_2_naming_the_places(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    result = claimwatch("check", cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert str(tmp_path / "config" / "claimwatch.toml") in result.stderr
    assert str(tmp_path / ".config" / "claimwatch" / "claimwatch.toml") in result.stderr
    assert "/etc/claimwatch/claimwatch.toml" in result.stderr
    assert "claimwatch init" in result.stderr and "Traceback" not in result.stderr


def test_help_shows_the_search_order() -> None:
    for args in (["--help"], ["check", "--help"], ["once", "--help"]):
        text = " ".join(claimwatch(*args).stdout.split())
        assert "$CLAIMWATCH_CONFIG, else the first that exists of ./config/claimwatch.toml," in text
        assert "/etc/claimwatch/claimwatch.toml" in text


# ---- $STATE_DIRECTORY -----------------------------------------------------------------------

STATEFUL = """\
state = "../var/claimwatch.db"
baselines = ["../baselines"]
[alerts.log]
path = "../var/alerts.jsonl"
"""


def test_without_state_directory_paths_resolve_against_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    config = load_config(_write_config(tmp_path / "site" / "config" / "claimwatch.toml", STATEFUL))
    assert config.state == tmp_path / "site" / "var" / "claimwatch.db"
    assert config.alert_log_path == tmp_path / "site" / "var" / "alerts.jsonl"
    assert config.baselines == (tmp_path / "site" / "baselines",)


def test_state_directory_holds_the_relative_state_and_alert_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state_dir = tmp_path / "lib" / "claimwatch"
    monkeypatch.setenv("STATE_DIRECTORY", f"{state_dir}:{tmp_path / 'second'}")
    config = load_config(_write_config(tmp_path / "site" / "config" / "claimwatch.toml", STATEFUL))
    # ".." stops at the state directory; inputs (baselines) stay beside the config
    assert config.state == state_dir / "var" / "claimwatch.db"
    assert config.alert_log_path == state_dir / "var" / "alerts.jsonl"
    assert config.alerts.log is not None and config.alerts.log.path == str(config.alert_log_path)
    assert config.baselines == (tmp_path / "site" / "baselines",)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("claimwatch.db", "SD/claimwatch.db"),
        ("./db/../state.db", "SD/state.db"),
        ("../../../../x.db", "SD/x.db"),
        ("a/../../b/c.db", "SD/b/c.db"),
        ("/srv/claimwatch.db", "/srv/claimwatch.db"),
        ("${STATE_DIRECTORY}/own.db", "SD/own.db"),
    ],
)
def test_state_path_under_systemd(
    value: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state_dir = tmp_path / "state"
    monkeypatch.setenv("STATE_DIRECTORY", str(state_dir))
    assert state_path(value, tmp_path / "config") == Path(expected.replace("SD", str(state_dir)))


def test_a_relative_state_directory_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATE_DIRECTORY", "relative")
    assert state_path("x.db", tmp_path) == tmp_path / "x.db"


def test_a_postgres_state_is_kept_under_systemd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    text = STATEFUL.replace("../var/claimwatch.db", "postgresql://cw@db.example.org/claimwatch")
    config = load_config(_write_config(tmp_path / "config" / "claimwatch.toml", text))
    assert config.state_url == "postgresql://cw@db.example.org/claimwatch"


def test_migrate_creates_the_state_in_the_state_directory(tmp_path: Path) -> None:
    config = _write_config(tmp_path / "site" / "config" / "claimwatch.toml", STATEFUL)
    state_dir = tmp_path / "lib"
    state_dir.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "STATE_DIRECTORY": str(state_dir)}
    result = claimwatch("migrate", "--config", str(config), env=env)
    assert result.returncode == 0, result.stderr
    state = state_dir / "var" / "claimwatch.db"
    assert result.stdout.startswith(f"{state}: schema version 0 -> ")
    with sqlite3.connect(state) as db:
        assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    assert not (tmp_path / "site" / "var").exists()
