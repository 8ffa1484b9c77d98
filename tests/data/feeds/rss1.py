"""Expected result of parsing rss1.xml (RSS 1.0 / RDF with dc:date)."""

from datetime import UTC, datetime

from claimwatch.entries import Entry, ParsedFeed

URL = "http://archive.example.com/rss"

EXPECTED = ParsedFeed(
    title="Harbour Gazette",
    entries=(
        Entry(
            feed="rss1",
            entry_id="http://archive.example.com/2023/12/cranes.html",
            url="http://archive.example.com/2023/12/cranes.html",
            title="New cranes arrive at the container terminal",
            published=datetime(2023, 12, 5, 5, 45, tzinfo=UTC),
            summary="Four cranes were unloaded from a heavy-lift ship.",
        ),
        Entry(
            feed="rss1",
            entry_id="http://archive.example.com/2023/12/pilots.html",
            url="http://archive.example.com/2023/12/pilots.html",
            title="Pilots agree new rota",
            published=None,
            summary="The harbour pilots’ association signed the agreement.",
        ),
    ),
)
