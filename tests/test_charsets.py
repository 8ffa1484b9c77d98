"""extract.decode_html on real page bytes: the HTML standard's order (byte order mark, HTTP
charset, <meta>, sniffing), declarations the bytes disprove, and legacy pages that declare
nothing."""

from __future__ import annotations

import codecs

import pytest

from claimwatch.extract import SNIFF_BYTES, decode_html, sniff_encoding

RUSSIAN = [
    "Городские власти в среду вечером сообщили, что мост через Оку будет закрыт для всего "
    "транспорта до конца месяца. Решение приняли после внеплановой проверки, которая "
    "выявила трещины в двух опорах.",
    "По словам заместителя главы администрации, ремонт обойдётся бюджету примерно в сорок "
    "миллионов рублей. Подрядчика выберут на открытом конкурсе, а первые работы начнутся "
    "уже в ноябре.",
    "Жители соседних районов жалуются на пробки: объезд через южную развязку занимает больше "
    "часа. Автобусы № 12 и № 47 временно пойдут по другому маршруту, сообщили в транспортном "
    "управлении.",
    "«Мы понимаем недовольство горожан, но рисковать их безопасностью не будем», — заявил "
    "представитель мэрии на пресс-конференции в четверг.",
]
FRENCH = [
    "La mairie a annoncé mercredi soir que le pont sur la Loire resterait fermé à la "
    "circulation jusqu'à la fin du mois, après une inspection qui a révélé des fissures "
    "dans deux piliers.",
    "Selon l'adjoint chargé des travaux, la réparation coûtera près de quarante millions "
    "d'euros ; l'entreprise sera choisie après un appel d'offres et le chantier débutera "
    "dès novembre.",
    "« Nous comprenons l'exaspération des riverains », a déclaré jeudi le porte-parole, "
    "tandis que le détour par le périphérique sud dépasse désormais une heure.",
]
GERMAN = [
    "Die Stadtverwaltung teilte am Mittwochabend mit, dass die Brücke über den Fluss bis "
    "zum Monatsende für den gesamten Verkehr gesperrt bleibt. Prüfer hatten Risse in zwei "
    "Pfeilern gefunden.",
    "Die Reparatur werde rund vierzig Millionen Euro kosten, sagte der zuständige "
    "Bürgermeister. Anwohner klagen über Staus; der Umweg über die Südumgehung dauert "
    "länger als eine Stunde.",
]


def page(paragraphs: list[str], head: str = "", title: str = "Новости города") -> str:
    """A news page as a browser would save it: head, navigation, the article, a footer."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="ru"><head>{head}<title>{title}</title>\n'
        '<link rel="stylesheet" href="/static/site.css"></head>\n<body>\n'
        '<nav><a href="/">Home</a> <a href="/city">City</a></nav>\n'
        f"<article><h1>{title}</h1>\n{body}\n</article>\n"
        "<footer>(c) 2024</footer></body></html>\n"
    )


RU_PAGE = page(RUSSIAN)


def saved(text: str, encoding: str) -> tuple[bytes, str]:
    """``text`` as a site in ``encoding`` serves it (what the encoding lacks, such as « or №
    in KOI8-R, as character references), and the text those bytes hold."""
    body = text.encode(encoding, errors="xmlcharrefreplace")
    return body, body.decode(encoding)


@pytest.mark.parametrize("encoding", ["cp1251", "koi8-r", "cp866", "iso8859-5", "mac-cyrillic"])
def test_a_russian_page_that_declares_nothing_is_sniffed(encoding: str) -> None:
    body, text = saved(RU_PAGE, encoding)
    assert decode_html(body, "text/html") == text
    assert decode_html(body, None) == text
    assert "Жители соседних районов жалуются на пробки" in text


def test_sniffing_reads_the_text_after_a_long_script() -> None:
    script = "<script>\n" + "window.layout.push({slot: 'top', size: [728, 90]});\n" * 3000
    text = page(RUSSIAN * 30, head=script + "</script>")
    assert text.index("Городские") > SNIFF_BYTES
    for encoding in ("cp1251", "koi8-r"):
        assert decode_html(text.encode(encoding, errors="xmlcharrefreplace")) == text.encode(
            encoding, errors="xmlcharrefreplace"
        ).decode(encoding)


def test_a_short_cp1251_page_is_sniffed_too() -> None:
    short = page(RUSSIAN[:1])
    assert decode_html(short.encode("cp1251")) == short


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(page(FRENCH, title="Le pont fermé"), "cp1252"), (page(GERMAN, title="Brücke"), "latin-1")],
)
def test_a_western_page_that_declares_nothing_is_windows_1252(text: str, encoding: str) -> None:
    body = text.encode(encoding)
    assert sniff_encoding(body) == "cp1252"
    assert decode_html(body) == text


def test_a_latin_1_label_is_read_as_windows_1252() -> None:
    """The Encoding Standard's reading: such pages hold windows-1252 quotes and dashes."""
    text = page(FRENCH, head='<meta charset="iso-8859-1">', title="Le pont – fermé “jusqu’à” lundi")
    assert decode_html(text.encode("cp1252"), "text/html; charset=ISO-8859-1") == text


