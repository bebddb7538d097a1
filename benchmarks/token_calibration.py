"""Measure how far cachelint's token estimate is from a real tokenizer (run by hand, offline).

cachelint estimates prompt sizes at four characters per token and needs bounds for its
"certainly below the minimum" (CL008) and "big enough to cache" (CL001, CL002) claims. This
script measures the characters per token of OpenAI's o200k encoding on prompt-shaped text
and prints the figures that `cachelint/analysis/tokens.py` records:

- prose: string constants of at least 200 characters from the labelled real-code packages
  (`benchmarks/.realcode`, fetched by `benchmarks/realcode/fetch.py`): real system prompts,
  instructions and few-shot examples, deduplicated;
- json: tool definitions found in the same packages (dict displays with a `name` and an
  `input_schema` or `parameters`), serialized with `json.dumps` as the SDKs send them;
- code: cachelint's own Python modules (code pasted into prompts).

The o200k tokenizer is `bpe-openai` (a PyPI package that embeds the o200k table, so nothing
is downloaded; `tiktoken` would fetch its table from a host this machine cannot reach).

Claude's tokenizers are not published. For Claude the script uses `ctok` (PyPI), an
unofficial offline reconstruction of Claude's token counts, checked by its author against
recorded `count_tokens` answers: the v3 family (Claude 3 through Opus 4.6) and the Opus 4.7
family (whose vocabulary Opus 4.8, Sonnet 5 and Fable 5 reuse under another message frame).
It counts a text as one user message, so the frame tokens (`<pad>` in its `tokenize()`)
are left out: the figures are for the text alone. It also prints the 4.7/v3 token ratio.

Neither package is a cachelint dependency (cachelint never imports them): install them by
hand to rerun, and commit only the figures. Each one is optional; the script says which
is missing and measures with the other. ctok needs Python 3.12 or later, so use a venv of
its own:

    python3.13 -m venv /tmp/tok-venv && /tmp/tok-venv/bin/pip install bpe-openai ctok
    /tmp/tok-venv/bin/python benchmarks/token_calibration.py

How the figures become the bounds the rules use is stated in `cachelint/analysis/tokens.py`.
"""

from __future__ import annotations

import ast
import json
import math
import statistics
import sys
import warnings
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
REALCODE = Path(__file__).resolve().parent / ".realcode"
MIN_CHARS = 200


def _strings(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) >= MIN_CHARS:
            yield node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if len(text) >= MIN_CHARS:
                yield text


def _tools(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            if "name" in keys and ({"input_schema", "parameters"} & keys):
                try:
                    value = ast.literal_eval(node)
                except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                    continue
                yield json.dumps(value)


def corpus() -> Dict[str, List[str]]:
    prose: Dict[str, None] = {}
    tools: Dict[str, None] = {}
    if REALCODE.is_dir():
        for path in sorted(REALCODE.rglob("*.py")):
            if "_wheels" in path.parts:
                continue
            try:
                with warnings.catch_warnings():
                    # old packages' invalid escapes warn on newer Pythons; the strings still count
                    warnings.simplefilter("ignore", SyntaxWarning)
                    tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
            except (SyntaxError, ValueError, RecursionError):
                continue
            for text in _strings(tree):
                # docstrings and license headers are not prompts: keep strings with a
                # prompt's vocabulary
                lowered = text.lower()
                if any(w in lowered for w in ("you are", "you must", "respond", "answer", "instruction", "task", "output")):
                    prose.setdefault(text)
            for text in _tools(tree):
                tools.setdefault(text)
    code = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "cachelint").rglob("*.py"))]
    return {"prose": list(prose), "json": list(tools), "code": code}


def measure(count: Callable[[str], int], texts: List[str]) -> List[Tuple[int, int]]:
    """(characters, tokens) for each text."""
    return [(len(t), count(t)) for t in texts if t]


