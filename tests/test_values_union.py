"""`union` joins branch values and the elements of a container (`for x in items`).

It merges the same object, equal constants and equal strings, intersecting their guards, and
collapses unions wider than `MAX_UNION` to Unknown of the strongest kind. A list of thousands
of constants (litellm's model tables) is joined in one pass: the pairwise comparison it
replaced took 37 of 47 seconds on one litellm module.
"""

from __future__ import annotations

import pytest

import cachelint.analysis.values as values
from cachelint.analysis.values import MAX_UNION, Atom, Const, Kind, Str, Unknown, UnionV, union

A = Atom("mode", "eq", frozenset({"a"}))
B = Atom("debug", "truthy")


def test_equal_strings_and_constants_merge_and_keep_only_the_shared_guard() -> None:
    joined = union([(Str.literal("You are terse.", None), (A, B)), (Str.literal("You are terse.", None), (B,))])
    assert isinstance(joined, Str) and joined.text == "You are terse."
    two = union([(Const(3), (A,)), (Const(3), ()), (Const("x"), ())])
    assert isinstance(two, UnionV)
    assert [(v.value, g) for v, g in two.options] == [(3, ()), ("x", ())]


def test_constants_of_different_types_stay_apart() -> None:
    joined = union([(Const(1), ()), (Const(True), ()), (Const(1.0), ())])
    assert isinstance(joined, UnionV)
    assert [type(v.value) for v, _ in joined.options] == [int, bool, float]


def test_an_unhashable_constant_still_merges_with_an_equal_one() -> None:
    joined = union([(Const([1, 2]), (A,)), (Const([1, 2]), ()), (Const("x"), ())])
    assert isinstance(joined, UnionV)
    assert [(v.value, g) for v, g in joined.options] == [([1, 2], ()), ("x", ())]


def test_distinct_objects_that_are_not_constants_stay_apart_and_the_same_object_merges() -> None:
    first, second = Unknown(Kind.UNKNOWN, "a", None), Unknown(Kind.UNKNOWN, "b", None)
    joined = union([(first, (A,)), (second, ()), (first, (B,))])
    assert isinstance(joined, UnionV)
    assert [v for v, _ in joined.options] == [first, second]
    assert joined.options[0][1] == ()


def test_a_wide_union_is_unknown_of_the_strongest_kind_even_past_the_limit() -> None:
    options = [(Str.literal(f"model-{i}", None), ()) for i in range(MAX_UNION + 5)]
    options.append((Unknown(Kind.DYNAMIC, "now", None), ()))
    joined = union(options)
    assert isinstance(joined, Unknown)
    assert joined.kind is Kind.DYNAMIC


def test_thousands_of_elements_are_joined_without_comparing_every_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    compared = []
    real = values._same_const
    monkeypatch.setattr(values, "_same_const", lambda a, b: compared.append(1) or real(a, b))
    options = [(Str.literal(f"model-{i % 3000}", None), ()) for i in range(6000)]
    options += [(Const(i % 500), ()) for i in range(1000)]
    joined = union(options)
    assert isinstance(joined, Unknown) and joined.kind is Kind.STATIC
    assert compared == []
