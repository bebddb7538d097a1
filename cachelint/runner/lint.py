"""Running the engine over many files: cache first, then a process pool, largest files first.

Workers are started once per run with the configuration inputs (not the parsed config), load
the configuration and rules once, and return plain `FileResult`s, never syntax trees. A few
files are linted in-process: starting workers costs more than it saves. libcst is not
imported unless a fix has to be built.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, AbstractSet, Any, Callable, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from cachelint.cache.results import ResultCache, imports_of, imports_text
from cachelint.config.loader import CliOverrides, ConfigResolver
from cachelint.engine import SKIPPED_GENERATED, SKIPPED_NO_MARKER, Engine, FileResult
from cachelint.importers import importers
from cachelint.runner.claims import Claims
from cachelint.runner.collector import tune_for_lint_run
from cachelint.signals import held, release_in_worker

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import ProcessPoolExecutor

#: Below this many files to analyse, the pool's start-up is not worth it...
POOL_THRESHOLD = 24
#: ... unless linting them took this many seconds last time (the cache remembers): the
#: importers of an edited module of corpus L (6 files, 4.9 s one after the other), where a
#: worker's start-up and its own parses of shared modules cost a few tenths of a second
POOL_SECONDS = 1.5
#: A file whose last lint took this long goes first and alone, as a big file does.
COSTLY_FILE_SECONDS = 1.0
#: A worker's task: at most this many files or (but for one big file alone) this many bytes.
CHUNK_FILES = 16
CHUNK_BYTES = 256_000
#: Fewer files per task when a run would give a worker fewer tasks than this: the costly
#: files of a small project sit side by side (khoj's routers), and one task holding them
#: all left the other worker idle.
TASKS_PER_WORKER = 16

_worker_engine: Optional[Engine] = None


#: the run's plan and who took which task of it (`claims`), in a worker of a pooled run
_worker_plan: Sequence[Sequence[Tuple[str, bool, bool]]] = ()
_worker_claims: Optional[Claims] = None


def _init_worker(cwd: str, overrides: CliOverrides, strict: bool, cache_dir: Optional[str] = None,
                 plan: Sequence[Sequence[Tuple[str, bool, bool]]] = (), claims: Optional[Claims] = None) -> None:
    global _worker_engine, _worker_plan, _worker_claims
    # A worker would only print a KeyboardInterrupt traceback of its own, or die and
    # break the pool: the main process handles the signals and ends the workers.
    release_in_worker()
    tune_for_lint_run()  # inherited through fork, not through spawn
    resolver = ConfigResolver(Path(cwd), overrides)
    _worker_engine = Engine(resolver.settings_for, strict=strict)
    if cache_dir is not None:
        _keep_project_stores(_worker_engine, Path(cache_dir))
    _worker_plan, _worker_claims = plan, claims
    if claims is not None:
        claims.join()


def _keep_project_stores(engine: Engine, directory: Path) -> None:
    """Let the engine's projects keep their byte index and their modules' summaries in the
    result cache at `directory` (imported when a project is made: a run answered from the
    cache never needs them)."""

    def stores_for(root: Path) -> Tuple[Any, Any]:
        from cachelint.cache.byte_index import ByteIndexStore
        from cachelint.cache.summaries import SummaryStore

        return ByteIndexStore(directory, root), SummaryStore(directory)

    engine.stores_for = stores_for


def _lint_chunk(chunk: Sequence[Tuple[str, bool, bool]]) -> List[Tuple[str, FileResult]]:
    assert _worker_engine is not None
    return [
        (path, _worker_engine.lint(path, explicit=explicit, skip_generated=skip))
        for path, explicit, skip in chunk
    ]


def _lint_claimed() -> List[Tuple[str, FileResult]]:
    """Lint the task of the plan this worker claims next (`claims`)."""
    assert _worker_claims is not None
    return _lint_chunk(_worker_plan[_worker_claims.claim()])


def job_count(requested: Optional[int] = None) -> int:
    if requested:
        return max(1, requested)
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except AttributeError:
        return max(1, os.cpu_count() or 1)


#: Rounds of "analyse the files that import a file that sends requests" (each round reaches
#: one more level of callers: a wrapper, its callers, theirs).
IMPORT_ROUNDS = 3


def lint_files(
    engine: Engine,
    files: Sequence[str],
    explicit: Set[str],
    *,
    cwd: Path,
    overrides: CliOverrides,
    cache: Optional[ResultCache],
    jobs: Optional[int] = None,
    skip_generated: AbstractSet[str] = frozenset(),
) -> Dict[str, FileResult]:
    """Lint every file, using the cache where it is fresh; results keyed by path.

    Files the prefilter skipped are analysed after all when they import a module the
    analysis found sending requests (`cachelint.importers`): a caller of a project wrapper
    mentions no SDK itself. Files in `skip_generated` (the generated-code check discovery
    left to the linter) that are generated are left out of the results, as if discovery
    had not found them; their cache entries record it, so a warm run reads none of them.
    """
    if cache is not None:
        _keep_project_stores(engine, cache.directory)
    # one pool for every round: the importers a later round analyses import the modules
    # the first round's workers already parsed and summarised
    pool = WorkerPool(cwd, overrides, engine.strict, job_count(jobs), cache.directory if cache is not None else None)
    try:
        results = _lint_round(engine, files, explicit, set(), pool=pool, cache=cache, skip_generated=skip_generated)
        resolve = _resolver(engine)
        for _ in range(IMPORT_ROUNDS):
            skipped = [(p, r) for p, r in results.items() if r.skipped == SKIPPED_NO_MARKER and (r.imports or r.imports_text)]
            senders = [r.path for r in results.values() if r.sends_requests]
            leaders = _leaders(results, senders)
            forced = (_find_importers(engine, results, skipped, senders, leaders, resolve, cache)
                      if skipped and (senders or leaders) else [])
            if not forced:
                break
            results.update(_lint_round(engine, forced, explicit, set(forced), pool=pool, cache=cache,
                                       skip_generated=skip_generated))
    finally:
        pool.close()
    if skip_generated:
        results = {p: r for p, r in results.items() if r.skipped != SKIPPED_GENERATED}
    return results


def _leaders(results: Dict[str, FileResult], senders: List[str]) -> Dict[str, Tuple[str, ...]]:
    """The files whose analysis found no request but whose names lead to one
    (`FileResult.leads_through`), each with those names, when the file depends on a file
    that sends requests (directly, or through another such file).

    A leading name is found from the text of what the module calls, raw HTTP included:
    cognee's `send_telemetry` posts to a telemetry endpoint, and every router importing it
    was analysed for nothing. A module that leads to a real request read a module that
    sends one while its wrapper search ran (hazzel's `providers/__init__.py` reads
    `providers/anthropic.py`)."""
    pending = {r.path: r for r in results.values() if r.leads_through and not r.sends_requests}
    reaching = set(senders)
    found: Dict[str, Tuple[str, ...]] = {}
    changed = True
    while changed:
        changed = False
        for path, result in pending.items():
            if path not in found and not reaching.isdisjoint(result.deps):
                found[path] = result.leads_through
                reaching.add(path)
                changed = True
    return found


def _find_importers(engine: Engine, results: Dict[str, FileResult], skipped: List[Tuple[str, FileResult]],
                    senders: List[str], leaders: Dict[str, Tuple[str, ...]],
                    resolve: Callable[[str, str, int], Optional[str]], cache: Optional[ResultCache]) -> List[str]:
    """`importers(...)`, remembered in the result cache under a key of everything the answer
    depends on: every file linted (a new module can change how an import resolves), the
    settings each is linted with, the senders and leaders, and the skipped files' import lists. A warm
    run over a large repository otherwise resolved thousands of imports again. (A module
    created outside the linted paths is not in the key; like the per-file entries, the
    answer then waits for a linted file to change.)"""
    if cache is None:
        return importers([(path, imports_of(r)) for path, r in skipped], senders, resolve, leaders)
    import hashlib

    h = hashlib.blake2b(digest_size=16)
    for path in sorted(results):
        h.update(path.encode("utf-8", "surrogateescape") + b"\0" + engine.settings_for(path).fingerprint().encode() + b"\0")
    h.update(b"\1" + "\0".join(sorted(senders)).encode("utf-8", "surrogateescape"))
    for path in sorted(leaders):
        h.update(b"\3" + path.encode("utf-8", "surrogateescape") + b"\0" + " ".join(leaders[path]).encode())
    for path, result in sorted(skipped, key=lambda pair: pair[0]):
        h.update(b"\2" + path.encode("utf-8", "surrogateescape") + b"\0" + imports_text(result).encode("utf-8", "surrogateescape"))
    key = h.hexdigest()
    found = cache.remembered("importers", key)
    if isinstance(found, list) and all(isinstance(p, str) for p in found):
        return found
    found = importers([(path, imports_of(r)) for path, r in skipped], senders, resolve, leaders)
    cache.remember("importers", key, found)
    return found


def _resolver(engine: Engine) -> Callable[[str, str, int], Optional[str]]:
    """Resolve an import the way the analysis of that file would (its project's roots).

    Remembered per (directory, module, level): resolution depends on where the importing
    file is, not on its name, and thousands of skipped files import the same few modules
    (on a warm run over a large repository this was half of the time)."""
    memo: Dict[Tuple[str, str, int], Optional[str]] = {}

    def resolve(path: str, module: str, level: int) -> Optional[str]:
        if os.path.islink(path):  # a linked file resolves from where it really is
            path = os.path.realpath(path)
        key = (os.path.dirname(path), module, level)
        if key not in memo:
            real = os.path.realpath(path)
            project = engine.project_for(engine.settings_for(Path(real)))
            memo[key] = project.resolve_import(real, module, level)
        return memo[key]

    return resolve


def _lint_round(engine: Engine, files: Sequence[str], explicit: Set[str], forced: Set[str], *, pool: "WorkerPool",
                cache: Optional[ResultCache], skip_generated: AbstractSet[str] = frozenset()) -> Dict[str, FileResult]:
    """One pass over `files`; those in `forced` are analysed whatever the prefilter says.
    In `pool` when it runs already (an earlier round started it), when there are enough
    files, or when the cache says they took long last time; else in this process."""
    results: Dict[str, FileResult] = {}
    todo: List[str] = []
    with cache.batch() if cache is not None else contextlib.nullcontext():
        for path in files:
            settings = engine.settings_for(path)  # a str: no Path object per file
            hit = cache.lookup(path, settings.fingerprint(), path in explicit) if cache is not None else None
            if hit is not None and (path not in forced or hit.skipped is None):
                results[path] = hit
            else:
                todo.append(path)
    analysed = explicit | forced
    workers = pool.workers
    # what linting each file cost the last time (the cache remembers; 0 when unknown)
    costs = ({path: cache.last_seconds(path, engine.settings_for(path).fingerprint()) for path in todo}
             if cache is not None and workers > 1 else {})
    if workers > 1 and todo and (pool.started or len(todo) >= POOL_THRESHOLD
                                 or (len(todo) > 1 and sum(costs.values()) >= POOL_SECONDS)):
        results.update(_pooled(todo, analysed, pool, skip_generated, costs))
    else:
        for path in todo:
            results[path] = engine.lint(path, explicit=path in analysed, skip_generated=path in skip_generated)
    for path in todo:
        results[path].forced = path in forced and path not in explicit
    if cache is not None:
        for path in todo:
            settings = engine.settings_for(path)
            cache.store(results[path], settings.fingerprint(), path in explicit)
    return results


def plan_chunks(paths: Sequence[str], sizes: Mapping[str, int], workers: int,
                costs: Optional[Mapping[str, float]] = None) -> List[List[str]]:
    """The run's plan: the workers' tasks in order; each worker takes a stretch of it
    (`cachelint.runner.claims`).

    Files in path order, so that a task (and the tasks a worker takes one after the other)
    holds neighbours, which import the same modules: a worker's bounded module cache then
    keeps what the next file needs. On litellm, ordering by size instead parsed twice the
    modules (30 against 16 cpu-s). Big files go first, each alone, so the tail of the run
    is not one huge file; so do files whose last lint (`costs`, seconds, from the cache)
    took `COSTLY_FILE_SECONDS` or more, the costliest first: among the importers of an
    edited module of corpus L, the one that took 2 s started third in path order."""
    costs = costs or {}
    per_task = max(1, min(CHUNK_FILES, len(paths) // (workers * TASKS_PER_WORKER)))

    def first(path: str) -> bool:
        return sizes[path] > CHUNK_BYTES or costs.get(path, 0.0) >= COSTLY_FILE_SECONDS

    big = sorted((p for p in paths if first(p)), key=lambda p: (-costs.get(p, 0.0), -sizes[p], p))
    chunks: List[List[str]] = [[p] for p in big]
    current: List[str] = []
    current_bytes = 0
    for path in sorted(p for p in paths if not first(p)):
        current.append(path)
        current_bytes += sizes[path]
        if current_bytes > CHUNK_BYTES or len(current) >= per_task:
            chunks.append(current)
            current, current_bytes = [], 0
    if current:
        chunks.append(current)
    return chunks


def _pooled(todo: List[str], explicit: Set[str], pool: "WorkerPool", skip_generated: AbstractSet[str] = frozenset(),
            costs: Optional[Mapping[str, float]] = None) -> Dict[str, FileResult]:
    """Lint `todo` in the worker processes of `pool` (see `plan_chunks`)."""
    def size(path: str) -> int:
        try:
            return os.path.getsize(path)
        except OSError:
            return 0

    chunks = [[(p, p in explicit, p in skip_generated) for p in chunk]
              for chunk in plan_chunks(todo, {path: size(path) for path in todo}, pool.workers, costs)]
    return pool.run(chunks)


class WorkerPool:
    """The worker processes of one `lint_files` call, started by its first pooled round
    and kept for the rounds after it (a worker keeps the modules it parsed).

    The first round's plan goes to the workers when they start, with the `Claims` that
    give each worker a stretch of it of its own; a later round's tasks go one by one."""

    def __init__(self, cwd: Path, overrides: CliOverrides, strict: bool, workers: int,
                 cache_dir: Optional[Path]) -> None:
        self.workers = workers
        self._initargs = (str(cwd), overrides, strict, str(cache_dir) if cache_dir is not None else None)
        self._executor: Optional["ProcessPoolExecutor"] = None

    @property
    def started(self) -> bool:
        return self._executor is not None

    def run(self, chunks: List[List[Tuple[str, bool, bool]]]) -> Dict[str, FileResult]:
        """Lint the chunks; results keyed by path. Any exception (Ctrl-C, SIGTERM, a broken
        pool) kills the workers at once, without waiting for their work (`_abandon`)."""
        results: Dict[str, FileResult] = {}
        try:
            if self._executor is None:
                futures = self._start(chunks)
            else:
                futures = [self._executor.submit(_lint_chunk, chunk) for chunk in chunks]
            for future in futures:
                for path, result in future.result():
                    results[path] = result
        except BaseException:
            self._abandon()
            raise
        return results

    def _start(self, chunks: List[List[Tuple[str, bool, bool]]]) -> List[Any]:
        # imported here: a run answered from the cache (or too small for a pool) never needs them
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        # each worker goes through a stretch of the plan of its own (`claims`)
        claims = Claims(context, len(chunks), self.workers)
        self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=context, initializer=_init_worker,
                                             initargs=(*self._initargs, chunks, claims))
        # Not pool.map: on an exception it cancels the pending futures (see `_abandon`).
        # Forked with Ctrl-C and SIGTERM held: one landing mid-fork would kill a worker
        # before it ignores Ctrl-C (a broken pool, not "interrupted"), and Python drops a
        # KeyboardInterrupt raised in the main process's at-fork hooks.
        with held():  # the workers are forked at the first submit
            return [self._executor.submit(_lint_claimed) for _ in chunks]

    def close(self) -> None:
        """Let the workers finish and exit (nothing is queued once `run` has returned); an
        interruption while they do kills them, as one during `run` does."""
        if self._executor is not None:
            executor, self._executor = self._executor, None
            try:
                executor.shutdown(wait=True)
            except BaseException:
                _abandon(executor)
                raise

    def _abandon(self) -> None:
        if self._executor is not None:
            executor, self._executor = self._executor, None
            _abandon(executor)


