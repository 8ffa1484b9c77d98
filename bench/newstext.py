"""Generated news for the benchmarks: off-topic items, and on-topic items built from a baseline.

Off-topic items come from a small hand-written vocabulary of invented towns, teams and firms.
On-topic items are assembled from a baseline's own terms (subject names, story words, each
claim's ``about`` groups and expectation terms, figures near its quantities), so any baseline
yields coverage the detector has to read in full; nothing here is tied to one story. The
templates are English, so they take the terms written in the Latin script where a group has
any (a bilingual baseline's English coverage does not quote its Russian terms).

Every item is a pure function of (seed, feed, number): the farm never stores what it serves.
"""

from __future__ import annotations

import datetime as dt
import html
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from claimwatch.baselines import Assertion, Baseline, DateRule, Quantity, State, Unquantified
from claimwatch.terms import PatternSet

TOWNS = (
    "Marrowdale", "Port Elsin", "Kessington", "Varrow Bay", "Ondermere", "Halvik", "Tressel",
    "Brindlemoor", "Caskwell", "New Arden", "Lowfield", "Saltmere", "Ashcombe", "Greywater",
)  # fmt: skip
PEOPLE = (
    "Mara Quell", "Tobias Renn", "Ilse Varga", "Owen Strade", "Priya Lomax", "Jonas Eberl",
    "Hana Coyle", "Luis Marden", "Edith Sorrel", "Niko Banter",
)  # fmt: skip
FIRMS = ("Corvane", "Helix Freight", "Brightwell Foods", "Tamsin Energy", "Orrin Labs")
TEAMS = ("the Harriers", "Lowfield Rovers", "the Saltmere Gulls", "Ashcombe Athletic")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# topic -> (title templates, sentence templates); slots: town, person, firm, team, team2, n, day
OFF_TOPIC: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "council": (
        ("{town} council approves new budget for roads", "{town} votes on library hours"),
        (
            "Councillors in {town} approved a budget of {n} million for road repairs on {day}.",
            "The mayor, {person}, said the plan would be reviewed again in the spring.",
            "Residents asked for longer opening hours at the central library.",
            "A public meeting is planned for next month at the town hall.",
            "Opposition members said the spending came too late for the worst streets.",
            "The council also agreed to plant {n} trees along the river path.",
        ),
    ),
    "weather": (
        ("Storm warning for the coast near {town}", "Heavy rain expected around {town}"),
        (
            "Forecasters expect up to {n} millimetres of rain near {town} by {day}.",
            "Ferries between {town} and the islands may be cancelled at short notice.",
            "Farmers said the wet autumn had already delayed the harvest.",
            "The weather service advised drivers to avoid low-lying roads.",
            "Temperatures should recover slowly after the weekend.",
            "Volunteers filled sandbags outside the harbour office on {day}.",
        ),
    ),
    "sport": (
        ("{team} beat {team2} in a tense derby", "{team} sign a new goalkeeper"),
        (
            "{team} won by {n} points after a late surge on {day}.",
            "The coach, {person}, praised the defence but not the passing.",
            "About {n} hundred supporters travelled to the away fixture.",
            "{team2} will look to recover in the cup match next week.",
            "The new stand at the ground should open before the season ends.",
            "Tickets for the final home game sold out within an hour.",
        ),
    ),
    "business": (
        ("Shares in {firm} rise after strong quarter", "{firm} opens a depot near {town}"),
        (
            "{firm} reported revenue up {n} percent on the same quarter last year.",
            "The chief executive, {person}, said demand had held up well.",
            "Analysts expect the company to raise its dividend in the new year.",
            "The new depot near {town} will employ about {n} people.",
            "Competitors have cut prices to win back customers.",
            "The results were published before markets opened on {day}.",
        ),
    ),
    "science": (
        ("Researchers in {town} map a coastal reef", "New telescope sees first light"),
        (
            "A team led by {person} surveyed {n} square kilometres of the seabed.",
            "The findings will be published in a journal next month.",
            "Students from the university in {town} helped with the fieldwork.",
            "The instrument recorded its first images on {day} night.",
            "Funding for the second phase has not yet been agreed.",
            "The researchers said the reef was healthier than expected.",
        ),
    ),
    "transport": (
        ("Rail line to {town} reopens after repairs", "New bus routes planned in {town}"),
        (
            "Trains to {town} will run again from {day} after {n} weeks of repairs.",
            "The operator apologised for the delays and promised refunds.",
            "Engineers replaced a bridge and several kilometres of track.",
            "Commuters said the replacement buses had been crowded.",
            "Three new bus routes will link the station with outlying villages.",
            "Fares will stay unchanged until the end of the year, {person} said.",
        ),
    ),
}


