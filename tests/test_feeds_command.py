"""``claimwatch feeds list|import|export|add`` as users run them: a real process, a real config
file (its comments must survive every edit), the loopback HTTP server for ``add``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from claimwatch.cli import main
from claimwatch.config import load_config
from tests.commands import claimwatch
from tests.servers import HTML_TYPE, FeedServer

DATA = Path(__file__).parent / "data" / "opml"
CONFIG = """\
# claimwatch for the night desk: comments like this one must survive edits.
state = "var/claimwatch.db"   # beside the config
baselines = []                # none needed to list feeds

[feed_defaults]
interval = "1h"               # hourly unless a feed says otherwise

[[feeds]]
name = "gazette"              # the paper of record
url = "https://gazette.example.org/rss.xml"
interval = "20m"

[alerts.log]
path = "var/alerts.jsonl"     # JSON Lines
"""
RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example Site News</title><link>{site}</link>
<item><guid>1</guid><title>First</title><link>{site}a/1</link><description>One.</description></item>
<item><guid>2</guid><title>Second</title><link>{site}a/2</link><description>Two.</description></item>
</channel></rss>"""


def config_file(folder: Path, text: str = CONFIG) -> Path:
    path = folder / "claimwatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def feeds(path: Path, *args: str) -> tuple[int, str, str]:
    result = claimwatch("feeds", *args, "--config", str(path))
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout, result.stderr


def assert_kept(original: str, edited: str) -> None:
    """Every line of the original is still there, in its order (comments included)."""
    lines = iter(edited.splitlines())
    for line in original.splitlines():
        assert any(line == candidate for candidate in lines), f"lost or moved: {line!r}"


def test_list_shows_each_feed_and_where_it_comes_from(tmp_path: Path) -> None:
    shutil.copy(DATA / "netnewswire.opml", tmp_path / "nnw.opml")
    path = config_file(tmp_path, 'opml = ["nnw.opml"]\n' + CONFIG)
    code, out, _ = feeds(path, "list")
    assert code == 0
    rows = [line.split() for line in out.splitlines()]
    assert rows == [
        ["NAME", "INTERVAL", "ENABLED", "SOURCE", "URL"],
        ["gazette", "20m", "yes", "config", "https://gazette.example.org/rss.xml"],
        [
            "example-parliament-watch",
            "1h",
            "yes",
            "nnw.opml",
            "https://parliament.example.org/feed.xml",
        ],
        [
            "example-elections-blog",
            "1h",
            "yes",
            "nnw.opml",
            "https://example.com/elections/index.atom",
        ],
    ]


def test_import_adds_tables_keeps_comments_and_skips_known_urls(tmp_path: Path) -> None:
    path = config_file(tmp_path)
    code, out, err = feeds(path, "import", str(DATA / "feedly.opml"))
    assert code == 0, err
    assert out.splitlines() == [
        "skipped https://gazette.example.org/rss.xml: already configured as 'gazette'",
        "added example-wire-world: https://wire.example.com/world/feed?format=rss&lang=en",
        "added example-harbour-authority-notices: https://harbour.example.org/notices.rss",
    ]
    assert "2 added, 1 skipped" in err
    edited = path.read_text(encoding="utf-8")
    assert_kept(CONFIG, edited)
    assert (
        '[[feeds]]\nname = "example-wire-world"\n'
        'url = "https://wire.example.com/world/feed?format=rss&lang=en"\n'
        'title = "Example Wire: World"\n\n'
    ) in edited
    assert edited.index("example-harbour") < edited.index("[alerts.log]")  # after the feeds
    config = load_config(path)
    assert [f.name for f in config.feeds] == [
        "gazette",
        "example-wire-world",
        "example-harbour-authority-notices",
    ]
    assert config.feed("example-wire-world").interval == 3600  # [feed_defaults]

    code, out, err = feeds(path, "import", str(DATA / "feedly.opml"))  # again: nothing new
    assert code == 0 and "0 added, 3 skipped" in err and "unchanged" in err
    assert path.read_text(encoding="utf-8") == edited


