"""The project's byte index kept between runs: a one-file run need not read every file.

`Project.subclasses` and `Project.defining_files` answer from an index of every Python
file's class headers and defined names (`cachelint.analysis.byte_index`). Building it reads
the whole project: on corpus L (110 MB) that was 0.8 s of a 1.7 s pre-commit run of one
file. Each file's part depends on its bytes alone, so it is stored here with the file's
size and modification time, and a later run reads again only the files whose size or time
changed (or that changed within two seconds of being indexed: file times are coarse, see
`RACY_WINDOW_NS`). A missing, corrupt or foreign store is ignored: the index is then built
from the bytes, never wrong.

Layout: `<cache-dir>/<version>/byte-index-<hash of the project root>.json`, JSON as the
rest of the cache (never pickle: a cache directory may come with a checkout, and loading
it must not run code), written atomically.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from cachelint.analysis.byte_index import well_formed
from cachelint.cache.results import RACY_WINDOW_NS, code_id, ensure_layout, read_json, write_json_atomically
from cachelint.version import __version__

#: a file's part of the index with the stat it was read at: ((size, mtime_ns), class
#: header words, defined names); see `IndexRow`
StoredEntry = Tuple[Tuple[int, int], str, str]


class ByteIndexStore:
    """The stored byte index of the project under `root`, in the cache at `directory`."""

    def __init__(self, directory: Path, root: Path) -> None:
        self.directory = Path(directory)
        self.root = str(root)
        name = hashlib.blake2b(self.root.encode("utf-8", "surrogateescape"), digest_size=8).hexdigest()
        self.file = self.directory / __version__ / f"byte-index-{name}.json"

    def load(self) -> Dict[str, StoredEntry]:
        """Absolute path -> its stored entry; empty when there is no usable store."""
        loaded = read_json(self.file)
        if not isinstance(loaded, dict) or loaded.get("code") != code_id() or loaded.get("root") != self.root:
            return {}
        files = loaded.get("files")
        if not isinstance(files, dict):
            return {}
        typed = [(rel, entry) for rel, entry in ((rel, _entry(row)) for rel, row in files.items())
                 if type(rel) is str and entry is not None]
        # every row's words checked at once; row by row only when some row is damaged
        if not well_formed(words for _, (_, headers, names) in typed for words in (headers, names)):
            typed = [(rel, entry) for rel, entry in typed if well_formed(entry[1:])]
        prefix = self.root.rstrip(os.sep) + os.sep
        return {prefix + rel: entry for rel, entry in typed}

    def save(self, entries: Dict[str, StoredEntry]) -> None:
        """Store `entries` (absolute paths under the root) but those a same-size edit in
        the same clock tick could still change unseen; failures cost a later run time only."""
        horizon = time.time_ns() - RACY_WINDOW_NS
        prefix = self.root.rstrip(os.sep) + os.sep
        files: Dict[str, Any] = {}
        for path, ((size, mtime), headers, names) in entries.items():
            if mtime < horizon and path.startswith(prefix):
                files[path[len(prefix):]] = [size, mtime, headers, names]
        try:
            ensure_layout(self.directory)
            write_json_atomically(self.file, {"version": __version__, "code": code_id(), "root": self.root,
                                              "files": files})
        except OSError:
            pass


def _entry(row: Any) -> Optional[StoredEntry]:
    """A stored row checked field by field but for its words (`load` checks those of every
    row at once): a corrupt row is a miss, never an answer. The words stay joined
    (`IndexRow`): a run asks about a few names, and splitting every file's words into
    tuples up front was a third of loading corpus L's index."""
    if type(row) is not list or len(row) != 4:
        return None
    size, mtime, headers, names = row
    if type(size) is not int or type(mtime) is not int or type(headers) is not str or type(names) is not str:
        return None
    if headers and headers.count(" ") % 2 == 0:  # header words go in pairs
        return None
    return (size, mtime), headers, names
