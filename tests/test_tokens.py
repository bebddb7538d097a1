"""Token estimates and the measured bounds the rules use (`cachelint.analysis.tokens`)."""

from __future__ import annotations

import re

from cachelint.analysis import tokens


def test_the_bounds_follow_from_the_measured_figures() -> None:
    assert tokens.DENSE_CHARS_PER_TOKEN == 2.90
    assert tokens.MIN_CHARS_PER_TOKEN == 2.21
    assert tokens.MAX_CHARS_PER_TOKEN == 5.00
    # as factors of the chars/4 estimate
    assert round(tokens.CHARS_PER_TOKEN / tokens.DENSE_CHARS_PER_TOKEN, 2) == 1.38
    assert round(tokens.CHARS_PER_TOKEN / tokens.MIN_CHARS_PER_TOKEN, 2) == 1.81
    assert round(tokens.CHARS_PER_TOKEN / tokens.MAX_CHARS_PER_TOKEN, 2) == 0.80
    # the newer tokenizer's bound is no looser than the official "approximately 30 percent more"
    assert tokens.MIN_CHARS_PER_TOKEN <= tokens.DENSE_CHARS_PER_TOKEN / 1.30
    # the table in the module docstring is the one the constants were taken from
    doc = tokens.__doc__ or ""
    assert re.search(r"\| Claude v3 \| code \| 3\.52 \| 2\.90 \|", doc)
    assert re.search(r"\| Claude v3 \| prompts \(prose\) \| 3\.73 \| 3\.02 \| 3\.39 \| 4\.14 \| 5\.00 \|", doc)
    assert re.search(r"\| Claude Opus 4\.7 \| prompts \(prose\) \| 2\.69 \| 2\.21 \|", doc)
    # every other kind's p1 is sparser than the one taken as the densest
    older = re.findall(r"\| Claude v3 \| [^|]+ \| [\d.]+ \| ([\d.]+) \|", doc)
    newer = re.findall(r"\| Claude Opus 4\.7 \| [^|]+ \| [\d.]+ \| ([\d.]+) \|", doc)
    assert len(older) == len(newer) == 3
    assert min(map(float, older)) == tokens.DENSE_CHARS_PER_TOKEN
    assert min(map(float, newer)) == tokens.MIN_CHARS_PER_TOKEN


def test_upper_and_lower_bounds_bracket_the_estimate() -> None:
    for chars in (1, 400, 10_400, 123_456):
        estimate = tokens.estimate_tokens(chars)
        assert tokens.min_tokens(chars) <= estimate <= tokens.max_tokens(chars, "claude-haiku-4-5")
        assert tokens.max_tokens(chars, "claude-haiku-4-5") <= tokens.max_tokens(chars, "claude-opus-4-7")
        assert tokens.max_tokens(chars, None) == tokens.max_tokens(chars, "claude-opus-4-7")


def test_the_haiku_case_of_issue_13() -> None:
    """~2,600 estimated tokens marked for Claude Haiku 4.5 (minimum 4,096): the old flat 2x
    bound (5,200) hid it; the measured bound for the older tokenizer does not."""
    estimate = 2_600
    assert tokens.upper_bound_of_estimate(estimate, "claude-haiku-4-5") < 4_096
    assert tokens.upper_bound_of_estimate(estimate, "us.anthropic.claude-haiku-4-5-20251001-v1:0") < 4_096
    # a model on the newer tokenizer (or an unknown one) keeps the wider bound: silent
    assert tokens.upper_bound_of_estimate(estimate, "claude-opus-4-7") >= 4_096
    assert tokens.upper_bound_of_estimate(estimate, "my-deployment") >= 4_096


def test_tokenizer_generations() -> None:
    assert tokens.older_tokenizer("claude-sonnet-4-5-20250929")
    assert tokens.older_tokenizer("anthropic/claude-sonnet-4.5")
    assert not tokens.older_tokenizer("claude-opus-4-7")
    assert not tokens.older_tokenizer(None)


def test_the_bands_the_ctok_measurement_moved() -> None:
    """The measured Claude bounds are tighter than the carried-over o200k ones (1.45x -> 1.38x,
    1.96x -> 1.81x): these prefixes were "maybe at the minimum" before and are certainly below
    a 4,096-token minimum now."""
    assert tokens.upper_bound_of_estimate(2_900, "claude-haiku-4-5") == 4_000  # was 4,203
    assert tokens.upper_bound_of_estimate(2_200, "claude-opus-4-7") == 3_981  # was 4,292
    assert tokens.upper_bound_of_estimate(2_200, None) == 3_981
    # the lower bound moved the other way (0.87x -> 0.80x)
    assert tokens.min_tokens(10_000) == 2_000
