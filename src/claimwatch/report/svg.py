"""SVG pieces the charts share: source colours and marker shapes, text, a wrapping legend.

Every string that reaches the SVG goes through ``html.escape`` here, so chart code never
writes article text raw. Each source (feed) of a chart gets its own colour; past ten sources
the colours repeat with another marker shape.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from claimwatch.sinks.email_render import one_line, safe_link

# Tableau 10, reordered so neighbours differ; readable on white and in greyscale print
PALETTE = (
    "#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1",
    "#76b7b2", "#9c755f", "#edc948", "#ff9da7", "#5f5f5f",
)  # fmt: skip
SHAPES = ("circle", "square", "diamond", "triangle")
LEGEND_NAME_LIMIT = 32  # characters of a source name in a legend
CHAR_WIDTH = 6.6  # average width of a 12px sans-serif character, for laying out legends
EM_SHARE = 0.6  # a generous average character width, in ems: digits, letters and signs
ROW = 18  # height of a legend row


@dataclass(frozen=True, slots=True)
class SourceStyle:
    colour: str
    shape: str


def source_styles(feeds: Sequence[str]) -> dict[str, SourceStyle]:
    """A colour per source; after the palette runs out, the next shape with the same colours."""
    return {
        feed: SourceStyle(PALETTE[i % len(PALETTE)], SHAPES[(i // len(PALETTE)) % len(SHAPES)])
        for i, feed in enumerate(feeds)
    }


def text_width(body: str, size: float) -> float:
    """About how wide ``body`` runs at ``size`` px, erring wide: margins are sized with it."""
    return len(body) * size * EM_SHARE


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def text(x: float, y: float, body: str, *, anchor: str = "start", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}"{klass}>{esc(body)}</text>'


def line(x1: float, y1: float, x2: float, y2: float, cls: str) -> str:
    return f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" class="{cls}"/>'


def marker(style: SourceStyle, x: float, y: float, r: float = 5.5) -> str:
    """The source's shape, filled with its colour and outlined in white to stay apart."""
    paint = f'fill="{style.colour}" stroke="#fff" stroke-width="1.2"'
    if style.shape == "square":
        return f'<rect x="{x - r:g}" y="{y - r:g}" width="{2 * r:g}" height="{2 * r:g}" {paint}/>'
    if style.shape == "diamond":
        d = r * 1.3
        points = f"{x:g},{y - d:g} {x + d:g},{y:g} {x:g},{y + d:g} {x - d:g},{y:g}"
        return f'<polygon points="{points}" {paint}/>'
    if style.shape == "triangle":
        d = r * 1.25
        points = f"{x:g},{y - d:g} {x + d:g},{y + d * 0.8:g} {x - d:g},{y + d * 0.8:g}"
        return f'<polygon points="{points}" {paint}/>'
    return f'<circle cx="{x:g}" cy="{y:g}" r="{r:g}" {paint}/>'


def linked_marker(style: SourceStyle, x: float, y: float, tip: str, url: str | None) -> str:
    """A marker with a hover title, linking to the report when its link is http(s)."""
    body = f"<g>{marker(style, x, y)}<title>{esc(tip)}</title></g>"
    link = safe_link(url)
    return f'<a href="{esc(link)}">{body}</a>' if link else body


@dataclass(frozen=True, slots=True)
class LegendItem:
    label: str
    swatch: str  # SVG drawn centred on (0, 0)


def source_item(feed: str, style: SourceStyle) -> LegendItem:
    return LegendItem(one_line(feed, LEGEND_NAME_LIMIT), marker(style, 0, 0, 5))


def legend(items: Sequence[LegendItem], x: float, y: float, width: float) -> tuple[str, float]:
    """Items laid out left to right, wrapping at ``width``; returns the SVG and its height."""
    parts: list[str] = []
    cx, cy = x, y + ROW / 2
    for item in items:
        size = 22 + len(item.label) * CHAR_WIDTH + 14
        if cx > x and cx + size > x + width:
            cx, cy = x, cy + ROW
        parts.append(f'<g transform="translate({cx + 8:g},{cy:g})">{item.swatch}</g>')
        parts.append(text(cx + 20, cy + 4, item.label, cls="legend"))
        cx += size
    height = (cy - y + ROW / 2) if items else 0.0
    return "".join(parts), height
