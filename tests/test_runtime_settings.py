"""A module-level setting that a function rebinds is read as any of its values after import.

Applications keep the chosen provider, model or feature flags in module globals that a
setter or the configuration loader rebinds (`global _provider; _provider = provider`:
hazzel). Read as the value the module binds at import, the provider was "groq" for
certain, the Anthropic branch was dead and its requests were never seen; a caching flag a
setter turns on was "off" for certain, and CL001 reported a prompt the code does cache.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from project_files import concise_findings, write_project

CONFIG = '''\
_provider = "groq"


def load(settings):
    global _provider
    _provider = settings["provider"]


def current_provider():
    return _provider
'''

REVIEW = '''\
import anthropic

import config

SYSTEM = "Review the diff in one paragraph."


def review(diff):
    if config.current_provider() == "anthropic":
        client = anthropic.Anthropic()
        return client.messages.create(
            model="claude-sonnet-4-5", max_tokens=300,
            system=[{"type": "text", "text": SYSTEM, "cache_control": {"type": "ephemeral"}}],
            messages=[{"role": "user", "content": diff}],
        )
    return None
'''


def test_a_provider_setting_a_loader_rebinds_reaches_every_branch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(write_project(tmp_path, {}))  # the project root is found from the working directory
    write_project(tmp_path, {"config.py": CONFIG, "review.py": REVIEW})
    assert "CL008" in concise_findings(tmp_path / "review.py", ["CL008"])


def test_a_setting_no_function_rebinds_keeps_its_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fixed = CONFIG.replace("    global _provider\n    _provider = settings[\"provider\"]", "    return settings")
    monkeypatch.chdir(write_project(tmp_path, {}))  # the project root is found from the working directory
    write_project(tmp_path, {"config.py": fixed, "review.py": REVIEW})
    assert "CL008" not in concise_findings(tmp_path / "review.py", ["CL008"])


def test_a_caching_flag_a_setter_turns_on_is_not_always_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(write_project(tmp_path, {}))  # the project root is found from the working directory
    write_project(tmp_path, {"app.py": '''\
import anthropic

client = anthropic.Anthropic()
GUIDE = "Follow the house style guide carefully. " * 300
CACHE = False


def enable_cache():
    global CACHE
    CACHE = True


def ask(question):
    system = [{"type": "text", "text": GUIDE}]
    if CACHE:
        system[0]["cache_control"] = {"type": "ephemeral"}
    return client.messages.create(model="claude-sonnet-4-5", max_tokens=100, system=system,
                                  messages=[{"role": "user", "content": question}])
'''})
    assert "CL001" not in concise_findings(tmp_path / "app.py", ["CL001"])


def test_a_lazily_created_client_is_still_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `_client = None` filled in by its getter: read as the module binds it (None), the
    # getter's own code creates the client
    monkeypatch.chdir(write_project(tmp_path, {}))  # the project root is found from the working directory
    write_project(tmp_path, {"app.py": '''\
import anthropic

SYSTEM = "Review the diff in one paragraph."
_client = None


def client():
    global _client
    if _client is None:
        _client = anthropic.Anthropic()
    return _client


def review(diff):
    return client().messages.create(
        model="claude-sonnet-4-5", max_tokens=300,
        system=[{"type": "text", "text": SYSTEM, "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": diff}],
    )
'''})
    assert "CL008" in concise_findings(tmp_path / "app.py", ["CL008"])
