"""Which part of the page to show: claims by status, their reports by kind and by source.

One filter, two forms. Served by the daemon, the page's links carry it as query parameters
(``?status=contradicted&kind=follow-up&source=Wire``) and the page is rendered for it. A file
cannot be rendered again, so there the same choices are anchors into an index of the claims.
A filter narrows what is shown, never a claim's status or counts: a claim another outlet
contradicted stays contradicted on a page that shows one outlet's reports.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from claimwatch.alerts import Alert
from claimwatch.matching.findings import Kind
from claimwatch.report.status import (
    STATUSES,
    BaselineStatus,
    ClaimStatus,
    Overview,
    Status,
    by_activity,
    utc,
)

STATUS_PARAMS: dict[str, Status] = {s.replace(" ", "-"): s for s in STATUSES}
KIND_PARAMS: dict[str, Kind] = {"contradiction": "contradiction", "follow-up": "follow_up"}
KIND_NAMES: dict[Kind, str] = {kind: param for param, kind in KIND_PARAMS.items()}
SOURCE_LIMIT = 300  # characters of a source name in a query


class FilterError(ValueError):
    """A query parameter the page cannot show; the message names it and what it accepts."""


@dataclass(frozen=True, slots=True)
class PageFilter:
    status: Status | None = None
    kind: Kind | None = None
    source: str | None = None  # a feed name, exactly
    since: datetime | None = None  # alerts found from then on are new; None: the page decides

    @property
    def narrows(self) -> bool:
        return bool(self.status or self.kind or self.source)

    def shows(self, alert: Alert) -> bool:
        """Whether one report passes the kind and source parts of the filter."""
        return (self.kind is None or alert.kind == self.kind) and (
            self.source is None or alert.feed == self.source
        )

    def keeps(self, item: ClaimStatus) -> bool:
        if self.status is not None and item.status != self.status:
            return False
        return not (self.kind or self.source) or any(map(self.shows, item.alerts))

    def params(self) -> list[tuple[str, str]]:
        pairs = [
            ("status", self.status.replace(" ", "-") if self.status else None),
            ("kind", KIND_NAMES[self.kind] if self.kind else None),
            ("source", self.source),
            ("since", self.since.isoformat() if self.since else None),
        ]
        return [(key, value) for key, value in pairs if value]

    def href(self) -> str:
        """A relative link to the page with this filter: ``?status=contradicted`` (``?`` alone
        when nothing is filtered, so that the link still leaves the current query)."""
        return "?" + urlencode(self.params())

    def describe(self) -> str:
        parts = [f"status {self.status}" if self.status else ""]
        parts.append(f"kind {KIND_NAMES[self.kind]}" if self.kind else "")
        parts.append(f"source {self.source}" if self.source else "")
        return ", ".join(p for p in parts if p)


EVERYTHING = PageFilter()


def _choice(query: Mapping[str, str], key: str, allowed: Mapping[str, str]) -> str | None:
    value = query.get(key, "").strip().lower().replace(" ", "-").replace("_", "-")
    if not value or value == "all":
        return None
    if value not in allowed:
        raise FilterError(f"{key}: {query[key]!r} is not one of all, {', '.join(allowed)}")
    return allowed[value]


def _since(text: str) -> datetime | None:
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise FilterError(f"since: {text!r} is not an ISO 8601 date or time") from None
    return utc(moment)


def parse_filter(query: Mapping[str, str]) -> PageFilter:
    """The filter a request asks for; other parameters are ignored, bad values refused."""
    source = query.get("source", "").strip()
    if len(source) > SOURCE_LIMIT:
        raise FilterError(f"source: longer than {SOURCE_LIMIT} characters")
    return PageFilter(
        status=_choice(query, "status", STATUS_PARAMS),  # type: ignore[arg-type]
        kind=_choice(query, "kind", KIND_PARAMS),  # type: ignore[arg-type]
        source=source or None,
        since=_since(query.get("since", "")),
    )


def _narrow_claim(item: ClaimStatus, page_filter: PageFilter) -> ClaimStatus:
    shown = tuple(a for a in item.alerts if page_filter.shows(a))
    return dataclasses.replace(item, alerts=shown)


def narrow(view: Overview, page_filter: PageFilter) -> Overview:
    """The claims the filter keeps, each with only the reports it shows; baselines with none
    left are left out."""
    if not page_filter.narrows:
        return view
    kept = []
    for status in view.baselines:
        claims = [_narrow_claim(c, page_filter) for c in status.claims if page_filter.keeps(c)]
        if claims:
            claims.sort(key=lambda c: by_activity(c.last_report))
            kept.append(BaselineStatus(status.baseline, tuple(claims)))
    kept.sort(key=lambda b: by_activity(b.last_report))
    return dataclasses.replace(view, baselines=tuple(kept), reports=sum(b.alerts for b in kept))
