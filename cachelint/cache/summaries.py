"""Module summaries kept between runs: a run need not parse a module to know what it exports.

The wrapper search reads the summary of every project module a file imports, directly or
not (`cachelint.analysis.candidates.Summary`: the functions, what each calls, the names
that lead to a request, the imports). A summary depends on the module's bytes alone, so it
is kept here with the file's size and modification time, one small JSON file per module,
and a run with a cache parses only the modules its interpreter actually follows: a
one-file run of crewai's Anthropic provider parsed 67 modules, 27 with the summaries kept.

A summary is stored only when the file's content is still the one it was made from (its
digest) and the file did not change within the racy window (`RACY_WINDOW_NS`: a same-size
edit in the same clock tick would keep the stat). A missing, corrupt or foreign entry is
ignored: the module is parsed and summarised again, never answered wrongly.

Layout: `<cache-dir>/<version>/summaries/<hash of the path>.json`, JSON as the rest of the
cache (never pickle: loading a cache that came with a checkout must not run code), each
written atomically.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Tuple

from cachelint.cache.results import RACY_WINDOW_NS, code_id, ensure_layout, file_stat, read_json, write_json_atomically
from cachelint.source import content_digest, read_regular_file
from cachelint.version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from cachelint.analysis.candidates import Summary


class SummaryStore:
    """The summaries kept in the cache at `directory`, one file per module path."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.folder = self.directory / __version__ / "summaries"

    def _file(self, path: str) -> Path:
        name = hashlib.blake2b(path.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
        return self.folder / f"{name}.json"

    #: (size, mtime_ns) of a path, None when it cannot be asked
    stat = staticmethod(file_stat)

    def load(self, path: str, stat: Tuple[int, int]) -> Optional["Summary"]:
        """The summary stored for `path` at exactly `stat`, or None."""
        from cachelint.analysis.candidates import summary_from_json

        data = read_json(self._file(path))
        if not isinstance(data, dict) or data.get("code") != code_id() or data.get("path") != path:
            return None
        if data.get("stat") != list(stat):
            return None
        try:
            return summary_from_json(data.get("summary"))
        except ValueError:
            return None

    def save(self, path: str, stat: Tuple[int, int], summary: "Summary") -> None:
        """Store `summary` for `path` at `stat` if the file still holds the bytes it was made
        from and is not within the racy window; failures cost a later run time only."""
        from cachelint.analysis.candidates import summary_to_json

        if stat[1] > time.time_ns() - RACY_WINDOW_NS:
            return
        try:
            if content_digest(read_regular_file(path)) != summary.digest:
                return  # changed since it was parsed: the stat taken may be the new one's
        except OSError:
            return
        data = {"version": __version__, "code": code_id(), "path": path, "stat": list(stat),
                "summary": summary_to_json(summary)}
        try:
            ensure_layout(self.directory)
            write_json_atomically(self._file(path), data)
        except OSError:
            pass
