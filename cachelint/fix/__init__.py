"""Fixes: `edits` builds the minimal text edits rules attach to their findings (libcst on
the snippet that changes, nothing else touched); `apply` applies the non-overlapping ones,
lints the changed files again and repeats until nothing changes.

`apply` is handed the engine that lints; it never imports it, so this package sits below the
rules (which build edits) and the engine.
"""