def _pct(values: List[float], q: float) -> float:
    return values[min(len(values) - 1, max(0, int(round(q * (len(values) - 1)))))]


def summary(kind: str, pairs: List[Tuple[int, int]]) -> str:
    ratios = sorted(c / n for c, n in pairs if n)
    if not ratios:
        return f"{kind:6} no samples"
    chars = sum(c for c, _ in pairs)
    tokens = sum(n for _, n in pairs)
    errors = sorted(math.ceil(c / 4) / n - 1 for c, n in pairs if n)

    return (
        f"{kind:6} samples={len(ratios):5} chars={chars:9,} tokens={tokens:8,} "
        f"chars/token: pooled={chars / tokens:.2f} min={ratios[0]:.2f} p1={_pct(ratios, .01):.2f} "
        f"p5={_pct(ratios, .05):.2f} median={statistics.median(ratios):.2f} p95={_pct(ratios, .95):.2f} "
        f"max={ratios[-1]:.2f} | chars/4 error: p5={_pct(errors, .05):+.0%} median={statistics.median(errors):+.0%} "
        f"p95={_pct(errors, .95):+.0%}"
    )


def ratio_summary(kind: str, new: List[Tuple[int, int]], old: List[Tuple[int, int]]) -> str:
    """How many more tokens the Opus 4.7 family gives the same texts than the v3 family."""
    ratios = sorted(n / o for (_, n), (_, o) in zip(new, old) if o)
    if not ratios:
        return f"{kind:6} no samples"
    pooled = sum(n for _, n in new) / sum(o for _, o in old)
    return (
        f"{kind:6} 4.7/v3 tokens: pooled={pooled:.3f} min={ratios[0]:.3f} p5={_pct(ratios, .05):.3f} "
        f"median={statistics.median(ratios):.3f} p95={_pct(ratios, .95):.3f} p99={_pct(ratios, .99):.3f} "
        f"max={ratios[-1]:.3f}"
    )


def _o200k() -> Optional[Tuple[str, Callable[[str], int]]]:
    try:
        import bpe_openai
    except ImportError:
        print("o200k: skipped, needs the bpe-openai package (pip install bpe-openai)", file=sys.stderr)
        return None
    encoding = bpe_openai.get_encoding("o200k_base")
    return f"o200k_base (bpe-openai {bpe_openai.__version__})", lambda text: len(encoding.encode(text))


def _ctok() -> Optional[Callable[[str, str], int]]:
    try:
        import ctok
    except ImportError:
        print(
            "Claude: skipped, needs the ctok package (pip install ctok; Python 3.12 or later)",
            file=sys.stderr,
        )
        return None
    pad = "\u27e8pad\u27e9"  # the frame tokens of ctok's one-message count

    def count(text: str, version: str) -> int:
        return sum(1 for token in ctok.tokenize(text, version) if token != pad)

    return count


def main() -> int:
    o200k = _o200k()
    claude = _ctok()
    if o200k is None and claude is None:
        return 2
    texts = corpus()
    if not texts["prose"]:
        print("no real-code packages: run benchmarks/realcode/fetch.py first", file=sys.stderr)
    if o200k is not None:
        label, count = o200k
        print(label)
        for kind, items in texts.items():
            print(summary(kind, measure(count, items)))
    if claude is not None:
        from importlib.metadata import version

        per_family: Dict[str, Dict[str, List[Tuple[int, int]]]] = {}
        for family in ("3.0", "4.7"):
            print(f"Claude, ctok {version('ctok')} family {family} (unofficial reconstruction; text only, no message frame)")
            per_family[family] = {}
            for kind, items in texts.items():
                pairs = measure(lambda text, family=family: claude(text, family), items)
                per_family[family][kind] = pairs
                print(summary(kind, pairs))
        print("Claude, Opus 4.7 family vs v3 family on the same texts")
        for kind in texts:
            print(ratio_summary(kind, per_family["4.7"][kind], per_family["3.0"][kind]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
