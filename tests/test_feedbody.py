"""feedbody: which bodies are repaired as UTF-8, which encodings are named, which entity
declarations are refused."""

from __future__ import annotations

import pytest

from claimwatch.entries import parse
from claimwatch.errors import FeedError
from claimwatch.feedbody import MAX_ENTITY_EXPANSION, decide_encoding, entity_problem


def test_valid_or_declared_bodies_are_left_to_feedparser() -> None:
    text = "<rss><title>Café – ČSTO</title></rss>"
    assert decide_encoding(text.encode(), "application/xml") == (text.encode(), None)
    latin = text.replace(" – ČSTO", "").encode("latin-1")
    assert decide_encoding(latin, "text/xml; charset=iso-8859-1") == (latin, None)
    declared = b'<?xml version="1.0" encoding="euc-jp"?>' + "東京".encode("euc-jp")
    assert decide_encoding(declared, "text/xml") == (declared, None)


def test_a_utf8_body_with_a_stray_byte_is_repaired() -> None:
    body = "Café, Zürich, ČSTO, naïve".encode().replace("ï".encode(), b"\xef")
    repaired, charset = decide_encoding(body, "application/rss+xml; charset=utf-8")
    assert charset is None and repaired.decode() == "Café, Zürich, ČSTO, na\ufffdve"


def test_a_latin1_body_with_valid_utf8_runs_by_chance_is_not_repaired() -> None:
    body = "Café crème à Genève, 20 Â£, NÂº 5".encode("latin-1")
    assert decide_encoding(body, "application/xml") == (body, "windows-1252")


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("euc-jp", "東京で会議が開かれた。政府は新しい経済対策を発表した。"),
        ("shift_jis", "東京で会議が開かれた。政府は新しい経済対策を発表した。"),
        ("euc-kr", "서울에서 회의가 열렸다. 정부는 새로운 경제 대책을 발표했다."),
        ("gb2312", "北京召开会议。政府周三宣布了新的经济措施。"),
        ("big5", "北京召開會議。政府週三宣布了新的經濟措施。專家表示，今年物價將繼續上漲。"),
    ],
)
def test_an_undeclared_east_asian_body_is_named(encoding: str, text: str) -> None:
    body = f"<rss><title>{text}</title></rss>".encode(encoding)
    same, charset = decide_encoding(body, "application/xml")
    assert same == body and charset is not None and body.decode(charset) == body.decode(encoding)


def test_a_single_byte_guess_falls_back_to_windows_1252() -> None:
    body = "<rss><title>Новости: мост закрыт</title></rss>".encode("cp1251")
    assert decide_encoding(body, "application/xml")[1] == "windows-1252"


@pytest.mark.parametrize(
    "declarations",
    [
        "",
        '<!ENTITY nbsp "&#160;">',
        '<!ENTITY % lat1 PUBLIC "-//W3C//ENTITIES Latin 1//EN" "xhtml-lat1.ent">%lat1;',
        '<!ENTITY logo SYSTEM "logo.gif" NDATA gif>',
    ],
)
def test_harmless_declarations_pass(declarations: str) -> None:
    document = f"<!DOCTYPE rss [{declarations}]><rss>&nbsp;{'&logo;' * 1000}</rss>"
    assert entity_problem(document.encode()) is None


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (
            '<!DOCTYPE r [<!ENTITY a "' + "x" * 1001 + '">]><r>' + "&a;" * 2000 + "</r>",
            f"its entities would add more than {MAX_ENTITY_EXPANSION:,} bytes of text",
        ),
        ('<!DOCTYPE r [<!ENTITY a "&b;"><!ENTITY b "&a;">]><r>&a;</r>', "&b; refers to itself"),
        ('<!DOCTYPE r [<!ENTITY % p "x">]><r/>', "parameter entity %p has a literal value"),
        ("<!DOCTYPE r [<!ENTITY broken>]><r/>", "an entity declaration that cannot be read"),
        (
            "<!DOCTYPE r ["
            + "".join(f'<!ENTITY e{n} "&e{n + 1};">' for n in range(9))
            + '<!ENTITY e9 "x">]><r>&e0;</r>',
            "entities nested more than 8 deep",
        ),
    ],
    ids=["expansion", "cycle", "parameter", "unreadable", "nesting"],
)
def test_dangerous_declarations_are_refused(document: str, problem: str) -> None:
    found = entity_problem(document.encode())
    assert found is not None and problem in found


def test_bytes_that_break_feedparsers_decoding_are_the_feeds_failure() -> None:
    body = b'<?xml version="1.0" encoding="ut\x00f-8"?><rss version="2.0"><channel/></rss>'
    with pytest.raises(FeedError, match="not a usable feed: ValueError"):
        parse(body, feed="f", url="http://example.org/feed")
