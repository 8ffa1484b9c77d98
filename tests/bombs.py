"""Hostile inputs shared by tests and bench/hostile.py: entity bombs and an alias bomb."""

from __future__ import annotations


def entity_bomb(*, value_size: int = 10_000, references: int = 4_000) -> str:
    """One large entity referred to many times: 40 KB that expand to 40 MB. A declaration on
    a line of its own is what feedparser passes on to its fallback parser."""
    doctype = f'<!DOCTYPE rss [\n<!ENTITY big "{"A" * value_size}">\n]>'
    item = f"<item><guid>b1</guid><title>Bomb</title><description>{'&big;' * references}"
    return (
        f'<?xml version="1.0"?>\n{doctype}\n<rss version="2.0"><channel><title>T</title>'
        f"{item}</description></item></channel></rss>"
    )


def nested_bomb() -> str:
    """The billion laughs: ten entities, each ten of the one before."""
    declarations = '<!ENTITY l0 "lol">\n' + "".join(
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">\n' for n in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n{declarations}]>\n<rss version="2.0">'
        "<channel><title>T</title><item><guid>b1</guid><title>&l9;</title></item></channel></rss>"
    )


def alias_bomb(levels: int = 9) -> str:
    """A baseline of nine-fold aliases nine levels deep (9**9 paths) and one invalid date."""
    lines = ['  l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"  l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, levels)]
    return "lol:\n" + "\n".join(lines) + "\nid: bomb\ntitle: t\nsince: 2022-13-45\n"
