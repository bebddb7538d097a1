#!/usr/bin/env python3
"""Write a large generated-looking Python module, to time cachelint on huge files.

Real repositories carry multi-megabyte modules that no one writes by hand: API clients
generated from an OpenAPI spec, model tables, prompt collections. cachelint must lint them
in time proportional to their size (issue 12, item 5). This script writes such a module;
it is not committed data, so the stress test and a profile can build one of any size:

    python scripts/gen_big_module.py --size 3000000 --shape mixed /tmp/big.py
    PYTHONPATH=. python -m cProfile -s cumtime -m cachelint --no-cache /tmp/big.py

Shapes (each mentions the anthropic SDK, so the prefilter lets the file through):

- `client`: many classes of methods that each send a Messages API request;
- `models`: many classes of annotated fields (pydantic-style schemas);
- `data`: one huge nested dict literal (a model price table);
- `flat`: thousands of module-level constants and small functions;
- `prompts`: many long prompt constants, one request per prompt;
- `mixed`: all of the above, in turn, until the size is reached.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Dict, Iterator, List

HEADER = '''"""Generated client for the example API (version 2026-01-01)."""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

import anthropic

client = anthropic.Anthropic()
MODEL = "claude-sonnet-4-5"

'''


def _client(i: int) -> str:
    return f'''
class Resource{i}:
    """Operations on resource {i}."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.base = "/v1/resource{i}"

    def get(self, item_id: str, *, expand: Optional[List[str]] = None) -> Dict[str, Any]:
        params = {{"expand": expand or [], "id": item_id}}
        return self._client.get(self.base + "/" + item_id, params=params)

    def describe(self, text: str) -> str:
        response = client.messages.create(
            model=MODEL,
            max_tokens=512,
            system="You describe resource {i} records in one sentence.",
            messages=[{{"role": "user", "content": text}}],
        )
        return response.content[0].text

    def list(self, limit: int = 20, cursor: Optional[str] = None) -> List[Dict[str, Any]]:
        out = []
        for page in range(limit):
            if cursor is None and page > 0:
                break
            out.append({{"page": page, "cursor": cursor, "kind": "resource{i}"}})
        return out
'''


def _models(i: int) -> str:
    fields = "\n".join(f"    field_{j}: Optional[str] = None  # field {j} of model {i}" for j in range(12))
    return f'''
class Model{i}(dict):
    """Schema {i}."""

{fields}

    def to_dict(self) -> Dict[str, Any]:
        return {{k: v for k, v in self.items() if v is not None}}
'''


def _data(i: int) -> str:
    rows = ",\n".join(
        f'        "claude-model-{i}-{j}": {{"input": {j}.5, "output": {j * 3}.0, "cache_read": 0.{j}, "ctx": {200000 + j}}}'
        for j in range(40)
    )
    return f"\nPRICES_{i} = {{\n    \"table\": {i},\n    \"rows\": {{\n{rows}\n    }},\n}}\n"


def _flat(i: int) -> str:
    lines = [f'CONST_{i}_{j} = "value {i} {j}"' for j in range(20)]
    lines.append(f"def helper_{i}(x):\n    y = x + {i}\n    return [y, CONST_{i}_0, CONST_{i}_1]\n")
    return "\n" + "\n".join(lines) + "\n"


def _prompts(i: int) -> str:
    body = " ".join(f"Rule {j}: answer about topic {i} with care and cite sources." for j in range(30))
    return f'''
PROMPT_{i} = """You are assistant {i}.
{body}
"""


def ask_{i}(question: str) -> str:
    reply = client.messages.create(
        model=MODEL,
        max_tokens=1024,
        system=PROMPT_{i},
        messages=[{{"role": "user", "content": question}}],
    )
    return reply.content[0].text
'''


SHAPES: Dict[str, Callable[[int], str]] = {
    "client": _client,
    "models": _models,
    "data": _data,
    "flat": _flat,
    "prompts": _prompts,
}


def _chunks(shape: str) -> Iterator[str]:
    i = 0
    while True:
        if shape == "mixed":
            for make in SHAPES.values():
                yield make(i)
        else:
            yield SHAPES[shape](i)
        i += 1


def generate(size: int, shape: str = "mixed") -> str:
    """A module of at least `size` characters (ASCII, so also bytes) of the given shape."""
    parts: List[str] = [HEADER]
    total = len(HEADER)
    for chunk in _chunks(shape):
        if total >= size:
            break
        parts.append(chunk)
        total += len(chunk)
    return "".join(parts)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="file to write")
    parser.add_argument("--size", type=int, default=3_000_000, help="bytes (default 3 MB)")
    parser.add_argument("--shape", choices=[*SHAPES, "mixed"], default="mixed")
    args = parser.parse_args(argv)
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write(generate(args.size, args.shape))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
