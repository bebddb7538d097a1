"""Installed SDK sources inside a project tree: the SDK, not the project's code.

A project tree can hold an SDK's own source: a vendored `pip install --target` directory, a
Lambda bundle, unpacked wheels (corpus L is eight of them next to each other). Every module
importing it already reads it as the SDK (`from openai import OpenAI` is the external client,
whatever the tree holds: `sdk.SDK_PACKAGES`); analysing its own modules as project code
instead interpreted the SDK's implementation of a request (`self._post(...)`, litellm's
provider handlers) for every resource method, found nothing a user could act on (the SDK's
internals are not call sites), and took most of corpus L's time: three quarters of the
steps of entry functions that found nothing were in the anthropic, openai and litellm
packages.

A directory is an installed SDK package when it is named after one of `SDK_DISTRIBUTIONS`
and its parent holds that distribution's `.dist-info` (or `.egg-info`) metadata: what pip
leaves next to every package it installs. A project's own `providers/openai/` or a copy of
an SDK without its metadata is project code, as before. (The result cache keeps a skipped
file's answer until the file changes: deleting only the metadata directory by hand is not
seen by a warm run; uninstalling removes the package's files too.)
"""

from __future__ import annotations

import os
from typing import Dict, Optional, Tuple

from cachelint.analysis.sdk import SDK_PACKAGES

#: (package directory under the install root, distribution name as its metadata directory
#: spells it) of each of `sdk.SDK_PACKAGES`: `google.genai` is `google/genai`, installed by
#: the distribution `google-genai` (`google_genai-1.2.0.dist-info`)
SDK_DISTRIBUTIONS: Tuple[Tuple[str, str], ...] = tuple(
    (os.path.join(*package.split(".")), package.replace(".", "_")) for package in SDK_PACKAGES
)

_METADATA_SUFFIXES = (".dist-info", ".egg-info")


class InstalledSdks:
    """Answers `holds(path)` for the files under one root, remembering each directory."""

    def __init__(self, root: str) -> None:
        self.root = root.rstrip(os.sep) or os.sep
        #: directory -> whether it is an installed SDK package or lies inside one
        self._inside: Dict[str, bool] = {}
        #: directory -> the lowercased names of the metadata directories it holds
        self._metadata: Dict[str, Tuple[str, ...]] = {}

    def holds(self, path: str) -> bool:
        """Whether the file at `path` is part of an installed SDK's own source."""
        return self.inside(os.path.dirname(path))

    def inside(self, directory: str) -> bool:
        """Whether `directory` is an installed SDK package or lies inside one (under the root)."""
        known = self._inside.get(directory)
        if known is not None:
            return known
        if directory == self.root or not directory.startswith(self.root + os.sep):
            known = False
        else:
            known = self._is_package(directory) or self.inside(os.path.dirname(directory))
        self._inside[directory] = known
        return known

    def _is_package(self, directory: str) -> bool:
        for package, distribution in SDK_DISTRIBUTIONS:
            if not directory.endswith(os.sep + package):
                continue
            base = directory[: -len(package) - 1]
            if any(_names_distribution(name, distribution) for name in self._metadata_in(base)):
                return True
        return False

    def _metadata_in(self, directory: str) -> Tuple[str, ...]:
        known = self._metadata.get(directory)
        if known is None:
            try:
                names = os.listdir(directory)
            except OSError:
                names = []
            known = self._metadata[directory] = tuple(n.lower() for n in names if n.endswith(_METADATA_SUFFIXES))
        return known


def _names_distribution(metadata_dir: str, distribution: str) -> bool:
    """`openai-3.54.0.dist-info` names `openai`; `openai_helpers-1.0.dist-info` does not.
    Metadata directory names normalise `-` and `.` to `_` (`google_genai-1.2.0.dist-info`)."""
    stem: Optional[str] = None
    for suffix in _METADATA_SUFFIXES:
        if metadata_dir.endswith(suffix):
            stem = metadata_dir[: -len(suffix)]
    if stem is None:
        return False
    name = stem.split("-", 1)[0].replace(".", "_")
    return name == distribution