def _abandon(pool: ProcessPoolExecutor) -> None:
    """Stop `pool` at once: kill its worker processes (the pool then fails what is queued).

    `with ProcessPoolExecutor()` would wait for the queued work, and an interruption that
    lands after the workers are forked but before the pool's manager thread starts leaves
    workers nobody tells to stop: the interpreter then waits for them at exit forever.
    Killing them is safe: workers only compute results, they never write files. A worker
    killed halfway through sending a result leaves half a message in the result pipe, and
    the pool's manager thread (joined at exit) would wait for the rest forever; closing
    this process's copy of the pipe's write end turns that wait into end-of-file.

    Queued work is not cancelled (`cancel_futures`, `Future.cancel`): once its workers are
    dead the pool fails every pending future itself, and a future cancelled first makes
    the manager thread crash with InvalidStateError (Python 3.9 to 3.11) and print a
    traceback.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    result_queue = getattr(pool, "_result_queue", None)
    try:
        pool.shutdown(wait=False)
    except Exception:  # already broken: the processes below are what matters
        pass
    for process in processes:
        try:
            process.kill()
        except Exception:  # already gone
            pass
    deadline = time.monotonic() + 5
    for process in processes:
        try:
            process.join(timeout=max(0.0, deadline - time.monotonic()))
            # The pool's manager thread may reap the same worker at the same moment: our
            # wait then finds no child and returns before that thread has recorded the
            # exit, and the process still looks alive (`multiprocessing.active_children()`)
            # for a few microseconds: 1 run in 5 of
            # `test_an_interruption_while_the_workers_exit_kills_them` saw it.
            while process.exitcode is None and time.monotonic() < deadline:
                time.sleep(0.001)
        except Exception:
            pass
    writer = getattr(result_queue, "_writer", None)
    if writer is not None:
        try:
            writer.close()
        except Exception:
            pass
