"""The version of cachelint: what `--version` prints, what the package metadata says (hatch
reads it here) and what keys the result cache.

A module of its own, below everything else: the cache and the output formats need the
version, and taking it from `cachelint/__init__.py` made them import the package's public
API (`cachelint.api`), which imports the runner, which imports the cache.
"""

__version__ = "0.1.0"
