"""Expected result of parsing rss2.xml (RSS 2.0 with content:encoded and ttl)."""

from datetime import UTC, datetime

from claimwatch.entries import Entry, ParsedFeed

URL = "https://news.example.org/feed.xml"

EXPECTED = ParsedFeed(
    title="Riverside Courier – City news",
    ttl=45 * 60.0,
    entries=(
        Entry(
            feed="rss2",
            entry_id="courier-2024-0117",
            url="https://news.example.org/city/flood-barrier?page=2",
            title="Council approves & funds new flood barrier",
            published=datetime(2024, 1, 17, 8, 30, tzinfo=UTC),
            summary="The council voted 31 to 4 on Tuesday.",
            content=(
                "The city council voted 31 to 4 on Tuesday to fund a flood barrier along the"
                " east bank.\n\n"
                "Work is expected to start in spring 2025. Residents may comment until March."
            ),
        ),
        Entry(
            feed="rss2",
            entry_id="https://news.example.org/transport/ferry-timetable?line=7",
            url="https://news.example.org/transport/ferry-timetable?line=7",
            title="Ferry timetable changes",
            published=datetime(2024, 1, 16, 18, 0, tzinfo=UTC),
            summary="Evening crossings move thirty minutes later from February.",
        ),
        Entry(
            feed="rss2",
            entry_id="sha256:658f2ce840208550cade5588a0dddeba0753c18ce90cf644c1a6622393d02cb9",
            url=None,
            title="",
            published=None,
            summary="Market square reopens after the winter works.",
        ),
        Entry(
            feed="rss2",
            entry_id="https://news.example.org/misc/placeholder",
            url="https://news.example.org/misc/placeholder",
            title="Placeholder date",
            published=None,
            summary="A date far in the future is dropped.",
        ),
    ),
)
