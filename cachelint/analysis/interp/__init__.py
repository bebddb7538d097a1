"""The abstract interpreter: runs request-building code over abstract values.

It walks the stdlib syntax tree of a function statement by statement, the way Python would,
but over `values` instead of real objects: strings keep which parts are static or dynamic,
dicts and lists are shared and mutated in place, branches fork and join into unions with
the conditions that chose them, loops run twice so that what one iteration appends is seen
by the next call, and calls into project functions are followed a few levels deep (with
their arguments bound), across modules. When an SDK request method is reached, the
arguments at that moment are turned into a `Request`.

Every construct it does not model evaluates to `Unknown`; deep recursion and long
functions stop at a budget. The interpreter never imports or runs the linted code.

The package has one module per concern, each a mixin of `Interpreter` (`core`):

- `statements`: Statement execution: blocks, branches and their joins, `try`/`match`/`with`, loops.
- `assignment`: Writes: binding names, unpacking, `x[k] = v`, `x.a = v` and `del`.
- `expressions`: Expression evaluation: the dispatch on node types and the operators.
- `names`: Name resolution: local scopes, lazily evaluated module globals, imports.
- `conditions`: Conditions: deciding constant tests, turning tests into guard atoms, narrowing.
- `strings`: Strings: f-strings, `str()`, `.format`, `%` formatting, str methods, `join`.
- `containers`: Containers: dict/list displays, comprehensions, items, slices, dict and list methods.
- `objects`: Objects: attributes, instances, project classes and their MRO, `__init__` summaries, annotations.
- `calls`: Calls: dispatch on the callee, binding parameters, following project functions, memoised results.
- `sdkcalls`: Calls out of the project: external functions, SDK clients, HTTP requests, prompt files.
- `limits`: the budgets (`MAX_STEPS`, `MAX_UNROLL`, ...).

External functions are modelled in `analysis.externals`, and SDK arguments become a
`Request` in `analysis.builders`.
"""

from cachelint.analysis.interp.core import Interpreter
from cachelint.analysis.interp.limits import MAX_DISPATCH, MAX_EVAL_DEPTH, MAX_STEPS, MAX_UNROLL

__all__ = ["Interpreter", "MAX_DISPATCH", "MAX_EVAL_DEPTH", "MAX_STEPS", "MAX_UNROLL"]
