"""The warm path keeps its behaviour: what it memoises and what it defers gives the same answers.

A run where every file is a cache hit must not recompute the settings fingerprint per file,
resolve every directory again, or read the head of every file to find generated code. These
tests pin the behaviour those shortcuts must keep: the fingerprint follows the settings it
describes, the resolver's memo answers as a full resolution would, and a generated file is
skipped (and only checked once its content changes) whether or not the cache answers for it.
"""

from __future__ import annotations

import dataclasses
import pickle
import textwrap
from pathlib import Path
from typing import Dict, List

import pytest

from cachelint.config import CliOverrides, ConfigResolver
from cachelint.settings import Settings


def write(root: Path, files: Dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


# --- the settings fingerprint -------------------------------------------------------------------
def test_the_fingerprint_is_computed_once_per_settings_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = ConfigResolver(tmp_path, CliOverrides()).default_settings
    calls: List[int] = []
    compute = Settings._compute_fingerprint

    def counting(self: Settings) -> str:
        calls.append(1)
        return compute(self)

    monkeypatch.setattr(Settings, "_compute_fingerprint", counting)
    first = settings.fingerprint()
    assert all(settings.fingerprint() == first for _ in range(5))
    assert len(calls) == 1
    assert first == compute(settings)  # the memo is the value itself


def test_the_fingerprint_memo_follows_the_settings(tmp_path: Path) -> None:
    settings = ConfigResolver(tmp_path, CliOverrides()).default_settings
    before = settings.fingerprint()
    # different settings are a new object: a new fingerprint, never the memo of the old one
    narrowed = dataclasses.replace(settings, select=frozenset({"CL007"}))
    assert narrowed.fingerprint() != before
    with_generated = dataclasses.replace(settings, include_generated=True)
    assert with_generated.fingerprint() != before
    # equal settings agree, memo or not, and the memo changes neither equality nor pickling
    same = dataclasses.replace(settings)
    assert same == settings and same.fingerprint() == before
    assert pickle.loads(pickle.dumps(settings)).fingerprint() == before
    write(tmp_path, {"cachelint.toml": 'select = ["CL007"]\n'})
    assert (
        ConfigResolver(tmp_path, CliOverrides()).default_settings.fingerprint()
        == narrowed.fingerprint()
    )
