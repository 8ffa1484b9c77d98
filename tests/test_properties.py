"""Property and fuzz tests for the entry normaliser and the config and baseline loaders.

The figure parser, URL canonicaliser and sentence splitter have theirs beside their unit tests
(test_matching_figures.py, test_urls.py, test_matching_sentences.py). Here:

- ``entries.parse``: no body crashes it (a FeedError at worst), and every entry it returns is
  normalised: a non-empty unique id, a one-line title, a canonical http(s) URL or none, a UTC
  date not far in the future, tidy text; parsing is deterministic.
- ``load_config`` / ``load_baseline``: no file crashes them (an InputError at worst), every
  problem is located inside the file, and accepted durations mean what they say.
"""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimwatch.baselines import load_baseline
from claimwatch.config import config_from_mapping, load_config
from claimwatch.durations import parse_duration
from claimwatch.entries import FUTURE_TOLERANCE, ParsedFeed, parse
from claimwatch.errors import BaselineError, ConfigError, FeedError
from claimwatch.urls import canonicalize
from tests.test_input_errors import BASELINE

NOW = datetime(2024, 3, 1, tzinfo=UTC)
FEED_URL = "https://news.example/feeds/main.xml"
SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- entries.parse -----------------------------------------------------------------------------

_words = st.text(
    alphabet=st.sampled_from(
        [*string.ascii_letters, *" \t\n\r<>&\"'", "é", "Ж", "中", "\u00a0", "\u200b", "\x0b"]
    ),
    max_size=30,
)
_links = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "https://e.com/a?utm_source=x#frag", "/relative/path", "../up", "HTTP://E.COM:80/x",
            "javascript:alert(1)", "file:///etc/passwd", "mailto:a@b.c", "//cdn.e.com/p", "",
            " https://e.com/spaced ", "https://e.com/a b", "http://[::1]:80/", "ftp://e.com/x",
            "https://e.com/%0d%0aSet-Cookie:x",
        ]
    ),
    _words,
)  # fmt: skip
_dates = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "Wed, 12 Jan 2022 10:00:00 GMT", "2022-01-12T10:00:00+06:00", "yesterday", "",
            "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", "2038-01-19",
            "Thu, 30 Feb 2023 25:61:61 +9999",
        ]
    ),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)).map(
        lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT")
    ),
)  # fmt: skip


@st.composite
def _items(draw: st.DrawFn) -> str:
    parts = []
    guid = draw(st.one_of(st.none(), st.sampled_from(["g1", "g2", " g1 ", ""]), _words))
    if guid is not None:
        parts.append(f"<guid>{escape(guid)}</guid>")
    title = draw(st.one_of(st.none(), _words))
    if title is not None:
        cdata = draw(st.booleans())
        parts.append(
            f"<title><![CDATA[{title.replace(']]>', '')}]]></title>"
            if cdata
            else f"<title>{escape(title)}</title>"
        )
    link = draw(_links)
    if link is not None:
        parts.append(f"<link>{escape(link)}</link>")
    summary = draw(st.one_of(st.none(), _words, st.just("<p>para one</p><p>two</p>")))
    if summary is not None:
        parts.append(f"<description>{escape(summary)}</description>")
    date = draw(_dates)
    if date is not None:
        parts.append(f"<pubDate>{escape(date)}</pubDate>")
    return "<item>" + "".join(parts) + "</item>"


@st.composite
def _feeds(draw: st.DrawFn) -> bytes:
    items = "".join(draw(st.lists(_items(), max_size=6)))
    ttl = draw(st.sampled_from(["", "<ttl>60</ttl>", "<ttl>-5</ttl>", "<ttl>x</ttl>"]))
    text = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
        f"{ttl}{items}</channel></rss>"
    )
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
    if encoding == "utf-16":
        text = text.replace('encoding="utf-8"', 'encoding="utf-16"')
    return text.encode(encoding, errors="surrogatepass")


def _check_normalised(parsed: ParsedFeed) -> None:
    ids = [entry.entry_id for entry in parsed.entries]
    assert len(ids) == len(set(ids))
    for entry in parsed.entries:
        assert entry.feed == "f" and entry.entry_id
        assert entry.url or entry.title or entry.summary or entry.content
        assert entry.title == " ".join(entry.title.split())
        if entry.url is not None:
            assert entry.url.startswith(("http://", "https://"))
            assert canonicalize(entry.url) == entry.url
        if entry.published is not None:
            assert entry.published.utcoffset() == timedelta(0)
            assert entry.published <= NOW + FUTURE_TOLERANCE
        for text in (entry.summary, entry.content):
            assert "\r" not in text and "\n\n\n" not in text and text == text.strip()
    assert parsed.ttl is None or parsed.ttl > 0


@SLOW
@given(_feeds())
def test_generated_feeds_give_normalised_entries(body: bytes) -> None:
    try:
        parsed = parse(body, feed="f", url=FEED_URL, now=NOW)
    except FeedError as exc:
        assert FEED_URL in str(exc)
        return
    _check_normalised(parsed)
    assert parse(body, feed="f", url=FEED_URL, now=NOW) == parsed  # deterministic


@SLOW
@given(st.binary(max_size=400), st.sampled_from(["", "text/html", "application/xml; charset=x"]))
def test_any_bytes_parse_or_raise_feed_error(body: bytes, content_type: str) -> None:
    headers = {"Content-Type": content_type} if content_type else None
    try:
        parsed = parse(body, feed="f", url=FEED_URL, headers=headers, now=NOW)
    except FeedError:
        return
    _check_normalised(parsed)


