"""``claimwatch scan``: match one article, from a file or a URL, against the baselines.

Nothing is stored or delivered: this is the detector on demand, for writing and testing
baselines. A URL is read like an entry's page (guarded fetch, article extraction).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path

from claimwatch.articles import read
from claimwatch.baselines import Baseline
from claimwatch.config import Config
from claimwatch.entries import Entry
from claimwatch.errors import FetchError, InputError
from claimwatch.extract import article_text, decode_html, html_to_text
from claimwatch.fetcher import Fetcher
from claimwatch.matching import Document, Finding, match

HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def looks_like_html(name: str, text: str) -> bool:
    return Path(name).suffix.lower() in HTML_SUFFIXES or text.lstrip().startswith("<")


def file_text(path: Path) -> str:
    """A text file as is; an HTML file's article text (or all its text when no article)."""
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", subject=str(path)) from None
    text = decode_html(body)
    if not looks_like_html(path.name, text):
        return text
    return article_text(text) or html_to_text(text)


async def url_text(url: str, config: Config) -> str:
    entry = Entry(feed="scan", entry_id=url, url=url, title="", published=None, summary="")
    async with Fetcher(config.http) as fetcher:
        article = await read(fetcher, entry, fetch_page=True)
    if article.source != "page":
        message = (article.error or "no article text").removeprefix(f"{url}: ")
        raise FetchError(message, url=url)
    return article.text


async def scan(source: str, config: Config, baselines: Sequence[Baseline]) -> list[Finding]:
    text = await url_text(source, config) if is_url(source) else file_text(Path(source))
    return match(Document(title="", text=text), baselines)


def show(findings: Sequence[Finding], *, as_json: bool) -> str:
    """Findings as JSON (``{"findings": [...]}``) or one readable block each."""
    if as_json:
        items = [dataclasses.asdict(f) for f in findings]
        return json.dumps({"findings": items}, ensure_ascii=False, indent=2)
    if not findings:
        return "no findings"
    blocks = []
    for f in findings:
        blocks.append(
            f"{f.kind}: {f.baseline_id}/{f.claim_id} (score {f.score:.2f})\n"
            f"  {f.reason}\n"
            f"  evidence: {f.evidence}"
        )
    return "\n\n".join(blocks)
