"""Token estimates and the measured bounds the rules use (`cachelint.analysis.tokens`)."""

from __future__ import annotations

import re

from cachelint.analysis import tokens


def test_the_bounds_follow_from_the_measured_figures() -> None:
    assert tokens.DENSE_CHARS_PER_TOKEN == tokens.CLAUDE_CHARS_PER_TOKEN * 3.41 / 4.32
    assert round(tokens.DENSE_CHARS_PER_TOKEN, 2) == 2.76
    assert round(tokens.MIN_CHARS_PER_TOKEN, 2) == 2.05
    assert round(tokens.MAX_CHARS_PER_TOKEN, 2) == 4.58
    # the table in the module docstring is the one the constants were taken from
    doc = tokens.__doc__ or ""
    assert re.search(r"\| prompts \(prose\) \| 4\.32 \| 3\.59 \| 3\.93 \| 4\.68 \| 5\.65 \|", doc)
    assert re.search(r"\| tool JSON \| 4\.03 \| 3\.41 \|", doc)


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