# Sentences of a developing story that name none of its claims.
STORY_FILLER = (
    "The statement was read out on state television late on {day}.",
    "Reporters were not allowed to travel to the area, {person} said.",
    "Further details are expected to be published later this week.",
    "The ministry did not answer questions sent by email.",
    "Diplomats in the capital said they were following events closely.",
    "Residents described long queues outside shops and banks on {day}.",
    "A spokesperson promised a full account once the facts were established.",
    "Neighbouring governments issued travel advice for their citizens.",
    "Analysts said it was too early to judge what the events would change.",
    "Local media carried the announcement without comment.",
)


@dataclass(frozen=True, slots=True)
class Item:
    """One generated news item: feed entry fields and its article page."""

    title: str
    summary: str  # plain text (the feed wraps it in <p>)
    paragraphs: tuple[str, ...]  # the article page's body
    published: dt.datetime
    on_topic: bool


def item_rng(seed: int, feed: int, number: int) -> random.Random:
    return random.Random(seed * 1_000_003 + feed * 100_003 + number)


def _fill(template: str, rng: random.Random) -> str:
    teams = rng.sample(TEAMS, 2)
    return template.format(
        town=rng.choice(TOWNS),
        person=rng.choice(PEOPLE),
        firm=rng.choice(FIRMS),
        team=teams[0],
        team2=teams[1],
        n=rng.randint(2, 90),
        day=rng.choice(DAYS),
    )


def off_topic(rng: random.Random, published: dt.datetime) -> Item:
    titles, sentences = OFF_TOPIC[rng.choice(sorted(OFF_TOPIC))]
    title = _fill(rng.choice(titles), rng)
    summary = " ".join(_fill(s, rng) for s in rng.sample(sentences, 2))
    paragraphs = tuple(
        " ".join(_fill(s, rng) for s in rng.sample(sentences, 3)) for _ in range(rng.randint(6, 9))
    )
    return Item(title, summary, paragraphs, published, on_topic=False)


def surface(term: str) -> str:
    """A word or phrase that a term matches: ``protest*`` -> ``protests``."""
    text = term.strip()
    if text.endswith("*"):
        stem = text.rstrip("*")
        return stem + ("es" if stem.endswith("s") else "s")
    return text


def _latin(group: str) -> list[str]:
    """A group's terms in the Latin script (the templates are English), else all of them:
    a bilingual baseline's English coverage does not quote its Russian terms."""
    terms = group.split("|")
    return [t for t in terms if t.isascii() or not _NON_LATIN.search(t)] or terms


_NON_LATIN = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f]")


def _words(patterns: PatternSet) -> list[list[str]]:
    """Per pattern, one list of alternatives per ``+`` group, as surface words."""
    out = []
    for pattern in patterns.patterns:
        for group in pattern.source.split(" + "):
            out.append([surface(t) for t in _latin(group)])
    return out


def _pick(patterns: PatternSet, rng: random.Random) -> list[str]:
    """One surface word per group of one of the patterns."""
    if not patterns.patterns:
        return []
    pattern = rng.choice(patterns.patterns)
    return [surface(rng.choice(_latin(group))) for group in pattern.source.split(" + ")]