@pytest.mark.parametrize("content_type", [None, "text/html", "text/html; charset=utf-8"])
def test_utf8_with_and_without_declaration(content_type: str | None) -> None:
    assert decode_html(RU_PAGE.encode(), content_type) == RU_PAGE


@pytest.mark.parametrize("content_type", [None, "text/html; charset=windows-1251"])
def test_a_utf8_byte_order_mark_beats_every_declaration(content_type: str | None) -> None:
    text = page(RUSSIAN, head='<meta charset="koi8-r">')
    assert decode_html(codecs.BOM_UTF8 + text.encode(), content_type) == text


def test_utf16_with_a_byte_order_mark() -> None:
    body = RU_PAGE.encode("utf-16")
    assert body.startswith(codecs.BOM_UTF16_LE)
    assert decode_html(body, "text/html; charset=windows-1251") == RU_PAGE


def test_the_header_wins_over_the_meta_when_both_can_be_right() -> None:
    """Standard order: a wrong <meta> under a right header changes nothing."""
    text = page(RUSSIAN, head='<meta charset="koi8-r">')
    assert decode_html(text.encode("cp1251"), "text/html; charset=windows-1251") == text
    body, text = saved(page(RUSSIAN, head='<meta charset="windows-1251">'), "koi8-r")
    assert decode_html(body, "text/html; charset=koi8-r") == text


def test_a_utf8_header_over_a_cp1251_page_gives_way_to_its_meta() -> None:
    """A server-wide ``charset utf-8`` over an old page: the bytes are not UTF-8."""
    text = page(
        RUSSIAN, head='<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
    )
    assert decode_html(text.encode("cp1251"), "text/html; charset=utf-8") == text


def test_a_utf8_header_over_an_undeclared_koi8_page_gives_way_to_sniffing() -> None:
    body, text = saved(RU_PAGE, "koi8-r")
    assert decode_html(body, "text/html; charset=UTF-8") == text


def test_a_legacy_header_over_a_utf8_page_gives_way_to_its_meta() -> None:
    """A server default of ISO-8859-1 over pages written in UTF-8: valid UTF-8 text with
    Cyrillic letters is not windows-1252."""
    text = page(RUSSIAN, head='<meta charset="utf-8">')
    assert decode_html(text.encode(), "text/html; charset=ISO-8859-1") == text
    assert decode_html(text.encode(), "text/html; charset=windows-1251") == text


def test_a_utf8_page_with_a_stray_byte_stays_utf8() -> None:
    body = RU_PAGE.encode().replace("пробки".encode(), "пробки".encode("cp1251"))
    text = decode_html(body, "text/html; charset=utf-8")
    assert text == decode_html(body) == RU_PAGE.replace("пробки", "\ufffd" * 6)


def test_a_wrong_meta_alone_gives_way_to_sniffing() -> None:
    text = page(RUSSIAN, head='<meta charset="utf-8">')
    assert decode_html(text.encode("cp1251")) == text


@pytest.mark.parametrize("label", ["no-such-codec", "x-user-defined-7"])
def test_an_unknown_label_is_no_declaration(label: str) -> None:
    assert decode_html(RU_PAGE.encode("cp1251"), f"text/html; charset={label}") == RU_PAGE
