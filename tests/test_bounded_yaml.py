"""bounded_yaml: documents over a bound are refused with a line; the rest reads as PyYAML."""

from __future__ import annotations

import pytest
import yaml

from claimwatch import bounded_yaml
from claimwatch.bounded_yaml import MAX_ALIASES, MAX_CHARS, MAX_DEPTH, LimitError


def refusal(text: str) -> tuple[str, int | None]:
    with pytest.raises(LimitError) as caught:
        bounded_yaml.read(text)
    mark = caught.value.problem_mark
    return str(caught.value.problem), (mark.line + 1 if mark is not None else None)


def test_a_plain_document_reads_as_pyyaml_reads_it() -> None:
    text = "id: x\nclaims:\n  - {id: a, about: [b, c]}\nsince: 2022-01-12\n"
    node, data = bounded_yaml.read(text)
    assert data == yaml.safe_load(text)
    assert isinstance(node, yaml.MappingNode) and node.start_mark.line == 0
    assert bounded_yaml.read("") == (None, None)
    assert bounded_yaml.compose("") is None


def test_a_few_aliases_are_read() -> None:
    text = "shared: &s [a, b]\n" + "".join(f"k{n}: *s\n" for n in range(MAX_ALIASES))
    data = bounded_yaml.read(text)[1]
    assert data[f"k{MAX_ALIASES - 1}"] == ["a", "b"]


def test_one_alias_too_many_is_refused_at_its_line() -> None:
    text = "shared: &s [a, b]\n" + "".join(f"k{n}: *s\n" for n in range(MAX_ALIASES + 1))
    problem, line = refusal(text)
    assert problem == f"more than {MAX_ALIASES} aliases (*s is one too many)"
    assert line == MAX_ALIASES + 2


def test_merge_keys_count_as_aliases() -> None:
    text = "base: &b {x: 1}\n" + "".join(f"m{n}: {{<<: *b}}\n" for n in range(MAX_ALIASES + 1))
    assert refusal(text)[0].startswith("more than")


@pytest.mark.parametrize("text", ["a: &x [1, *x]", "a: &x {k: [*x]}"])
def test_an_alias_inside_its_own_anchor_is_refused(text: str) -> None:
    assert refusal(text) == ("an alias refers to a node that contains it", 1)


def test_nesting_is_bounded() -> None:
    deep = "a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    assert refusal(deep) == (f"nested more than {MAX_DEPTH} levels deep", 1)
    fine = "a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    assert bounded_yaml.read(fine)[1] is not None


def test_aliases_that_multiply_a_large_list_are_refused() -> None:
    text = "big: &l [" + ", ".join(["1"] * 6_000) + "]\n"
    text += "copies: [" + ", ".join(["*l"] * 20) + "]\n"
    assert refusal(text) == ("more than 100,000 values once its aliases are expanded", 2)


def test_the_size_is_bounded() -> None:
    problem, line = refusal("x: " + "a" * MAX_CHARS)
    assert problem.startswith(f"the document has {MAX_CHARS + 3:,} characters") and line is None


def test_a_scalar_that_cannot_be_built_raises_as_yaml_load_does() -> None:
    with pytest.raises(ValueError):
        bounded_yaml.read("since: 2022-13-45\n")
    assert isinstance(bounded_yaml.compose("since: 2022-13-45\n"), yaml.MappingNode)
