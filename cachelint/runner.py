"""Running the engine over many files: cache first, then a process pool, largest files first.

Workers are started once per run with the configuration inputs (not the parsed config), load
the configuration and rules once, and return plain `FileResult`s, never syntax trees. A few
files are linted in-process: starting workers costs more than it saves. libcst is not
imported unless a fix has to be built.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set, Tuple

from cachelint.cache import ResultCache
from cachelint.config import CliOverrides, ConfigResolver
from cachelint.engine import Engine, FileResult

#: Below this many files to analyse, the pool's start-up is not worth it.
POOL_THRESHOLD = 24

_worker_engine: Optional[Engine] = None


def _init_worker(cwd: str, overrides: CliOverrides, strict: bool) -> None:
    global _worker_engine
    resolver = ConfigResolver(Path(cwd), overrides)
    _worker_engine = Engine(resolver.settings_for, strict=strict)


def _lint_chunk(chunk: Sequence[Tuple[str, bool]]) -> List[Tuple[str, FileResult]]:
    assert _worker_engine is not None
    return [(path, _worker_engine.lint(path, explicit=explicit)) for path, explicit in chunk]


def job_count(requested: Optional[int] = None) -> int:
    if requested:
        return max(1, requested)
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def lint_files(
    engine: Engine,
    files: Sequence[str],
    explicit: Set[str],
    *,
    cwd: Path,
    overrides: CliOverrides,
    cache: Optional[ResultCache],
    jobs: Optional[int] = None,
) -> Dict[str, FileResult]:
    """Lint every file, using the cache where it is fresh; results keyed by path."""
    results: Dict[str, FileResult] = {}
    todo: List[str] = []
    for path in files:
        settings = engine.settings_for(Path(path))
        hit = cache.lookup(path, settings.fingerprint(), path in explicit) if cache is not None else None
        if hit is not None:
            results[path] = hit
        else:
            todo.append(path)
    workers = job_count(jobs)
    if workers > 1 and len(todo) >= POOL_THRESHOLD:
        results.update(_pooled(todo, explicit, cwd, overrides, engine.strict, workers))
    else:
        for path in todo:
            results[path] = engine.lint(path, explicit=path in explicit)
    if cache is not None:
        for path in todo:
            settings = engine.settings_for(Path(path))
            cache.store(results[path], settings.fingerprint(), path in explicit)
    return results


def _pooled(todo: List[str], explicit: Set[str], cwd: Path, overrides: CliOverrides, strict: bool, workers: int) -> Dict[str, FileResult]:
    def size(path: str) -> int:
        try:
            return os.path.getsize(path)
        except OSError:
            return 0

    ordered = sorted(todo, key=size, reverse=True)
    # Big files alone, small ones in chunks: the tail is not one huge file.
    chunks: List[List[Tuple[str, bool]]] = []
    current: List[Tuple[str, bool]] = []
    current_bytes = 0
    for path in ordered:
        current.append((path, path in explicit))
        current_bytes += size(path)
        if current_bytes > 256_000 or len(current) >= 16:
            chunks.append(current)
            current, current_bytes = [], 0
    if current:
        chunks.append(current)
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    results: Dict[str, FileResult] = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                             initargs=(str(cwd), overrides, strict)) as pool:
        for chunk_results in pool.map(_lint_chunk, chunks):
            for path, result in chunk_results:
                results[path] = result
    return results
