"""The package as a user installs it: the wheel built from the checkout (and from the sdist),
installed into a fresh virtual environment outside the repository, and run there.

No network: the wheel is built with the backend of this environment (the ``test`` extra) and
without build isolation, and installed with ``--no-index --no-deps``. The fresh environment
sees this environment's dependencies through a ``.pth`` file, but claimwatch itself only
through the wheel (asserted: a ``.pth`` line adds a folder, never that folder's own ``.pth``
files, so the checkout's editable install stays invisible there).
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import claimwatch
from claimwatch.demo import feed_xml, page_html, reports
from tests.servers import HTML_TYPE, FeedServer

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
STARTER = [
    "config/claimwatch.toml",
    *sorted(f"baselines/{p.name}" for p in (ROOT / "baselines").glob("*.yaml")),
    "systemd/claimwatch.service",
]
NO_SYSTEM_CONFIG = pytest.mark.skipif(
    os.path.exists("/etc/claimwatch/claimwatch.toml"), reason="a system config would be found"
)


def _run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=120, cwd=cwd, env=env
    )
    assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result.stdout


def _pip(*args: str | Path) -> None:
    quiet = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    _run(sys.executable, "-m", "pip", *args, env=quiet)


def _built(folder: Path, pattern: str) -> Path:
    (found,) = folder.glob(pattern)
    return found


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of the checkout, built once per session."""
    out = tmp_path_factory.mktemp("wheel")
    _pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", out, ROOT)
    return _built(out, "claimwatch-*.whl")


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment holding the wheel; dependencies seen from this one."""
    folder = tmp_path_factory.mktemp("venv") / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", folder)
    python = folder / "bin" / "python"
    _pip("--python", python, "install", "--no-index", "--no-deps", "--no-cache-dir", wheel)
    purelib = _run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
    lines = "\n".join(site.getsitepackages()) + "\n"
    (Path(purelib.strip()) / "_claimwatch_test_dependencies.pth").write_text(lines, "utf-8")
    return folder


def _env(venv: Path, home: Path) -> dict[str, str]:
    """A user of the fresh environment: its bin first, an empty home, no config anywhere."""
    return {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}


def test_the_wheel_holds_the_package_data_and_the_starter_files(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in STARTER:  # the checkout's files, byte for byte
            assert archive.read(f"claimwatch/starter/{name}") == (ROOT / name).read_bytes()
        metadata = archive.read(f"claimwatch-{claimwatch.__version__}.dist-info/METADATA")
    frames = {
        f"claimwatch/frames/{p.name}" for p in (ROOT / "src/claimwatch/frames").glob("*.yaml")
    }
    assert {"claimwatch/py.typed", "claimwatch/demo_data/reports.json"} | frames <= names
    assert f"claimwatch-{claimwatch.__version__}.dist-info/licenses/LICENSE" in names
    assert not [n for n in names if n.startswith(("tests/", "bench/", "src/"))]
    headers = metadata.decode().split("\n\n", 1)[0].splitlines()
    assert "License-Expression: MIT" in headers
    assert f"Version: {claimwatch.__version__}" in headers
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_the_sdist_builds_the_same_wheel(
    wheel: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = tmp_path_factory.mktemp("sdist")
    _run(sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", out, cwd=ROOT)
    sdist = _built(out, "claimwatch-*.tar.gz")
    _pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", out, sdist)
    with zipfile.ZipFile(wheel) as a, zipfile.ZipFile(_built(out, "*.whl")) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        assert all(a.read(name) == b.read(name) for name in a.namelist())


def test_the_fresh_environment_runs_the_wheels_claimwatch(venv: Path, tmp_path: Path) -> None:
    python = venv / "bin" / "python"
    code = "import claimwatch.starter as s; print(s.__file__); print(s.starter_root())"
    module, root = _run(python, "-c", code, cwd=tmp_path, env=_env(venv, tmp_path)).split()
    assert Path(module).is_relative_to(venv) and Path(root).is_relative_to(venv)
    listed = _run("claimwatch", "init", "--print", cwd=tmp_path, env=_env(venv, tmp_path))
    assert listed.splitlines() == [f"{root}/{name}" for name in STARTER]


def test_init_check_and_once_outside_the_repository(venv: Path, tmp_path: Path) -> None:
    env = _env(venv, tmp_path)
    out = _run("claimwatch", "init", "site", cwd=tmp_path, env=env)
    site_dir = tmp_path / "site"
    for name in STARTER:
        assert (site_dir / name).read_bytes() == (ROOT / name).read_bytes(), name
    assert out.rstrip().splitlines()[-3].startswith("  cd site && claimwatch check")
    again = subprocess.run(
        ["claimwatch", "init", "site"], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert again.returncode == 2 and "site/config/claimwatch.toml: exists already" in again.stderr

    checked = _run("claimwatch", "check", cwd=site_dir, env=env)
    assert f"config: {site_dir}/config/claimwatch.toml (from ./config/claimwatch.toml)" in checked
    assert f"baselines: {len(STARTER) - 2}," in checked

    with FeedServer() as server:
        _serve_demo_reports(server)
        _point_at(site_dir / "config" / "claimwatch.toml", server.url("/feed.xml"))
        _run("claimwatch", "once", cwd=site_dir, env=env)
        assert server.requests_for("/feed.xml")
    # relative paths of the starter config resolve against its folder, as in the checkout
    assert (site_dir / "var" / "claimwatch.db").is_file()
    lines = (site_dir / "var" / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
    alerts = [json.loads(line) for line in lines]
    assert any(a["claim_id"] == "csto-troop-count" and a["feed"] == "loopback" for a in alerts)


@NO_SYSTEM_CONFIG
def test_demo_needs_no_config(venv: Path, tmp_path: Path) -> None:
    out = _run("claimwatch", "-q", "demo", cwd=tmp_path, env=_env(venv, tmp_path))
    assert "claimwatch demo: 5 example reports" in out
    assert "[contradiction] csto-troop-count" in out
    assert list(tmp_path.iterdir()) == []


def _serve_demo_reports(server: FeedServer) -> None:
    """The demo's example reports as a feed and its pages on the loopback server."""
    items = reports()
    server.route("/feed.xml", feed_xml(server.base_url, items))
    for item in items:
        server.route(f"/articles/{item['slug']}.html", page_html(item), content_type=HTML_TYPE)


def _point_at(config: Path, feed_url: str) -> None:
    """The starter config with its feeds replaced by one loopback feed."""
    text = config.read_text(encoding="utf-8")
    text = text[: text.index("\n[[feeds]]")].replace(
        "allow_private_addresses = false", "allow_private_addresses = true"
    )
    feed = f'\n[[feeds]]\nname = "loopback"\nurl = "{feed_url}"\nfetch_articles = "all"\n'
    config.write_text(text + feed, encoding="utf-8")
