"""``claimwatch scan``: match one article, from a file or a URL, against the baselines.

Nothing is stored or delivered: this is the detector on demand, for writing and testing
baselines. A URL is read like an entry's page (guarded fetch, article extraction). The
detector runs with a trace, so that it can say why nothing fired (``--explain``: why for
every baseline and claim).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from claimwatch.articles import read
from claimwatch.baselines import Baseline
from claimwatch.config import Config
from claimwatch.entries import Entry
from claimwatch.errors import FetchError, InputError
from claimwatch.explain_view import explain_text, hint_text
from claimwatch.extract import article_text, decode_html, html_to_text
from claimwatch.fetcher import Fetcher
from claimwatch.matching import Document, Explanation, Finding, Trace, match

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


async def scan(
    source: str,
    config: Config,
    baselines: Sequence[Baseline],
    published: datetime | None = None,
) -> tuple[list[Finding], Explanation]:
    """The findings for one article, and why each baseline and claim did or did not fire."""
    text = await url_text(source, config) if is_url(source) else file_text(Path(source))
    trace = Trace()
    findings = match(Document(title="", text=text, published=published), baselines, trace=trace)
    return findings, trace.explanation()


def show(
    findings: Sequence[Finding],
    *,
    as_json: bool,
    explanation: Explanation | None = None,
    explain: bool = False,
) -> str:
    """Findings as JSON (``{"findings": [...]}``, with ``"explanation"`` when ``explain``)
    or one readable block each; ``explain`` adds why every claim did or did not fire, and
    "no findings" is followed by the main reason per baseline when there is an explanation."""
    if as_json:
        data: dict[str, object] = {"findings": [dataclasses.asdict(f) for f in findings]}
        if explain and explanation is not None:
            data["explanation"] = explanation.to_dict()
        return json.dumps(data, ensure_ascii=False, indent=2)
    if explain and explanation is not None:
        head = _findings_text(findings) if findings else "no findings"
        return f"{head}\n\nwhy, per baseline and claim:\n\n{explain_text(explanation)}"
    if not findings:
        return "no findings" + (f"\n{hint_text(explanation)}" if explanation else "")
    return _findings_text(findings)


def _findings_text(findings: Sequence[Finding]) -> str:
    blocks = []
    for f in findings:
        blocks.append(
            f"{f.kind}: {f.baseline_id}/{f.claim_id} (score {f.score:.2f})\n"
            f"  {f.reason}\n"
            f"  evidence: {f.evidence}"
        )
    return "\n\n".join(blocks)
