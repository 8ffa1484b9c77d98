"""Expected result of parsing atom.xml (Atom 1.0, xml:base, xhtml content)."""

from datetime import UTC, datetime

from claimwatch.entries import Entry, ParsedFeed

URL = "https://wire.example.net/science/feed.atom"

EXPECTED = ParsedFeed(
    title="Example Wire: Science",
    entries=(
        Entry(
            feed="atom",
            entry_id="tag:wire.example.net,2024:science/1842",
            url="https://wire.example.net/science/comets-2024?lang=en",
            title="Telescope finds three new comets",
            published=datetime(2024, 2, 2, 3, 15, tzinfo=UTC),
            summary="Observers in the southern hemisphere reported the objects.",
            content=(
                "Observers in the southern hemisphere reported the objects last week.\n\n"
                "Two of the comets are expected to be visible with binoculars."
            ),
        ),
        Entry(
            feed="atom",
            entry_id="tag:wire.example.net,2024:science/1839",
            url="https://wire.example.net/science/seed-bank",
            title="Seed bank passes one million samples",
            published=datetime(2024, 1, 30, 10, 0, tzinfo=UTC),  # <updated>, no <published>
            summary="The vault added its millionth sample on Monday.",
        ),
    ),
)
