"""``opml = [...]`` and ``[feed_defaults]``: OPML feeds join ``[[feeds]]``, named stably, with
defaults for what a feed leaves out; problems are config problems naming file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from claimwatch.config import load_config
from claimwatch.errors import ConfigError
from claimwatch.feedlist import feed_slug, unique_name
from claimwatch.opml import NAMESPACE
from tests.commands import claimwatch

DATA = Path(__file__).parent / "data" / "opml"
TABLE = '[[feeds]]\nname = "{name}"\nurl = "{url}"\n'


def write(folder: Path, text: str, opml: dict[str, str] | None = None) -> Path:
    for name, body in (opml or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(body, encoding="utf-8")
    path = folder / "claimwatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def outlines(*lines: str) -> str:
    body = "\n".join(lines)
    return (
        f'<?xml version="1.0"?>\n<opml version="2.0" xmlns:claimwatch="{NAMESPACE}">\n'
        f"<head><title>t</title></head>\n<body>\n{body}\n</body>\n</opml>\n"
    )


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value).splitlines()


def test_opml_feeds_join_the_tables_with_defaults_for_what_they_leave_out(tmp_path: Path) -> None:
    shutil.copy(DATA / "feedly.opml", tmp_path / "feedly.opml")
    text = (
        'opml = ["feedly.opml", "lists/more.opml"]\n'
        '[feed_defaults]\ninterval = "1h"\nfetch_articles = "none"\n'
        + TABLE.format(name="gazette", url="https://gazette.example.org/rss.xml")
        + 'interval = "5m"\n'
        + TABLE.format(name="own", url="https://example.org/own.xml")
    )
    more = outlines(
        '<outline text="Example Wire: World" xmlUrl="https://example.org/other-wire.xml"'
        ' claimwatch:interval="20m" claimwatch:enabled="false" claimwatch:fetch_articles="all"/>',
        '<outline text="Pinned" xmlUrl="https://example.org/pinned.xml" claimwatch:name="pin"/>',
    )
    path = write(tmp_path, text, {"lists/more.opml": more})
    config = load_config(path)
    got = {f.name: (f.url, f.interval, f.fetch_articles, f.enabled) for f in config.feeds}
    assert got == {
        # [[feeds]]: their own keys, else [feed_defaults]
        "gazette": ("https://gazette.example.org/rss.xml", 300.0, "none", True),
        "own": ("https://example.org/own.xml", 3600.0, "none", True),
        # feedly.opml: its Gazette is the table above (same URL), and is listed twice anyway
        "example-wire-world": (
            "https://wire.example.com/world/feed?format=rss&lang=en",
            3600.0,
            "none",
            True,
        ),
        "example-harbour-authority-notices": (
            "https://harbour.example.org/notices.rss",
            3600.0,
            "none",
            True,
        ),
        # more.opml: the same title gets a suffix; claimwatch attributes win over defaults
        "example-wire-world-2": ("https://example.org/other-wire.xml", 1200.0, "all", False),
        "pin": ("https://example.org/pinned.xml", 3600.0, "none", True),
    }
    assert [f.name for f in config.feeds][:2] == ["gazette", "own"]
    assert config.opml == (tmp_path / "feedly.opml", tmp_path / "lists" / "more.opml")
    assert config.opml_feeds["pin"] == tmp_path / "lists" / "more.opml"
    assert "gazette" not in config.opml_feeds
    assert config.feed("example-wire-world").title == "Example Wire: World"


def test_relative_opml_paths_resolve_against_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    shutil.copy(DATA / "rss2email.opml", folder / "r2e.opml")
    path = write(folder, 'opml = ["r2e.opml"]\n')
    monkeypatch.chdir(tmp_path)
    config = load_config(Path("etc/claimwatch.toml"))
    assert [f.name for f in config.feeds] == ["gazette", "wire-world", "tech-notes"]
    assert config.opml == (path.parent / "r2e.opml",)


def test_a_name_clash_with_a_table_names_both_places(tmp_path: Path) -> None:
    text = "# feeds\n" + TABLE.format(name="example-gazette", url="https://example.org/mine.xml")
    path = write(tmp_path, 'opml = ["reader.opml"]\n' + text)
    shutil.copy(DATA / "reader.opml", tmp_path / "reader.opml")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{tmp_path / 'reader.opml'}:8: claimwatch:name: ")
    assert f"[[feeds]] table at {path}:4" in problem  # its name line
    assert "'example-gazette'" in problem


def test_outline_problems_are_config_problems_with_file_and_line(tmp_path: Path) -> None:
    bad = outlines(
        '<outline text="A" xmlUrl="feed://example.org/a"/>',
        '<outline text="B" xmlUrl="https://example.org/b" claimwatch:interval="5s"/>',
        '<outline text="C" xmlUrl="https://example.org/c" claimwatch:intervall="60"/>',
        '<outline text="D" xmlUrl="https://example.org/d" claimwatch:name="x"/>',
        '<outline text="E" xmlUrl="https://example.org/e" claimwatch:name="x"/>',
        '<outline text="F" xmlUrl="https://example.org/f" claimwatch:url="https://e.org/"/>',
    )
    path = write(tmp_path, 'opml = ["bad.opml", "gone.opml"]\n', {"bad.opml": bad})
    opml = tmp_path / "bad.opml"
    assert problems_of(path) == [
        f"{opml}:5: xmlUrl: must be an http(s) URL, got 'feed://example.org/a'",
        f"{opml}:6: claimwatch:interval: must be between 30 seconds and 7 days",
        f"{opml}:7: claimwatch:intervall: unknown attribute 'claimwatch:intervall': "
        "did you mean 'claimwatch:interval'?",
        f"{opml}:9: claimwatch:name: 'x' is also at {opml}:8",
        f"{opml}:10: claimwatch:url: not a setting: the outline's xmlUrl and title say that",
        f"{path}:1: opml[1]: cannot read OPML file {tmp_path / 'gone.opml'}: no such file",
    ]


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('interval = "10s"', "2: feed_defaults.interval: must be between 30 seconds and 7 days"),
        ('colour = "red"', "2: feed_defaults.colour: unknown key 'colour'"),
        ('intervall = "1h"', "2: feed_defaults.intervall: unknown key 'intervall': did you mean"),
        ('name = "x"', "2: feed_defaults.name: name belongs to each feed"),
        ('enabled = "maybe"', "2: feed_defaults.enabled: expected a boolean (true or false), got"),
        (
            'enabled = "true"',
            "2: feed_defaults.enabled: expected a boolean (true or false), got "
            'the string "true" (write true without quotes)',
        ),
    ],
)
def test_feed_defaults_are_checked_as_a_feed_is(tmp_path: Path, table: str, expected: str) -> None:
    path = write(
        tmp_path, f"[feed_defaults]\n{table}\n" + TABLE.format(name="a", url="https://e.org/")
    )
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:{expected}")


def test_check_refuses_a_broken_opml_with_exit_2(tmp_path: Path) -> None:
    broken = (
        '<?xml version="1.0"?>\n<opml><body>\n<outline text="A" xmlUrl="https://e.org/?a&b"/>\n'
    )
    path = write(tmp_path, 'baselines = []\nopml = ["feeds.opml"]\n', {"feeds.opml": broken})
    result = claimwatch("check", "--config", str(path))
    assert result.returncode == 2, result.stderr
    assert f"{tmp_path / 'feeds.opml'}:3: malformed XML: not well-formed" in result.stderr
    assert "Traceback" not in result.stderr


def test_slugs_and_suffixes() -> None:
    assert feed_slug("Example Wire: World", "https://e.org/") == "example-wire-world"
    assert feed_slug("Пример — Новости", "https://e.org/") == "пример-новости"
    assert feed_slug("  ", "https://www.example.org/feed") == "example-org"
    assert unique_name("a", {"a", "a-2"}) == "a-3"
    assert unique_name("b", {"a"}) == "b"


def test_check_names_the_opml_file_of_each_feed_from_one(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'baselines = []\nopml = ["feeds.opml"]\n'
        + TABLE.format(name="own", url="https://e.org/own.xml"),
        {"feeds.opml": outlines('<outline text="Wire" xmlUrl="https://e.org/wire.xml"/>')},
    )
    result = claimwatch("check", "--config", str(path))
    assert result.returncode == 0, result.stderr
    assert "  own: https://e.org/own.xml every 15m, fetch relevant\n" in result.stdout
    assert "  wire: https://e.org/wire.xml every 15m, fetch relevant, from feeds.opml\n" in (
        result.stdout
    )
