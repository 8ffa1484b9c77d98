"""Config mistakes in the config's own words: TOML type names, the nearest key or table."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from claimwatch.config import EmailSinkConfig, FeedConfig, HttpConfig, _RawConfig
from claimwatch.config_messages import (
    known_tables,
    model_at,
    nearest,
    table_headers,
    type_message,
    unknown_key_message,
    unknown_tables,
)


def first_error(model: type[BaseModel], data: dict[str, Any]) -> Any:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return caught.value.errors()[0]


FEED = {"name": "a", "url": "https://example.org/feed"}
SMTP = {"host": "smtp.example.org", "sender": "cw@example.org", "recipients": ["d@example.org"]}


@pytest.mark.parametrize(
    ("model", "data", "message"),
    [
        (EmailSinkConfig, {**SMTP, "port": "587"},
         'expected an integer, got the string "587" (write 587 without quotes)'),
        (EmailSinkConfig, {**SMTP, "port": " 0x24b "},
         'expected an integer, got the string " 0x24b " (write 0x24b without quotes)'),
        (EmailSinkConfig, {**SMTP, "port": "five"}, 'expected an integer, got the string "five"'),
        (EmailSinkConfig, {**SMTP, "port": "5.5"}, 'expected an integer, got the string "5.5"'),
        (EmailSinkConfig, {**SMTP, "port": 587.0}, "expected an integer, got the float 587.0"),
        (EmailSinkConfig, {**SMTP, "port": True}, "expected an integer, got the boolean true"),
        (FeedConfig, {**FEED, "enabled": "yes"},
         'expected a boolean (true or false), got the string "yes"'),
        (FeedConfig, {**FEED, "enabled": "true"},
         'expected a boolean (true or false), got the string "true" (write true without quotes)'),
        (FeedConfig, {**FEED, "enabled": 1},
         "expected a boolean (true or false), got the integer 1"),
        (FeedConfig, {**FEED, "name": 7}, "expected a string, got the integer 7"),
        (FeedConfig, {**FEED, "name": ["a"]}, "expected a string, got an array"),
        (HttpConfig, {"listen": {"port": 1}}, "expected a string, got a table"),
        (HttpConfig, {"allowed_hosts": "example.org"}, "expected an array, got a string"),
        (_RawConfig, {"http": "fast"}, "expected a table, got a string"),
        (_RawConfig, {"feeds": {"name": "a"}}, "expected an array, got a table"),
    ],
)  # fmt: skip
def test_type_message_says_what_toml_wanted(
    model: type[BaseModel], data: dict[str, Any], message: str
) -> None:
    assert type_message(first_error(model, data)) == message


def test_a_string_where_an_array_was_wanted_is_not_echoed() -> None:
    """An Apprise URL written without brackets carries its token: it is never shown."""
    error = first_error(_RawConfig, {"alerts": {"log": {"path": 5}}})
    assert type_message(error) == "expected a string, got the integer 5"
    error = first_error(EmailSinkConfig, {**SMTP, "recipients": "secret-token@example.org"})
    assert type_message(error) == "expected an array, got a string"


def test_a_long_string_is_cut() -> None:
    message = type_message(first_error(EmailSinkConfig, {**SMTP, "port": "x" * 100}))
    assert message == f'expected an integer, got the string "{"x" * 37}..."'


def test_other_errors_keep_their_own_message() -> None:
    error = first_error(FeedConfig, {**FEED, "fetch_articles": "some"})
    assert error["type"] == "literal_error" and type_message(error) is None


@pytest.mark.parametrize(
    ("name", "known", "expected"),
    [
        ("intervall", ["name", "url", "interval", "enabled"], "interval"),
        ("Interval", ["name", "url", "interval", "enabled"], "interval"),
        ("max_byte", ["max_bytes", "max_connections", "max_per_host"], "max_bytes"),
        ("recipient", ["sender", "recipients"], "recipients"),
        ("colour", ["name", "url", "interval", "enabled"], None),
        ("x", [], None),
    ],
)
def test_nearest(name: str, known: list[str], expected: str | None) -> None:
    assert nearest(name, known) == expected


@pytest.mark.parametrize(
    ("loc", "message"),
    [
        (("feeds", 2, "intervall"), "unknown key 'intervall': did you mean 'interval'?"),
        (("stat",), "unknown key 'stat': did you mean 'state'?"),
        (("alerts", "email", "pasword_file"),
         "unknown key 'pasword_file': did you mean 'password_file'?"),
        (("http", "speed"), "unknown key 'speed'"),
        (("nowhere", "at", "all"), "unknown key 'all'"),
    ],
)  # fmt: skip
def test_unknown_key_message(loc: tuple[Any, ...], message: str) -> None:
    assert unknown_key_message(loc, _RawConfig) == message


def test_known_tables_come_from_the_models() -> None:
    tables = dict(known_tables(_RawConfig))
    assert tables["feeds"] is True  # [[feeds]]: an array of tables
    for name in ("http", "scheduler", "alerts", "alerts.log", "alerts.email", "outbox"):
        assert tables[name] is False, name
    assert model_at(_RawConfig, ("feeds", 3)) is FeedConfig
    assert model_at(_RawConfig, ("alerts", "email")) is EmailSinkConfig
    assert model_at(_RawConfig, ("alerts", "pigeon")) is None
    assert model_at(_RawConfig, ("state",)) is None


def test_table_headers() -> None:
    text = (
        "state = 'x'  # [not.a.header]\n"
        "[http]\n"
        "  [ alerts . log ]  # indented, spaced, commented\n"
        '[alerts."email"]\n'
        "[[feeds]]\n"
        'name = "[[nor.this]]"\n'
    )
    assert list(table_headers(text)) == [
        (2, "http", False),
        (3, "alerts.log", False),
        (4, "alerts.email", False),
        (5, "feeds", True),
    ]


def test_each_misspelt_header_is_reported_once_on_its_own_line() -> None:
    text = '[alert.log]\npath = "-"\n\n[alert.email]\nhost = "h"\n[[feed]]\n[[feed]]\n'
    found = unknown_tables(("alert",), text, _RawConfig)
    assert [(p.line, p.location, p.message) for p in found] == [
        (1, "alert.log", "unknown table [alert.log]: did you mean [alerts.log]?"),
        (4, "alert.email", "unknown table [alert.email]: did you mean [alerts.email]?"),
    ]
    (feed,) = unknown_tables(("feed",), text, _RawConfig)
    assert (feed.line, feed.message) == (6, "unknown table [[feed]]: did you mean [[feeds]]?")


def test_a_table_part_that_is_not_close_gets_the_list_of_tables() -> None:
    """``alerts.pigeon`` shares ``alerts.`` with ``alerts.apprise`` but is not a misspelling."""
    (problem,) = unknown_tables(("alerts", "pigeon"), "[alerts.pigeon]\n", _RawConfig)
    assert problem.message.startswith("unknown table [alerts.pigeon] (known tables: ")
    for table in ("[[feeds]]", "[http]", "[alerts.log]", "[alerts.email]", "[outbox]"):
        assert table in problem.message
    assert "[alerts]" not in problem.message  # holds only tables: never written alone


def test_a_key_not_written_as_a_header_is_no_table() -> None:
    assert unknown_tables(("alert",), 'alert = {log = {path = "-"}}\n', _RawConfig) == []
    assert unknown_tables(("alert",), "", _RawConfig) == []


class _Open(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: int = 0


def test_works_for_any_model() -> None:
    """Nothing is specific to claimwatch's tables: the names come from the model."""
    assert unknown_key_message(("valeu",), _Open) == "unknown key 'valeu': did you mean 'value'?"
    assert list(known_tables(_Open)) == []
