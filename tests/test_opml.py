"""OPML: the exports of common feed readers read as they are, hostile XML refused, and what
claimwatch writes read back (by its own reader and by a reader's way of importing)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from xml.dom import minidom

import pytest

from claimwatch.opml import (
    MAX_BYTES,
    NAMESPACE,
    ExportFeed,
    parse_opml,
    read_opml,
    render_opml,
    setting_values,
)
from tests.bombs import nested_bomb

DATA = Path(__file__).parent / "data" / "opml"
GAZETTE = "https://gazette.example.org/rss.xml"
WIRE = "https://wire.example.com/world/feed?format=rss&lang=en"

# file -> (title, xmlUrl, folder) of every feed outline, in document order
EXPORTS = {
    "miniflux.opml": [
        ("Example Gazette", GAZETTE, ("All",)),
        ("Example Tech Notes", "https://example.com/tech/atom.xml", ("All",)),
        ("Example Wire: World", WIRE, ("World",)),
        ("Example Wire & Partners", "https://wire.example.com/partners.atom", ("World",)),
    ],
    "rss2email.opml": [
        ("gazette", GAZETTE, ()),
        ("wire-world", WIRE, ()),
        ("tech-notes", "https://example.com/tech/atom.xml", ()),
    ],
    "reader.opml": [
        ("Example Gazette", GAZETTE, ()),
        ("Example Harbour Authority: notices", "https://harbour.example.org/notices.rss", ()),
        ("Example Tech Notes", "https://example.com/tech/atom.xml", ()),
    ],
    "feedly.opml": [
        ("Example Gazette", GAZETTE, ("News",)),
        ("Example Wire: World", WIRE, ("News",)),
        (
            "Example Harbour Authority: notices",
            "https://harbour.example.org/notices.rss",
            ("Ports & Shipping",),
        ),
        ("Example Gazette", GAZETTE, ("Ports & Shipping",)),  # Feedly repeats it per category
    ],
    "inoreader.opml": [
        ("Example Markets Daily", "https://markets.example.com/daily.xml", ("Economy",)),
        (
            "Example Central Bank - Press releases",
            "https://bank.example.org/press/rss",
            ("Economy",),
        ),
        ("Example Valley Courier", "http://courier.example.org/feed/", ("Regional",)),
        ("Example Gazette", GAZETTE, ()),
    ],
    "netnewswire.opml": [
        ("Example Gazette", GAZETTE, ()),
        ("Example Parliament Watch", "https://parliament.example.org/feed.xml", ("Politics",)),
        ("Example Elections Blog", "https://example.com/elections/index.atom", ("Politics",)),
    ],
    "thunderbird.opml": [
        ("Example Valley Courier", "http://courier.example.org/feed/", ("Local News",)),
        ("Example City Council", "https://council.example.org/agenda.atom", ("Local News",)),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_reader_exports_are_read_with_folders_and_lines(name: str) -> None:
    path = DATA / name
    feeds, problems = read_opml(path)
    assert problems == []
    assert [(f.title, f.url, f.folder) for f in feeds] == EXPORTS[name]
    lines = path.read_text(encoding="utf-8").splitlines()
    for feed in feeds:  # the line named is the outline's own
        assert "<outline" in lines[feed.line - 1]
        assert feed.url.replace("&", "&amp;") in lines[feed.line - 1]
    assert all(f.settings == {} for f in feeds)  # other readers' attributes are not ours


def test_claimwatch_attributes_under_any_prefix_bound_to_the_namespace() -> None:
    data = (
        f'<opml version="2.0" xmlns:cw="{NAMESPACE}" xmlns:other="urn:x"><body>'
        '<outline text="A" xmlUrl="https://example.org/a" cw:interval="20m" cw:enabled="false"'
        ' other:interval="1s"/>'
        '<outline text="B" xmlUrl="https://example.org/b" claimwatch:name="bee"/>'
        "</body></opml>"
    ).encode()
    feeds, problems = parse_opml(data, "x.opml")
    assert problems == []
    assert feeds[0].settings == {"interval": "20m", "enabled": "false"}
    assert feeds[1].settings == {"name": "bee"}  # the documented prefix, even undeclared
    assert setting_values({"enabled": "false", "interval": "900", "fetch_articles": "all"}) == {
        "enabled": False,
        "interval": 900,
        "fetch_articles": "all",
    }


def test_rss2email_2_urls_as_titles_give_no_title() -> None:
    data = b'<opml><body><outline type="rss" text="https://example.org/f" xmlUrl="https://example.org/f"/></body></opml>'
    (feed,), _ = parse_opml(data, "r2e.opml")
    assert feed.title == ""


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ('<outline text="A" xmlUrl="ftp://example.org/a"/>', 3, "xmlUrl: must be an http(s) URL"),
        ('<outline text="A" xmlUrl="/relative.xml"/>', 3, "must be an http(s) URL"),
        ('<outline text="Site" type="link" url="https://example.org/"/>', 3, "has no xmlUrl"),
        ('<outline text="A" xmlUrl="https://example.org/?a=1&b=2"/>', 3, "malformed XML"),
        ('<outline text="A" xmlUrl="https://example.org/">', 4, "malformed XML"),
    ],
    ids=["non-http", "relative", "no-xmlUrl", "bare-ampersand", "unclosed"],
)
def test_errors_name_the_file_and_the_line(body: str, line: int, words: str) -> None:
    data = f'<?xml version="1.0"?>\n<opml version="2.0"><body>\n{body}\n</body></opml>'.encode()
    _, problems = parse_opml(data, "feeds.opml")
    assert problems, body
    rendered = problems[0].render("config.toml")
    assert rendered.startswith(f"feeds.opml:{line}: ")
    assert words in rendered


def test_empty_folders_are_not_errors() -> None:
    feeds, problems = read_opml(DATA / "netnewswire.opml")  # has an empty "Later" folder
    assert problems == [] and len(feeds) == 3


@pytest.mark.parametrize(
    "document",
    [
        nested_bomb().replace("<rss", "<opml").replace("</rss>", "</opml>"),
        '<?xml version="1.0"?>\n<!DOCTYPE opml [\n<!ENTITY secret SYSTEM "file:///etc/passwd">\n]>'
        '\n<opml><body><outline text="&secret;" xmlUrl="https://example.org/a"/></body></opml>',
        '<?xml version="1.0"?>\n<!DOCTYPE opml [\n<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd">'
        "\n%remote;\n]>\n<opml><body/></opml>",
    ],
    ids=["billion-laughs", "external-entity", "external-parameter-entity"],
)
def test_hostile_xml_is_refused_before_anything_is_expanded(document: str) -> None:
    started = time.perf_counter()
    feeds, problems = parse_opml(document.encode(), "hostile.opml")
    assert feeds == []
    assert len(problems) == 1
    assert "entity declarations are not allowed" in problems[0].render("-")
    assert problems[0].line == 3
    assert time.perf_counter() - started < 1.0  # refused, not expanded


def test_a_huge_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.opml"
    outline = '<outline text="A" xmlUrl="https://example.org/a"/>\n'
    with path.open("w", encoding="utf-8") as file:
        file.write("<opml><body>\n")
        file.write(outline * (MAX_BYTES // len(outline) + 10))
        file.write("</body></opml>\n")
    feeds, problems = read_opml(path)
    assert feeds == []
    assert f"larger than {MAX_BYTES:,} bytes" in problems[0].render(str(path))
    assert problems[0].render("-").startswith(f"{path}: ")


def test_other_xml_and_unreadable_files_are_named(tmp_path: Path) -> None:
    _, problems = parse_opml(b'<?xml version="1.0"?>\n<rss version="2.0"/>', "feed.xml")
    assert problems[0].render("-") == (
        "feed.xml:2: not an OPML file: the root element is <rss>, not <opml>"
    )
    _, problems = read_opml(tmp_path / "missing.opml")
    assert "cannot read OPML file" in problems[0].render("-")


def test_written_opml_reads_back_and_imports_the_way_readers_import() -> None:
    feeds = [
        ExportFeed("Example Gazette", GAZETTE, {"name": "gazette", "interval": "20m"}),
        ExportFeed('Wire "World" & <Partners>', WIRE, {"enabled": "false"}),
    ]
    created = datetime(2026, 5, 3, 18, 20, 5, tzinfo=UTC)
    text = render_opml(feeds, title="claimwatch feeds", created=created)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml ')
    assert "<dateCreated>Sun, 03 May 2026 18:20:05 GMT</dateCreated>" in text
    read, problems = parse_opml(text.encode(), "export.opml")
    assert problems == []
    assert [(f.title, f.url, f.settings) for f in read] == [
        ("Example Gazette", GAZETTE, {"name": "gazette", "interval": "20m"}),
        ('Wire "World" & <Partners>', WIRE, {"enabled": "false"}),
    ]
    # rss2email's import: every <outline> with an xmlUrl attribute, read with minidom;
    # Miniflux, Feedly and Inoreader read the same OPML 2.0 attributes.
    document = minidom.parseString(text.encode())
    assert document.documentElement.getAttribute("version") == "2.0"
    outlines = document.getElementsByTagName("outline")
    assert [o.getAttribute("xmlUrl") for o in outlines] == [GAZETTE, WIRE]
    assert all(o.getAttribute("type") == "rss" and o.getAttribute("text") for o in outlines)
    head = document.getElementsByTagName("head")[0]
    assert head.getElementsByTagName("title")[0].firstChild.data == "claimwatch feeds"  # type: ignore[union-attr]


def test_an_empty_export_is_still_opml() -> None:
    text = render_opml([], title="claimwatch feeds", created=datetime.now(UTC))
    assert "<body />" in text
    assert parse_opml(text.encode(), "empty.opml") == ([], [])
