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

The tokenizer is `bpe-openai` (a PyPI package that embeds the o200k table, so nothing is
downloaded; `tiktoken` would fetch its table from a host this machine cannot reach). It is
not a cachelint dependency: install it by hand to rerun, and commit only the figures.

    pip install bpe-openai && python benchmarks/token_calibration.py

Claude's tokenizers are not published and no offline copy exists; how the figures are
carried over to Claude is stated in `cachelint/analysis/tokens.py`.
"""

from __future__ import annotations

import ast
import json
import math
import statistics
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Tuple

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


def measure(encode, texts: List[str]) -> List[Tuple[int, int]]:
    return [(len(t), len(encode(t))) for t in texts if t]


def summary(kind: str, pairs: List[Tuple[int, int]]) -> str:
    ratios = sorted(c / n for c, n in pairs if n)
    if not ratios:
        return f"{kind:6} no samples"
    chars = sum(c for c, _ in pairs)
    tokens = sum(n for _, n in pairs)
    errors = sorted(math.ceil(c / 4) / n - 1 for c, n in pairs if n)

    def pct(values: List[float], q: float) -> float:
        return values[min(len(values) - 1, max(0, int(round(q * (len(values) - 1)))))]

    return (
        f"{kind:6} samples={len(ratios):5} chars={chars:9,} tokens={tokens:8,} "
        f"chars/token: pooled={chars / tokens:.2f} min={ratios[0]:.2f} p1={pct(ratios, .01):.2f} "
        f"p5={pct(ratios, .05):.2f} median={statistics.median(ratios):.2f} p95={pct(ratios, .95):.2f} "
        f"max={ratios[-1]:.2f} | chars/4 error: p5={pct(errors, .05):+.0%} median={statistics.median(errors):+.0%} "
        f"p95={pct(errors, .95):+.0%}"
    )


def main() -> int:
    try:
        import bpe_openai
    except ImportError:
        print("needs the bpe-openai package (pip install bpe-openai)", file=sys.stderr)
        return 2
    encoding = bpe_openai.get_encoding("o200k_base")
    texts = corpus()
    if not texts["prose"]:
        print("no real-code packages: run benchmarks/realcode/fetch.py first", file=sys.stderr)
    print("o200k_base (bpe-openai", bpe_openai.__version__ + ")")
    for kind, items in texts.items():
        print(summary(kind, measure(encoding.encode, items)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
