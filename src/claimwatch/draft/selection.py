"""Which sentences of an article can state a claim, and the article's own date.

Not a claim: the headline where the body says it again, a credit line ("image: X for The
Post", "contributed to this report", "(Reuters)"), a sentence about the article or the site
("this story has been updated", "read more", "sign up"), a question, a dateline alone.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

from claimwatch.draft.keywords import tokens
from claimwatch.matching.dates import find_dates
from claimwatch.matching.sentences import Sentence, split_sentences

MIN_WORDS = 3
HEADLINE_SHARE = 0.7  # of a headline's words said again in the body: no claim of its own
_CREDIT = re.compile(
    r"^(?:image|photo|photograph|picture|video|graphic|illustration|credit|source)s?\b"
    r"|contributed to (?:this|the) report|\b(?:getty images|ap photo|reuters photo|afp photo|"
    r"shutterstock|epa-efe)\b|all rights reserved|^copyright\b|^©|^\(\s*(?:reuters|ap|afp)\s*\)$"
    r"|\bfor (?:the|The) [A-Z][a-z]+\s*$|^(?:reporting|writing|editing|additional reporting) by\b",
    re.IGNORECASE,
)
_ABOUT_ARTICLE = re.compile(
    r"\b(?:this (?:story|article|report|page|post) (?:has been|was|is|will be)|read more|"
    r"sign up|subscribe|newsletter|follow us|click here|watch (?:the|our) video|live updates?|"
    r"breaking news|developing story|check back|stay tuned|related:|more to come)\b",
    re.IGNORECASE,
)


def claim_sentences(text: str) -> list[tuple[int, Sentence]]:
    """(number from 1, sentence) of every sentence that may state a claim."""
    sentences = split_sentences(text)
    kept = []
    for index, sentence in enumerate(sentences, start=1):
        if index == 1 and _repeated(sentence.text, sentences[1:]):
            continue  # the headline, said again in the body: the body's sentence is the claim
        if _states_nothing(sentence.text):
            continue
        kept.append((index, sentence))
    return kept


def _repeated(headline: str, body: list[Sentence]) -> bool:
    """Most of the headline's words stand in one sentence of the body, or in two."""
    words = {w for w in re.findall(r"\w+", headline.lower()) if len(w) > 3}
    if not words:
        return False
    said = [{w for w in re.findall(r"\w+", s.text.lower())} for s in body]
    best = max((len(words & s) for s in said), default=0)
    pairs = max((len(words & (a | b)) for a, b in itertools.pairwise(said)), default=0)
    return max(best, pairs) >= HEADLINE_SHARE * len(words)


def _states_nothing(text: str) -> bool:
    words = tokens(text)
    if len(words) < MIN_WORDS and not any(c.isdigit() for c in text):
        return True
    stripped = text.strip().rstrip("”\"'»)")
    if stripped.endswith("?"):
        return True
    return bool(_CREDIT.search(text.strip()) or _ABOUT_ARTICLE.search(text))


def article_date(text: str) -> dt.date | None:
    """The first full date in the article's first lines (its dateline), if any."""
    head = "\n".join(text.strip().splitlines()[:6])
    for mention in find_dates(head, 1900):
        if mention.date.year != 1900:
            return mention.date
    return None
