"""Linting many files: `lint` answers from the result cache first, lints the rest (in a
process pool when there are enough), then lints the files that import a module found
sending requests.
"""
