"""A title holding RFC 2047 encoded-word syntax (``=?utf-8?b?...?=``) must reach the reader
as the literal text, never decoded into a subject of the feed's choosing. Sent through a real
SMTP server (aiosmtpd on 127.0.0.1) and read back as mail clients decode it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage

import pytest

from claimwatch.sinks.email_render import Envelope, alert_subject, set_subject
from claimwatch.sinks.smtp import SmtpSettings, SmtpSink
from tests.smtp_server import SmtpServer
from tests.test_sinks_smtp import alert

ENVELOPE = Envelope("claimwatch@example.org", ("desk@example.org",), "[claimwatch]")
SPOOFS = [
    "Breaking =?utf-8?b?U2FmZSB0byBpZ25vcmU=?= news",  # "Safe to ignore"
    "=?utf-8?q?Your_account_is_suspended?=",
    "=?iso-8859-1?q?caf=E9?= =?utf-8?B?w4k=?=",
    "=?unknown-8bit?b?/w==?=",
    "half =? an encoded word",
    "Ünïcode =?utf-8?b?U3Bvb2ZlZA==?= " + "x" * 150,  # cut at the title limit
]


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with SmtpServer() as running:
        yield running


def sink(server: SmtpServer) -> SmtpSink:
    return SmtpSink(SmtpSettings("127.0.0.1", server.port, "none", timeout=5.0), ENVELOPE)


def as_read(raw: bytes) -> tuple[str, str]:
    """The Subject as a modern client shows it, and as an older one that decodes words."""
    message = message_from_bytes(raw, policy=policy.default)
    header = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    unfolded = header.replace("\r\n ", " ").replace("\r\n\t", " ")
    line = next(x for x in unfolded.split("\r\n") if x.lower().startswith("subject:"))
    legacy = str(make_header(decode_header(line.split(":", 1)[1].strip())))
    return str(message["Subject"]), legacy


@pytest.mark.parametrize("title", SPOOFS)
async def test_a_title_with_encoded_words_arrives_literally(server: SmtpServer, title: str) -> None:
    item = dataclasses.replace(alert("a1"), article_title=title)
    await sink(server).deliver(item)
    expected = alert_subject(item, ENVELOPE.subject_prefix)
    assert title[:40] in expected
    modern, legacy = as_read(server.messages[0].raw)
    assert modern == expected
    assert legacy == expected


@pytest.mark.parametrize("subject", ["[cw] =?utf-8?b?U3Bvb2ZlZA==?=", "plain =?x?q?y?= words"])
async def test_an_ascii_subject_with_encoded_words_is_encoded_itself(
    server: SmtpServer, subject: str
) -> None:
    message = EmailMessage()
    message["From"], message["To"] = ENVELOPE.sender, ENVELOPE.recipients[0]
    set_subject(message, subject)
    message.set_content("body")
    await sink(server).send(message)
    raw = server.messages[0].raw
    assert b"Subject: =?utf-8?" in raw
    assert as_read(raw) == (subject, subject)


async def test_an_ordinary_ascii_subject_stays_readable_in_the_source(
    server: SmtpServer,
) -> None:
    message = EmailMessage()
    message["From"], message["To"] = ENVELOPE.sender, ENVELOPE.recipients[0]
    set_subject(message, "[cw] digest: 3 alerts")
    message.set_content("body")
    await sink(server).send(message)
    assert b"Subject: [cw] digest: 3 alerts\r\n" in server.messages[0].raw
