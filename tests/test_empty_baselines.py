"""Nothing to watch: a baselines folder without a baseline file, a baseline without a claim,
no baseline named at all. ``check`` warns and exits 0; ``once`` and ``run`` exit 2 naming the
folder or file (a reload refusing it: tests/e2e/test_nothing_to_watch.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimwatch import cli
from claimwatch.baselines import load_baseline
from claimwatch.config import load_config
from claimwatch.errors import BaselineError
from claimwatch.inputs import empty_baselines, load_inputs, require_claims
from tests import freedonia
from tests.commands import claimwatch

NO_CLAIMS = freedonia.baseline()  # "claims:" and nothing under it
EMPTY_LIST = (
    freedonia.baseline().replace("claims:\n", "claims: []\n").replace("id: freedonia", "id: quiet")
)
COMMENTED_OUT = NO_CLAIMS + "".join(f"#{line}\n" for line in freedonia.BRIDGE.splitlines())


@pytest.fixture(autouse=True)
def _no_logging_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "setup_logging", lambda *args: None)  # leave pytest's logging be


def workdir(tmp_path: Path, baselines: str = '["baselines"]') -> Path:
    (tmp_path / "baselines").mkdir()
    config = tmp_path / "claimwatch.toml"
    config.write_text(f'state = "state.db"\nbaselines = {baselines}\n', encoding="utf-8")
    return config


@pytest.mark.parametrize("text", [NO_CLAIMS, EMPTY_LIST, COMMENTED_OUT])
def test_a_baseline_without_claims_loads(tmp_path: Path, text: str) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_baseline(path).claims == ()


def test_check_warns_about_an_empty_folder_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = workdir(tmp_path)
    assert cli.main(["check", "--config", str(config)]) == cli.EXIT_OK
    captured = capsys.readouterr()
    folder = tmp_path / "baselines"
    assert captured.err == f"warning: {folder}: no baseline files (*.yaml/*.yml) in this folder\n"
    assert captured.out.endswith("baselines: 0, claims: 0\nsinks: log (off), email (off), "
                                 "apprise (off)\nhttp: not serving (set [http] listen to serve "
                                 "the page, /healthz, /metrics)\nok\n")  # fmt: skip


def test_check_warns_about_each_baseline_without_claims(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = workdir(tmp_path)
    (tmp_path / "baselines" / "a.yaml").write_text(NO_CLAIMS, encoding="utf-8")
    (tmp_path / "baselines" / "b.yml").write_text(EMPTY_LIST, encoding="utf-8")
    (tmp_path / "baselines" / "c.yaml").write_text(
        freedonia.baseline(freedonia.BRIDGE).replace("id: freedonia", "id: full"), "utf-8"
    )
    assert cli.main(["check", "--config", str(config)]) == cli.EXIT_OK
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"warning: {tmp_path / 'baselines' / 'a.yaml'}: claims: baseline 'freedonia' has no "
        "claims: it can raise no alert",
        f"warning: {tmp_path / 'baselines' / 'b.yml'}: claims: baseline 'quiet' has no claims: "
        "it can raise no alert",
    ]
    assert "baselines: 3, claims: 1" in captured.out and captured.out.endswith("ok\n")


def test_check_with_a_claim_everywhere_warns_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = workdir(tmp_path)
    (tmp_path / "baselines" / "a.yaml").write_text(freedonia.baseline(freedonia.BRIDGE), "utf-8")
    (tmp_path / "baselines" / "notes.txt").write_text("not a baseline", "utf-8")
    assert cli.main(["check", "--config", str(config)]) == cli.EXIT_OK
    assert capsys.readouterr().err == ""


def test_check_dump_keeps_stdout_json(tmp_path: Path) -> None:
    result = claimwatch("check", "--dump", "--config", str(workdir(tmp_path)))
    assert result.returncode == 0
    assert result.stdout.startswith("{") and result.stdout.rstrip().endswith("}")
    assert result.stderr.startswith("warning: ") and "no baseline files" in result.stderr


@pytest.mark.parametrize("command", ["once", "run"])
def test_once_and_run_refuse_an_empty_folder(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = workdir(tmp_path)
    assert cli.main([command, "--config", str(config)]) == cli.EXIT_INPUT
    header, problem = capsys.readouterr().err.splitlines()
    assert header == f"claimwatch {command}: invalid input:"
    assert problem == f"{tmp_path / 'baselines'}: no baseline files (*.yaml/*.yml) in this folder"
    assert not (tmp_path / "state.db").exists()  # refused before the state was touched


def test_once_refuses_a_baseline_without_claims(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = workdir(tmp_path)
    (tmp_path / "baselines" / "a.yaml").write_text(COMMENTED_OUT, encoding="utf-8")
    assert cli.main(["once", "--config", str(config)]) == cli.EXIT_INPUT
    assert f"{tmp_path / 'baselines' / 'a.yaml'}: claims: baseline 'freedonia' has no claims" in (
        capsys.readouterr().err
    )


def test_no_baseline_named_at_all(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = workdir(tmp_path, baselines="[]")
    assert cli.main(["check", "--config", str(config)]) == cli.EXIT_OK
    expected = f"{config}: baselines: names no baseline file or folder: there is nothing to watch"
    assert capsys.readouterr().err == f"warning: {expected}\n"
    assert cli.main(["once", "--config", str(config)]) == cli.EXIT_INPUT
    assert expected in capsys.readouterr().err


def test_require_claims_passes_inputs_with_claims_through(tmp_path: Path) -> None:
    config = workdir(tmp_path)
    (tmp_path / "baselines" / "a.yaml").write_text(freedonia.baseline(freedonia.BRIDGE), "utf-8")
    inputs = load_inputs(config)
    assert require_claims(inputs) is inputs
    assert empty_baselines(*inputs) == ()


def test_require_claims_names_every_empty_place(tmp_path: Path) -> None:
    config = workdir(tmp_path, baselines='["baselines", "more"]')
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "a.yaml").write_text(NO_CLAIMS, encoding="utf-8")
    with pytest.raises(BaselineError) as caught:
        require_claims(load_inputs(config))
    assert str(caught.value).splitlines() == [
        f"{tmp_path / 'baselines'}: no baseline files (*.yaml/*.yml) in this folder",
        f"{tmp_path / 'more' / 'a.yaml'}: claims: baseline 'freedonia' has no claims: it can "
        "raise no alert",
    ]
    assert load_config(config).baselines == (tmp_path / "baselines", tmp_path / "more")