def test_import_link_adds_the_file_to_the_opml_list(tmp_path: Path) -> None:
    path = config_file(tmp_path)
    shutil.copy(DATA / "inoreader.opml", tmp_path / "inoreader.opml")
    code, _, err = feeds(path, "import", "--link", str(tmp_path / "inoreader.opml"))
    assert code == 0, err
    assert "3 feeds added, 1 already configured" in err  # its Gazette is the table's URL
    edited = path.read_text(encoding="utf-8")
    assert_kept(CONFIG, edited)
    assert 'opml = ["inoreader.opml"]\n' in edited
    assert edited.index("opml =") < edited.index("[feed_defaults]")  # a top-level key
    config = load_config(path)
    assert len(config.feeds) == 4 and config.opml == (tmp_path / "inoreader.opml",)

    code, _, err = feeds(path, "import", "--link", str(tmp_path / "inoreader.opml"))
    assert code == 2 and "already in opml" in err


def test_export_then_import_round_trips(tmp_path: Path) -> None:
    source = config_file(
        tmp_path,
        CONFIG + '\n[[feeds]]\nname = "wire"\nurl = "https://wire.example.com/w.atom"\n'
        'title = "Example Wire & Co"\nenabled = false\nfetch_articles = "all"\ninterval = 90\n',
    )
    code, out, err = feeds(source, "export", "--out", str(tmp_path / "out.opml"))
    assert code == 0 and out == "" and "exported 2 feeds" in err
    _, stdout_copy, _ = feeds(source, "export")
    assert (
        stdout_copy.split("<dateCreated>")[0]
        == (tmp_path / "out.opml").read_text().split("<dateCreated>")[0]
    )
    target = tmp_path / "other"
    target.mkdir()
    fresh = config_file(target, "# a fresh config\nbaselines = []\n")
    code, _, err = feeds(fresh, "import", str(tmp_path / "out.opml"))
    assert code == 0, err
    assert fresh.read_text(encoding="utf-8").startswith("# a fresh config\nbaselines = []\n")

    def settings(path: Path) -> list[tuple[object, ...]]:
        return [
            (f.name, f.url, f.title, f.interval, f.fetch_articles, f.enabled)
            for f in load_config(path).feeds
        ]

    assert settings(fresh) == settings(source)
    assert settings(fresh)[1] == (
        "wire", "https://wire.example.com/w.atom", "Example Wire & Co", 90.0, "all", False
    )  # fmt: skip


def test_add_resolves_a_site_to_its_feed(tmp_path: Path, feed_server: FeedServer) -> None:
    site = feed_server.url("/news/")
    page = (
        "<!doctype html><html><head><title>Example Site</title>"
        '<link rel="stylesheet" href="/style.css">'
        '<link rel="alternate" type="application/feed+json" href="/feed.json" title="JSON">'
        '<link rel="alternate" type="application/rss+xml" href="feed.xml" title="All news">'
        '<link rel="alternate" type="application/atom+xml" href="/comments.atom">'
        "</head><body><p>Hello</p></body></html>"
    )
    feed_server.route("/news/", page, content_type=HTML_TYPE)
    feed_server.route("/news/feed.xml", RSS.format(site=site))
    path = config_file(tmp_path)
    code, out, err = feeds(path, "add", site, "--interval", "30m")
    assert code == 0, err
    assert out == "feed 'Example Site News': 2 entries\n"
    assert f"{site} names the feed {feed_server.url('/news/feed.xml')}" in err
    assert f"also named there: {feed_server.url('/feed.json')} (application/feed+json)" in err
    assert f"also named there: {feed_server.url('/comments.atom')}" in err
    edited = path.read_text(encoding="utf-8")
    assert_kept(CONFIG, edited)
    assert (
        f'[[feeds]]\nname = "example-site-news"\nurl = "{feed_server.url("/news/feed.xml")}"\n'
        'title = "Example Site News"\ninterval = "30m"\n'
    ) in edited
    assert load_config(path).feed("example-site-news").interval == 1800
    assert [r.path for r in feed_server.requests] == ["/news/", "/news/feed.xml"]
    assert "text/html" in feed_server.requests[0].headers["accept"]

    code, _, err = feeds(path, "add", feed_server.url("/news/feed.xml"))
    assert code == 2 and "already configured as 'example-site-news'" in err


