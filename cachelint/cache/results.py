"""The result cache: repeat runs only re-analyse what changed.

Layout (as ruff's): `<cache-dir>/CACHEDIR.TAG`, `<cache-dir>/.gitignore` containing `*`, and
`<cache-dir>/<version>/<settings-fingerprint>.json` holding, per file, its size, mtime, content
digest, the files its analysis read (imported prompt modules, prompt files) with theirs, and
the findings. An entry is used only when the file and every dependency are unchanged: equal
size and mtime, or else an equal content digest (always the digest for a file stored within
two seconds of its last change, since mtimes are coarse). So editing a prompt module invalidates every
file that imported it. A missing, unreadable or corrupt cache is ignored (never a wrong
result); a new one is written atomically at the end of the run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from cachelint.version import __version__
from cachelint.diagnostics import Diagnostic
from cachelint.source import content_digest
from cachelint.engine import FileResult

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by cachelint.\n"
    "# For information about cache directory tags, see:\n"
    "#\thttps://bford.info/cachedir/\n"
)
DEFAULT_DIR = ".cachelint_cache"
#: A file modified this recently when its entry is stored may be modified again within the
#: same timestamp tick (file systems stamp mtimes with a coarse clock, milliseconds apart)
#: without its size changing; such an entry is checked by content, never by stat alone.
RACY_WINDOW_NS = 2_000_000_000


def code_id() -> str:
    """Identity of the installed cachelint code.

    The version alone is not enough for a development install, where the code changes
    without a version bump: results computed by other code must not be reused. Installed
    from a wheel (pip, pipx, pre-commit, a CI job), the identity is the wheel's RECORD: the
    content hash of every installed file. It is the same for every install of the same
    wheel, so a CI job that installs cachelint afresh on each run still reads the cache it
    restored (file modification times are those of the install, new each time). A source
    checkout (an editable install, PYTHONPATH) has no RECORD beside the package: its
    files' sizes and modification times are used instead.
    """
    global _CODE_ID
    if _CODE_ID is None:
        package = Path(__file__).resolve().parent.parent  # cachelint/, not cachelint/cache/
        h = hashlib.blake2b(__version__.encode(), digest_size=8)
        record = _installed_record(package)
        if record is not None:
            h.update(b"record\0" + record)
        else:
            for path in sorted(package.rglob("*")):
                if path.suffix in (".py", ".toml") and path.is_file():
                    st = path.stat()
                    h.update(f"{path.relative_to(package)}:{st.st_size}:{st.st_mtime_ns};".encode())
        _CODE_ID = h.hexdigest()
    return _CODE_ID


def _installed_record(package: Path) -> Optional[bytes]:
    """The lines of the RECORD of the wheel that installed `package` (in the directory
    beside it) that list the package's files with their hashes, if there is one."""
    try:
        with os.scandir(package.parent) as entries:
            names = [e.name for e in entries if e.name.endswith(".dist-info") and e.name.lower().startswith("cachelint")]
    except OSError:
        return None
    for name in sorted(names):
        try:
            data = (package.parent / name / "RECORD").read_bytes()
        except OSError:
            continue
        if f"-{__version__}.dist-info" not in name or b"cachelint/__init__.py,sha256=" not in data:
            continue
        # the package's own files only: the console script's line differs per environment
        # (its first line names the environment's interpreter)
        own = sorted(line for line in data.splitlines() if line.startswith(b"cachelint/") and b",sha256=" in line)
        return b"\n".join(own)
    return None


_CODE_ID: Optional[str] = None




