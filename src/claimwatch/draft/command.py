"""The ``baseline draft`` command: read the article, draft, prove the draft loads, write it.

The article is read as ``claimwatch scan`` reads it (text file, HTML file or guarded URL
fetch with article extraction). The draft is loaded with the baseline loader before it is
written, so a file the command writes always passes ``claimwatch check``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

from claimwatch.baselines import check_generated
from claimwatch.draft import Draft, draft_baseline
from claimwatch.errors import InputError


def read_source(source: str, config_path: Path | None) -> tuple[str, str | None]:
    """The article's text and, for a URL, the URL itself."""
    from claimwatch.scan import file_text, is_url, url_text

    if not is_url(source):
        return file_text(Path(source)), None
    from claimwatch.config import default_config_path, load_config

    config = load_config(config_path or default_config_path())
    return asyncio.run(url_text(source, config)), source


def draft_from(source: str, *, baseline_id: str | None, config_path: Path | None) -> Draft:
    text, url = read_source(source, config_path)
    if not text.strip():
        raise InputError("no article text", subject=source)
    outlet = urlsplit(url).hostname if url else None
    draft = draft_baseline(text, baseline_id=baseline_id, outlet=outlet, url=url)
    if not draft.claims:
        raise InputError("no check-worthy statement found", subject=source)
    verify(draft.yaml)
    return draft


def verify(yaml_text: str) -> None:
    """Load the draft as ``claimwatch check`` would; a failure is a bug in the drafter."""
    check_generated(yaml_text, "the draft")


def write_draft(draft: Draft, out: str | None, *, force: bool) -> str:
    """Write the YAML to ``out`` (stdout when None or ``-``); return a one-line summary."""
    summary = f"draft: {len(draft.claims)} candidate claims"
    if out is None or out == "-":
        print(draft.yaml, end="")
        return summary
    path = Path(out)
    if path.exists() and not force:
        raise InputError("exists; pass --force to replace it", subject=out)
    try:
        path.write_text(draft.yaml, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror or exc}", subject=out) from None
    return f"{summary}, written to {out}: review the '# check:' notes, then claimwatch check"