def test_add_takes_a_feed_url_as_it_is(tmp_path: Path, feed_server: FeedServer) -> None:
    # served as text/html, as some servers do: still a feed, not a page to search
    feed_server.route("/rss", RSS.format(site=feed_server.url("/")), content_type=HTML_TYPE)
    path = config_file(tmp_path)
    code, out, err = feeds(path, "add", feed_server.url("/rss"), "--name", "site")
    assert code == 0, err
    assert "entries" in out and "names the feed" not in err
    assert f'name = "site"\nurl = "{feed_server.url("/rss")}"\n' in path.read_text()


def test_add_refuses_what_is_not_usable_and_leaves_the_config_alone(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_server.route(
        "/plain", "<html><head></head><body>no feeds</body></html>", content_type=HTML_TYPE
    )
    feed_server.route(
        "/json-only",
        '<html><head><link rel="alternate" type="application/feed+json" href="/f.json">'
        "</head></html>",
        content_type=HTML_TYPE,
    )
    feed_server.route("/junk", "this is neither", content_type="text/plain")
    feed_server.route("/rss", RSS.format(site=feed_server.url("/")))
    path = config_file(tmp_path)
    code, _, err = feeds(path, "add", feed_server.url("/plain"))  # the real command, once
    assert code == 2 and "the page names no feed" in err
    cases = [  # the rest in this process: the same main(), quicker
        (("add", feed_server.url("/json-only")), "only JSON Feeds"),
        (("add", feed_server.url("/junk")), "neither a feed nor a web page that names one"),
        (("add", feed_server.url("/missing")), "answered HTTP 404"),
        (("add", "ftp://example.org/feed"), "must be an http(s) URL"),
        (("add", feed_server.url("/rss"), "--name", "gazette"), "a feed named 'gazette' exists"),
        (("add", feed_server.url("/rss"), "--interval", "soon"), "--interval: expected a duration"),
        (("add", feed_server.url("/rss"), "--interval", "5s"), "the edited config would not load"),
    ]
    for args, words in cases:
        assert main(["feeds", *args, "--config", str(path)]) == 2, args
        err = capsys.readouterr().err
        assert words in err, (args, err)
        assert path.read_text(encoding="utf-8") == CONFIG
    assert "feeds[1].interval: must be between 30 seconds and 7 days" in err


def test_add_does_not_follow_a_page_to_another_private_host(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    with FeedServer("127.0.0.2") as other:
        other.route("/feed.xml", RSS.format(site=other.url("/")))
        link = f'<link rel="alternate" type="application/rss+xml" href="{other.url("/feed.xml")}">'
        page = f"<html><head>{link}</head></html>"
        feed_server.route("/", page, content_type=HTML_TYPE)
        path = config_file(tmp_path)
        code, _, err = feeds(path, "add", feed_server.url("/"))
        assert code == 1
        assert "refusing to connect to 127.0.0.2: loopback address" in err
        assert other.requests == []
        assert path.read_text(encoding="utf-8") == CONFIG

        allowed = config_file(
            tmp_path,
            CONFIG.replace(
                "[feed_defaults]", "[http]\nallow_private_addresses = true\n\n[feed_defaults]"
            ),
        )
        code, _, err = feeds(allowed, "add", feed_server.url("/"))
        assert code == 0, err
        assert [r.path for r in other.requests] == ["/feed.xml"]