class StoryWriter:
    """On-topic coverage of one baseline, built only from the baseline's own terms."""

    def __init__(self, baseline: Baseline) -> None:
        self.baseline = baseline
        self.names = [w for group in _words(baseline.subject)[:1] for w in group]
        story = _words(baseline.required)
        self.story = [w for group in story[1:] for w in group] or self.names

    def item(self, rng: random.Random, published: dt.datetime) -> Item:
        """A story of 6-9 paragraphs; about half of them touch one of the claims."""
        name, story = rng.choice(self.names), rng.choice(self.story)
        title = f"{name}: new reports on the {story} as officials speak"
        summary = (
            f"Officials in {name} gave new details on {rng.choice(DAYS)} about the {story}. "
            f"{_fill(rng.choice(STORY_FILLER), rng)}"
        )
        paragraphs = [f"{name} - {self._claim_sentence(rng)} {_fill(STORY_FILLER[0], rng)}"]
        for _ in range(rng.randint(5, 8)):
            sentences = [_fill(s, rng) for s in rng.sample(STORY_FILLER, 3)]
            if rng.random() < 0.5:
                sentences[rng.randrange(3)] = self._claim_sentence(rng)
            paragraphs.append(" ".join(sentences))
        return Item(title, summary, tuple(paragraphs), published, on_topic=True)

    def _claim_sentence(self, rng: random.Random) -> str:
        claim = rng.choice(self.baseline.claims)
        about = " and ".join(_pick(claim.about, rng))
        extra = _expectation_phrase(rng.choice(claim.expectations), rng)
        name = rng.choice(self.names)
        return f"In {name}, the {about} was described on {rng.choice(DAYS)}; {extra}."


def _expectation_phrase(expectation: object, rng: random.Random) -> str:
    if isinstance(expectation, Quantity):
        figure = expectation.value * rng.choice((0.5, 1.0, 1.0, 1.8))
        return f"about {figure:,.0f} {' '.join(_pick(expectation.counts, rng))} were counted"
    if isinstance(expectation, Unquantified):
        _, measure = rng.choice(expectation.measures)
        return f"some {rng.randint(20, 900)} {' '.join(_pick(measure, rng))} were reported"
    if isinstance(expectation, State):
        change = rng.choice(expectation.changes)
        return f"officials said it was {' '.join(_pick(change.terms, rng))} this week"
    if isinstance(expectation, DateRule):
        when = expectation.date or expectation.not_before or expectation.not_after
        day = f"{when.day} {when:%B}" if when else "Tuesday"
        return f"it {' '.join(_pick(expectation.event, rng)) or 'happened'} on {day}"
    if isinstance(expectation, Assertion):
        options = expectation.followed_up_by or expectation.contradicted_by or expectation.holds
        return f"witnesses added that {' '.join(_pick(options, rng))}"
    return "no more was said"


@dataclass(frozen=True, slots=True)
class NewsSource:
    """Decides, for (feed, number), whether an item is on topic, and writes it."""

    seed: int
    on_topic_share: float
    writer: StoryWriter | None
    start: dt.datetime

    def item(self, feed: int, number: int) -> Item:
        rng = item_rng(self.seed, feed, number)
        published = self.start + dt.timedelta(minutes=7 * number + feed % 7)
        if self.writer is not None and rng.random() < self.on_topic_share:
            return self.writer.item(rng, published)
        return off_topic(rng, published)


def page_html(item: Item, canonical: str) -> str:
    """An article page with the usual furniture around the text."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in item.paragraphs)
    links = "".join(f'<li><a href="/section/{t}">{t.title()}</a></li>' for t in sorted(OFF_TOPIC))
    return (
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        f"<title>{html.escape(item.title)}</title>"
        f'<link rel="canonical" href="{html.escape(canonical)}"></head><body>'
        f"<header><nav><ul>{links}</ul></nav></header>"
        f"<main><article><h1>{html.escape(item.title)}</h1>"
        f"<p class=byline>By {html.escape(PEOPLE[len(item.title) % len(PEOPLE)])}</p>"
        f"{body}</article>"
        "<aside><h2>Most read</h2><ul><li>Weather</li><li>Sport</li></ul></aside></main>"
        "<footer><p>All rights reserved. Newsletter, contact, privacy.</p></footer>"
        "</body></html>\n"
    )


def corpus(source: NewsSource, count: int, feed: int = 0) -> Sequence[Item]:
    """``count`` consecutive items of one feed (for the matching benchmark)."""
    return [source.item(feed, n) for n in range(count)]