@SLOW
@given(_feeds(), st.integers(min_value=0, max_value=400), st.binary(min_size=1, max_size=3))
def test_a_damaged_feed_parses_or_raises_feed_error(body: bytes, at: int, junk: bytes) -> None:
    damaged = body[:at] + junk + body[at + len(junk) :]
    try:
        parsed = parse(damaged, feed="f", url=FEED_URL, now=NOW)
    except FeedError:
        return
    _check_normalised(parsed)


# -- the config loader -------------------------------------------------------------------------

_KEYS = ["state", "baselines", "feeds", "http", "scheduler", "alerts", "name", "url", "interval",
         "log", "path", "jitter", "max_bytes", "enabled", "fetch_articles", "email", "host",
         "user_agent", "total_timeout", "misfire_grace", "x"]  # fmt: skip
_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["15m", "1h", "-5s", "https://e.org/f", "ftp://x", "all", "0", "1e999"]),
)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(str(value), repr(value))
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {_toml_value(v)}' for k, v in value.items()) + "}"
    return (
        '"'
        + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in value)
        + '"'
    )


_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(_KEYS), inner, max_size=3)
    ),
    max_leaves=8,
)
_documents = st.dictionaries(st.sampled_from(_KEYS), _values, max_size=5)


def _check_located(error: ConfigError | BaselineError, file: Path, text: str) -> None:
    """Every problem names the file and, if a line, one of the file's (or the end's)."""
    assert error.problems
    last = len(text.splitlines()) + 1  # the end of the input is on the line after the last
    for problem in error.problems:
        assert problem.render(str(file)).startswith(str(file))
        assert problem.message
        assert problem.line is None or 1 <= problem.line <= last


@SLOW
@given(_documents)
def test_any_toml_document_loads_or_is_refused_with_located_problems(
    tmp_path_factory: Any, document: dict[str, Any]
) -> None:
    text = "".join(f'"{key}" = {_toml_value(value)}\n' for key, value in document.items())
    path = tmp_path_factory.mktemp("cfg") / "claimwatch.toml"
    path.write_text(text, encoding="utf-8")
    try:
        load_config(path)
    except ConfigError as exc:
        _check_located(exc, path, text)


@SLOW
@given(st.text(max_size=200))
def test_any_text_loads_or_is_refused(tmp_path_factory: Any, text: str) -> None:
    path = tmp_path_factory.mktemp("cfg") / "claimwatch.toml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_config(path)
    except ConfigError as exc:
        _check_located(exc, path, text)


@given(
    st.integers(min_value=1, max_value=10_000),
    st.sampled_from([("", 1), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]),
    st.sampled_from(["", " "]),
)
def test_durations_mean_what_they_say(number: int, unit: tuple[str, int], space: str) -> None:
    suffix, seconds = unit
    assert parse_duration(f"{number}{space}{suffix}") == number * seconds
    if not suffix:
        assert parse_duration(number) == parse_duration(float(number)) == number


@given(st.one_of(st.text(max_size=12), st.floats(), st.integers(), st.none(), st.booleans()))
def test_any_duration_is_seconds_or_a_value_error(value: object) -> None:
    try:
        seconds = parse_duration(value)
    except ValueError:
        return
    assert seconds >= 0


@given(st.integers(min_value=30, max_value=7 * 86400))
def test_an_interval_reads_the_same_in_every_unit(seconds: int) -> None:
    forms: list[object] = [seconds, float(seconds), f"{seconds}s"]
    forms += [
        f"{seconds // u}{s}" for u, s in ((60, "m"), (3600, "h"), (86400, "d")) if not seconds % u
    ]
    read = {
        config_from_mapping(
            {"feeds": [{"name": "a", "url": "https://e.org/f", "interval": form}]},
            path=Path("claimwatch.toml"),
        )
        .feeds[0]
        .interval
        for form in forms
    }
    assert read == {float(seconds)}


# -- the baseline loader -----------------------------------------------------------------------

_LINES = BASELINE.splitlines()


@st.composite
def _mutated_baselines(draw: st.DrawFn) -> str:
    """The valid test baseline with a few lines dropped, repeated or edited."""
    lines = list(_LINES)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        action = draw(st.sampled_from(["drop", "repeat", "edit", "indent"]))
        if action == "drop":
            del lines[index]
        elif action == "repeat":
            lines.insert(index, lines[index])
        elif action == "indent":
            lines[index] = draw(st.sampled_from(["  ", "\t", ""])) + lines[index].lstrip()
        else:
            at = draw(st.integers(min_value=0, max_value=len(lines[index])))
            junk = draw(st.sampled_from([":", "- ", "[", "]", "{", "'", "&a", "*a", "!!int ",
                                         "2022-13-45", "-1", "null", "", "é", "? "]))  # fmt: skip
            lines[index] = lines[index][:at] + junk + lines[index][at:]
        if not lines:
            break
    return "\n".join(lines) + "\n"


@SLOW
@given(_mutated_baselines())
def test_a_mutated_baseline_loads_or_is_refused_with_located_problems(
    tmp_path_factory: Any, text: str
) -> None:
    path = tmp_path_factory.mktemp("bl") / "freedonia.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_baseline(path)
    except BaselineError as exc:
        _check_located(exc, path, text)


@SLOW
@given(st.text(max_size=120))
def test_any_text_as_a_baseline_loads_or_is_refused(tmp_path_factory: Any, text: str) -> None:
    path = tmp_path_factory.mktemp("bl") / "any.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_baseline(path)
    except BaselineError as exc:
        _check_located(exc, path, text)
