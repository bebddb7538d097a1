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
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple

from cachelint.cache.results import RACY_WINDOW_NS, code_id, ensure_layout, read_json, write_json_atomically
from cachelint.version import __version__

if TYPE_CHECKING:  # pragma: no cover
    from cachelint.analysis.byte_index import FileIndex

#: a file's part of the index with the stat it was read at: ((size, mtime_ns), index)
StoredEntry = Tuple[Tuple[int, int], "FileIndex"]


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
        entries: Dict[str, StoredEntry] = {}
        for rel, row in files.items():
            entry = _entry(row)
            if entry is not None:
                entries[os.path.join(self.root, rel)] = entry
        return entries

    def save(self, entries: Dict[str, StoredEntry]) -> None:
        """Store `entries` (absolute paths under the root) but those a same-size edit in
        the same clock tick could still change unseen; failures cost a later run time only."""
        horizon = time.time_ns() - RACY_WINDOW_NS
        prefix = self.root.rstrip(os.sep) + os.sep
        files: Dict[str, Any] = {}
        for path, ((size, mtime), (headers, names)) in entries.items():
            if mtime < horizon and path.startswith(prefix):
                # words joined by spaces (the index holds ASCII words only, see
                # `index_file`): strings load and check far faster than nested lists
                files[path[len(prefix):]] = [size, mtime, " ".join(w for pair in headers for w in pair), " ".join(names)]
        try:
            ensure_layout(self.directory)
            write_json_atomically(self.file, {"version": __version__, "code": code_id(), "root": self.root,
                                              "files": files})
        except OSError:
            pass


def _entry(row: Any) -> Optional[StoredEntry]:
    """A stored row checked field by field (a corrupt row is a miss, never an answer)."""
    if type(row) is not list or len(row) != 4:
        return None
    size, mtime, headers, names = row
    if type(size) is not int or type(mtime) is not int or type(headers) is not str or type(names) is not str:
        return None
    words = headers.split()
    if len(words) % 2:
        return None
    pairs = tuple(zip(words[::2], words[1::2]))
    return (size, mtime), (pairs, tuple(names.split()))
