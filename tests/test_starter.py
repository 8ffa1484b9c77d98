"""``claimwatch init`` and the starter files, from the checkout (the installed wheel, and
``claimwatch demo`` without any config: tests/e2e/test_wheel.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from claimwatch.errors import InputError
from claimwatch.starter import next_steps, starter_files, starter_root, write_starter
from tests import freedonia
from tests.commands import claimwatch

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = [
    "config/claimwatch.toml",
    *sorted(f"baselines/{p.name}" for p in (ROOT / "baselines").glob("*.yaml")),
    "systemd/claimwatch.service",
]


def _env(home: Path) -> dict[str, str]:
    """A user with no config anywhere: an empty home, no CLAIMWATCH_CONFIG."""
    return {"PATH": os.environ["PATH"], "HOME": str(home)}


def test_an_editable_install_reads_the_checkouts_files() -> None:
    assert starter_root() == ROOT  # the one copy; no second one beside the code
    assert [str(p) for p in starter_files(starter_root())] == SHIPPED


def test_init_writes_the_starter_files_in_the_repository_layout(tmp_path: Path) -> None:
    result = claimwatch("init", "my site", cwd=tmp_path, env=_env(tmp_path))
    assert result.returncode == 0, result.stderr
    for name in SHIPPED:
        assert (tmp_path / "my site" / name).read_bytes() == (ROOT / name).read_bytes(), name
        assert f"wrote my site/{name}" in result.stdout
    lines = result.stdout.rstrip().splitlines()
    assert lines[-4] == "next:"
    assert lines[-3].startswith("  cd 'my site' && claimwatch check ")
    assert lines[-2].startswith("  claimwatch once ") and lines[-1].startswith("  claimwatch run ")
    checked = claimwatch("check", cwd=tmp_path / "my site", env=_env(tmp_path))
    assert checked.returncode == 0, checked.stderr
    site = (tmp_path / "my site").resolve()
    assert f"config: {site}/config/claimwatch.toml (from ./config/claimwatch.toml)" in (
        checked.stdout
    )
    assert f"state: {site}/var/claimwatch.db" in checked.stdout
    assert f"baselines: {len(SHIPPED) - 2}," in checked.stdout


def test_the_next_steps_enter_the_folder_only_when_it_is_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    first = next_steps(Path(".")).splitlines()[1]
    assert first.startswith("  claimwatch check ") and first.endswith(
        "# validate the config and the baselines"
    )
    assert "cd" not in next_steps(tmp_path)
    assert next_steps(Path("a b")).splitlines()[1].startswith("  cd 'a b' && claimwatch check")


def test_init_never_overwrites_and_writes_nothing_then(tmp_path: Path) -> None:
    unit = tmp_path / "systemd" / "claimwatch.service"
    unit.parent.mkdir()
    unit.write_text("# my own unit\n", encoding="utf-8")
    result = claimwatch("init", str(tmp_path), env=_env(tmp_path))
    assert result.returncode == 2
    assert f"{unit}: exists already" in result.stderr and "--force" in result.stderr
    assert unit.read_text(encoding="utf-8") == "# my own unit\n"
    assert not (tmp_path / "config").exists() and not (tmp_path / "baselines").exists()


def test_force_replaces_the_starter_files_only(tmp_path: Path) -> None:
    write_starter(tmp_path, force=False)
    config = tmp_path / "config" / "claimwatch.toml"
    config.write_text("# edited\n", encoding="utf-8")
    own = tmp_path / "baselines" / "my-story.yaml"
    own.write_text("id: mine\n", encoding="utf-8")
    with pytest.raises(InputError, match="and 4 more starter files") as refused:
        write_starter(tmp_path, force=False)
    assert refused.value.subject == str(config)
    assert config.read_text(encoding="utf-8") == "# edited\n"
    write_starter(tmp_path, force=True)
    assert config.read_bytes() == (ROOT / "config" / "claimwatch.toml").read_bytes()
    assert own.read_text(encoding="utf-8") == "id: mine\n"


def test_a_folder_that_cannot_be_made_is_named(tmp_path: Path) -> None:
    (tmp_path / "config").write_text("a file, not a folder", encoding="utf-8")
    with pytest.raises(InputError, match="cannot write") as caught:
        write_starter(tmp_path, force=False)
    assert caught.value.subject == str(tmp_path / "config" / "claimwatch.toml")


def test_init_print_lists_where_the_files_are_and_writes_nothing(tmp_path: Path) -> None:
    result = claimwatch("init", "--print", cwd=tmp_path, env=_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [str(ROOT / name) for name in SHIPPED]
    assert list(tmp_path.iterdir()) == []


def test_demo_with_a_config_uses_its_baselines(tmp_path: Path) -> None:
    (tmp_path / "baselines").mkdir()
    (tmp_path / "baselines" / "freedonia.yaml").write_text(
        freedonia.baseline(freedonia.BRIDGE), encoding="utf-8"
    )
    config = tmp_path / "claimwatch.toml"
    config.write_text(freedonia.CONFIG, encoding="utf-8")
    result = claimwatch("-q", "demo", "--config", str(config), env=_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "claimwatch demo: 5 example reports, 0 alerts" in result.stdout  # not about Freedonia