def _digest_file(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as fh:
            return content_digest(fh.read())
    except OSError:
        return None


class ResultCache:
    """Per-run view of the cache for one cache directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._tables: Dict[str, Dict[str, Any]] = {}
        #: per table, the dependency versions its entries refer to by index: [path, [size,
        #: mtime], digest]. Thousands of entries depend on the same modules; each holding its
        #: own copy made two thirds of the table (22.6 MB on corpus L), and decoding it was
        #: the largest cost of a warm run. `_version_index` finds a version when storing.
        self._versions: Dict[str, List[List[Any]]] = {}
        self._version_index: Dict[str, Dict[Tuple[str, Tuple[int, ...], str], int]] = {}
        self._dirty: Dict[str, bool] = {}
        #: inside `batch()`: what was observed of each file, (size, mtime) and, when a content
        #: check was needed, its digest. Thousands of entries depend on the same imported
        #: modules; a warm run over a large repository stat-ed them once per dependent file.
        self._observed: Optional[Dict[str, Optional[Tuple[int, int]]]] = None
        self._digests: Dict[Tuple[str, Tuple[int, int]], Optional[str]] = {}
        #: answers computed over a whole run (`remember`), loaded on first use
        self._memo: Optional[Dict[str, Any]] = None
        self._memo_dirty = False

    def _file(self, fingerprint: str) -> Path:
        return self.directory / __version__ / f"{fingerprint}.json"

    def _table(self, fingerprint: str) -> Dict[str, Any]:
        table = self._tables.get(fingerprint)
        if table is None:
            table, versions = {}, []
            loaded = read_json(self._file(fingerprint))
            if (
                isinstance(loaded, dict)
                and loaded.get("version") == __version__
                and loaded.get("code") == code_id()
                and isinstance(loaded.get("files"), dict)
                and isinstance(loaded.get("versions"), list)
            ):
                table, versions = loaded["files"], loaded["versions"]
            self._tables[fingerprint] = table
            self._versions[fingerprint] = versions
        return table

    def _version(self, fingerprint: str, path: str, stat: Tuple[int, int], digest: str) -> int:
        """The index of a dependency version in the table's list, added if new."""
        versions = self._versions[fingerprint]
        index = self._version_index.get(fingerprint)
        if index is None:
            index = self._version_index[fingerprint] = {}
            for i, version in enumerate(versions):
                try:
                    index[(version[0], tuple(version[1]), version[2])] = i
                except (TypeError, IndexError):
                    continue  # a corrupt version: no entry stored from now on refers to it
        key = (path, tuple(stat), digest)
        found = index.get(key)
        if found is None:
            found = index[key] = len(versions)
            versions.append([path, list(stat), digest])
        return found

    def lookup(self, path: str, fingerprint: str, explicit: bool) -> Optional[FileResult]:
        entry = self._table(fingerprint).get(path)
        versions = self._versions[fingerprint]
        try:
            # an entry analysed because the file imports a module that sends requests is
            # valid for any lookup: its deps hold that module (and its own digest the import)
            if not entry or (entry.get("explicit") != explicit and not entry.get("forced")):
                return None
            racy = entry.get("racy")
            deps = entry.get("deps", ())
            if any(type(i) is not int or i < 0 for i in deps):
                return None  # versions are found by index: a negative one would be another's
            if racy:
                seen: Dict[str, Tuple[int, int]] = {}
                checks = [(path, entry["stat"], entry["digest"])]
                checks += [(versions[i][0], versions[i][1], versions[i][2]) for i in deps]
                for file, stat, digest in checks:
                    observed = self._fresh(file, stat, digest, file in racy)
                    if observed is None:
                        return None
                    seen[file] = observed
                self._settle(fingerprint, entry, seen)
            else:
                # the common case, once per file of a warm run: no list of checks to build
                fresh = self._fresh
                if fresh(path, entry["stat"], entry["digest"]) is None:
                    return None
                for i in deps:
                    dep, stat, digest = versions[i]
                    if fresh(dep, stat, digest) is None:
                        return None
            result = FileResult(path=path, skipped=entry.get("skipped"), digest=entry["digest"])
            result.diagnostics = [Diagnostic.from_dict(d) for d in entry.get("diagnostics", [])]
            result.deps = {versions[i][0]: versions[i][2] for i in deps}
            result.costs = [dict(row) for row in entry.get("costs", [])]
            result.sends_requests = bool(entry.get("sends_requests"))
            leads = entry.get("leads_through", [])
            if not isinstance(leads, list) or not all(isinstance(n, str) for n in leads):
                return None
            result.leads_through = tuple(leads)
            result.forced = bool(entry.get("forced"))
            result.imports_text = entry.get("imports", "")
            return result
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            return None  # a corrupt entry is a miss, never a wrong result

    def _settle(self, fingerprint: str, entry: Dict[str, Any], seen: Dict[str, Tuple[int, int]]) -> None:
        """After a content check passed, trust stat alone again for files whose change is
        now old enough, recording the stat seen before their content was read (a file
        changed since then keeps its old stat, so the next run compares content again)."""
        now = time.time_ns()
        versions = self._versions[fingerprint]
        still_racy = []
        for file in entry["racy"]:
            before = seen.get(file)
            if before is None or file_stat(file) != before or now - before[1] < RACY_WINDOW_NS:
                still_racy.append(file)
                continue
            dep = next((i for i in entry["deps"] if versions[i][0] == file), None)
            if dep is not None:
                # shared with the entries that saw the same content (same digest), which the
                # content check just confirmed: they may trust the new stat as well
                versions[dep][1] = list(before)
                self._version_index.pop(fingerprint, None)
            else:
                entry["stat"] = list(before)
        if still_racy != entry["racy"]:
            entry["racy"] = still_racy
            self._dirty[fingerprint] = True

    def _fresh(self, path: str, stat: Any, digest: str, racy: bool = False) -> Optional[Tuple[int, int]]:
        """The file's current (size, mtime) when it is unchanged since `stat`/`digest`, else None."""
        observed = self._observed
        if observed is None:
            now = file_stat(path)
        elif path in observed:
            now = observed[path]
        else:
            now = observed[path] = file_stat(path)
        if now is None:
            return None
        if len(stat) == 2 and now[0] == stat[0] and now[1] == stat[1] and not racy:
            return now
        if observed is None:
            return now if _digest_file(path) == digest else None
        key = (path, now)
        if key not in self._digests:
            self._digests[key] = _digest_file(path)
        return now if self._digests[key] == digest else None

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Look up many files at one moment: each file is stat-ed (and, if need be, hashed)
        once for all the entries that depend on it, instead of once per entry."""
        self._observed, self._digests = {}, {}
        try:
            yield
        finally:
            self._observed, self._digests = None, {}

    def store(self, result: FileResult, fingerprint: str, explicit: bool) -> None:
        if result.errors or result.digest is None:
            return
        stat = file_stat(result.path)
        if stat is None:
            return
        stats: List[Tuple[str, Tuple[int, int], str]] = []
        for dep, digest in result.deps.items():
            dep_stat = file_stat(dep)
            if dep_stat is None:
                return
            stats.append((dep, dep_stat, digest))
        table = self._table(fingerprint)
        deps = [self._version(fingerprint, dep, dep_stat, digest) for dep, dep_stat, digest in stats]
        now = time.time_ns()
        racy = [p for p, st in [(result.path, stat), *((d, s) for d, s, _ in stats)] if now - st[1] < RACY_WINDOW_NS]
        table[result.path] = {
            "stat": list(stat),
            "racy": racy,
            "digest": result.digest,
            "explicit": explicit,
            "skipped": result.skipped,
            "deps": deps,
            "diagnostics": [d.to_dict() for d in result.diagnostics],
            "costs": result.costs,
            "sends_requests": result.sends_requests,
            "leads_through": list(result.leads_through),
            "forced": result.forced,
            "imports": imports_text(result),
            # what linting it cost (the runner plans the next run of a changed file by it)
            "seconds": round(sum(result.timings.values()), 3),
        }
        self._dirty[fingerprint] = True

    def last_seconds(self, path: str, fingerprint: str) -> float:
        """What linting `path` cost when its entry was stored, fresh or not (0 when unknown):
        a file that changed since will most likely cost about as much again."""
        entry = self._table(fingerprint).get(path)
        seconds = entry.get("seconds") if isinstance(entry, dict) else None
        return float(seconds) if type(seconds) in (int, float) and seconds > 0 else 0.0

    # --- answers computed over the whole run (not per file) -------------------------------------
    #: how many answers of one kind are kept (a few rounds of one project, a few projects)
    MEMO_ENTRIES = 16

    def _memo_file(self) -> Path:
        return self.directory / __version__ / "memo.json"

    def _load_memo(self) -> Dict[str, Any]:
        if self._memo is None:
            self._memo = {}
            loaded = read_json(self._memo_file())
            if isinstance(loaded, dict) and loaded.get("code") == code_id() and isinstance(loaded.get("memo"), dict):
                self._memo = loaded["memo"]
        return self._memo

    def remembered(self, kind: str, key: str) -> Any:
        """The answer stored under `key` by `remember`, or None."""
        table = self._load_memo().get(kind)
        return table.get(key) if isinstance(table, dict) else None

    def remember(self, kind: str, key: str, value: Any) -> None:
        memo = self._load_memo()
        table = memo.get(kind)
        if not isinstance(table, dict):
            table = memo[kind] = {}
        table.pop(key, None)
        table[key] = value
        while len(table) > self.MEMO_ENTRIES:
            del table[next(iter(table))]
        self._memo_dirty = True

    def save(self) -> None:
        """Write changed tables atomically; failures only cost the next run some time."""
        if not any(self._dirty.values()) and not self._memo_dirty:
            return
        try:
            self._ensure_layout()
            if self._memo_dirty and self._memo is not None:
                write_json_atomically(self._memo_file(), {"version": __version__, "code": code_id(), "memo": self._memo})
                self._memo_dirty = False
            for fingerprint, dirty in self._dirty.items():
                if not dirty:
                    continue
                self._compact(fingerprint)
                write_json_atomically(self._file(fingerprint), {
                    "version": __version__, "code": code_id(), "files": self._tables[fingerprint],
                    "versions": self._versions[fingerprint]})
        except OSError:
            pass

    def _compact(self, fingerprint: str) -> None:
        """Keep only the dependency versions some entry refers to (an edited module leaves
        its old version behind), renumbered; drop entries whose references are corrupt
        (they could only be misses)."""
        table, versions = self._tables[fingerprint], self._versions[fingerprint]
        renumbered: Dict[int, int] = {}
        kept: List[List[Any]] = []
        for path in list(table):
            entry = table[path]
            deps = entry.get("deps") if isinstance(entry, dict) else None
            if not isinstance(deps, list) or any(type(i) is not int or not 0 <= i < len(versions) for i in deps):
                del table[path]
                continue
            new = []
            for i in deps:
                j = renumbered.get(i)
                if j is None:
                    j = renumbered[i] = len(kept)
                    kept.append(versions[i])
                new.append(j)
            entry["deps"] = new
        self._versions[fingerprint] = kept
        self._version_index.pop(fingerprint, None)

    def _ensure_layout(self) -> None:
        ensure_layout(self.directory)


def read_json(path: Path) -> Any:
    """The JSON data in the cache file at `path`, or None when it is missing, unreadable or
    not JSON. A cache file may be anything a crash, a disk or a checkout left there, nested
    too deep for the decoder too (RecursionError): never an error, only a miss."""
    try:
        with open(path, "r", encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None


def write_json_atomically(target: Path, data: Any) -> None:
    """Write `data` as compact JSON to `target` through a temporary file beside it and a
    rename: a reader (another run, a worker) sees the old file or the new one, never half
    of one. The temporary file is removed if writing fails; OSError goes to the caller."""
    import tempfile  # only a run that changed the cache writes it

    # `json.dumps`, not `json.dump`: only the one-shot encoder is the C one; writing corpus
    # L's 9 MB result table took 0.20 s through the file, 0.07-0.10 s this way. Encoded
    # before the temporary file is made, so an encoding error leaves no descriptor open.
    text = json.dumps(data, separators=(",", ":"))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=str(target.parent), prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def file_stat(path: str) -> Optional[Tuple[int, int]]:
    """(size, mtime_ns) of `path`, or None when it cannot be asked."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def ensure_layout(directory: Path) -> None:
    """Create the cache directory with its tag and `.gitignore` (as ruff's)."""
    directory.mkdir(parents=True, exist_ok=True)
    tag = directory / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_text(CACHEDIR_TAG, encoding="utf-8")
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")


def cache_directory(explicit: Optional[str], project_root: Path, settings_dir: Optional[Path]) -> Path:
    """`--cache-dir` / `CACHELINT_CACHE_DIR`, else the config's `cache-dir`, else the project root."""
    if explicit:
        return Path(explicit).resolve()
    if settings_dir is not None:
        return settings_dir
    return project_root / DEFAULT_DIR


def encode_imports(imports: Sequence[Tuple[str, int]]) -> str:
    """`FileResult.imports` as one string ("0 os;1 .llm"): a warm run decodes the table of
    every file, and one string per entry is far cheaper to load than nested lists."""
    return ";".join(f"{level} {module}" for module, level in imports)


def imports_text(result: FileResult) -> str:
    """A result's imports, encoded (as the cache stores them)."""
    return result.imports_text or encode_imports(result.imports)


def imports_of(result: FileResult) -> Tuple[Tuple[str, int], ...]:
    """A result's imports, decoded when they came from the cache."""
    return result.imports or decode_imports(result.imports_text)


def decode_imports(text: str) -> Tuple[Tuple[str, int], ...]:
    if not text:
        return ()
    out = []
    for item in text.split(";"):
        level, _, module = item.partition(" ")
        out.append((module, int(level)))
    return tuple(out)
